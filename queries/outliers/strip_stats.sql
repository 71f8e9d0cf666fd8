-- purpose: the figures the 异常预警 strip chart needs over every unit in scope, without handing
--          the units to Python: per 层级 how many units there are and how many have a value of
--          $metric; over the whole scope the quantiles, minimum and maximum of the value (the
--          chart's display range).
-- row:     one 层级 (level; NULL = not filled in) with is_total false, and one row with
--          is_total true for the whole scope.
-- formula: q02, median, q98 = quantile_cont(value, 0.02 / 0.5 / 0.98) — linear interpolation,
--          as pandas' Series.quantile; NULL values are not counted in with_value nor in them.
-- units:   units, with_value counts; q02, median, q98, vmin, vmax as the metric (fractions).
-- params:  $year INTEGER; $metric VARCHAR (a rate id); $region, $level, $sector VARCHAR or NULL
--          (NULL = all).
SELECT level, is_total, units, with_value, q[1] AS q02, q[2] AS median, q[3] AS q98, vmin, vmax
FROM (   -- the three quantiles from one quantile state (one sort of the values)
SELECT level, grouping(level) = 1 AS is_total,
       count(*) AS units, count(value) AS with_value,
       quantile_cont(value, [0.02, 0.5, 0.98]) AS q, min(value) AS vmin, max(value) AS vmax
FROM unit_year_metric
WHERE metric = $metric
  AND year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY GROUPING SETS ((level), ())
)
ORDER BY is_total, level;
