"""The 数据导入 page's report step: self-evaluation reports (.docx, .pdf, .txt) read, every figure
shown beside its sentence in editable tables, a missing unit name or year asked for. Nothing is
written until the reviewer confirms, and then through the same all-or-nothing import as a
spreadsheet (an upload session of its own, drawn by ui.upload_views)."""
from __future__ import annotations

import streamlit as st

from perfdash.extract import review as report_review
from perfdash.ingest.session import UploadSession
from ui import upload_views

REVIEW_KEY = "_report_review"     # perfdash.extract.review.ReportReviewSession
SESSION_KEY = "_report_upload"    # the UploadSession the reviewed figures go through


def _state(key: str, make):
    if key not in st.session_state:
        st.session_state[key] = make()
    return st.session_state[key]


def section(limits, *, may_write) -> None:
    st.subheader("上传自评报告")
    st.caption("也可以直接上传单位的部门整体支出绩效自评报告（Word .docx、文字版 PDF 或 .txt）。系统从报告的正文和表格中"
               "读出金额、得分、项目和报告所列比率，每个数字都列出它所在的原句；请逐条核对、改正，补齐报告没有写明的"
               "单位名称或年度，确认后才导入。扫描版 PDF 无法读取。")
    files = st.file_uploader("选择自评报告", type=list(report_review.ACCEPTED), accept_multiple_files=True,
                             key="report_files")
    reviewing = _state(REVIEW_KEY, report_review.ReportReviewSession)
    reviewing.load([(f.name, f.getvalue()) for f in files or []])
    if reviewing.error:
        st.error(f"无法读取报告：{reviewing.error}", icon=":material/error:")
        return
    review = reviewing.review
    if review is None:
        return
    if review.figures.empty:
        st.warning("报告中没有找到可以导入的数字（金额、得分、项目或比率）。", icon=":material/search_off:")
        return
    st.markdown("**第 1 步：核对单位和年度**（报告没有写明的请补齐）")
    records = st.data_editor(review.records, key=f"report_records_{reviewing.digest[:12]}", width="stretch",
                             disabled=["报告", "提示"], num_rows="fixed")
    st.markdown("**第 2 步：核对每个数字**（金额单位万元；「数值」可以修改，「来源」是报告原句）")
    figures = st.data_editor(
        review.figures, key=f"report_figures_{reviewing.digest[:12]}", width="stretch", hide_index=True,
        num_rows="fixed",
        disabled=["记录", "类别", "数据项", "来源"],
        column_config={"kind": None, "key": None, "item": None,      # fixed widths: the sentence gets the rest
                       "记录": st.column_config.NumberColumn(width=60), "类别": st.column_config.TextColumn(width=110),
                       "数据项": st.column_config.TextColumn(width=150), "数值": st.column_config.TextColumn(width=110),
                       "来源": st.column_config.TextColumn(width="large")})
    reviewed = report_review.Review(records, figures)
    missing = report_review.problems(reviewed)
    if missing:
        st.warning("请先补齐以下内容，才能检查和导入：", icon=":material/edit_note:")
        for line in missing:
            st.text(line)
        return
    st.markdown("**第 3 步：检查并确认导入**（与上传表格相同的检查；确认前不写入）")
    upload_views.run(_state(SESSION_KEY, UploadSession), report_review.upload_files(reviewed), limits,
                     may_write=may_write, key="report")
