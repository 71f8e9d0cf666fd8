"""报告比率核对: every rate a report printed (报告所列比率) set against the figures — the report's
value, ours, the difference and the verdict (一致 / 口径不同 / 算不出 / 无法核对), each with its
sentence and the report's own words; filterable and downloadable."""
from functools import partial

import streamlit as st

from perfdash import labels
from perfdash.derive import reconcile
from perfdash.present import tabular
from perfdash.security import markdown_literal
from ui import chrome, data

f = chrome.start_page("报告比率核对")
rows = data.call(reconcile.rows, year=f.year)
for column, value in f.params().items():
    if value is not None:
        rows = rows[rows[column].eq(value).fillna(False).astype(bool)]
rows = rows.reset_index(drop=True)

chrome.scope_caption(f, "报告所列比率与本系统按 perfdash.toml 口径计算的结果逐条比对；"
                        "差异在 ±0.005 个百分点以内（报告保留两位小数）视为一致")

counts = st.columns(4)
for column, verdict in zip(counts, labels.VERDICTS):
    column.metric(labels.VERDICT_LABELS[verdict], f"{int(rows['verdict'].eq(verdict).sum()):,} 条", border=True)

with st.expander("核对结果的含义", icon=":material/help:"):
    st.markdown(
        "- **一致**：本系统按现行口径算出的数与报告相同。\n"
        "- **口径不同**：换一个分母（如按实际到位资金、按实际支出数）能算出报告的数，说明报告用了别的口径，"
        "数据本身没有矛盾。\n"
        "- **算不出（疑似差错）**：用单位的各项数据、按各种口径都算不出报告的数，列出最接近的结果；"
        "这类比率同时列入「异常预警」的数据核查。\n"
        "- **无法核对**：数据库中没有计算该比率所需的数据。")

if rows.empty:
    st.info(f"{f.year} 年{markdown_literal(f.describe())}没有导入报告所列比率。可在「数据导入」页上传"
            "「报告所列比率」文件，或用 `python -m perfdash extract 报告 --out 目录` 从报告中提取。",
            icon=":material/info:")
    st.stop()

verdict_labels = [labels.VERDICT_LABELS[v] for v in labels.VERDICTS]
chosen = st.pills("核对结果", verdict_labels, selection_mode="multi", default=verdict_labels, key="rc_verdicts")
shown = rows[rows["verdict"].map(labels.VERDICT_LABELS).isin(chosen)].reset_index(drop=True)
table = reconcile.display_frame(shown)
st.markdown(f"**{len(shown):,} 条**。选中一行可打开该单位的「单位画像」。")
if not shown.empty:
    chrome.unit_table(
        table, shown["unit_key"], key="rc_table", hide_index=True, width="stretch", row_height=66,
        height=min(40 + 66 * len(table), 700),
        column_config={"说明": st.column_config.TextColumn(width=420),
                       "原文": st.column_config.TextColumn(width=360)},
    )
name = tabular.safe_filename(f"{f.year}年_报告比率核对_{f.describe()}")
st.download_button("下载 CSV", partial(tabular.to_csv_bytes, table), file_name=f"{name}.csv", mime="text/csv",
                   icon=":material/download:", key="rc_csv", disabled=shown.empty, on_click="ignore")
