"""Which column a header names: the importer's column definitions plus the forms real tables use.

The one column table (ids, labels, every accepted header, the stated-rate headers a 自评表
carries beside its amounts (RATE_COLUMNS, ids "stated:<rate id>") and the headers with two
readings (AMBIGUOUS)) is perfdash.ingest.columns; this module matches headers against it,
including two-row headers and unit suffixes.

Decisions:
- 预算数 alone (budget files) is 调整后预算数 (全年预算数) only when it is the table's sole budget
  column; beside 年初预算数 or 调整后预算数 it is refused, naming both readings.
- A header that the tables give two meanings is refused naming both (AMBIGUOUS).
- Two headers naming the same column are refused naming both cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from perfdash import metrics
from perfdash.ingest.columns import AMBIGUOUS, COLUMNS, KIND_MARKERS, RATE_COLUMNS, normalise_header

#: the column a sole 预算数 means, and the columns whose presence makes it ambiguous
SOLE_BUDGET = {"budget": ("adjusted_budget", ("initial_budget", "adjusted_budget"))}

#: child headers of a two-row header that mean "the parent's total"
TOTAL_CHILD = {"合计", "小计", "总计", "金额", "数额", "计", "总额", "合计数"}

_AMOUNT_UNIT = re.compile(r"^(.*?)[(\[]?(?:单位[:：]?)?(亿元|万元|千元|元)[)\]]?$")
_PERCENT = re.compile(r"^(.*?)[(\[]?%[)\]]?$")
_SEQUENCE = {"序号", "编号", "行次", "栏次", "序", "no", "no.", "#"}


@dataclass(frozen=True)
class HeaderMatch:
    column_id: str | None          # canonical id, "stated:<rate>", or None (not recognised)
    label: str | None              # canonical Chinese label
    type: str | None               # int | text | amount | score | grade | level | rate
    unit: str | None = None        # amount unit the header states (元/千元/万元/亿元)
    percent: bool = False          # a rate header that says (%)
    ambiguous: tuple[str, str] | None = None   # the two readings of an ambiguous header
    sequence: bool = False         # a 序号 column


def _index(kind: str) -> dict[str, tuple[str, str, str]]:
    index = {}
    for column in COLUMNS[kind]:
        for name in (column.id, column.label, *column.aliases):
            index.setdefault(normalise_header(name), (column.id, column.label, column.type))
    return index


INDEX = {kind: _index(kind) for kind in COLUMNS}
LABELS = {kind: {c.id: c.label for c in COLUMNS[kind]} for kind in COLUMNS}
def label_of(kind: str, column_id: str) -> str:
    if column_id.startswith("stated:"):
        return metrics.label(column_id[7:])
    return LABELS[kind][column_id]


def _lookup(kind: str, norm: str) -> HeaderMatch | None:
    if norm in AMBIGUOUS.get(kind, {}):
        return HeaderMatch(None, None, None, ambiguous=AMBIGUOUS[kind][norm])
    if norm in INDEX[kind]:
        return HeaderMatch(*INDEX[kind][norm])
    if norm in RATE_COLUMNS:
        rate = RATE_COLUMNS[norm]
        return HeaderMatch(f"stated:{rate}", metrics.label(rate), "rate")
    return None


def match(kind: str, raw: str) -> HeaderMatch:
    """The column a header (as written, possibly "父/子" from a two-row header) names."""
    norm = normalise_header(raw).replace("（", "(").replace("）", ")")
    if not norm:
        return HeaderMatch(None, None, None)
    if norm in _SEQUENCE:
        return HeaderMatch(None, None, None, sequence=True)
    found = _lookup(kind, norm)
    if found:
        return found
    unit = _AMOUNT_UNIT.match(norm)
    if unit and unit.group(1):
        base = _lookup(kind, unit.group(1).rstrip(":："))
        if base and (base.type == "amount" or base.ambiguous):
            return HeaderMatch(base.column_id, base.label, base.type, unit.group(2),
                               ambiguous=base.ambiguous)
    percent = _PERCENT.match(norm)
    if percent and percent.group(1):
        base = _lookup(kind, percent.group(1))
        if base and base.type == "rate":
            return HeaderMatch(base.column_id, base.label, "rate", percent=True)
    return HeaderMatch(None, None, None)


def split_unit(raw: str) -> tuple[str, str | None]:
    """A header without its amount unit, and the unit ("预算数（万元）" → ("预算数", "万元"))."""
    norm = normalise_header(raw)
    unit = _AMOUNT_UNIT.match(norm)
    if unit and unit.group(1):
        return unit.group(1), unit.group(2)
    return norm, None


def combine(kind: str, parent: str, child: str) -> HeaderMatch:
    """A two-row header cell: the child under a merged parent ("预算数" over "年初预算数").

    The child alone when it names a column; the parent when the child is its total (合计 under
    全年预算数); the two joined ("年初" under "预算数" → 年初预算数); the parent's unit carries down.
    """
    parent_base, parent_unit = split_unit(parent)
    candidates = [child]
    child_norm = normalise_header(child)
    if child_norm in TOTAL_CHILD:
        candidates = [parent]
    else:
        candidates += [child_norm + parent_base, parent_base + child_norm]
    for text in candidates:
        found = match(kind, text)
        if found.column_id or found.ambiguous or found.sequence:
            if found.type == "amount" and found.unit is None and parent_unit:
                return HeaderMatch(found.column_id, found.label, found.type, parent_unit)
            if found.type == "rate" and not found.percent and "%" in parent:
                return HeaderMatch(found.column_id, found.label, "rate", percent=True)
            return found
    return HeaderMatch(None, None, None)


def detect_kind(matched: list[str | None]) -> str | None:
    """The kind of table a header row is, from the column ids it matched per kind (see layout)."""
    ids = set(matched)
    for kind, marker in KIND_MARKERS.items():
        if marker in ids:
            return kind
    return "budget" if "unit_name" in ids else None
