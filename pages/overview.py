"""总览: one year at a glance for the chosen scope."""
import streamlit as st

from perfdash import metrics
from perfdash.charts import units as unit_charts
from ui import chrome, data, filters

f = filters.current()
st.title("总览")
if f.year is None:
    chrome.empty_state("数据库")
    st.stop()

st.caption(f"{f.year} 年 · {f.describe()}")
totals = data.query("rates/weighted_by_group", group_by="all", year_from=f.year - 1, year_to=f.year, **f.scope())
this_year = totals[totals["year"] == f.year]
if this_year.empty:
    chrome.empty_state(f"{f.year} 年")
    st.stop()
now = this_year.iloc[0]
before = totals[totals["year"] == f.year - 1]
prev = before.iloc[0] if not before.empty else None

cols = st.columns(4)
cols[0].metric("单位数", metrics.fmt("unit_count", now["unit_count"]))
cols[1].metric("调整后预算数（万元）", metrics.fmt("budget", now["budget"]))
cols[2].metric("实际支出数（万元）", metrics.fmt("actual_spend", now["actual_spend"]))
delta = None if prev is None else metrics.fmt_pp(now["execution_rate"] - prev["execution_rate"])
cols[3].metric("预算执行率（加权）", metrics.fmt("execution_rate", now["execution_rate"]), delta=delta,
               help="Σ实际支出数 ÷ Σ调整后预算数，较上年的变化以百分点计")

unit_rates = data.query("rates/unit_rates", year=f.year, **f.scope())
fig = unit_charts.rate_by_unit(unit_rates, "execution_rate", data.db().config,
                               title=f"{f.year}年各单位预算执行率")
chrome.chart(fig, filename=f"{f.year}年_各单位预算执行率")
