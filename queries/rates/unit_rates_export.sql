-- purpose: `python -m perfdash rates --format json|csv`: every rate of every unit for one year,
--          with the unit's region and level and the stored amounts of DESIGN §1 behind them.
-- row:     one budget unit in year $year (unit_year_rate joined to its budget row).
-- formula: rates as precomputed by rates/refresh_unit_year_rate.sql; amounts as stored.
--          prior_carryover is the figure the file gave (NULL when it gave none; the carryover
--          change rate then uses the unit's previous-year carryover).
-- units:   amounts 万元 (DOUBLE, from DECIMAL(18,6)); rates fractions (0.8756 = 87.56 %), NULL
--          where an input is missing or the denominator is zero.
-- params:  $year INTEGER; $region, $level, $sector VARCHAR or NULL (NULL = all).
SELECT
    r.unit_key, r.unit_code, r.unit_name, r.region, r.level, r.year,
    CAST(b.initial_budget     AS DOUBLE) AS initial_budget,
    CAST(b.adjusted_budget    AS DOUBLE) AS adjusted_budget,
    CAST(b.funds_received     AS DOUBLE) AS funds_received,
    CAST(b.actual_spend       AS DOUBLE) AS actual_spend,
    CAST(b.carryover          AS DOUBLE) AS carryover,
    CAST(b.prior_carryover    AS DOUBLE) AS prior_carryover,
    CAST(b.sangong_budget     AS DOUBLE) AS sangong_budget,
    CAST(b.sangong_actual     AS DOUBLE) AS sangong_actual,
    CAST(b.procurement_budget AS DOUBLE) AS procurement_budget,
    CAST(b.procurement_actual AS DOUBLE) AS procurement_actual,
    r.execution_rate, r.adjustment_rate, r.carryover_rate, r.carryover_change_rate,
    r.sangong_control_rate, r.procurement_execution_rate, r.funds_arrival_rate
FROM unit_year_rate r
JOIN budget b ON b.unit_key = r.unit_key AND b.year = r.year
WHERE r.year = $year
  AND ($region IS NULL OR r.region = $region)
  AND ($level  IS NULL OR r.level  = $level)
  AND ($sector IS NULL OR r.sector = $sector)
ORDER BY r.unit_name, r.unit_key;
