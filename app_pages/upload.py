"""数据导入: templates; upload → check → preview → confirm; import history with rollback.

Nothing is written before the user presses 确认导入 (or confirms a rollback twice), and the
importer writes all files or none. Text that comes from files (file names, unit names, cell
values in messages) is shown with st.text / st.dataframe only, never as Markdown. The steps
themselves are perfdash.ingest.session; this page draws them, ui.upload_state keeps them.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

from perfdash import security
from perfdash.config import PROJECT_ROOT
from perfdash.ingest.columns import KIND_LABEL
from perfdash.ingest.session import Confirm, Preview, Rollback, Stage, UploadSession
from perfdash.present import tabular, upload_tables as tables
from perfdash.store import backup
from ui import data, upload_state

TEMPLATE_DIR = PROJECT_ROOT / "data" / "templates"
TEMPLATES = [(label, f"{label}模板") for label in KIND_LABEL.values()]   # (label, file stem)
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls"]


def _unlock(password: str) -> None:
    st.info("导入和回滚需要上传密码；没有密码也可以查看导入历史、下载模板。", icon=":material/lock:")
    entered = st.text_input("上传密码", type="password", key="upload_password")
    if st.button("验证密码", key="upload_unlock"):
        result = upload_state.unlock(entered, password)
        if result.ok:
            st.rerun()
        st.error(result.message, icon=":material/block:")


def _templates() -> None:
    st.subheader("模板下载")
    st.caption("每个文件只放一类数据，表头用模板中的列名（常见的别名也能识别）；金额单位为万元，"
               "表头写「（元）」的列会自动换算。CSV 可为 UTF-8 或 GBK 编码。")
    cols = st.columns(len(TEMPLATES))
    for col, (label, stem) in zip(cols, TEMPLATES):
        with col:
            st.markdown(f"**{label}**")
            for suffix, mime in ((".csv", "text/csv"),
                                 (".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")):
                path = TEMPLATE_DIR / f"{stem}{suffix}"
                if path.is_file():
                    st.download_button(f"下载 {suffix[1:].upper()} 模板", path.read_bytes(), file_name=path.name,
                                       mime=mime, key=f"tpl_{stem}{suffix}", icon=":material/download:",
                                       on_click="ignore")
                else:
                    st.caption(f"{suffix[1:].upper()} 模板暂缺")


def _show_problems(problems) -> None:
    st.error(f"检查未通过：共 {len(problems):,} 个问题，数据库未作任何修改。请按下表修改文件后重新上传。",
             icon=":material/error:")
    report = tables.problem_report(problems)
    st.dataframe(report, hide_index=True, width="stretch", key="upload_problems")
    st.download_button("下载问题清单（CSV）", tabular.to_csv_bytes(report), file_name="导入问题清单.csv",
                       mime="text/csv", key="upload_problems_csv", icon=":material/download:", on_click="ignore")


def _show_preview(preview: Preview) -> None:
    st.success("检查通过。以下是导入后将发生的变化（尚未写入数据库）：", icon=":material/fact_check:")
    st.dataframe(tables.preview_summary(preview), hide_index=True, width="stretch", key="upload_summary")
    for i, f in enumerate(preview.files, start=1):
        p, changes = f.file, f.changes
        with st.expander(f"文件 {i}（{KIND_LABEL[p.kind]}）：新增 {f.inserted:,} 行，更新 {f.updated:,} 行，"
                         f"未变 {f.unchanged:,} 行", expanded=len(preview.files) == 1):
            st.text(f"文件名：{p.file_name}")
            for warning in p.warnings:
                st.text(f"提示：{warning}")
            new_rows = changes[changes["change"] == "new"]
            if not new_rows.empty:
                st.markdown(f"**新增的行**（{len(new_rows):,} 行）")
                st.dataframe(tables.new_rows_shown(p.kind, new_rows), hide_index=True, width="stretch",
                             key=f"upload_new_{i}")
            changed = changes[changes["change"] == "changed"]
            if not changed.empty:
                st.markdown(f"**更新的行**（{len(changed):,} 行，原值 → 新值，只列出不同的列）")
                st.dataframe(tables.changed_long(p.kind, changed.head(tables.PREVIEW_ROWS)),
                             hide_index=True, width="stretch", key=f"upload_changed_{i}")
            if len(new_rows) > tables.PREVIEW_ROWS or len(changed) > tables.PREVIEW_ROWS:
                st.caption(f"仅显示前 {tables.PREVIEW_ROWS} 行。")
            if f.unchanged:
                st.caption(f"另有 {f.unchanged:,} 行与数据库中的数据相同，导入时不变。")
    if preview.questions:
        st.warning(f"以下 {len(preview.questions)} 处单位变更需要确认（勾选下方「确认这些单位的地区/层级变更」后才会导入）：",
                   icon=":material/help:")
        st.dataframe(tables.unit_questions(preview.questions), hide_index=True, width="stretch",
                     key="upload_unit_questions")


def _confirm(session: UploadSession, preview: Preview, access, password) -> None:
    if not preview.changes_anything:
        st.info("这些文件与数据库中的数据完全相同，无需导入。", icon=":material/check_circle:")
        return
    name = st.text_input("导入人（必填，记入导入历史）", key="upload_by", max_chars=50,
                         placeholder="例如：预算科 张三")
    accept = bool(preview.questions) and st.checkbox("确认这些单位的地区/层级变更", key="upload_accept_units")
    if not st.button("确认导入", type="primary", key="upload_confirm", icon=":material/upload:"):
        st.caption("确认前不会写入任何数据。")
        return
    outcome = session.confirm(data.db(), name, may_write=lambda: upload_state.may_write(access, password),
                              accept_unit_changes=accept)
    if outcome.status is Confirm.UNIT_CHANGES:
        st.error("请先核对上面列出的单位变更并勾选「确认这些单位的地区/层级变更」，未写入任何数据。",
                 icon=":material/help:")
        if not preview.questions:   # the files together asked more than the preview showed
            st.dataframe(tables.unit_questions(outcome.questions), hide_index=True, width="stretch",
                         key="upload_unit_questions_more")
    if outcome.status is Confirm.NO_IMPORTER:
        st.error("请先填写导入人。", icon=":material/person:")
    elif outcome.status is Confirm.NOT_ALLOWED:
        st.error("没有导入权限（密码已失效或未验证），未写入任何数据。", icon=":material/block:")
    elif outcome.status is Confirm.STALE:
        st.warning("预览之后数据库已被修改（可能有人同时导入或回滚），请重新核对上面的预览后再确认。")
    elif outcome.status is Confirm.REFUSED:
        _show_problems(list(outcome.problems))
    elif outcome.status is Confirm.FAILED:
        st.error("导入失败，数据库未作任何修改。", icon=":material/error:")
        st.text(f"原因：{outcome.reason}")
    elif outcome.ok:
        data.clear_caches()
        st.rerun()   # so the sidebar filters and every cached figure show the new data at once


def _show_result(results) -> None:
    """The last import's result, shown until a different set of files is uploaded."""
    table = tables.result_table(results)
    batches = [str(b) for b in table["批次"].dropna()]
    st.success("导入完成" + (f"：批次 {'、'.join(batches)}。" if batches else "。")
               + "各页面已显示新数据；如有误，可在下方「导入历史」中回滚。", icon=":material/task_alt:")
    st.dataframe(table, hide_index=True, width="stretch", key="upload_result_table")


def _upload(access, password) -> None:
    st.subheader("上传文件")
    try:
        limits = security.upload_limits()
    except security.LimitsError as exc:
        st.error(str(exc))
        return
    max_mb = limits.max_bytes / 1024 / 1024
    files = st.file_uploader(
        f"选择一个或多个文件（CSV / XLSX，单个文件不超过 {max_mb:g} MB、{limits.max_rows:,} 行）",
        type=UPLOAD_TYPES, accept_multiple_files=True, key="upload_files",
        # The browser-side cap sits above ours so that most oversize files get our Chinese message.
        max_upload_size=max(int(max_mb * 2), int(max_mb) + 1),
    )
    session = upload_state.session()
    stage = session.check([(f.name, f.getvalue()) for f in files or []], limits)
    if session.imported is not None:
        _show_result(session.imported.results)
    if stage is Stage.IMPORTED:
        st.caption("以上文件已经导入。要导入其他文件，请先移除上面的文件再选择新文件。")
        return
    if stage is Stage.REFUSED:
        _show_problems(list(session.problems))
    if stage is not Stage.READY:
        return
    try:
        preview = session.preview(data.db())
    except Exception as exc:   # a DuckDB error: say so, no traceback
        st.error("无法生成预览。", icon=":material/error:")
        st.text(f"原因：{type(exc).__name__}：{exc}")
        return
    if session.stage is Stage.REFUSED:   # checked against the stored data (e.g. a 元 file read as 万元)
        return _show_problems(list(session.problems))
    _show_preview(preview)
    _confirm(session, preview, access, password)


def _history(can_write: bool) -> None:
    st.subheader("导入历史")
    history = data.query("import/history")
    if history.empty:
        st.info("还没有导入记录。", icon=":material/history:")
        return
    st.dataframe(tables.history_table(history), hide_index=True, width="stretch", key="upload_history")
    if can_write:
        _rollback(history)


def _rollback(history: pd.DataFrame) -> None:
    active = history[history["status"] == "active"]
    st.markdown("#### 回滚一个批次")
    if active.empty:
        st.caption("没有可回滚的批次。")
        return
    labels = {int(r.batch_id): f"批次 {int(r.batch_id)} · {r.file_name} · {r.imported_at:%Y-%m-%d %H:%M}"
              for r in active.itertuples()}
    batch_id = st.selectbox("选择批次（回滚会撤销该批次写入的行，并恢复被它替换的原数据）", list(labels),
                            format_func=labels.get, index=None, placeholder="请选择要回滚的批次",
                            key=upload_state.ROLLBACK_BATCH_KEY)
    session = upload_state.session()
    if batch_id is None:
        session.cancel_rollback()
        return
    if session.rollback_pending != batch_id:
        if st.button("回滚此批次…", key="rollback_start", icon=":material/undo:"):
            session.request_rollback(batch_id)
            st.rerun()
        return
    row = active[active["batch_id"] == batch_id].iloc[0]
    st.warning(f"第 1 步：建议先下载数据库备份（ZIP）。第 2 步：确认回滚批次 {batch_id}——将撤销它新增的 "
               f"{int(row['rows_inserted']):,} 行，并把它更新的 {int(row['rows_updated']):,} 行恢复为原值。"
               "所有页面的数字都会随之改变。", icon=":material/warning:")
    db = data.db()
    st.download_button("第 1 步：下载数据库备份（ZIP）", lambda: backup.backup_zip_bytes(db),
                       file_name=f"数据库备份_回滚批次{batch_id}之前.zip", mime="application/zip",
                       key="rollback_backup", icon=":material/download:", on_click="ignore")
    ack = st.checkbox(f"我已了解后果，确认回滚批次 {batch_id}", key=upload_state.ROLLBACK_ACK_KEY)
    left, right = st.columns(2)
    confirm = left.button("第 2 步：确认回滚", type="primary", key="rollback_confirm", icon=":material/undo:")
    if right.button("取消", key="rollback_cancel"):
        session.cancel_rollback()
        st.rerun()
    if not confirm:
        return
    outcome = session.confirm_rollback(db, batch_id, acknowledged=ack, may_write=upload_state.may_write_now)
    if outcome.status is Rollback.NOT_ACKNOWLEDGED:
        st.error("请先勾选确认框。")
    elif outcome.status is Rollback.NOT_ALLOWED:
        st.error("没有回滚权限（密码已失效或未验证），未作任何修改。", icon=":material/block:")
    elif outcome.status is Rollback.REFUSED:
        st.error("回滚被拒绝，数据库未作任何修改：", icon=":material/block:")
        st.text(outcome.reason)
    elif outcome.status is Rollback.FAILED:
        st.error("回滚失败，数据库未作任何修改。", icon=":material/error:")
        st.text(f"原因：{outcome.reason}")
    elif outcome.ok:
        data.clear_caches()
        upload_state.forget_rollback_widgets()
        st.rerun()


# -- the page ----------------------------------------------------------------------------

st.title("数据导入")
st.caption("上传每年的预算执行、一级指标得分和项目支出数据。所有文件都通过检查才会导入；导入前先预览变化，"
           "确认后才写入；每次导入都记入历史，可以回滚。")
_templates()

access, password = upload_state.access()
can_write = upload_state.may_write(access, password)
if not access.allowed:
    st.subheader("上传文件")
    st.warning(access.message, icon=":material/lock:")
elif access.needs_password and not can_write:
    st.subheader("上传文件")
    _unlock(password)
else:
    if not access.needs_password:
        st.caption(access.message)
    _upload(access, password)
    if access.needs_password and st.button("退出导入权限", key="upload_lock", type="tertiary"):
        upload_state.lock()
        st.rerun()

done = upload_state.session().take_rollback_done()
if done is not None:
    st.success(f"已回滚批次 {done}，数据已恢复到该批次导入之前。", icon=":material/task_alt:")
_history(can_write)
