-- purpose: one unit and its latest year, to give read queries plain parameters in tests and
--          benchmark checks.
-- row:     one row: unit_key, year (the unit's latest year); the first unit by key.
-- params:  none.
SELECT unit_key, max(year) AS year FROM budget GROUP BY unit_key ORDER BY unit_key LIMIT 1;
