-- purpose: statistical outliers (异常) against the unit's own history: a year-on-year jump in
--          its execution rate, or a carryover that grew sharply and materially.
-- row:     one unit × one jump in a year of $years: metric 'execution_rate' (a jump in the rate) or
--          'carryover_change_rate' (the carryover grew).
-- formula: execution: delta = execution_rate(year) − execution_rate(year − 1) of the same
--          unit_key; flagged when |delta| ≥ $execution_jump, high when ≥ $execution_jump_high.
--          carryover: carryover_change_rate = (carryover − prior) / prior (prior = 上年结转结余, else
--          the previous year's carryover); flagged when ≥ $carryover_growth and the increase
--          (carryover − prior) is at least $carryover_growth_min_share of the year's budget;
--          high when ≥ $carryover_growth_high.
-- units:   value, prior_value, delta, increase_share are fractions; carryover, prior_carryover,
--          budget in 万元.
-- params:  $years LIST of INTEGER (all units of those years; perfdash.outliers stores the
--          flags and queries/outliers/flags.sql applies the filters);
--          $execution_jump, $execution_jump_high, $carryover_growth, $carryover_growth_high,
--          $carryover_growth_min_share DOUBLE.
WITH unit AS (
    SELECT u.*, p.execution_rate AS prior_execution_rate
    FROM unit_year_rate u
    LEFT JOIN unit_year_rate p ON p.unit_key = u.unit_key AND p.year = u.year - 1
    WHERE list_contains($years, u.year)
),
jumps AS (
    SELECT unit_key, year, 'execution_rate' AS metric, execution_rate AS value,
           prior_execution_rate AS prior_value,
           execution_rate - prior_execution_rate AS delta,
           NULL::DOUBLE AS increase_share,
           CASE WHEN abs(execution_rate - prior_execution_rate) >= $execution_jump_high THEN 'high'
                ELSE 'medium' END AS severity
    FROM unit
    WHERE abs(execution_rate - prior_execution_rate) >= $execution_jump
    UNION ALL
    SELECT unit_key, year, 'carryover_change_rate', carryover_change_rate,
           NULL::DOUBLE, NULL::DOUBLE,
           (carryover - prior_carryover) / NULLIF(budget, 0),
           CASE WHEN carryover_change_rate >= $carryover_growth_high THEN 'high' ELSE 'medium' END
    FROM unit
    WHERE carryover_change_rate >= $carryover_growth
      AND (carryover - prior_carryover) / NULLIF(budget, 0) >= $carryover_growth_min_share
)
SELECT
    u.unit_code, u.unit_name, u.year, j.metric, j.value,
    'statistical' AS kind, j.severity,
    u.unit_key, u.region, u.level, u.sector,
    'history' AS basis,
    j.prior_value, j.delta, j.increase_share,
    u.carryover, u.prior_carryover, u.budget
FROM jumps j
JOIN unit u USING (unit_key, year)
ORDER BY u.year, u.unit_key, j.metric;
