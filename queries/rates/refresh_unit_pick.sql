-- purpose: keep the derived table unit_pick (the unit pickers' rows, schema/008_unit_pick.sql)
--          in step with unit_year_rate: every unit when $all_years, else the units of
--          touched_unit (rates/touched_units.sql) — a unit's rows depend on its own unit-years
--          only. Run after the unit_year_rate refresh, in the same transaction.
-- row:     (statements) unit_pick: one unit × one (unit_name, unit_code, region, level, sector)
--          × one run of consecutive years with them, plus for a unit with several such rows one
--          `whole` row; a rebuild is written in the pickers' order (region, name), later changes
--          are appended.
-- formula: run = the unit-years with the same values whose year − its rank among them is the
--          same (gaps and changes start a new run); first_year / last_year = its first and last
--          year; variants = the unit's number of runs; name_lower / code_lower = lower() of name
--          / code. A whole row of a unit with several runs: unit_name, unit_code, region, level,
--          sector = arg_max(…, last_year) over its runs (= arg_max(…, year) over its unit-years,
--          as pages/unit_search.sql takes them), first_year / last_year = its first / last year.
-- units:   years are years; variants a count.
-- params:  $all_years BOOLEAN.
CREATE OR REPLACE TEMP TABLE unit_pick_new AS
WITH y AS (
    SELECT unit_key, unit_name, unit_code, region, level, sector, year,
           year - row_number() OVER (PARTITION BY unit_key, unit_name, unit_code, region, level, sector
                                     ORDER BY year) AS run
    FROM unit_year_rate
    WHERE $all_years OR unit_key IN (SELECT unit_key FROM touched_unit)
)
SELECT unit_key, unit_name, unit_code, region, level, sector,
       lower(unit_name) AS name_lower, lower(unit_code) AS code_lower,
       min(year) AS first_year, max(year) AS last_year,
       count(*) OVER (PARTITION BY unit_key) AS variants
FROM y
GROUP BY unit_key, unit_name, unit_code, region, level, sector, run;

DELETE FROM unit_pick WHERE $all_years;

DELETE FROM unit_pick p USING (SELECT DISTINCT unit_key FROM touched_unit) k
WHERE NOT $all_years AND p.unit_key = k.unit_key;

INSERT INTO unit_pick
SELECT * FROM (
    SELECT *, variants = 1 AS whole FROM unit_pick_new
    UNION ALL
    SELECT unit_key,
           arg_max(unit_name, last_year), arg_max(unit_code, last_year),
           arg_max(region, last_year), arg_max(level, last_year), arg_max(sector, last_year),
           lower(arg_max(unit_name, last_year)), lower(arg_max(unit_code, last_year)),
           min(first_year), max(last_year), any_value(variants), true
    FROM unit_pick_new
    WHERE variants > 1
    GROUP BY unit_key
)
ORDER BY region NULLS LAST, unit_name, unit_key, whole, first_year;

DROP TABLE unit_pick_new;
