-- purpose: keep the derived table unit_project — the project table's rows by unit_id, so one
--          unit's projects are read without scanning every project — in step: every row when
--          $all_years, else the unit-years of touched_unit (rates/touched_units.sql).
-- row:     (statements) unit_project: one project of one unit-year, as the project table holds
--          it; a rebuild is sorted by unit_id, then year. Later changes are appended in the
--          project table's order (year, unit_key), which is unit_id order for the units numbered
--          together (ids follow unit_key), without sorting every imported project again.
-- params:  $all_years BOOLEAN; $years LIST of INTEGER (the years of touched_unit, so the project
--          table is read only for those years).
DELETE FROM unit_project WHERE $all_years;

DELETE FROM unit_project p USING touched_unit k
WHERE NOT $all_years AND p.unit_id = k.unit_id AND p.year = k.year;

INSERT INTO unit_project
SELECT u.unit_id, p.year, p.project_name, p.category, p.budget, p.actual_spend
FROM project p
JOIN unit u USING (unit_key)
WHERE $all_years
ORDER BY u.unit_id, p.year;

INSERT INTO unit_project
SELECT k.unit_id, p.year, p.project_name, p.category, p.budget, p.actual_spend
FROM project p
JOIN touched_unit k ON k.unit_key = p.unit_key AND k.year = p.year
WHERE NOT $all_years AND list_contains($years, p.year);
