-- purpose: where one unit stands among its peers (same year, same level) on each rate and
--          on the self-score: its percentile and the peers' median.
-- row:     one metric (rate id or 'self_score') that the unit has a value for in year $year.
-- formula: percentile = percent_rank() over the peers' values, ascending: the share of the other
--          peers with a lower value (0 = lowest, 1 = highest); peers = units of the same level
--          in the same year with a value for that metric (the unit included).
-- units:   value and peer_median in the metric's unit (fractions for rates, points for
--          self_score); percentile a fraction; peer_count a count.
-- params:  $unit_key VARCHAR; $year INTEGER.
WITH me AS (
    SELECT level FROM unit_year_rate WHERE unit_key = $unit_key AND year = $year
),
peers AS (
    SELECT r.unit_key, r.execution_rate, r.adjustment_rate, r.carryover_rate, r.carryover_change_rate,
           r.sangong_control_rate, r.procurement_execution_rate, r.funds_arrival_rate, r.self_score
    FROM unit_year_rate r, me
    WHERE r.year = $year AND r.level IS NOT DISTINCT FROM me.level
),
long AS (
    UNPIVOT peers
    ON execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
       sangong_control_rate, procurement_execution_rate, funds_arrival_rate, self_score
    INTO NAME metric VALUE value
),
ranked AS (
    SELECT unit_key, metric, value,
           percent_rank() OVER (PARTITION BY metric ORDER BY value) AS percentile,
           count(*)       OVER (PARTITION BY metric)                AS peer_count,
           median(value)  OVER (PARTITION BY metric)                AS peer_median
    FROM long
)
SELECT metric, value, percentile, peer_count, peer_median, (SELECT level FROM me) AS level
FROM ranked
WHERE unit_key = $unit_key
ORDER BY list_position(['execution_rate', 'adjustment_rate', 'carryover_rate', 'carryover_change_rate',
                        'sangong_control_rate', 'procurement_execution_rate', 'funds_arrival_rate',
                        'self_score'], metric);
