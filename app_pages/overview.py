"""总览: one year at a glance for the chosen scope — KPIs with year-on-year change, the
distribution of execution, the grade mix, the units at both ends, and what needs attention."""
import math

import streamlit as st

from perfdash import metrics
from perfdash.derive import outliers
from perfdash.security import markdown_literal as md
from perfdash.present.charts import overview as overview_charts
from perfdash.present.charts import units as unit_charts
from ui import chrome, data

f = chrome.start_page("总览")

config = data.db().config
totals = data.query("rates/weighted_by_group", group_by="all", year_from=f.year - 1, year_to=f.year, **f.params())
this_year = totals[totals["year"] == f.year]
chrome.stop_if_empty(this_year, f)
now = this_year.iloc[0]
before = totals[totals["year"] == f.year - 1]
prev = before.iloc[0] if not before.empty else None

flag_counts = outliers.counts_by_year(data.query("outliers/flag_summary", year_from=f.year - 1,
                                                  year_to=f.year, **f.params()))
counted, counted_before = flag_counts(f.year), flag_counts(f.year - 1)


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def pp_delta(column):
    if prev is None or _missing(now[column]) or _missing(prev[column]):
        return None
    return metrics.fmt_pp(now[column] - prev[column])


def growth_delta(column):
    if prev is None or _missing(prev[column]) or not prev[column]:
        return None
    return f"{(now[column] / prev[column] - 1) * 100:+,.2f}%"


def weighted(metric_id: str) -> str:
    """A tile's help: the rate's budget-weighted formula under the configured 口径."""
    return metrics.METRICS[metric_id].weighted_formula_for(config, short=True)


def count_delta(value, before_value):
    return None if before_value is None else f"{int(value) - int(before_value):+,d}"


chrome.scope_caption(f, "比率按预算加权（Σ 分子 ÷ Σ 分母）· 较上年变化：金额为增长率，比率为百分点")
units_warned, units_high = counted["units_warned"], counted["units_warned_high"]
prev_warned = None if prev is None else counted_before["units_warned"]

# amounts get wide tiles (a province's budget runs to 9–10 digits of 万元), rates narrow ones
row1 = st.columns(3)
row1[0].metric("单位数", metrics.fmt("unit_count", now["unit_count"]),
               delta=count_delta(now["unit_count"], None if prev is None else prev["unit_count"]),
               delta_color="off", border=True)
row1[1].metric("调整后预算数（万元）", metrics.fmt_amount_tile(now["budget"]), delta=growth_delta("budget"),
               delta_color="off", border=True,
               help=f"Σ {metrics.METRICS['budget'].formula}= {metrics.fmt_amount(now['budget'])} 万元")
row1[2].metric("实际支出数（万元）", metrics.fmt_amount_tile(now["actual_spend"]),
               delta=growth_delta("actual_spend"), delta_color="off", border=True,
               help=f"Σ 实际支出数 = {metrics.fmt_amount(now['actual_spend'])} 万元")
row2 = st.columns(5)
row2[0].metric("预算执行率", metrics.fmt("execution_rate", now["execution_rate"]),
               delta=pp_delta("execution_rate"), border=True,
               help=f"{weighted('execution_rate')}（按预算加权，不是各单位比率的平均）；较上年的变化以百分点计")
row2[1].metric("结转结余率", metrics.fmt("carryover_rate", now["carryover_rate"]),
               delta=pp_delta("carryover_rate"), delta_color="inverse", border=True,
               help=f"{weighted('carryover_rate')}；上升为不利变化")
row2[2].metric("预算调整率", metrics.fmt("adjustment_rate", now["adjustment_rate"]),
               delta=pp_delta("adjustment_rate"), delta_color="inverse", border=True,
               help=f"{weighted('adjustment_rate')}，只计两个数都填报的单位")
score_delta = None
if prev is not None and not _missing(now["avg_self_score"]) and not _missing(prev["avg_self_score"]):
    score_delta = f"{now['avg_self_score'] - prev['avg_self_score']:+.2f} 分"
row2[3].metric("平均自评得分", metrics.fmt("self_score", now["avg_self_score"]), delta=score_delta,
               border=True, help="填报了自评得分的单位的简单平均")
row2[4].metric("有预警的单位数", f"{units_warned:,}", delta=count_delta(units_warned, prev_warned),
               delta_color="inverse", border=True,
               help=f"按 perfdash.toml 的预警线判定；其中严重预警 {units_high:,} 个单位")

# What needs attention, in words.
if counted["flags"]:
    st.markdown(f"**需要关注：** {f.year} 年{md(f.describe())}共 {counted['flags']:,} 条提示，涉及 "
                f"{counted['units_flagged']:,} 个单位，其中严重 {counted['high_flags']:,} 条"
                f"（{units_high:,} 个单位有严重预警）。")
    top = data.query("outliers/top_flags", year=f.year, limit=5, **f.params())
    st.markdown("\n".join(f"- **{md(r.unit_name)}**：{md(r.reason)}" for r in top.itertuples(index=False)))
else:
    st.success(f"{f.year} 年{md(f.describe())}没有单位触发预警或异常。", icon=":material/check_circle:")

left, right = st.columns([3, 2])
with left:
    bins = data.query("pages/rate_histogram", year=f.year, metric="execution_rate",
                      **overview_charts.HISTOGRAM_BINS, **f.params())
    if bins.empty:
        st.info("本年度没有可计算预算执行率的单位。")
    else:
        fig = overview_charts.rate_histogram(bins, "execution_rate", config,
                                             title=f"{f.year} 年预算执行率分布（{int(bins['unit_count'].sum()):,} 个单位）")
        chrome.chart(fig, filename=f"{f.year}年_预算执行率分布", key="ov_hist")
with right:
    grades = data.query("pages/grade_mix", year=f.year, **f.params())
    fig = overview_charts.grade_mix(grades, title=f"{f.year} 年评价等级分布")
    chrome.chart(fig, filename=f"{f.year}年_评价等级分布", key="ov_grades")

# the 10 lowest and 10 highest straight from DuckDB: the year's units never reach pandas
rated = int(data.query("export/execution_counts", year=f.year, below=None, **f.params())["rated_count"].iloc[0])
lowest_highest = data.query("export/execution_ends", year=f.year, lowest=10, highest=10, **f.params())
ends = unit_charts.rate_ends(lowest_highest, "execution_rate", config, rated=rated, limit=20,
                             title=f"{f.year} 年预算执行率最低和最高的单位")
chrome.unit_chart(ends, filename=f"{f.year}年_预算执行率最低和最高的单位", key="ov_ends")
st.caption(chrome.CLICK_HINT + " 红色为严重预警，橙色为关注，虚线为预警线。")
