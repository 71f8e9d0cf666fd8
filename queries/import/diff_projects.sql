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
    -- one join: the stored row both supplies the columns the file lacks and is compared with
    SELECT f.unit_key, f.year, f.project_name,
           IF(contains($absent, ',unit_code,'), t.unit_code, f.unit_code) AS unit_code,
           f.unit_name,
           IF(contains($absent, ',category,'),  t.category,  f.category)  AS category,
           f.budget, f.actual_spend, f.source, f.source_row,
           t.unit_key AS t_unit_key, t.unit_code AS t_unit_code, t.unit_name AS t_unit_name,
           t.category AS t_category, t.budget AS t_budget, t.actual_spend AS t_actual_spend
    FROM f
    LEFT JOIN project t
      ON t.unit_key = f.unit_key AND t.year = f.year AND t.project_name = f.project_name
)
SELECT
    unit_key, year, project_name, unit_code, unit_name, category, budget, actual_spend, source,
    source_row,
    CASE
        WHEN t_unit_key IS NULL THEN 'new'
        WHEN unit_code    IS DISTINCT FROM t_unit_code
          OR unit_name    IS DISTINCT FROM t_unit_name
          OR category     IS DISTINCT FROM t_category
          OR budget       IS DISTINCT FROM t_budget
          OR actual_spend IS DISTINCT FROM t_actual_spend
        THEN 'changed'
        ELSE 'same'
    END AS change,
    t_unit_code AS old_unit_code, t_unit_name AS old_unit_name, t_category AS old_category,
    t_budget AS old_budget, t_actual_spend AS old_actual_spend
FROM s;
