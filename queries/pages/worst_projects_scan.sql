-- purpose: the projects with the lowest execution in one year (zero-spend first), bounded.
-- row:     one project of one unit in year $year; at most $limit rows.
-- formula: project_execution_rate = actual_spend / budget (budget > 0 only);
--          idle_amount = budget − actual_spend (both from the view project_rate).
-- units:   budget, actual_spend, idle_amount in 万元; rate a fraction.
-- params:  $year INTEGER; $limit INTEGER; $region, $level, $sector VARCHAR or NULL.
SELECT
    p.unit_key, p.unit_name, r.region, r.level, p.project_name,
    COALESCE(p.category, '未分类')                                            AS category,
    p.budget, p.actual_spend, p.project_execution_rate, p.idle_amount
FROM project_rate p
LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
WHERE p.year = $year
  AND p.budget > 0 AND p.actual_spend IS NOT NULL
  AND ($region IS NULL OR r.region = $region)
  AND ($level  IS NULL OR r.level  = $level)
  AND ($sector IS NULL OR r.sector = $sector)
ORDER BY project_execution_rate, p.budget DESC, p.unit_name, p.project_name
LIMIT $limit;
