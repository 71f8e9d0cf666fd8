-- purpose: replace the rows of the units in touched_unit in unit_scope_latest with
--          unit_scope_latest_new's (an import or rollback; the other units are not rewritten).
-- row:     (statements) as rates/refresh_unit_scope_latest.sql.
-- params:  none.
DELETE FROM unit_scope_latest USING (SELECT DISTINCT unit_key FROM touched_unit) k
WHERE unit_scope_latest.unit_key = k.unit_key;
INSERT INTO unit_scope_latest BY NAME SELECT * FROM unit_scope_latest_new;
DROP TABLE unit_scope_latest_new;
