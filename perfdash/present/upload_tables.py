"""The tables the 数据导入 page shows, as plain DataFrames with the page's Chinese headers:
the problem report, the preview (summary, new rows, changes as 原值 → 新值), the import
result and the import history.
"""
from __future__ import annotations

from typing import Iterable

import pandas as pd

from perfdash import labels, metrics
from perfdash.errors import NEW_REGION, Problem, UnitQuestion
from perfdash.ingest.batches import BatchResult
from perfdash.ingest.columns import COLUMNS, KIND_LABEL
from perfdash.ingest.session import Preview

PREVIEW_ROWS = 500


def problem_report(problems: Iterable[Problem]) -> pd.DataFrame:
    report = pd.DataFrame([p.as_dict() for p in problems], columns=["文件", "行", "列", "问题"])
    report["行"] = report["行"].astype("Int64")
    return report


UNIT_NOTES = {"单位编码": "只差开头的 0：确认则按两个不同编码保存",
              NEW_REGION: "此前只在原值所列地区有记录：确认则作为新值地区的新单位导入；若是同一单位迁移地区，"
                          "请导入后用「单位对照」把原记录归入"}


def unit_questions(questions: Iterable[UnitQuestion]) -> pd.DataFrame:
    """The stored units an upload would change (地区 / 层级, a code differing by leading zeros)
    or a new unit whose name is stored only in other 地区: one row each, old → new, for the
    preview's confirmation."""
    return pd.DataFrame([{"文件": q.file, "单位": q.unit_name, "变更": q.what,
                          "原值": q.old or "（空）", "新值": q.new or "（空）", "说明": UNIT_NOTES.get(q.what, "")}
                         for q in questions], columns=["文件", "单位", "变更", "原值", "新值", "说明"])


def preview_summary(preview: Preview) -> pd.DataFrame:
    files = preview.files
    return pd.DataFrame({
        "文件": [f.file.file_name for f in files],
        "类型": [KIND_LABEL[f.file.kind] for f in files],
        "新增": [f.inserted for f in files],
        "更新": [f.updated for f in files],
        "未变": [f.unchanged for f in files],
        "跳过的行": [f.file.skipped_rows + len(f.file.skipped) for f in files],   # 合计 / 小计 / notes
    })


def column_labels(kind: str) -> dict[str, str]:
    return {c.id: c.label for c in COLUMNS[kind]} | {"source_row": "行"}


def new_rows_shown(kind: str, new_rows: pd.DataFrame) -> pd.DataFrame:
    """The first PREVIEW_ROWS new rows, columns the file fills, Chinese headers."""
    shown = new_rows[["source_row", *[c.id for c in COLUMNS[kind] if c.id in new_rows]]]
    return shown.loc[:, shown.notna().any()].head(PREVIEW_ROWS).rename(columns=column_labels(kind))


def _value_text(kind: str, column: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "（空）"
    col = next((c for c in COLUMNS[kind] if c.id == column), None)
    if col is not None and col.type == "amount":
        return metrics.fmt_amount(value)
    if col is not None and col.type == "score":
        return metrics.fmt_score(value)
    if col is not None and col.type == "rate":
        return metrics.fmt_rate(value)
    return str(value)


def changed_long(kind: str, changed: pd.DataFrame) -> pd.DataFrame:
    """Changed rows as 行 / 单位 / … / 列 / 原值 → 新值, one line per differing column."""
    names = column_labels(kind)
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
        part["列"] = names.get(column, column)
        part["原值"] = [_value_text(kind, column, v) for v in old[differs]]
        part["新值"] = [_value_text(kind, column, v) for v in new[differs]]
        pieces.append(part)
    if not pieces:
        return pd.DataFrame()
    out = pd.concat(pieces).sort_values("source_row", kind="stable")
    return out.rename(columns=names)


def result_table(results: Iterable[BatchResult]) -> pd.DataFrame:
    results = list(results)
    return pd.DataFrame({
        "文件": [r.file_name for r in results],
        "类型": [KIND_LABEL[r.kind] for r in results],
        "批次": pd.array([r.batch_id for r in results], dtype="Int64"),
        "新增": [r.inserted for r in results],
        "更新": [r.updated for r in results],
        "未变": [r.unchanged for r in results],
    })


def unit_map_table(stored: pd.DataFrame) -> pd.DataFrame:
    """import/unit_map_list as the page shows it: 原单位 → 现单位, and the batch to roll back."""
    return pd.DataFrame({
        "原单位": stored["old_name"].astype("string").fillna(""),
        "原单位所在": stored["old_where"],
        "归入单位": stored["new_name"].astype("string").fillna(""),
        "归入单位所在": stored["new_where"],
        "批次": stored["batch_id"],
        "来源文件": stored["file_name"],
        "导入时间": _timestamps(stored["imported_at"]),
        "导入人": stored["imported_by"].astype("string").fillna(""),
    })


def _timestamps(values: pd.Series) -> pd.Series:
    """Times as text to the second; blank (not None / NaT) where there is none."""
    times = pd.to_datetime(values, errors="coerce")
    return times.dt.strftime("%Y-%m-%d %H:%M:%S").fillna("").astype(str)


def history_table(history: pd.DataFrame) -> pd.DataFrame:
    """import/history as the page shows it."""
    return pd.DataFrame({
        "批次": history["batch_id"],
        "文件": history["file_name"],
        "类型": history["kind"].map(KIND_LABEL).fillna(history["kind"]),
        "新增": history["rows_inserted"],
        "更新": history["rows_updated"],
        "未变": history["rows_unchanged"],
        "导入时间": _timestamps(history["imported_at"]),
        "导入人": history["imported_by"].astype("string").fillna(""),
        "示例数据": history["is_demo"].map({True: "是", False: ""}),
        "状态": history["status"].map(labels.BATCH_STATUS_LABELS).fillna(history["status"]),
        "回滚时间": _timestamps(history["rolled_back_at"]),
    })
