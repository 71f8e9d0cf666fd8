-- purpose: one unit's projects (项目支出) with their execution, all years.
-- row:     one project of the unit $unit_key in one year.
-- formula: project_execution_rate = actual_spend / budget; NULL when either is missing or budget = 0
--          (the view project_rate).
-- units:   budget, actual_spend in 万元; rate a fraction.
-- params:  $unit_key VARCHAR.
SELECT
    year, project_name, COALESCE(category, '未分类') AS category,
    budget, actual_spend, project_execution_rate
FROM project_rate
WHERE unit_key = $unit_key
ORDER BY year DESC, project_execution_rate NULLS LAST, project_name;
