-- purpose: the points of the 异常预警 execution / self-score chart, bounded in SQL: the
--          self-evaluation inflation cases (自评虚高) and the other units, at most $limit of each.
-- row:     one unit of year $year in scope with both an execution rate and a self-score, to be
--          drawn (an inflation case once per inflation flag); part = 'marked' or 'normal';
--          part_total = the rows of that part in scope (drawn or not); high_total, medium_total
--          = inflation cases by severity (on marked rows).
-- formula: x = execution_rate clipped to [$lo, $hi], clipped = x <> execution_rate. Past $limit:
--          normal = the clipped units first (by unit_name, unit_key), then a fixed sample — the
--          smallest hash(unit_key), then unit_key, the same units on every run; marked = high first, then by
--          unit_name, unit_key. Rows: normal first, then marked, in unit_name, unit_key order
--          (a unit's flags in display position order).
-- units:   execution_rate, x fractions; self_score points; counts.
-- params:  $year INTEGER; $lo, $hi DOUBLE; $limit INTEGER; $region, $level, $sector VARCHAR or
--          NULL (NULL = all).
WITH both_values AS (
    SELECT unit_key, unit_name, level, execution_rate, self_score, grade,
           greatest(least(execution_rate, $hi), $lo) AS x
    FROM unit_year_rate
    WHERE year = $year
      AND execution_rate IS NOT NULL
      AND self_score IS NOT NULL
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
inflated AS (
    SELECT unit_key, severity, reason, position
    FROM unit_flag
    WHERE year = $year
      AND kind = 'inflation'
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
marked_all AS (
    SELECT b.*, b.x <> b.execution_rate AS clipped, i.severity, i.reason, i.position
    FROM both_values AS b
    JOIN inflated AS i USING (unit_key)
),
normal_all AS (
    SELECT *, x <> execution_rate AS clipped
    FROM both_values
    WHERE unit_key NOT IN (SELECT unit_key FROM inflated)
),
totals AS (      -- aggregates, not window counts: count(*) FILTER … OVER () is far slower
    SELECT (SELECT count(*) FROM normal_all) AS normal_total, count(*) AS marked_total,
           count(*) FILTER (severity = 'high') AS high_total, count(*) FILTER (severity = 'medium') AS medium_total
    FROM marked_all
),
normal AS (
    SELECT n.*
    FROM normal_all AS n
    CROSS JOIN totals AS t
    ORDER BY n.clipped DESC, CASE WHEN n.clipped THEN n.unit_name END, CASE WHEN n.clipped THEN n.unit_key END,
             CASE WHEN t.normal_total > $limit THEN hash(n.unit_key) END, n.unit_key
    LIMIT $limit
),
marked AS (
    SELECT *
    FROM marked_all
    ORDER BY severity <> 'high', unit_name, unit_key, position
    LIMIT $limit
)
SELECT 'normal' AS part, unit_key, unit_name, level, execution_rate, self_score, grade, x, clipped,
       NULL AS severity, NULL AS reason, t.normal_total AS part_total, NULL::BIGINT AS high_total,
       NULL::BIGINT AS medium_total, NULL::INTEGER AS position
FROM normal
CROSS JOIN totals AS t
UNION ALL
SELECT 'marked', unit_key, unit_name, level, execution_rate, self_score, grade, x, clipped,
       severity, reason, t.marked_total, t.high_total, t.medium_total, position
FROM marked
CROSS JOIN totals AS t
ORDER BY part DESC, unit_name, unit_key, position;
