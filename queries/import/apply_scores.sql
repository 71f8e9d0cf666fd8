-- purpose: write import_diff (see import/diff_scores.sql) into score as batch $batch_id,
--          keeping replaced rows in score_replaced.
-- row:     (statements, run in order inside the import transaction).
-- params:  $batch_id INTEGER.
INSERT INTO score_replaced
SELECT t.*, $batch_id
FROM score t JOIN import_diff d
  ON d.unit_key = t.unit_key AND d.year = t.year AND d.dimension = t.dimension
WHERE d.change = 'changed';

DELETE FROM score t USING import_diff d
WHERE d.unit_key = t.unit_key AND d.year = t.year AND d.dimension = t.dimension AND d.change = 'changed';

INSERT INTO score
SELECT unit_key, year, dimension, unit_code, unit_name, max_score, score, $batch_id
FROM import_diff
WHERE change IN ('new', 'changed')
ORDER BY year, unit_key;
