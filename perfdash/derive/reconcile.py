"""Reconciliation (核对): every rate a report printed, set against the figures.

The derived table rate_reconciliation is rebuilt by `refresh` inside each import and rollback
transaction (from perfdash.derive.rates.refresh, before the flags, which read its slips). The
verdicts and the 口径 tried are in queries/reconcile/refresh_rate_reconciliation.sql.
"""
from __future__ import annotations

import pandas as pd

from perfdash import labels, metrics
from perfdash.store.connection import run

JSON_KEYS = ["unit_code", "unit_name", "year", "metric", "label", "reported", "recomputed", "diff_pp",
             "explained_by", "verdict", "source"]
VERDICTS = ("match", "other_basis", "slip", "not_recomputable")


def refresh(cur) -> None:
    """Rebuild rate_reconciliation (after unit_year_rate) on the caller's transaction."""
    run(cur, "reconcile/refresh_rate_reconciliation")


def rows(db, year, unit_key: str | None = None) -> pd.DataFrame:
    """The reconciliation of one year (of one unit), each row with its sentence (`reason`)."""
    frame = db.query("reconcile/rows", year=int(year), unit_key=unit_key)
    return frame.assign(reason=[sentence(r) for r in frame.to_dict("records")])


def _pct(value) -> str:
    return metrics.fmt_rate(value)


def _label(row: dict) -> str:
    metric = row["metric"]
    return metrics.METRICS[metric].label if metric in metrics.METRICS else (row.get("label") or metric)


def sentence(row: dict) -> str:
    """One Chinese sentence: what the report says, what the figures give, and why they differ."""
    label = row.get("label") or _label(row)
    reported = f"报告称{label} {_pct(row['reported'])}"
    verdict = row["verdict"]
    ours = row.get("recomputed")
    ours_basis = row.get("recomputed_basis")
    ours_text = (f"本系统 {_pct(ours)}（{ours_basis}）" if ours_basis else f"本系统 {_pct(ours)}") \
        if ours is not None and not pd.isna(ours) else "本系统无法计算"
    if verdict == "match":
        return f"{reported}，{ours_text}，一致"
    if verdict == "other_basis":
        return (f"{reported}（{row['explained_by']}计算），{ours_text}；"
                f"差异来自口径不同，不是数据错误")
    if verdict == "slip":
        nearest = row.get("nearest_basis")
        near = (f"最接近的是{nearest}计算的 {_pct(row.get('nearest_value'))}" if nearest else "")
        return f"{reported}，任何口径都算不出这个数（{near}），可能是计算或录入错误，请核实"
    return f"{reported}，数据库中没有计算它所需的数据，无法核对"


# Chinese column headers for the table on the page, the CLI table and the CSV download.
DISPLAY_COLUMNS = {"year": "年度", "unit_name": "单位名称", "label": "报告所列比率", "reported_text": "报告值",
                   "recomputed_text": "本系统", "diff_text": "差异", "verdict_label": "核对结果",
                   "reason": "说明", "source": "原文"}


def display_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The reconciliation with Chinese headers and formatted values."""
    if "reason" not in frame:
        frame = frame.assign(reason=[sentence(r) for r in frame.to_dict("records")])
    shown = frame.assign(
        reported_text=frame["reported"].map(metrics.fmt_rate),
        recomputed_text=frame["recomputed"].map(metrics.fmt_rate),
        diff_text=frame["diff_pp"].map(lambda v: "—" if pd.isna(v) else
                                       ("0.00 个百分点" if abs(v) < 0.005 else f"{v:+,.2f} 个百分点")),
        verdict_label=frame["verdict"].map(labels.VERDICT_LABELS),
    )
    return shown[list(DISPLAY_COLUMNS)].rename(columns=DISPLAY_COLUMNS)
