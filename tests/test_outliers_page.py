"""The 异常预警 page (AppTest against a private demo database): the table is flags_for_year,
the KPIs count it, the kind / severity filters narrow it, downloads and charts are there."""
from __future__ import annotations

import json

import pytest

from perfdash import outliers
from perfdash.db import open_database

YEAR = 2022
PAGE = "pages/outliers.py"


@pytest.fixture
def expected(demo_db_path):
    """flags_for_year on the same database, computed before the app opens it."""
    db = open_database(demo_db_path)
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
    wanted = sorted(zip(flags["unit_name"], flags["reason"], flags["kind"].map(outliers.KIND_LABELS),
                        flags["severity"].map(outliers.SEVERITY_LABELS)))
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

    charts = [json.loads(c.proto.spec) for c in page.get("plotly_chart")]
    titles = [c["layout"]["title"]["text"] for c in charts]
    assert f"{YEAR} 年各单位预算执行率" in titles
    scatter = charts[titles.index(f"{YEAR} 年预算执行率与自评得分（★ 为自评虚高）")]
    starred = [t for t in scatter["data"] if t.get("name", "").startswith("自评虚高")]
    assert starred and "郑州市政务服务办公室" in starred[0]["text"]

    strip = charts[titles.index(f"{YEAR} 年各单位预算执行率")]
    flagged_keys = set(flags.loc[flags["metric"] == "execution_rate", "unit_key"])
    marked = {k[0] for t in strip["data"] if t.get("name", "").startswith(("严重", "关注"))
              for k in t["customdata"]}
    assert marked == flagged_keys
