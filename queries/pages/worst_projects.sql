-- purpose: the projects with the lowest execution in one year (zero-spend first), bounded.
-- row:     one project of one unit in year $year; at most $limit rows.
-- formula: project_execution_rate = actual_spend / budget (budget > 0 only);
--          idle_amount = budget − actual_spend (both from the view project_rate).
-- units:   budget, actual_spend, idle_amount in 万元; rate a fraction.
-- params:  $year INTEGER; $limit INTEGER; $region, $level, $sector VARCHAR or NULL.
SELECT
    unit_key, unit_name, region, level, project_name,
    COALESCE(category, '未分类')                                              AS category,
    budget, actual_spend, project_execution_rate, idle_amount
FROM project_rate
WHERE year = $year
  AND budget > 0 AND actual_spend IS NOT NULL
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
ORDER BY project_execution_rate, budget DESC, unit_name, project_name
LIMIT $limit;
