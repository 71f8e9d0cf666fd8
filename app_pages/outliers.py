"""异常预警: every warning, statistical outlier, self-evaluation inflation case and data question of the year for
the sidebar's scope — counted, filterable, explained in a sentence each, downloadable, and shown
where they sit among all units."""
import streamlit as st

from perfdash import labels, metrics
from perfdash.present import tabular
from perfdash.derive import flag_list, outliers
from perfdash.security import markdown_literal
from perfdash.present.charts import outlier_points
from perfdash.present.charts import outliers as outlier_charts
from ui import chrome, data

# Rows of the list per page: the list is paged in SQL, counts are counted there, and the charts
# get only the dots they draw — never a frame of every unit or every flag (a national scope is
# 500,000 units); the downloads build the whole list when they are clicked.
PAGE_ROWS = 500

f = chrome.start_page("异常预警")

database = data.db()
config = database.config
counts = data.query("pages/metric_counts", year=f.year, **f.params())
chrome.stop_if_empty(counts, f)
s = data.call(flag_list.summary, year=f.year, units_total=int(counts["units"].max()), **f.params())

chrome.scope_caption(f, "预警：触及 perfdash.toml 中的预警线；异常：与同年度同层级单位或与本单位上年相比明显偏离；"
                        "自评虚高：自评结果得不到本单位数据支持；数据核查：数据不全或互相矛盾，数字本身有疑问")

# two rows: at province scale "4,302 / 20,000" does not fit a sixth of a laptop screen
by_kind, by_severity = st.columns(4), st.columns(3)
by_kind[0].metric("预警", f"{s['by_kind']['warning']:,} 条", border=True)
by_kind[1].metric("异常", f"{s['by_kind']['statistical']:,} 条", border=True)
by_kind[2].metric("自评虚高", f"{s['by_kind']['inflation']:,} 条", border=True)
by_kind[3].metric("数据核查", f"{s['by_kind']['data']:,} 条", border=True,
                  help="报告所列比率逐条核对见「报告比率核对」页")
by_severity[0].metric("严重", f"{s['by_severity']['high']:,} 条", border=True,
                      help=f"涉及 {s['units_high']:,} 个单位")
by_severity[1].metric("关注", f"{s['by_severity']['medium']:,} 条", border=True)
share = "—" if s["share"] is None else f"{s['share'] * 100:.2f}%"
by_severity[2].metric("涉及单位", f"{s['units_flagged']:,} / {s['units_total']:,}", border=True,
                      help=f"有至少一条提示的单位占范围内单位的 {share}")

with st.expander("判定规则（可在 perfdash.toml 中调整）", icon=":material/rule:"):
    st.markdown("\n".join(f"- {line}" for line in outliers.rules_text(config)))

if s["units_flagged"] == 0:
    st.success(f"{f.year} 年{markdown_literal(f.describe())}没有单位触发预警、异常、自评虚高或数据核查。", icon=":material/check_circle:")
else:
    left, right = st.columns(2)
    kind_labels = [labels.FLAG_KIND_LABELS[k] for k in labels.FLAG_KINDS]
    severity_labels = [labels.SEVERITY_LABELS[x] for x in labels.SEVERITIES]
    with left:
        kinds = st.pills("类型", kind_labels, selection_mode="multi", default=kind_labels, key="ol_kinds")
    with right:
        severities = st.pills("程度", severity_labels, selection_mode="multi", default=severity_labels,
                              key="ol_severities")
    chosen = dict(kinds=[k for k in labels.FLAG_KINDS if labels.FLAG_KIND_LABELS[k] in kinds],
                  severities=[x for x in labels.SEVERITIES if labels.SEVERITY_LABELS[x] in severities],
                  year=f.year, **f.params())
    total, units = data.call(flag_list.counted, **chosen)
    pages = max(1, -(-total // PAGE_ROWS))
    page = 1
    if pages > 1:
        if st.session_state.get("ol_page", 1) > pages:      # fewer pages after a filter change
            st.session_state["ol_page"] = pages
        page = int(st.number_input(f"页码（共 {pages:,} 页，每页 {PAGE_ROWS:,} 条）", min_value=1, max_value=pages,
                                   step=1, key="ol_page"))
    shown = data.call(flag_list.listed, limit=PAGE_ROWS, offset=(page - 1) * PAGE_ROWS, **chosen)
    table = outliers.display_frame(shown)

    st.markdown(f"**{total:,} 条提示**，涉及 {units:,} 个单位。"
                + (f"表中为第 {(page - 1) * PAGE_ROWS + 1:,}–{(page - 1) * PAGE_ROWS + len(shown):,} 条"
                   "（按程度、类型、单位名称排列），其余请翻页或下载完整清单。" if pages > 1 else "")
                + "点击表头可排序；选中一行可打开该单位的「单位画像」。")
    if shown.empty:
        st.info("没有符合所选类型和程度的提示。", icon=":material/filter_alt_off:")
    else:
        on_screen = table[["程度", "类型", "单位名称", "说明", "指标", "数值", "层级", "地区"]]
        chrome.unit_table(
            on_screen, shown["unit_key"], key="ol_table", hide_index=True, width="stretch",
            row_height=66, height=min(40 + 66 * len(on_screen), 700),  # > 4rem: cells wrap
            column_config={
                "程度": st.column_config.TextColumn(width=52),
                "类型": st.column_config.TextColumn(width=72),
                "单位名称": st.column_config.TextColumn(width=170),
                "说明": st.column_config.TextColumn(width=500),
                "指标": st.column_config.TextColumn(width=120),
                "数值": st.column_config.TextColumn(width=90),
                "层级": st.column_config.TextColumn(width=52),
            },
        )

    def _whole_list():
        """Every flag of the chosen kinds and severities (built when a download is clicked)."""
        return outliers.display_frame(flag_list.listed(database, limit=None, **chosen))

    name = tabular.safe_filename(f"{f.year}年_异常预警_{f.describe()}")
    d1, d2, _ = st.columns([1, 1, 4])
    # The files are built only when a button is clicked (a callable `data`), not on every run.
    d1.download_button(f"下载 CSV（{total:,} 条）" if pages > 1 else "下载 CSV",
                       lambda: tabular.to_csv_bytes(_whole_list()), file_name=f"{name}.csv", mime="text/csv",
                       icon=":material/download:", key="ol_csv", disabled=shown.empty, on_click="ignore")
    d2.download_button(f"下载 Excel（{total:,} 条）" if pages > 1 else "下载 Excel",
                       lambda: tabular.to_xlsx_bytes(_whole_list(), sheet_name=f"{f.year}年异常预警"),
                       file_name=f"{name}.xlsx", icon=":material/download:", key="ol_xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       disabled=shown.empty, on_click="ignore")

st.subheader("标注在全部单位中的位置")
st.caption("按层级分组：箱线为筛选范围内全部单位的四分位区间；彩色点为该指标有提示的单位（红：严重，橙：关注），"
           f"灰点为其他单位（超过 {outlier_charts.MAX_POINTS:,} 个时画出固定抽样，图例注明）；"
           "三角形表示数值超出图示范围（标签和悬停显示实际数值）。同级比较的中位数按全部地区、行业的同级单位计算。"
           + chrome.CLICK_HINT)
with_values = dict(zip(counts["metric"], counts["ranked"]))
charted = [m for m in ("execution_rate", "carryover_rate", "adjustment_rate", "sangong_control_rate",
                       "procurement_execution_rate", "funds_arrival_rate", "carryover_change_rate")
           if with_values.get(m, 0) > 0]
tab_names = [metrics.label(m) for m in charted] + ["自评与执行"]
# Only the open tab's chart is built (on_change="rerun": switching tabs reruns the page), from
# the dots it draws and numbers DuckDB works out over every unit in scope.
tabs = st.tabs(tab_names, key="ol_tab", on_change="rerun")
for tab, metric_id in zip(tabs, charted):
    if tab.open is False:
        continue
    with tab:
        parts = outlier_points.strip_parts_sql(database, data.query, config, metric_id, year=f.year, **f.params())
        fig = outlier_charts.draw_strip(parts, metric_id, config, title=f"{f.year} 年各单位{metrics.label(metric_id)}")
        chrome.unit_chart(fig, filename=f"{f.year}年_{metrics.label(metric_id)}_异常标注",
                          key=f"ol_strip_{metric_id}")
if tabs[-1].open is not False:
    with tabs[-1]:
        parts = outlier_points.score_parts_sql(database, data.query, config, year=f.year, **f.params())
        if parts.normal_total + len(parts.marked) == 0:
            st.info("本年度没有同时填报自评得分和预算执行数据的单位。")
        else:
            fig = outlier_charts.draw_score(parts, config, title=f"{f.year} 年预算执行率与自评得分（★ 为自评虚高）")
            chrome.unit_chart(fig, filename=f"{f.year}年_执行率与自评得分", key="ol_scatter")
