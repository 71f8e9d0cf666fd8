-- purpose: warnings (预警) on the unit-level rates of the years $years: each rate that crosses a
--          threshold of perfdash.toml [thresholds.*] (bound as $thresholds, not pasted).
-- row:     one unit × one rate that crosses a bound; `bound_kind` names the bound crossed
--          (high_at_or_below | high_below | high_above | medium_below | medium_above) and
--          `bound` its value. The checks run in the order of config.Threshold.severity, so a rate
--          that trips a high bound is not also reported as medium.
-- formula: rates as in rates/refresh_unit_year_rate.sql, read in long format from
--          unit_year_metric; severity 'high' when the value is at or
--          below high_at_or_below, below high_below or above high_above, else 'medium' when below
--          medium_below or above medium_above. target = medium_below (e.g. execution ≥ 90 %).
-- units:   value, bound, target are fractions; amounts (budget, actual_spend, carryover,
--          initial_budget, adjusted_budget, sangong_*) in 万元.
-- params:  $years LIST of INTEGER (all units of those years; perfdash.outliers stores the
--          flags and queries/outliers/flags.sql applies the filters);
--          $thresholds LIST of STRUCT(metric VARCHAR, medium_below, medium_above, high_below,
--          high_above, high_at_or_below DOUBLE or NULL).
WITH unit AS (
    SELECT *
    FROM unit_year_rate
    WHERE list_contains($years, year)
),
long AS (
    -- the unit-level rates (not the self-score, which has no warning line)
    SELECT unit_key, year, metric, value
    FROM unit_year_metric
    WHERE list_contains($years, year) AND metric <> 'self_score' AND value IS NOT NULL
),
bounds AS (
    SELECT t.metric AS metric,
           CAST(t.medium_below AS DOUBLE)     AS medium_below,
           CAST(t.medium_above AS DOUBLE)     AS medium_above,
           CAST(t.high_below AS DOUBLE)       AS high_below,
           CAST(t.high_above AS DOUBLE)       AS high_above,
           CAST(t.high_at_or_below AS DOUBLE) AS high_at_or_below
    FROM (SELECT unnest($thresholds) AS t)
),
crossed AS (
    SELECT
        l.unit_key, l.year, l.metric, l.value, b.medium_below AS target,
        CASE WHEN l.value <= b.high_at_or_below THEN 'high_at_or_below'
             WHEN l.value <  b.high_below       THEN 'high_below'
             WHEN l.value >  b.high_above       THEN 'high_above'
             WHEN l.value <  b.medium_below     THEN 'medium_below'
             WHEN l.value >  b.medium_above     THEN 'medium_above' END AS bound_kind,
        b.medium_below, b.medium_above, b.high_below, b.high_above, b.high_at_or_below
    FROM long l
    JOIN bounds b USING (metric)
)
SELECT
    u.unit_code, u.unit_name, u.year, c.metric, c.value,
    'warning'                                                  AS kind,
    CASE WHEN c.bound_kind LIKE 'high%' THEN 'high' ELSE 'medium' END AS severity,
    u.unit_key, u.region, u.level, u.sector,
    c.bound_kind,
    CASE c.bound_kind WHEN 'high_at_or_below' THEN c.high_at_or_below
                      WHEN 'high_below'       THEN c.high_below
                      WHEN 'high_above'       THEN c.high_above
                      WHEN 'medium_below'     THEN c.medium_below
                      ELSE c.medium_above END                  AS bound,
    c.target,
    u.budget, u.initial_budget, u.adjusted_budget, u.actual_spend, u.carryover, u.prior_carryover,
    u.sangong_control_num AS sangong_actual, u.sangong_control_den AS sangong_budget,
    u.procurement_execution_num AS procurement_actual, u.procurement_execution_den AS procurement_budget,
    u.funds_received
FROM crossed c
JOIN unit u USING (unit_key, year)
WHERE c.bound_kind IS NOT NULL
ORDER BY u.year, u.unit_key, c.metric;
