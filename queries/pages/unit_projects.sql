-- purpose: one unit's projects (项目支出) with their execution, all years.
-- row:     one project of the unit $unit_key in one year.
-- formula: project_execution_rate = actual_spend / budget; NULL when either is missing or
--          budget = 0 — the expressions of the view project_rate, on unit_project (the project
--          table's rows sorted by unit_id, so only the unit's row groups are read).
-- units:   budget, actual_spend in 万元; rate a fraction.
-- params:  $unit_key VARCHAR (found through table unit).
SELECT
    p.year, p.project_name, COALESCE(p.category, '未分类') AS category,
    CAST(p.budget AS DOUBLE)                                             AS budget,
    CAST(p.actual_spend AS DOUBLE)                                       AS actual_spend,
    CAST(p.actual_spend AS DOUBLE) / NULLIF(CAST(p.budget AS DOUBLE), 0) AS project_execution_rate
FROM unit u
JOIN unit_project p ON p.unit_id = u.unit_id
WHERE u.unit_key = $unit_key
ORDER BY p.year DESC, project_execution_rate NULLS LAST, p.project_name;
