"""Reading workbooks and CSV files the way a person reads them (issue #12).

    result = read_tables(data, file_name)       # never raises for what the file holds
    if result.refused:                           # every problem: file, sheet, Excel row, column
        raise refuse(result.problems)            # → errors.ImportRefused
    for table in result.tables:                  # one per sheet with a table (one per year …)
        table.kind       # budget | scores | projects
        table.columns    # ColumnInfo: raw header, column id, unit and why that unit
        table.rows       # (Excel row, [text per column]); amounts already in 万元
        table.notes      # what was skipped, assumed or converted, in Chinese: show them

Modules: sniff (what the bytes are) → grid (cells per visible sheet; ooxml adds what calamine
does not say) → layout (header band, columns, row kinds; context: 单位 lines, title years)
→ reader (values through values.py, problems). headers.py holds the alias table.

No database, no Streamlit: the importer validates and stores what this returns. Its labels
(ColumnInfo.label) carry no unit, so the importer's own （元） conversion never applies twice.
"""
from perfdash.ingest.sheets.layout import ColumnInfo
from perfdash.ingest.sheets.problems import SheetProblem, refuse
from perfdash.ingest.sheets.reader import SheetsResult, Table, read_grid, read_tables
from perfdash.ingest.sheets.sniff import FileRefused, Sniffed, sniff

__all__ = ["ColumnInfo", "FileRefused", "SheetProblem", "SheetsResult", "Sniffed", "Table",
           "read_grid", "read_tables", "refuse", "sniff"]
