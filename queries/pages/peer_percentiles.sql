-- purpose: where one unit stands among its peers (same year, same level) on each rate and
--          on the self-score: its percentile and the peers' median.
-- row:     one metric (rate id or 'self_score') that the unit has a value for in year $year.
-- formula: percentile = (peers with a lower value) / (peer_count − 1), 0 when the unit is its
--          only peer: the share of the other peers with a lower value (0 = lowest, 1 = highest;
--          tied peers are not counted as lower), i.e. percent_rank() ascending; peers = units
--          of the same level in the same year with a value for that metric (the unit included);
--          peer_median = median of the peers' values. Plain aggregates grouped by metric, no
--          window over the peers; the values come from unit_year_metric (long format).
-- units:   value and peer_median in the metric's unit (fractions for rates, points for
--          self_score); percentile a fraction; peer_count a count.
-- params:  $unit_key VARCHAR; $year INTEGER.
WITH mine AS (
    SELECT metric, value, level
    FROM unit_year_metric
    WHERE unit_key = $unit_key AND year = $year AND value IS NOT NULL
)
SELECT
    m.metric,
    m.value,
    COALESCE(count(*) FILTER (l.value < m.value) / NULLIF(count(*) - 1, 0), 0.0) AS percentile,
    count(*)                                                                     AS peer_count,
    median(l.value)                                                              AS peer_median,
    m.level
FROM mine m
JOIN unit_year_metric l
  ON l.metric = m.metric AND l.year = $year AND l.level IS NOT DISTINCT FROM m.level
 AND l.value IS NOT NULL
GROUP BY m.metric, m.value, m.level
ORDER BY list_position(['execution_rate', 'adjustment_rate', 'carryover_rate', 'carryover_change_rate',
                        'sangong_control_rate', 'procurement_execution_rate', 'funds_arrival_rate',
                        'self_score'], m.metric);
