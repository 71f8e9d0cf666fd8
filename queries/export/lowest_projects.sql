-- purpose: the $limit projects with the lowest 项目预算执行率 in one year and scope (the pack's
--          project chart and its takeaway), picked inside DuckDB so only $limit rows leave it.
-- row:     one project of one unit in year $year, lowest rate first.
-- formula: project_execution_rate = actual_spend / budget; NULL when either is missing or
--          budget = 0 (such projects are left out), from the view project_rate as
--          rates/project_rates.sql. Scope = the unit's region / level / sector in the same year;
--          with no filter, every project of the year.
-- units:   budget, actual_spend in 万元; rate a fraction.
-- params:  $year INTEGER; $limit INTEGER; $region, $level, $sector VARCHAR or NULL (matched
--          against the unit's attributes in the same year; NULL = all).
SELECT
    unit_key, unit_code, unit_name, year, project_name, category,
    budget, actual_spend, project_execution_rate,
    region, level, sector
FROM project_rate
WHERE year = $year
  AND project_execution_rate IS NOT NULL
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
ORDER BY project_execution_rate, unit_name, project_name, unit_key
LIMIT $limit;
