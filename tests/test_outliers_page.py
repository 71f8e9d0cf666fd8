"""The 异常预警 page (AppTest against a private demo database): the table is flags_for_year,
the KPIs count it, the kind / severity filters narrow it, downloads and charts are there; the
charts stay bounded at province scale (20,000 units)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from perfdash import labels
from perfdash.derive import outliers
from perfdash.derive import open_current

YEAR = 2022
PAGE = "app_pages/outliers.py"


@pytest.fixture
def expected(demo_db_path):
    """flags_for_year on the same database, computed before the app opens it."""
    db = open_current(demo_db_path)
    flags = outliers.flags_for_year(db, YEAR)
    total = len(db.query("rates/unit_rates", year=YEAR, region=None, level=None, sector=None))
    db.close()
    return flags, total


@pytest.fixture
def page(app):
    at = app(query_params={"year": str(YEAR)})
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at):
    assert len(at.dataframe) == 1
    return at.dataframe[0].value


def test_table_rows_are_the_flags_of_the_year(page, expected):
    flags, total = expected
    assert len(flags) > 5
    table = _table(page)
    assert len(table) == len(flags)
    shown = sorted(zip(table["单位名称"], table["说明"], table["类型"], table["程度"]))
    wanted = sorted(zip(flags["unit_name"], flags["reason"], flags["kind"].map(labels.FLAG_KIND_LABELS),
                        flags["severity"].map(labels.SEVERITY_LABELS)))
    assert shown == wanted
    assert list(table["程度"]) == sorted(table["程度"], key=lambda s: s != "严重"), "严重 first"
    assert "平顶山市政务服务和大数据管理局" in set(table["单位名称"])

    kpis = {m.label: m.value for m in page.metric}
    s = outliers.summary(flags, total)
    assert kpis["预警"] == f"{s['by_kind']['warning']} 条"
    assert kpis["异常"] == f"{s['by_kind']['statistical']} 条"
    assert kpis["自评虚高"] == f"{s['by_kind']['inflation']} 条"
    assert kpis["严重"] == f"{s['by_severity']['high']} 条"
    assert kpis["涉及单位"] == f"{flags['unit_key'].nunique()} / {total}"


def test_kind_and_severity_filters_narrow_the_table(page, expected):
    flags, _ = expected
    page.pills(key="ol_kinds").set_value(["自评虚高"]).run()
    table = _table(page)
    inflation = flags[flags["kind"] == "inflation"]
    assert len(table) == len(inflation) >= 1
    assert set(table["类型"]) == {"自评虚高"}
    assert "郑州市政务服务办公室" in set(table["单位名称"])

    page.pills(key="ol_kinds").set_value(["预警", "异常"]).run()
    page.pills(key="ol_severities").set_value(["严重"]).run()
    table = _table(page)
    wanted = flags[flags["kind"].isin(["warning", "statistical"]) & (flags["severity"] == "high")]
    assert len(table) == len(wanted) < len(flags)
    assert set(table["程度"]) == {"严重"}

    page.pills(key="ol_severities").set_value([]).run()
    assert not page.exception
    assert len(page.dataframe) == 0
    assert any("没有符合" in i.value for i in page.info)


def test_downloads_and_charts(page, expected):
    flags, _ = expected
    buttons = page.get("download_button")
    labels = [b.proto.label for b in buttons]
    assert "下载 CSV" in labels and "下载 Excel" in labels

    def charts():
        found = [json.loads(c.proto.spec) for c in page.get("plotly_chart")]
        return {c["layout"]["title"]["text"]: c for c in found}

    # Only the open tab is drawn: the first (预算执行率) on arrival.
    assert list(charts()) == [f"{YEAR} 年各单位预算执行率"]
    strip = charts()[f"{YEAR} 年各单位预算执行率"]
    flagged_keys = set(flags.loc[flags["metric"] == "execution_rate", "unit_key"])
    marked = {k[0] for t in strip["data"] if t.get("name", "").startswith(("严重", "关注"))
              for k in t["customdata"]}
    assert marked == flagged_keys

    page.session_state["ol_tab"] = "自评与执行"
    page.run()
    assert not page.exception
    assert list(charts()) == [f"{YEAR} 年预算执行率与自评得分（★ 为自评虚高）"]
    scatter = charts()[f"{YEAR} 年预算执行率与自评得分（★ 为自评虚高）"]
    starred = [t for t in scatter["data"] if t.get("name", "").startswith("自评虚高")]
    assert starred and "郑州市政务服务办公室" in [name for t in starred for name in t["text"]]

    page.session_state["ol_tab"] = "结转结余率"
    page.run()
    strip = charts()[f"{YEAR} 年各单位结转结余率"]
    marked = {k[0] for t in strip["data"] if t.get("name", "").startswith(("严重", "关注")) for k in t["customdata"]}
    assert marked == set(flags.loc[flags["metric"] == "carryover_rate", "unit_key"]) != set()


def _province(n: int = 20_000):
    """n synthetic units, about 8 % under the execution target; flags = the warning-line cases."""
    from perfdash.config import load_config

    config = load_config()
    rng = np.random.default_rng(7)
    low = rng.random(n) < 0.08
    rates = pd.DataFrame({
        "unit_key": [f"code:{i:06d}" for i in range(n)], "unit_name": [f"某县第{i}单位<局>" for i in range(n)],
        "level": rng.choice(["省级", "市级", "县级"], n, p=[0.05, 0.25, 0.7]),
        "execution_rate": np.where(low, rng.uniform(0.4, 0.9, n), rng.uniform(0.9, 0.995, n)),
        "self_score": rng.uniform(80, 99, n), "grade": rng.choice(["优", "良"], n),
    })
    t = config.thresholds["execution_rate"]
    sev = rates["execution_rate"].map(t.severity)
    hit = rates[sev.notna()]
    flags = pd.DataFrame({"unit_key": hit["unit_key"], "unit_name": hit["unit_name"], "metric": "execution_rate",
                          "severity": sev[sev.notna()], "kind": "warning", "reason": "预算执行率低于目标"})
    return config, rates, flags


def test_strip_at_province_scale_draws_every_flag_and_a_bounded_sample():
    """20,000 units: boxes from quartiles (no per-unit data), every flagged unit a dot, at most
    MAX_POINTS other units (the same ones on every run), hover names from customdata."""
    from perfdash.present.charts import outliers as charts

    config, rates, flags = _province()
    fig = charts.metric_strip(rates, flags, "execution_rate", config)
    others = [t for t in fig.data if t.type == "scatter" and t.name.startswith("未标注单位")]
    drawn = [k[0] for t in others for k in t.customdata]
    assert len(drawn) == charts.MAX_POINTS == len(set(drawn))
    assert others[0].name == f"未标注单位（抽样 {charts.MAX_POINTS:,} / {len(rates) - len(flags):,} 个）"
    marked = {k[0] for t in fig.data if t.name.startswith(("严重", "关注")) for k in t.customdata}
    assert marked == set(flags["unit_key"]) and not marked & set(drawn)
    again = charts.metric_strip(rates, flags, "execution_rate", config)
    assert [k[0] for t in again.data if t.type == "scatter" and t.name.startswith("未标注单位")
            for k in t.customdata] == drawn
    by_key = rates.set_index("unit_key")
    first = others[0]
    assert first.customdata[0][1] == by_key.loc[first.customdata[0][0], "unit_name"].replace("<", "&lt;").replace(">", "&gt;")
    assert "%{customdata[1]}" in first.hovertemplate and first.text is None
    boxes = {t.name: t for t in fig.data if t.type == "box"}
    county = rates.loc[rates["level"] == "县级", "execution_rate"].clip(*fig.layout.yaxis.range)
    assert boxes["县级"].median[0] == pytest.approx(float(np.median(county)))
    assert boxes["县级"].y is None                         # five numbers, not 14,000 values
    assert sum(len(t.x) for t in fig.data if t.type == "scatter") == charts.MAX_POINTS + len(flags)


def test_strip_with_more_flags_than_points_keeps_the_severe_ones():
    from perfdash.present.charts import outliers as charts

    config, rates, flags = _province()
    many = flags.assign(severity="medium")
    many.loc[many.index[:50], "severity"] = "high"
    more = rates[~rates["unit_key"].isin(flags["unit_key"])].head(charts.MAX_POINTS)
    extra = more[["unit_key", "unit_name"]].assign(metric="execution_rate", severity="medium", kind="statistical",
                                                    reason="与同级单位相比偏离较大")
    fig = charts.metric_strip(rates, pd.concat([many, extra]), "execution_rate", config)
    severe = [k[0] for t in fig.data if t.name.startswith("严重") for k in t.customdata]
    medium = [t for t in fig.data if t.name.startswith("关注")]
    assert len(severe) == 50
    assert sum(len(t.x) for t in medium) == charts.MAX_POINTS - 50
    assert f"图中 {charts.MAX_POINTS - 50:,} 个" in medium[0].name


def test_execution_vs_score_at_province_scale_is_bounded():
    from perfdash.present.charts import outliers as charts

    config, rates, flags = _province()
    inflation = flags.head(30).assign(kind="inflation")
    fig = charts.execution_vs_score(rates, inflation, config)
    others = [t for t in fig.data if t.name.startswith("其他单位")]
    assert sum(len(t.x) for t in others) == charts.MAX_POINTS
    starred = [k[0] for t in fig.data if t.name.startswith("自评虚高") for k in t.customdata]
    assert sorted(starred) == sorted(inflation["unit_key"])
