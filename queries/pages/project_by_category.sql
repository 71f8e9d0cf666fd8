-- purpose: project execution by project category (项目类别) in one year: how many projects
--          spent nothing, how many executed below the configured floor, and the money involved —
--          from the derived tables project_category_total and project_low (the rows of
--          pages/project_by_category_scan without scanning the year's projects).
-- row:     one project category ('未分类' when none was given).
-- formula: as pages/project_by_category_scan: each project's rate from the view project_rate;
--          execution_rate = Σ actual_spend / Σ budget over projects with a rate;
--          zero_count = projects with a rate <= $zero_at_or_below;
--          low_count  = other projects with a rate < $low_below;
--          idle_amount = Σ (budget − actual_spend) over the zero and low projects.
--          Exact only when $low_below <= the cutoff of project_low and $zero_at_or_below < it
--          (perfdash.derive.projects.by_category checks this; otherwise it reads the scan).
-- units:   budget, actual_spend, idle_amount in 万元; execution_rate a fraction; counts.
-- params:  $year INTEGER; $low_below DOUBLE, $zero_at_or_below DOUBLE (fractions, from the
--          project_execution_rate thresholds); $region, $level, $sector VARCHAR or NULL.
WITH total AS (
    SELECT category,
           CAST(sum(project_count) AS BIGINT)                               AS project_count,
           CAST(sum(budget) AS DOUBLE)                                      AS budget,
           CAST(sum(actual_spend) AS DOUBLE)                                AS actual_spend,
           CAST(sum(rated_spend) AS DOUBLE)
             / NULLIF(CAST(sum(rated_budget) AS DOUBLE), 0)                 AS execution_rate
    FROM project_category_total
    WHERE year = $year
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
    GROUP BY category
),
c AS (
    SELECT COALESCE(p.category, '未分类') AS category, p.idle_amount,
           p.project_execution_rate <= $zero_at_or_below                            AS is_zero,
           p.project_execution_rate > $zero_at_or_below
             AND p.project_execution_rate < $low_below                              AS is_low
    FROM project_low p
    LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
    WHERE p.year = $year
      AND ($region IS NULL OR r.region = $region)
      AND ($level  IS NULL OR r.level  = $level)
      AND ($sector IS NULL OR r.sector = $sector)
),
low AS (
    SELECT category,
           count(*) FILTER (is_zero)                             AS zero_count,
           count(*) FILTER (is_low)                              AS low_count,
           sum(idle_amount) FILTER (is_zero OR is_low)           AS idle_amount
    FROM c
    GROUP BY category
)
SELECT
    t.category,
    t.project_count,
    COALESCE(l.zero_count, 0)                                        AS zero_count,
    COALESCE(l.low_count, 0)                                         AS low_count,
    t.budget,
    t.actual_spend,
    t.execution_rate,
    COALESCE(l.idle_amount, 0)                                       AS idle_amount
FROM total AS t
LEFT JOIN low AS l USING (category)
ORDER BY zero_count + low_count DESC, idle_amount DESC, t.category;
