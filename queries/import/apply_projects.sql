-- purpose: write import_diff (see import/diff_projects.sql) into project as batch $batch_id,
--          keeping replaced rows in project_replaced.
-- row:     (statements, run in order inside the import transaction).
-- params:  $batch_id INTEGER.
INSERT INTO project_replaced
SELECT t.*, $batch_id
FROM project t JOIN import_diff d
  ON d.unit_key = t.unit_key AND d.year = t.year AND d.project_name = t.project_name
WHERE d.change = 'changed';

DELETE FROM project t USING import_diff d
WHERE d.unit_key = t.unit_key AND d.year = t.year AND d.project_name = t.project_name
  AND d.change = 'changed';

INSERT INTO project
SELECT unit_key, year, project_name, unit_code, unit_name, category, budget, actual_spend, $batch_id
FROM import_diff
WHERE change IN ('new', 'changed')
ORDER BY year, unit_key;
