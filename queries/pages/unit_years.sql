-- purpose: one unit's figures and rates year by year (unit profile).
-- row:     one year of the unit $unit_key.
-- formula: see rates/refresh_unit_year_rate.sql.
-- units:   amounts 万元; rates fractions; self_score points.
-- params:  $unit_key VARCHAR (found through table unit: its unit_id reads the unit's row group
--          of each year).
SELECT
    r.unit_key, unit_code, unit_name, year, region, level, sector,
    initial_budget, adjusted_budget, budget, funds_received, actual_spend, carryover, prior_carryover,
    self_score, grade,
    execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
    sangong_control_rate, procurement_execution_rate, funds_arrival_rate
FROM unit u
JOIN unit_year_rate r ON r.unit_id = u.unit_id
WHERE u.unit_key = $unit_key
ORDER BY year;
