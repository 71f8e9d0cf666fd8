-- purpose: replace the rows of the years $years in group_year_total with
--          group_year_total_new's (an import or rollback; the other years are not rewritten).
-- row:     (statements) as rates/refresh_group_year_total.sql.
-- params:  $years LIST of INTEGER.
DELETE FROM group_year_total WHERE list_contains($years, year);
INSERT INTO group_year_total BY NAME SELECT * FROM group_year_total_new ORDER BY year, region, level, sector;
DROP TABLE group_year_total_new;
