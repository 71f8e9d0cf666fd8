-- purpose: one import batch by id.
-- row:     zero or one import_batch row.
-- params:  $batch_id INTEGER.
SELECT * FROM import_batch WHERE batch_id = $batch_id;
