-- purpose: rebuild the derived table rate_reconciliation: every stated rate (报告所列比率) set
--          against the figures in the database — ours under the configured 口径, and every
--          alternative 口径 the unit's figures allow, to say which one the report used.
--          Run inside each import / rollback transaction (perfdash.derive.reconcile.refresh).
-- row:     one stated_rate row (unit, year, metric).
-- formula: recomputed = the rate of unit_year_rate (the configured 口径: perfdash.toml
--          [denominators]); candidates (NULL where a figure is missing or a denominator 0):
--          (basis names as shown: 按<denominator>, e.g. 按实际到位资金)
--            execution_rate / funds_arrival_rate family:
--              actual_spend / COALESCE(adjusted, initial) 按调整后预算数 (按年初预算数 when no adjusted)
--              actual_spend / funds_received 按实际到位资金; actual_spend / initial 按年初预算数
--            carryover_rate / carryover_change_rate family:
--              carryover / budget 按预算数; carryover / actual_spend 按实际支出数;
--              carryover / funds_received 按实际到位资金; carryover / initial 按年初预算数;
--              carryover / prior 按上年结转结余; (carryover − prior) / prior 按结转结余变动率
--            sangong_control_rate: sangong_actual / sangong_budget
--            procurement_execution_rate: procurement_actual / procurement_budget
--            funds_arrival_rate: funds_received / budget, funds_received / initial
--            adjustment_rate: (adjusted − initial) / initial
--          A value reproduces the report when |value × 100 − reported × 100| ≤ 0.005 pp (+1e-9):
--          the printed two-decimal percent is that value rounded.
--          verdict = match (recomputed reproduces it) | other_basis (another candidate does;
--          explained_by names it) | slip (none does; nearest_* names the closest) |
--          not_recomputable (no candidate computable: the figures are not in the database).
--          diff_pp = (reported − recomputed) × 100.
-- units:   reported, recomputed, explained_value, nearest_value fractions; diff_pp points.
-- params:  none.
CREATE OR REPLACE TABLE rate_reconciliation AS
WITH s AS (
    SELECT sr.*, r.region, r.level, r.sector,
           CAST(b.initial_budget AS DOUBLE)  AS initial_budget,
           CAST(b.adjusted_budget AS DOUBLE) AS adjusted_budget,
           CAST(COALESCE(b.adjusted_budget, b.initial_budget) AS DOUBLE) AS budget,
           CAST(b.funds_received AS DOUBLE)  AS funds_received,
           CAST(b.actual_spend AS DOUBLE)    AS actual_spend,
           CAST(b.carryover AS DOUBLE)       AS carryover,
           CAST(COALESCE(b.prior_carryover, prev.carryover) AS DOUBLE) AS prior_carryover,
           CAST(b.sangong_budget AS DOUBLE)  AS sangong_budget,
           CAST(b.sangong_actual AS DOUBLE)  AS sangong_actual,
           CAST(b.procurement_budget AS DOUBLE) AS procurement_budget,
           CAST(b.procurement_actual AS DOUBLE) AS procurement_actual,
           b.adjusted_budget IS NOT NULL AS has_adjusted,
           CASE sr.metric
               WHEN 'execution_rate'             THEN r.execution_rate
               WHEN 'adjustment_rate'            THEN r.adjustment_rate
               WHEN 'carryover_rate'             THEN r.carryover_rate
               WHEN 'carryover_change_rate'      THEN r.carryover_change_rate
               WHEN 'sangong_control_rate'       THEN r.sangong_control_rate
               WHEN 'procurement_execution_rate' THEN r.procurement_execution_rate
               WHEN 'funds_arrival_rate'         THEN r.funds_arrival_rate
           END AS recomputed
    FROM stated_rate sr
    LEFT JOIN budget b ON b.unit_key = sr.unit_key AND b.year = sr.year
    LEFT JOIN budget prev ON prev.unit_key = sr.unit_key AND prev.year = sr.year - 1
    LEFT JOIN unit_year_rate r ON r.unit_key = sr.unit_key AND r.year = sr.year
),
candidates AS (
    SELECT s.unit_key, s.year, s.metric, c.basis, c.num / NULLIF(c.den, 0) AS value, c.ord
    FROM s, LATERAL (
        SELECT * FROM (VALUES
            ('execution_rate', IF(s.has_adjusted, '按调整后预算数', '按年初预算数'), s.actual_spend, s.budget, 1),
            ('execution_rate', '按实际到位资金', s.actual_spend, s.funds_received, 2),
            ('execution_rate', '按年初预算数', s.actual_spend, IF(s.has_adjusted, s.initial_budget, NULL), 3),
            ('carryover_rate', IF(s.has_adjusted, '按调整后预算数', '按年初预算数'), s.carryover, s.budget, 1),
            ('carryover_rate', '按实际支出数', s.carryover, s.actual_spend, 2),
            ('carryover_rate', '按实际到位资金', s.carryover, s.funds_received, 3),
            ('carryover_rate', '按年初预算数', s.carryover, IF(s.has_adjusted, s.initial_budget, NULL), 4),
            ('carryover_rate', '按上年结转结余（结转结余 ÷ 上年结转结余）', s.carryover, s.prior_carryover, 5),
            ('carryover_rate', '按结转结余变动率（（结转结余 − 上年结转结余）÷ 上年结转结余）', s.carryover - s.prior_carryover, s.prior_carryover, 6),
            ('carryover_change_rate', '按上年结转结余（（结转结余 − 上年结转结余）÷ 上年结转结余）', s.carryover - s.prior_carryover, s.prior_carryover, 1),
            ('carryover_change_rate', '按上年结转结余（结转结余 ÷ 上年结转结余）', s.carryover, s.prior_carryover, 2),
            ('sangong_control_rate', '按三公经费预算数', s.sangong_actual, s.sangong_budget, 1),
            ('procurement_execution_rate', '按政府采购预算数', s.procurement_actual, s.procurement_budget, 1),
            ('funds_arrival_rate', IF(s.has_adjusted, '按调整后预算数', '按年初预算数'), s.funds_received, s.budget, 1),
            ('funds_arrival_rate', '按年初预算数', s.funds_received, IF(s.has_adjusted, s.initial_budget, NULL), 2),
            ('adjustment_rate', '按年初预算数', s.adjusted_budget - s.initial_budget, s.initial_budget, 1)
        ) v(metric, basis, num, den, ord)
    ) c
    WHERE c.metric = s.metric AND c.num IS NOT NULL AND c.den IS NOT NULL AND c.den <> 0
),
scored AS (
    SELECT c.*, abs(c.value * 100 - s.value * 100) AS gap,
           abs(c.value * 100 - s.value * 100) <= 0.005 + 1e-9 AS reproduces,
           abs(c.value - s.recomputed) < 1e-12 AS is_ours
    FROM candidates c JOIN s USING (unit_key, year, metric)
),
best AS (
    SELECT unit_key, year, metric,
           arg_min(basis, ord) FILTER (reproduces AND NOT is_ours)  AS explained_by,
           arg_min(value, ord) FILTER (reproduces AND NOT is_ours)  AS explained_value,
           arg_min(basis, ord) FILTER (is_ours)                     AS ours_basis,
           arg_min(basis, gap)                                      AS nearest_basis,
           arg_min(value, gap)                                      AS nearest_value,
           count(*)                                                 AS n
    FROM scored
    GROUP BY ALL
)
SELECT
    s.unit_key, s.year, s.unit_code, s.unit_name, s.region, s.level, s.sector, s.metric, s.label,
    s.value AS reported, s.recomputed, b.ours_basis AS recomputed_basis,
    (s.value - s.recomputed) * 100 AS diff_pp,
    CASE WHEN s.recomputed IS NOT NULL AND abs(s.recomputed * 100 - s.value * 100) <= 0.005 + 1e-9 THEN NULL
         ELSE b.explained_by END AS explained_by,
    CASE WHEN s.recomputed IS NOT NULL AND abs(s.recomputed * 100 - s.value * 100) <= 0.005 + 1e-9 THEN NULL
         ELSE b.explained_value END AS explained_value,
    b.nearest_basis, b.nearest_value,
    CASE WHEN s.recomputed IS NOT NULL AND abs(s.recomputed * 100 - s.value * 100) <= 0.005 + 1e-9 THEN 'match'
         WHEN b.explained_by IS NOT NULL THEN 'other_basis'
         WHEN coalesce(b.n, 0) = 0 THEN 'not_recomputable'
         ELSE 'slip' END AS verdict,
    s.source
FROM s
LEFT JOIN best b USING (unit_key, year, metric)
ORDER BY s.year, s.unit_name, s.metric;
