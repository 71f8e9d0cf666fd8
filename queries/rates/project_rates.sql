-- purpose: execution of each project (项目预算执行率), for one year or all years.
-- row:     one project of one unit in one year.
-- formula: project_execution_rate = actual_spend / budget; NULL when either is missing or
--          budget = 0 (read from the view project_rate, where it is defined once).
-- units:   budget, actual_spend in 万元; rate a fraction.
-- params:  $year INTEGER or NULL (NULL = all years); $region, $level, $sector VARCHAR or NULL
--          (matched against the unit's attributes in the same year).
SELECT
    unit_key, unit_code, unit_name, year, project_name, category,
    budget, actual_spend, project_execution_rate,
    region, level, sector
FROM project_rate
WHERE ($year IS NULL OR year = $year)
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
ORDER BY project_execution_rate NULLS LAST, unit_name, project_name;
