-- purpose: scores apart, stated rates, provenance and reconciliation (migration 4).
-- row:     budget gains evaluation_score / evaluation_grade (a score someone else gave);
--          score gains score_of ('自评' | '评价': which total the first-level score belongs to)
--          and max_score may be blank (a report that prints no weights);
--          stated_rate: one rate a report (or a spreadsheet's rate column) printed for a unit-year;
--          figure_source: the sentence or cell an imported row of figures came from;
--          rate_reconciliation: one stated rate against the figures (derived, see
--          queries/reconcile/refresh_rate_reconciliation.sql).
--          unit_flag.kind (migration 2) gains a fourth value, 'data' (数据核查); no DDL needed.
-- units:   evaluation_score points DECIMAL(6,2); stated_rate.value a fraction as printed
--          (79.34 % → 0.7934); reconciliation reported / recomputed / candidate fractions,
--          diff_pp percentage points.
-- params:  none.
--
-- New columns go at the end of budget and score (positional writers stay valid); the *_replaced
-- tables are rebuilt so they remain "<table>.* then replaced_by", which apply_* and rollback rely on.
ALTER TABLE budget ADD COLUMN evaluation_score DECIMAL(6,2);
ALTER TABLE budget ADD COLUMN evaluation_grade VARCHAR;

CREATE TABLE budget_replaced_v4 AS SELECT *, NULL::INTEGER AS replaced_by FROM budget LIMIT 0;
INSERT INTO budget_replaced_v4 BY NAME SELECT * FROM budget_replaced;
DROP TABLE budget_replaced;
ALTER TABLE budget_replaced_v4 RENAME TO budget_replaced;

ALTER TABLE score ADD COLUMN score_of VARCHAR DEFAULT '自评';
ALTER TABLE score ALTER COLUMN max_score DROP NOT NULL;
UPDATE score SET score_of = '自评' WHERE score_of IS NULL;

CREATE TABLE score_replaced_v4 AS SELECT *, NULL::INTEGER AS replaced_by FROM score LIMIT 0;
INSERT INTO score_replaced_v4 BY NAME SELECT *, '自评' AS score_of FROM score_replaced;
DROP TABLE score_replaced;
ALTER TABLE score_replaced_v4 RENAME TO score_replaced;

-- One rate as a report printed it, for one unit-year. Key (unit_key, year, metric).
CREATE TABLE stated_rate (
    unit_key   VARCHAR NOT NULL,
    year       INTEGER NOT NULL,
    metric     VARCHAR NOT NULL,      -- a rate id of DESIGN section 2, or the label as written
    unit_code  VARCHAR,
    unit_name  VARCHAR NOT NULL,
    label      VARCHAR NOT NULL,      -- the label as written (预算执行率, 结余率, …)
    value      DOUBLE NOT NULL,       -- a fraction: 79.34 % → 0.7934
    source     VARCHAR,               -- the sentence or cell it came from
    batch_id   INTEGER NOT NULL
);
CREATE TABLE stated_rate_replaced AS SELECT *, NULL::INTEGER AS replaced_by FROM stated_rate LIMIT 0;

-- Where an imported row of figures came from. Key (unit_key, year, field): field = 'budget',
-- 'scores:<一级指标>' or 'projects:<项目名称>'.
CREATE TABLE figure_source (
    unit_key  VARCHAR NOT NULL,
    year      INTEGER NOT NULL,
    field     VARCHAR NOT NULL,
    source    VARCHAR NOT NULL,
    batch_id  INTEGER NOT NULL
);
CREATE TABLE figure_source_replaced AS SELECT *, NULL::INTEGER AS replaced_by FROM figure_source LIMIT 0;

-- Derived: every stated rate reconciled with the figures (rebuilt inside each import / rollback).
CREATE TABLE rate_reconciliation (
    unit_key       VARCHAR NOT NULL,
    year           INTEGER NOT NULL,
    unit_code      VARCHAR,
    unit_name      VARCHAR,
    region         VARCHAR,
    level          VARCHAR,
    sector         VARCHAR,
    metric         VARCHAR NOT NULL,
    label          VARCHAR,
    reported       DOUBLE,
    recomputed     DOUBLE,
    recomputed_basis VARCHAR,
    diff_pp        DOUBLE,
    explained_by   VARCHAR,
    explained_value DOUBLE,
    nearest_basis  VARCHAR,
    nearest_value  DOUBLE,
    verdict        VARCHAR NOT NULL,   -- match | other_basis | slip | not_recomputable
    source         VARCHAR
);
