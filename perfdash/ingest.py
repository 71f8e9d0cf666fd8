"""Reading, validating and importing the CSV / XLSX files staff upload.

Three kinds of file (budget figures, first-level scores, projects), recognised from their
headers. A file is parsed and validated as a whole, vectorised with pandas; every problem
is reported with the file name, the row as Excel numbers it (header = row 1) and the
column header as written in the file. Nothing is written unless every file of the command
is valid, and then all of them are written in one transaction.
"""
from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from perfdash.derive import rates
from perfdash.store.connection import Database, run, run_script
from perfdash.errors import ImportRefused, Problem, RollbackRefused

# -- what the files may contain ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    id: str
    label: str                 # canonical Chinese header, used in templates and messages
    aliases: tuple[str, ...]   # other accepted headers (normalised form)
    type: str                  # int | text | amount | score | grade | level
    required: bool = False


def _col(id, label, type, *aliases, required=False):
    return Column(id, label, tuple(aliases), type, required)


YEAR = _col("year", "年度", "int", "年份", "年", required=True)
UNIT_CODE = _col("unit_code", "单位编码", "text", "单位代码", "预算单位编码", "单位编号")
UNIT_NAME = _col("unit_name", "单位名称", "text", "预算单位名称", "部门名称", "单位", required=True)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "budget": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("region", "地区", "text", "区域", "所属地区"),
        _col("level", "层级", "level", "级次", "单位层级"),
        _col("sector", "行业", "text", "行业类别", "领域", "所属行业"),
        _col("initial_budget", "年初预算数", "amount", "年初预算"),
        _col("adjusted_budget", "调整后预算数", "amount", "调整后预算数(全年预算数)", "全年预算数",
             "调整预算数", "全年预算"),
        _col("funds_received", "实际到位资金", "amount", "到位资金", "资金到位数"),
        _col("actual_spend", "实际支出数", "amount", "实际支出数(执行数)", "执行数", "实际支出",
             "预算执行数", required=True),
        _col("carryover", "结转结余", "amount", "结转结余数", "年末结转结余", "结转结余总额"),
        _col("prior_carryover", "上年结转结余", "amount", "上年结转结余数", "年初结转结余"),
        _col("sangong_budget", "三公经费预算数", "amount", "三公预算数"),
        _col("sangong_actual", "三公经费实际数", "amount", "三公经费支出数", "三公经费执行数", "三公实际数"),
        _col("procurement_budget", "政府采购预算数", "amount", "采购预算数"),
        _col("procurement_actual", "政府采购实际数", "amount", "政府采购执行数", "采购实际数"),
        _col("self_score", "自评得分", "score", "得分", "总得分", "综合得分"),
        _col("grade", "评价等级", "grade", "等级", "自评等级", "绩效等级"),
    ),
    "scores": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("dimension", "一级指标", "text", "指标", "评价维度", required=True),
        _col("max_score", "分值", "score", "满分", "指标分值", required=True),
        _col("score", "得分", "score", "实得分", "自评得分", required=True),
    ),
    "projects": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("project_name", "项目名称", "text", "项目", required=True),
        _col("category", "项目类别", "text", "类别", "项目类型"),
        _col("budget", "预算数", "amount", "项目预算数", "预算金额", required=True),
        _col("actual_spend", "实际支出数", "amount", "执行数", "实际支出", "支出数", required=True),
    ),
}

KIND_LABEL = {"budget": "预算执行数据", "scores": "一级指标得分", "projects": "项目支出数据"}
KEY_COLUMNS = {
    "budget": ["unit_key", "year"],
    "scores": ["unit_key", "year", "dimension"],
    "projects": ["unit_key", "year", "project_name"],
}
# Headers that tell the kinds apart; anything else with a unit name is a budget file.
KIND_MARKERS = {"scores": "dimension", "projects": "project_name"}

GRADE_ALIASES = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中",
                 "差": "差", "较差": "差"}
LEVEL_ALIASES = {"省级": "省级", "省": "省级", "市级": "市级", "市": "市级", "地市级": "市级",
                 "县级": "县级", "县": "县级", "区级": "县级", "县区级": "县级", "县(区)级": "县级",
                 "县(市、区)级": "县级"}
MISSING_TOKENS = {"", "-", "--", "—", "——", "–", "/", "无"}
TOTAL_ROW_LABELS = {"合计", "总计", "小计", "合计数", "总合计"}   # compared without spaces, after NFKC

MAX_HEADER_SEARCH_ROWS = 10
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024


# -- results and problems ----------------------------------------------------------------


@dataclass
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_xlsx_uncompressed: int = DEFAULT_MAX_XLSX_UNCOMPRESSED


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    kind: str
    frame: pd.DataFrame            # canonical columns, typed; source_row = Excel row number
    warnings: list[str] = field(default_factory=list)
    skipped_rows: int = 0
    columns: tuple[str, ...] = ()  # the column ids the file has; () = all of them

    @property
    def absent(self) -> list[str]:
        """Columns of this kind the file does not have: importing keeps their stored values."""
        if not self.columns:
            return []
        return [c.id for c in COLUMNS[self.kind] if c.id not in self.columns]


@dataclass
class BatchResult:
    batch_id: int | None           # None when the file changed nothing (no batch recorded)
    file_name: str
    kind: str
    inserted: int
    updated: int
    unchanged: int
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


# -- headers -----------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"^(.*?)\((万元|元)\)$")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")


def normalise_header(text) -> str:
    """NFKC (full-width brackets, digits, letters → half-width), no quotes or spaces, lower-case."""
    text = unicodedata.normalize("NFKC", str(text or "")).translate(_QUOTES)
    return re.sub(r"\s+", "", text).lower()


def _header_index(kind: str) -> dict[str, Column]:
    index = {}
    for column in COLUMNS[kind]:
        for name in (column.id, column.label, *column.aliases):
            index[normalise_header(name)] = column
    return index


HEADER_INDEX = {kind: _header_index(kind) for kind in COLUMNS}


def match_header(kind: str, raw: str) -> tuple[Column | None, float]:
    """The column a header names and the factor that converts its amounts to 万元."""
    norm = normalise_header(raw)
    index = HEADER_INDEX[kind]
    if norm in index:
        return index[norm], 1.0
    unit = _UNIT_SUFFIX.match(norm)
    if unit and unit.group(1) in index:
        return index[unit.group(1)], (0.0001 if unit.group(2) == "元" else 1.0)
    return None, 1.0


def detect_kind(headers: list[str]) -> str | None:
    for kind, marker in KIND_MARKERS.items():
        if any((c := match_header(kind, h)[0]) is not None and c.id == marker for h in headers):
            return kind
    if any((c := match_header("budget", h)[0]) is not None and c.id == "unit_name" for h in headers):
        return "budget"
    return None


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


# -- reading CSV bodies with Arrow -------------------------------------------------------
#
# csv.reader and per-row lists cost seconds on a province's projects file. When a CSV file's
# header is among its first records, the records below it are read by pyarrow.csv instead:
# every column as text, quotes as the csv module reads them (a quoted field may hold the
# delimiter, doubled quotes and line breaks), records numbered as the csv module numbers them
# (blank lines included), and records with more or fewer fields than the header handed back
# one by one and re-read with the csv module. Wherever the outcome could differ from reading
# the file row by row (which encoding, a field the csv module refuses as too long, a record
# Arrow cannot split), the file is read row by row instead.

_HEAD_BYTES = 1 << 20          # bytes of a UTF-8 file decoded in Python to find its header
_CSV_FIELD_LIMIT = 131_072     # csv.field_size_limit(): a longer field is a CSV error
_END_RECORD = "perfdash:end-of-body"   # see _CsvHead.body: no delimiter, quote or line break


class _ReadRowByRow(Exception):
    """The Arrow path cannot promise the row-by-row reader's result for this file."""


def _is_utf8(buffer: pa.Buffer) -> bool:
    """Whether bytes.decode("utf-8") would accept the buffer (Arrow's validator, no decoding)."""
    offsets = pa.py_buffer(np.array([0, buffer.size], dtype="int64"))
    try:
        pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, buffer]).validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


@dataclass
class _CsvHead:
    """The first records of a CSV file, read by the csv module, and where its body lies."""
    records: list[list[str]]      # up to MAX_HEADER_SEARCH_ROWS records
    ends: list[int]               # where each record ends in `text`
    text: str                     # the decoded file, or for UTF-8 its decoded beginning
    delimiter: str
    utf8: bytes | None = None     # the file itself when it is UTF-8: its body is read undecoded
    bom: int = 0

    def body(self, header_at: int) -> tuple[pa.Buffer, bool]:
        """The records after record `header_at` as UTF-8 bytes, and whether _END_RECORD follows them.

        A file may end inside an open quote: the csv module then keeps the line breaks at its
        end in the last field, Arrow drops them. When the body has quotes at all, a record
        appended after it shows whether the last record was closed (it is then a record of its
        own) or not (it became part of the open field).
        """
        start = self.ends[header_at]
        if self.utf8 is None:
            text = self.text[start:]
            if '"' not in text:
                return pa.py_buffer(text.encode("utf-8")), False
            ending = "" if text.endswith(("\n", "\r")) else "\n"
            return pa.py_buffer(f"{text}{ending}{_END_RECORD}\n".encode("utf-8")), True
        offset = self.bom + len(self.text[:start].encode("utf-8"))
        if self.utf8.find(b'"', offset) < 0:
            return pa.py_buffer(self.utf8).slice(offset), False
        ending = b"" if self.utf8.endswith((b"\n", b"\r")) else b"\n"
        body = memoryview(self.utf8)[offset:]
        return pa.py_buffer(b"".join([body, ending, _END_RECORD.encode(), b"\n"])), True


def _csv_head(data: bytes) -> _CsvHead | None:
    """The file's first records, decoded as decode_text decodes it; None where only reading
    the whole file row by row can tell what it holds (including why it cannot be read)."""
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    utf8 = (not data.startswith((b"\xff\xfe", b"\xfe\xff"))
            and _is_utf8(pa.py_buffer(data).slice(bom)))
    if utf8:
        end, whole = len(data), len(data) - bom <= _HEAD_BYTES
        if not whole:   # cut after a line break: never inside a character
            end = 1 + max(data.rfind(b"\n", bom, bom + _HEAD_BYTES), data.rfind(b"\r", bom, bom + _HEAD_BYTES))
            if end <= bom:
                return None
        text = data[bom:end].decode("utf-8")
        # The delimiter is chosen on the first 200,000 characters of the whole text.
        if not whole and len(text) < 200_000:
            return None
    else:
        if bom:
            return None
        try:
            text = decode_text(data)
        except UnicodeDecodeError:
            return None
        whole = True
    delimiter = _delimiter(text)
    consumed = 0

    def lines():
        nonlocal consumed
        for line in io.StringIO(text, newline=""):
            consumed += len(line)
            yield line

    records, ends = [], []
    try:
        for record in csv.reader(lines(), delimiter=delimiter):
            records.append(record)
            ends.append(consumed)
            if len(records) == MAX_HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        return None
    if not whole and (not ends or ends[-1] >= len(text)):   # the last one may go on past the cut
        return None
    return _CsvHead(records, ends, text, delimiter, data if utf8 else None, bom)


def _arrow_records(buffer: pa.Buffer, delimiter: str, width: int,
                   marked: bool) -> tuple[list[pa.ChunkedArray], dict[int, list[str]]]:
    """Every record in `buffer` as `width` text columns (short records padded with "", long ones
    cut), and the records that do not have `width` fields: {record index: all their fields}.
    `marked`: the buffer ends with _END_RECORD, which must come back as a record of its own."""
    if buffer.size == 0:
        return [pa.chunked_array([], pa.large_string()) for _ in range(width)], {}
    names = [f"c{i}" for i in range(width)]
    ragged = []

    def on_ragged(row):
        ragged.append((row.number, row.actual_columns, row.text))
        return "skip"

    try:
        table = pa_csv.read_csv(
            pa.BufferReader(buffer),
            # One thread: records are numbered only then, and the machine is shared anyway.
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                newlines_in_values=True, ignore_empty_lines=False, invalid_row_handler=on_ragged),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False, check_utf8=True))
        if marked:
            total = table.num_rows + len(ragged)
            if ragged and ragged[-1][0] == total and ragged[-1][2] == _END_RECORD:
                ragged.pop()
            elif (width == 1 and table.num_rows and table.column(0)[-1].as_py() == _END_RECORD
                    and not (ragged and ragged[-1][0] == total)):
                table = table.slice(0, table.num_rows - 1)
            else:   # the last record was left open at the end of the file
                raise _ReadRowByRow
        columns = [table.column(i) for i in range(width)]
        if any((pc.max(pc.binary_length(c)).as_py() or 0) > _CSV_FIELD_LIMIT for c in columns):
            raise _ReadRowByRow
        if not ragged:
            return columns, {}
        total = table.num_rows + len(ragged)
        numbers = [number for number, _, _ in ragged]
        if (None in numbers or numbers != sorted(set(numbers))
                or numbers[0] < 1 or numbers[-1] > total):
            raise _ReadRowByRow
        cells = {}
        for number, actual, text in ragged:
            try:
                [fields] = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            except (csv.Error, ValueError):
                raise _ReadRowByRow from None
            if len(fields) != actual:
                raise _ReadRowByRow
            cells[number - 1] = fields
        is_ragged = np.zeros(total, dtype=bool)
        is_ragged[np.asarray(numbers) - 1] = True
        order = np.empty(total, dtype="int64")
        order[~is_ragged] = np.arange(table.num_rows)
        order[is_ragged] = table.num_rows + np.arange(len(ragged))
        order = pa.array(order)
        merged = []
        for position, column in enumerate(columns):
            fixed = pa.array([c[position] if position < len(c) else "" for c in cells.values()],
                             type=pa.large_string())
            merged.append(pa.chunked_array([*column.chunks, fixed], type=pa.large_string()).take(order))
        return merged, cells
    except pa.ArrowException as exc:
        raise _ReadRowByRow from exc


def _blank_records(columns: list[pa.ChunkedArray], count: int) -> np.ndarray:
    """Records whose every cell is empty or whitespace (by str.isspace, which utf8_is_space follows)."""
    candidates = np.arange(count)
    for column in columns:
        if not len(candidates):
            break
        cells = column if len(candidates) == count else column.take(pa.array(candidates))
        blank = pc.or_(pc.equal(pc.binary_length(cells), 0), pc.utf8_is_space(cells))
        candidates = candidates[np.asarray(blank, dtype=bool)]
    mask = np.zeros(count, dtype=bool)
    mask[candidates] = True
    return mask


@dataclass
class _Body:
    """The records below the header that are not blank."""
    columns: dict[int, pa.Array | pa.ChunkedArray]   # large_string, by position in the header
    lines: np.ndarray                                # each record's row as Excel numbers it
    too_long: list[tuple[int, int]]                  # (row, values beyond the header's last column)


def _arrow_body(head: _CsvHead, header_at: int, width: int, positions) -> _Body:
    buffer, marked = head.body(header_at)
    columns, ragged = _arrow_records(buffer, head.delimiter, width, marked)
    count = len(columns[0])
    blank = _blank_records(columns, count)
    too_long = []
    for index, cells in ragged.items():
        blank[index] = _is_blank_row(cells)
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            too_long.append((index + header_at + 2, len(extra)))
    keep = np.flatnonzero(~blank)
    picked = {pos: columns[pos] for pos in positions}
    if len(keep) < count:
        picked = {pos: column.take(pa.array(keep)) for pos, column in picked.items()}
    return _Body(picked, keep + header_at + 2, too_long)


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


# -- validation --------------------------------------------------------------------------

# DECIMAL(18,6) holds 万元 amounts below 10^12; DECIMAL(6,2) scores below 10^4 (we allow 0–100).
MAX_AMOUNT_WANYUAN = 1e12
MAX_SCORE = 100.0


class _Checker:
    """Collects problems for one file; each check is a boolean mask over the rows."""

    def __init__(self, file_name: str, rows: pd.Series):
        self.file_name = file_name
        self.rows = rows  # Excel row numbers
        self.problems: list[Problem] = []

    def flag(self, mask: pd.Series, column: str, message_for) -> None:
        mask = pd.Series(mask, index=self.rows.index).fillna(False).astype(bool)
        if not mask.any():
            return
        for row, raw in zip(self.rows[mask], message_for(mask)):
            self.problems.append(Problem(self.file_name, int(row), column, raw))

    def whole_file(self, message: str, column: str | None = None, row: int | None = None) -> None:
        self.problems.append(Problem(self.file_name, row, column, message))


# The checks work on the Arrow strings behind the table's columns with pyarrow.compute, the
# functions pandas' .str methods call for them (pc.utf8_trim_whitespace for .str.strip(),
# pc.utf8_length for .str.len(), ...), without pandas' conversions in between; NFKC stays
# unicodedata.normalize (as .str.normalize does), applied once per distinct value.

_STRING = pa.large_string()
_MISSING_SET = pa.array(sorted(MISSING_TOKENS), _STRING)


def _strings(series: pd.Series) -> pa.ChunkedArray:
    """The Arrow strings behind a "string" Series (no copy)."""
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        return series.array.__arrow_array__()
    return pa.chunked_array([pa.array(series.astype("string"), type=_STRING, from_pandas=True)])


def _string_series(strings, index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(strings), index=index)


def _mask(values) -> np.ndarray:
    """An Arrow boolean (null = False) as a numpy mask."""
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _nfkc(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """NFKC (full-width digits, commas, spaces → half-width) only where a value is not ASCII."""
    non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(text)), False)
    if not pc.any(non_ascii).as_py():
        return text
    distinct = pc.unique(pc.filter(text, non_ascii))
    normalised = pa.array([unicodedata.normalize("NFKC", v) for v in distinct.to_pylist()], _STRING)
    return pc.if_else(non_ascii, pc.take(normalised, pc.index_in(text, value_set=distinct)), text)


def _clean_text(strings: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Stripped text; blank and the marks people use for "none" (-, —, －, /, 无) are missing."""
    cleaned = pc.utf8_trim_whitespace(strings)
    missing = ~_mask(pc.is_valid(cleaned)) | _mask(pc.equal(cleaned, ""))
    short = np.flatnonzero(_mask(pc.less_equal(pc.utf8_length(cleaned), 2)) & ~missing)
    if len(short):
        marks = _mask(pc.is_in(_nfkc(cleaned.take(pa.array(short))), value_set=_MISSING_SET))
        missing[short[marks]] = True
    if missing.any():
        cleaned = pc.if_else(pa.array(missing), pa.scalar(None, _STRING), cleaned)
    return _string_series(cleaned, index)


def _to_float(text: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Strings to float64 (NaN where missing or not a number); Arrow's parser when all parse."""
    try:
        values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(values, index=index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return pd.to_numeric(_string_series(text, index), errors="coerce").astype("float64")


def _numbers(strings: pa.ChunkedArray, index: pd.Index) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values, missing mask, invalid mask) for a column of numeric text."""
    try:
        # Where every cell is a plain number, as generated and most exported files are, the steps
        # below change nothing: Arrow's parser takes only ASCII with no spaces or commas, and none
        # of the missing marks.
        values = pd.Series(pc.cast(strings, pa.float64()).to_numpy(zero_copy_only=False), index=index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    else:
        missing = pd.Series(False, index=index)
        invalid = pd.Series(~np.isfinite(values.to_numpy()), index=index)
        return values.mask(invalid, np.nan), missing, invalid
    text = pc.utf8_trim_whitespace(_nfkc(strings))
    missing_np = ~_mask(pc.is_valid(text)) | _mask(pc.is_in(text, value_set=_MISSING_SET))
    for separator in (",", " "):   # thousands separators; most columns have none
        if pc.any(pc.match_substring(text, separator)).as_py():
            text = pc.replace_substring(text, separator, "")
    if missing_np.any():
        text = pc.if_else(pa.array(missing_np), pa.scalar(None, _STRING), text)
    values = _to_float(text, index)
    missing = pd.Series(missing_np, index=index)
    invalid = ~missing & (values.isna() | ~np.isfinite(values.fillna(0)))
    return values.mask(invalid | missing, np.nan), missing, invalid


def _validate(kind: str, table: pd.DataFrame, headers: dict[str, str], factors: dict[str, float],
              checker: _Checker) -> pd.DataFrame:
    """Typed canonical columns; every bad value is flagged on `checker`.

    Columns the file does not have are NULL; checks on them are skipped (their absence was
    already reported when required).
    """
    out = pd.DataFrame(index=table.index)
    this_year = dt.date.today().year
    for column in COLUMNS[kind]:
        shown = headers.get(column.id, column.label)
        if column.id not in table:
            dtype = {"amount": "float64", "score": "float64", "int": "Int64"}.get(column.type, "string")
            out[column.id] = pd.Series(None, index=table.index, dtype=dtype)
            continue
        raw = table[column.id]
        strings = _strings(raw)
        if column.type == "text":
            out[column.id] = _clean_text(strings, table.index)
        elif column.type == "int":
            values, missing, invalid = _numbers(strings, table.index)
            bad_year = ~missing & ~invalid & ((values % 1 != 0) | (values < 2000) | (values > this_year + 1))
            checker.flag(missing, shown, lambda m: ["年度为空"] * int(m.sum()))
            checker.flag(invalid | bad_year, shown,
                         lambda m: [f"年度应为 2000–{this_year + 1} 之间的整数，而不是「{v}」" for v in raw[m]])
            out[column.id] = values.mask(bad_year, np.nan).astype("Int64")
        elif column.type in ("amount", "score"):
            values, missing, invalid = _numbers(strings, table.index)
            checker.flag(invalid, shown, lambda m: [f"不是有效数字：「{v}」" for v in raw[m]])
            checker.flag(values < 0, shown, lambda m: [f"不能为负数：「{v}」" for v in raw[m]])
            if column.type == "amount":
                converted = (values * factors.get(column.id, 1.0)).round(6)
                too_big = converted >= MAX_AMOUNT_WANYUAN
                checker.flag(too_big, shown,
                             lambda m: [f"金额「{v}」过大（折合超过 1 万亿万元），请检查单位是否写错" for v in raw[m]])
                out[column.id] = converted.mask(too_big, np.nan)
            else:
                over = values > MAX_SCORE
                what = "自评得分" if column.id == "self_score" else column.label
                checker.flag(over, shown, lambda m: [f"{what}应在 0–100 之间，而不是「{v}」" for v in raw[m]])
                out[column.id] = values.mask(over, np.nan).round(2)
            if column.required and kind != "budget":
                checker.flag(missing, shown, lambda m: [f"{column.label}不能为空"] * int(m.sum()))
        elif column.type == "grade":
            text = _clean_text(strings, table.index)
            mapped = _canonical(text, GRADE_ALIASES)
            checker.flag(text.notna() & mapped.isna(), shown,
                         lambda m: [f"评价等级只能是 优/良/中/差（或 优秀/良好/中等/较差），而不是「{v}」"
                                    for v in text[m]])
            out[column.id] = mapped
        elif column.type == "level":
            text = _clean_text(strings, table.index)
            norm = _canonical(text, LEVEL_ALIASES)
            checker.flag(text.notna() & norm.isna(), shown,
                         lambda m: [f"层级只能是 省级/市级/县级（区级按县级），而不是「{v}」" for v in text[m]])
            out[column.id] = norm

    if "unit_name" in table:
        checker.flag(out["unit_name"].isna(), headers["unit_name"], lambda m: ["单位名称为空"] * int(m.sum()))
    if kind == "projects" and "project_name" in table:
        checker.flag(out["project_name"].isna(), headers["project_name"],
                     lambda m: ["项目名称为空"] * int(m.sum()))
    if kind == "scores":
        if "dimension" in table:
            checker.flag(out["dimension"].isna(), headers["dimension"], lambda m: ["一级指标为空"] * int(m.sum()))
        over = out["score"] > out["max_score"]
        checker.flag(over, headers.get("score", "得分"),
                     lambda m: [f"得分 {s:g} 超过该指标分值 {mx:g}"
                                for s, mx in zip(out["score"][m], out["max_score"][m])])
    out["unit_key"] = _unit_key(_strings(out["unit_code"]), _strings(out["unit_name"]), out.index)
    return out


def _unit_key(code: pa.ChunkedArray, name: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """"code:<unit code>", or "name:<unit name>" for a unit without a code."""
    def prefixed(prefix, strings):
        return pc.binary_join_element_wise(pa.scalar(prefix, _STRING), strings, pa.scalar("", _STRING))

    key = prefixed("code:", code)
    has_code = pc.is_valid(code)
    if not pc.all(has_code).as_py():
        key = pc.if_else(has_code, key, prefixed("name:", pc.fill_null(name, pa.scalar("", _STRING))))
    return _string_series(key, index)


def _check_duplicates(kind: str, out: pd.DataFrame, checker: _Checker, headers: dict[str, str]) -> None:
    keys = KEY_COLUMNS[kind]
    usable = out["unit_name"].notna() & out[keys].notna().all(axis=1)
    dup = out.duplicated(keys, keep=False) & usable
    if not dup.any():
        return
    first_row = out[dup].groupby(keys)["source_row"].transform("min").reindex(out.index)
    later = dup & out["source_row"].ne(first_row)
    what = {"budget": "同一单位同一年度", "scores": "同一单位、年度和一级指标",
            "projects": "同一单位、年度和项目名称"}[kind]
    column = headers.get("unit_name", "单位名称")
    checker.flag(later, column,
                 lambda m: [f"与第 {int(r)} 行重复（{what}只能有一行）" for r in first_row[m]])


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


def _total_rows(table: pd.DataFrame) -> pd.Series:
    """Rows whose label (year, code, unit, project or dimension cell) says 合计 / 总计 / 小计."""
    found = np.zeros(len(table), dtype=bool)
    for cid in ("year", "unit_code", "unit_name", "project_name", "dimension"):
        if cid in table:
            cells = _strings(table[cid])
            distinct = pc.unique(cells)   # names and codes repeat: look at each value once
            candidate = pc.and_(pc.match_substring(distinct, "计"), pc.less_equal(pc.utf8_length(distinct), 12))
            candidates = pc.filter(distinct, pc.fill_null(candidate, False)).to_pylist()
            totals = [v for v in candidates
                      if re.sub(r"\s+", "", unicodedata.normalize("NFKC", v)) in TOTAL_ROW_LABELS]
            if totals:
                found |= _mask(pc.is_in(cells, value_set=pa.array(totals, _STRING)))
    return pd.Series(found, index=table.index)


def _canonical(text: pd.Series, aliases: dict[str, str]) -> pd.Series:
    """Map cleaned text through `aliases`; values not found as written are retried after NFKC."""
    strings = _strings(text)
    names, canonical = pa.array(list(aliases), _STRING), pa.array(list(aliases.values()), _STRING)
    mapped = pc.take(canonical, pc.index_in(strings, value_set=names))
    retry = pc.and_(pc.is_valid(strings), pc.is_null(mapped))
    if pc.any(retry).as_py():
        mapped = pc.if_else(retry, pc.take(canonical, pc.index_in(_nfkc(strings), value_set=names)), mapped)
    return _string_series(mapped, text.index)


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
    if not _is_xlsx_or_xls(data, name):
        head = _csv_head(data)
        if head is not None:
            header_at, kind = _find_header(head.records)
            if kind is not None:
                try:
                    return _parse_table(
                        data, name, limits, kind, head.records[header_at], header_at,
                        lambda width, positions: _arrow_body(head, header_at, width, positions))
                except _ReadRowByRow:
                    pass
            del head
    try:
        with _gc_paused():
            rows = read_rows(data, name, limits)
    except ValueError as exc:
        raise ImportRefused([Problem(name, None, None, str(exc))]) from None
    except Exception as exc:  # a damaged file must be refused, never crash the import
        raise ImportRefused([Problem(name, None, None,
                                     f"无法读取文件（{type(exc).__name__}），文件可能已损坏")]) from None
    if all(_is_blank_row(r) for r in rows):
        raise ImportRefused([Problem(name, None, None, "文件为空")])
    header_at, kind = _find_header(rows)
    if kind is None:
        raise ImportRefused([Problem(name, None, None,
                                     f"找不到表头：前 {MAX_HEADER_SEARCH_ROWS} 行中没有「单位名称」等列名，"
                                     "无法识别文件类型。请使用数据导入页提供的模板")])
    return _parse_table(data, name, limits, kind, rows[header_at], header_at,
                        lambda width, positions: _rows_body(rows, header_at, width, positions))


def _parse_table(data: bytes, name: str, limits: Limits, kind: str, header_row: list[str],
                 header_at: int, read_body) -> ParsedFile:
    """Map the header, read the records below it (read_body(width, positions) → _Body), validate."""
    header_line = header_at + 1          # as Excel numbers it
    checker = _Checker(name, pd.Series(dtype="int64"))
    headers: dict[str, str] = {}
    factors: dict[str, float] = {}
    positions: dict[str, int] = {}
    warnings: list[str] = []
    for position, raw in enumerate(header_row):
        shown = str(raw).strip()
        if not shown:
            continue
        column, factor = match_header(kind, raw)
        if column is None:
            warnings.append(f"已忽略无法识别的列「{shown}」")
        elif column.id in positions:
            checker.whole_file(f"列「{shown}」与「{headers[column.id]}」重复", shown, header_line)
        else:
            headers[column.id] = shown
            factors[column.id] = factor
            positions[column.id] = position
    for column in COLUMNS[kind]:
        if column.required and column.id not in positions:
            checker.whole_file(f"缺少必填列「{column.label}」", column.label, header_line)
    if kind == "budget" and "initial_budget" not in positions and "adjusted_budget" not in positions:
        checker.whole_file("缺少预算数列：至少需要「年初预算数」或「调整后预算数」之一", "年初预算数", header_line)

    body = read_body(len(header_row), sorted(set(positions.values())))
    if not len(body.lines):
        checker.whole_file("只有表头，没有数据行", None, header_line)
        raise ImportRefused(checker.problems)
    if len(body.lines) > limits.max_rows:
        raise ImportRefused([Problem(name, None, None,
                                     f"数据 {len(body.lines):,} 行，超过单个文件上限 {limits.max_rows:,} 行，请拆分后导入")])
    for row, extra in body.too_long:
        checker.problems.append(Problem(name, row, None, f"该行比表头多出 {extra} 个值，请检查是否有多余的逗号"))
    table = pd.DataFrame({cid: pd.arrays.ArrowStringArray(body.columns[pos]) for cid, pos in positions.items()},
                         index=pd.RangeIndex(len(body.lines)))
    source_rows = pd.Series(body.lines, index=table.index)
    del body

    total_rows = _total_rows(table)
    if total_rows.any():
        warnings.append(f"已跳过合计行：第 {', '.join(str(r) for r in source_rows[total_rows])} 行")
        table = table[~total_rows].reset_index(drop=True)
        source_rows = source_rows[~total_rows].reset_index(drop=True)
    checker.rows = source_rows

    out = _validate(kind, table, headers, factors, checker)
    out["source_row"] = source_rows.values
    if all(c in positions for c in ("year", "unit_name")):
        _check_duplicates(kind, out, checker, headers)
    if checker.problems:
        checker.problems.sort(key=lambda p: (p.row or 0))
        raise ImportRefused(checker.problems)
    sha = hashlib.sha256(data).hexdigest()
    return ParsedFile(name, sha, kind, out, warnings, int(total_rows.sum()), tuple(positions))


# -- writing -----------------------------------------------------------------------------

DIFF_QUERY = {kind: f"import/diff_{kind}" for kind in COLUMNS}
APPLY_QUERY = {kind: f"import/apply_{kind}" for kind in COLUMNS}


def _stage(cur, parsed: ParsedFile) -> tuple[int, int, int]:
    cur.register("incoming", parsed.frame)
    try:
        run(cur, DIFF_QUERY[parsed.kind], absent="," + "".join(f"{c}," for c in parsed.absent))
    finally:
        # After a failed statement the transaction is aborted and unregister raises too; the
        # first error is the one to see.
        with contextlib.suppress(duckdb.Error):
            cur.unregister("incoming")
    inserted, updated, unchanged = run(cur, "import/diff_counts").fetchall()[0]
    return int(inserted), int(updated), int(unchanged)


def preview(db: Database, parsed: ParsedFile) -> tuple[tuple[int, int, int], pd.DataFrame]:
    """What importing `parsed` would change: counts and the new / changed rows (nothing written)."""
    cur = db.con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        counts = _stage(cur, parsed)
        changes = run(cur, "import/diff_rows").df()
        cur.execute("ROLLBACK")
        return counts, changes
    finally:
        cur.close()


def read_files(paths) -> list[tuple[str, bytes]]:
    return [(Path(p).name, Path(p).read_bytes()) for p in paths]


def parse_all(files: list[tuple[str, bytes]], limits: Limits | None = None) -> list[ParsedFile]:
    """Parse every file; raises one ImportRefused with the problems of all of them."""
    parsed, problems = [], []
    for name, data in files:
        try:
            parsed.append(parse_file(data, name, limits))
        except ImportRefused as refused:
            problems.extend(refused.problems)
    if problems:
        raise ImportRefused(problems)
    return parsed


def import_parsed(db: Database, parsed: list[ParsedFile], *, imported_by: str | None = None,
                  is_demo: bool = False, now: dt.datetime | None = None) -> list[BatchResult]:
    """Write already-validated files in one transaction; each file that changes rows is a batch."""
    now = now or dt.datetime.now().replace(microsecond=0)
    results = []
    with db.transaction() as cur:
        for item in parsed:
            inserted, updated, unchanged = _stage(cur, item)
            batch_id = None
            if inserted or updated:
                batch_id = int(run(cur, "import/next_batch_id").fetchall()[0][0])
                run_script(cur, APPLY_QUERY[item.kind], batch_id=batch_id)
                run(cur, "import/insert_batch", batch_id=batch_id, file_name=item.file_name,
                    sha256=item.sha256, kind=item.kind, inserted=inserted, updated=updated,
                    unchanged=unchanged, imported_at=now, imported_by=imported_by, is_demo=is_demo)
            run(cur, "import/drop_diff")
            results.append(BatchResult(batch_id, item.file_name, item.kind, inserted, updated,
                                       unchanged, item.warnings))
        if any(r.changed for r in results):
            changed_years = {int(y) for item, r in zip(parsed, results) if r.changed
                             for y in item.frame["year"].dropna().unique()}
            rates.refresh(cur, db, rates.affected_years(changed_years))
            run(cur, "db/bump_data_version")
    return results


def import_files(db: Database, files: list[tuple[str, bytes]], *, imported_by: str | None = None,
                 is_demo: bool = False, limits: Limits | None = None) -> list[BatchResult]:
    """All-or-nothing import of several files (name, bytes)."""
    return import_parsed(db, parse_all(files, limits), imported_by=imported_by, is_demo=is_demo)


def rollback(db: Database, batch_id: int, *, now: dt.datetime | None = None) -> dict:
    """Undo one batch, restoring exactly the rows it replaced."""
    now = now or dt.datetime.now().replace(microsecond=0)
    with db.transaction() as cur:
        found = run(cur, "import/batch", batch_id=batch_id).df()
        if found.empty:
            raise RollbackRefused(f"没有编号为 {batch_id} 的导入批次")
        batch = found.iloc[0].to_dict()
        if batch["status"] != "active":
            raise RollbackRefused(f"批次 {batch_id}（{batch['file_name']}）已经回滚过")
        blockers = [r[0] for r in run(cur, "import/rollback_blockers", batch_id=batch_id).fetchall()]
        if blockers:
            listed = "、".join(str(b) for b in blockers)
            raise RollbackRefused(
                f"批次 {batch_id} 的部分数据已被之后的批次 {listed} 修改，请先回滚批次 {listed}")
        run_script(cur, "import/rollback", batch_id=batch_id, rolled_back_at=now)
        rates.refresh(cur, db)
        run(cur, "db/bump_data_version")
    return batch
