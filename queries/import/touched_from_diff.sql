-- purpose: add the unit-years an incoming file changes (import_diff rows that are new or
--          changed) to import_touched, so the refresh recomputes those units and years only.
-- row:     (statement).
-- params:  none.
INSERT INTO import_touched SELECT DISTINCT unit_key, year FROM import_diff WHERE change <> 'same';
