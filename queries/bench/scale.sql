-- purpose: the size of the benchmark's data set, as reported by perfdash bench.
-- row:     one row: unit_years = budget rows (one per unit and year), projects = project rows.
-- params:  none.
SELECT (SELECT count(*) FROM budget) AS unit_years, (SELECT count(*) FROM project) AS projects;
