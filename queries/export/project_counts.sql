-- purpose: how many projects have a 项目预算执行率 in one year and scope, how many are below the
--          warning target and how many spent nothing (the takeaway of the pack's project
--          chart), counted in DuckDB instead of handing every project to Python.
-- row:     one row: rated_count, below_count, zero_count.
-- formula: project_execution_rate = actual_spend / budget (NULL when either is missing or
--          budget = 0), from the view project_rate; rated_count = projects with a rate;
--          below_count = rate < $below; zero_count = rate <= 0. Scope = the unit's region /
--          level / sector in the same year; with no filter, every project of the year (the
--          branch with the unit_year_rate lookup is then dropped: its WHERE is constant false).
-- units:   counts of projects; $below a fraction (0.5 = 50 %).
-- params:  $year INTEGER; $below DOUBLE; $region, $level, $sector VARCHAR or NULL (matched
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
    SELECT p.unit_key, p.project_execution_rate
    FROM project_rate p
    WHERE p.year = $year
),
in_scope AS (
    SELECT project_execution_rate FROM year_projects
    WHERE $region IS NULL AND $level IS NULL AND $sector IS NULL
    UNION ALL
    SELECT project_execution_rate FROM year_projects
    WHERE NOT ($region IS NULL AND $level IS NULL AND $sector IS NULL)
      AND unit_key IN (SELECT unit_key FROM scoped)
)
SELECT
    count(project_execution_rate)                              AS rated_count,
    count(*) FILTER (project_execution_rate < $below)          AS below_count,
    count(*) FILTER (project_execution_rate <= 0)              AS zero_count
FROM in_scope;
