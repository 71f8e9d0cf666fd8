-- purpose: warnings (预警) on single projects (项目支出) of one year: a project whose execution
--          crosses the [thresholds.project_execution_rate] bounds of perfdash.toml (e.g. nothing
--          spent at all: high; under 50 %: medium).
-- row:     one project of one unit in one of the years $years that crosses a bound.
-- formula: project_execution_rate = actual_spend / budget (NULL when budget is 0 or missing;
--          the view project_rate);
--          severity 'high' when at or below high_at_or_below or below high_below, else 'medium'
--          when below medium_below. Projects are matched to the unit's attributes in that year.
-- units:   budget, actual_spend in 万元; value and bound are fractions.
-- params:  $years LIST of INTEGER (all units of those years; perfdash.outliers stores the
--          flags and queries/outliers/flags.sql applies the filters);
--          $thresholds LIST of STRUCT(metric VARCHAR, medium_below, medium_above, high_below,
--          high_above, high_at_or_below DOUBLE or NULL) — the entry with
--          metric = 'project_execution_rate' is used.
WITH bounds AS (
    SELECT CAST(t.medium_below AS DOUBLE)     AS medium_below,
           CAST(t.high_below AS DOUBLE)       AS high_below,
           CAST(t.high_at_or_below AS DOUBLE) AS high_at_or_below
    FROM (SELECT unnest($thresholds) AS t)
    WHERE t.metric = 'project_execution_rate'
),
proj AS (
    SELECT
        p.unit_key, p.year, p.project_name, p.category,
        COALESCE(r.unit_code, p.unit_code) AS unit_code,
        COALESCE(r.unit_name, p.unit_name) AS unit_name,
        r.region, r.level, r.sector,
        p.budget, p.actual_spend, p.project_execution_rate AS value
    FROM project_rate p
    LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
    WHERE list_contains($years, p.year)
),
crossed AS (
    SELECT p.*,
        CASE WHEN p.value <= b.high_at_or_below THEN 'high_at_or_below'
             WHEN p.value <  b.high_below       THEN 'high_below'
             WHEN p.value <  b.medium_below     THEN 'medium_below' END AS bound_kind,
        b.medium_below, b.high_below, b.high_at_or_below
    FROM proj p CROSS JOIN bounds b
)
SELECT
    unit_code, unit_name, year, 'project_execution_rate' AS metric, value,
    'warning' AS kind,
    CASE WHEN bound_kind LIKE 'high%' THEN 'high' ELSE 'medium' END AS severity,
    unit_key, region, level, sector, bound_kind,
    CASE bound_kind WHEN 'high_at_or_below' THEN high_at_or_below
                    WHEN 'high_below'       THEN high_below
                    ELSE medium_below END AS bound,
    medium_below AS target,
    project_name, category, budget AS project_budget, actual_spend AS project_actual_spend
FROM crossed
WHERE bound_kind IS NOT NULL
ORDER BY year, unit_key, value, project_name;
