"""Reading the records below a CSV file's header with pyarrow.csv, with the same outcome as
reading the file row by row (readers._rows_body) or, where that cannot be promised, not at all.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from perfdash.ingest.readers import MAX_HEADER_SEARCH_ROWS, _Body, _delimiter, _is_blank_row, decode_text


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
