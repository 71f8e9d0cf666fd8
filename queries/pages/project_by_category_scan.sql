-- purpose: project execution by project category (项目类别) in one year: how many projects
--          spent nothing, how many executed below the configured floor, and the money involved.
-- row:     one project category ('未分类' when none was given).
-- formula: each project's rate from the view project_rate;
--          execution_rate = Σ actual_spend / Σ budget over projects with a budget > 0;
--          zero_count = projects with budget > 0 and actual_spend <= $zero_at_or_below × budget;
--          low_count  = other projects with actual_spend / budget < $low_below;
--          idle_amount = Σ (budget − actual_spend) over the zero and low projects.
-- units:   budget, actual_spend, idle_amount in 万元; execution_rate a fraction; counts.
-- params:  $year INTEGER; $low_below DOUBLE, $zero_at_or_below DOUBLE (fractions, from the
--          project_execution_rate thresholds); $region, $level, $sector VARCHAR or NULL.
WITH p AS (
    SELECT
        COALESCE(p.category, '未分类')                                            AS category,
        p.budget, p.actual_spend, p.project_execution_rate                       AS rate
    FROM project_rate p
    LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
    WHERE p.year = $year
      AND ($region IS NULL OR r.region = $region)
      AND ($level  IS NULL OR r.level  = $level)
      AND ($sector IS NULL OR r.sector = $sector)
),
c AS (
    SELECT *,
           rate IS NOT NULL AND rate <= $zero_at_or_below                       AS is_zero,
           rate IS NOT NULL AND rate > $zero_at_or_below AND rate < $low_below  AS is_low
    FROM p
)
SELECT
    category,
    count(*)                                                         AS project_count,
    count(*) FILTER (is_zero)                                        AS zero_count,
    count(*) FILTER (is_low)                                         AS low_count,
    sum(budget)                                                      AS budget,
    sum(actual_spend)                                                AS actual_spend,
    sum(actual_spend) FILTER (rate IS NOT NULL)
      / NULLIF(sum(budget) FILTER (rate IS NOT NULL), 0)             AS execution_rate,
    COALESCE(sum(budget - actual_spend) FILTER (is_zero OR is_low), 0) AS idle_amount
FROM c
GROUP BY category
ORDER BY zero_count + low_count DESC, idle_amount DESC, category;
