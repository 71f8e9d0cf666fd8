-- purpose: the unit × year grid of one rate for the heatmap, bounded to $limit units: those
--          worst in their latest year (lowest rate when $ascending, highest otherwise).
-- row:     one unit in one year; worst_rank 1 = the worst unit (the heatmap's top row).
-- formula: latest_value = the unit's rate in its latest year with a value, within the filters
--          (read from unit_scope_latest, one row per unit and attributes, not every unit-year:
--          a unit with one row (scopes = 1) is read as it stands, only units that moved are
--          aggregated); the grid's cells are the unit's rates of every year within the filters
--          (unit_year_metric, found by unit_id).
-- units:   rates are fractions.
-- params:  $metric VARCHAR (a rate id, e.g. 'execution_rate'); $ascending BOOLEAN;
--          $limit INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH scoped AS NOT MATERIALIZED (
    SELECT *
    FROM unit_scope_latest
    WHERE metric = $metric
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
several AS NOT MATERIALIZED (
    -- units that moved: their rows within the filters, aggregated (the latest year's value, the
    -- name in the latest year)
    SELECT unit_key,
           arg_max(unit_name, last_year)                            AS unit_name,
           arg_max(value, value_year) FILTER (value IS NOT NULL)    AS latest_value,
           max(value_year) FILTER (value IS NOT NULL)               AS latest_year
    FROM scoped
    WHERE scopes > 1
    GROUP BY unit_key
    HAVING max(value_year) FILTER (value IS NOT NULL) IS NOT NULL
),
worst AS (
    SELECT * FROM (
        SELECT unit_key, unit_name, value AS latest_value, value_year AS latest_year
        FROM scoped
        WHERE scopes = 1 AND value IS NOT NULL
        UNION ALL
        SELECT * FROM several
    )
    ORDER BY CASE WHEN $ascending THEN latest_value ELSE -latest_value END, unit_name, unit_key
    LIMIT $limit
),
ranked AS (
    SELECT w.*, u.unit_id,
           row_number() OVER (ORDER BY CASE WHEN $ascending THEN latest_value ELSE -latest_value END,
                                       unit_name, w.unit_key) AS worst_rank,
           (SELECT count(*) FROM scoped WHERE scopes = 1 AND value IS NOT NULL)
               + (SELECT count(*) FROM several)             AS unit_total
    FROM worst w
    JOIN unit u ON u.unit_key = w.unit_key
)
SELECT r.unit_key, r.unit_name, v.year, v.value, r.latest_value, r.latest_year, r.worst_rank, r.unit_total
FROM ranked r
JOIN unit_year_metric v ON v.unit_id = r.unit_id
WHERE v.metric = $metric
  AND ($region IS NULL OR v.region = $region)
  AND ($level  IS NULL OR v.level  = $level)
  AND ($sector IS NULL OR v.sector = $sector)
ORDER BY r.worst_rank, v.year;
