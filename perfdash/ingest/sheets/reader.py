"""A file's bytes → its tables, each row's cells as the text the importer's validator reads.

Amounts come out in 万元 as plain decimal text (exact: Decimal from the cell to the text),
years as "2023", stated rates as fractions ("0.8756"), codes and names as text; missing
cells as "". A cell that cannot be read is a SheetProblem naming file, sheet, Excel row and
column; the row stays in `rows` with "" in that cell, so the caller sees every problem of
the file at once but must not import a table with problems.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfdash.ingest.columns import normalise_header
from perfdash.ingest.sheets import values as val
from perfdash.ingest.sheets.grid import MAX_ROWS, Grid, read_workbook_grids
from perfdash.ingest.sheets.hierarchy import parents
from perfdash.ingest.sheets.layout import ColumnInfo, Layout, classify, find_band, text_of
from perfdash.ingest.sheets.problems import SheetProblem
from perfdash.ingest.sheets.sniff import FileRefused


_SHEET_YEAR = re.compile(r"^\D*(20\d{2})\D*$")


@dataclass
class Table:
    file: str
    sheet: str | None                         # None for CSV text
    kind: str                                 # budget | scores | projects
    header_rows: tuple[int, ...]              # Excel numbers
    columns: list[ColumnInfo]                 # one per value in each row, in this order
    rows: list[tuple[int, list[str]]]         # (Excel row, cells as text; amounts in 万元)
    skipped_rows: list[tuple[int, str]]       # (Excel row, reason)
    ignored_columns: list[tuple[str, str]]    # (letter, header as written)
    notes: list[str] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)

    @property
    def column_ids(self) -> list[str]:
        return [c.column_id for c in self.columns]

    def records(self) -> list[dict[str, str]]:
        """Rows as {column id: text}, plus "source_row"."""
        ids = self.column_ids
        return [{"source_row": str(r), **dict(zip(ids, cells))} for r, cells in self.rows]


@dataclass
class SheetsResult:
    file: str
    format: str                               # xlsx | xls | xlsb | ods | text
    tables: list[Table]
    skipped_sheets: list[tuple[str, str]]     # (sheet, reason): hidden, no table, header only
    notes: list[str]
    problems: list[SheetProblem]              # the file's, every table's, and "no table at all"

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def _read_cell(column: ColumnInfo, raw, code_numbers: list[int], row: int) -> str:
    if column.type == "amount":
        amount = val.read_amount(raw, column.unit, column.unit_stated, column.unit_source or "")
        return "" if amount is None else val.number_text(amount)
    if column.type == "rate":
        rate = val.read_rate(raw, column.unit == "%")
        return "" if rate is None else val.number_text(rate)
    if column.type == "score":
        if isinstance(raw, str) and raw.strip().endswith("分"):
            raw = raw.strip()[:-1]
        if val.is_missing(raw):
            return ""
        number, unit = val.parse_number(raw)
        if unit is not None:
            raise val.ValueRefused(f"得分列中出现金额「{text_of(raw)}」")
        return val.number_text(number)
    if column.column_id == "year":
        year = val.read_year(raw)
        return "" if year is None else str(year)
    if column.column_id == "unit_code":
        code, was_number = val.read_code(raw)
        if was_number:
            code_numbers.append(row)
        return code or ""
    return val.read_text(raw) or ""


def read_grid(grid: Grid, file: str) -> Table | str:
    """The table in one grid, or the reason there is none (said in the result)."""
    if not any(text_of(v) for r in grid.cells for v in r):
        return "空工作表"
    band = find_band(grid)
    if band is None:
        if _looks_like_form(grid):
            return ("这是一张自评表（一个单位一张表，单位名称写在表头上方），不是逐行列出单位的数据表："
                    "请把数据填入数据导入页的模板后上传")
        return "找不到表头：前 30 行没有「单位名称」「实际支出数」等可识别的列名"
    layout: Layout = classify(grid, band, file)
    fill = layout.fill_down
    rows, problems = [], list(layout.problems)
    code_numbers: list[int] = []
    for index in layout.data_rows:
        excel = index + 1
        cells = []
        for column in layout.columns:
            if column.position < 0:
                cells.append(column.constant or "")
                continue
            r, c = fill.get((index, column.position), (index, column.position))
            try:
                cells.append(_read_cell(column, grid.cell(r, c), code_numbers, excel))
            except val.ValueRefused as refused:
                cells.append("")
                problems.append(SheetProblem(file, grid.sheet, excel, column.raw_header, column.letter, str(refused)))
        rows.append((excel, cells))
    skipped_rows = list(layout.skipped_rows)
    if layout.sequence_positions and rows:
        skip, found = parents(grid, file, layout.sequence_positions[0], rows, layout.columns)
        problems += found
        if skip:
            rows = [(r, cells) for r, cells in rows if r not in skip]
            skipped_rows = sorted(skipped_rows + list(skip.items()))
    notes = list(layout.notes)
    if layout.ignored_columns:
        notes.append("未识别、未读取的列：" + "、".join(f"{l} 列「{h}」" for l, h in layout.ignored_columns))
    if code_numbers:
        shown = "、".join(str(r) for r in code_numbers[:10]) + ("等" if len(code_numbers) > 10 else "")
        notes.append(f"第 {shown} 行的单位编码在 Excel 中存为数字，前导零（如 001234）可能已丢失，"
                     "请核对；建议把编码列设为文本")
    hidden = [r + 1 for r in layout.data_rows if r in grid.hidden_rows]
    if hidden:
        notes.append(f"第 {'、'.join(map(str, hidden[:10]))}{'等' if len(hidden) > 10 else ''} 行在 Excel 中被隐藏"
                     "（或被筛选掉），已照常读取；如不应导入请删除这些行")
    hidden_cols = [c for c in layout.columns if c.position in grid.hidden_columns]
    if hidden_cols:
        notes.append("以下列在 Excel 中被隐藏，已照常读取：" + "、".join(f"{c.letter} 列「{c.raw_header}」" for c in hidden_cols))
    year_col = next((c for c in layout.columns if c.column_id == "year" and c.position >= 0), None)
    sheet_year = _SHEET_YEAR.match(grid.sheet or "")
    if year_col and sheet_year:
        index = layout.columns.index(year_col)
        others = sorted({cells[index] for _, cells in rows if cells[index] and cells[index] != sheet_year.group(1)})
        if others:
            notes.append(f"工作表名为「{grid.sheet}」，但年度列中有 {'、'.join(others)}：已按年度列读取，请核对")
    skipped_summary = [(r, why) for r, why in skipped_rows if why != "空行"]
    if skipped_summary:
        notes.append("已跳过：" + "；".join(f"第 {r} 行 {why}" for r, why in skipped_summary[:20])
                     + ("……" if len(skipped_summary) > 20 else ""))
    if not rows and not problems:
        return f"只有表头（第 {'、'.join(map(str, layout.header_rows))} 行），没有数据行"
    return Table(file, grid.sheet, layout.kind, layout.header_rows, layout.columns, rows,
                 skipped_rows, layout.ignored_columns, notes, problems)


_FORM_LABEL = re.compile(r"^(部门|单位|部门\(单位\)|项目)名称[:：]?$")
_FORM_FIGURES = {"全年执行数", "年度资金总额", "全年预算数", "执行率"}


def _looks_like_form(grid: Grid) -> bool:
    """The national 部门整体支出绩效自评表: 「部门（单位）名称 | 郑州市教育局」 above a block of
    年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 rows for one unit."""
    labelled = figures = False
    for row in grid.cells[:40]:
        texts = [normalise_header(text_of(v)) for v in row]
        for i, text in enumerate(texts):
            if _FORM_LABEL.match(text) and any(t for t in texts[i + 1:]):
                labelled = True
            figures |= text in _FORM_FIGURES
    return labelled and figures


_KEYS = {"budget": ("year",), "scores": ("year", "dimension"), "projects": ("year", "project_name")}


def _across_sheets(tables: list[Table]) -> list[SheetProblem]:
    """The same unit and year (and dimension / project) on two sheets: a 汇总 sheet beside the
    yearly ones, or a sheet copied. Within one sheet the importer checks duplicates itself."""
    if len(tables) < 2:
        return []
    seen: dict[tuple, tuple[str | None, int]] = {}
    problems = []
    for table in tables:
        ids = table.column_ids
        for row, cells in table.rows:
            record = dict(zip(ids, cells))
            unit = ("code", record["unit_code"]) if record.get("unit_code") else \
                ("name", record.get("unit_name"), record.get("region"))
            key = (table.kind, unit, *(record.get(k) for k in _KEYS[table.kind]))
            first = seen.setdefault(key, (table.sheet, row))
            if first[0] != table.sheet:
                name = record.get("unit_name") or record.get("unit_code")
                problems.append(SheetProblem(table.file, table.sheet, row, None, None,
                                             f"「{name}」{record.get('year')} 年的数据在工作表「{first[0]}」第 {first[1]} 行已经有一行："
                                             "同一单位同一年度只能出现一次（汇总表和分年表请只上传一种）"))
    return problems


def read_tables(data: bytes, file_name: str, max_rows: int = MAX_ROWS) -> SheetsResult:
    """Every table in a file. Never raises for what the file holds: a file that cannot be read
    at all, or holds no table, comes back with problems saying why."""
    from pathlib import Path

    name = Path(file_name).name
    try:
        book = read_workbook_grids(data, name, max_rows)
    except FileRefused as refused:
        return SheetsResult(name, "", [], [], [], [SheetProblem(name, None, None, None, None,
                                                                str(refused).removeprefix(f"{name}："))])
    tables, skipped = [], list(book.skipped_sheets)
    for grid in book.grids:
        found = read_grid(grid, name)
        if isinstance(found, Table):
            tables.append(found)
        else:
            skipped.append((grid.sheet or name, found))
    problems = [p for t in tables for p in t.problems] + _across_sheets(tables)
    if not tables:
        reasons = "；".join(f"「{s}」{why}" for s, why in skipped) if book.format != "text" else skipped[0][1]
        problems.append(SheetProblem(name, None, None, None, None, f"没有可导入的表格（{reasons}）"))
    return SheetsResult(name, book.format, tables, skipped, list(book.notes), problems)
