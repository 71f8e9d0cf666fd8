-- purpose: the figures and rates of a few chosen units over all years (trend overlays,
--          side-by-side comparison).
-- row:     one unit in one year.
-- formula: see rates/refresh_unit_year_rate.sql.
-- units:   amounts 万元; rates fractions; self_score points.
-- params:  $unit_keys VARCHAR[] (a non-empty list of unit_key values).
SELECT
    r.unit_key, unit_code, unit_name, year, region, level, sector,
    budget, actual_spend, carryover, self_score, grade,
    execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
    sangong_control_rate, procurement_execution_rate, funds_arrival_rate
FROM unit u
JOIN unit_year_rate r ON r.unit_id = u.unit_id
WHERE list_contains($unit_keys, u.unit_key)
ORDER BY r.unit_key, year;
