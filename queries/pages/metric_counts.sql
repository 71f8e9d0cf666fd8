-- purpose: how many units a page covers, and per metric how many have a value, so the 排名对比
--          and 异常预警 pages never fetch every unit to count them (or to see which rates exist).
-- row:     one metric (a rate id or 'self_score') of year $year in scope: units = budget units
--          in scope (the same on every row); ranked = those with a value of the metric (the
--          others are not ranked, nor drawn). No rows when the scope has no units.
-- formula: count(*) and count(value) over unit_year_metric, which holds one row per unit-year
--          and metric with NULL values included, so count(*) is the units of unit_year_rate.
-- units:   counts of budget units.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT metric, count(*) AS units, count(value) AS ranked
FROM unit_year_metric
WHERE year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY metric
ORDER BY metric;
