"""Every CSV / XLSX the app or the CLI writes goes through here (one place to keep it safe).

Formula injection: a spreadsheet program treats a cell that starts with `=`, `+`, `-` or `@`
(and, in some versions, a tab or carriage return) as a formula, so a unit name like
`=HYPERLINK("http://…")` in an exported file would run when a colleague opens it. Every text
cell (and every column header) that starts with one of those characters is prefixed with a
single quote `'`, which makes it plain text. Numbers are never altered: numeric columns are
left alone, and so are strings that merely look like a number ("-12.5", "+3", "-1,234.50").
"""
from __future__ import annotations

import codecs
import io
import re

import pandas as pd

from perfdash.store import sql

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:\d[\d,]*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")
# Characters XLSX (XML 1.0) cannot hold; openpyxl refuses them. Shown as U+FFFD instead.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def neutralise(value):
    """One cell: a string that a spreadsheet would run as a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy with every text cell and column header neutralised; numeric columns untouched."""
    out = frame.copy()
    out.columns = [neutralise(c) for c in out.columns]
    for position in range(out.shape[1]):
        column = out.iloc[:, position]
        if pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(column.dtype):
            continue
        out.isetitem(position, column.map(neutralise, na_action="ignore"))
    return out


def to_csv_text(frame: pd.DataFrame) -> str:
    """Neutralised CSV text (no BOM): the CLI's `--format csv` output."""
    return safe_frame(frame).to_csv(index=False)


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, so Excel on a Chinese Windows opens it without garbling."""
    return to_csv_text(frame).encode("utf-8-sig")


def query_csv_bytes(db, name: str, shape, *, batch_rows: int = 50_000, **params) -> bytes:
    """The rows of queries/<name>.sql as CSV bytes (UTF-8 with BOM, neutralised as to_csv_bytes),
    streamed from DuckDB `batch_rows` at a time and turned into the file's columns by
    `shape(frame) -> frame` batch by batch: memory holds one batch and the CSV text, never a
    frame of every row (a national ranking is 500,000 units). For downloads built on a click."""
    cur = db.con.cursor()
    try:
        reader = cur.sql(sql.load(name), params=sql.bind(name, params)).to_arrow_reader(batch_rows)
        out = io.BytesIO()
        out.write(codecs.BOM_UTF8)
        header = True
        for batch in reader:
            if batch.num_rows:
                out.write(safe_frame(shape(batch.to_pandas())).to_csv(index=False, header=header).encode("utf-8"))
                header = False
        if header:                       # no rows: the header line alone
            out.write(safe_frame(shape(reader.schema.empty_table().to_pandas())).to_csv(index=False).encode("utf-8"))
        return out.getvalue()
    finally:
        cur.close()


def _xlsx_text(value):
    if isinstance(value, str) and _XML_ILLEGAL.search(value):
        return _XML_ILLEGAL.sub("\ufffd", value)
    return value


def safe_sheet_name(name: str) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\ ."""
    return re.sub(r"[\[\]:*?/\\]", "_", name)[:31] or "数据"


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "数据") -> bytes:
    safe = safe_frame(frame)
    for position in range(safe.shape[1]):
        column = safe.iloc[:, position]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            safe.isetitem(position, column.map(_xlsx_text, na_action="ignore"))
    safe.columns = [_xlsx_text(c) for c in safe.columns]
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=safe_sheet_name(sheet_name))
    return buffer.getvalue()


def safe_filename(text) -> str:
    """A file name that keeps Chinese and drops what Windows / macOS / Linux file systems reject."""
    return re.sub(r'[\\/:*?"<>|\s]+', "_", str(text)).strip("._")[:100] or "图表"
