-- purpose: the initial schema (migration 1). Applied once by `init` / `perfdash.db.migrate`.
-- row:     see each table's comment.
-- units:   amounts in 万元, DECIMAL(18,6) so a figure given in 元 (2942044.48) converts exactly.
-- params:  none.
--
-- Each fact table carries the batch_id of the import that last wrote the row. When an import
-- replaces a row, the old row is moved to <table>_replaced with replaced_by = that import's
-- batch_id, so rolling the import back restores it exactly.
-- No PRIMARY KEY on fact tables: uniqueness of the keys is enforced by the importer, and an
-- index would slow bulk loads and trip DuckDB's delete-then-insert checks inside a transaction.

CREATE TABLE meta (
    key   VARCHAR PRIMARY KEY,
    value VARCHAR
);

CREATE SEQUENCE batch_id_seq START 1;

-- One row per import of one file.
CREATE TABLE import_batch (
    batch_id        INTEGER PRIMARY KEY,
    file_name       VARCHAR NOT NULL,
    sha256          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,       -- budget | scores | projects
    rows_inserted   INTEGER NOT NULL,
    rows_updated    INTEGER NOT NULL,
    rows_unchanged  INTEGER NOT NULL,
    imported_at     TIMESTAMP NOT NULL,
    imported_by     VARCHAR,
    is_demo         BOOLEAN NOT NULL DEFAULT false,
    status          VARCHAR NOT NULL DEFAULT 'active',   -- active | rolled_back
    rolled_back_at  TIMESTAMP
);

-- One row per budget unit per year: the unit's attributes as reported that year and its figures.
-- unit_key = 'code:' || 单位编码 when a code is given, else 'name:' || 单位名称.
CREATE TABLE budget (
    unit_key            VARCHAR NOT NULL,
    year                INTEGER NOT NULL,
    unit_code           VARCHAR,
    unit_name           VARCHAR NOT NULL,
    region              VARCHAR,
    level               VARCHAR,            -- 省级 | 市级 | 县级
    sector              VARCHAR,
    initial_budget      DECIMAL(18,6),
    adjusted_budget     DECIMAL(18,6),
    funds_received      DECIMAL(18,6),
    actual_spend        DECIMAL(18,6),
    carryover           DECIMAL(18,6),
    prior_carryover     DECIMAL(18,6),
    sangong_budget      DECIMAL(18,6),
    sangong_actual      DECIMAL(18,6),
    procurement_budget  DECIMAL(18,6),
    procurement_actual  DECIMAL(18,6),
    self_score          DECIMAL(6,2),
    grade               VARCHAR,            -- 优 | 良 | 中 | 差
    batch_id            INTEGER NOT NULL
);

-- One row per unit, year and first-level indicator (一级指标).
CREATE TABLE score (
    unit_key    VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    dimension   VARCHAR NOT NULL,
    unit_code   VARCHAR,
    unit_name   VARCHAR NOT NULL,
    max_score   DECIMAL(6,2) NOT NULL,
    score       DECIMAL(6,2) NOT NULL,
    batch_id    INTEGER NOT NULL
);

-- One row per project (项目支出) of a unit in a year.
CREATE TABLE project (
    unit_key      VARCHAR NOT NULL,
    year          INTEGER NOT NULL,
    project_name  VARCHAR NOT NULL,
    unit_code     VARCHAR,
    unit_name     VARCHAR NOT NULL,
    category      VARCHAR,
    budget        DECIMAL(18,6),
    actual_spend  DECIMAL(18,6),
    batch_id      INTEGER NOT NULL
);

CREATE TABLE budget_replaced  AS SELECT *, NULL::INTEGER AS replaced_by FROM budget  LIMIT 0;
CREATE TABLE score_replaced   AS SELECT *, NULL::INTEGER AS replaced_by FROM score   LIMIT 0;
CREATE TABLE project_replaced AS SELECT *, NULL::INTEGER AS replaced_by FROM project LIMIT 0;

INSERT INTO meta VALUES ('data_version', '0');
