"""Reading, validating and importing the CSV / XLSX files staff upload.

Three kinds of file (budget figures, first-level scores, projects), recognised from their
headers. A file is parsed and validated as a whole, vectorised with pandas; every problem
is reported with the file name, the row as Excel numbers it (header = row 1) and the
column header as written in the file. Nothing is written unless every file of the command
is valid, and then all of them are written in one transaction.

    columns    the kinds of file, their columns, accepted headers and values
    readers    bytes → rows (CSV, XLSX), size limits, the header row
    arrow_csv  the records below a CSV header read with pyarrow.csv
    validate   one table parsed and checked as a whole → ParsedFile or ImportRefused
    parse      one file: the fast CSV path for plain CSVs, the spreadsheet reader (sheets/) for the rest
    batches    preview, import (one transaction, one batch per changed file), rollback
    session    the upload page's check → preview → confirm and rollback steps, without a browser

The names below are the package's public API; import from the submodule where that reads better.
"""
from __future__ import annotations

from perfdash.errors import (
    ImportRefused, Problem, RollbackRefused, ScaleQuestion, ScaleUnconfirmed, UnitChangesUnconfirmed, UnitQuestion,
)
from perfdash.ingest.batches import BatchResult, import_files, import_parsed, preview, rollback
from perfdash.ingest.columns import (
    COLUMNS, GRADE_ALIASES, KEY_COLUMNS, KIND_LABEL, LEVEL_ALIASES, MISSING_TOKENS, TOTAL_ROW_LABELS,
    Column, detect_kind, match_header, normalise_header,
)
from perfdash.ingest.readers import MAX_HEADER_SEARCH_ROWS, Limits, decode_text, read_files, read_rows
from perfdash.ingest.parse import parse_all, parse_file
from perfdash.ingest.validate import ParsedFile

__all__ = [
    "BatchResult", "COLUMNS", "Column", "GRADE_ALIASES", "ImportRefused", "KEY_COLUMNS", "KIND_LABEL",
    "LEVEL_ALIASES", "Limits", "MAX_HEADER_SEARCH_ROWS", "MISSING_TOKENS", "ParsedFile", "Problem",
    "RollbackRefused", "TOTAL_ROW_LABELS", "decode_text", "detect_kind", "import_files", "import_parsed",
    "match_header", "normalise_header", "parse_all", "parse_file", "preview", "read_files", "read_rows",
    "rollback", "ScaleQuestion", "ScaleUnconfirmed", "UnitChangesUnconfirmed", "UnitQuestion",
]
