"""数据导入: templates; upload → check → preview → confirm; import history with rollback.

Nothing is written before the user presses 确认导入 (or confirms a rollback twice), and the
importer writes all files or none. Text that comes from files (file names, unit names, cell
values in messages) is shown with st.text / st.dataframe only, never as Markdown.
"""
from __future__ import annotations

import hashlib
import uuid

import pandas as pd
import streamlit as st

from perfdash import ingest, metrics, security
from perfdash.present import tabular
from perfdash.store import backup
from perfdash.config import PROJECT_ROOT
from ui import data, filters

TEMPLATE_DIR = PROJECT_ROOT / "data" / "templates"
TEMPLATES = [("预算执行数据", "预算执行数据模板"), ("一级指标得分", "一级指标得分模板"),
             ("项目支出数据", "项目支出数据模板")]
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls"]
PREVIEW_ROWS = 500
STATUS_LABEL = {"active": "有效", "rolled_back": "已回滚"}
CHECK_KEY, RESULT_KEY, TOKEN_KEY = "_upload_check", "_upload_result", "_upload_token"


# -- who may write -----------------------------------------------------------------------


def _secret_password() -> tuple[str | None, bool]:
    """(upload_password from secrets.toml or None, whether a secrets file exists but is unreadable)."""
    try:
        value = st.secrets.get("upload_password")
    except FileNotFoundError:   # no secrets file (StreamlitSecretNotFoundError), or unparsable
        from pathlib import Path

        broken = any(Path(p).is_file() for p in st.get_option("secrets.files"))
        return None, broken
    return (str(value) if value is not None else None), False


def _session_id() -> str:
    if "_upload_session" not in st.session_state:
        st.session_state["_upload_session"] = uuid.uuid4().hex
    return st.session_state["_upload_session"]


def _access() -> tuple[security.WriteAccess, str | None]:
    secret, broken = _secret_password()
    password = security.configured_password(secret=secret)
    if broken and password is None:
        return security.WriteAccess(False, False, ".streamlit/secrets.toml 无法解析，为安全起见本页不提供导入和回滚。"
                                    "请修正该文件后重启仪表板。"), None
    return security.write_access(password, st.get_option("server.address")), password


def _may_write(access: security.WriteAccess, password: str | None) -> bool:
    """Checked again right before every write, not only when the controls are drawn."""
    if not access.allowed:
        return False
    if not access.needs_password:
        return True
    return security.token_valid(st.session_state.get(TOKEN_KEY), password)


def _unlock(access: security.WriteAccess, password: str) -> None:
    st.info("导入和回滚需要上传密码；没有密码也可以查看导入历史、下载模板。", icon=":material/lock:")
    entered = st.text_input("上传密码", type="password", key="upload_password")
    if st.button("验证密码", key="upload_unlock"):
        result = security.check_password(entered, password, _session_id())
        if result.ok:
            st.session_state[TOKEN_KEY] = security.token_for(password)
            st.rerun()
        st.error(result.message, icon=":material/block:")


# -- templates ---------------------------------------------------------------------------


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


# -- upload, check, preview, confirm -----------------------------------------------------


def _digest(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, payload in files:
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(payload).digest())
    return h.hexdigest()


def _check(files: list[tuple[str, bytes]], limits: ingest.Limits) -> dict:
    """Parse once per distinct upload (keyed by sha256 of the bytes); reruns reuse the result."""
    key = _digest(files)
    state = st.session_state.get(CHECK_KEY)
    if state is None or state["key"] != key:
        try:
            state = {"key": key, "parsed": ingest.parse_all(files, limits), "problems": None, "previews": None}
        except ingest.ImportRefused as refused:
            state = {"key": key, "parsed": None, "problems": refused.problems, "previews": None}
        st.session_state[CHECK_KEY] = state
    return state


def _show_problems(problems: list[ingest.Problem]) -> None:
    st.error(f"检查未通过：共 {len(problems):,} 个问题，数据库未作任何修改。请按下表修改文件后重新上传。",
             icon=":material/error:")
    report = pd.DataFrame([p.as_dict() for p in problems], columns=["文件", "行", "列", "问题"])
    report["行"] = report["行"].astype("Int64")
    st.dataframe(report, hide_index=True, width="stretch", key="upload_problems")
    st.download_button("下载问题清单（CSV）", tabular.to_csv_bytes(report), file_name="导入问题清单.csv",
                       mime="text/csv", key="upload_problems_csv", icon=":material/download:", on_click="ignore")


def _labels(kind: str) -> dict[str, str]:
    return {c.id: c.label for c in ingest.COLUMNS[kind]} | {"source_row": "行"}


def _value_text(kind: str, column: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "（空）"
    col = next((c for c in ingest.COLUMNS[kind] if c.id == column), None)
    if col is not None and col.type == "amount":
        return metrics.fmt_amount(value)
    if col is not None and col.type == "score":
        return metrics.fmt_score(value)
    return str(value)


def _changed_long(kind: str, changed: pd.DataFrame) -> pd.DataFrame:
    """Changed rows as 行 / 单位 / … / 列 / 原值 → 新值, one line per differing column."""
    labels = _labels(kind)
    key_cols = [c for c in ("year", "unit_name", "dimension", "project_name") if c in changed]
    pieces = []
    for column in [c for c in changed.columns if f"old_{c}" in changed.columns]:
        new, old = changed[column], changed[f"old_{column}"]
        both_missing = new.isna() & old.isna()
        same = (new.astype("object") == old.astype("object")).fillna(False).astype(bool)
        differs = ~(same | both_missing)
        if not differs.any():
            continue
        part = changed.loc[differs, ["source_row", *key_cols]].copy()
        part["列"] = labels.get(column, column)
        part["原值"] = [_value_text(kind, column, v) for v in old[differs]]
        part["新值"] = [_value_text(kind, column, v) for v in new[differs]]
        pieces.append(part)
    if not pieces:
        return pd.DataFrame()
    out = pd.concat(pieces).sort_values("source_row", kind="stable")
    return out.rename(columns=labels)


def _previews(state: dict, db) -> list[tuple[tuple[int, int, int], pd.DataFrame]]:
    version = db.data_version()
    if state["previews"] is None or state["previews"][0] != version:
        state["previews"] = (version, [ingest.preview(db, p) for p in state["parsed"]])
    return state["previews"][1]


def _show_preview(state: dict, previews) -> None:
    parsed = state["parsed"]
    summary = pd.DataFrame({
        "文件": [p.file_name for p in parsed],
        "类型": [ingest.KIND_LABEL[p.kind] for p in parsed],
        "新增": [c[0] for c, _ in previews],
        "更新": [c[1] for c, _ in previews],
        "未变": [c[2] for c, _ in previews],
        "跳过的合计行": [p.skipped_rows for p in parsed],
    })
    st.success("检查通过。以下是导入后将发生的变化（尚未写入数据库）：", icon=":material/fact_check:")
    st.dataframe(summary, hide_index=True, width="stretch", key="upload_summary")
    for i, (p, (counts, changes)) in enumerate(zip(parsed, previews), start=1):
        inserted, updated, unchanged = counts
        with st.expander(f"文件 {i}（{ingest.KIND_LABEL[p.kind]}）：新增 {inserted:,} 行，更新 {updated:,} 行，"
                         f"未变 {unchanged:,} 行", expanded=len(parsed) == 1):
            st.text(f"文件名：{p.file_name}")
            for warning in p.warnings:
                st.text(f"提示：{warning}")
            labels = _labels(p.kind)
            new_rows = changes[changes["change"] == "new"]
            if not new_rows.empty:
                st.markdown(f"**新增的行**（{len(new_rows):,} 行）")
                shown = new_rows[["source_row", *[c.id for c in ingest.COLUMNS[p.kind] if c.id in new_rows]]]
                shown = shown.loc[:, shown.notna().any()].head(PREVIEW_ROWS).rename(columns=labels)
                st.dataframe(shown, hide_index=True, width="stretch", key=f"upload_new_{i}")
            changed = changes[changes["change"] == "changed"]
            if not changed.empty:
                st.markdown(f"**更新的行**（{len(changed):,} 行，原值 → 新值，只列出不同的列）")
                st.dataframe(_changed_long(p.kind, changed.head(PREVIEW_ROWS)), hide_index=True,
                             width="stretch", key=f"upload_changed_{i}")
            if len(new_rows) > PREVIEW_ROWS or len(changed) > PREVIEW_ROWS:
                st.caption(f"仅显示前 {PREVIEW_ROWS} 行。")
            if unchanged:
                st.caption(f"另有 {unchanged:,} 行与数据库中的数据相同，导入时不变。")


def _confirm(state: dict, access, password, previews) -> None:
    if not any(c[0] or c[1] for c, _ in previews):
        st.info("这些文件与数据库中的数据完全相同，无需导入。", icon=":material/check_circle:")
        return
    name = st.text_input("导入人（必填，记入导入历史）", key="upload_by", max_chars=50,
                         placeholder="例如：预算科 张三")
    if not st.button("确认导入", type="primary", key="upload_confirm", icon=":material/upload:"):
        st.caption("确认前不会写入任何数据。")
        return
    if not name.strip():
        st.error("请先填写导入人。", icon=":material/person:")
        return
    if not _may_write(access, password):
        st.error("没有导入权限（密码已失效或未验证），未写入任何数据。", icon=":material/block:")
        return
    db = data.db()
    if db.data_version() != state["previews"][0]:
        state["previews"] = None
        st.warning("预览之后数据库已被修改（可能有人同时导入或回滚），请重新核对上面的预览后再确认。")
        return
    try:
        results = ingest.import_parsed(db, state["parsed"], imported_by=name.strip())
    except ingest.ImportRefused as refused:
        _show_problems(refused.problems)
        return
    except Exception as exc:   # DatabaseBusyError, a DuckDB error: nothing was written
        st.error("导入失败，数据库未作任何修改。", icon=":material/error:")
        st.text(f"原因：{type(exc).__name__}：{exc}")
        return
    data.clear_caches()
    st.session_state[RESULT_KEY] = {"key": state["key"], "table": pd.DataFrame({
        "文件": [r.file_name for r in results],
        "类型": [ingest.KIND_LABEL[r.kind] for r in results],
        "批次": pd.array([r.batch_id for r in results], dtype="Int64"),
        "新增": [r.inserted for r in results],
        "更新": [r.updated for r in results],
        "未变": [r.unchanged for r in results],
    })}
    st.session_state.pop(CHECK_KEY, None)
    st.rerun()   # so the sidebar filters and every cached figure show the new data at once


def _show_result(upload_key: str | None) -> bool:
    """The last import's result, shown until a different set of files is uploaded.
    True when the files now in the uploader are the ones just imported."""
    result = st.session_state.get(RESULT_KEY)
    if result is None:
        return False
    if upload_key is not None and upload_key != result["key"]:
        st.session_state.pop(RESULT_KEY, None)
        return False
    table = result["table"]
    batches = [str(b) for b in table["批次"].dropna()]
    st.success("导入完成" + (f"：批次 {'、'.join(batches)}。" if batches else "。")
               + "各页面已显示新数据；如有误，可在下方「导入历史」中回滚。", icon=":material/task_alt:")
    st.dataframe(table, hide_index=True, width="stretch", key="upload_result_table")
    return upload_key == result["key"]


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
    uploaded = [(f.name, f.getvalue()) for f in files or []]
    key = _digest(uploaded) if uploaded else None
    if _show_result(key) and key is not None:
        st.caption("以上文件已经导入。要导入其他文件，请先移除上面的文件再选择新文件。")
        return
    if not uploaded:
        st.session_state.pop(CHECK_KEY, None)
        return
    state = _check(uploaded, limits)
    if state["problems"]:
        _show_problems(state["problems"])
        return
    db = data.db()
    try:
        previews = _previews(state, db)
    except Exception as exc:   # a DuckDB error: say so, no traceback
        st.error("无法生成预览。", icon=":material/error:")
        st.text(f"原因：{type(exc).__name__}：{exc}")
        return
    _show_preview(state, previews)
    _confirm(state, access, password, previews)


# -- history and rollback ----------------------------------------------------------------


def _history(can_write: bool) -> None:
    st.subheader("导入历史")
    history = data.query("import/history")
    if history.empty:
        st.info("还没有导入记录。", icon=":material/history:")
        return
    shown = pd.DataFrame({
        "批次": history["batch_id"],
        "文件": history["file_name"],
        "类型": history["kind"].map(ingest.KIND_LABEL).fillna(history["kind"]),
        "新增": history["rows_inserted"],
        "更新": history["rows_updated"],
        "未变": history["rows_unchanged"],
        "导入时间": history["imported_at"],
        "导入人": history["imported_by"],
        "示例数据": history["is_demo"].map({True: "是", False: ""}),
        "状态": history["status"].map(STATUS_LABEL).fillna(history["status"]),
        "回滚时间": history["rolled_back_at"],
    })
    st.dataframe(shown, hide_index=True, width="stretch", key="upload_history")
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
                            key="rollback_batch")
    pending = st.session_state.get("_rollback_pending")
    if batch_id is None:
        st.session_state.pop("_rollback_pending", None)
        return
    if pending != batch_id:
        if st.button("回滚此批次…", key="rollback_start", icon=":material/undo:"):
            st.session_state["_rollback_pending"] = batch_id
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
    ack = st.checkbox(f"我已了解后果，确认回滚批次 {batch_id}", key="rollback_ack")
    left, right = st.columns(2)
    confirm = left.button("第 2 步：确认回滚", type="primary", key="rollback_confirm", icon=":material/undo:")
    if right.button("取消", key="rollback_cancel"):
        st.session_state.pop("_rollback_pending", None)
        st.rerun()
    if not confirm:
        return
    if not ack:
        st.error("请先勾选确认框。")
        return
    access, password = _access()
    if not _may_write(access, password):
        st.error("没有回滚权限（密码已失效或未验证），未作任何修改。", icon=":material/block:")
        return
    try:
        ingest.rollback(db, int(batch_id))
    except ingest.RollbackRefused as exc:
        st.error("回滚被拒绝，数据库未作任何修改：", icon=":material/block:")
        st.text(str(exc))
        return
    except Exception as exc:   # DatabaseBusyError, a DuckDB error: nothing was written
        st.error("回滚失败，数据库未作任何修改。", icon=":material/error:")
        st.text(f"原因：{type(exc).__name__}：{exc}")
        return
    data.clear_caches()
    for key in ("_rollback_pending", "rollback_ack", "rollback_batch"):
        st.session_state.pop(key, None)
    st.session_state["_rollback_done"] = int(batch_id)
    st.rerun()


# -- the page ----------------------------------------------------------------------------

st.title("数据导入")
st.caption("上传每年的预算执行、一级指标得分和项目支出数据。所有文件都通过检查才会导入；导入前先预览变化，"
           "确认后才写入；每次导入都记入历史，可以回滚。")
_templates()

access, password = _access()
can_write = _may_write(access, password)
if not access.allowed:
    st.subheader("上传文件")
    st.warning(access.message, icon=":material/lock:")
elif access.needs_password and not can_write:
    st.subheader("上传文件")
    _unlock(access, password)
else:
    if not access.needs_password:
        st.caption(access.message)
    _upload(access, password)
    if access.needs_password and st.button("退出导入权限", key="upload_lock", type="tertiary"):
        st.session_state.pop(TOKEN_KEY, None)
        st.rerun()

done = st.session_state.pop("_rollback_done", None)
if done is not None:
    st.success(f"已回滚批次 {done}，数据已恢复到该批次导入之前。", icon=":material/task_alt:")
_history(can_write)
