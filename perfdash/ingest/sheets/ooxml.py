"""What an .xlsx says beyond its cell values, read from its XML (values come from calamine).

- number formats that change a number's meaning: a percentage (0.8756 shown as 87.56%) and
  zero padding (1234 shown as 001234 under 格式 000000);
- formulas with no stored result (a program wrote the file, Excel never calculated it) and
  error results (#DIV/0!, #REF!): calamine reads both as empty, which would lose a figure
  silently;
- rows and columns Excel hides.

Only styles.xml is parsed as a tree (it is small); a sheet's XML is scanned with regular
expressions, and only for what the styles and a first byte search say can be there.
"""
from __future__ import annotations

import html
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PERCENT_IDS = {9, 10}                       # built-in 0% and 0.00%
_ZEROS = re.compile(r"^0{2,}$")
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_ERROR_TYPE = re.compile(rb'\bt="e"')
_ROW_TAG = re.compile(rb"<row\b[^>]*>")
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_COL_TAG = re.compile(rb"<col\b[^>]*>")
_MIN_MAX = re.compile(rb'\bmin="(\d+)"[^>]*\bmax="(\d+)"|\bmax="(\d+)"[^>]*\bmin="(\d+)"')


@dataclass
class SheetExtras:
    percent: set[tuple[int, int]] = field(default_factory=set)         # 0-based (row, col)
    padded: dict[tuple[int, int], int] = field(default_factory=dict)   # → width of the zero format
    uncalculated: dict[tuple[int, int], str] = field(default_factory=dict)   # → "=formula"
    errors: dict[tuple[int, int], str] = field(default_factory=dict)   # → "#DIV/0!" (read as empty otherwise)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)


def _col_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _special_styles(archive: zipfile.ZipFile) -> tuple[set[int], dict[int, int]]:
    """Cell style indices whose number format is a percentage, and those that pad with zeros."""
    try:
        root = ElementTree.fromstring(archive.read("xl/styles.xml"))
    except (KeyError, ElementTree.ParseError):
        return set(), {}
    codes = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in root.iter(f"{_MAIN}numFmt")}
    percent, padded = set(), {}
    xfs = root.find(f"{_MAIN}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else []):
        fmt_id = int(xf.get("numFmtId", 0))
        code = re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", codes.get(fmt_id, ""))
        if fmt_id in _PERCENT_IDS or "%" in code:
            percent.add(index)
        elif _ZEROS.match(code):
            padded[index] = len(code)
    return percent, padded


def sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the XML part holding it."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    paths = {}
    for sheet in book.iter(f"{_MAIN}sheet"):
        target = targets.get(sheet.get(f"{_REL}id"), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


def read_extras(archive: zipfile.ZipFile) -> dict[str, SheetExtras]:
    percent_styles, padded_styles = _special_styles(archive)
    out = {}
    for name, path in sheet_paths(archive).items():
        try:
            xml = archive.read(path)
        except KeyError:
            continue
        extras = SheetExtras()
        for tag in _ROW_TAG.findall(xml) if b"hidden=" in xml else ():
            if _HIDDEN.search(tag) and (number := _ROW_NUMBER.search(tag)):
                extras.hidden_rows.add(int(number.group(1)) - 1)
        for tag in _COL_TAG.findall(xml) if b"hidden=" in xml else ():
            if _HIDDEN.search(tag) and (span := _MIN_MAX.search(tag)):
                low, high = (span.group(1), span.group(2)) if span.group(1) else (span.group(4), span.group(3))
                extras.hidden_columns.update(range(int(low) - 1, int(high)))
        has_errors = b't="e"' in xml
        if percent_styles or padded_styles or has_errors or b"<f" in xml:
            for cell in _CELL.finditer(xml):
                attrs, inner = cell.group(1), cell.group(2) or b""
                style = _STYLE.search(attrs)
                style = int(style.group(1)) if style else 0
                formula = _FORMULA.search(inner) if b"<f" in inner else None
                error = has_errors and _ERROR_TYPE.search(attrs)
                if style not in percent_styles and style not in padded_styles and formula is None and not error:
                    continue
                ref = _REF.search(attrs)
                if not ref:
                    continue
                where = (int(ref.group(2)) - 1, _col_index(ref.group(1)))
                value = _VALUE.search(inner)
                if error:
                    extras.errors[where] = html.unescape(value.group(1).decode("utf-8", "replace")) if value else "#错误"
                elif formula is not None and (value is None or not value.group(1)):
                    text = html.unescape((formula.group(1) or b"").decode("utf-8", "replace"))
                    extras.uncalculated[where] = "=" + text
                elif style in percent_styles:
                    extras.percent.add(where)
                elif style in padded_styles:
                    extras.padded[where] = padded_styles[style]
        out[name] = extras
    return out
