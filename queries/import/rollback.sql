-- purpose: undo batch $batch_id: remove the rows it wrote and put back, exactly, the rows it
--          replaced (with their original batch_id), then mark the batch rolled back.
-- row:     (statements, run in order inside one transaction).
-- params:  $batch_id INTEGER, $rolled_back_at TIMESTAMP.
DELETE FROM budget  WHERE batch_id = $batch_id;
DELETE FROM score   WHERE batch_id = $batch_id;
DELETE FROM project WHERE batch_id = $batch_id;
DELETE FROM stated_rate   WHERE batch_id = $batch_id;
DELETE FROM figure_source WHERE batch_id = $batch_id;

INSERT INTO budget  SELECT * EXCLUDE (replaced_by) FROM budget_replaced  WHERE replaced_by = $batch_id;
INSERT INTO score   SELECT * EXCLUDE (replaced_by) FROM score_replaced   WHERE replaced_by = $batch_id;
INSERT INTO project SELECT * EXCLUDE (replaced_by) FROM project_replaced WHERE replaced_by = $batch_id;
INSERT INTO stated_rate   SELECT * EXCLUDE (replaced_by) FROM stated_rate_replaced   WHERE replaced_by = $batch_id;
INSERT INTO figure_source SELECT * EXCLUDE (replaced_by) FROM figure_source_replaced WHERE replaced_by = $batch_id;

DELETE FROM budget_replaced  WHERE replaced_by = $batch_id;
DELETE FROM score_replaced   WHERE replaced_by = $batch_id;
DELETE FROM project_replaced WHERE replaced_by = $batch_id;
DELETE FROM stated_rate_replaced   WHERE replaced_by = $batch_id;
DELETE FROM figure_source_replaced WHERE replaced_by = $batch_id;

-- the mappings of a unit map (单位对照)
DELETE FROM unit_map WHERE batch_id = $batch_id;

UPDATE import_batch SET status = 'rolled_back', rolled_back_at = $rolled_back_at
WHERE batch_id = $batch_id;
