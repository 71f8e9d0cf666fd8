"""The 异常预警 page's bounded SQL gives what the old whole-frame computation gave: the page used
to load every unit (rates/unit_rates.sql) and every flag of the year (flags_for_year) and count,
filter and chart them in pandas. Here the old computation runs in the test and is compared with
perfdash.derive.flag_list (counts and the paged list) and the SQL-built chart parts
(perfdash.present.charts.outlier_points) on the demo data, with and without filters — and with
unit_flag out of date, where the frames are used as before."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from perfdash import labels
from perfdash.derive import flag_list, outliers
from perfdash.present.charts import outlier_points
from perfdash.present.charts import outliers as charts
from perfdash.store.connection import run

SCOPES = [
    dict(region=None, level=None, sector=None),
    dict(region=None, level="县级", sector=None),
    dict(region="河南省洛阳市", level=None, sector=None),
    dict(region="河南省平顶山市", level="市级", sector=None),
]
IDS = ["all", "county", "luoyang", "pingdingshan"]
STRIP_METRICS = ["execution_rate", "carryover_rate", "adjustment_rate", "sangong_control_rate",
                 "procurement_execution_rate", "funds_arrival_rate", "carryover_change_rate"]


def stale(db) -> None:
    """Make unit_flag look computed under other rules: every path falls back to the frames."""
    with db.transaction() as cur:
        run(cur, "db/set_meta", key=outliers.FLAGS_KEY, value="other rules")
    assert not outliers.flags_current(db)


@pytest.mark.parametrize("scope", SCOPES, ids=IDS)
def test_summary_counts_equal_the_frame_summary(demo_db, scope):
    for year in (2021, 2022, 2023):
        total = len(demo_db.query("rates/unit_rates", year=year, **scope))
        old = outliers.summary(outliers.flags_for_year(demo_db, year, **scope), total)
        assert flag_list.summary(demo_db, year, units_total=total, **scope) == old
    assert old["units_total"] == total


def test_summary_has_flags_to_count(demo_db):
    s = flag_list.summary(demo_db, 2022, units_total=93, region=None, level=None, sector=None)
    assert s["by_kind"]["warning"] > 0 and s["by_kind"]["inflation"] > 0 and s["units_high"] > 0


CHOICES = [
    (list(labels.FLAG_KINDS), list(labels.SEVERITIES)),
    (["inflation"], list(labels.SEVERITIES)),
    (["warning", "statistical"], ["high"]),
    (["data", "warning"], ["medium"]),
    ([], ["high"]),
]


@pytest.mark.parametrize("scope", SCOPES[:3], ids=IDS[:3])
@pytest.mark.parametrize("out_of_date", [False, True], ids=["stored", "computed"])
def test_list_pages_and_counts_equal_the_filtered_frame(demo_db, scope, out_of_date):
    old_all = outliers.flags_for_year(demo_db, 2022, **scope)
    if out_of_date:
        stale(demo_db)
    for kinds, severities in CHOICES:
        old = old_all[old_all["kind"].isin(kinds) & old_all["severity"].isin(severities)].reset_index(drop=True)
        total, units = flag_list.counted(demo_db, 2022, kinds=kinds, severities=severities, **scope)
        assert (total, units) == (len(old), old["unit_key"].nunique())
        whole = flag_list.listed(demo_db, 2022, kinds=kinds, severities=severities, limit=None, **scope)
        if old.empty:
            assert whole.empty and list(whole.columns) == list(old.columns)
        else:
            pd.testing.assert_frame_equal(outliers.display_frame(whole), outliers.display_frame(old))
        assert whole["unit_key"].tolist() == old["unit_key"].tolist()
        for offset in (0, 3):
            page = flag_list.listed(demo_db, 2022, kinds=kinds, severities=severities, limit=3, offset=offset,
                                    **scope)
            assert page["reason"].tolist() == old["reason"].iloc[offset:offset + 3].tolist()
            assert page["unit_key"].tolist() == old["unit_key"].iloc[offset:offset + 3].tolist()
    assert len(old_all) > 3 or scope["region"]


def _traces(fig, near: bool = False) -> list:
    """Each trace's name, texts, points and customdata; with near, x and y as pytest.approx (1e-12)."""
    def approx(values):
        return pytest.approx(values, abs=1e-12) if near else values

    out = []
    for t in fig.data:
        def seq(v):
            return [] if v is None else list(v)
        out.append((t.type, t.name, seq(t.text) if t.type == "scatter" else None,
                    approx([float(v) for v in seq(t.x)]),
                    approx([float(v) for v in seq(t.y)]) if t.type == "scatter" else None,
                    [[str(c) for c in row] for row in seq(t.customdata)] if t.type == "scatter" else None))
    return out


def _same_frame(new: pd.DataFrame, old: pd.DataFrame, columns) -> None:
    assert new["unit_key"].tolist() == old["unit_key"].tolist()
    for c in columns:
        a, b = new[c].tolist(), old[c].tolist()
        if c in ("x", "y") or c.endswith("rate") or c == "self_score":
            assert a == pytest.approx(b, abs=1e-12), c
        else:
            assert a == b, c


@pytest.mark.parametrize("scope", SCOPES, ids=IDS)
def test_strip_parts_from_sql_equal_the_frame_parts(demo_db, scope):
    config = demo_db.config
    for year in (2021, 2022):
        rates = demo_db.query("rates/unit_rates", year=year, **scope)
        if rates.empty:
            continue
        flags = outliers.flags_for_year(demo_db, year, **scope)
        for metric_id in STRIP_METRICS:
            if rates[metric_id].isna().all():
                continue
            old = charts.strip_parts(rates, flags, metric_id, config)
            new = outlier_points.strip_parts_sql(demo_db, demo_db.query, config, metric_id, year=year, **scope)
            assert new.levels == old.levels and new.counts.tolist() == old.counts.tolist()
            assert (new.lo, new.hi) == pytest.approx((old.lo, old.hi), abs=1e-12)
            assert new.boxes.keys() == old.boxes.keys()
            for code, box in old.boxes.items():
                assert {k: v[0] for k, v in new.boxes[code].items()} == pytest.approx(
                    {k: v[0] for k, v in box.items()}, abs=1e-12)
            assert (new.normal_total, new.flagged_totals) == (old.normal_total, old.flagged_totals)
            columns = ["unit_name", "level", "code", "x", "y", "clipped", metric_id]
            _same_frame(new.normal, old.normal, columns)
            _same_frame(new.flagged, old.flagged, [*columns, "severity", "kind", "reason"])
            a = charts.draw_strip(new, metric_id, config)
            b = charts.metric_strip(rates, flags, metric_id, config)
            assert _traces(a) == _traces(b, near=True)
            assert a.layout.xaxis.ticktext == b.layout.xaxis.ticktext
            assert a.layout.yaxis.range == pytest.approx(b.layout.yaxis.range, abs=1e-12)


def test_strip_parts_cover_flags_on_the_demo_data(demo_db):
    parts = outlier_points.strip_parts_sql(demo_db, demo_db.query, demo_db.config, "execution_rate", year=2022)
    assert len(parts.flagged) >= 5 and parts.boxes and parts.normal["clipped"].dtype == bool


def test_strip_points_past_the_limit_keep_clipped_then_a_hash_sample_and_the_severe_flags(demo_db, by_sample_key):
    config = demo_db.config
    rates = demo_db.query("rates/unit_rates", year=2022, region=None, level=None, sector=None)
    flags = outliers.flags_for_year(demo_db, 2022)
    full = outlier_points.strip_parts_sql(demo_db, demo_db.query, config, "execution_rate", year=2022)
    limit = 6
    small = outlier_points.strip_parts_sql(demo_db, demo_db.query, config, "execution_rate", year=2022, limit=limit)
    assert len(full.flagged) > limit and len(full.normal) > limit
    assert (small.normal_total, small.flagged_totals) == (full.normal_total, full.flagged_totals)
    # the other units: the clipped ones first (in name order), then the smallest hash(unit_key)
    clipped = full.normal[full.normal["clipped"]]
    rest = full.normal[~full.normal["clipped"]]
    wanted = clipped.head(limit)["unit_key"].tolist()
    wanted += by_sample_key(rest["unit_key"])[:limit - len(wanted)]
    assert sorted(small.normal["unit_key"]) == sorted(wanted) and len(small.normal) == limit
    # x and y of a drawn unit do not depend on the bound (its rank is over every unit)
    both = small.normal.merge(full.normal, on="unit_key")
    assert both["x_x"].tolist() == both["x_y"].tolist() and both["y_x"].tolist() == both["y_y"].tolist()
    # the flagged: 严重 first, then the furthest from the median — as the frame code chose them
    median = rates["execution_rate"].median()
    order = full.flagged.assign(_s=(full.flagged["severity"] != "high").astype(int),
                                _d=-(full.flagged["execution_rate"] - median).abs())
    assert small.flagged["unit_key"].tolist() == order.sort_values(["_s", "_d"])["unit_key"].head(limit).tolist()
    fig = charts.draw_strip(small, "execution_rate", config)
    names = [t.name for t in fig.data if t.type == "scatter"]
    assert f"未标注单位（抽样 {limit} / {full.normal_total} 个）" in names
    assert len(flags) > 0


@pytest.mark.parametrize("scope", SCOPES, ids=IDS)
def test_score_parts_from_sql_equal_the_frame_parts(demo_db, scope):
    config = demo_db.config
    rates = demo_db.query("rates/unit_rates", year=2022, **scope)
    flags = outliers.flags_for_year(demo_db, 2022, **scope)
    old = charts.score_parts(rates, flags, config)
    new = outlier_points.score_parts_sql(demo_db, demo_db.query, config, year=2022, **scope)
    assert (new.lo, new.hi) == pytest.approx((old.lo, old.hi), abs=1e-12)
    assert new.y_min == old.y_min
    assert (new.normal_total, new.marked_totals) == (old.normal_total, old.marked_totals)
    columns = ["unit_name", "level", "execution_rate", "self_score", "grade", "x", "clipped"]
    _same_frame(new.normal, old.normal, columns)
    _same_frame(new.marked, old.marked, [*columns, "severity", "reason"])
    a = charts.draw_score(new, config)
    b = charts.execution_vs_score(rates, flags, config)
    assert _traces(a) == _traces(b, near=True)
    assert a.layout.yaxis.range == pytest.approx(b.layout.yaxis.range)
    if scope["region"] is None and scope["level"] is None:
        assert len(new.marked) >= 1


def test_score_points_past_the_limit(demo_db, by_sample_key):
    config = demo_db.config
    full = outlier_points.score_parts_sql(demo_db, demo_db.query, config, year=2022)
    small = outlier_points.score_parts_sql(demo_db, demo_db.query, config, year=2022, limit=5)
    assert len(small.normal) == 5 < full.normal_total == small.normal_total
    clipped = full.normal[full.normal["clipped"]]["unit_key"].tolist()
    rest = full.normal[~full.normal["clipped"]]
    wanted = clipped[:5] + by_sample_key(rest["unit_key"])[:5 - len(clipped[:5])]
    assert sorted(small.normal["unit_key"]) == sorted(wanted)
    one = outlier_points.score_parts_sql(demo_db, demo_db.query, config, year=2022, limit=1)
    assert len(one.marked) == 1 and one.marked_totals == full.marked_totals
    high = full.marked[full.marked["severity"] == "high"]
    assert one.marked["unit_key"].tolist() == (high if len(high) else full.marked)["unit_key"].head(1).tolist()


@pytest.mark.parametrize("metric_id", ["execution_rate", "carryover_rate"])
def test_out_of_date_flags_fall_back_to_the_frames(demo_db, metric_id):
    config = demo_db.config
    stored = outlier_points.strip_parts_sql(demo_db, demo_db.query, config, metric_id, year=2022)
    stale(demo_db)
    rates = demo_db.query("rates/unit_rates", year=2022, region=None, level=None, sector=None)
    old = charts.strip_parts(rates, outliers.flags_for_year(demo_db, 2022), metric_id, config)
    new = outlier_points.strip_parts_sql(demo_db, demo_db.query, config, metric_id, year=2022)
    assert new.flagged["unit_key"].tolist() == old.flagged["unit_key"].tolist() == stored.flagged["unit_key"].tolist()
    score = outlier_points.score_parts_sql(demo_db, demo_db.query, config, year=2022)
    assert score.marked["unit_key"].tolist() == charts.score_parts(rates, outliers.flags_for_year(demo_db, 2022),
                                                                   config).marked["unit_key"].tolist()


def test_outliers_page_with_a_filter_shows_the_old_counts_and_table(app, demo_db):
    scope = dict(region=None, level="县级", sector=None)
    total = len(demo_db.query("rates/unit_rates", year=2022, **scope))
    flags = outliers.flags_for_year(demo_db, 2022, **scope)
    s = outliers.summary(flags, total)
    at = app(query_params={"year": "2022", "level": "县级"})
    at.run()
    at.switch_page("app_pages/outliers.py").run()
    assert not at.exception, [e.value for e in at.exception]
    kpis = {m.label: m.value for m in at.metric}
    assert kpis["预警"] == f"{s['by_kind']['warning']} 条" and kpis["严重"] == f"{s['by_severity']['high']} 条"
    assert kpis["涉及单位"] == f"{s['units_flagged']} / {total}"
    table = at.dataframe[0].value
    assert table["说明"].tolist() == flags["reason"].tolist() and len(flags) > 0
    assert any(f"**{len(flags)} 条提示**，涉及 {flags['unit_key'].nunique()} 个单位。" in m.value for m in at.markdown)
    assert np.all(table["层级"] == "县级")


# outliers/strip_points before it read unit_year_metric's percentile and the names of the drawn
# units only: every unit of the scope ranked by two windows, names joined for every unit
OLD_STRIP_POINTS = """
WITH present AS (
    SELECT m.unit_key, u.unit_name, coalesce(m.level, '未填层级') AS level, m.value,
           greatest(least(m.value, $hi), $lo) AS y
    FROM unit_year_metric AS m
    JOIN unit_year_rate AS u ON u.year = m.year AND u.unit_id = m.unit_id
    WHERE m.metric = $metric
      AND m.year = $year
      AND m.value IS NOT NULL
      AND ($region IS NULL OR m.region = $region)
      AND ($level  IS NULL OR m.level  = $level)
      AND ($sector IS NULL OR m.sector = $sector)
),
ranked AS (
    -- row_number() over (level; value, unit_name, unit_key), in two cheaper windows: the units
    -- below in value, then the place among equal values by name (sorting every name is slow)
    SELECT *, y <> value AS clipped,
           rank() OVER (PARTITION BY level ORDER BY value)
           + row_number() OVER (PARTITION BY level, value ORDER BY unit_name, unit_key) - 1 AS level_rank
    FROM present
),
worst AS (
    SELECT unit_key, severity, kind, reason
    FROM unit_flag
    WHERE year = $year
      AND metric = $metric
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
    QUALIFY row_number() OVER (
        PARTITION BY unit_key
        ORDER BY CASE severity WHEN 'high' THEN 0 ELSE 1 END,
                 CASE kind WHEN 'warning' THEN 0 WHEN 'inflation' THEN 1 WHEN 'statistical' THEN 2 END NULLS LAST,
                 position) = 1
),
joined AS (
    SELECT r.*, w.severity, w.kind, w.reason, w.unit_key IS NOT NULL AS is_flagged,
           abs(r.value - (SELECT median(value) FROM present)) AS distance
    FROM ranked AS r
    LEFT JOIN worst AS w USING (unit_key)
),
totals AS (      -- aggregates, not window counts: count(*) FILTER … OVER () is far slower
    SELECT count(*) FILTER (NOT is_flagged) AS normal_total, count(*) FILTER (is_flagged) AS flagged_total,
           count(*) FILTER (severity = 'high') AS high_total, count(*) FILTER (severity = 'medium') AS medium_total
    FROM joined
),
normal AS (
    SELECT 'normal' AS part, j.*
    FROM joined AS j
    CROSS JOIN totals AS t
    WHERE NOT j.is_flagged
    ORDER BY j.clipped DESC, CASE WHEN j.clipped THEN j.unit_name END, CASE WHEN j.clipped THEN j.unit_key END,
             CASE WHEN t.normal_total > $limit THEN hash(j.unit_key) END, j.unit_key
    LIMIT $limit
),
flagged AS (
    SELECT 'flagged' AS part, *
    FROM joined
    WHERE is_flagged
    ORDER BY severity <> 'high', distance DESC, unit_name, unit_key
    LIMIT $limit
)
SELECT d.part, d.unit_key, d.unit_name, d.level, d.value, d.y, d.clipped, d.level_rank, d.severity, d.kind,
       d.reason, CASE d.part WHEN 'normal' THEN t.normal_total ELSE t.flagged_total END AS part_total,
       t.high_total, t.medium_total
FROM (SELECT * FROM normal UNION ALL SELECT * FROM flagged) AS d
CROSS JOIN totals AS t
ORDER BY d.part DESC,
         CASE WHEN d.part = 'flagged' AND t.flagged_total > $limit THEN d.severity <> 'high' END,
         CASE WHEN d.part = 'flagged' AND t.flagged_total > $limit THEN d.distance END DESC,
         d.unit_name, d.unit_key;"""


@pytest.mark.parametrize("scope", [*SCOPES, dict(region=None, level=None, sector="卫生健康"),
                                   dict(region="河南省洛阳市", level="县级", sector="教育")])
def test_strip_points_equal_the_old_sql(demo_db, scope):
    """Row for row, with ties of value (rounded rates), clipped units and limits below the totals."""
    used = {"clipped": 0, "tied": 0, "sampled": 0}
    for year in (2021, 2022, 2023):
        for metric in STRIP_METRICS:
            for lo, hi, limit in ((0.0, 1.2, 2000), (0.9, 1.0, 2000), (0.9, 1.0, 7), (0.5, 0.99, 3)):
                params = dict(year=year, metric=metric, lo=lo, hi=hi, limit=limit, **scope)
                got = demo_db.query("outliers/strip_points", **params)
                want = demo_db.con.execute(OLD_STRIP_POINTS, params).df()
                assert list(got.columns) == list(want.columns)
                pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=True, obj=str(params))
                used["clipped"] += int(got["clipped"].sum())
                used["sampled"] += int((got["part_total"] > limit).sum())
                used["tied"] += int(got.duplicated(["level", "value"], keep=False).sum())
    if scope["sector"] is None and scope["region"] is None:
        assert all(used.values()), used


# outliers/strip_stats and strip_boxes before their quantiles came from one list-valued quantile
OLD_STRIP_STATS = """
SELECT level, grouping(level) = 1 AS is_total,
       count(*) AS units, count(value) AS with_value,
       quantile_cont(value, 0.02) AS q02, quantile_cont(value, 0.5) AS median,
       quantile_cont(value, 0.98) AS q98, min(value) AS vmin, max(value) AS vmax
FROM unit_year_metric
WHERE metric = $metric
  AND year = $year
  AND ($region IS NULL OR region = $region)
  AND ($level  IS NULL OR level  = $level)
  AND ($sector IS NULL OR sector = $sector)
GROUP BY GROUPING SETS ((level), ())
ORDER BY is_total, level;"""
OLD_STRIP_BOXES = """
WITH ys AS (
    SELECT coalesce(level, '未填层级') AS level, greatest(least(value, $hi), $lo) AS y
    FROM unit_year_metric
    WHERE metric = $metric
      AND year = $year
      AND value IS NOT NULL
      AND ($region IS NULL OR region = $region)
      AND ($level  IS NULL OR level  = $level)
      AND ($sector IS NULL OR sector = $sector)
),
quartiles AS (
    SELECT level, count(*) AS n, quantile_cont(y, 0.25) AS q1, quantile_cont(y, 0.5) AS median,
           quantile_cont(y, 0.75) AS q3
    FROM ys
    GROUP BY level
)
SELECT q.level, q.n, q.q1, q.median, q.q3,
       min(ys.y) FILTER (ys.y >= q.q1 - 1.5 * (q.q3 - q.q1)) AS lowerfence,
       max(ys.y) FILTER (ys.y <= q.q3 + 1.5 * (q.q3 - q.q1)) AS upperfence
FROM quartiles AS q
JOIN ys USING (level)
GROUP BY q.level, q.n, q.q1, q.median, q.q3
ORDER BY q.level;"""


@pytest.mark.parametrize("scope", [*SCOPES, dict(region=None, level=None, sector="卫生健康")])
def test_strip_stats_and_boxes_equal_the_old_sql(demo_db, scope):
    for year in (2021, 2022, 2023, 1990):
        for metric in STRIP_METRICS:
            params = dict(year=year, metric=metric, **scope)
            got = demo_db.query("outliers/strip_stats", **params)
            pd.testing.assert_frame_equal(got, demo_db.con.execute(OLD_STRIP_STATS, params).df(),
                                          check_dtype=False, check_exact=True, obj=f"strip_stats {params}")
            for lo, hi in ((0.0, 1.2), (0.9, 1.0)):
                got = demo_db.query("outliers/strip_boxes", lo=lo, hi=hi, **params)
                want = demo_db.con.execute(OLD_STRIP_BOXES, dict(lo=lo, hi=hi, **params)).df()
                pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=True, obj=f"strip_boxes {params} {lo} {hi}")
