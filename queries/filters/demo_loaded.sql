-- purpose: whether the database still holds demo data (the pages then show a 示例数据 notice).
-- row:     one row: n = number of active demo batches.
-- params:  none.
SELECT count(*) AS n FROM import_batch WHERE is_demo AND status = 'active';
