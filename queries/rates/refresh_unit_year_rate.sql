-- purpose: compute the rows of the derived table unit_year_rate for the years $years (every
--          year when $all_years) into the temp table unit_year_rate_new: every rate (口径) of
--          every unit-year. Run inside each import / rollback transaction and when the 口径
--          config changes, so pages read precomputed rates instead of recomputing them per
--          click; rates/replace_unit_year_rate or rates/merge_unit_year_rate then writes them.
-- row:     one budget unit in one year, with its unit_id (table unit; refresh adds new keys first).
-- formula: execution_rate             = actual_spend / execution base
--                                       (base = COALESCE(adjusted_budget, initial_budget), or
--                                        funds_received when $execution_denominator = 'funds_received')
--          adjustment_rate            = (adjusted_budget − initial_budget) / initial_budget; NULL unless both given
--          carryover_rate             = carryover / carryover base
--                                       (base = COALESCE(adjusted_budget, initial_budget), or
--                                        actual_spend when $carryover_denominator = 'actual_spend')
--          carryover_change_rate      = (carryover − prior) / prior, prior = prior_carryover, else the
--                                       unit's carryover of the previous year
--          sangong_control_rate       = sangong_actual / sangong_budget
--          procurement_execution_rate = procurement_actual / procurement_budget
--          funds_arrival_rate         = funds_received / COALESCE(adjusted_budget, initial_budget)
--          Each rate keeps its numerator (<id>_num) and denominator (<id>_den) so aggregates can be
--          budget-weighted (Σ num / Σ den). A rate with a missing input or a zero denominator is NULL.
-- units:   amounts 万元 (DECIMAL); rates are DOUBLE fractions (0.8756 = 87.56 %).
-- params:  $execution_denominator VARCHAR ('budget' | 'funds_received'),
--          $carryover_denominator VARCHAR ('budget' | 'actual_spend');
--          $all_years BOOLEAN; $years LIST of INTEGER (ignored when $all_years). A year's rates
--          read that year's and the year before's budget rows only.
CREATE OR REPLACE TEMP TABLE unit_year_rate_new AS
WITH base AS (
    SELECT
        b.*,
        COALESCE(b.adjusted_budget, b.initial_budget)                          AS budget_total,
        COALESCE(b.prior_carryover, prev.carryover)                            AS prior_carryover_used,
        CASE $execution_denominator WHEN 'funds_received' THEN b.funds_received
             ELSE COALESCE(b.adjusted_budget, b.initial_budget) END            AS execution_base,
        CASE $carryover_denominator WHEN 'actual_spend' THEN b.actual_spend
             ELSE COALESCE(b.adjusted_budget, b.initial_budget) END            AS carryover_base
    FROM budget b
    LEFT JOIN budget prev ON prev.unit_key = b.unit_key AND prev.year = b.year - 1
    WHERE $all_years OR list_contains($years, b.year)
),
parts AS (
    SELECT
        unit_key, unit_code, unit_name, year, region, level, sector,
        CAST(self_score AS DOUBLE) AS self_score, grade,
        CAST(initial_budget AS DOUBLE)   AS initial_budget,
        CAST(adjusted_budget AS DOUBLE)  AS adjusted_budget,
        CAST(budget_total AS DOUBLE)     AS budget,
        CAST(actual_spend AS DOUBLE)     AS actual_spend,
        CAST(funds_received AS DOUBLE)   AS funds_received,
        CAST(carryover AS DOUBLE)        AS carryover,
        CAST(prior_carryover_used AS DOUBLE) AS prior_carryover,
        CAST(actual_spend AS DOUBLE)                         AS execution_num,
        CAST(execution_base AS DOUBLE)                       AS execution_den,
        CAST(adjusted_budget - initial_budget AS DOUBLE)     AS adjustment_num,
        CAST(CASE WHEN adjusted_budget IS NOT NULL THEN initial_budget END AS DOUBLE) AS adjustment_den,
        CAST(carryover AS DOUBLE)                            AS carryover_num,
        CAST(carryover_base AS DOUBLE)                       AS carryover_den,
        CAST(carryover - prior_carryover_used AS DOUBLE)     AS carryover_change_num,
        CAST(CASE WHEN carryover IS NOT NULL THEN prior_carryover_used END AS DOUBLE) AS carryover_change_den,
        CAST(sangong_actual AS DOUBLE)                       AS sangong_control_num,
        CAST(CASE WHEN sangong_actual IS NOT NULL THEN sangong_budget END AS DOUBLE) AS sangong_control_den,
        CAST(procurement_actual AS DOUBLE)                   AS procurement_execution_num,
        CAST(CASE WHEN procurement_actual IS NOT NULL THEN procurement_budget END AS DOUBLE) AS procurement_execution_den,
        CAST(funds_received AS DOUBLE)                       AS funds_arrival_num,
        CAST(CASE WHEN funds_received IS NOT NULL THEN budget_total END AS DOUBLE) AS funds_arrival_den
    FROM base
)
SELECT
    parts.*,
    execution_num             / NULLIF(execution_den, 0)             AS execution_rate,
    adjustment_num            / NULLIF(adjustment_den, 0)            AS adjustment_rate,
    carryover_num             / NULLIF(carryover_den, 0)             AS carryover_rate,
    carryover_change_num      / NULLIF(carryover_change_den, 0)      AS carryover_change_rate,
    sangong_control_num       / NULLIF(sangong_control_den, 0)       AS sangong_control_rate,
    procurement_execution_num / NULLIF(procurement_execution_den, 0) AS procurement_execution_rate,
    funds_arrival_num         / NULLIF(funds_arrival_den, 0)         AS funds_arrival_rate,
    u.unit_id
FROM parts
JOIN unit u USING (unit_key);
