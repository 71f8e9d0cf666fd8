-- purpose: compare an incoming project file (registered as `incoming`) with the stored projects.
-- row:     one row of the incoming file, typed, with change = 'new' | 'changed' | 'same' and the
--          stored values as old_<column>.
-- key:     (unit_key, year, project_name).
-- units:   budget and actual_spend in 万元 DECIMAL(18,6).
-- params:  $absent VARCHAR: the columns the file does not have, as ',id,id,' (',' when none); such
--          a column keeps its stored value. Reads `incoming`, writes the temp table import_diff.
CREATE OR REPLACE TEMP TABLE import_diff AS
WITH f AS (
    SELECT unit_key, CAST(year AS INTEGER) AS year, project_name, unit_code, unit_name, category,
           CAST(budget AS DECIMAL(18,6)) AS budget, CAST(actual_spend AS DECIMAL(18,6)) AS actual_spend,
           CAST(source AS VARCHAR) AS source, source_row
    FROM incoming
),
s AS (
    SELECT f.unit_key, f.year, f.project_name,
           IF(contains($absent, ',unit_code,'), t.unit_code, f.unit_code) AS unit_code,
           f.unit_name,
           IF(contains($absent, ',category,'),  t.category,  f.category)  AS category,
           f.budget, f.actual_spend, f.source, f.source_row
    FROM f
    LEFT JOIN project t
      ON t.unit_key = f.unit_key AND t.year = f.year AND t.project_name = f.project_name
)
SELECT
    s.*,
    CASE
        WHEN t.unit_key IS NULL THEN 'new'
        WHEN s.unit_code    IS DISTINCT FROM t.unit_code
          OR s.unit_name    IS DISTINCT FROM t.unit_name
          OR s.category     IS DISTINCT FROM t.category
          OR s.budget       IS DISTINCT FROM t.budget
          OR s.actual_spend IS DISTINCT FROM t.actual_spend
        THEN 'changed'
        ELSE 'same'
    END AS change,
    t.unit_code AS old_unit_code, t.unit_name AS old_unit_name, t.category AS old_category,
    t.budget AS old_budget, t.actual_spend AS old_actual_spend
FROM s
LEFT JOIN project t
  ON t.unit_key = s.unit_key AND t.year = s.year AND t.project_name = s.project_name;
