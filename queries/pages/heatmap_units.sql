-- purpose: the unit × year grid of one rate for the heatmap, bounded to $limit units: those
--          worst in their latest year (lowest rate when $ascending, highest otherwise).
-- row:     one unit in one year; worst_rank 1 = the worst unit (the heatmap's top row).
-- formula: latest_value = the unit's rate in its latest year with a value, within the filters
--          (read from unit_scope_latest, one row per unit and attributes, not every unit-year);
--          the grid's cells are the unit's rates of every year within the filters
--          (unit_year_metric).
-- units:   rates are fractions.
-- params:  $metric VARCHAR (a rate id, e.g. 'execution_rate'); $ascending BOOLEAN;
--          $limit INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH v AS (
    SELECT unit_key, year, value
    FROM unit_year_metric
    WHERE metric = $metric
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
latest AS (
    -- per unit, from the rows of unit_scope_latest within the filters (one per unit unless it
    -- moved): the latest year's value, the name in the latest year
    SELECT unit_key,
           arg_max(unit_name, last_year)                            AS unit_name,
           arg_max(value, value_year) FILTER (value IS NOT NULL)    AS latest_value,
           max(value_year) FILTER (value IS NOT NULL)               AS latest_year
    FROM unit_scope_latest
    WHERE metric = $metric
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
    GROUP BY unit_key
    HAVING latest_value IS NOT NULL
),
worst AS (
    SELECT *
    FROM latest
    ORDER BY CASE WHEN $ascending THEN latest_value ELSE -latest_value END, unit_name, unit_key
    LIMIT $limit
),
ranked AS (
    SELECT *,
           row_number() OVER (ORDER BY CASE WHEN $ascending THEN latest_value ELSE -latest_value END,
                                       unit_name, unit_key) AS worst_rank,
           (SELECT count(*) FROM latest)                        AS unit_total
    FROM worst
)
SELECT r.unit_key, r.unit_name, v.year, v.value, r.latest_value, r.latest_year, r.worst_rank, r.unit_total
FROM ranked r
JOIN v ON v.unit_key = r.unit_key
ORDER BY r.worst_rank, v.year;
