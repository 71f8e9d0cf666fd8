-- purpose: write unit_year_rate from scratch out of unit_year_rate_new (a rebuild of every year).
-- row:     (statements) unit_year_rate: one budget unit in one year; sorted by year, then
--          unit_id, so a year's rows are a few row groups and one unit's row in a year is one.
-- params:  none.
CREATE OR REPLACE TABLE unit_year_rate AS SELECT * FROM unit_year_rate_new ORDER BY year, unit_id;
DROP TABLE unit_year_rate_new;
