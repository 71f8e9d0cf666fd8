"""The per-unit and precomputed derived tables (table unit, unit_score, unit_project, the peer
standings in unit_year_metric, metric_spread, and the rows a scoped refresh rewrites) give exactly
what the base tables give: the unit profile's queries and the trend band against the same
questions asked of budget / score / project directly — on the demo data, after an import that
touches one year, and after its rollback; and a scoped refresh leaves every derived table as a
full rebuild would."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from perfdash import ingest
from perfdash.derive import projects, rates

ALL = dict(region=None, level=None, sector=None)

# The questions as the pages asked them before, of the base tables (unit_key scans).
REFERENCE = {
    "pages/unit_years": """
        SELECT unit_key, unit_code, unit_name, year, region, level, sector,
               initial_budget, adjusted_budget, budget, funds_received, actual_spend, carryover,
               prior_carryover, self_score, grade,
               execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
               sangong_control_rate, procurement_execution_rate, funds_arrival_rate
        FROM unit_year_rate WHERE unit_key = $unit_key ORDER BY year""",
    "pages/unit_scores": """
        SELECT year, CASE WHEN score_of = '评价' THEN dimension || '（外部评价）' ELSE dimension END AS dimension,
               score_of, CAST(max_score AS DOUBLE) AS max_score, CAST(score AS DOUBLE) AS score,
               CAST(score AS DOUBLE) / NULLIF(CAST(max_score AS DOUBLE), 0) AS score_share
        FROM score WHERE unit_key = $unit_key
        ORDER BY year, score_of DESC, COALESCE(list_position(['决策', '部门决策', '预算执行', '投入管理', '过程', '管理',
                 '部门管理', '产出', '部门产出', '效益', '效果', '部门效果'], dimension), 99), dimension""",
    "pages/unit_projects": """
        SELECT year, project_name, COALESCE(category, '未分类') AS category,
               budget, actual_spend, project_execution_rate
        FROM project_rate WHERE unit_key = $unit_key
        ORDER BY year DESC, project_execution_rate NULLS LAST, project_name""",
    "pages/peer_percentiles": """
        WITH mine AS (
            SELECT metric, value, level FROM unit_year_metric
            WHERE unit_key = $unit_key AND year = $year AND value IS NOT NULL)
        SELECT m.metric, m.value,
               COALESCE(count(*) FILTER (l.value < m.value) / NULLIF(count(*) - 1, 0), 0.0) AS percentile,
               count(*) AS peer_count, median(l.value) AS peer_median, m.level
        FROM mine m JOIN unit_year_metric l
          ON l.metric = m.metric AND l.year = $year AND l.level IS NOT DISTINCT FROM m.level
         AND l.value IS NOT NULL
        GROUP BY m.metric, m.value, m.level
        ORDER BY list_position(['execution_rate', 'adjustment_rate', 'carryover_rate',
                 'carryover_change_rate', 'sangong_control_rate', 'procurement_execution_rate',
                 'funds_arrival_rate', 'self_score'], m.metric)""",
    "pages/unit_series": """
        SELECT unit_key, unit_code, unit_name, year, region, level, sector,
               budget, actual_spend, carryover, self_score, grade,
               execution_rate, adjustment_rate, carryover_rate, carryover_change_rate,
               sangong_control_rate, procurement_execution_rate, funds_arrival_rate
        FROM unit_year_rate WHERE list_contains($unit_keys, unit_key) ORDER BY unit_key, year""",
    "pages/unit_labels": """
        SELECT unit_key, arg_max(unit_name, year) AS unit_name, arg_max(unit_code, year) AS unit_code,
               arg_max(region, year) AS region, arg_max(level, year) AS level,
               arg_max(sector, year) AS sector,
               arg_max(unit_name, year) || '（' || COALESCE(arg_max(region, year), '未填地区') || ' · '
                   || COALESCE(arg_max(level, year), '未填层级') || '）' AS label,
               bool_or(($region IS NULL OR region = $region) AND ($level IS NULL OR level = $level)
                       AND ($sector IS NULL OR sector = $sector) AND ($year IS NULL OR year = $year)) AS in_scope
        FROM unit_year_rate WHERE list_contains($unit_keys, unit_key)
        GROUP BY unit_key ORDER BY list_position($unit_keys, unit_key)""",
    # every unit-year aggregated per unit (unit_list is this with $q NULL)
    "pages/unit_search": """
        WITH hits AS (
            SELECT
                unit_key,
                arg_max(unit_name, year)                            AS unit_name,
                arg_max(unit_code, year)                            AS unit_code,
                arg_max(region, year)                               AS region,
                arg_max(level, year)                                AS level,
                arg_max(sector, year)                               AS sector,
                COALESCE(bool_or(lower(unit_code) = lower($q)), false)            AS code_hit,
                COALESCE(bool_or(starts_with(lower(unit_name), lower($q))), false) AS prefix_hit
            FROM unit_year_rate
            WHERE ($region IS NULL OR region = $region)
              AND ($level  IS NULL OR level  = $level)
              AND ($sector IS NULL OR sector = $sector)
              AND ($year   IS NULL OR year   = $year)
              AND ($q IS NULL OR contains(lower(unit_name), lower($q)) OR lower(unit_code) = lower($q))
            GROUP BY unit_key
        )
        SELECT
            unit_key, unit_name, unit_code, region, level, sector,
            unit_name || '（' || COALESCE(region, '未填地区') || ' · ' || COALESCE(level, '未填层级') || '）' AS label,
            count(*) OVER () AS matches
        FROM hits
        -- exact code, then names starting with the text, then shorter names (closer matches) first;
        -- with no text, the order of the full lists (region, name).
        ORDER BY code_hit DESC, prefix_hit DESC,
                 CASE WHEN $q IS NOT NULL THEN length(unit_name) END,
                 region NULLS LAST, unit_name, unit_key
        LIMIT $limit""",
    # every unit's scope rows aggregated per unit
    "pages/heatmap_units": """
        WITH v AS (
            SELECT unit_key, year, value
            FROM unit_year_metric
            WHERE metric = $metric
              AND ($region IS NULL OR region = $region)
              AND ($level  IS NULL OR level  = $level)
              AND ($sector IS NULL OR sector = $sector)
        ),
        latest AS (
            -- per unit, from the rows of unit_scope_latest within the filters (one per unit unless it
            -- moved): the latest year's value, the name in the latest year
            SELECT unit_key,
                   arg_max(unit_name, last_year)                            AS unit_name,
                   arg_max(value, value_year) FILTER (value IS NOT NULL)    AS latest_value,
                   max(value_year) FILTER (value IS NOT NULL)               AS latest_year
            FROM unit_scope_latest
            WHERE metric = $metric
              AND ($region IS NULL OR region = $region)
              AND ($level  IS NULL OR level  = $level)
              AND ($sector IS NULL OR sector = $sector)
            GROUP BY unit_key
            HAVING latest_value IS NOT NULL
        ),
        worst AS (
            SELECT *
            FROM latest
            ORDER BY CASE WHEN $ascending THEN latest_value ELSE -latest_value END, unit_name, unit_key
            LIMIT $limit
        ),
        ranked AS (
            SELECT *,
                   row_number() OVER (ORDER BY CASE WHEN $ascending THEN latest_value ELSE -latest_value END,
                                               unit_name, unit_key) AS worst_rank,
                   (SELECT count(*) FROM latest)                        AS unit_total
            FROM worst
        )
        SELECT r.unit_key, r.unit_name, v.year, v.value, r.latest_value, r.latest_year, r.worst_rank, r.unit_total
        FROM ranked r
        JOIN v ON v.unit_key = r.unit_key
        ORDER BY r.worst_rank, v.year""",
    "pages/rate_spread_by_year": """
        WITH v AS (
            SELECT year, value FROM unit_year_metric
            WHERE metric = $metric AND ($region IS NULL OR region = $region)
              AND ($level IS NULL OR level = $level) AND ($sector IS NULL OR sector = $sector))
        SELECT year, count(value) AS unit_count, quantile_cont(value, 0.25) AS p25,
               quantile_cont(value, 0.50) AS median, quantile_cont(value, 0.75) AS p75
        FROM v WHERE value IS NOT NULL GROUP BY year ORDER BY year""",
    "filters/options": """
        SELECT DISTINCT 'year' AS dimension, CAST(year AS VARCHAR) AS value FROM unit_year_rate
        UNION ALL SELECT DISTINCT 'region', region FROM unit_year_rate WHERE region IS NOT NULL
        UNION ALL SELECT DISTINCT 'level',  level  FROM unit_year_rate WHERE level  IS NOT NULL
        UNION ALL SELECT DISTINCT 'sector', sector FROM unit_year_rate WHERE sector IS NOT NULL
        ORDER BY dimension, value""",
    # the 项目执行 page's SQL before project_category_total / project_low (now the *_scan files)
    "pages/project_by_category": """
WITH p AS (
    SELECT
        COALESCE(p.category, '未分类')                                            AS category,
        p.budget, p.actual_spend, p.project_execution_rate                       AS rate
    FROM project_rate p
    LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
    WHERE p.year = $year
      AND ($region IS NULL OR r.region = $region)
      AND ($level  IS NULL OR r.level  = $level)
      AND ($sector IS NULL OR r.sector = $sector)
),
c AS (
    SELECT *,
           rate IS NOT NULL AND rate <= $zero_at_or_below                       AS is_zero,
           rate IS NOT NULL AND rate > $zero_at_or_below AND rate < $low_below  AS is_low
    FROM p
)
SELECT
    category,
    count(*)                                                         AS project_count,
    count(*) FILTER (is_zero)                                        AS zero_count,
    count(*) FILTER (is_low)                                         AS low_count,
    sum(budget)                                                      AS budget,
    sum(actual_spend)                                                AS actual_spend,
    sum(actual_spend) FILTER (rate IS NOT NULL)
      / NULLIF(sum(budget) FILTER (rate IS NOT NULL), 0)             AS execution_rate,
    COALESCE(sum(budget - actual_spend) FILTER (is_zero OR is_low), 0) AS idle_amount
FROM c
GROUP BY category
ORDER BY zero_count + low_count DESC, idle_amount DESC, category;""",
    "pages/worst_projects": """
SELECT
    p.unit_key, p.unit_name, r.region, r.level, p.project_name,
    COALESCE(p.category, '未分类')                                            AS category,
    p.budget, p.actual_spend, p.project_execution_rate, p.idle_amount
FROM project_rate p
LEFT JOIN unit_year_rate r ON r.unit_key = p.unit_key AND r.year = p.year
WHERE p.year = $year
  AND p.budget > 0 AND p.actual_spend IS NOT NULL
  AND ($region IS NULL OR r.region = $region)
  AND ($level  IS NULL OR r.level  = $level)
  AND ($sector IS NULL OR r.sector = $sector)
ORDER BY project_execution_rate, p.budget DESC, p.unit_name, p.project_name
LIMIT $limit;""",
}


def reference(db, name: str, **params) -> pd.DataFrame:
    text = REFERENCE[name]
    used = {k: v for k, v in params.items() if f"${k}" in text}
    return db.con.execute(text, used).df()


def same(db, name: str, **params) -> None:
    got = db.query(name, **params)
    want = reference(db, name, **params)
    assert list(got.columns) == list(want.columns), name
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True),
                                  check_dtype=False, check_exact=False, rtol=1e-12, obj=f"{name} {params}")


def _units(db) -> list[str]:
    keys = [r[0] for r in db.con.execute(
        "SELECT DISTINCT unit_key FROM budget UNION SELECT DISTINCT unit_key FROM project ORDER BY 1").fetchall()]
    assert len(keys) > 20
    return keys[::max(1, len(keys) // 25)] + keys[-3:]


def _scopes(db) -> list[dict]:
    region, level, sector = db.con.execute(
        "SELECT region, level, sector FROM budget WHERE region IS NOT NULL AND level IS NOT NULL "
        "AND sector IS NOT NULL ORDER BY unit_key, year LIMIT 1").fetchall()[0]
    return [ALL, {**ALL, "region": region}, {**ALL, "level": level}, {**ALL, "sector": sector},
            {"region": region, "level": level, "sector": None},
            {"region": region, "level": level, "sector": sector}, {**ALL, "region": "没有这个地区"}]


def check_projects(db, years) -> None:
    """perfdash.derive.projects' answers (the derived tables, or the scan past their cutoff) are
    the old SQL's rows, for floors below, at and above the stored cutoff and limits the tables
    can and cannot fill."""
    used = {"fast": 0, "scan": 0}
    for year in (*years, 1990):
        for scope in _scopes(db):
            for low_below, zero_at in ((0.5, 0.0), (0.3, 0.0), (0.5, 0.2), (0.95, 0.0), (0.5, 0.5)):
                got = projects.by_category(db, year, low_below=low_below, zero_at_or_below=zero_at, **scope)
                want = reference(db, "pages/project_by_category", year=year, low_below=low_below,
                                 zero_at_or_below=zero_at, **scope)
                assert list(got.columns) == list(want.columns)
                pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=False, rtol=1e-12,
                                              obj=f"project_by_category {year} {scope} {low_below} {zero_at}")
            for limit in (1, 5, 50, 100_000):
                got = projects.worst(db, year, limit=limit, **scope)
                want = reference(db, "pages/worst_projects", year=year, limit=limit, **scope)
                used["fast" if len(got) == limit else "scan"] += 1
                pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"worst_projects {year} {scope} {limit}")
    assert used["fast"] and used["scan"]


def check_pages(db, thorough: bool = False) -> None:
    """Every page query against the base tables. `thorough`: the pickers for every scope, year
    and search text (once, on the demo data); otherwise a sample of them (after each change)."""
    years = [r[0] for r in db.con.execute("SELECT DISTINCT year FROM budget ORDER BY 1").fetchall()]
    keys = _units(db)
    check_projects(db, [years[0], years[-1]])
    same(db, "filters/options")
    for key in keys:
        for name in ("pages/unit_years", "pages/unit_scores", "pages/unit_projects"):
            same(db, name, unit_key=key)
        for year in (years[0], years[-1]):
            same(db, "pages/peer_percentiles", unit_key=key, year=year)
    same(db, "pages/unit_series", unit_keys=keys[:5])
    same(db, "pages/unit_labels", unit_keys=keys[:5] + ["code:没有"], year=None, **ALL)
    same(db, "pages/unit_labels", unit_keys=keys[3:6], year=years[-1], **_scopes(db)[1])
    for scope in _scopes(db):
        for metric in ("execution_rate", "carryover_change_rate", "self_score"):
            same(db, "pages/rate_spread_by_year", metric=metric, **scope)
    check_pickers(db, thorough)


def _search_texts(db) -> list[str | None]:
    """Search strings: none, a common character, a name's start and middle, a code (in another
    case), text that matches nothing, and % / _ (plain text, not wildcards)."""
    name, code = db.con.execute(
        "SELECT unit_name, unit_code FROM unit_year_rate WHERE unit_code IS NOT NULL "
        "ORDER BY unit_key, year LIMIT 1").fetchall()[0]
    return [None, "局", name[:2], name[1:3], code, code.upper(), code[:3], "没有这个单位", "%", "_"]


def check_pickers(db, thorough: bool = True) -> None:
    """pages/unit_list and pages/unit_search (from unit_pick) against the aggregate over every
    unit-year they replace, for every scope, year and search text (a sample of each unless
    `thorough`); pages/heatmap_units (units with one scope read as they stand) against the
    aggregate over every unit's scope rows."""
    years = [r[0] for r in db.con.execute("SELECT DISTINCT year FROM unit_year_rate ORDER BY 1").fetchall()]
    scopes, texts = _scopes(db), _search_texts(db)
    if not thorough:     # no filter, one filter, all three; no text, a name, a code, % (not a wildcard)
        scopes, texts = [scopes[0], scopes[1], scopes[5]], [texts[0], texts[2], texts[4], texts[8]]
    for scope in scopes:
        for year in (None, years[0], years[-1]):
            for limit in (5, 500):
                got = db.query("pages/unit_list", year=year, limit=limit, **scope)
                want = reference(db, "pages/unit_search", q=None, year=year, limit=limit, **scope)
                pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"unit_list {scope} {year} {limit}")
            for q in texts:
                same(db, "pages/unit_search", q=q, year=year, limit=50, **scope)
        for metric, ascending in (("execution_rate", True), ("carryover_change_rate", False), ("self_score", True)):
            for limit in (7, 500):
                same(db, "pages/heatmap_units", metric=metric, ascending=ascending, limit=limit, **scope)


DERIVED = {
    "unit_year_rate": ["unit_key", "year"],
    "unit_year_metric": ["metric", "unit_key", "year"],
    "group_year_total": ["year", "region", "level", "sector"],
    "unit_scope_latest": ["metric", "unit_key", "region", "level", "sector"],
    "unit_pick": ["unit_key", "whole", "first_year"],
    "unit_score": ["unit_id", "year", "score_of", "dimension"],
    "unit_project": ["unit_id", "year", "project_name"],
    "metric_spread": ["metric", "year", "all_region", "all_level", "all_sector", "region", "level", "sector"],
    "unit_flag": ["year", "position"],
    "project_category_total": ["year", "region", "level", "sector", "category"],
    "project_low": ["year", "unit_key", "project_name"],
}


def snapshot(db) -> dict[str, pd.DataFrame]:
    return {t: db.con.execute(f"SELECT * FROM {t}").df().sort_values(k, na_position="first").reset_index(drop=True)
            for t, k in DERIVED.items()}


def assert_as_rebuilt(db) -> None:
    """Every derived table holds what a full rebuild writes."""
    scoped = snapshot(db)
    with db.transaction() as cur:
        rates.refresh(cur, db)
    rebuilt = snapshot(db)
    for table in DERIVED:
        pd.testing.assert_frame_equal(scoped[table], rebuilt[table], check_dtype=False, obj=table)


def test_unit_ids_are_unique_and_cover_every_stored_key(demo_db):
    ids = demo_db.con.execute("SELECT count(*), count(DISTINCT unit_id), count(DISTINCT unit_key) FROM unit").fetchall()[0]
    assert ids[0] == ids[1] == ids[2]
    missing = demo_db.con.execute(
        "SELECT count(*) FROM (SELECT unit_key FROM budget UNION SELECT unit_key FROM score "
        "UNION SELECT unit_key FROM project) k ANTI JOIN unit USING (unit_key)").fetchall()[0][0]
    assert missing == 0


def test_the_profile_and_the_band_read_what_the_base_tables_give(demo_db):
    check_pages(demo_db, thorough=True)


def _budget_file(row, actual_spend: float, carryover: float) -> bytes:
    header = ["年度", "单位编码", "单位名称", "地区", "层级", "行业", "年初预算数", "调整后预算数",
              "实际支出数", "结转结余", "三公经费预算数", "三公经费实际数", "自评得分", "评价等级"]

    def text(v):
        return "" if v is None or pd.isna(v) else str(v)
    values = [row["year"], row["unit_code"], row["unit_name"], row["region"], row["level"], row["sector"],
              row["initial_budget"], row["adjusted_budget"], actual_spend, carryover,
              row["sangong_budget"], row["sangong_actual"], 61.5, "中"]
    new_unit = [row["year"], "NEW0001", "新设测试单位", row["region"], row["level"], row["sector"],
                100, 120, 30, 5, "", "", 70, "中"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([header, [text(v) for v in values], [text(v) for v in new_unit]])
    return buffer.getvalue().encode("utf-8")


def _projects_file(year: int, code: str, name: str) -> bytes:
    rows = [["年度", "单位编码", "单位名称", "项目名称", "项目类别", "预算数", "实际支出数"],
            [year, code, name, "测试新增项目", "专项", 80, 0],
            [year, "NEW0001", "新设测试单位", "新单位项目", "专项", 50, 49]]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def test_an_import_of_one_year_and_its_rollback_keep_every_figure(demo_db):
    before = snapshot(demo_db)
    unit = "code:620709"
    row = demo_db.con.execute("SELECT * FROM budget WHERE unit_key = ? AND year = 2022", [unit]).df().iloc[0]
    results = ingest.import_files(demo_db, [
        ("张掖2022更正.csv", _budget_file(row, 1234.5, 98.76)),
        ("张掖2022项目.csv", _projects_file(2022, row["unit_code"], row["unit_name"])),
    ])
    assert [r.changed for r in results] == [True, True]
    assert "code:NEW0001" in set(demo_db.query("pages/unit_labels", unit_keys=["code:NEW0001"], year=None, **ALL)["unit_key"])
    assert "测试新增项目" in set(demo_db.query("pages/unit_projects", unit_key=unit)["project_name"])
    check_pages(demo_db)
    assert_as_rebuilt(demo_db)

    for r in reversed(results):
        ingest.rollback(demo_db, r.batch_id)
    check_pages(demo_db)
    assert demo_db.query("pages/unit_years", unit_key="code:NEW0001").empty
    after = snapshot(demo_db)
    for table in DERIVED:
        if table in ("unit_score", "unit_project"):      # rows appended in another order
            continue
        pd.testing.assert_frame_equal(after[table], before[table], check_dtype=False, obj=table)
    for table in ("unit_score", "unit_project"):
        pd.testing.assert_frame_equal(after[table], before[table], check_dtype=False, obj=table)
    assert_as_rebuilt(demo_db)


def test_a_refresh_of_given_years_without_a_list_of_units_takes_every_unit_of_them(demo_db):
    with demo_db.transaction() as cur:
        cur.execute("UPDATE budget SET actual_spend = actual_spend + 1 WHERE year = 2021")
        rates.refresh(cur, demo_db, rates.affected_years([2021]))
    assert_as_rebuilt(demo_db)
    check_pages(demo_db)


@pytest.mark.parametrize("name", ["pages/unit_years", "pages/unit_scores", "pages/unit_projects"])
def test_an_unknown_unit_has_no_rows(demo_db, name):
    assert demo_db.query(name, unit_key="code:没有这个单位").empty


def test_the_unit_list_follows_moves_and_missing_codes(demo_db):
    """A unit that moved region in its latest year, lost its code in one year and lacks a level in
    another: the per-unit latest rows list it as the aggregate over its unit-years does."""
    keys = _units(demo_db)[:3]
    with demo_db.transaction() as cur:
        cur.execute("UPDATE budget SET region = '河南省开封市' WHERE unit_key = ? AND year = "
                    "(SELECT max(year) FROM budget WHERE unit_key = ?)", [keys[0], keys[0]])
        cur.execute("UPDATE budget SET unit_code = NULL WHERE unit_key = ? AND year = "
                    "(SELECT max(year) FROM budget WHERE unit_key = ?)", [keys[1], keys[1]])
        cur.execute("UPDATE budget SET level = NULL, unit_name = unit_name || '（改）' WHERE unit_key = ? AND year = "
                    "(SELECT max(year) FROM budget WHERE unit_key = ?)", [keys[2], keys[2]])
        rates.refresh(cur, demo_db)
    for scope in [*_scopes(demo_db), {**ALL, "region": "河南省开封市"}, {**ALL, "level": "县级"}]:
        got = demo_db.query("pages/unit_list", year=None, limit=1000, **scope)
        want = reference(demo_db, "pages/unit_search", q=None, year=None, limit=1000, **scope)
        pd.testing.assert_frame_equal(got, want, check_dtype=False, obj=f"unit_list {scope}")
    check_pickers(demo_db, thorough=False)
    assert_as_rebuilt(demo_db)


def test_the_pickers_follow_renames_moves_and_gaps(demo_db):
    """Units renamed in a middle year (the old name found by the search), moved and back, with a
    year missing, or with a code only in some years: unit_pick (several rows per unit) lists and
    finds them as the aggregate over their unit-years does — after a full rebuild and after a
    scoped refresh of one year."""
    keys = _units(demo_db)[3:8]
    years = [r[0] for r in demo_db.con.execute("SELECT DISTINCT year FROM budget ORDER BY 1").fetchall()]
    mid = years[len(years) // 2]
    with demo_db.transaction() as cur:
        cur.execute("UPDATE budget SET unit_name = '改名前单位甲' WHERE unit_key = ? AND year = ?", [keys[0], mid])
        cur.execute("UPDATE budget SET region = '河南省开封市' WHERE unit_key = ? AND year = ?", [keys[1], mid])
        for table in ("budget", "score", "project"):
            cur.execute(f"DELETE FROM {table} WHERE unit_key = ? AND year = ?", [keys[2], mid])
        cur.execute("UPDATE budget SET unit_code = NULL WHERE unit_key = ? AND year <> ?", [keys[3], mid])
        cur.execute("UPDATE budget SET level = NULL, sector = NULL WHERE unit_key = ? AND year = ?", [keys[4], years[-1]])
        rates.refresh(cur, demo_db)
    several = demo_db.con.execute("SELECT count(DISTINCT unit_key) FROM unit_pick WHERE variants > 1").fetchall()[0][0]
    assert several >= 4
    check_pickers(demo_db, thorough=False)
    for scope in (ALL, {**ALL, "region": "河南省开封市"}, _scopes(demo_db)[1]):
        same(demo_db, "pages/unit_search", q="改名前", year=None, limit=50, **scope)
        same(demo_db, "pages/unit_search", q="改名前", year=mid, limit=50, **scope)
    assert len(demo_db.query("pages/unit_search", q="改名前", year=None, limit=50, **ALL)) == 1
    with demo_db.transaction() as cur:
        cur.execute("UPDATE budget SET region = NULL WHERE unit_key = ? AND year = ?", [keys[0], years[0]])
        rates.refresh(cur, demo_db, rates.affected_years([years[0]]))
    check_pickers(demo_db, thorough=False)
    assert_as_rebuilt(demo_db)
