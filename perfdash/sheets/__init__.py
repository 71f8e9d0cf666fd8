"""Reading workbooks and CSV files the way a person reads them (issue #12).

    result = read_tables(data, file_name)      # never raises for what the file holds
    if result.refused:                          # every problem: file, sheet, Excel row, column
        raise refuse(result.problems)
    for table in result.tables:                 # one per sheet with a table (one per year …)
        table.columns   # ColumnInfo: raw header, column id, unit and why
        table.rows      # (Excel row, [text per column]); amounts already in 万元

No database, no Streamlit: the importer validates and stores what this returns.
"""
from perfdash.sheets.layout import ColumnInfo
from perfdash.sheets.problems import SheetProblem, refuse
from perfdash.sheets.reader import SheetsResult, Table, read_grid, read_tables
from perfdash.sheets.sniff import FileRefused, Sniffed, sniff

__all__ = ["ColumnInfo", "FileRefused", "SheetProblem", "SheetsResult", "Sniffed", "Table",
           "read_grid", "read_tables", "refuse", "sniff"]
