-- purpose: replace the rows of the years $years in unit_year_rate with unit_year_rate_new's
--          (an import or rollback that touched those years; the other years are not rewritten).
-- row:     (statements) as rates/replace_unit_year_rate.sql; the new rows appended sorted by
--          year, then unit_id.
-- params:  $years LIST of INTEGER.
DELETE FROM unit_year_rate WHERE list_contains($years, year);
INSERT INTO unit_year_rate BY NAME SELECT * FROM unit_year_rate_new ORDER BY year, unit_id;
DROP TABLE unit_year_rate_new;
