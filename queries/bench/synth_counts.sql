-- purpose: benchmark data: how many rows the synthetic generator wrote (perfdash bench).
-- row:     one row: budget, score, project = row counts of those tables.
-- params:  none.
SELECT (SELECT count(*) FROM budget) AS budget,
       (SELECT count(*) FROM score)  AS score,
       (SELECT count(*) FROM project) AS project;
