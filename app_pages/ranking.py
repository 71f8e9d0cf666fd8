"""排名对比: a sortable ranking on any rate with warning marks, execution vs self-score, and
2–5 units side by side."""
import pandas as pd
import streamlit as st

from perfdash import labels, metrics
from perfdash.present import style, tabular
from perfdash.present.charts import ranking as ranking_charts
from ui import chrome, data

# Rows shown in the ranking table; larger sets show this many from the chosen end and offer the
# full ranking as a download.
MAX_ROWS = 300
RANK_METRICS = [*metrics.UNIT_RATE_IDS, "self_score"]

f = chrome.start_page("排名对比")

database = data.db()
config = database.config
scope = dict(year=f.year, **f.params())
# Only what the page shows comes from DuckDB (never a frame of every unit: a national scope is
# 500,000): per-metric counts, the shown end of the ranking, the scatter's bounded points and
# the compared units; the full ranking is streamed from SQL when its download is clicked.
counts = data.query("pages/metric_counts", **scope)
chrome.stop_if_empty(counts, f)
units = int(counts["units"].max())
ranked_by = dict(zip(counts["metric"], counts["ranked"].astype("int64")))
chrome.scope_caption(f, f"{units:,} 个单位")

# -- ranking table -----------------------------------------------------------------------------
controls = st.columns([2, 2, 3])
metric_id = controls[0].selectbox("排名指标", RANK_METRICS, format_func=metrics.label, key="rk_metric")
metric = metrics.METRICS[metric_id]
order = controls[1].radio("顺序", ["从高到低", "从低到高"], horizontal=True, key="rk_order")
ascending = order == "从低到高"
ranked = int(ranked_by.get(metric_id, 0))
missing = units - ranked
# rank: 1 + units with a higher value (ties share it); ties listed by name, then unit key
shown = data.query("ranking/rows", metric=metric_id, ascending=ascending, limit=MAX_ROWS, **scope)

# Warnings as coloured tags (严重 red, 关注 orange) instead of cell colours (a pandas Styler cost
# about 0.3 s per 300 rows on every run): severities worked out a column at a time, then one
# short list per shown row. Tags need no emoji font (bureau PCs and domestic Linux often lack one).
threshold = config.thresholds.get(metric_id)
warning = [[labels.SEVERITY_LABELS[v]] if v else [] for v in ranking_charts.severity_of(shown[metric_id], threshold)]
others = [m for m in metrics.UNIT_RATE_IDS if m != metric_id and config.thresholds.get(m) is not None]
other_tags = {(m, v): f"{metrics.label(m)}（{labels.SEVERITY_LABELS[v]}）" for m in others for v in labels.SEVERITIES}
other_warnings = [[other_tags[m, v] for m, v in zip(others, row) if v]
                  for row in zip(*(ranking_charts.severity_of(shown[m], config.thresholds[m]) for m in others))] \
    if others else [[] for _ in range(len(shown))]
# Rates in percent units: the printf format "%.2f%%" then always shows two decimals.
in_pct = {m: shown[m] * 100 for m in metrics.UNIT_RATE_IDS}
table = pd.DataFrame({
    "名次": shown["rank"],
    "单位名称": shown["unit_name"],
    metric.label: in_pct.get(metric_id, shown[metric_id]),
    **({"预警": warning} if threshold is not None else {}),
    "其他指标预警": other_warnings,
    "地区": shown["region"],
    "层级": shown["level"],
    "预算数（万元）": shown["budget"],
    "实际支出数（万元）": shown["actual_spend"],
    **{metrics.label(m): in_pct.get(m, shown[m]) for m in RANK_METRICS if m != metric_id},
    "评价等级": shown["grade"],
    "行业": shown["sector"],
})
rate_cols = {metrics.label(m): st.column_config.NumberColumn(metrics.label(m), format="%.2f%%")
             for m in metrics.UNIT_RATE_IDS if m != metric_id}
if metric.kind == "rate":
    top = max(100.0, float(table[metric.label].max())) if len(shown) else 100.0
    chosen_col = st.column_config.ProgressColumn(metric.label, format="%.2f%%", min_value=0.0, max_value=top,
                                                 help=metric.formula_for(config))
else:
    chosen_col = st.column_config.ProgressColumn(metric.label, format="%.2f", min_value=0.0, max_value=100.0)
column_config = {
    **rate_cols,
    metric.label: chosen_col,
    "自评得分": st.column_config.NumberColumn("自评得分", format="%.2f"),
    "预算数（万元）": st.column_config.NumberColumn("预算数（万元）", format="%,.2f"),
    "实际支出数（万元）": st.column_config.NumberColumn("实际支出数（万元）", format="%,.2f"),
    "名次": st.column_config.NumberColumn("名次", format="%d", width="small"),
}
if metric_id == "self_score":
    column_config["自评得分"] = chosen_col

column_config["预警"] = st.column_config.MultiselectColumn(
    "预警", width="small", options=[labels.SEVERITY_LABELS[v] for v in labels.SEVERITIES],
    color=[style.SEVERITY_COLORS[v] for v in labels.SEVERITIES],
    help=f"{metric.label}：{threshold.describe()}" if threshold is not None else None)
column_config["其他指标预警"] = st.column_config.MultiselectColumn(
    "其他指标预警", width="medium", options=list(other_tags.values()),
    color=[style.SEVERITY_COLORS[v] for _, v in other_tags],
    help="其他比率触及 perfdash.toml 预警线的（红：严重，橙：关注），数值见右侧各列")
chrome.unit_table(table, shown["unit_key"], key="rk_table", hide_index=True, width="stretch",
                  height=min(560, 35 * (len(table) + 1) + 3), column_config=column_config)
notes = ["点击表头排序；选中一行打开该单位画像。红色标签为严重预警，橙色为关注（预警线见「口径说明」页）。"]
if ranked > MAX_ROWS:
    notes.append(f"共 {ranked:,} 个单位，表中只列出{order}的前 {MAX_ROWS:,} 个，完整排名可下载。")
if missing:
    notes.append(f"{missing:,} 个单位没有{metric.label}（相关字段未填报），未参与排名。")
st.caption(" ".join(notes))


def _csv_columns(rows: pd.DataFrame) -> pd.DataFrame:
    """One batch of ranking/rows as the download's columns."""
    return pd.DataFrame({
        "名次": rows["rank"], "单位编码": rows["unit_code"], "单位名称": rows["unit_name"],
        "地区": rows["region"], "层级": rows["level"], "行业": rows["sector"],
        "预算数（万元）": rows["budget"].round(2), "实际支出数（万元）": rows["actual_spend"].round(2),
        **{f"{metrics.label(m)}（%）": (rows[m] * 100).round(2) for m in metrics.UNIT_RATE_IDS},
        "自评得分": rows["self_score"], "评价等级": rows["grade"],
    })


def _full_ranking() -> bytes:
    """The whole ranking as CSV, streamed from SQL in batches — run only when the button is clicked."""
    return tabular.query_csv_bytes(database, "ranking/rows", _csv_columns, metric=metric_id,
                                   ascending=ascending, limit=None, **scope)


st.download_button(f"下载完整排名（{ranked:,} 个单位，CSV）", data=_full_ranking,
                   file_name=tabular.safe_filename(f"{f.year}年_{metric.label}排名_{f.describe()}") + ".csv",
                   mime="text/csv", icon=":material/download:", key="rk_download", on_click="ignore")

# -- scatter -------------------------------------------------------------------------------------
st.subheader("预算执行率与自评得分")
# At most MAX_POINTS bubbles, chosen in SQL: every unit under the warning line (lowest first),
# then a fixed sample of the rest (smallest hash of the unit key: the same units on every run).
points = data.query("ranking/scatter_points", limit=ranking_charts.MAX_POINTS,
                    **ranking_charts.warning_bounds(config.thresholds.get("execution_rate")), **scope)
fig = ranking_charts.rate_vs_score(points, config, title=f"{f.year} 年预算执行率与自评得分（气泡大小 = 预算数）")
chrome.unit_chart(fig, filename=f"{f.year}年_预算执行率与自评得分", key="rk_scatter")
with_both, warned = (int(points["with_both"].iloc[0]), int(points["warned"].iloc[0])) if len(points) else (0, 0)
if len(points) == with_both:
    sampled = ""
elif warned >= len(points):     # more warned units than bubbles: only the lowest of them are drawn
    sampled = (f"共 {with_both:,} 个单位，其中 {warned:,} 个触及预算执行率预警线，"
               f"图中只画出其中执行率最低的 {len(points):,} 个。")
else:
    sampled = (f"共 {with_both:,} 个单位，图中画出触及预算执行率预警线的全部 {warned:,} 个单位和其余单位的固定抽样，"
               f"共 {len(points):,} 个。")
st.caption(sampled + "右下角（自评高、执行低）的单位自评可能偏高。" + chrome.CLICK_HINT)

# -- side by side ----------------------------------------------------------------------------------
st.subheader("单位对比")


def _in_scope(keys: list[str]) -> pd.DataFrame:
    """The rows of the given units with figures this year in scope (at most five keys)."""
    return data.query("ranking/units", unit_keys=list(keys), **scope) if keys else shown.head(0)


if "rk_compare" in st.session_state:   # filters changed: keep only units still in scope
    in_year = set(_in_scope(st.session_state["rk_compare"])["unit_key"])
    kept = [k for k in st.session_state["rk_compare"] if k in in_year]
    if kept != st.session_state["rk_compare"]:
        st.session_state["rk_compare"] = kept
elif ranked_by.get("execution_rate", 0) >= 2:   # highest and lowest execution rate (ties: by name)
    # the table's first row is one of them when it ranks by execution rate (the same order)
    ends = {ascending: shown["unit_key"].iloc[0]} if metric_id == "execution_rate" else {}
    st.session_state["rk_compare"] = [
        ends.get(asc) or data.query("ranking/rows", metric="execution_rate", ascending=asc, limit=1,
                                    **scope)["unit_key"].iloc[0]
        for asc in (False, True)]
picked = chrome.unit_search_picker("选择 2–5 个单位（默认为预算执行率最高和最低的单位）", key="rk_compare",
                                   scope=f.params(), year=f.year, multi=True, max_selections=5)
found = _in_scope(picked)
picked = [k for k in picked if k in set(found["unit_key"])]
if len(picked) < 2:
    st.info("请至少选择 2 个单位进行对比。", icon=":material/info:")
else:
    chosen = found.set_index("unit_key").loc[picked].reset_index()
    compare_rows = [("budget", "预算数（万元）"), ("actual_spend", "实际支出数（万元）"),
                    *[(m, metrics.label(m)) for m in metrics.UNIT_RATE_IDS], ("self_score", "自评得分")]
    side = pd.DataFrame({
        f"{r.unit_name}（{r.region if pd.notna(r.region) else '未填地区'} · {r.level if pd.notna(r.level) else '未填层级'}）"
        if (chosen["unit_name"] == r.unit_name).sum() > 1 else r.unit_name:
            [metrics.fmt(c, getattr(r, c)) for c, _ in compare_rows] + [r.grade if pd.notna(r.grade) else "—"]
        for r in chosen.itertuples(index=False)
    }, index=[label for _, label in compare_rows] + ["评价等级"])
    side.index.name = "指标"
    st.dataframe(side, width="stretch", height=35 * (len(side) + 1) + 3)
    # Growth-type rates (adjustment, carryover change) can run to thousands of percent and would
    # flatten every other bar: they stay in the table above.
    fig = ranking_charts.compare_units(chosen, ranking_charts.COMPARE_RATE_IDS,
                                       title=f"{f.year} 年单位对比（预算调整率、结转结余变动率见上表）")
    chrome.unit_chart(fig, filename=f"{f.year}年_单位对比", key="rk_compare_chart")
