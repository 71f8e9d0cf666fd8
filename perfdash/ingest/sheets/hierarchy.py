"""Rows numbered 1 / 1.1 / 1.2: the parent is usually its children's total (教育系统 over 教育局
and 一中), and storing it as a unit would count its money twice.

A parent whose amounts equal the sum of its direct children (within rounding) is skipped as a
total row, with a note. A parent whose amounts do not add up is refused: it may be a unit of
its own or a total with a slip, and only the person who made the table knows which.
"""
from __future__ import annotations

import re
from decimal import Decimal

from perfdash.ingest.sheets.context import text_of
from perfdash.ingest.sheets.grid import Grid
from perfdash.ingest.sheets.problems import SheetProblem

_NUMBERED = re.compile(r"^\d+([.．\-－]\d+)+$")
_WS = re.compile(r"\s+")
ROUNDING = Decimal("0.0051")   # 万元 per summed figure: half a cent of 万元 each, and the total's own


def parents(grid: Grid, file: str, position: int, rows, columns) -> tuple[dict[int, str], list[SheetProblem]]:
    """({Excel row: why skipped} for parent rows that are their children's sum, problems)."""
    numbers = {excel: _WS.sub("", text_of(grid.cell(excel - 1, position))).replace("．", ".").replace("－", "-")
               for excel, _ in rows}
    if not any(_NUMBERED.match(n) for n in numbers.values()):
        return {}, []
    values = dict(rows)
    amounts = [i for i, c in enumerate(columns) if c.type == "amount"]
    skip, problems = {}, []
    for excel, number in numbers.items():
        if not number:
            continue
        child = re.compile(re.escape(number) + r"[.\-]\d+$")
        children = [e for e, n in numbers.items() if child.match(n)]
        if not children:
            continue
        listed = "、".join(numbers[e] for e in children[:3]) + ("等" if len(children) > 3 else "")
        for i in amounts:
            own = values[excel][i]
            if own == "":
                continue
            total = sum((Decimal(values[e][i]) for e in children if values[e][i] != ""), Decimal(0))
            if abs(Decimal(own) - total) > ROUNDING * (len(children) + 1):
                problems.append(SheetProblem(
                    file, grid.sheet, excel, columns[i].raw_header, columns[i].letter,
                    f"序号 {number} 下还有 {listed} 行，但本行{columns[i].label} {own} 万元不等于它们之和 {total} 万元："
                    "无法确定这一行是汇总行还是单位本身，请删除汇总行，或把序号改为不分级的 1、2、3"))
                break
        else:
            skip[excel] = f"上级汇总行（序号 {number}，等于 {listed} 之和）"
    return skip, problems
