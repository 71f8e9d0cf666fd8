"""Reviewing what was read from reports before it is imported (the upload page's report step).

A reviewer sees two tables: the reports' records (one row per unit and year, where missing
unit names and years are filled in) and every figure beside the sentence it came from (values
editable). `upload_files` turns the reviewed tables back into the upload files of
perfdash.extract.output — the same files `extract --out` writes — which then go through the
ordinary all-or-nothing import. Nothing here writes to the database.
"""
from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from perfdash.errors import UserError
from perfdash.extract import extract_file
from perfdash.extract.output import BUDGET_HEADERS, FILES, PROJECT_HEADERS, RATE_HEADERS, SCORE_HEADERS, frames
from perfdash.extract.readers import SUPPORTED
from perfdash.extract.records import FIGURE_KEYS, FIGURE_LABELS
from perfdash.present import tabular

RECORD_COLUMNS = ["报告", "单位名称", "年度", "地区", "提示"]
FIGURE_COLUMNS = ["记录", "类别", "数据项", "数值", "来源"]
KIND_WORDS = {"budget": "预算与得分", "score": "一级指标得分", "project": "项目", "rate": "报告所列比率"}
_YEAR = re.compile(r"^(19|20)\d{2}$")


ACCEPTED = tuple(s.lstrip(".") for s in SUPPORTED)     # for the uploader: txt, docx, pdf


def read_reports(files: list[tuple[str, bytes]]) -> list[dict]:
    """The records of each report (bytes as uploaded); raises ReportUnreadable naming the file."""
    records = []
    with tempfile.TemporaryDirectory(prefix="perfdash-report-") as tmp:
        for name, data in files:
            path = Path(tmp) / Path(name).name
            path.write_bytes(data)
            records.extend(extract_file(path))
    return records


class ReportReviewSession:
    """The report step's state: the reports last read (by their names and bytes) and what was
    read from them. Reading again happens only when other files are chosen; a report that cannot
    be read is said once, by name, and nothing else is read from that set."""

    def __init__(self):
        self.digest: str | None = None
        self.review: Review | None = None
        self.error: str | None = None

    def load(self, files: list[tuple[str, bytes]]) -> None:
        digest = _digest(files)
        if digest == self.digest:
            return
        self.digest, self.review, self.error = digest, None, None
        if not files:
            return
        try:
            self.review = review_of(read_reports(files))
        except UserError as exc:
            self.error = str(exc)


def _digest(files: list[tuple[str, bytes]]) -> str:
    h = hashlib.sha256()
    for name, data in files:
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
    return h.hexdigest()


@dataclass
class Review:
    """The two editable tables of a review."""

    records: pd.DataFrame   # RECORD_COLUMNS, one row per record (index = record number from 1)
    figures: pd.DataFrame   # FIGURE_COLUMNS + hidden keys: kind, key, item


def _text(value) -> str:
    return "" if value is None else str(value)


def review_of(records: list[dict]) -> Review:
    rec_rows, fig_rows = [], []
    for number, r in enumerate(records, start=1):
        rec_rows.append([r["file"], _text(r["unit_name"]), _text(r["year"]), _text(r["region"]),
                         "；".join(r["notes"])])
        for key in FIGURE_KEYS:
            if r["figures"][key] is not None:
                fig_rows.append([number, KIND_WORDS["budget"], FIGURE_LABELS[key], _text(r["figures"][key]),
                                 _text(r["sources"][key]), "budget", key, ""])
        for s in r["scores"]:
            fig_rows.append([number, KIND_WORDS["score"], s["dimension"], _text(s["score"]), _text(s["source"]),
                             "score", "score", s["dimension"] + "\t" + _text(s["max_score"])])
        for p in r["projects"]:
            for key, word in (("budget", "预算数"), ("actual_spend", "实际支出数")):
                if p[key] is not None:
                    fig_rows.append([number, KIND_WORDS["project"], f"{p['project_name']} · {word}", _text(p[key]),
                                     _text(p["source"]), "project", key, p["project_name"]])
        for s in r["stated_rates"]:
            fig_rows.append([number, KIND_WORDS["rate"], s["label"], f"{s['value'] * 100:.2f}%", _text(s["source"]),
                             "rate", s["metric"], s["label"]])
    records_frame = pd.DataFrame(rec_rows, columns=RECORD_COLUMNS, dtype=object)
    records_frame.index = range(1, len(records_frame) + 1)
    figures = pd.DataFrame(fig_rows, columns=FIGURE_COLUMNS + ["kind", "key", "item"], dtype=object)
    return Review(records_frame, figures)


def problems(review: Review) -> list[str]:
    """What the reviewer must still fill in before the figures can be imported."""
    out = []
    for number, row in review.records.iterrows():
        where = f"第 {number} 条记录（{row['报告']}）"
        if not str(row["单位名称"] or "").strip():
            out.append(f"{where}：报告没有写明单位名称，请填写")
        year = str(row["年度"] or "").strip()
        if not _YEAR.match(year):
            out.append(f"{where}：年度「{year}」不是四位年份，请填写" if year else f"{where}：缺少年度，请填写")
    return out


def _value(text) -> str:
    """A reviewed value as typed (a stated rate keeps its % sign; the importer names and refuses
    anything it cannot read)."""
    return str(text or "").strip()


def upload_files(review: Review) -> list[tuple[str, bytes]]:
    """The reviewed figures as upload files (only the kinds that have rows)."""
    by_record: dict[int, dict] = {}
    for number, row in review.records.iterrows():
        by_record[number] = {"file": row["报告"], "unit_name": str(row["单位名称"]).strip() or None,
                             "year": str(row["年度"]).strip(), "region": str(row["地区"] or "").strip() or None,
                             "figures": {k: None for k in FIGURE_KEYS}, "sources": {k: None for k in FIGURE_KEYS},
                             "scores": [], "projects": [], "stated_rates": [], "notes": []}
    projects: dict[tuple[int, str], dict] = {}
    for row in review.figures.itertuples(index=False):
        record = by_record[int(row[0])]
        value, source, kind, key, item = _value(row[3]), row[4] or None, row.kind, row.key, row.item
        if kind == "budget":
            record["figures"][key], record["sources"][key] = value or None, source
        elif kind == "score":
            dimension, _, max_score = item.partition("\t")
            record["scores"].append({"dimension": dimension, "max_score": max_score or None, "score": value,
                                     "source": source})
        elif kind == "project":
            if (int(row[0]), item) not in projects:
                projects[int(row[0]), item] = {"project_name": item, "budget": None, "actual_spend": None,
                                               "source": source}
                record["projects"].append(projects[int(row[0]), item])
            projects[int(row[0]), item][key] = value or None
        elif kind == "rate":
            record["stated_rates"].append({"metric": key, "label": item, "value": value, "source": source})
    out = []
    headers = {"budget": BUDGET_HEADERS, "scores": SCORE_HEADERS, "projects": PROJECT_HEADERS, "rates": RATE_HEADERS}
    for kind, frame in frames(list(by_record.values())).items():
        if len(frame):
            out.append((FILES[kind], tabular.to_csv_bytes(frame[headers[kind]])))
    return out
