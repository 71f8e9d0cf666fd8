"""A workbook (or CSV text) → one grid of cell values per visible sheet, merged ranges known.

Cells keep their type (str, int, float, datetime, None); a number cell formatted as a
percentage comes back as values.Percent, one formatted with leading zeros (000000) as
values.Padded (its shown text). Hidden sheets are not read: they are named with the reason.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field

from perfdash.ingest import decode_text
from perfdash.sheets.sniff import DAMAGED, FileRefused, sniff
from perfdash.sheets.values import Padded, Percent, Uncalculated

MAX_UNCOMPRESSED = 200 * 1024 * 1024
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

    @property
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


_ZERO_FORMAT = re.compile(r"^0+$")


def _openpyxl_value(cell):
    value = cell.value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        fmt = cell.number_format or ""
        if "%" in fmt:
            return Percent(value)
        if isinstance(value, int) or float(value).is_integer():
            if _ZERO_FORMAT.match(fmt) and len(fmt) > len(str(int(value))):
                return Padded(str(int(value)).zfill(len(fmt)))
    return value


_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_CELL_REF = re.compile(r"^([A-Z]+)(\d+)$")


def _uncalculated(archive) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells with no stored result, per sheet title: {(row, col) 0-based: formula}.

    A workbook written by a program and never opened in Excel keeps formulas without results;
    openpyxl then reads them as empty. Read as text instead, so a figure is refused, not lost.
    """
    from xml.etree import ElementTree

    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    found = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        try:
            xml = archive.read(path)
        except KeyError:
            continue
        if b"<f" not in xml:
            continue
        cells = {}
        for _, element in ElementTree.iterparse(io.BytesIO(xml)):
            if element.tag == f"{_MAIN}c":
                formula, value = element.find(f"{_MAIN}f"), element.find(f"{_MAIN}v")
                if formula is not None and (value is None or value.text in (None, "")):
                    ref = _CELL_REF.match(element.get("r", ""))
                    if ref:
                        col = 0
                        for ch in ref.group(1):
                            col = col * 26 + ord(ch) - 64
                        cells[(int(ref.group(2)) - 1, col - 1)] = "=" + (formula.text or "")
                element.clear()
        if cells:
            found[sheet.get("name")] = cells
    return found


def _read_xlsx(data: bytes, name: str) -> tuple[list[Grid], list[tuple[str, str]]]:
    import zipfile

    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(i.file_size for i in archive.infolist()) > MAX_UNCOMPRESSED:
            raise FileRefused(f"{name}：解压后超过 {MAX_UNCOMPRESSED // 1024 // 1024} MB，疑似异常文件，已拒绝")
        uncalculated = _uncalculated(archive)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception:
        raise FileRefused(f"{name}：{DAMAGED}") from None
    grids, skipped = [], []
    for sheet in book.worksheets:
        if sheet.sheet_state != "visible":
            skipped.append((sheet.title, "隐藏工作表" if sheet.sheet_state == "hidden" else "深度隐藏的工作表"))
            continue
        cells = [[_openpyxl_value(c) for c in row] for row in sheet.iter_rows()]
        for (r, c), formula in uncalculated.get(sheet.title, {}).items():
            cells[r][c] = Uncalculated(formula)
        merged = [(r.min_row - 1, r.min_col - 1, r.max_row - 1, r.max_col - 1) for r in sheet.merged_cells.ranges]
        hidden_rows = {r - 1 for r, d in sheet.row_dimensions.items() if d.hidden}
        hidden_columns = set()
        for letter, d in sheet.column_dimensions.items():
            if d.hidden:
                first, last = d.min or openpyxl.utils.column_index_from_string(letter), d.max
                hidden_columns.update(range(first - 1, (last or first)))
        grids.append(Grid(sheet.title, cells, merged, hidden_rows, hidden_columns))
    for sheet in book.chartsheets:
        skipped.append((sheet.title, "图表工作表"))
    return grids, skipped


def _calamine_value(value):
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _read_calamine(data: bytes, name: str) -> tuple[list[Grid], list[tuple[str, str]]]:
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
        cells = [[_calamine_value(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
        grids.append(Grid(meta.name, cells, merged))
    return grids, skipped


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the most of the first 30 lines into the same number (>1) of fields."""
    lines = [line for line in text[:200_000].splitlines()[:30] if line.strip()]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        widths = [c for c in counts if c > 1]
        if not widths:
            continue
        modal = max(set(widths), key=widths.count)
        score = (widths.count(modal), modal)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_text(data: bytes, name: str) -> tuple[Grid, str]:
    try:
        text = decode_text(data)
    except UnicodeDecodeError:
        raise FileRefused(f"{name}：无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）") from None
    delimiter = sniff_delimiter(text)
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise FileRefused(f"{name}：CSV 格式错误（{exc}）") from None
    cells = [[v if v.strip() else None for v in row] for row in rows]
    return Grid(None, cells), delimiter


def read_workbook_grids(data: bytes, file_name: str) -> Workbook:
    """Sniff the bytes and read every visible sheet. Raises FileRefused."""
    from pathlib import Path

    name = Path(file_name).name
    found = sniff(data, name)
    notes = [found.note] if found.note else []
    if found.format == "text":
        grid, delimiter = _read_text(data, name)
        if delimiter != ",":
            notes.append(f"按{DELIMITER_NAMES[delimiter]}分隔读取")
        return Workbook(name, "text", [grid], [], notes)
    if found.format == "xlsx":
        grids, skipped = _read_xlsx(data, name)
    else:
        grids, skipped = _read_calamine(data, name)
    return Workbook(name, found.format, grids, skipped, notes)


def is_date(value) -> bool:
    return isinstance(value, (dt.date, dt.datetime, dt.time))
