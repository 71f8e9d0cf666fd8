"""Tables in a report: first-level score tables, project tables, per-year budget tables.

A table is recognised by its header row; its amounts take their unit from the header
("预算数（万元）") or from a "单位：万元" line just above it. A table whose unit is not said
gives no amounts (a note says so): 万元 and 元 differ ten thousand times.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from perfdash.extract.figures import AMOUNT_LABELS, Candidate
from perfdash.extract.text import Block, to_wanyuan

_TOTAL_ROW = re.compile(r"^(合计|总计|小计|合\s*计)[:：]?$")
_UNIT_LINE = re.compile(r"(?:金额)?单位[:：]\s*(万元|元)")
_CELL_UNIT = re.compile(r"[（(](万元|元)[)）]")
_CELL_NUMBER = re.compile(r"^-?\d[\d,]*(?:\.\d+)?$")
_YEAR_CELL = re.compile(r"^(20\d\d)\s*年?度?$")
# A table's header is one of its first rows (after a title row or two).
MAX_HEADER_ROW = 2
_PERCENT_CELL = re.compile(r"^(\d+(?:\.\d+)?)\s*%$")
# The row of a self-evaluation form (自评表) that holds the unit's totals.
_FUNDS_TOTAL_ROW = re.compile(r"^(年度)?(预算)?资金总额[:：]?$")
_HEADER_LABELS = [(key, re.compile(rf"^(?:{pattern})$")) for key, pattern in AMOUNT_LABELS]


def group_tables(blocks: list[Block]) -> list[tuple[str | None, list[Block]]]:
    """Runs of table rows, each with the unit line (单位：万元) of the paragraph just above."""
    tables, current, unit, last_text = [], [], None, ""
    for block in blocks:
        if block.is_row:
            if not current:
                found = _UNIT_LINE.search(last_text)
                unit = found.group(1) if found else None
            current.append(block)
            continue
        if current:
            tables.append((unit, current))
            current = []
        last_text = block.text
    if current:
        tables.append((unit, current))
    return tables


def _number(cell: str) -> Decimal | None:
    cell = cell.replace("，", ",").replace(" ", "")
    if not _CELL_NUMBER.match(cell):
        return None
    try:
        return Decimal(cell.replace(",", ""))
    except InvalidOperation:
        return None


def _header_row(rows: list[Block], *patterns: str) -> int | None:
    """The header among the first rows (a table may open with a merged title row)."""
    for index, row in enumerate(rows[:MAX_HEADER_ROW + 1]):
        if all(_find(row.cells, p) is not None for p in patterns):
            return index
    return None


def _find(header: list[str], pattern: str) -> int | None:
    for i, cell in enumerate(header):
        if re.search(pattern, cell):
            return i
    return None


def score_total(rows: list[Block]) -> tuple[Decimal, str] | None:
    """The 合计 row of a first-level score table: the total score, as the table states it."""
    start = _header_row(rows, r"一级指标|评价维度|指标名称|维度", r"^(自评)?得分$|实得分")
    if start is None:
        return None
    rows = rows[start:]
    header = rows[0].cells
    name_col = _find(header, r"一级指标|评价维度|指标名称|维度")
    score_col = _find(header, r"^(自评)?得分$|实得分")
    if name_col is None or score_col is None:
        return None
    for row in rows[1:]:
        if len(row.cells) == len(header) and _TOTAL_ROW.match(row.cells[name_col]):
            total = _number(row.cells[score_col])
            if total is not None and Decimal(0) <= total <= Decimal(100):
                return total, f"{' | '.join(header)}：{row.text}"
    return None


def score_rows(rows: list[Block], order_base: int) -> list[dict]:
    start = _header_row(rows, r"一级指标|评价维度|指标名称|维度", r"^(自评)?得分$|实得分")
    if start is None:
        return []
    rows = rows[start:]
    header = rows[0].cells
    name_col = _find(header, r"一级指标|评价维度|指标名称|维度")
    score_col = _find(header, r"^(自评)?得分$|实得分")
    max_col = _find(header, r"分值|满分|权重")
    if name_col is None or score_col is None:
        return []
    items = []
    for row in rows[1:]:
        cells = row.cells
        if len(cells) != len(header) or _TOTAL_ROW.match(cells[name_col]):
            continue
        score = _number(cells[score_col])
        if score is None:
            continue
        maximum = _number(cells[max_col]) if max_col is not None else None
        items.append({"dimension": re.sub(r"(?:指标|情况)$", "", cells[name_col]), "max_score": maximum,
                      "score": score, "source": row.text, "order": order_base + rows.index(row)})
    return items


def _unit_of(header_cell: str, table_unit: str | None) -> str | None:
    found = _CELL_UNIT.search(header_cell)
    return found.group(1) if found else table_unit


def project_rows(rows: list[Block], table_unit: str | None, year: int | None) -> tuple[list[dict], list[str]]:
    start = _header_row(rows, r"项目名称|^项目$", r"预算", r"实际支出|支出数|执行数|决算数")
    if start is None:
        return [], []
    table_unit = _title_unit(rows[:start], table_unit)
    rows = rows[start:]
    header = rows[0].cells
    name_col = _find(header, r"项目名称|^项目$")
    budget_col = _find(header, r"预算")
    spend_col = _find(header, r"实际支出|支出数|执行数|决算数")
    if name_col is None or budget_col is None or spend_col is None:
        return [], []
    units = {_unit_of(header[budget_col], table_unit), _unit_of(header[spend_col], table_unit)}
    if None in units:
        return [], [f"项目表没有写明金额单位（万元或元），未读取：{rows[0].text}"]
    year_col = _find(header, r"^年度$|^年份$")
    items = []
    for row in rows[1:]:
        cells = row.cells
        if len(cells) != len(header) or _TOTAL_ROW.match(cells[name_col]):
            continue
        budget, spend = _number(cells[budget_col]), _number(cells[spend_col])
        if budget is None or spend is None:
            continue
        row_year = year
        if year_col is not None and _YEAR_CELL.match(cells[year_col]):
            row_year = int(_YEAR_CELL.match(cells[year_col]).group(1))
        items.append({"year": row_year, "project_name": cells[name_col],
                      "budget": to_wanyuan(budget, _unit_of(header[budget_col], table_unit)),
                      "actual_spend": to_wanyuan(spend, _unit_of(header[spend_col], table_unit)),
                      "source": f"{' | '.join(header)}：{row.text}{_unit_said(table_unit)}"})
    return items, []


def _unit_said(unit: str | None) -> str:
    """The table's own unit line, quoted with a row so the reviewer sees what the numbers are in."""
    return f"（金额单位：{unit}）" if unit else ""


def _title_unit(title_rows: list[Block], table_unit: str | None) -> str | None:
    """A unit written in a title row above the header ("…（万元）", "单位：元")."""
    for row in title_rows:
        found = _UNIT_LINE.search(row.text) or _CELL_UNIT.search(row.text)
        if found:
            return found.group(1)
    return table_unit


def form_rows(rows: list[Block], table_unit: str | None, year: int | None,
              order_base: int) -> tuple[list[Candidate], list[str]]:
    """The funds block of a self-evaluation form: 年度资金总额 | 年初预算数 | 全年预算数 | 全年执行数 | … | 执行率."""
    start = _header_row(rows, r"年初预算数|全年预算数", r"执行数")
    if start is None or year is None:
        return [], []
    header = rows[start].cells
    unit = _title_unit(rows[:start + 1], table_unit)
    columns = _amount_columns(header)
    rate_col = _find(header, r"^执行率$")
    out, notes = [], []
    for n, row in enumerate(rows[start + 1:], start=start + 1):
        cells = row.cells
        if len(cells) != len(header) or not _FUNDS_TOTAL_ROW.match(cells[0]):
            continue
        if unit is None:
            return [], [f"自评表的资金情况没有写明金额单位（万元或元），未读取：{row.text}"]
        source = f"{' | '.join(header)}：{row.text}{_unit_said(unit)}"
        for i, key in columns.items():
            value = _number(cells[i])
            if value is not None and value >= 0:
                out.append(Candidate(year, key, to_wanyuan(value, _unit_of(header[i], unit)), source,
                                     order_base + n, label=header[i]))
        rate = _PERCENT_CELL.match(cells[rate_col]) if rate_col is not None else None
        if rate:
            out.append(Candidate(year, "rate", (Decimal(rate.group(1)) / 100).normalize(), source, order_base + n,
                                 label="执行率", extra={"metric": "execution_rate"}))
    return out, notes


def _amount_columns(header: list[str]) -> dict[int, str]:
    columns = {}
    for i, cell in enumerate(header):
        bare = _CELL_UNIT.sub("", cell).replace("“", "").replace("”", "")
        for key, label in _HEADER_LABELS:
            if label.match(bare) or (key == "initial_budget" and bare == "年初预算数"):
                columns[i] = key
                break
    return columns


def budget_rows(rows: list[Block], table_unit: str | None, order_base: int) -> tuple[list[Candidate], list[str]]:
    """A table with one row per year and one column per figure (年度 | 年初预算数（万元） | …)."""
    start = _header_row(rows, r"^(年度|年份)$")
    if start is None:
        return [], []
    table_unit = _title_unit(rows[:start], table_unit)
    rows = rows[start:]
    header = rows[0].cells
    year_col = _find(header, r"^(年度|年份)$")
    columns = _amount_columns(header)
    if not columns:
        return [], []
    out, notes = [], []
    for i, key in columns.items():
        if _unit_of(header[i], table_unit) is None:
            notes.append(f"表格列“{header[i]}”没有写明金额单位（万元或元），未读取")
    for n, row in enumerate(rows[1:], start=1):
        cells = row.cells
        if len(cells) != len(header):
            continue
        year = _YEAR_CELL.match(cells[year_col])
        if not year:
            continue
        for i, key in columns.items():
            unit = _unit_of(header[i], table_unit)
            value = _number(cells[i])
            if unit is None or value is None or value < 0:
                continue
            out.append(Candidate(int(year.group(1)), key, to_wanyuan(value, unit),
                                 f"{' | '.join(header)}：{row.text}{_unit_said(table_unit)}", order_base + n,
                                 label=header[i]))
    return out, notes
