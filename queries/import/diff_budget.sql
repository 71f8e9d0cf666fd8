-- purpose: compare an incoming budget file (registered as `incoming`) with the stored figures.
-- row:     one row of the incoming file, typed, with change = 'new' (key not stored yet),
--          'changed' (key stored, some figure or attribute differs) or 'same', and the stored
--          values as old_<column> for the preview.
-- key:     (unit_key, year).
-- units:   amounts 万元 DECIMAL(18,6) — the importer already converted 元 to 万元; scores points.
--          `source` (来源, provenance) is carried along but is not a figure: it never makes a row
--          'changed' on its own.
-- params:  $absent VARCHAR: the columns the file does not have, as ',id,id,' (',' when none).
--          A column the file lacks keeps its stored value (a blank cell, by contrast, clears it),
--          so a file without, say, 三公经费 columns never wipes the 三公 figures already stored.
--          Reads the temp view `incoming`, writes the temp table import_diff.
CREATE OR REPLACE TEMP TABLE import_diff AS
WITH f AS (
    SELECT
        unit_key, CAST(year AS INTEGER) AS year, unit_code, unit_name, region, level, sector,
        CAST(initial_budget     AS DECIMAL(18,6)) AS initial_budget,
        CAST(adjusted_budget    AS DECIMAL(18,6)) AS adjusted_budget,
        CAST(funds_received     AS DECIMAL(18,6)) AS funds_received,
        CAST(actual_spend       AS DECIMAL(18,6)) AS actual_spend,
        CAST(carryover          AS DECIMAL(18,6)) AS carryover,
        CAST(prior_carryover    AS DECIMAL(18,6)) AS prior_carryover,
        CAST(sangong_budget     AS DECIMAL(18,6)) AS sangong_budget,
        CAST(sangong_actual     AS DECIMAL(18,6)) AS sangong_actual,
        CAST(procurement_budget AS DECIMAL(18,6)) AS procurement_budget,
        CAST(procurement_actual AS DECIMAL(18,6)) AS procurement_actual,
        CAST(self_score         AS DECIMAL(6,2))  AS self_score,
        CAST(grade AS VARCHAR) AS grade,
        CAST(evaluation_score   AS DECIMAL(6,2))  AS evaluation_score,
        CAST(evaluation_grade AS VARCHAR) AS evaluation_grade,
        CAST(source AS VARCHAR) AS source,
        source_row
    FROM incoming
),
s AS (
    -- one join: the stored row both supplies the columns the file lacks and is compared with
    SELECT
        f.unit_key, f.year,
        IF(contains($absent, ',unit_code,'),          t.unit_code,          f.unit_code)          AS unit_code,
        f.unit_name,
        IF(contains($absent, ',region,'),             t.region,             f.region)             AS region,
        IF(contains($absent, ',level,'),              t.level,              f.level)              AS level,
        IF(contains($absent, ',sector,'),             t.sector,             f.sector)             AS sector,
        IF(contains($absent, ',initial_budget,'),     t.initial_budget,     f.initial_budget)     AS initial_budget,
        IF(contains($absent, ',adjusted_budget,'),    t.adjusted_budget,    f.adjusted_budget)    AS adjusted_budget,
        IF(contains($absent, ',funds_received,'),     t.funds_received,     f.funds_received)     AS funds_received,
        IF(contains($absent, ',actual_spend,'),       t.actual_spend,       f.actual_spend)       AS actual_spend,
        IF(contains($absent, ',carryover,'),          t.carryover,          f.carryover)          AS carryover,
        IF(contains($absent, ',prior_carryover,'),    t.prior_carryover,    f.prior_carryover)    AS prior_carryover,
        IF(contains($absent, ',sangong_budget,'),     t.sangong_budget,     f.sangong_budget)     AS sangong_budget,
        IF(contains($absent, ',sangong_actual,'),     t.sangong_actual,     f.sangong_actual)     AS sangong_actual,
        IF(contains($absent, ',procurement_budget,'), t.procurement_budget, f.procurement_budget) AS procurement_budget,
        IF(contains($absent, ',procurement_actual,'), t.procurement_actual, f.procurement_actual) AS procurement_actual,
        IF(contains($absent, ',self_score,'),         t.self_score,         f.self_score)         AS self_score,
        IF(contains($absent, ',grade,'),              t.grade,              f.grade)              AS grade,
        IF(contains($absent, ',evaluation_score,'),   t.evaluation_score,   f.evaluation_score)   AS evaluation_score,
        IF(contains($absent, ',evaluation_grade,'),   t.evaluation_grade,   f.evaluation_grade)   AS evaluation_grade,
        f.source, f.source_row,
        t.unit_key AS t_unit_key, t.unit_code AS t_unit_code, t.unit_name AS t_unit_name,
        t.region AS t_region, t.level AS t_level, t.sector AS t_sector,
        t.initial_budget AS t_initial_budget, t.adjusted_budget AS t_adjusted_budget,
        t.funds_received AS t_funds_received, t.actual_spend AS t_actual_spend,
        t.carryover AS t_carryover, t.prior_carryover AS t_prior_carryover,
        t.sangong_budget AS t_sangong_budget, t.sangong_actual AS t_sangong_actual,
        t.procurement_budget AS t_procurement_budget, t.procurement_actual AS t_procurement_actual,
        t.self_score AS t_self_score, t.grade AS t_grade,
        t.evaluation_score AS t_evaluation_score, t.evaluation_grade AS t_evaluation_grade
    FROM f
    LEFT JOIN budget t ON t.unit_key = f.unit_key AND t.year = f.year
)
SELECT
    unit_key, year, unit_code, unit_name, region, level, sector,
    initial_budget, adjusted_budget, funds_received, actual_spend, carryover, prior_carryover,
    sangong_budget, sangong_actual, procurement_budget, procurement_actual,
    self_score, grade, evaluation_score, evaluation_grade, source, source_row,
    CASE
        WHEN t_unit_key IS NULL THEN 'new'
        WHEN unit_code          IS DISTINCT FROM t_unit_code
          OR unit_name          IS DISTINCT FROM t_unit_name
          OR region             IS DISTINCT FROM t_region
          OR level              IS DISTINCT FROM t_level
          OR sector             IS DISTINCT FROM t_sector
          OR initial_budget     IS DISTINCT FROM t_initial_budget
          OR adjusted_budget    IS DISTINCT FROM t_adjusted_budget
          OR funds_received     IS DISTINCT FROM t_funds_received
          OR actual_spend       IS DISTINCT FROM t_actual_spend
          OR carryover          IS DISTINCT FROM t_carryover
          OR prior_carryover    IS DISTINCT FROM t_prior_carryover
          OR sangong_budget     IS DISTINCT FROM t_sangong_budget
          OR sangong_actual     IS DISTINCT FROM t_sangong_actual
          OR procurement_budget IS DISTINCT FROM t_procurement_budget
          OR procurement_actual IS DISTINCT FROM t_procurement_actual
          OR self_score         IS DISTINCT FROM t_self_score
          OR grade              IS DISTINCT FROM t_grade
          OR evaluation_score   IS DISTINCT FROM t_evaluation_score
          OR evaluation_grade   IS DISTINCT FROM t_evaluation_grade
        THEN 'changed'
        ELSE 'same'
    END AS change,
    t_unit_code AS old_unit_code, t_unit_name AS old_unit_name, t_region AS old_region,
    t_level AS old_level, t_sector AS old_sector,
    t_initial_budget AS old_initial_budget, t_adjusted_budget AS old_adjusted_budget,
    t_funds_received AS old_funds_received, t_actual_spend AS old_actual_spend,
    t_carryover AS old_carryover, t_prior_carryover AS old_prior_carryover,
    t_sangong_budget AS old_sangong_budget, t_sangong_actual AS old_sangong_actual,
    t_procurement_budget AS old_procurement_budget, t_procurement_actual AS old_procurement_actual,
    t_self_score AS old_self_score, t_grade AS old_grade,
    t_evaluation_score AS old_evaluation_score, t_evaluation_grade AS old_evaluation_grade
FROM s;
