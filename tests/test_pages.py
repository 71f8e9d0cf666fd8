"""The dashboard pages under Streamlit's AppTest, checked against the SQL results on the demo
data (seed reports + generated demo set): KPI values, chart series, tables, URL filters,
click-to-profile and empty states."""
from __future__ import annotations

import base64
import json
import time

import numpy as np

import pandas as pd
import pytest

from perfdash import metrics
from perfdash.derive import outliers
from perfdash.config import PROJECT_ROOT as ROOT
from perfdash.security import markdown_literal as md

PAGES = {
    "overview": "app_pages/overview.py",
    "trends": "app_pages/trends.py",
    "unit_profile": "app_pages/unit_profile.py",
    "ranking": "app_pages/ranking.py",
    "projects": "app_pages/projects.py",
    "definitions": "app_pages/definitions.py",
}
TITLES = {"overview": "总览", "trends": "趋势", "unit_profile": "单位画像", "ranking": "排名对比",
          "projects": "项目执行", "definitions": "口径说明"}
ALL = dict(region=None, level=None, sector=None)
ZHENGZHOU = "name:河南省郑州市|郑州市政务服务办公室"


def open_page(app, page: str, **params):
    at = app(query_params={k: str(v) for k, v in params.items()})
    at.run()
    if page != "overview":
        at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metric_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def metric_deltas(at) -> dict[str, str]:
    return {m.label: m.proto.delta for m in at.metric}


def _decode(node):
    """Plotly ships numeric arrays as base64 typed arrays ({"dtype", "bdata", "shape"}): back to lists."""
    if isinstance(node, dict):
        if "bdata" in node and "dtype" in node:
            values = np.frombuffer(base64.b64decode(node["bdata"]), dtype=np.dtype(node["dtype"]))
            if "shape" in node:
                values = values.reshape([int(s) for s in str(node["shape"]).split(",")])
            return values.tolist()
        return {k: _decode(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_decode(v) for v in node]
    return node


def figures(at) -> list[dict]:
    return [_decode(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def figure_titled(at, text: str) -> dict:
    found = [f for f in figures(at) if text in f["layout"].get("title", {}).get("text", "")]
    assert found, f"no chart titled …{text}… among {[f['layout'].get('title', {}).get('text') for f in figures(at)]}"
    return found[0]


def texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [a.value for a in (*at.info, *at.warning, *at.error, *at.success)]
    parts += [h.value for h in (*at.title, *at.header, *at.subheader)]
    return "\n".join(parts)


# -- overview ------------------------------------------------------------------------------


def test_overview_kpis_equal_the_weighted_sql(app, demo_db):
    totals = demo_db.query("rates/weighted_by_group", group_by="all", year_from=2021, year_to=2022, **ALL)
    now, prev = totals[totals["year"] == 2022].iloc[0], totals[totals["year"] == 2021].iloc[0]
    flags = outliers.flags_for_year(demo_db, 2022, **ALL)
    flags_prev = outliers.flags_for_year(demo_db, 2021, **ALL)
    warned = flags.loc[flags["kind"] == "warning", "unit_key"].nunique()
    warned_prev = flags_prev.loc[flags_prev["kind"] == "warning", "unit_key"].nunique()

    at = open_page(app, "overview", year=2022)
    values, deltas = metric_values(at), metric_deltas(at)
    assert values["单位数"] == f"{int(now['unit_count']):,}"
    assert values["调整后预算数（万元）"] == metrics.fmt_amount(now["budget"])
    assert values["实际支出数（万元）"] == metrics.fmt_amount(now["actual_spend"])
    assert values["预算执行率"] == metrics.fmt_rate(now["execution_rate"])
    assert deltas["预算执行率"] == metrics.fmt_pp(now["execution_rate"] - prev["execution_rate"])
    assert values["结转结余率"] == metrics.fmt_rate(now["carryover_rate"])
    assert deltas["结转结余率"] == metrics.fmt_pp(now["carryover_rate"] - prev["carryover_rate"])
    assert values["预算调整率"] == metrics.fmt_rate(now["adjustment_rate"])
    assert values["平均自评得分"] == metrics.fmt_score(now["avg_self_score"])
    assert values["有预警的单位数"] == f"{warned:,}"
    assert deltas["有预警的单位数"] == f"{warned - warned_prev:+,d}"
    # The weighted rate is Σ spend / Σ budget, not a mean of the units' rates.
    units = demo_db.query("rates/unit_rates", year=2022, **ALL)
    assert now["execution_rate"] != pytest.approx(units["execution_rate"].mean(), abs=1e-6)


@pytest.mark.parametrize("scope", [{}, {"level": "县级"}])
def test_overview_attention_list_matches_the_flags(app, demo_db, scope):
    """The counts and the five sentences come from small queries; here they are recomputed
    from every flag of the year."""
    flags = outliers.flags_for_year(demo_db, 2023, **{**ALL, **scope})
    high = flags[flags["severity"] == "high"]
    units_high = high.loc[high["kind"] == "warning", "unit_key"].nunique()
    top = (high if len(high) else flags).drop_duplicates("unit_key").head(5)
    assert len(flags) and len(top)

    at = open_page(app, "overview", year=2023, **scope)
    page = texts(at)
    assert (f"共 {len(flags):,} 条提示，涉及 {flags['unit_key'].nunique():,} 个单位，其中严重 {len(high):,} 条"
            f"（{units_high:,} 个单位有严重预警）") in page
    for row in top.itertuples(index=False):
        assert f"- **{md(row.unit_name)}**：{md(row.reason)}" in page


def test_overview_histogram_and_grades_are_the_sql_rows(app, demo_db):
    bins = demo_db.query("pages/rate_histogram", year=2022, metric="execution_rate",
                         bin_width=0.05, lo=0.40, hi=1.20, **ALL)
    grades = demo_db.query("pages/grade_mix", year=2022, **ALL)
    units = demo_db.query("rates/unit_rates", year=2022, **ALL)

    at = open_page(app, "overview", year=2022)
    hist = figure_titled(at, "预算执行率分布")["data"][0]
    assert hist["y"] == bins["unit_count"].tolist()
    assert sum(hist["y"]) == units["execution_rate"].notna().sum()
    mix = figure_titled(at, "评价等级分布")["data"][0]
    assert mix["x"] == grades["grade"].tolist()
    assert mix["y"] == grades["unit_count"].tolist()
    assert mix["x"][:3] == ["优", "良", "中"]


def test_overview_lowest_and_highest_units_come_from_the_rates(app, demo_db):
    units = demo_db.query("rates/unit_rates", year=2022, **ALL).dropna(subset=["execution_rate"])
    ranked = units.sort_values("execution_rate")
    expected = ranked.head(10)["unit_name"].tolist() + ranked.tail(10)["unit_name"].tolist()

    at = open_page(app, "overview", year=2022)
    figure = figure_titled(at, "预算执行率最低和最高")
    bars = figure["data"][0]
    assert bars["y"] == expected
    assert f"共 {len(units):,} 个单位，显示最低和最高各 10 个" in figure["layout"]["title"]["text"]
    assert [c[0] for c in bars["customdata"]] == ranked.head(10)["unit_key"].tolist() + ranked.tail(10)["unit_key"].tolist()
    # The attention list names the worst-flagged unit in plain words.
    flags = outliers.flags_for_year(demo_db, 2022, **ALL)
    first_high = flags[flags["severity"] == "high"].iloc[0]
    assert md(first_high["unit_name"]) in texts(at) and md(first_high["reason"]) in texts(at)


def test_url_parameters_select_the_filters(app, demo_db):
    totals = demo_db.query("rates/weighted_by_group", group_by="all", year_from=2022, year_to=2022,
                           region=None, level="市级", sector=None)
    at = open_page(app, "overview", year=2022, level="市级")
    assert at.selectbox(key="f_year").value == "2022"
    assert at.selectbox(key="f_level").value == "市级"
    assert metric_values(at)["单位数"] == f"{int(totals['unit_count'].iloc[0]):,}"
    assert metric_values(at)["预算执行率"] == metrics.fmt_rate(totals["execution_rate"].iloc[0])
    assert "市级" in at.caption[0].value


def test_filters_survive_a_page_switch(app):
    at = open_page(app, "overview", year=2021, level="县级")
    at.switch_page(PAGES["ranking"]).run()
    assert not at.exception
    chosen = at.session_state["filters"]
    assert (chosen.year, chosen.region, chosen.level, chosen.sector) == (2021, None, "县级", None)
    assert at.query_params["year"] == "2021" and at.query_params["level"] == "县级"
    assert at.caption[0].value.startswith("2021 年 · 县级")


# -- trends --------------------------------------------------------------------------------


def test_trend_lines_and_band_equal_the_sql(app, demo_db):
    weighted = demo_db.query("rates/weighted_by_group", group_by="all", year_from=None, year_to=None,
                             region="河南省洛阳市", level=None, sector=None)
    spread = demo_db.query("pages/rate_spread_by_year", metric="execution_rate",
                           region="河南省洛阳市", level=None, sector=None)
    at = open_page(app, "trends", year=2022, region="河南省洛阳市")
    fig = figure_titled(at, "预算执行率走势")
    by_name = {t["name"]: t for t in fig["data"]}
    line = by_name["河南省洛阳市（加权）"]
    assert line["x"] == weighted["year"].tolist()
    assert line["y"] == pytest.approx(weighted["execution_rate"].tolist())
    assert by_name["p25"]["y"] == pytest.approx(spread["p25"].tolist())
    assert by_name["单位四分位区间（25%–75%）"]["y"] == pytest.approx(spread["p75"].tolist())
    assert all(a <= b for a, b in zip(spread["p25"], spread["p75"]))


def test_trend_overlays_chosen_units_and_other_metrics(app, demo_db):
    keys = ["code:410205", ZHENGZHOU]
    series = demo_db.query("pages/unit_series", unit_keys=keys)
    at = open_page(app, "trends", year=2022)
    at.selectbox(key="tr_metric").set_value("carryover_rate")
    at.multiselect(key="tr_units").set_value(keys).run()
    assert not at.exception
    fig = figure_titled(at, "结转结余率走势")
    lines = {t["name"]: t for t in fig["data"] if t.get("customdata")}
    for key in keys:
        rows = series[series["unit_key"] == key]
        trace = lines[rows["unit_name"].iloc[-1]]
        assert trace["x"] == rows["year"].tolist()
        got = [None if y is None or (isinstance(y, float) and np.isnan(y)) else round(y, 9) for y in trace["y"]]
        assert got == [None if pd.isna(v) else round(v, 9) for v in rows["carryover_rate"]]
        assert trace["customdata"][0] == [key]


def test_heatmap_is_bounded_and_worst_first(app, demo_db):
    grid = demo_db.query("pages/heatmap_units", metric="execution_rate", ascending=True, limit=60, **ALL)
    at = open_page(app, "trends", year=2022)
    heat = [t for t in figure_titled(at, "预算执行率（全部单位）")["data"] if t["type"] == "heatmap"][0]
    assert len(heat["y"]) == grid["unit_key"].nunique() <= 60
    worst = grid[grid["worst_rank"] == 1].iloc[0]
    assert heat["y"][0] == worst["unit_name"]
    total = int(grid["unit_total"].iloc[0])
    assert total > 60 and f"共 {total:,} 个单位，只显示最近一年预算执行率最低的 60 个" in texts(at)


# -- unit profile ------------------------------------------------------------------------------


def test_profile_follows_an_old_style_name_link_when_the_name_is_one_units(app):
    """Links shared before units without a code were keyed within their region still open."""
    at = open_page(app, "unit_profile", year=2022, unit="name:郑州市政务服务办公室")
    assert at.header[0].value == "郑州市政务服务办公室"
    assert metric_values(at)["预算执行率"] == "87.56%"
    assert not any("链接中的单位" in w.value for w in at.warning)


def test_profile_shows_the_zhengzhou_report_figure(app):
    at = open_page(app, "unit_profile", year=2022, unit=ZHENGZHOU)
    assert at.header[0].value == "郑州市政务服务办公室"
    values = metric_values(at)
    assert values["预算执行率"] == "87.56%"            # 2699.18 / 3082.64, as in the report
    assert values["预算数（万元）"] == "3,082.64"
    assert values["实际支出数（万元）"] == "2,699.18"
    assert values["自评得分"] == "99.68" and values["评价等级"] == "优"
    table = at.dataframe[0].value
    assert table.loc["预算执行率", "2022 年"] == "87.56%"
    assert table.loc["年初预算数（万元）", "2022 年"] == "2,538.07"
    scores = figure_titled(at, "一级指标得分")
    got = {t["name"]: t for t in scores["data"]}
    assert got["得分"]["x"] == [9.73, 29.95, 25.0, 35.0]
    # the report prints no weights (data/seed/README.md): blank, and the chart says so
    assert all(x is None or x != x for x in got["分值"]["x"])
    assert "分值未列" in scores["layout"]["title"]["text"]


def test_profile_chart_and_percentiles_equal_the_sql(app, demo_db):
    key = "code:410205"
    years = demo_db.query("pages/unit_years", unit_key=key)
    peers = demo_db.query("pages/peer_percentiles", unit_key=key, year=2022)
    at = open_page(app, "unit_profile", year=2022, unit=key)
    fig = figure_titled(at, "历年预算、支出与执行率")
    by_name = {t["name"]: t for t in fig["data"]}
    assert by_name["预算数（万元）"]["y"] == pytest.approx(years["budget"].tolist())
    assert by_name["实际支出数（万元）"]["y"] == pytest.approx(years["actual_spend"].tolist())
    assert by_name["预算执行率"]["y"] == pytest.approx(years["execution_rate"].tolist())
    standing = figure_titled(at, "单位中的位置")["data"][0]
    assert standing["x"] == pytest.approx(peers["percentile"].tolist())
    assert standing["y"][0] == metrics.label(peers["metric"].iloc[0])


def test_clicking_a_unit_opens_its_profile_with_its_flags(app, demo_db):
    """A click elsewhere stores the unit in session_state["profile_unit"] and switches page."""
    flags = outliers.flags_for_year(demo_db, 2022, **ALL)
    planted = flags[(flags["unit_name"] == "开封市民政局") & (flags["metric"] == "execution_rate")].iloc[0]
    at = open_page(app, "overview", year=2022)
    at.session_state["profile_unit"] = planted["unit_key"]
    at.switch_page(PAGES["unit_profile"]).run()
    assert not at.exception
    assert at.header[0].value == "开封市民政局"
    assert at.selectbox(key="profile_pick").value == planted["unit_key"]
    assert any(md(planted["reason"]) in e.value for e in (*at.error, *at.warning))
    assert at.query_params["unit"] == planted["unit_key"]


def test_profile_of_an_unknown_unit_says_so(app):
    at = open_page(app, "unit_profile", year=2022, unit="name:不存在的单位")
    assert "链接中的单位在数据库中不存在" in texts(at)
    assert at.header  # falls back to a unit that exists


def test_profile_picker_in_a_large_scope_searches_and_keeps_a_linked_unit(app, demo_db, monkeypatch):
    """Past LIST_ALL_UP_TO units the picker lists nothing until a name or code is typed; a ?unit=
    link still selects its unit (the only option), and a search adds the matches to choose from."""
    from ui import chrome

    monkeypatch.setattr(chrome, "LIST_ALL_UP_TO", 10)
    at = open_page(app, "unit_profile", year=2022, unit=ZHENGZHOU)
    pick = at.selectbox(key="profile_pick")
    assert pick.value == ZHENGZHOU and len(pick.options) == 1
    assert at.header[0].value == "郑州市政务服务办公室"
    at.text_input(key="profile_pick_q").input("410205").run()          # a unit code
    pick = at.selectbox(key="profile_pick")
    assert pick.value == ZHENGZHOU                                     # searching does not switch
    assert pick.options == ["郑州市政务服务办公室（河南省郑州市 · 市级）", "开封市民政局（河南省开封市 · 市级）"]
    pick.set_value("code:410205").run()
    assert not at.exception
    assert at.header[0].value == "开封市民政局" and at.query_params["unit"] == "code:410205"
    assert at.session_state["_profile_last"] == "code:410205"


def test_trend_picker_in_a_large_scope_lists_the_matches_and_keeps_the_choice(app, demo_db, monkeypatch):
    from ui import chrome

    monkeypatch.setattr(chrome, "LIST_ALL_UP_TO", 10)
    monkeypatch.setattr(chrome, "SEARCH_LIMIT", 3)
    at = open_page(app, "trends", year=2022)
    assert at.multiselect(key="tr_units").options == []
    at.text_input(key="tr_units_q").input("政务").run()
    found = demo_db.query("pages/unit_search", q="政务", year=None, limit=3, **ALL)
    assert int(found["matches"].iloc[0]) > 3
    assert at.multiselect(key="tr_units").options == found["label"].tolist()
    assert f"找到 {int(found['matches'].iloc[0])} 个单位，下方列出最接近的 3 个" in texts(at)
    at.multiselect(key="tr_units").set_value([found["unit_key"].iloc[0]]).run()
    at.text_input(key="tr_units_q").input("410205").run()
    picker = at.multiselect(key="tr_units")
    assert picker.value == [found["unit_key"].iloc[0]]                 # kept while searching again
    assert picker.options == [found["label"].iloc[0], "开封市民政局（河南省开封市 · 市级）"]
    picker.select("code:410205").run()
    assert not at.exception
    lines = {t["name"] for t in figure_titled(at, "预算执行率走势")["data"] if t.get("customdata")}
    assert {found["unit_name"].iloc[0], "开封市民政局"} <= lines


# -- ranking ------------------------------------------------------------------------------------


def test_ranking_table_and_scatter_equal_the_sql(app, demo_db):
    units = demo_db.query("rates/unit_rates", year=2023, **ALL)
    ranked = units.dropna(subset=["execution_rate"]).sort_values(["execution_rate", "unit_name"], ascending=[False, True])
    at = open_page(app, "ranking", year=2023)
    table = at.dataframe[0].value
    assert table["单位名称"].tolist() == ranked["unit_name"].tolist()
    assert table["预算执行率"].tolist() == pytest.approx((ranked["execution_rate"] * 100).tolist())
    assert table["名次"].iloc[0] == 1
    # warning tags: the ranking rate's severity, and every other rate past its warning line
    config = demo_db.config
    labels = {"high": "严重", "medium": "关注"}
    sev = [config.thresholds["execution_rate"].severity(v) for v in ranked["execution_rate"]]
    assert [list(x) for x in table["预警"]] == [[labels[v]] if v else [] for v in sev]
    others = [[f"{metrics.label(m)}（{labels[v]}）" for m in metrics.UNIT_RATE_IDS
               if m != "execution_rate" and m in config.thresholds and pd.notna(row[m])
               and (v := config.thresholds[m].severity(row[m]))]
              for _, row in ranked.iterrows()]
    assert [list(x) for x in table["其他指标预警"]] == others
    assert any("严重" in tag for tags in others for tag in tags) and any(len(x) for x in table["预警"])
    scatter = figure_titled(at, "预算执行率与自评得分")
    points = {c[0]: (x, y) for t in scatter["data"] if t.get("customdata")
              for c, x, y in zip(t["customdata"], t["x"], t["y"])}
    both = units.dropna(subset=["execution_rate", "self_score"])
    assert len(points) == len(both)
    row = both.iloc[0]
    assert points[row["unit_key"]] == (pytest.approx(row["self_score"]), pytest.approx(row["execution_rate"]))


def test_ranking_by_another_metric_ascending(app, demo_db):
    units = demo_db.query("rates/unit_rates", year=2023, **ALL).dropna(subset=["carryover_rate"])
    lowest = units.sort_values(["carryover_rate", "unit_name"]).iloc[0]
    at = open_page(app, "ranking", year=2023)
    at.selectbox(key="rk_metric").set_value("carryover_rate")
    at.radio(key="rk_order").set_value("从低到高").run()
    table = at.dataframe[0].value
    assert table.columns[2] == "结转结余率"
    assert table["单位名称"].iloc[0] == lowest["unit_name"]
    assert table["名次"].iloc[0] == len(units)


def test_side_by_side_comparison(app, demo_db):
    units = demo_db.query("rates/unit_rates", year=2023, **ALL)
    picked = units.sort_values("budget").tail(3)
    at = open_page(app, "ranking", year=2023)
    at.multiselect(key="rk_compare").set_value(picked["unit_key"].tolist()).run()
    assert not at.exception
    side = at.dataframe[1].value
    assert list(side.columns) == picked["unit_name"].tolist()
    assert side.loc["预算执行率"].tolist() == [metrics.fmt_rate(v) for v in picked["execution_rate"]]
    bars = figure_titled(at, "单位对比")["data"]
    assert [b["name"] for b in bars] == picked["unit_name"].tolist()
    assert bars[0]["y"][0] == pytest.approx(picked["execution_rate"].iloc[0])


def test_comparison_in_a_large_scope_starts_from_the_highest_and_lowest(app, demo_db, monkeypatch):
    from ui import chrome

    monkeypatch.setattr(chrome, "LIST_ALL_UP_TO", 10)
    units = demo_db.query("rates/unit_rates", year=2023, **ALL).dropna(subset=["execution_rate"])
    ordered = units.sort_values("execution_rate")
    at = open_page(app, "ranking", year=2023)
    picker = at.multiselect(key="rk_compare")
    assert picker.value == [ordered["unit_key"].iloc[-1], ordered["unit_key"].iloc[0]]
    assert len(picker.options) == 2                      # the chosen two; the rest by search
    assert list(at.dataframe[1].value.columns) == [ordered["unit_name"].iloc[-1], ordered["unit_name"].iloc[0]]



@pytest.mark.parametrize("metric, order", [("execution_rate", "从低到高"), ("self_score", "从高到低")])
def test_comparison_starts_from_the_highest_and_lowest_whatever_the_table_ranks(app, demo_db, monkeypatch,
                                                                                metric, order):
    from ui import chrome

    monkeypatch.setattr(chrome, "LIST_ALL_UP_TO", 10)
    units = demo_db.query("rates/unit_rates", year=2023, **ALL).dropna(subset=["execution_rate"])
    ordered = units.sort_values("execution_rate")
    at = app(query_params={"year": "2023"})
    at.run()
    at.session_state["rk_metric"], at.session_state["rk_order"] = metric, order
    at.switch_page(PAGES["ranking"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="rk_compare").value == [ordered["unit_key"].iloc[-1], ordered["unit_key"].iloc[0]]

# -- projects -----------------------------------------------------------------------------------


def test_project_counts_and_worst_projects_equal_the_sql(app, demo_db):
    projects = demo_db.query("rates/project_rates", year=2022, **ALL)
    funded = projects[projects["budget"] > 0]
    zero = int((funded["project_execution_rate"] <= 0).sum())
    low = int(((funded["project_execution_rate"] > 0) & (funded["project_execution_rate"] < 0.5)).sum())
    at = open_page(app, "projects", year=2022)
    values = metric_values(at)
    assert values["项目数"] == f"{len(projects):,}"
    assert values["零支出项目"] == f"{zero:,}"
    assert values["低执行项目"] == f"{low:,}"
    assert values["加权执行率"] == metrics.fmt_rate(projects["actual_spend"].sum() / projects["budget"].sum())
    worst = at.dataframe[0].value
    expected = funded.sort_values(["project_execution_rate", "budget"], ascending=[True, False]).head(len(worst))
    assert worst["项目名称"].tolist()[:zero] == expected["project_name"].tolist()[:zero]
    assert (worst["提示"].iloc[:zero] == "零支出").all()
    counts = figure_titled(at, "各类别项目执行情况")["data"]
    assert sum(counts[0]["x"]) == zero and sum(counts[1]["x"]) == low


def test_projects_empty_year_says_how_to_import(app):
    at = open_page(app, "projects", year=2022, region="河南省郑州市")
    assert "暂无项目支出数据" in texts(at) and "数据导入" in texts(at)


# -- definitions --------------------------------------------------------------------------------


def test_definitions_show_the_configured_formulas_thresholds_and_sources(app, demo_db):
    config = demo_db.config
    last = demo_db.query("filters/last_import")["imported_at"].iloc[0]
    at = open_page(app, "definitions", year=2022)
    rates = at.table[0].value
    assert rates.loc["预算执行率", "公式"] == metrics.METRICS["execution_rate"].formula_for(config)
    assert rates.loc["预算执行率", "预警线"] == "低于 60% 为严重；高于 100% 为严重；低于 90% 为关注"
    assert rates.loc["项目预算执行率", "预警线"] == "不高于 0% 为严重；低于 10% 为严重；低于 50% 为关注"
    grades = at.table[1].value
    assert grades.loc["优", "自评得分"] == "90 分及以上"
    body = texts(at)
    assert "79.34%" in body and "76.96%" in body
    assert f"{pd.Timestamp(last):%Y-%m-%d %H:%M}" in body
    assert "rates/weighted_by_group.sql" in body


# -- the seed reports' own figures, as literals ---------------------------------------------------
# The tests above check each page against the SQL it reads; these pin what the pages show for the
# four public reports, so a query rewrite cannot move a figure the reports themselves print.

ZHENGZHOU_SCOPE = dict(region="河南省郑州市", level="市级", sector="政务服务")     # 郑州 alone in 2022
PINGDINGSHAN = "name:平顶山市政务服务和大数据管理局"
XINZHENG = "name:新郑市政务服务和大数据管理局"


def test_seed_overview_trend_and_histogram_show_zhengzhou_2022(app):
    at = open_page(app, "overview", year=2022, **ZHENGZHOU_SCOPE)
    values = metric_values(at)
    assert values["单位数"] == "1"
    assert values["预算执行率"] == "87.56%"                   # 2699.18 / 3082.64
    assert values["调整后预算数（万元）"] == "3,082.64"
    assert values["实际支出数（万元）"] == "2,699.18"
    hist = figure_titled(at, "预算执行率分布")
    assert sum(hist["data"][0]["y"]) == 1
    at = open_page(app, "trends", year=2022, **ZHENGZHOU_SCOPE)
    band = {t["name"]: t for t in figure_titled(at, "预算执行率走势")["data"]}
    assert band["p25"]["x"] == [2022]
    assert round(band["p25"]["y"][0] * 100, 2) == 87.56


def test_seed_pingdingshan_2022_sangong_and_standing(app):
    at = open_page(app, "unit_profile", year=2022, unit=PINGDINGSHAN)
    table = at.dataframe[0].value
    assert table.loc["“三公经费”控制率", "2022 年"] == "142.83%"
    assert table.loc["预算执行率", "2022 年"] == "58.78%"
    assert table.loc["结转结余率", "2022 年"] == "41.22%"
    assert table.loc["结转结余变动率", "2022 年"] == "648.15%"     # the report's 648.50 % is a slip
    standing = figure_titled(at, "单位中的位置")["data"][0]
    assert standing["x"][0] == pytest.approx(1 / 25)             # execution: 1 of 25 other 市级 units lower
    assert standing["y"][0] == "预算执行率"
    at = open_page(app, "ranking", year=2022, region="河南省平顶山市", level="市级")
    at.selectbox(key="rk_metric").set_value("sangong_control_rate").run()
    ranking = at.dataframe[0].value
    assert round(float(ranking["“三公经费”控制率"].iloc[0]), 2) == 142.83


def test_seed_xinzheng_2021_execution_by_basis(app, monkeypatch, tmp_path):
    """76.96 % over the adjusted budget (the national 口径); the report's 79.34 % over the money
    received, when perfdash.toml says so."""
    at = open_page(app, "unit_profile", year=2021, unit=XINZHENG)
    assert metric_values(at)["预算执行率"] == "76.96%"
    config = (ROOT / "perfdash.toml").read_text(encoding="utf-8").replace(
        'execution_rate = "budget"', 'execution_rate = "funds_received"', 1)
    (tmp_path / "perfdash.toml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("PERFDASH_CONFIG", str(tmp_path / "perfdash.toml"))
    import streamlit as st
    st.cache_resource.clear()
    st.cache_data.clear()
    at = open_page(app, "unit_profile", year=2021, unit=XINZHENG)
    assert metric_values(at)["预算执行率"] == "79.34%"                # 1743.22 / 2197.17
    assert at.metric[[m.label for m in at.metric].index("预算执行率")].proto.help == "实际支出数 ÷ 实际到位资金"


def test_seed_xinzheng_2021_projects(app):
    at = open_page(app, "projects", year=2021, region="河南省郑州市", level="县级", sector="政务服务")
    values = metric_values(at)
    assert values["项目数"] == "4"
    assert values["零支出项目"] == "1"                            # 四级联动升级维护项目
    assert values["低执行项目"] == "2"
    assert values["未支出（万元）"] == "222.38"
    assert values["加权执行率"] == "46.58%"                       # 400.87 / 860.59
    worst = at.dataframe[0].value
    assert worst["项目名称"].iloc[0] == "四级联动升级维护项目"
    assert [b.proto.label for b in at.get("download_button")] == ["下载全部项目（4 个，CSV）"]


# -- empty states and timings ----------------------------------------------------------------


@pytest.mark.parametrize("page", ["overview", "ranking", "projects"])
def test_a_year_without_data_in_scope_says_what_to_do(app, page):
    """郑州 has figures for 2022 only: 2018 in that region is empty, and the page says how to fill it."""
    at = open_page(app, page, year=2018, region="河南省郑州市")
    body = texts(at)
    assert "2018 年（河南省郑州市）暂无" in body and "「数据导入」页上传" in body
    assert not at.get("plotly_chart")


def test_profile_for_a_year_the_unit_lacks_shows_its_latest(app):
    at = open_page(app, "unit_profile", year=2018, unit=ZHENGZHOU)
    assert "该单位没有 2018 年的数据，以下显示其最近一年（2022 年）" in texts(at)
    assert metric_values(at)["预算执行率"] == "87.56%"


def test_every_page_warm_render_time(app):
    """Each page rendered twice on the demo data; the second (warm, cached) run is printed."""
    at = app(query_params={"year": "2022"})
    at.run()
    report = []
    for name, path in PAGES.items():
        at.switch_page(path).run()
        started = time.perf_counter()
        at.run()
        warm = time.perf_counter() - started
        assert not at.exception, (name, [e.value for e in at.exception])
        assert at.title[0].value == TITLES[name]
        report.append(f"{name}: {warm * 1000:.0f} ms")
    print("\nwarm server-side render (AppTest, demo data): " + ", ".join(report))


# -- bounded figures -------------------------------------------------------------------------


def test_figures_stay_bounded_at_province_scale(demo_db):
    """20,000 units: the scatter keeps every unit under target plus a fixed sample, the bar chart
    both ends, the heatmap its limit — never one mark per unit."""
    from perfdash.present.charts import ranking as ranking_charts
    from perfdash.present.charts import units as unit_charts

    rng = np.random.default_rng(1)
    n = 20_000
    frame = pd.DataFrame({
        "unit_key": [f"code:{i:06d}" for i in range(n)], "unit_name": [f"单位{i}" for i in range(n)],
        "level": rng.choice(["市级", "县级"], n), "budget": rng.uniform(100, 50_000, n),
        "self_score": rng.uniform(80, 99, n), "execution_rate": rng.uniform(0.85, 1.0, n),
    })
    under = frame[frame["execution_rate"] < 0.9]
    drawn, total = ranking_charts.scatter_points(frame, demo_db.config)
    assert total == n and len(drawn) == ranking_charts.MAX_POINTS
    assert set(under.nsmallest(ranking_charts.MAX_POINTS, "execution_rate")["unit_key"]) <= set(drawn["unit_key"])
    again, _ = ranking_charts.scatter_points(frame, demo_db.config)
    assert again["unit_key"].tolist() == drawn["unit_key"].tolist()      # same sample every run
    fig = ranking_charts.rate_vs_score(frame, demo_db.config)
    assert sum(len(t.x) for t in fig.data) == ranking_charts.MAX_POINTS
    bars = unit_charts.rate_by_unit(frame, "execution_rate", demo_db.config, limit=20)
    assert len(bars.data[0].y) == 20 and "共 20,000 个单位" in bars.layout.title.text


def test_unit_names_with_markup_show_as_written(app, demo_db):
    """A name with Markdown / HTML in it is data: the profile header and the chart labels show it
    as typed, not as a link or bold text."""
    from perfdash import ingest

    name = "[点我](http://example.cn) <b>某局</b>"
    csv = ("年度,单位名称,地区,层级,行业,年初预算数,调整后预算数,实际支出数\n"
           f"2022,{name},河南省郑州市,市级,政务服务,100,100,10\n").encode("utf-8")
    ingest.import_files(demo_db, [("odd.csv", csv)])
    key = "name:河南省郑州市|" + name
    at = open_page(app, "unit_profile", year=2022, unit=key)
    assert at.header[0].value == md(name)
    assert "](" not in at.header[0].value.replace("\\](", "")
    fig = figure_titled(at, "历年预算、支出与执行率")
    assert "&lt;b&gt;某局&lt;/b&gt;" in fig["layout"]["title"]["text"]
    at = open_page(app, "overview", year=2022)
    bars = figure_titled(at, "预算执行率最低和最高")["data"][0]
    first = bars["customdata"][0][0]
    assert first == key                       # 10 % execution: the lowest bar
    assert bars["y"][0] == "[点我](http://example.cn) &lt;b&gt;某局&lt;/b&gt;"


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """AppTest against a database with the schema and no data at all (a bureau's first start)."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from perfdash.derive import open_current

    path = tmp_path / "empty.duckdb"
    open_current(path).close()
    monkeypatch.setenv("PERFDASH_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield lambda: AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.mark.parametrize("page", [p for p in PAGES if p != "overview"])
def test_pages_on_an_empty_database_say_how_to_import(empty_app, page):
    at = empty_app()
    at.run()
    assert not at.exception
    assert "暂无数据" in texts(at) and "数据导入" in texts(at)       # the overview itself
    at.switch_page(PAGES[page]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == TITLES[page]
    if page == "definitions":   # formulas and thresholds come from the configuration, not the data
        assert at.table[0].value.loc["预算执行率", "预警线"].startswith("低于 60%")
        assert "尚未导入任何数据" in texts(at)
    else:
        assert "暂无数据" in texts(at) and "「数据导入」页上传" in texts(at)


def test_kpi_tiles_show_whole_wan_yuan_from_a_million_and_the_exact_figure_in_help():
    assert metrics.fmt_amount_tile(3082.64) == "3,082.64"
    assert metrics.fmt_amount_tile(999_999.99) == "999,999.99"
    assert metrics.fmt_amount_tile(258_385_812.49) == "258,385,812"
    assert metrics.fmt_amount_tile(-1_000_000.5) == "-1,000,000"   # a deficit stays legible too
    assert metrics.fmt_amount_tile(None) == "—"


# -- issue #14: reconciliation page, the profile's stated rates and evaluation score -----------


def test_reconcile_page_lists_every_stated_rate_with_its_verdict(app):
    at = app(query_params={"year": "2021"})
    at.run()
    at.switch_page("app_pages/reconcile.py").run()
    assert not at.exception, [e.value for e in at.exception]
    values = metric_values(at)
    assert values["口径不同"] == "2 条" and values["一致"] == "0 条"
    table = at.dataframe[0].value
    assert list(table["核对结果"]) == ["口径不同", "口径不同"]
    assert any("按实际到位资金计算" in text for text in table["说明"])


def test_profile_shows_the_report_rate_beside_ours_and_the_evaluation_score(app):
    at = open_page(app, "unit_profile", year=2021, unit="name:新郑市政务服务和大数据管理局")
    notes = [i.value.replace("\\", "") for i in at.info]      # markdown escapes removed
    assert any("报告称预算执行率 79.34%（按实际到位资金计算），本系统 76.96%（按调整后预算数）" in n for n in notes)
    assert any("外部评价得分 83.69 分（良）" in c.value for c in at.caption)
    assert metric_values(at)["自评得分"] == "—"
