-- purpose: how many projects of one year and scope execute below the warning target and how many
--          spent nothing (the takeaway of the pack's project chart), from the derived table
--          project_low instead of the year's projects (10 million at national scale).
-- row:     one row: below_count, zero_count.
-- formula: project_execution_rate = actual_spend / budget as in the view project_rate;
--          below_count = projects with rate < $below; zero_count = projects with rate <= 0 —
--          the counts of export/project_counts. Exact only when $below <= the cutoff of
--          project_low and 0 < that cutoff (every project counted is then in project_low;
--          perfdash.derive.projects.low_counts checks this, else the pack reads the scan).
--          Scope = the unit's region / level / sector in the same year (unit_year_rate); with
--          no filter, every project of the year (the branch with the unit_year_rate lookup is
--          then dropped: its WHERE is constant false).
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
low AS (
    SELECT unit_key, project_execution_rate
    FROM project_low
    WHERE year = $year
      AND (project_execution_rate < $below OR project_execution_rate <= 0)
),
in_scope AS (
    SELECT project_execution_rate FROM low
    WHERE $region IS NULL AND $level IS NULL AND $sector IS NULL
    UNION ALL
    SELECT project_execution_rate FROM low
    WHERE NOT ($region IS NULL AND $level IS NULL AND $sector IS NULL)
      AND unit_key IN (SELECT unit_key FROM scoped)
)
SELECT
    count(*) FILTER (project_execution_rate < $below)          AS below_count,
    count(*) FILTER (project_execution_rate <= 0)              AS zero_count
FROM in_scope;
