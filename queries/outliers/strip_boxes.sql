-- purpose: the five numbers of each box of the 异常预警 strip chart (one box per 层级), computed
--          over every unit in scope in SQL instead of from a frame of them.
-- row:     one 层级 ('未填层级' where none is filled in) with at least one value of $metric.
-- formula: y = the value clipped to [$lo, $hi] (the chart's range); q1, median, q3 =
--          quantile_cont(y, 0.25 / 0.5 / 0.75) (linear, as pandas); lowerfence = min(y) among
--          y ≥ q1 − 1.5 × (q3 − q1); upperfence = max(y) among y ≤ q3 + 1.5 × (q3 − q1).
-- units:   n a count of units; the rest as the metric (fractions).
-- params:  $year INTEGER; $metric VARCHAR (a rate id); $lo, $hi DOUBLE; $region, $level, $sector
--          VARCHAR or NULL (NULL = all).
WITH ys AS (
    SELECT coalesce(level, '未填层级') AS level, greatest(least(value, $hi), $lo) AS y
    FROM unit_year_metric
    WHERE metric = $metric
      AND year = $year
      AND value IS NOT NULL
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
quartiles AS (   -- the three quartiles from one quantile state (one sort of the level's values)
    SELECT level, n, q[1] AS q1, q[2] AS median, q[3] AS q3
    FROM (SELECT level, count(*) AS n, quantile_cont(y, [0.25, 0.5, 0.75]) AS q FROM ys GROUP BY level)
)
SELECT q.level, q.n, q.q1, q.median, q.q3,
       min(ys.y) FILTER (ys.y >= q.q1 - 1.5 * (q.q3 - q.q1)) AS lowerfence,
       max(ys.y) FILTER (ys.y <= q.q3 + 1.5 * (q.q3 - q.q1)) AS upperfence
FROM quartiles AS q
JOIN ys USING (level)
GROUP BY q.level, q.n, q.q1, q.median, q.q3
ORDER BY q.level;
