-- purpose: compare an incoming file of stated rates (报告所列比率, registered as `incoming`) with
--          the stored ones.
-- row:     one row of the incoming file, typed, with change = 'new' | 'changed' | 'same' and the
--          stored values as old_<column>.
-- key:     (unit_key, year, metric) — metric is the rate id the label names (预算执行率 →
--          execution_rate), or the label as written when it names none.
-- units:   value a fraction as printed (79.34 % → 0.7934).
-- params:  none (reads `incoming`, writes the temp table import_diff).
CREATE OR REPLACE TEMP TABLE import_diff AS
WITH s AS (
    SELECT unit_key, CAST(year AS INTEGER) AS year, CAST(metric AS VARCHAR) AS metric, unit_code,
           unit_name, CAST(label AS VARCHAR) AS label, CAST(value AS DOUBLE) AS value,
           CAST(source AS VARCHAR) AS source, source_row
    FROM incoming
)
SELECT
    s.*,
    CASE
        WHEN t.unit_key IS NULL THEN 'new'
        WHEN s.unit_code IS DISTINCT FROM t.unit_code
          OR s.unit_name IS DISTINCT FROM t.unit_name
          OR s.label     IS DISTINCT FROM t.label
          OR s.value     IS DISTINCT FROM t.value
          OR s.source    IS DISTINCT FROM t.source
        THEN 'changed'
        ELSE 'same'
    END AS change,
    t.unit_code AS old_unit_code, t.unit_name AS old_unit_name, t.label AS old_label,
    t.value AS old_value, t.source AS old_source
FROM s
LEFT JOIN stated_rate t ON t.unit_key = s.unit_key AND t.year = s.year AND t.metric = s.metric;
