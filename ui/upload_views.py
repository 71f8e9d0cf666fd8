"""The widgets of an upload session (perfdash.ingest.session): problems, preview, confirm and
result. The 数据导入 page draws its spreadsheet upload and its report upload with them. Text that
comes from files is shown with st.text / st.dataframe only, never as Markdown."""
from __future__ import annotations

import streamlit as st

from perfdash.ingest.columns import KIND_LABEL
from perfdash.ingest.session import Confirm, Preview, Stage, UploadSession
from perfdash.present import tabular, upload_tables as tables
from ui import data


def show_problems(problems, key: str) -> None:
    st.error(f"检查未通过：共 {len(problems):,} 个问题，数据库未作任何修改。请按下表修改文件后重新上传。",
             icon=":material/error:")
    report = tables.problem_report(problems)
    st.dataframe(report, hide_index=True, width="stretch", key=f"{key}_problems")
    st.download_button("下载问题清单（CSV）", tabular.to_csv_bytes(report), file_name="导入问题清单.csv",
                       mime="text/csv", key=f"{key}_problems_csv", icon=":material/download:", on_click="ignore")


def show_preview(preview: Preview, key: str) -> None:
    st.success("检查通过。以下是导入后将发生的变化（尚未写入数据库）：", icon=":material/fact_check:")
    st.dataframe(tables.preview_summary(preview), hide_index=True, width="stretch", key=f"{key}_summary")
    for i, f in enumerate(preview.files, start=1):
        p, changes = f.file, f.changes
        if p.kind == "unit_map":
            with st.expander(f"文件 {i}（单位对照）：新增对照 {f.inserted:,} 条，归入现单位的数据 {f.updated:,} 行，"
                             f"已有对照 {f.unchanged:,} 条", expanded=True):
                st.text(f"文件名：{p.file_name}")
                st.dataframe(changes.drop(columns="change"), hide_index=True, width="stretch", key=f"{key}_map_{i}")
            continue
        with st.expander(f"文件 {i}（{KIND_LABEL[p.kind]}）：新增 {f.inserted:,} 行，更新 {f.updated:,} 行，"
                         f"未变 {f.unchanged:,} 行", expanded=len(preview.files) == 1):
            st.text(f"文件名：{p.file_name}")
            for line in [f"提示：{w}" for w in p.warnings] + p.details():   # units, sheets, skipped rows
                st.text(line)
            new_rows = changes[changes["change"] == "new"]
            if not new_rows.empty:
                st.markdown(f"**新增的行**（{len(new_rows):,} 行）")
                st.dataframe(tables.new_rows_shown(p.kind, new_rows), hide_index=True, width="stretch",
                             key=f"{key}_new_{i}")
            changed = changes[changes["change"] == "changed"]
            if not changed.empty:
                st.markdown(f"**更新的行**（{len(changed):,} 行，原值 → 新值，只列出不同的列）")
                st.dataframe(tables.changed_long(p.kind, changed.head(tables.PREVIEW_ROWS)),
                             hide_index=True, width="stretch", key=f"{key}_changed_{i}")
            if len(new_rows) > tables.PREVIEW_ROWS or len(changed) > tables.PREVIEW_ROWS:
                st.caption(f"仅显示前 {tables.PREVIEW_ROWS} 行。")
            if f.unchanged:
                st.caption(f"另有 {f.unchanged:,} 行与数据库中的数据相同，导入时不变。")
    show_scale(preview.scale)
    if preview.questions:
        st.warning(f"以下 {len(preview.questions)} 处单位变更需要确认（勾选下方「{ACCEPT_UNITS}」后才会导入）：",
                   icon=":material/help:")
        st.dataframe(tables.unit_questions(preview.questions), hide_index=True, width="stretch",
                     key=f"{key}_unit_questions")


ACCEPT_UNITS = "确认以上单位变更"
ACCEPT_SCALE = "金额已核对无误，按表中数值导入（列入数据核查）"


def show_scale(scale) -> None:
    """Budget files whose amounts look read at the wrong scale (元 as 万元), each explained."""
    if not scale:
        return
    st.warning(f"以下 {len(scale)} 个文件的金额量级存疑（可能把「元」当成了「万元」）。请先核对；"
               f"若金额确实如此，勾选下方「{ACCEPT_SCALE}」后才会导入：", icon=":material/warning:")
    for question in scale:
        st.text(str(question))


def confirm(session: UploadSession, preview: Preview, may_write, key: str) -> None:
    if not preview.changes_anything:
        st.info("这些文件与数据库中的数据完全相同，无需导入。", icon=":material/check_circle:")
        return
    name = st.text_input("导入人（必填，记入导入历史）", key=f"{key}_by", max_chars=50,
                         placeholder="例如：预算科 张三")
    accept = bool(preview.questions) and st.checkbox(ACCEPT_UNITS, key=f"{key}_accept_units")
    accept_scale = bool(preview.scale) and st.checkbox(ACCEPT_SCALE, key=f"{key}_accept_scale")
    if not st.button("确认导入", type="primary", key=f"{key}_confirm", icon=":material/upload:"):
        st.caption("确认前不会写入任何数据。")
        return
    outcome = session.confirm(data.db(), name, may_write=may_write,
                              accept_unit_changes=accept, accept_scale=accept_scale)
    if outcome.status is Confirm.SCALE:
        st.error(f"请先核对上面列出的金额量级并勾选「{ACCEPT_SCALE}」，未写入任何数据。", icon=":material/warning:")
        if not preview.scale:   # the files together asked more than the preview showed
            show_scale(outcome.scale)
    if outcome.status is Confirm.UNIT_CHANGES:
        st.error(f"请先核对上面列出的单位变更并勾选「{ACCEPT_UNITS}」，未写入任何数据。",
                 icon=":material/help:")
        if not preview.questions:   # the files together asked more than the preview showed
            st.dataframe(tables.unit_questions(outcome.questions), hide_index=True, width="stretch",
                         key=f"{key}_unit_questions_more")
    if outcome.status is Confirm.NO_IMPORTER:
        st.error("请先填写导入人。", icon=":material/person:")
    elif outcome.status is Confirm.NOT_ALLOWED:
        st.error("没有导入权限（密码已失效或未验证），未写入任何数据。", icon=":material/block:")
    elif outcome.status is Confirm.STALE:
        st.warning("预览之后数据库已被修改（可能有人同时导入或回滚），请重新核对上面的预览后再确认。")
    elif outcome.status is Confirm.REFUSED:
        show_problems(list(outcome.problems), key)
    elif outcome.status is Confirm.FAILED:
        st.error("导入失败，数据库未作任何修改。", icon=":material/error:")
        st.text(f"原因：{outcome.reason}")
    elif outcome.ok:
        data.clear_caches()
        st.rerun()   # so the sidebar filters and every cached figure show the new data at once


def show_result(results, key: str) -> None:
    """The last import's result, shown until a different set of files is uploaded."""
    table = tables.result_table(results)
    batches = [str(b) for b in table["批次"].dropna()]
    st.success("导入完成" + (f"：批次 {'、'.join(batches)}。" if batches else "。")
               + "各页面已显示新数据；如有误，可在下方「导入历史」中回滚。", icon=":material/task_alt:")
    st.dataframe(table, hide_index=True, width="stretch", key=f"{key}_result_table")
    for line in [f"{r.file_name}：{d}" for r in results for d in r.details]:   # units, sheets, skipped rows
        st.text(line)


def run(session: UploadSession, files: list[tuple[str, bytes]], limits, *, may_write, key: str) -> None:
    """The steps of one upload session, drawn: the last result, the problems, or the preview and
    the confirm button. `key` keeps the widgets of two sessions on one page apart."""
    stage = session.check(files, limits)
    if session.imported is not None:
        show_result(session.imported.results, key)
    if stage is Stage.IMPORTED:
        st.caption("以上文件已经导入。要导入其他文件，请先移除上面的文件再选择新文件。")
        return
    if stage is Stage.REFUSED:
        show_problems(list(session.problems), key)
    if stage is not Stage.READY:
        return
    try:
        preview = session.preview(data.db())
    except Exception as exc:   # a DuckDB error: say so, no traceback
        st.error("无法生成预览。", icon=":material/error:")
        st.text(f"原因：{type(exc).__name__}：{exc}")
        return
    if session.stage is Stage.REFUSED:   # checked against the stored data (e.g. a 元 file read as 万元)
        return show_problems(list(session.problems), key)
    show_preview(preview, key)
    confirm(session, preview, may_write, key)
