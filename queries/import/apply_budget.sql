-- purpose: write the rows of import_diff (see import/diff_budget.sql) into budget as batch
--          $batch_id: stored rows it changes move to budget_replaced (replaced_by = $batch_id),
--          new and changed rows are inserted. Unchanged rows are left alone. A row's 来源 goes to
--          figure_source (field 'budget'), the one it replaces to figure_source_replaced.
-- row:     (statements, run in order inside the import transaction).
-- params:  $batch_id INTEGER.
INSERT INTO budget_replaced
SELECT t.*, $batch_id
FROM budget t JOIN import_diff d ON d.unit_key = t.unit_key AND d.year = t.year
WHERE d.change = 'changed';

DELETE FROM budget t USING import_diff d
WHERE d.unit_key = t.unit_key AND d.year = t.year AND d.change = 'changed';

INSERT INTO budget
SELECT unit_key, year, unit_code, unit_name, region, level, sector,
       initial_budget, adjusted_budget, funds_received, actual_spend, carryover, prior_carryover,
       sangong_budget, sangong_actual, procurement_budget, procurement_actual, self_score, grade,
       $batch_id, evaluation_score, evaluation_grade
FROM import_diff
WHERE change IN ('new', 'changed')
ORDER BY year, unit_key;

-- provenance: the rows written here replace the sources of the same keys (kept for rollback)
INSERT INTO figure_source_replaced
SELECT f.*, $batch_id
FROM figure_source f JOIN import_diff d
  ON d.unit_key = f.unit_key AND d.year = f.year AND f.field = 'budget'
WHERE d.change = 'changed';

DELETE FROM figure_source f USING import_diff d
WHERE d.unit_key = f.unit_key AND d.year = f.year AND f.field = 'budget' AND d.change = 'changed';

INSERT INTO figure_source
SELECT d.unit_key, d.year, 'budget', d.source, $batch_id
FROM import_diff d
WHERE d.change IN ('new', 'changed') AND d.source IS NOT NULL;
