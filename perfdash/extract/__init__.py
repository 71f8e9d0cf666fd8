"""Report text → figures with the sentence each came from (DESIGN.md sections 5 and 6).

`extract_file(path)` returns the records of one report; `to_json(records)` the exact JSON
contract of `python -m perfdash extract`.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from perfdash.extract.readers import SCANNED_PDF, ReportUnreadable, read_report
from perfdash.extract.records import FIGURE_KEYS, extract_lines

__all__ = ["extract_file", "extract_text", "to_json", "FIGURE_KEYS", "ReportUnreadable", "SCANNED_PDF"]


def extract_file(path) -> list[dict]:
    """All records of one report file (.txt, .docx or text .pdf)."""
    path = Path(path)
    lines, reader_notes = read_report(path)
    return extract_lines(lines, path.name, reader_notes)


def extract_text(text: str, file_name: str = "report.txt") -> list[dict]:
    return extract_lines(text.splitlines(), file_name)


def _number(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral() and value.as_tuple().exponent >= 0 else float(value)
    return value


def to_json(records: list[dict]) -> list[dict]:
    """Decimals as JSON numbers; keys and their order exactly as the contract lists them."""
    out = []
    for r in records:
        out.append({
            "file": r["file"], "unit_name": r["unit_name"], "year": r["year"], "region": r["region"],
            "figures": {k: _number(r["figures"][k]) for k in FIGURE_KEYS},
            "sources": {k: r["sources"][k] for k in FIGURE_KEYS},
            "scores": [{k: _number(s[k]) for k in ("dimension", "max_score", "score", "source")} for s in r["scores"]],
            "projects": [{k: _number(p[k]) for k in ("project_name", "budget", "actual_spend", "source")}
                         for p in r["projects"]],
            "stated_rates": [{k: _number(s[k]) for k in ("metric", "label", "value", "source")}
                             for s in r["stated_rates"]],
            "notes": list(r["notes"]),
        })
    return out
