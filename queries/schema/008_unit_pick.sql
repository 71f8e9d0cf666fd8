-- purpose: the unit pickers' per-unit rows (migration 8): unit_pick, so that listing or searching
--          every unit of the country reads one row per unit instead of grouping 5 million
--          unit-years. A derived table: filled by perfdash.derive.rates.refresh (a rebuild on
--          opening, as DERIVED_VERSION moved on; then inside each import / rollback transaction
--          for the units it touched, rates/refresh_unit_pick.sql).
-- row:     unit_pick: one unit (unit_key) × one (单位名称, 单位编码, 地区, 层级, 行业) it was reported
--          under × one unbroken run of years under them (first_year … last_year) — a unit never
--          renamed, recoded or moved and reported in consecutive years has that one row, marked
--          `whole`. A unit with several rows (`variants` > 1) has one more, marked `whole`: its
--          latest values over all its years (what the unfiltered list shows).
-- units:   years are years; variants a count of rows.
-- params:  none.
CREATE TABLE IF NOT EXISTS unit_pick (
    unit_key    VARCHAR NOT NULL,
    unit_name   VARCHAR,
    unit_code   VARCHAR,
    region      VARCHAR,
    level       VARCHAR,
    sector      VARCHAR,
    name_lower  VARCHAR,             -- lower(unit_name), for the search box
    code_lower  VARCHAR,             -- lower(unit_code)
    first_year  INTEGER NOT NULL,    -- the run of years: every year from first_year to
    last_year   INTEGER NOT NULL,    -- last_year has a unit-year with these values
    variants    INTEGER NOT NULL,    -- rows of this unit that are not the extra whole row
    whole       BOOLEAN NOT NULL     -- the row stands for all the unit's years (see above)
);
