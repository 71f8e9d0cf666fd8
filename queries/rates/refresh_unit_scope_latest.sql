-- purpose: compute the rows of the derived table unit_scope_latest of every unit ($all_years)
--          or of the units in touched_unit into the temp table unit_scope_latest_new (written
--          by rates/replace_unit_scope_latest or rates/merge_unit_scope_latest): for each unit, metric and combination of
--          region × level × sector the unit was reported under, its latest value — so pages that
--          rank units by their latest rate read one row per unit instead of every unit-year.
--          Run right after refresh_unit_year_rate (same transaction).
-- row:     one unit (unit_key) × one region × level × sector it had in some year × one metric id
--          of unit_year_metric (a unit that never moved has one row per metric). Filtering these
--          rows by metric and region/level/sector and taking the latest per unit gives exactly
--          what the same filter over unit_year_metric gives.
-- formula: scopes = the unit's number of region × level × sector combinations (its rows per
--          metric; 1 = the row is the unit's answer under any filter it falls within);
--          last_year = the latest year of the unit under these attributes; unit_name = its name in
--          that year; unit_code = its latest code given under these attributes, code_year = the
--          year of that code (NULL when none was given); value = the metric's value in the latest year where it is not NULL,
--          value_year = that year (both NULL when the metric never has a value there).
--          Aggregated once per unit and attributes over unit_year_rate's columns (a pass over
--          200,000 unit-years, not 1.6 million long rows), then written metric by metric.
-- units:   value as in unit_year_metric (rates fractions, self_score points); years are years.
-- params:  $all_years BOOLEAN.
CREATE OR REPLACE TEMP TABLE unit_scope_latest_new AS
WITH w AS MATERIALIZED (
    SELECT
        unit_key, region, level, sector,
        max(year)                                                                  AS last_year,
        count(*) OVER (PARTITION BY unit_key)                                      AS scopes,
        arg_max(unit_name, year)                                                   AS unit_name,
        arg_max(unit_code, year)                                                   AS unit_code,
        max(year) FILTER (unit_code IS NOT NULL)                                   AS code_year,
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
        max(year) FILTER (funds_arrival_rate IS NOT NULL)                          AS funds_arrival_rate_year,
        arg_max(self_score, year) FILTER (self_score IS NOT NULL)                  AS self_score_value,
        max(year) FILTER (self_score IS NOT NULL)                                  AS self_score_year
    FROM unit_year_rate
    WHERE $all_years OR unit_key IN (SELECT unit_key FROM touched_unit)
    GROUP BY unit_key, region, level, sector
)
          SELECT 'execution_rate' AS metric, unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 execution_rate_value AS value, execution_rate_year AS value_year                FROM w
UNION ALL SELECT 'adjustment_rate', unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 adjustment_rate_value, adjustment_rate_year                                     FROM w
UNION ALL SELECT 'carryover_rate', unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 carryover_rate_value, carryover_rate_year                                       FROM w
UNION ALL SELECT 'carryover_change_rate', unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 carryover_change_rate_value, carryover_change_rate_year                         FROM w
UNION ALL SELECT 'sangong_control_rate', unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 sangong_control_rate_value, sangong_control_rate_year                           FROM w
UNION ALL SELECT 'procurement_execution_rate', unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 procurement_execution_rate_value, procurement_execution_rate_year               FROM w
UNION ALL SELECT 'funds_arrival_rate', unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 funds_arrival_rate_value, funds_arrival_rate_year                               FROM w
UNION ALL SELECT 'self_score', unit_key, region, level, sector, scopes, last_year, unit_name, unit_code, code_year,
                 self_score_value, self_score_year                                               FROM w;
