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
--            replaced_scale          the budget figure $amount_ratio times (or 1 / $amount_ratio of)
--                                    the same unit-year's figure it replaced (replaced_budget), not
--                                    already unit_scale: a re-import confirmed at another scale
--            median_scale            a budget row with no history (no previous year stored, nothing
--                                    replaced) from an import whose such rows have a median budget
--                                    above $max_median (batch_median over batch_units rows): a 元
--                                    file of new units read as 万元, imported when confirmed
-- formula: budget = COALESCE(adjusted_budget, initial_budget) (the rates' denominator); gap =
--          actual_spend − budget (万元).
-- units:   amounts 万元 (DOUBLE); value the execution rate (fraction) where there is one.
-- params:  $years LIST of INTEGER; $equal_tolerance DOUBLE (万元); $received_margin DOUBLE (fraction);
--          $amount_ratio DOUBLE (e.g. 1000); $max_median DOUBLE (万元, e.g. 100000: the import's
--          plausibility check, perfdash.ingest.batches.MEDIAN_LIMIT).
WITH here AS (   -- the budget rows of $years: their import, and whether anything came before them
    SELECT t.unit_key, t.year, t.batch_id,
           CAST(COALESCE(t.adjusted_budget, t.initial_budget) AS DOUBLE) AS amount,
           CAST(COALESCE(x.adjusted_budget, x.initial_budget) AS DOUBLE) AS replaced_budget,
           COALESCE(COALESCE(p.adjusted_budget, p.initial_budget) > 0 OR replaced_budget > 0, false) AS has_history
    FROM budget t
    LEFT JOIN budget p ON p.unit_key = t.unit_key AND p.year = t.year - 1
    LEFT JOIN budget_replaced x ON x.unit_key = t.unit_key AND x.year = t.year AND x.replaced_by = t.batch_id
    WHERE list_contains($years, t.year)
),
batch_median AS (   -- imports whose rows without history (in any year) have an implausible median
    SELECT t.batch_id, median(CAST(COALESCE(t.adjusted_budget, t.initial_budget) AS DOUBLE)) AS batch_median,
           count(*) AS batch_units
    FROM budget t
    WHERE t.batch_id IN (SELECT batch_id FROM here WHERE amount > $max_median AND NOT has_history)
      AND COALESCE(t.adjusted_budget, t.initial_budget) > 0
      AND NOT EXISTS (SELECT 1 FROM budget p WHERE p.unit_key = t.unit_key AND p.year = t.year - 1
                                                AND COALESCE(p.adjusted_budget, p.initial_budget) > 0)
      AND NOT EXISTS (SELECT 1 FROM budget_replaced x WHERE x.unit_key = t.unit_key AND x.year = t.year
                         AND x.replaced_by = t.batch_id AND COALESCE(x.adjusted_budget, x.initial_budget) > 0)
    GROUP BY t.batch_id
    HAVING median(CAST(COALESCE(t.adjusted_budget, t.initial_budget) AS DOUBLE)) > $max_median
),
u AS (
    SELECT r.unit_key, r.year, r.unit_code, r.unit_name, r.region, r.level, r.sector, r.grade, r.self_score,
           r.initial_budget, r.adjusted_budget, r.budget, r.actual_spend, r.funds_received, r.execution_rate,
           p.budget AS prior_budget, a.replaced_budget, a.has_history, m.batch_median, m.batch_units
    FROM unit_year_rate r
    LEFT JOIN unit_year_rate p ON p.unit_key = r.unit_key AND p.year = r.year - 1
    LEFT JOIN here a ON a.unit_key = r.unit_key AND a.year = r.year
    LEFT JOIN batch_median m ON m.batch_id = a.batch_id
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
    UNION ALL
    SELECT *, 'replaced_scale' FROM u
    WHERE replaced_budget > 0 AND budget > 0
      AND (budget >= replaced_budget * $amount_ratio OR budget * $amount_ratio <= replaced_budget)
      AND NOT COALESCE(prior_budget > 0 AND (budget >= prior_budget * $amount_ratio
                                             OR budget * $amount_ratio <= prior_budget), false)
    UNION ALL
    SELECT *, 'median_scale' FROM u
    WHERE batch_median IS NOT NULL AND NOT has_history AND budget > 0
)
SELECT unit_code, unit_name, year, unit_key, region, level, sector, check_id, grade, self_score,
       initial_budget, adjusted_budget, budget, actual_spend, funds_received, prior_budget,
       replaced_budget, batch_median, batch_units, execution_rate AS value
FROM checks
ORDER BY year, unit_key, check_id;
