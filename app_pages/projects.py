"""项目执行: project execution across units — zero-spend and low-execution projects first,
by category, and the worst projects (a row opens the unit's profile)."""
import pandas as pd
import streamlit as st

from perfdash import metrics
from perfdash.derive import projects
from perfdash.present import tabular
from perfdash.security import markdown_literal as md
from perfdash.present.charts import projects as project_charts
from ui import chrome, data

WORST_ROWS = 50

f = chrome.start_page("项目执行")

config = data.db().config
low_below, zero_at = projects.thresholds(config)

by_category = data.call(projects.by_category, year=f.year, low_below=low_below,
                        zero_at_or_below=zero_at, **f.params())
PROJECT_RATE = metrics.METRICS["project_execution_rate"]
chrome.scope_caption(f, f"{PROJECT_RATE.label} = {PROJECT_RATE.formula_for(config)}；"
                     f"零支出 = 全年未支出，低执行 = 执行率低于 {low_below:.0%}（perfdash.toml 的项目预警线）")
if by_category.empty:
    st.warning(f"{f.year} 年（{md(f.describe())}）暂无项目支出数据。请到「数据导入」页上传「项目支出」文件"
               "（列：年度、单位名称、项目名称、项目类别、预算数、实际支出数；可先下载模板）。", icon=":material/inbox:")
    st.stop()

count = int(by_category["project_count"].sum())
zero = int(by_category["zero_count"].sum())
low = int(by_category["low_count"].sum())
idle = float(by_category["idle_amount"].sum())
budget = float(by_category["budget"].sum())
spend = float(by_category["actual_spend"].sum())
cols = st.columns(5)
cols[0].metric("项目数", f"{count:,}", border=True)
cols[1].metric("零支出项目", f"{zero:,}", border=True, help="有预算、全年未支出的项目")
cols[2].metric("低执行项目", f"{low:,}", border=True, help=f"执行率低于 {low_below:.0%}（不含零支出）的项目")
cols[3].metric("未支出（万元）", metrics.fmt_amount(idle), border=True,
               help="零支出和低执行项目的 Σ(预算数 − 实际支出数)")
cols[4].metric("加权执行率", metrics.fmt_rate(spend / budget if budget else None), border=True,
               help=PROJECT_RATE.weighted_formula_for(config))

left, right = st.columns(2)
with left:
    fig = project_charts.problem_counts_by_category(by_category, low_below=low_below,
                                                    title=f"{f.year} 年各类别项目执行情况（个数）")
    chrome.chart(fig, filename=f"{f.year}年_各类别项目执行情况", key="pj_counts")
with right:
    fig = project_charts.idle_amount_by_category(by_category, title=f"{f.year} 年零支出和低执行项目未支出资金（万元）")
    chrome.chart(fig, filename=f"{f.year}年_低执行项目未支出资金", key="pj_idle")

st.subheader(f"执行最差的项目（前 {WORST_ROWS} 个）")
worst = data.call(projects.worst, year=f.year, limit=WORST_ROWS, **f.params())
status = [
    "零支出" if r <= zero_at else f"低于 {low_below:.0%}" if r < low_below else ""
    for r in worst["project_execution_rate"]
]
table = pd.DataFrame({
    "单位名称": worst["unit_name"],
    "项目名称": worst["project_name"],
    "项目预算执行率": worst["project_execution_rate"] * 100,   # percent units for "%.2f%%"
    "提示": status,
    "预算数（万元）": worst["budget"],
    "实际支出数（万元）": worst["actual_spend"],
    "未支出（万元）": worst["idle_amount"],
    "项目类别": worst["category"],
    "地区": worst["region"],
})
fills = {"零支出": "background-color: #F6D5D1"}
styled = table.style.apply(lambda col: [fills.get(s, "background-color: #FBE5CF" if s else "") for s in status],
                           subset=["提示"])
chrome.unit_table(
    styled, worst["unit_key"], key="pj_worst", hide_index=True, width="stretch",
    height=min(600, 35 * (len(table) + 1) + 3),
    column_config={
        "预算数（万元）": st.column_config.NumberColumn(format="%,.2f"),
        "实际支出数（万元）": st.column_config.NumberColumn(format="%,.2f"),
        "未支出（万元）": st.column_config.NumberColumn(format="%,.2f"),
        "项目预算执行率": st.column_config.ProgressColumn(format="%.2f%%", min_value=0.0, max_value=100.0),
    },
)
st.caption("按执行率由低到高、同执行率按预算由大到小排列；选中一行打开该单位画像。")


def _all_projects() -> bytes:
    """Every project of the year in scope as CSV (built only when the button is clicked)."""
    rows = data.query("rates/project_rates", year=f.year, **f.params())
    out = pd.DataFrame({
        "单位编码": rows["unit_code"], "单位名称": rows["unit_name"], "地区": rows["region"],
        "层级": rows["level"], "项目名称": rows["project_name"], "项目类别": rows["category"],
        "预算数（万元）": rows["budget"], "实际支出数（万元）": rows["actual_spend"],
        f"{PROJECT_RATE.label}（%）": (rows["project_execution_rate"] * 100).round(2),
    })
    return tabular.to_csv_bytes(out)


st.download_button(f"下载全部项目（{count:,} 个，CSV）", data=_all_projects,
                   file_name=tabular.safe_filename(f"{f.year}年_项目执行_{f.describe()}") + ".csv",
                   mime="text/csv", icon=":material/download:", key="pj_download", on_click="ignore")
