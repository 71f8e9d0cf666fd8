-- purpose: write import_diff (see import/diff_scores.sql) into score as batch $batch_id,
--          keeping replaced rows in score_replaced; a row's 来源 goes to figure_source (field
--          'scores:' || score_of || ':' || 一级指标).
-- row:     (statements, run in order inside the import transaction).
-- params:  $batch_id INTEGER.
INSERT INTO score_replaced
SELECT t.*, $batch_id
FROM score t JOIN import_diff d
  ON d.unit_key = t.unit_key AND d.year = t.year AND d.dimension = t.dimension AND d.score_of = t.score_of
WHERE d.change = 'changed';

DELETE FROM score t USING import_diff d
WHERE d.unit_key = t.unit_key AND d.year = t.year AND d.dimension = t.dimension AND d.score_of = t.score_of
  AND d.change = 'changed';

INSERT INTO score
SELECT unit_key, year, dimension, unit_code, unit_name, max_score, score, $batch_id, score_of
FROM import_diff
WHERE change IN ('new', 'changed')
ORDER BY year, unit_key;

-- provenance: the rows written here replace the sources of the same keys (kept for rollback)
INSERT INTO figure_source_replaced
SELECT f.*, $batch_id
FROM figure_source f JOIN import_diff d
  ON d.unit_key = f.unit_key AND d.year = f.year AND f.field = 'scores:' || d.score_of || ':' || d.dimension
WHERE d.change = 'changed';

DELETE FROM figure_source f USING import_diff d
WHERE d.unit_key = f.unit_key AND d.year = f.year AND f.field = 'scores:' || d.score_of || ':' || d.dimension AND d.change = 'changed';

INSERT INTO figure_source
SELECT d.unit_key, d.year, 'scores:' || d.score_of || ':' || d.dimension, d.source, $batch_id
FROM import_diff d
WHERE d.change IN ('new', 'changed') AND d.source IS NOT NULL;
