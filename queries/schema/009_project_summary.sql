-- purpose: two derived tables for the 项目执行 page (migration 9), so that its figures are read
--          from a year's summary and its few low-execution projects instead of scanning every
--          project of the year (10 million at national scale).
-- row:     project_category_total: one project category of one year within one region, level and
--          sector (the unit's attributes that year from unit_year_rate, NULL when it has none).
--          project_low: one project of one unit-year whose execution rate is below the cutoff
--          (meta key project_low_below, the configured project_execution_rate floor).
-- formula: see queries/rates/refresh_project_summary.sql.
-- units:   amounts 万元 (DECIMAL sums in project_category_total, DOUBLE in project_low as in the
--          view project_rate); project_execution_rate a fraction; counts.
-- params:  none.
--
-- Both are refreshed by perfdash.derive.rates.refresh inside each import / rollback transaction
-- (the touched years of project_category_total, the touched unit-years of project_low), and
-- rebuilt by perfdash.derive.projects.ensure_fresh when the cutoff in perfdash.toml changes.
CREATE TABLE IF NOT EXISTS project_category_total (
    year           INTEGER NOT NULL,
    region         VARCHAR,
    level          VARCHAR,
    sector         VARCHAR,
    category       VARCHAR NOT NULL,        -- '未分类' when the project gave none
    project_count  BIGINT NOT NULL,
    budget         DECIMAL(38,6),           -- Σ budget (NULL when no project has one)
    actual_spend   DECIMAL(38,6),           -- Σ actual_spend
    rated_budget   DECIMAL(38,6),           -- Σ budget over projects with an execution rate
    rated_spend    DECIMAL(38,6)            -- Σ actual_spend over the same projects
);

CREATE TABLE IF NOT EXISTS project_low (
    unit_key                VARCHAR NOT NULL,
    year                    INTEGER NOT NULL,
    project_name            VARCHAR NOT NULL,
    unit_name               VARCHAR NOT NULL,
    category                VARCHAR,
    budget                  DOUBLE,
    actual_spend            DOUBLE,
    idle_amount             DOUBLE,
    project_execution_rate  DOUBLE NOT NULL
);
