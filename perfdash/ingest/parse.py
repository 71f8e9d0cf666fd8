"""One uploaded file → one ParsedFile: which reader reads it, and the spreadsheet reader's
tables through the importer's validator.

Every workbook (.xlsx, .xls, .ods, a file renamed), and every CSV that is not plain, is read by
the spreadsheet reader (perfdash.ingest.sheets: title rows, 单位 lines, two-row headers,
合计 / 小计 / note rows, several sheets …). A plain CSV — its first records a single header row
with no 单位 line, nothing to skip but blank lines and exact 合计 rows, no 序号 or rate columns —
keeps the fast Arrow path; its body is screened for subtotal and note rows, and a file that
turns out not to be plain is handed to the spreadsheet reader after all.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfdash.errors import ImportRefused, Problem
from perfdash.ingest import unit_map
from perfdash.ingest.arrow_csv import _ReadRowByRow, _arrow_body, _csv_head
from perfdash.ingest.columns import MISSING_TOKENS, TOTAL_ROW_LABELS, match_header
from perfdash.ingest.readers import (
    MAX_HEADER_SEARCH_ROWS, Limits, _Body, _find_header, _gc_paused, _is_blank_row, _rows_body, read_rows,
)
from perfdash.ingest.sheets import Table, read_grid, read_tables
from perfdash.ingest.sheets.grid import MAX_ROWS, Grid, _read_text, sniff_delimiter
from perfdash.ingest.sheets.headers import match as match_sheet_header
from perfdash.ingest.sheets.layout import _NOTE, _TOTAL
from perfdash.ingest.validate import ParsedFile, _parse_table, _strings

HEAD_RECORDS = 40          # records of a CSV file the layout is decided on
TAIL_RECORDS = 10          # last records of a plain CSV looked at for notes and signatures
LABEL_IDS = ("year", "unit_code", "unit_name", "region", "project_name", "dimension")
WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")   # zip (xlsx, ods), OLE2 (xls, encrypted)


_PLAIN_NUMBER = re.compile(r"^([+-]?[\d,]*(\.\d*)?|-|--|—|——|–|/|无)$")


# Every text _TOTAL or _NOTE matches (after NFKC, without spaces) has one of these in it.
_SCREEN_HINT = (r"计|其中|注|说明|备注|填|审核|制表|复核|负责人|分管|联系|电话|日期|盖章|"
                r"^\s*[\d０-９]+\s*[、.．]")


_UNIT_NOTE = re.compile(r"^(金额|计量)?单位[:：]?(亿元|万元|千元|元)")


class _NotPlain(Exception):
    """A CSV file the fast path must not read: the spreadsheet reader reads it."""


# -- which reader ------------------------------------------------------------------------


def _is_workbook(data: bytes, name: str) -> bool:
    return data.startswith(WORKBOOK_MAGIC) or Path(name).suffix.lower() in (
        ".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _head_is_plain(name: str, head, header_at: int, kind: str) -> bool:
    """Whether the first records read as the fast path would read them: the spreadsheet reader's
    layout of them is one header row (the same one), every column read as the importer reads it,
    no 单位 line, and nothing skipped but blank lines and exact 合计 rows."""
    if sniff_delimiter(head.text[:200_000]) != head.delimiter:
        return False
    records = list(itertools.islice(
        csv.reader(io.StringIO(head.text[:400_000], newline=""), delimiter=head.delimiter), HEAD_RECORDS + 1))
    if len(records) > HEAD_RECORDS:
        records = records[:HEAD_RECORDS]
    table = read_grid(Grid(None, records), name)
    header = records[header_at]
    matched = [c.id for h in header if (c := match_header(kind, h)[0]) is not None]
    if isinstance(table, str):    # a header and nothing below it: the validator says so, with the row
        return table.startswith("只有表头") and header_at == 0
    if table.header_rows != (header_at + 1,):
        return False
    # Cells the reader refuses the validator refuses too, in the words the fast path always used,
    # and so two columns with one meaning; anything else (a header with two readings,
    # contradicting units …) is the reader's to say.
    duplicated = len(matched) != len(set(matched))
    figure_letters = {c.letter for c in table.columns if c.type in ("amount", "score", "int")}
    for p in table.problems:
        if p.row is None or (p.row <= header_at + 1 and not duplicated):
            return False
        if p.row > header_at + 1 and p.letter not in figure_letters:
            return False   # a code in scientific notation …: only the reader refuses it

    if duplicated:
        return True
    if any(match_sheet_header(kind, h).sequence for h in header):
        return False
    ours = set(matched)
    theirs = set()
    for column in table.columns:
        if column.position < 0 or column.column_id.startswith("stated:"):
            return False
        if column.type == "amount" and column.unit_stated and not (column.unit_source or "").startswith("列名"):
            return False
        theirs.add(column.column_id)
    if ours != theirs:
        return False
    read = {column.position for column in table.columns}
    # A figure the reader understands and the fast path would refuse (￥, 万元 in the cell,
    # (1,234.00) …): the reader reads the file.
    # Text the reader reads differently (a code written '001234 so that Excel keeps it as text …).
    texts = [i for i, c in enumerate(table.columns) if c.type == "text"]
    for row, cells in table.rows:
        raw = records[row - 1]
        for i in texts:
            p = table.columns[i].position
            if p < len(raw) and _normalised(raw[p]) != _normalised(cells[i]) and raw[p].strip() not in MISSING_TOKENS:
                return False
    figures = [(c.position, c.letter) for c in table.columns if c.type in ("amount", "score", "int")]
    refused = {(p.row, p.letter) for p in table.problems}
    skipped = {row for row, _ in table.skipped_rows}
    for row, cells in enumerate(records[header_at + 1:], start=header_at + 2):
        if row in skipped:
            continue
        for p, letter in figures:
            if p < len(cells) and not _PLAIN_NUMBER.match(_normalised(cells[p])) and (row, letter) not in refused:
                return False
    for row, _why in table.skipped_rows:
        cells = records[row - 1] if row - 1 < len(records) else []
        if _is_blank_row(cells):
            continue
        if not any(_normalised(cells[p]) in TOTAL_ROW_LABELS for p in read if p < len(cells)):
            return False
    return True


def _screen(table: pd.DataFrame, source_rows: pd.Series) -> None:
    """Raise _NotPlain when the body of a plain-looking CSV has rows the spreadsheet reader would
    skip and the fast path would not: subtotals other than exact 合计 labels, group rows, notes."""
    for cid in LABEL_IDS:
        if cid not in table:
            continue
        distinct = pc.unique(_strings(table[cid]))
        # Only values that could say 合计 / 其中 / a note are looked at one by one (names repeat
        # and a province's file has tens of thousands of them).
        maybe = pc.and_(pc.less_equal(pc.utf8_length(distinct), 40),
                        pc.match_substring_regex(distinct, _SCREEN_HINT))
        for value in pc.filter(distinct, pc.fill_null(maybe, False)).to_pylist():
            text = _normalised(value)
            if text and text not in TOTAL_ROW_LABELS and (_TOTAL.match(text) or _NOTE.match(text)):
                raise _NotPlain
    if "unit_code" in table:
        codes = pc.unique(_strings(table["unit_code"]))
        odd = pc.match_substring_regex(codes, r"^\s*'|^\s*\d+(\.\d+)?[eE][+-]?\d+\s*$")
        if pc.any(pc.fill_null(odd, False)).as_py():
            raise _NotPlain   # '001234, or 1.01E+05 (a code Excel turned into a number): the reader says
    tail = table.tail(TAIL_RECORDS)
    for _, row in tail.iterrows():
        for value in row:
            if isinstance(value, str) and (_NOTE.match(_normalised(value)) or _UNIT_NOTE.match(_normalised(value))):
                raise _NotPlain   # a note, a signature, or 「单位：元」 under the table: the reader says


# -- one file, then several --------------------------------------------------------------


def parse_file(data: bytes, file_name: str, limits: Limits | None = None) -> ParsedFile:
    """Parse and validate one file; raises ImportRefused listing every problem in it."""
    limits = limits or Limits()
    name = Path(file_name).name
    if len(data) > limits.max_bytes:
        raise ImportRefused([Problem(name, None, None,
                                     f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 "
                                     f"{limits.max_bytes / 1024 / 1024:.0f} MB")])
    if not data or data.isspace():
        raise ImportRefused([Problem(name, None, None, "文件为空")])
    if not _is_workbook(data, name):
        head = _csv_head(data)
        if head is not None:
            header_at, kind = _find_header(head.records)
            if kind is not None and _head_is_plain(name, head, header_at, kind):
                try:
                    parsed = _parse_table(
                        data, name, limits, kind, head.records[header_at], header_at,
                        lambda width, positions: _arrow_body(head, header_at, width, positions),
                        screen=_screen)
                    parsed.units = _header_units(kind, head.records[header_at])
                    return parsed
                except _NotPlain:
                    return _parse_sheets(data, name, limits)
                except _ReadRowByRow:
                    return _parse_rows(data, name, limits)
            del head
    return _parse_sheets(data, name, limits)


def _parse_rows(data: bytes, name: str, limits: Limits) -> ParsedFile:
    """A plain CSV the Arrow reader cannot promise to read as the csv module does: row by row."""
    try:
        with _gc_paused():
            rows = read_rows(data, name, limits)
    except ValueError as exc:
        raise ImportRefused([Problem(name, None, None, str(exc))]) from None
    header_at, kind = _find_header(rows)
    if kind is None:
        return _parse_sheets(data, name, limits)
    try:
        parsed = _parse_table(data, name, limits, kind, rows[header_at], header_at,
                              lambda width, positions: _rows_body(rows, header_at, width, positions),
                              screen=_screen)
        parsed.units = _header_units(kind, rows[header_at])
        return parsed
    except _NotPlain:
        return _parse_sheets(data, name, limits)


def _check_uncompressed(data: bytes, name: str, limits: Limits) -> None:
    """A zip (xlsx, ods) that unpacks beyond the configured limit is refused before it is read."""
    if not data.startswith(b"PK\x03\x04"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            uncompressed = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return   # the reader says why it cannot be read
    if uncompressed > limits.max_xlsx_uncompressed:
        raise ImportRefused([Problem(name, None, None,
                                     f"XLSX 解压后 {uncompressed / 1024 / 1024:.0f} MB，超过上限 "
                                     f"{limits.max_xlsx_uncompressed / 1024 / 1024:.0f} MB，疑似异常文件，已拒绝")])


def _too_long(data: bytes, name: str, result) -> list[Problem]:
    """CSV rows with values beyond the header's last column: an extra delimiter shifts every value
    after it, so the row is refused, as the fast path refuses it (a workbook has no such rows)."""
    if result.format != "text" or not result.tables:
        return []
    grid, _ = _read_text(data, name, MAX_ROWS)
    problems = []
    for table in result.tables:
        width = 1 + max(c.position for c in table.columns if c.position >= 0)
        for header_row in table.header_rows:
            cells = grid.cells[header_row - 1]
            width = max(width, 1 + max((i for i, v in enumerate(cells) if v is not None), default=-1))
        for row, _ in table.rows:
            extra = [v for v in grid.cells[row - 1][width:] if v is not None]
            if extra:
                problems.append(Problem(name, row, None, f"该行比表头多出 {len(extra)} 个值，请检查是否有多余的逗号"))
    return problems


def _where(table: Table) -> str:
    """The file name as problems name it: with the sheet for a workbook."""
    return table.file if table.sheet is None else f"{table.file}（工作表「{table.sheet}」）"


def _parse_sheets(data: bytes, name: str, limits: Limits) -> ParsedFile:
    """Every table the spreadsheet reader finds, validated, as one ParsedFile."""
    _check_uncompressed(data, name, limits)
    try:
        result = read_tables(data, name, max_rows=limits.max_rows + MAX_HEADER_SEARCH_ROWS + 40)
    except csv.Error as exc:
        raise ImportRefused([Problem(name, None, None, f"CSV 格式错误：{exc}")]) from None
    if not result.tables and result.skipped_sheets and all(why == "空工作表" for _, why in result.skipped_sheets):
        raise ImportRefused([Problem(name, None, None, "文件为空")])
    too_long = _too_long(data, name, result)
    if result.refused:
        problems = too_long + [p.as_problem() for p in result.problems]
        problems.sort(key=lambda p: (p.file, p.row or 0))
        raise ImportRefused(problems)
    parsed, problems = [], too_long
    for table in result.tables:
        try:
            parsed.append(_parse_sheet_table(data, table, limits))
        except ImportRefused as refused:
            problems.extend(refused.problems)
    if problems:
        problems.sort(key=lambda p: (p.file, p.row or 0))
        raise ImportRefused(problems)
    kinds = {p.kind for p in parsed}
    if len(kinds) > 1:
        listed = "；".join(f"工作表「{t.sheet}」是{t.kind}" for t in result.tables)
        raise ImportRefused([Problem(name, None, None, f"一个文件里有不同种类的表（{listed}）：请分成几个文件上传")])
    column_sets = {p.columns for p in parsed}
    if len(column_sets) > 1:
        listed = "；".join(f"「{t.sheet}」：{'、'.join(c.label for c in t.columns if c.position >= 0)}"
                          for t in result.tables)
        raise ImportRefused([Problem(name, None, None,
                                     f"各工作表的列不一致（{listed}）：缺少的列会被当作空白覆盖已有数据，"
                                     "请把列相同的工作表放在一个文件里，其余分开上传")])
    first = parsed[0]
    stated = [p.stated_rates for p in parsed if p.stated_rates is not None and len(p.stated_rates)]
    return ParsedFile(
        name, first.sha256, first.kind, pd.concat([p.frame for p in parsed], ignore_index=True),
        [w for p in parsed for w in p.warnings], sum(p.skipped_rows for p in parsed), first.columns,
        sheets=[t.sheet or "" for t in result.tables],
        skipped_sheets=list(result.skipped_sheets),
        skipped=[s for p in parsed for s in p.skipped],
        units=[u for p in parsed for u in p.units],
        notes=list(result.notes) + [n for p in parsed for n in p.notes],
        stated_rates=pd.concat(stated, ignore_index=True) if stated else None,
        row_sheets=tuple((t.sheet, len(p.frame)) for t, p in zip(result.tables, parsed)))


def _header_units(kind: str, header: list[str]) -> list[str]:
    """The unit lines of a plain CSV: （元） in a header converts that column, the rest are 万元."""
    groups: dict[str, list[str]] = {}
    for raw in header:
        column, factor = match_header(kind, raw)
        if column is not None and column.type == "amount":
            source = f"列名「{raw.strip()}」" if factor != 1.0 or "万元" in raw else "未注明单位，按万元"
            groups.setdefault(("元" if factor != 1.0 else "万元", source), []).append(column.label)
    lines = []
    for (unit, source), labels in _merge_sources(groups).items():
        converted = "" if unit == "万元" else "，已换算为万元"
        lines.append(f"金额单位：{unit}（{source}）{converted}：{'、'.join(labels)}")
    return lines


def _merge_sources(groups: dict) -> dict:
    """Columns whose unit each header states: one line per unit, naming them by their headers."""
    merged: dict = {}
    for (unit, source), labels in groups.items():
        key = (unit, "列名注明" if source.startswith("列名") else source)
        merged.setdefault(key, []).extend(labels)
    return merged


def _unit_lines(table: Table, prefix: str) -> list[str]:
    """"金额单位：元（第 2 行「单位：元」），已换算为万元：年初预算数、…", one per unit and reason."""
    groups: dict[tuple[str, str], list[str]] = {}
    for column in table.columns:
        if column.type == "amount":
            groups.setdefault((column.unit or "万元", column.unit_source or ""), []).append(column.label)
    lines = []
    for (unit, source), labels in _merge_sources(groups).items():
        converted = "" if unit == "万元" else "，已换算为万元"
        lines.append(f"{prefix}金额单位：{unit}（{source}）{converted}：{'、'.join(labels)}")
    return lines


def _parse_sheet_table(data: bytes, table: Table, limits: Limits) -> ParsedFile:
    """One table of the spreadsheet reader through the importer's header mapping and validation.

    Headers go in as their canonical labels (the reader already converted amounts to 万元, so no
    second conversion); problems name the sheet and the column as written ("D 列 年初预算数（元）")."""
    where = _where(table)
    keep = [i for i, c in enumerate(table.columns) if not c.column_id.startswith("stated:")]
    header = [table.columns[i].label for i in keep]
    shown = {table.columns[i].label: (f"{table.columns[i].letter} 列 {table.columns[i].raw_header}"
                                      if table.columns[i].letter else table.columns[i].raw_header)
             for i in keep}
    lines = np.asarray([r for r, _ in table.rows], dtype="int64")

    def body(width, positions):
        columns = {p: pa.array([cells[keep[p]] for _, cells in table.rows], type=pa.large_string())
                   for p in positions}
        return _Body(columns, lines, [])

    try:
        parsed = _parse_table(data, where, limits, table.kind, header, table.header_rows[-1] - 1, body)
    except ImportRefused as refused:
        raise ImportRefused([Problem(p.file, p.row, shown.get(p.column, p.column), p.message)
                             for p in refused.problems]) from None
    prefix = f"工作表「{table.sheet}」：" if table.sheet is not None else ""
    parsed.file_name = table.file
    parsed.sheets = [table.sheet or ""]
    parsed.skipped = [(table.sheet, row, why) for row, why in table.skipped_rows if why != "空行"]
    parsed.units = _unit_lines(table, prefix)
    parsed.notes = [prefix + n for n in table.notes]
    parsed.stated_rates = _stated_rates(table, parsed.frame)
    return parsed


def _stated_rates(table: Table, frame: pd.DataFrame) -> pd.DataFrame | None:
    """The rate columns beside the amounts, one row per non-blank cell, keyed as the figures are."""
    rates = [(i, c) for i, c in enumerate(table.columns) if c.column_id.startswith("stated:")]
    if not rates:
        return None
    by_row = frame.set_index("source_row")
    where = table.file if table.sheet is None else f"{table.file} · 工作表「{table.sheet}」"
    out = []
    for row, cells in table.rows:
        if row not in by_row.index:
            continue
        figures = by_row.loc[row]
        for i, column in rates:
            if cells[i] == "":
                continue
            out.append({"year": int(figures["year"]), "unit_key": figures["unit_key"],
                        "unit_code": figures["unit_code"], "unit_name": figures["unit_name"],
                        "region": figures["region"], "metric": column.column_id.removeprefix("stated:"),
                        "label": column.raw_header, "value": float(cells[i]),
                        "source": f"{where} · 第 {row} 行 · {column.letter} 列「{column.raw_header}」"})
    frame_out = pd.DataFrame(out, columns=["year", "unit_key", "unit_code", "unit_name", "region", "metric",
                                           "label", "value", "source"])
    return frame_out


def parse_all(files: list[tuple[str, bytes]], limits: Limits | None = None) -> list[ParsedFile]:
    """Parse every file; raises one ImportRefused with the problems of all of them. Rates a table
    printed beside its amounts (执行率 …) follow their file as a stated-rates file of their own,
    imported in the same transaction and reconciled like a report's."""
    parsed, problems = [], []
    for name, data in files:
        try:
            item = parse_file(data, name, limits)
        except ImportRefused as refused:
            # A unit map (单位对照) is no table of figures: tried only when the figures reader
            # refuses, so figure files pay nothing for it.
            try:
                item = unit_map.read(data, name)
            except ImportRefused as map_refused:
                problems.extend(map_refused.problems)
                continue
            if item is None:
                problems.extend(refused.problems)
                continue
        parsed.append(item)
        if item.kind != "stated_rates" and item.stated_rates is not None and len(item.stated_rates):
            parsed.append(_stated_rates_file(item))
    if problems:
        raise ImportRefused(problems)
    return parsed


def _stated_rates_file(item: ParsedFile) -> ParsedFile:
    rates = item.stated_rates
    frame = pd.DataFrame({
        "unit_key": rates["unit_key"], "year": rates["year"].astype("int64"), "metric": rates["metric"],
        "unit_code": rates["unit_code"], "unit_name": rates["unit_name"], "label": rates["label"],
        "value": rates["value"].astype("float64"), "source": rates["source"], "region": rates["region"],
        # the Excel row the rate stands in, as its source says ("… · 第 12 行 · G 列「执行率」")
        "source_row": rates["source"].str.extract(r"第 (\d+) 行", expand=False).astype("Int64"),
    })
    return ParsedFile(f"{item.file_name}（表中所列比率）", item.sha256, "stated_rates", frame)

