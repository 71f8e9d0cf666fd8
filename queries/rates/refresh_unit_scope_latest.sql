-- purpose: rebuild the derived table unit_scope_latest: for each unit and each combination of
--          region × level × sector it was reported under, its latest figures — so pages that rank
--          units by their latest rate read one row per unit instead of every unit-year.
--          Run right after refresh_unit_year_rate (same transaction).
-- row:     one unit (unit_key) × one region × level × sector it had in some year (a unit that
--          never moved has one row). Filtering these rows by region/level/sector and taking the
--          latest per unit gives exactly what the same filter over unit_year_rate gives.
-- formula: last_year = the latest year of the unit under these attributes; unit_name = its name in
--          that year; for each rate <id>: <id>_value = the rate in the latest year where it is not
--          NULL, <id>_year = that year.
-- units:   rates are fractions; years are years.
-- params:  none.
CREATE OR REPLACE TABLE unit_scope_latest AS
SELECT
    unit_key, region, level, sector,
    max(year)                                                                  AS last_year,
    arg_max(unit_name, year)                                                   AS unit_name,
    arg_max(execution_rate, year) FILTER (execution_rate IS NOT NULL)          AS execution_rate_value,
    max(year) FILTER (execution_rate IS NOT NULL)                              AS execution_rate_year,
    arg_max(adjustment_rate, year) FILTER (adjustment_rate IS NOT NULL)        AS adjustment_rate_value,
    max(year) FILTER (adjustment_rate IS NOT NULL)                             AS adjustment_rate_year,
    arg_max(carryover_rate, year) FILTER (carryover_rate IS NOT NULL)          AS carryover_rate_value,
    max(year) FILTER (carryover_rate IS NOT NULL)                              AS carryover_rate_year,
    arg_max(carryover_change_rate, year) FILTER (carryover_change_rate IS NOT NULL) AS carryover_change_rate_value,
    max(year) FILTER (carryover_change_rate IS NOT NULL)                       AS carryover_change_rate_year,
    arg_max(sangong_control_rate, year) FILTER (sangong_control_rate IS NOT NULL) AS sangong_control_rate_value,
    max(year) FILTER (sangong_control_rate IS NOT NULL)                        AS sangong_control_rate_year,
    arg_max(procurement_execution_rate, year) FILTER (procurement_execution_rate IS NOT NULL)
                                                                               AS procurement_execution_rate_value,
    max(year) FILTER (procurement_execution_rate IS NOT NULL)                  AS procurement_execution_rate_year,
    arg_max(funds_arrival_rate, year) FILTER (funds_arrival_rate IS NOT NULL)  AS funds_arrival_rate_value,
    max(year) FILTER (funds_arrival_rate IS NOT NULL)                          AS funds_arrival_rate_year
FROM unit_year_rate
GROUP BY unit_key, region, level, sector
ORDER BY region, level, sector, unit_key;
