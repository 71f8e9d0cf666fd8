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
from perfdash.ingest.session import Rollback
from perfdash.present import upload_tables as tables
from perfdash.store import backup
from ui import data, report_upload, unit_map_editor, upload_state, upload_views, uploader

TEMPLATE_DIR = PROJECT_ROOT / "data" / "templates"
TEMPLATES = [(label, f"{label}模板") for label in KIND_LABEL.values()]   # (label, file stem)


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
    st.caption("每个文件只放一类数据，表头用模板中的列名（常见的别名也能识别）；金额单位为万元，表头写「（元）」"
               "或表格上方写「单位：元」的会自动换算。CSV 可为 UTF-8 或 GBK 编码。")
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


def _upload(access, password) -> None:
    st.subheader("上传文件")
    try:
        limits = security.upload_limits()
    except security.LimitsError as exc:
        st.error(str(exc))
        return
    files = uploader.file_uploader(limits.max_bytes / 1024 / 1024, limits.max_rows, key="upload_files")
    upload_views.run(upload_state.session(), [(f.name, f.getvalue()) for f in files or []], limits,
                     may_write=lambda: upload_state.may_write(access, password), key="upload")
    report_upload.section(limits, may_write=lambda: upload_state.may_write(access, password))
    unit_map_editor.section(limits, may_write=lambda: upload_state.may_write(access, password))


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
