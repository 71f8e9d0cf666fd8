-- purpose: the import history, newest first (CLI `history`, the upload page).
-- row:     one import batch (one file imported once).
-- units:   counts of rows; imported_at local time.
-- params:  none.
SELECT batch_id, file_name, sha256, kind, rows_inserted, rows_updated, rows_unchanged,
       imported_at, imported_by, is_demo, status, rolled_back_at
FROM import_batch
ORDER BY batch_id DESC;
