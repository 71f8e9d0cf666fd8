-- purpose: when the figures last changed (数据截至 …): the latest active import.
-- row:     one row: imported_at TIMESTAMP or NULL when nothing is imported.
-- params:  none.
SELECT max(imported_at) AS imported_at FROM import_batch WHERE status = 'active';
