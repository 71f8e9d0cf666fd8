-- purpose: write import_diff (see import/diff_stated_rates.sql) into stated_rate as batch
--          $batch_id, keeping replaced rows in stated_rate_replaced for an exact rollback.
-- row:     (statements, run in order inside the import transaction).
-- params:  $batch_id INTEGER.
INSERT INTO stated_rate_replaced
SELECT t.*, $batch_id
FROM stated_rate t JOIN import_diff d
  ON d.unit_key = t.unit_key AND d.year = t.year AND d.metric = t.metric
WHERE d.change = 'changed';

DELETE FROM stated_rate t USING import_diff d
WHERE d.unit_key = t.unit_key AND d.year = t.year AND d.metric = t.metric AND d.change = 'changed';

INSERT INTO stated_rate
SELECT unit_key, year, metric, unit_code, unit_name, label, value, source, $batch_id
FROM import_diff
WHERE change IN ('new', 'changed')
ORDER BY year, unit_key, metric;
