"""A workbook (or CSV text) → one grid of cell values per visible sheet, merged ranges known.

Cells keep their type (str, int, float, datetime, None); a number cell formatted as a
percentage comes back as values.Percent, one formatted with leading zeros (000000) as
values.Padded (its shown text). Hidden sheets are not read: they are named with the reason.
"""
from __future__ import annotations

import csv
import functools
import io
import itertools
from dataclasses import dataclass, field

from perfdash.ingest.readers import decode_text
from perfdash.ingest.sheets.sniff import DAMAGED, FileRefused, sniff
from perfdash.ingest.sheets.values import CellError, Padded, Percent, Uncalculated

MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_ROWS = 1_000_000 + 40      # the importer's row limit, plus room for titles and notes
DELIMITERS = (",", "\t", ";", "，")
DELIMITER_NAMES = {",": "逗号", "\t": "制表符", ";": "分号", "，": "中文逗号"}


@dataclass
class Grid:
    sheet: str | None                      # None for CSV text
    cells: list[list]                      # rows, 0-based; row i is Excel row i + 1
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # r1, c1, r2, c2 (0-based, inclusive)
    hidden_rows: set[int] = field(default_factory=set)      # 0-based rows Excel hides (filtered, folded)
    hidden_columns: set[int] = field(default_factory=set)   # 0-based

    def cell(self, row: int, col: int):
        if row < len(self.cells) and col < len(self.cells[row]):
            return self.cells[row][col]
        return None

    @functools.cached_property
    def width(self) -> int:
        return max((len(r) for r in self.cells), default=0)


@dataclass
class Workbook:
    file: str
    format: str                            # xlsx | xls | xlsb | ods | text
    grids: list[Grid]
    skipped_sheets: list[tuple[str, str]]  # (sheet name, reason)
    notes: list[str]


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _read_xlsx(data: bytes, name: str, max_rows: int) -> tuple[list[Grid], list[tuple[str, str]]]:
    """Values, merges and visibility from calamine; formats, hidden rows and uncalculated
    formulas from the XML (ooxml.read_extras)."""
    import zipfile

    from perfdash.ingest.sheets.ooxml import read_extras

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(i.file_size for i in archive.infolist()) > MAX_UNCOMPRESSED:
                raise FileRefused(f"{name}：解压后超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB，疑似异常文件，已拒绝")
            extras = read_extras(archive)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise FileRefused(f"{name}：{DAMAGED}") from None
    grids, skipped = _read_calamine(data, name, max_rows)
    for grid in grids:
        found = extras.get(grid.sheet)
        if found is None:
            continue
        _widen(grid, [*found.percent, *found.padded, *found.uncalculated, *found.errors])
        for r, c in found.percent:
            value = grid.cells[r][c]
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                grid.cells[r][c] = Percent(value)
        for (r, c), width in found.padded.items():
            value = grid.cells[r][c]
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                grid.cells[r][c] = Padded(str(value).zfill(width))
        for (r, c), formula in found.uncalculated.items():
            if grid.cells[r][c] is None:
                grid.cells[r][c] = Uncalculated(formula)
        for (r, c), error in found.errors.items():
            grid.cells[r][c] = CellError(error)
        grid.hidden_rows, grid.hidden_columns = found.hidden_rows, found.hidden_columns
    return grids, skipped


def _widen(grid: Grid, places) -> None:
    """Make sure the cells list reaches every (row, col) in places (calamine stops at the last value)."""
    for r, c in places:
        while len(grid.cells) <= r:
            grid.cells.append([])
        row = grid.cells[r]
        if len(row) <= c:
            row.extend([None] * (c + 1 - len(row)))
    grid.__dict__.pop("width", None)


def _calamine_value(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _read_calamine(data: bytes, name: str, max_rows: int) -> tuple[list[Grid], list[tuple[str, str]]]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception:
        raise FileRefused(f"{name}：{DAMAGED}") from None
    grids, skipped = [], []
    for meta in book.sheets_metadata:
        visible = str(meta.visible).rsplit(".", 1)[-1].lower()
        if visible != "visible":
            skipped.append((meta.name, "隐藏工作表" if visible == "hidden" else "深度隐藏的工作表"))
            continue
        if "worksheet" not in str(meta.typ).lower():
            skipped.append((meta.name, "图表或宏工作表"))
            continue
        sheet = book.get_sheet_by_name(meta.name)
        rows = sheet.to_python(skip_empty_area=False, nrows=max_rows + 1)
        if len(rows) > max_rows:
            raise FileRefused(f"{name}：工作表「{meta.name}」超过 {max_rows:,} 行，超过单个文件上限，请拆分后导入")
        cells = [[_calamine_value(v) for v in row] for row in rows]
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        grids.append(Grid(meta.name, cells, merged))
    return grids, skipped


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first 30 records into the same number (>1) of
    fields. Records are read as CSV (a quoted cell may hold line breaks and commas). The Chinese
    comma is tried only when no ASCII delimiter splits the file: a 来源 column full of sentences
    has more of them than the header has columns."""
    head = text[:200_000]

    def score(delimiter):
        records = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), 40))
        widths = [len(r) for r in records if any(c.strip() for c in r)][:30]
        widths = [w for w in widths if w > 1]
        if not widths:
            return (0, 0)
        modal = max(set(widths), key=widths.count)
        return (widths.count(modal), modal)

    ascii_scores = {d: score(d) for d in DELIMITERS if d.isascii()}
    best = max(ascii_scores, key=ascii_scores.get)
    if ascii_scores[best][0] >= 2 or "，" not in DELIMITERS:
        return best
    return "，" if score("，") > ascii_scores[best] else best


def _read_text(data: bytes, name: str, max_rows: int) -> tuple[Grid, str]:
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise FileRefused(f"{name}：无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）") from None
    delimiter = sniff_delimiter(text)
    try:
        rows = list(itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), max_rows + 1))
    except csv.Error as exc:
        raise FileRefused(f"{name}：CSV 格式错误（{exc}）") from None
    if len(rows) > max_rows:
        raise FileRefused(f"{name}：超过 {max_rows:,} 行，超过单个文件上限，请拆分后导入")
    cells = [[v if v.strip() else None for v in row] for row in rows]
    return Grid(None, cells), delimiter


def read_workbook_grids(data: bytes, file_name: str, max_rows: int = MAX_ROWS) -> Workbook:
    """Sniff the bytes and read every visible sheet. Raises FileRefused."""
    from pathlib import Path

    name = Path(file_name).name
    found = sniff(data, name)
    notes = [found.note] if found.note else []
    if found.format == "text":
        grid, delimiter = _read_text(data, name, max_rows)
        if delimiter != ",":
            notes.append(f"按{DELIMITER_NAMES[delimiter]}分隔读取")
        return Workbook(name, "text", [grid], [], notes)
    if found.format == "xlsx":
        grids, skipped = _read_xlsx(data, name, max_rows)
    else:
        grids, skipped = _read_calamine(data, name, max_rows)
    return Workbook(name, found.format, grids, skipped, notes)

