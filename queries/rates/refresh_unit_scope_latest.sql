-- purpose: rebuild the derived table unit_scope_latest: for each unit, metric and combination of
--          region × level × sector the unit was reported under, its latest value — so pages that
--          rank units by their latest rate read one row per unit instead of every unit-year.
--          Run right after refresh_unit_year_metric (same transaction).
-- row:     one unit (unit_key) × one region × level × sector it had in some year × one metric id
--          of unit_year_metric (a unit that never moved has one row per metric). Filtering these
--          rows by metric and region/level/sector and taking the latest per unit gives exactly
--          what the same filter over unit_year_metric gives.
-- formula: last_year = the latest year of the unit under these attributes; unit_name = its name in
--          that year; value = the metric's value in the latest year where it is not NULL,
--          value_year = that year (both NULL when the metric never has a value there).
-- units:   value as in unit_year_metric (rates fractions); years are years.
-- params:  none.
CREATE OR REPLACE TABLE unit_scope_latest AS
SELECT
    m.metric, m.unit_key, m.region, m.level, m.sector,
    max(m.year)                                            AS last_year,
    arg_max(r.unit_name, m.year)                           AS unit_name,
    arg_max(m.value, m.year) FILTER (m.value IS NOT NULL)  AS value,
    max(m.year) FILTER (m.value IS NOT NULL)               AS value_year
FROM unit_year_metric m
JOIN unit_year_rate r USING (unit_key, year)
GROUP BY m.metric, m.unit_key, m.region, m.level, m.sector
ORDER BY metric, region, level, sector, unit_key;
