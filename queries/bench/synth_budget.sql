-- purpose: benchmark data (perfdash bench, national scale): every unit's figures for $years
--          years, written straight into budget as batch $batch_id (after bench/synth_units.sql).
-- row:     one synthetic unit-year (year-major, as the importer writes them).
-- formula: initial = base × (1 + growth)^t; adjusted = initial × U(0.85, 1.15); execution U(0.90,
--          0.995), 6 % U(0.84, 0.90), 1.5 % U(0.45, 0.85), 0.5 % U(1.01, 1.10); actual = adjusted ×
--          execution; funds received U(0.97, 1) of adjusted; carryover = adjusted × max(0.005,
--          (1 − execution) × U(0.5, 1)); 三公 0.5–2 % of adjusted, control U(0.70, 0.98) (0.5 %
--          overspent U(1.02, 1.3)); procurement 5–20 %, executed U(0.9, 1); self-score U(85, 98)
--          (U(60, 80) when execution < 85 %, 1 % inflated to 95), grade by 财预〔2020〕10号 bands.
-- units:   amounts 万元 rounded to 2 decimals; self_score 0–100.
-- params:  $years, $first_year, $seed, $batch_id INTEGER.
INSERT INTO budget (unit_key, year, unit_code, unit_name, region, level, sector, initial_budget,
    adjusted_budget, funds_received, actual_spend, carryover, prior_carryover, sangong_budget,
    sangong_actual, procurement_budget, procurement_actual, self_score, grade, batch_id)
WITH uy AS (
    SELECT u.*, t.range AS t, $first_year + t.range AS year,
           u.base * pow(1 + u.growth, t.range)                              AS initial,
           synth_u(u.i, t.range, $seed, 'draw')                             AS draw,
           synth_u(u.i, t.range, $seed, 'exec')                             AS ue
    FROM range($years) t CROSS JOIN synth_unit u
),
figures AS (
    SELECT *,
        initial * (0.85 + 0.30 * synth_u(i, t, $seed, 'adj'))              AS adjusted,
        CASE WHEN draw < 0.015 THEN 0.45 + 0.40 * ue
             WHEN draw < 0.020 THEN 1.01 + 0.09 * ue
             WHEN draw < 0.080 THEN 0.84 + 0.06 * ue
             ELSE 0.90 + 0.095 * ue END                                     AS execution
    FROM uy
),
amounts AS (
    SELECT *,
        adjusted * (0.005 + 0.015 * synth_u(i, t, $seed, 'sg'))            AS sangong_budget,
        adjusted * (0.05 + 0.15 * synth_u(i, t, $seed, 'pb'))              AS procurement_budget,
        CASE WHEN synth_u(i, t, $seed, 'infl') < 0.01 THEN 95.0
             WHEN execution < 0.85 THEN 60 + 20 * synth_u(i, t, $seed, 'score')
             ELSE 85 + 13 * synth_u(i, t, $seed, 'score') END              AS score
    FROM figures
)
SELECT
    'code:' || unit_code, year, unit_code, unit_name, region, level, sector,
    round(initial, 2), round(adjusted, 2),
    round(adjusted * (0.97 + 0.03 * synth_u(i, t, $seed, 'funds')), 2),
    round(adjusted * execution, 2),
    round(adjusted * greatest(0.005, (1 - execution) * (0.5 + 0.5 * synth_u(i, t, $seed, 'carry'))), 2),
    NULL,
    round(sangong_budget, 2),
    round(sangong_budget * CASE WHEN synth_u(i, t, $seed, 'sgo') < 0.005
                                THEN 1.02 + 0.28 * synth_u(i, t, $seed, 'sga')
                                ELSE 0.70 + 0.28 * synth_u(i, t, $seed, 'sga') END, 2),
    round(procurement_budget, 2),
    round(procurement_budget * (0.9 + 0.1 * synth_u(i, t, $seed, 'pa')), 2),
    round(score, 2),
    CASE WHEN round(score, 2) >= 90 THEN '优' WHEN round(score, 2) >= 80 THEN '良'
         WHEN round(score, 2) >= 60 THEN '中' ELSE '差' END,
    $batch_id
FROM amounts
ORDER BY year, 'code:' || unit_code;
