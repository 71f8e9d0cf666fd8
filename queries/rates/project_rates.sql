-- purpose: execution of each project (项目预算执行率), for one year or all years.
-- row:     one project of one unit in one year.
-- formula: project_execution_rate = actual_spend / budget; NULL when either is missing or
--          budget = 0 (the view project_rate, where it is defined once).
-- units:   budget, actual_spend in 万元; rate a fraction.
-- params:  $year INTEGER or NULL (NULL = all years); $region, $level, $sector VARCHAR or NULL
--          (matched against the unit's attributes in the same year).
SELECT
    p.unit_key, p.unit_code, p.unit_name, p.year, p.project_name, p.category,
    p.budget, p.actual_spend, p.project_execution_rate,
    r.region, r.level, r.sector
FROM project_rate p
LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
WHERE ($year IS NULL OR p.year = $year)
  AND ($region IS NULL OR r.region = $region)
  AND ($level  IS NULL OR r.level  = $level)
  AND ($sector IS NULL OR r.sector = $sector)
ORDER BY project_execution_rate NULLS LAST, p.unit_name, p.project_name;
