-- purpose: the dots of the 异常预警 strip chart for one rate, bounded in SQL: the units flagged on
--          $metric (each with its most severe flag) and the other units, at most $limit of each.
-- row:     one unit of year $year in scope with a value of $metric, to be drawn; part =
--          'flagged' or 'normal'; part_total = the units of that part in scope (drawn or not);
--          high_total, medium_total = flagged units by severity (on flagged rows).
-- formula: y = value clipped to [$lo, $hi], clipped = y <> value; level_rank = the unit's
--          place by value within its 层级 (1 = lowest; ties by unit_name, unit_key), from which
--          the dot's horizontal offset is computed. A unit's flag on $metric: its most severe
--          (high, then warning / inflation / statistical / data, then display position).
--          Past $limit: normal = the clipped units first (by unit_name, unit_key), then a fixed
--          sample — the smallest md5(unit_key), the same units on every run; flagged = high
--          first, then the furthest from the scope's median, then unit_name, unit_key.
--          Rows come normal first, then flagged, each in unit_name, unit_key order (flagged past
--          $limit: in the order of choice).
-- units:   value, y as the metric (fractions); counts.
-- params:  $year INTEGER; $metric VARCHAR (a rate id); $lo, $hi DOUBLE; $limit INTEGER;
--          $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH present AS (
    SELECT m.unit_key, u.unit_name, coalesce(m.level, '未填层级') AS level, m.value,
           greatest(least(m.value, $hi), $lo) AS y
    FROM unit_year_metric AS m
    JOIN unit_year_rate AS u ON u.year = m.year AND u.unit_key = m.unit_key
    WHERE m.metric = $metric
      AND m.year = $year
      AND m.value IS NOT NULL
      AND ($region IS NULL OR m.region = $region)
      AND ($level  IS NULL OR m.level  = $level)
      AND ($sector IS NULL OR m.sector = $sector)
),
ranked AS (
    SELECT *, y <> value AS clipped,
           row_number() OVER (PARTITION BY level ORDER BY value, unit_name, unit_key) AS level_rank
    FROM present
),
worst AS (
    SELECT unit_key, severity, kind, reason
    FROM unit_flag
    WHERE year = $year
      AND metric = $metric
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
    QUALIFY row_number() OVER (
        PARTITION BY unit_key
        ORDER BY CASE severity WHEN 'high' THEN 0 ELSE 1 END,
                 CASE kind WHEN 'warning' THEN 0 WHEN 'inflation' THEN 1 WHEN 'statistical' THEN 2 END NULLS LAST,
                 position) = 1
),
joined AS (
    SELECT r.*, w.severity, w.kind, w.reason, w.unit_key IS NOT NULL AS is_flagged
    FROM ranked AS r
    LEFT JOIN worst AS w USING (unit_key)
),
normal AS (
    SELECT *, count(*) OVER () AS part_total,
           row_number() OVER (ORDER BY clipped DESC, CASE WHEN clipped THEN unit_name END,
                                       CASE WHEN clipped THEN unit_key END, md5(unit_key)) AS pick
    FROM joined
    WHERE NOT is_flagged
),
flagged AS (
    SELECT *, count(*) OVER () AS part_total,
           row_number() OVER (ORDER BY severity <> 'high',
                                       abs(value - (SELECT median(value) FROM present)) DESC,
                                       unit_name, unit_key) AS pick
    FROM joined
    WHERE is_flagged
),
drawn AS (
    SELECT 'normal' AS part, *, NULL::BIGINT AS high_total, NULL::BIGINT AS medium_total
    FROM normal
    WHERE part_total <= $limit OR pick <= $limit
    UNION ALL BY NAME
    SELECT 'flagged' AS part, *, count(*) FILTER (severity = 'high') OVER () AS high_total,
           count(*) FILTER (severity = 'medium') OVER () AS medium_total
    FROM flagged
    QUALIFY part_total <= $limit OR pick <= $limit
)
SELECT part, unit_key, unit_name, level, value, y, clipped, level_rank, severity, kind, reason,
       part_total, high_total, medium_total
FROM drawn
ORDER BY part DESC, CASE WHEN part = 'flagged' AND part_total > $limit THEN pick END, unit_name, unit_key;
