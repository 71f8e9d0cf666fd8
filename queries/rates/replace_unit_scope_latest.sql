-- purpose: write unit_scope_latest from scratch out of unit_scope_latest_new (a rebuild).
-- row:     (statements) as rates/refresh_unit_scope_latest.sql.
-- params:  none.
CREATE OR REPLACE TABLE unit_scope_latest AS SELECT * FROM unit_scope_latest_new;
DROP TABLE unit_scope_latest_new;
