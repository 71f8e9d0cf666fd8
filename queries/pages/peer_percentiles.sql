-- purpose: where one unit stands among its peers (same year, same level) on each rate and
--          on the self-score: its percentile and the peers' median.
-- row:     one metric (rate id or 'self_score') that the unit has a value for in year $year.
-- formula: percentile = (peers with a lower value) / (peer_count − 1), 0 when the unit is its
--          only peer: the share of the other peers with a lower value (0 = lowest, 1 = highest;
--          tied peers are not counted as lower), i.e. percent_rank() ascending; peers = units
--          of the same level in the same year with a value for that metric (the unit included);
--          peer_median = median of the peers' values. Computed once per import in
--          unit_year_metric (rates/refresh_unit_year_metric.sql); read here by unit_id, so the
--          page reads the unit's rows instead of every peer.
-- units:   value and peer_median in the metric's unit (fractions for rates, points for
--          self_score); percentile a fraction; peer_count a count.
-- params:  $unit_key VARCHAR; $year INTEGER.
SELECT m.metric, m.value, m.percentile, m.peer_count, m.peer_median, m.level
FROM unit u
JOIN unit_year_metric m ON m.unit_id = u.unit_id
WHERE u.unit_key = $unit_key AND m.year = $year AND m.value IS NOT NULL
ORDER BY list_position(['execution_rate', 'adjustment_rate', 'carryover_rate', 'carryover_change_rate',
                        'sangong_control_rate', 'procurement_execution_rate', 'funds_arrival_rate',
                        'self_score'], m.metric);
