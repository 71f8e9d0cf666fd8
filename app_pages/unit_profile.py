"""单位画像: one unit — its figures year by year, scores by dimension, projects, where it stands
among its peers, and its flags. Opened from any chart or table (session_state["profile_unit"])
or a shared link (?unit=<unit_key>)."""
import pandas as pd
import streamlit as st

from perfdash import labels, metrics
from perfdash.derive import outliers, reconcile
from perfdash.security import markdown_literal as md
from perfdash.present.charts import profile as profile_charts
from ui import chrome, data

f = chrome.start_page("单位画像")

config = data.db().config

# Which unit: a click elsewhere beats the URL; the URL (or the last one viewed) seeds a fresh visit.
# A unit from a link or a click is shown even outside the filters; when the filters change and
# the unit is not within them, the first unit within them is shown instead.
scope_now = (f.region, f.level, f.sector)
requested = st.session_state.pop("profile_unit", None)
if requested is None and "profile_pick" not in st.session_state:
    requested = st.query_params.get("unit") or st.session_state.get("_profile_last")
current = requested or st.session_state.get("profile_pick")
known = data.query("pages/unit_labels", unit_keys=[current], year=None, **f.params()) if current else None
if requested and known.empty and requested.startswith("name:") and "|" not in requested:
    # A link from before units without a code were keyed within their region: follow it when
    # the name is one unit's.
    found = data.query("pages/unit_by_name_link", unit_name=requested.removeprefix("name:"))
    if len(found) == 1:
        requested = current = found["unit_key"].iloc[0]
        known = data.query("pages/unit_labels", unit_keys=[current], year=None, **f.params())
if requested and known.empty:
    st.warning("链接中的单位在数据库中不存在（可能已回滚或改名），请在下方重新选择。", icon=":material/person_search:")
if current and not known.empty and (requested or st.session_state.get("_profile_scope") in (None, scope_now)
                                    or bool(known["in_scope"].iloc[0])):
    st.session_state["profile_pick"] = current
else:
    first = chrome.all_units(f.params())  # the picker's list
    if first.empty:
        chrome.empty_state(f.describe())
        st.stop()
    st.session_state["profile_pick"] = first["unit_key"].iloc[0]
st.session_state["_profile_scope"] = scope_now

unit_key = chrome.unit_search_picker("选择单位（可输入名称搜索）", key="profile_pick", scope=f.params())
st.session_state["_profile_last"] = unit_key
if st.query_params.get("unit") != unit_key:
    st.query_params["unit"] = unit_key

years = data.query("pages/unit_years", unit_key=unit_key)
if years.empty:
    chrome.empty_state("该单位")
    st.stop()
latest = years.iloc[-1]
st.header(md(latest["unit_name"]))
facts = [latest["region"], latest["level"], latest["sector"],
         f"单位编码 {latest['unit_code']}" if pd.notna(latest["unit_code"]) else None,
         f"有 {int(years['year'].min())}–{int(years['year'].max())} 年中 {len(years)} 个年度的数据"]
st.caption(" · ".join(md(x) for x in facts if x is not None and not (isinstance(x, float) and pd.isna(x))))
renamed = years["unit_name"].drop_duplicates()
if len(renamed) > 1:
    st.caption("曾用名：" + "、".join(md(n) for n in renamed.iloc[:-1]))

if f.year in set(years["year"]):
    year = f.year
else:
    year = int(years["year"].max())
    st.info(f"该单位没有 {f.year} 年的数据，以下显示其最近一年（{year} 年）。", icon=":material/info:")
row = years[years["year"] == year].iloc[0]
prev_rows = years[years["year"] == year - 1]
prev = prev_rows.iloc[0] if not prev_rows.empty else None


def pp(column):
    if prev is None or pd.isna(row[column]) or pd.isna(prev[column]):
        return None
    return metrics.fmt_pp(row[column] - prev[column])


st.markdown(f"**{year} 年主要数据**")
cols = st.columns(3)
cols[0].metric("预算数（万元）", metrics.fmt_amount(row["budget"]), border=True,
               help=metrics.METRICS["budget"].formula)
cols[1].metric("实际支出数（万元）", metrics.fmt_amount(row["actual_spend"]), border=True)
cols[2].metric("预算执行率", metrics.fmt_rate(row["execution_rate"]), delta=pp("execution_rate"), border=True,
               help=metrics.METRICS["execution_rate"].formula_for(config))
cols = st.columns(3)
cols[0].metric("结转结余率", metrics.fmt_rate(row["carryover_rate"]), delta=pp("carryover_rate"),
               delta_color="inverse", border=True)
cols[1].metric("自评得分", metrics.fmt_score(row["self_score"]), border=True)
cols[2].metric("评价等级", row["grade"] if pd.notna(row["grade"]) else "未评级", border=True)
provenance = data.query("pages/unit_provenance", unit_key=unit_key, year=year)
evaluation = provenance.dropna(subset=["evaluation_score"]).head(1)
if len(evaluation):
    e = evaluation.iloc[0]
    st.caption(f"外部评价得分 {metrics.fmt_score(e['evaluation_score'])} 分"
               + (f"（{e['evaluation_grade']}）" if pd.notna(e["evaluation_grade"]) else "")
               + "：由部门评价、财政重点评价或第三方给出，不是自评，不参与自评虚高判断。")

# -- flags ---------------------------------------------------------------------------------
st.subheader(f"{year} 年预警与异常")
mine = data.call(outliers.flags_for_unit, unit_key=unit_key, year=year)
if mine.empty:
    st.success(f"{year} 年该单位没有触发预警、异常、自评虚高或数据核查提示。", icon=":material/check_circle:")
else:
    for r in mine.itertuples(index=False):
        text = f"**{labels.SEVERITY_LABELS.get(r.severity, '')} · {labels.FLAG_KIND_LABELS.get(r.kind, '')}**：{md(r.reason)}"
        if r.severity == "high":
            st.error(text, icon=":material/error:")
        else:
            st.warning(text, icon=":material/warning:")

stated = data.call(reconcile.rows, year=year, unit_key=unit_key)
for r in stated.itertuples(index=False):
    text = f"**报告所列比率 · {labels.VERDICT_LABELS.get(r.verdict, r.verdict)}**：{md(r.reason)}"
    (st.warning if r.verdict == "slip" else st.info)(text, icon=":material/fact_check:")
sources = provenance.dropna(subset=["source"])
if len(sources):
    with st.expander("数据来源（导入时记录的原文）", icon=":material/format_quote:"):
        st.markdown("\n".join(f"- {md(s)}" for s in sources["source"].drop_duplicates()))

# -- figures year by year --------------------------------------------------------------------
st.subheader("历年数据")
rows_shown = [
    ("initial_budget", "年初预算数（万元）"), ("adjusted_budget", "调整后预算数（万元）"),
    ("funds_received", "实际到位资金（万元）"), ("actual_spend", "实际支出数（万元）"),
    ("carryover", "结转结余（万元）"),
    *[(m, metrics.label(m)) for m in metrics.UNIT_RATE_IDS],
    ("self_score", "自评得分"), ("grade", "评价等级"),
]
table = pd.DataFrame({
    f"{int(y)} 年": [
        (r[c] if c == "grade" else metrics.fmt(c, r[c])) if pd.notna(r[c]) else "—"
        for c, _ in rows_shown
    ]
    for y, (_, r) in zip(years["year"], years.iterrows())
}, index=[label for _, label in rows_shown])
table.index.name = "指标"
st.dataframe(table, width="stretch", height=35 * (len(table) + 1) + 3)
fig = profile_charts.budget_vs_spend(years, config, title=f"{latest['unit_name']} 历年预算、支出与执行率")
chrome.chart(fig, filename=f"{int(years['year'].min())}–{int(years['year'].max())}年_{latest['unit_name']}_历年预算与支出", key="pf_years")

# -- scores ----------------------------------------------------------------------------------
st.subheader("一级指标得分")
scores = data.query("pages/unit_scores", unit_key=unit_key)
if scores.empty:
    st.info("该单位没有一级指标得分数据。可在「数据导入」页上传「一级指标得分」文件。", icon=":material/info:")
else:
    score_year = chrome.year_of(scores, year, label="年度", key="pf_score_year")
    shown = scores[scores["year"] == score_year]
    total, full = shown["score"].sum(), shown["max_score"].sum(min_count=len(shown))
    out_of = "分值未列" if pd.isna(full) else f"/ {full:g}"
    fig = profile_charts.scores_vs_max(shown, title=f"{score_year} 年一级指标得分（合计 {total:.2f} {out_of}）")
    chrome.chart(fig, filename=f"{latest['unit_name']}_{score_year}年一级指标得分", key="pf_scores")

# -- projects --------------------------------------------------------------------------------
st.subheader("项目执行")
projects = data.query("pages/unit_projects", unit_key=unit_key)
if projects.empty:
    st.info("该单位没有项目支出数据。可在「数据导入」页上传「项目支出」文件。", icon=":material/info:")
else:
    p_year = chrome.year_of(projects, year, label="项目年度", key="pf_project_year")
    shown = projects[projects["year"] == p_year]
    threshold = config.thresholds.get("project_execution_rate")
    status = [labels.SEVERITY_LABELS.get(threshold.severity(v) if threshold and pd.notna(v) else None, "")
              for v in shown["project_execution_rate"]]
    st.dataframe(pd.DataFrame({
        "项目名称": shown["project_name"],
        "项目类别": shown["category"],
        "预算数（万元）": [metrics.fmt_amount(v) for v in shown["budget"]],
        "实际支出数（万元）": [metrics.fmt_amount(v) for v in shown["actual_spend"]],
        "项目预算执行率": [metrics.fmt_rate(v) for v in shown["project_execution_rate"]],
        "提示": status,
    }), hide_index=True, width="stretch")

# -- peers -----------------------------------------------------------------------------------
st.subheader("在同级单位中的位置")
peers = data.query("pages/peer_percentiles", unit_key=unit_key, year=year)
if peers.empty or int(peers["peer_count"].max()) < 2:
    st.info(f"{year} 年没有与该单位同层级的其他单位可比。", icon=":material/info:")
else:
    level = peers["level"].iloc[0] if pd.notna(peers["level"].iloc[0]) else "未填层级"
    st.caption(f"同级 = {year} 年同为{md(level)}的单位（{int(peers['peer_count'].max()):,} 个，含本单位）。"
               "百分位 = 数值低于本单位的同级单位所占比例；绿色为有利的一侧（执行率高、结转结余率低等）。")
    fig = profile_charts.peer_standing(peers, title=f"{year} 年在{level}单位中的位置")
    chrome.chart(fig, filename=f"{latest['unit_name']}_{year}年同级比较", key="pf_peers")
