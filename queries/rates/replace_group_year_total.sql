-- purpose: write group_year_total from scratch out of group_year_total_new (a rebuild).
-- row:     (statements) as rates/refresh_group_year_total.sql.
-- params:  none.
CREATE OR REPLACE TABLE group_year_total AS SELECT * FROM group_year_total_new ORDER BY year, region, level, sector;
DROP TABLE group_year_total_new;
