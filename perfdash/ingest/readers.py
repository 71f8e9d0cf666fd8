"""Bytes into rows of text: decoding (BOM, UTF-8, GB18030), CSV and XLSX files, the size
limits, finding the header row among the first rows, and the row-by-row reading of the
records below it. (The faster Arrow reading of CSV bodies is in arrow_csv.)
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from perfdash.ingest.columns import detect_kind, match_header

MAX_HEADER_SEARCH_ROWS = 10
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024


@dataclass
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_xlsx_uncompressed: int = DEFAULT_MAX_XLSX_UNCOMPRESSED


# -- reading bytes into rows -------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """BOM → strict UTF-8 → GB18030 (a superset of GBK), as Chinese Excel files need."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _delimiter(text: str) -> str:
    """Tab or comma, whichever the first lines (a title row may come first) have more of."""
    head = text[:200_000].splitlines()[:MAX_HEADER_SEARCH_ROWS]
    tabs, commas = sum(line.count("\t") for line in head), sum(line.count(",") for line in head)
    return "\t" if tabs > commas else ","


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes, limits: Limits) -> list[list[str]]:
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        uncompressed = sum(info.file_size for info in archive.infolist())
    if uncompressed > limits.max_xlsx_uncompressed:
        raise ValueError(
            f"XLSX 解压后 {uncompressed / 1024 / 1024:.0f} MB，超过上限 "
            f"{limits.max_xlsx_uncompressed / 1024 / 1024:.0f} MB，疑似异常文件，已拒绝"
        )
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        # Read-only mode trusts the <dimension> the writing program recorded; some (WPS, report
        # exporters) write A1 or nothing, and the sheet would read as one column. Read all cells.
        sheet.reset_dimensions()
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
            if len(rows) > limits.max_rows + MAX_HEADER_SEARCH_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_rows(data: bytes, file_name: str, limits: Limits) -> list[list[str]]:
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xls":
        raise ValueError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    if data.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        try:
            return _xlsx_rows(data, limits)
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            raise ValueError(f"无法读取 XLSX 文件（{type(exc).__name__}），文件可能已损坏") from exc
    try:
        return _csv_rows(data)
    except UnicodeDecodeError as exc:
        raise ValueError("无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）") from exc
    except csv.Error as exc:
        raise ValueError(f"CSV 格式错误：{exc}") from exc


def _is_xlsx_or_xls(data: bytes, file_name: str) -> bool:
    """What read_rows reads as a workbook (or refuses as an old .xls) rather than as CSV."""
    return (data.startswith(b"PK\x03\x04")
            or Path(file_name).suffix.lower() in (".xls", ".xlsx", ".xlsm"))


def read_files(paths) -> list[tuple[str, bytes]]:
    return [(Path(p).name, Path(p).read_bytes()) for p in paths]


# -- the header row and the records below it ---------------------------------------------


def _find_header(rows: list[list[str]]) -> tuple[int | None, str | None]:
    """The header is the row among the first ten that names the most known columns (a title
    block above it may hold a lone 「单位名称」 cell, e.g. 单位名称 | 郑州市财政局)."""
    header_at, kind, best = None, None, 0
    for i, row in enumerate(rows[:MAX_HEADER_SEARCH_ROWS]):
        row_kind = detect_kind(row)
        if row_kind:
            known = len({c.id for h in row if (c := match_header(row_kind, h)[0]) is not None})
            if known > best:
                header_at, kind, best = i, row_kind, known
    return header_at, kind


@contextlib.contextmanager
def _gc_paused():
    """Building millions of small lists and strings sets off the cyclic GC over and over
    (seconds on a 200,000-row file); none of them form cycles, so pause it meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _is_blank_row(row) -> bool:
    return not "".join(row).strip()


@dataclass
class _Body:
    """The records below the header that are not blank."""
    columns: dict[int, pa.Array | pa.ChunkedArray]   # large_string, by position in the header
    lines: np.ndarray                                # each record's row as Excel numbers it
    too_long: list[tuple[int, int]]                  # (row, values beyond the header's last column)


def _rows_body(rows: list[list[str]], header_at: int, width: int, positions) -> _Body:
    body = rows[header_at + 1:]
    with _gc_paused():
        keep = [i for i, r in enumerate(body) if not _is_blank_row(r)]
    lines = np.asarray(keep, dtype="int64") + header_at + 2
    kept = [body[i] for i in keep]
    lengths = np.fromiter(map(len, kept), dtype="int64", count=len(kept))
    too_long = []
    if (lengths != width).any():
        for j in np.flatnonzero(lengths > width):
            extra = [c for c in kept[j][width:] if c.strip()]
            if extra:
                too_long.append((int(lines[j]), len(extra)))
        kept = [r[:width] if len(r) >= width else r + [""] * (width - len(r)) for r in kept]
    with _gc_paused():
        by_position = list(zip(*kept)) if kept else [()] * width
        columns = {pos: pa.array(by_position[pos], type=pa.large_string()) for pos in positions}
    return _Body(columns, lines, too_long)
