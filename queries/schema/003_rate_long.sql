-- purpose: the long-format rate table and the project-rate view (migration 3), so every query
--          that picks a metric reads `WHERE metric = $metric` and every query that needs a
--          project's execution reads it from one definition instead of spelling it out again.
-- row:     unit_year_metric: one unit-year × one metric id (every rate of DESIGN.md section 2
--          that a unit-year has, and self_score) — also when the value is NULL, so the table
--          holds exactly what unit_year_rate holds.
--          project_rate: one project (项目支出) of one unit in one year.
-- formula: unit_year_metric: see queries/rates/refresh_unit_year_metric.sql.
--          project_rate: project_execution_rate = actual_spend / NULLIF(budget, 0) — NULL when
--          either is missing or budget = 0; idle_amount = budget − actual_spend (exact, then
--          DOUBLE). The unit's attributes are not in the view: a query that filters by them joins
--          unit_year_rate (and can skip that join when no filter is set).
-- units:   value as in unit_year_rate (rates fractions; self_score points); project amounts
--          万元 (DOUBLE), project_execution_rate a fraction.
-- params:  none.
--
-- unit_year_metric is a derived table: perfdash.derive.rates.refresh rebuilds it inside each
-- import / rollback transaction, right after unit_year_rate, for the years an import changed
-- (all years after a rollback or a 口径 change). It is written metric by metric, each in year
-- order, so `WHERE metric = $metric AND year = $year` reads a few row groups.
-- Budget-weighted aggregates (Σ numerator / Σ denominator) keep reading group_year_total.
--
-- project_rate is a view over the project table: nothing to refresh, and reading it costs what
-- reading project did (a table copy of 4 million projects would add seconds to every import).

-- One unit-year × one metric: the value, and the unit's attributes that year for filters.
CREATE TABLE unit_year_metric (
    metric     VARCHAR NOT NULL,     -- a rate id of perfdash.metrics.UNIT_RATE_IDS, or 'self_score'
    year       INTEGER NOT NULL,
    unit_key   VARCHAR NOT NULL,
    region     VARCHAR,
    level      VARCHAR,
    sector     VARCHAR,
    value      DOUBLE                -- the rate (a fraction) or score; NULL when not computable
);

CREATE VIEW project_rate AS
SELECT
    p.unit_key, p.year, p.project_name, p.unit_code, p.unit_name, p.category,
    CAST(p.budget AS DOUBLE)                                             AS budget,
    CAST(p.actual_spend AS DOUBLE)                                       AS actual_spend,
    CAST(p.budget - p.actual_spend AS DOUBLE)                            AS idle_amount,
    CAST(p.actual_spend AS DOUBLE) / NULLIF(CAST(p.budget AS DOUBLE), 0) AS project_execution_rate
FROM project p;
