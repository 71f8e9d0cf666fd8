-- purpose: compare an incoming first-level score file (registered as `incoming`) with the stored scores.
-- row:     one row of the incoming file, typed, with change = 'new' | 'changed' | 'same' and the
--          stored values as old_<column>.
-- key:     (unit_key, year, score_of, dimension): score_of '自评' | '评价' (which total it belongs to).
-- units:   max_score and score in points.
-- params:  none (reads `incoming`, writes the temp table import_diff).
CREATE OR REPLACE TEMP TABLE import_diff AS
WITH s AS (
    SELECT unit_key, CAST(year AS INTEGER) AS year, dimension, unit_code, unit_name,
           CAST(max_score AS DECIMAL(6,2)) AS max_score, CAST(score AS DECIMAL(6,2)) AS score,
           COALESCE(CAST(score_of AS VARCHAR), '自评') AS score_of, CAST(source AS VARCHAR) AS source,
           source_row
    FROM incoming
)
SELECT
    s.*,
    CASE
        WHEN t.unit_key IS NULL THEN 'new'
        WHEN s.unit_code IS DISTINCT FROM t.unit_code
          OR s.unit_name IS DISTINCT FROM t.unit_name
          OR s.max_score IS DISTINCT FROM t.max_score
          OR s.score     IS DISTINCT FROM t.score
        THEN 'changed'
        ELSE 'same'
    END AS change,
    t.unit_code AS old_unit_code, t.unit_name AS old_unit_name,
    t.max_score AS old_max_score, t.score AS old_score
FROM s
LEFT JOIN score t ON t.unit_key = s.unit_key AND t.year = s.year AND t.dimension = s.dimension
                 AND t.score_of = s.score_of;
