-- purpose: write a unit map as batch $batch_id: every stored row of an old key moves to the
--          unit it now is. The row as it was goes to its *_replaced table (replaced_by =
--          $batch_id) and comes back under the new key with batch_id = $batch_id, so rolling the
--          batch back (import/rollback.sql) restores exactly the rows and keys there were; a
--          batch that wrote the old rows cannot be rolled back before this one
--          (import/rollback_blockers.sql). The mappings are recorded in unit_map.
-- row:     (statements, run in order inside the import transaction).
-- params:  $batch_id INTEGER. Reads the temp table unit_map_new (old_key, new_key, old_name, new_name).
INSERT INTO budget_replaced SELECT t.*, $batch_id FROM budget t JOIN unit_map_new m ON t.unit_key = m.old_key;
DELETE FROM budget t USING unit_map_new m WHERE t.unit_key = m.old_key;
INSERT INTO budget
SELECT r.* EXCLUDE (replaced_by) REPLACE (m.new_key AS unit_key, $batch_id AS batch_id)
FROM budget_replaced r JOIN unit_map_new m ON r.unit_key = m.old_key
WHERE r.replaced_by = $batch_id
ORDER BY r.year, m.new_key;

INSERT INTO score_replaced SELECT t.*, $batch_id FROM score t JOIN unit_map_new m ON t.unit_key = m.old_key;
DELETE FROM score t USING unit_map_new m WHERE t.unit_key = m.old_key;
INSERT INTO score
SELECT r.* EXCLUDE (replaced_by) REPLACE (m.new_key AS unit_key, $batch_id AS batch_id)
FROM score_replaced r JOIN unit_map_new m ON r.unit_key = m.old_key
WHERE r.replaced_by = $batch_id;

INSERT INTO project_replaced SELECT t.*, $batch_id FROM project t JOIN unit_map_new m ON t.unit_key = m.old_key;
DELETE FROM project t USING unit_map_new m WHERE t.unit_key = m.old_key;
INSERT INTO project
SELECT r.* EXCLUDE (replaced_by) REPLACE (m.new_key AS unit_key, $batch_id AS batch_id)
FROM project_replaced r JOIN unit_map_new m ON r.unit_key = m.old_key
WHERE r.replaced_by = $batch_id;

INSERT INTO stated_rate_replaced SELECT t.*, $batch_id FROM stated_rate t JOIN unit_map_new m ON t.unit_key = m.old_key;
DELETE FROM stated_rate t USING unit_map_new m WHERE t.unit_key = m.old_key;
INSERT INTO stated_rate
SELECT r.* EXCLUDE (replaced_by) REPLACE (m.new_key AS unit_key, $batch_id AS batch_id)
FROM stated_rate_replaced r JOIN unit_map_new m ON r.unit_key = m.old_key
WHERE r.replaced_by = $batch_id;

INSERT INTO figure_source_replaced SELECT t.*, $batch_id FROM figure_source t JOIN unit_map_new m ON t.unit_key = m.old_key;
DELETE FROM figure_source t USING unit_map_new m WHERE t.unit_key = m.old_key;
INSERT INTO figure_source
SELECT r.* EXCLUDE (replaced_by) REPLACE (m.new_key AS unit_key, $batch_id AS batch_id)
FROM figure_source_replaced r JOIN unit_map_new m ON r.unit_key = m.old_key
WHERE r.replaced_by = $batch_id;

INSERT INTO unit_map SELECT old_key, new_key, old_name, new_name, $batch_id FROM unit_map_new;
DROP TABLE unit_map_new;
