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
    JOIN unit_year_rate AS u ON u.year = m.year AND u.unit_id = m.unit_id
    WHERE m.metric = $metric
      AND m.year = $year
      AND m.value IS NOT NULL
      AND ($region IS NULL OR m.region = $region)
      AND ($level  IS NULL OR m.level  = $level)
      AND ($sector IS NULL OR m.sector = $sector)
),
ranked AS (
    -- row_number() over (level; value, unit_name, unit_key), in two cheaper windows: the units
    -- below in value, then the place among equal values by name (sorting every name is slow)
    SELECT *, y <> value AS clipped,
           rank() OVER (PARTITION BY level ORDER BY value)
           + row_number() OVER (PARTITION BY level, value ORDER BY unit_name, unit_key) - 1 AS level_rank
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
    SELECT r.*, w.severity, w.kind, w.reason, w.unit_key IS NOT NULL AS is_flagged,
           abs(r.value - (SELECT median(value) FROM present)) AS distance
    FROM ranked AS r
    LEFT JOIN worst AS w USING (unit_key)
),
totals AS (      -- aggregates, not window counts: count(*) FILTER … OVER () is far slower
    SELECT count(*) FILTER (NOT is_flagged) AS normal_total, count(*) FILTER (is_flagged) AS flagged_total,
           count(*) FILTER (severity = 'high') AS high_total, count(*) FILTER (severity = 'medium') AS medium_total
    FROM joined
),
normal AS (
    SELECT 'normal' AS part, j.*
    FROM joined AS j
    CROSS JOIN totals AS t
    WHERE NOT j.is_flagged
    ORDER BY j.clipped DESC, CASE WHEN j.clipped THEN j.unit_name END, CASE WHEN j.clipped THEN j.unit_key END,
             CASE WHEN t.normal_total > $limit THEN md5(j.unit_key) END
    LIMIT $limit
),
flagged AS (
    SELECT 'flagged' AS part, *
    FROM joined
    WHERE is_flagged
    ORDER BY severity <> 'high', distance DESC, unit_name, unit_key
    LIMIT $limit
)
SELECT d.part, d.unit_key, d.unit_name, d.level, d.value, d.y, d.clipped, d.level_rank, d.severity, d.kind,
       d.reason, CASE d.part WHEN 'normal' THEN t.normal_total ELSE t.flagged_total END AS part_total,
       t.high_total, t.medium_total
FROM (SELECT * FROM normal UNION ALL SELECT * FROM flagged) AS d
CROSS JOIN totals AS t
ORDER BY d.part DESC,
         CASE WHEN d.part = 'flagged' AND t.flagged_total > $limit THEN d.severity <> 'high' END,
         CASE WHEN d.part = 'flagged' AND t.flagged_total > $limit THEN d.distance END DESC,
         d.unit_name, d.unit_key;
