-- purpose: the unit × year grid of one rate for the heatmap, bounded to $limit units: those
--          worst in their latest year (lowest rate when $ascending, highest otherwise).
-- row:     one unit in one year; worst_rank 1 = the worst unit (the heatmap's top row).
-- formula: latest_value = the unit's rate in its latest year with a value, within the filters.
-- units:   rates are fractions.
-- params:  $metric VARCHAR (a rate id, e.g. 'execution_rate'); $ascending BOOLEAN;
--          $limit INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
WITH v AS (
    SELECT unit_key, unit_name, year,
           CASE $metric
               WHEN 'execution_rate'             THEN execution_rate
               WHEN 'adjustment_rate'            THEN adjustment_rate
               WHEN 'carryover_rate'             THEN carryover_rate
               WHEN 'carryover_change_rate'      THEN carryover_change_rate
               WHEN 'sangong_control_rate'       THEN sangong_control_rate
               WHEN 'procurement_execution_rate' THEN procurement_execution_rate
               WHEN 'funds_arrival_rate'         THEN funds_arrival_rate
           END AS value
    FROM unit_year_rate
    WHERE ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
latest AS (
    SELECT unit_key,
           arg_max(unit_name, year)                            AS unit_name,
           arg_max(value, year) FILTER (value IS NOT NULL)     AS latest_value,
           max(year) FILTER (value IS NOT NULL)                AS latest_year
    FROM v
    GROUP BY unit_key
    HAVING latest_value IS NOT NULL
),
ranked AS (
    SELECT *,
           row_number() OVER (ORDER BY CASE WHEN $ascending THEN latest_value ELSE -latest_value END,
                                       unit_name, unit_key) AS worst_rank,
           count(*) OVER ()                                     AS unit_total
    FROM latest
)
SELECT r.unit_key, r.unit_name, v.year, v.value, r.latest_value, r.latest_year, r.worst_rank, r.unit_total
FROM ranked r
JOIN v ON v.unit_key = r.unit_key
WHERE r.worst_rank <= $limit
ORDER BY r.worst_rank, v.year;
