-- purpose: add the unit-years rolling back batch $batch_id changes to import_touched: those of
--          the rows it wrote (removed) and of the rows it replaced (restored). Run before
--          import/rollback.sql.
-- row:     (statement).
-- params:  $batch_id INTEGER.
INSERT INTO import_touched
SELECT DISTINCT unit_key, year FROM (
    SELECT unit_key, year FROM budget           WHERE batch_id = $batch_id
    UNION ALL SELECT unit_key, year FROM score            WHERE batch_id = $batch_id
    UNION ALL SELECT unit_key, year FROM project          WHERE batch_id = $batch_id
    UNION ALL SELECT unit_key, year FROM budget_replaced  WHERE replaced_by = $batch_id
    UNION ALL SELECT unit_key, year FROM score_replaced   WHERE replaced_by = $batch_id
    UNION ALL SELECT unit_key, year FROM project_replaced WHERE replaced_by = $batch_id
);
