-- purpose: how many incoming rows are new, changed and unchanged (after import/diff_<kind>.sql).
-- row:     one row: inserted, updated, unchanged (counts).
-- params:  none.
SELECT
    count(*) FILTER (change = 'new')     AS inserted,
    count(*) FILTER (change = 'changed') AS updated,
    count(*) FILTER (change = 'same')    AS unchanged
FROM import_diff;
