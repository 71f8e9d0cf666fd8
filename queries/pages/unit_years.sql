-- purpose: one unit's figures and rates year by year (unit profile).
-- row:     one year of the unit $unit_key.
-- formula: see rates/refresh_unit_year_rate.sql.
-- units:   amounts 万元; rates fractions; self_score points.
-- params:  $unit_key VARCHAR.
SELECT
    unit_key, unit_code, unit_name, year, region, level, sector,
    initial_budget, adjusted_budget, budget, funds_received, actual_spend, carryover, prior_carryover,
    self_score, grade,
    execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
    sangong_control_rate, procurement_execution_rate, funds_arrival_rate
FROM unit_year_rate
WHERE unit_key = $unit_key
ORDER BY year;
