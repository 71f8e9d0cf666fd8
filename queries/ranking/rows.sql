-- purpose: the ranking of the 排名对比 page from one end, bounded: the rows the table shows
--          (LIMIT $limit) or, with $limit NULL, the whole ranking for the CSV download.
-- row:     one budget unit of year $year in scope with a value of $metric, with its rank and
--          the columns of rates/unit_rates.sql; in ranking order from the chosen end.
-- formula: rank = 1 + the number of units in scope with a higher value (rank() … DESC: ties
--          share the best rank, whichever end is listed first). Order: value descending
--          ($ascending false) or ascending, then unit_name, then unit_key (so ties are listed
--          in name order, and two units of one name in key order).
-- units:   value, rates fractions (self_score points); budget and actual_spend 万元.
-- params:  $year INTEGER; $metric VARCHAR (a rate id or 'self_score'); $ascending BOOLEAN;
--          $limit INTEGER or NULL (NULL = all); $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH ranked AS (
    SELECT unit_key, value, rank() OVER (ORDER BY value DESC) AS rank
    FROM unit_year_metric
    WHERE metric = $metric
      AND year = $year
      AND value IS NOT NULL
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
)
SELECT
    r.rank, u.unit_key, u.unit_code, u.unit_name, u.year, u.region, u.level, u.sector,
    u.budget, u.actual_spend, u.self_score, u.grade,
    u.execution_rate, u.adjustment_rate, u.carryover_rate, u.carryover_change_rate,
    u.sangong_control_rate, u.procurement_execution_rate, u.funds_arrival_rate
FROM ranked AS r
JOIN unit_year_rate AS u ON u.year = $year AND u.unit_key = r.unit_key
ORDER BY CASE WHEN $ascending THEN r.value ELSE -r.value END, u.unit_name, u.unit_key
LIMIT $limit;
