-- purpose: record one import batch.
-- params:  $batch_id INTEGER, $file_name, $sha256, $kind VARCHAR, $inserted, $updated,
--          $unchanged INTEGER, $imported_at TIMESTAMP, $imported_by VARCHAR or NULL, $is_demo BOOLEAN.
INSERT INTO import_batch
    (batch_id, file_name, sha256, kind, rows_inserted, rows_updated, rows_unchanged,
     imported_at, imported_by, is_demo, status)
VALUES ($batch_id, $file_name, $sha256, $kind, $inserted, $updated, $unchanged,
        $imported_at, $imported_by, $is_demo, 'active');
