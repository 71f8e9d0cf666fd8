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
--          sample — the smallest hash(unit_key), then unit_key, the same units on every run; flagged = high
--          first, then the furthest from the scope's median, then unit_name, unit_key.
--          Rows come normal first, then flagged, each in unit_name, unit_key order (flagged past
--          $limit: in the order of choice).
--          Computed for the drawn units only: a unit's units below in value is unit_year_metric's
--          percentile × (peer_count − 1) (peers = the metric's units of the level that year, the
--          scope's units of the level when no region or sector is set), else counted by a window
--          over the scope; ties by name are counted among the units of equal value. Names are read
--          for the units whose order needs them (clipped, flagged, drawn).
-- units:   value, y as the metric (fractions); counts.
-- params:  $year INTEGER; $metric VARCHAR (a rate id); $lo, $hi DOUBLE; $limit INTEGER;
--          $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH present AS (
    SELECT m.unit_id, m.unit_key, coalesce(m.level, '未填层级') AS level, m.value,
           greatest(least(m.value, $hi), $lo) AS y,
           greatest(least(m.value, $hi), $lo) <> m.value AS clipped,
           CAST(round(m.percentile * (m.peer_count - 1)) AS BIGINT) AS peers_below
    FROM unit_year_metric AS m
    WHERE m.metric = $metric
      AND m.year = $year
      AND m.value IS NOT NULL
      AND ($region IS NULL OR m.region = $region)
      AND ($level  IS NULL OR m.level  = $level)
      AND ($sector IS NULL OR m.sector = $sector)
),
names AS (       -- the scope's filters again (unit_year_metric copies them from unit_year_rate): fewer rows
    SELECT unit_id, unit_name FROM unit_year_rate
    WHERE year = $year
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
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
    SELECT p.*, w.severity, w.kind, w.reason, w.unit_key IS NOT NULL AS is_flagged,
           abs(p.value - (SELECT median(value) FROM present)) AS distance
    FROM present AS p
    LEFT JOIN worst AS w USING (unit_key)
),
totals AS (      -- aggregates, not window counts: count(*) FILTER … OVER () is far slower
    SELECT count(*) FILTER (NOT is_flagged) AS normal_total, count(*) FILTER (is_flagged) AS flagged_total,
           count(*) FILTER (severity = 'high') AS high_total, count(*) FILTER (severity = 'medium') AS medium_total
    FROM joined
),
normal_candidates AS (
    -- the clipped units (drawn first, by name) and the first $limit others by hash(unit_key): the
    -- $limit drawn are among them
    SELECT j.*, n.unit_name
    FROM joined AS j JOIN names AS n USING (unit_id)
    WHERE NOT j.is_flagged AND j.clipped
    UNION ALL
    SELECT j.*, n.unit_name
    FROM (SELECT * FROM joined WHERE NOT is_flagged AND NOT clipped ORDER BY hash(unit_key), unit_key LIMIT $limit) AS j
    JOIN names AS n USING (unit_id)
),
normal AS (
    SELECT 'normal' AS part, c.*
    FROM normal_candidates AS c
    CROSS JOIN totals AS t
    ORDER BY c.clipped DESC, CASE WHEN c.clipped THEN c.unit_name END, CASE WHEN c.clipped THEN c.unit_key END,
             CASE WHEN t.normal_total > $limit THEN hash(c.unit_key) END, c.unit_key
    LIMIT $limit
),
flagged AS (
    SELECT 'flagged' AS part, j.*, n.unit_name
    FROM joined AS j JOIN names AS n USING (unit_id)
    WHERE j.is_flagged
    ORDER BY j.severity <> 'high', j.distance DESC, n.unit_name, j.unit_key
    LIMIT $limit
),
drawn AS (
    SELECT * FROM normal UNION ALL SELECT * FROM flagged
),
scoped AS (      -- a region or sector filter: the peers in unit_year_metric are not the scope's units
    SELECT unit_id, rank() OVER (PARTITION BY level ORDER BY value) - 1 AS below
    FROM present
    WHERE $region IS NOT NULL OR $sector IS NOT NULL
),
ties AS (        -- units of the same level and value placed before the drawn one (by name, key)
    SELECT d.unit_id, count(*) AS before
    FROM drawn AS d
    JOIN present AS p ON p.level = d.level AND p.value = d.value AND p.unit_id <> d.unit_id
    JOIN names AS n ON n.unit_id = p.unit_id
    WHERE n.unit_name < d.unit_name OR (n.unit_name = d.unit_name AND p.unit_key < d.unit_key)
    GROUP BY d.unit_id
)
SELECT d.part, d.unit_key, d.unit_name, d.level, d.value, d.y, d.clipped,
       coalesce(s.below, d.peers_below) + 1 + coalesce(k.before, 0) AS level_rank,
       d.severity, d.kind,
       d.reason, CASE d.part WHEN 'normal' THEN t.normal_total ELSE t.flagged_total END AS part_total,
       t.high_total, t.medium_total
FROM drawn AS d
LEFT JOIN scoped AS s USING (unit_id)
LEFT JOIN ties AS k USING (unit_id)
CROSS JOIN totals AS t
ORDER BY d.part DESC,
         CASE WHEN d.part = 'flagged' AND t.flagged_total > $limit THEN d.severity <> 'high' END,
         CASE WHEN d.part = 'flagged' AND t.flagged_total > $limit THEN d.distance END DESC,
         d.unit_name, d.unit_key;
