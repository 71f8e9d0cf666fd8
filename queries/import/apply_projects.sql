-- purpose: write import_diff (see import/diff_projects.sql) into project as batch $batch_id,
--          keeping replaced rows in project_replaced; a row's 来源 goes to figure_source
--          (field 'projects:' || 项目名称).
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

-- provenance: the rows written here replace the sources of the same keys (kept for rollback)
INSERT INTO figure_source_replaced
SELECT f.*, $batch_id
FROM figure_source f JOIN import_diff d
  ON d.unit_key = f.unit_key AND d.year = f.year AND f.field = 'projects:' || d.project_name
WHERE d.change = 'changed';

DELETE FROM figure_source f USING import_diff d
WHERE d.unit_key = f.unit_key AND d.year = f.year AND f.field = 'projects:' || d.project_name AND d.change = 'changed';

INSERT INTO figure_source
SELECT d.unit_key, d.year, 'projects:' || d.project_name, d.source, $batch_id
FROM import_diff d
WHERE d.change IN ('new', 'changed') AND d.source IS NOT NULL;
