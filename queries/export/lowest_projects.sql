-- purpose: the $limit projects with the lowest 项目预算执行率 in one year and scope (the pack's
--          project chart and its takeaway), picked inside DuckDB so only $limit rows leave it.
-- row:     one project of one unit in year $year, lowest rate first.
-- formula: project_execution_rate = actual_spend / budget; NULL when either is missing or
--          budget = 0 (such projects are left out), from the view project_rate. Scope = the
--          unit's region / level / sector in the same year (unit_year_rate); with no filter,
--          every project of the year, as rates/project_rates.sql. The two branches of in_scope
--          let the planner drop the unit_year_rate lookup when no filter is set (its WHERE is
--          then constant false), instead of joining every project of the year.
-- units:   budget, actual_spend in 万元; rate a fraction.
-- params:  $year INTEGER; $limit INTEGER; $region, $level, $sector VARCHAR or NULL (matched
--          against the unit's attributes in the same year; NULL = all).
WITH scoped AS (
    SELECT unit_key
    FROM unit_year_rate
    WHERE year = $year
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
year_projects AS (
    SELECT
        p.unit_key, p.unit_code, p.unit_name, p.year, p.project_name, p.category,
        p.budget, p.actual_spend, p.project_execution_rate
    FROM project_rate p
    WHERE p.year = $year
),
in_scope AS (
    SELECT * FROM year_projects
    WHERE $region IS NULL AND $level IS NULL AND $sector IS NULL
    UNION ALL
    SELECT * FROM year_projects
    WHERE NOT ($region IS NULL AND $level IS NULL AND $sector IS NULL)
      AND unit_key IN (SELECT unit_key FROM scoped)
),
lowest AS (
    SELECT * FROM in_scope
    WHERE project_execution_rate IS NOT NULL
    ORDER BY project_execution_rate, unit_name, project_name, unit_key
    LIMIT $limit
)
SELECT l.*, r.region, r.level, r.sector
FROM lowest l
LEFT JOIN unit_year_rate r ON r.unit_key = l.unit_key AND r.year = l.year
ORDER BY l.project_execution_rate, l.unit_name, l.project_name, l.unit_key;
