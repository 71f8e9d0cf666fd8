"""趋势: a rate over the years for the filtered group, with the peer band and chosen units;
a unit × year heatmap of execution for the worst units."""
import streamlit as st

from perfdash import metrics
from perfdash.security import markdown_literal as md
from perfdash.present.charts import trends as trend_charts
from ui import chrome, data

f = chrome.start_page("趋势")

config = data.db().config
weighted = data.query("rates/weighted_by_group", group_by="all", year_from=None, year_to=None, **f.params())
if weighted.empty:
    chrome.empty_state(f.describe())
    st.stop()

st.caption(f"{md(f.describe())} · {int(weighted['year'].min())}–{int(weighted['year'].max())} 年 · "
           "粗线为按预算加权的比率（Σ分子 ÷ Σ分母），浅色带为各单位的四分位区间（25%–75%）")

controls = st.columns([1, 2])
metric_id = controls[0].selectbox("指标", metrics.UNIT_RATE_IDS, format_func=metrics.label, key="tr_metric")
with controls[1]:
    chosen = chrome.unit_search_picker(
        f"叠加单位（最多 {trend_charts.MAX_OVERLAY_UNITS} 个，可输入名称搜索）", key="tr_units", scope=f.params(),
        multi=True, max_selections=trend_charts.MAX_OVERLAY_UNITS, placeholder="选择单位，与整体走势对比")

spread = data.query("pages/rate_spread_by_year", metric=metric_id, **f.params())
series = data.query("pages/unit_series", unit_keys=list(chosen)) if chosen else None
if series is not None:
    series = series.set_index("unit_key").loc[[k for k in chosen if k in set(series["unit_key"])]].reset_index()
metric = metrics.METRICS[metric_id]
span = f"{int(weighted['year'].min())}–{int(weighted['year'].max())}年"
if weighted[metric_id].notna().any():
    fig = trend_charts.rate_trend(weighted, spread, series, metric_id, config, group_label=f.describe(),
                                  title=f"{metric.label}走势（{f.describe()}）")
    chrome.unit_chart(fig, filename=f"{span}_{metric.label}走势_{f.describe()}", key="tr_trend")
    if chosen:
        st.caption("点击单位的折线可打开其「单位画像」。")
else:
    st.info(f"{md(f.describe())}没有可计算{metric.label}的数据（相关字段未填报）。请换一个指标，或在「数据导入」页补充数据。",
            icon=":material/info:")

st.subheader("各单位预算执行率（单位 × 年度）")
limit = trend_charts.HEATMAP_MAX_UNITS
grid = data.query("pages/heatmap_units", metric="execution_rate", ascending=True, limit=limit, **f.params())
if grid.empty:
    st.info("没有可计算预算执行率的单位。")
else:
    total = int(grid["unit_total"].iloc[0])
    shown = grid["unit_key"].nunique()
    if total > shown:
        st.caption(f"共 {total:,} 个单位，只显示最近一年预算执行率最低的 {shown} 个（从上到下由低到高）。"
                   "红色低于 60% 或超过 100%，橙色低于 90% 的目标，蓝色达标。点击格子打开单位画像。")
    else:
        st.caption(f"共 {total:,} 个单位，按最近一年预算执行率由低到高排列。"
                   "红色低于 60% 或超过 100%，橙色低于 90% 的目标，蓝色达标。点击格子打开单位画像。")
    fig = trend_charts.rate_heatmap(grid, "execution_rate", config, title=f"预算执行率（{f.describe()}）")
    chrome.unit_chart(fig, filename=f"{span}_各单位预算执行率热力图_{f.describe()}", key="tr_heat")
