-- purpose: the derived table of warnings, outliers and inflation flags (migration 2), so pages
--          read flags instead of computing peer statistics and history windows per click.
-- row:     one flag of one unit (or one project of a unit) in one year — the rows
--          perfdash.outliers.flags_for_year returns, for all units, in its display order.
-- units:   value, peer_median, prior_value fractions (self_score in points); peer_n a count.
-- params:  none.
--
-- Rebuilt by perfdash.outliers.refresh inside each import / rollback transaction for the years
-- the change can affect, and for all years when the rules in perfdash.toml change
-- (meta 'flags_config' holds the fingerprint of the rules the rows were computed with).
CREATE TABLE unit_flag (
    year          INTEGER NOT NULL,
    position      INTEGER NOT NULL,     -- display order within the year: high first, then kind, name
    unit_code     VARCHAR,
    unit_name     VARCHAR,
    metric        VARCHAR NOT NULL,
    value         DOUBLE,
    kind          VARCHAR NOT NULL,     -- warning | statistical | inflation
    severity      VARCHAR NOT NULL,     -- high | medium
    reason        VARCHAR NOT NULL,
    unit_key      VARCHAR NOT NULL,
    region        VARCHAR,
    level         VARCHAR,
    sector        VARCHAR,
    basis         VARCHAR,
    project_name  VARCHAR,
    peer_median   DOUBLE,
    peer_n        BIGINT,
    robust_z      DOUBLE,
    prior_value   DOUBLE
);
