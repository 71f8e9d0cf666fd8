-- purpose: data questions (数据核查) of the years $years: unit-years whose figures are incomplete
--          or contradict each other, so the number a leader sees is in question.
-- row:     one unit-year × one check that fires; `check_id` names it:
--            grade_without_figures   a grade with no self-score and no actual spend
--            spend_equals_received   spend above the budget figure while equal (± $equal_tolerance
--                                    万元) to the money received — the budget figure probably
--                                    misses mid-year additions (asked, not called an overspend)
--            received_above_budget   funds received above the budget figure (× (1 + $received_margin))
--                                    and not already the check above
--            spend_without_budget    spending with a zero or missing budget figure
--            unit_scale              the budget figure $amount_ratio times (or 1 / $amount_ratio of)
--                                    the unit's previous year's: a 元 file read as 万元, or the
--                                    reverse (prior_budget holds last year's figure)
-- formula: budget = COALESCE(adjusted_budget, initial_budget) (the rates' denominator); gap =
--          actual_spend − budget (万元).
-- units:   amounts 万元 (DOUBLE); value the execution rate (fraction) where there is one.
-- params:  $years LIST of INTEGER; $equal_tolerance DOUBLE (万元); $received_margin DOUBLE (fraction);
--          $amount_ratio DOUBLE (e.g. 1000).
WITH u AS (
    SELECT r.unit_key, r.year, r.unit_code, r.unit_name, r.region, r.level, r.sector, r.grade, r.self_score,
           r.initial_budget, r.adjusted_budget, r.budget, r.actual_spend, r.funds_received, r.execution_rate,
           p.budget AS prior_budget
    FROM unit_year_rate r
    LEFT JOIN unit_year_rate p ON p.unit_key = r.unit_key AND p.year = r.year - 1
    WHERE list_contains($years, r.year)
),
checks AS (
    SELECT *, 'grade_without_figures' AS check_id FROM u
    WHERE grade IS NOT NULL AND self_score IS NULL AND actual_spend IS NULL
    UNION ALL
    SELECT *, 'spend_equals_received' FROM u
    WHERE actual_spend > budget AND funds_received IS NOT NULL
      AND abs(actual_spend - funds_received) <= $equal_tolerance
    UNION ALL
    SELECT *, 'received_above_budget' FROM u
    WHERE funds_received > budget * (1 + $received_margin)
      AND NOT (actual_spend > budget AND abs(actual_spend - funds_received) <= $equal_tolerance)
    UNION ALL
    SELECT *, 'spend_without_budget' FROM u
    WHERE actual_spend > 0 AND COALESCE(budget, 0) = 0
    UNION ALL
    SELECT *, 'unit_scale' FROM u
    WHERE prior_budget > 0 AND budget > 0
      AND (budget >= prior_budget * $amount_ratio OR budget * $amount_ratio <= prior_budget)
)
SELECT unit_code, unit_name, year, unit_key, region, level, sector, check_id, grade, self_score,
       initial_budget, adjusted_budget, budget, actual_spend, funds_received, prior_budget,
       execution_rate AS value
FROM checks
ORDER BY year, unit_key, check_id;
