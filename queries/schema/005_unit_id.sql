-- purpose: integer unit ids and per-unit derived tables (migration 5), so that one unit's rows
--          are found through zone maps on an integer instead of a scan comparing strings
--          (string zone maps keep 8 bytes, and every unit_key starts with 'code:').
-- row:     unit: one unit_key ever stored, with its unit_id (never reused, never removed:
--          a rolled-back unit keeps its id and has no rows in the derived tables).
--          unit_score: one first-level score of one unit-year (the score table, by unit).
--          unit_project: one project of one unit-year (the project table, by unit).
--          metric_spread: quartiles of one metric in one year within one filter scope.
--          unit_year_metric is recreated with unit_id and each value's standing among its
--          peers (same metric, year and level).
-- units:   as the tables they copy; percentile a fraction; peer_count a count.
-- params:  none.
--
-- All but `unit` are derived tables, refreshed by perfdash.derive.rates.refresh inside each
-- import / rollback transaction for the years and units it touched (everything on a rebuild).
-- The unit's own rows are written sorted by unit_id, so `JOIN unit … WHERE unit_key = $k`
-- pushes the id into the scan and reads one or a few row groups.

CREATE TABLE IF NOT EXISTS unit (
    unit_id   INTEGER PRIMARY KEY,
    unit_key  VARCHAR NOT NULL UNIQUE
);

DROP TABLE IF EXISTS unit_year_metric;

-- One unit-year × one metric: the value, the unit's attributes that year for filters, and
-- where the value stands among the peers (units of the same level with a value that year).
CREATE TABLE unit_year_metric (
    metric       VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    unit_key     VARCHAR NOT NULL,
    region       VARCHAR,
    level        VARCHAR,
    sector       VARCHAR,
    value        DOUBLE,
    unit_id      INTEGER NOT NULL,
    percentile   DOUBLE,     -- percent_rank() among the peers; NULL when value is NULL
    peer_count   BIGINT,     -- peers with a value (the unit included); NULL when value is NULL
    peer_median  DOUBLE      -- median of the peers' values; NULL when value is NULL
);

CREATE TABLE IF NOT EXISTS unit_score (
    unit_id    INTEGER NOT NULL,
    year       INTEGER NOT NULL,
    score_of   VARCHAR NOT NULL,        -- 自评 | 评价 (whose total the score belongs to)
    dimension  VARCHAR NOT NULL,
    max_score  DECIMAL(6,2),            -- NULL when the report prints no weight
    score      DECIMAL(6,2) NOT NULL
);

CREATE TABLE IF NOT EXISTS unit_project (
    unit_id       INTEGER NOT NULL,
    year          INTEGER NOT NULL,
    project_name  VARCHAR NOT NULL,
    category      VARCHAR,
    budget        DECIMAL(18,6),
    actual_spend  DECIMAL(18,6)
);

-- Quartiles of one metric per year for every filter scope the sidebar can set: each of
-- region / level / sector either fixed (all_* false, the column holds the value, NULL = the
-- units that did not report it) or not filtered (all_* true, the column NULL).
CREATE TABLE IF NOT EXISTS metric_spread (
    metric      VARCHAR NOT NULL,
    year        INTEGER NOT NULL,
    all_region  BOOLEAN NOT NULL,
    all_level   BOOLEAN NOT NULL,
    all_sector  BOOLEAN NOT NULL,
    region      VARCHAR,
    level       VARCHAR,
    sector      VARCHAR,
    unit_count  BIGINT NOT NULL,
    p25         DOUBLE,
    median      DOUBLE,
    p75         DOUBLE
);
