-- purpose: the active batches that replaced rows written by batch $batch_id; rolling $batch_id
--          back first would lose them, so they must be rolled back before it.
-- row:     one blocking batch id.
-- params:  $batch_id INTEGER.
SELECT DISTINCT replaced_by AS batch_id FROM (
    SELECT replaced_by FROM budget_replaced  WHERE batch_id = $batch_id
    UNION ALL
    SELECT replaced_by FROM score_replaced   WHERE batch_id = $batch_id
    UNION ALL
    SELECT replaced_by FROM project_replaced WHERE batch_id = $batch_id
    UNION ALL
    SELECT replaced_by FROM stated_rate_replaced WHERE batch_id = $batch_id
    UNION ALL
    SELECT replaced_by FROM figure_source_replaced WHERE batch_id = $batch_id
)
ORDER BY batch_id;
