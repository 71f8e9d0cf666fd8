-- purpose: the peer spread of one rate per year: quartiles across the units in the filters
--          (the band drawn behind the weighted trend line).
-- row:     one year, with the 25th, 50th and 75th percentiles of the units' rates.
-- formula: p25 / median / p75 = quantile_cont(rate, 0.25 / 0.5 / 0.75) over units with a value
--          (each unit counts once, unweighted — the weighted line is rates/weighted_by_group),
--          precomputed per year and filter scope in metric_spread
--          (rates/refresh_metric_spread.sql); a NULL filter reads the scope's "all" rows.
-- units:   rates are fractions; unit_count a count.
-- params:  $metric VARCHAR (a rate id, e.g. 'execution_rate');
--          $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT year, unit_count, p25, median, p75
FROM metric_spread
WHERE metric = $metric
  AND all_region = ($region IS NULL) AND ($region IS NULL OR region = $region)
  AND all_level  = ($level  IS NULL) AND ($level  IS NULL OR level  = $level)
  AND all_sector = ($sector IS NULL) AND ($sector IS NULL OR sector = $sector)
ORDER BY year;
