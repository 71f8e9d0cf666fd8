-- purpose: how many active batches hold the bureau's own (non-demo) data; `init --demo` then
--          leaves the database alone rather than overwrite real figures with sample ones.
-- row:     one row: n (count).
-- params:  none.
SELECT count(*) AS n FROM import_batch WHERE status = 'active' AND NOT is_demo;
