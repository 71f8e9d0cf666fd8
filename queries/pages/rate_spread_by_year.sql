-- purpose: the peer spread of one rate per year: quartiles across the units in the filters
--          (the band drawn behind the weighted trend line).
-- row:     one year, with the 25th, 50th and 75th percentiles of the units' rates.
-- formula: p25 / median / p75 = quantile_cont(rate, 0.25 / 0.5 / 0.75) over units with a value
--          (each unit counts once, unweighted — the weighted line is rates/weighted_by_group).
-- units:   rates are fractions; unit_count a count.
-- params:  $metric VARCHAR (a rate id, e.g. 'execution_rate');
--          $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH v AS (
    SELECT year, value
    FROM unit_year_metric
    WHERE metric = $metric
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
)
SELECT
    year,
    count(value)                  AS unit_count,
    quantile_cont(value, 0.25)    AS p25,
    quantile_cont(value, 0.50)    AS median,
    quantile_cont(value, 0.75)    AS p75
FROM v
WHERE value IS NOT NULL
GROUP BY year
ORDER BY year;
