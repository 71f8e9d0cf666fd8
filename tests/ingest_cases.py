"""Shared helpers for the importer tests: files built in code, table dumps, the CLI.

Every file the importer tests feed it is made here from plain Python data, so a test shows
exactly which bytes went in.
"""
from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import openpyxl

from perfdash import ingest
from perfdash.derive import open_current

REPO = Path(__file__).resolve().parent.parent

# -- the reference budget file -----------------------------------------------------------

BUDGET_HEADER = ["年度", "单位编码", "单位名称", "地区", "层级", "年初预算数", "调整后预算数",
                 "实际支出数", "结转结余", "三公经费预算数", "三公经费实际数", "自评得分", "评价等级"]
BUDGET_IDS = ["year", "unit_code", "unit_name", "region", "level", "initial_budget", "adjusted_budget",
              "actual_spend", "carryover", "sangong_budget", "sangong_actual", "self_score", "grade"]
AMOUNT_HEADERS = ["年初预算数", "调整后预算数", "实际支出数", "结转结余", "三公经费预算数", "三公经费实际数"]

# 万元 as written in the report; "" = not given.
BUDGET_ROWS = [
    ["2023", "101001", "郑州市财政局", "河南省郑州市", "市级", "2698.8", "2942.044848", "2575.12",
     "366.92", "12.5", "11.3", "96.5", "优"],
    ["2023", "101002", "郑州市教育局", "河南省郑州市", "市级", "15320", "16001.5", "14200.75",
     "", "30", "28", "88", "良"],
    ["2023", "", "新郑市卫生健康委员会", "河南省新郑市", "县级", "820.4", "", "790",
     "30.4", "", "", "91", "优"],
    ["2023", "101004", "河南省水利厅", "河南省", "省级", "50000", "52000", "40000",
     "12000", "80", "85", "75.5", "中"],
    ["2023", "101005", "郑州市统计局", "河南省郑州市", "市级", "300.25", "310", "150",
     "160", "5", "2", "", ""],
]
GRADE_LONG = {"优": "优秀", "良": "良好", "中": "中等", "差": "较差"}


def csv_text(header, rows, *, delimiter=",", before=(), quoting=csv.QUOTE_MINIMAL) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n", quoting=quoting)
    for row in before:
        writer.writerow(row)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_bytes(header, rows, *, encoding="utf-8", delimiter=",", before=(), newline="\n",
              quoting=csv.QUOTE_MINIMAL) -> bytes:
    text = csv_text(header, rows, delimiter=delimiter, before=before, quoting=quoting)
    return text.replace("\n", newline).encode(encoding)


def budget_csv(rows=None, header=None, **kw) -> bytes:
    return csv_bytes(header or BUDGET_HEADER, BUDGET_ROWS if rows is None else rows, **kw)


def xlsx_bytes(header, rows, *, before=(), sheet_title="Sheet1", extra_sheet_first=False) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    for row in before:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet_dimension(data: bytes, ref: str) -> bytes:
    """The XLSX with its first sheet's recorded <dimension> replaced, as some exporters write it."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                content, count = re.subn(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), content)
                assert count == 1
            target.writestr(info, content)
    return buffer.getvalue()


def as_xlsx_cells(rows):
    """The reference rows as Excel cells: numbers as numbers (int where whole), blanks as None."""
    out = []
    for row in rows:
        cells = []
        for header, value in zip(BUDGET_HEADER, row):
            if value == "":
                cells.append(None)
            elif header in AMOUNT_HEADERS or header in ("年度", "自评得分"):
                number = Decimal(value)
                cells.append(int(number) if number == number.to_integral_value() else float(number))
            else:
                cells.append(value)
        out.append(cells)
    return out


def in_yuan(value: str) -> str:
    """A 万元 figure as 元 with thousands separators: "2698.8" → "26,988,000.00"."""
    if value == "":
        return ""
    return f"{Decimal(value) * 10000:,.2f}"


SCORES_HEADER = ["年度", "单位编码", "单位名称", "一级指标", "分值", "得分"]
SCORES_ROWS = [
    ["2023", "101001", "郑州市财政局", "预算执行", "10", "9.5"],
    ["2023", "101001", "郑州市财政局", "投入管理", "30", "28"],
    ["2023", "101001", "郑州市财政局", "产出", "25", "24"],
    ["2023", "101001", "郑州市财政局", "效益", "35", "35"],
]
PROJECTS_HEADER = ["年度", "单位编码", "单位名称", "项目名称", "项目类别", "预算数", "实际支出数"]
PROJECTS_ROWS = [
    ["2023", "101001", "郑州市财政局", "财政信息化建设", "信息化", "500", "480.5"],
    ["2023", "101001", "郑州市财政局", "预算绩效评价", "业务", "120", "60"],
    ["2023", "101002", "郑州市教育局", "校舍维修", "基建", "3000", "0"],
]


# -- databases ---------------------------------------------------------------------------


def dump(db) -> dict[str, list[tuple]]:
    """Every table's full content, rows sorted by all columns (NULLs first)."""
    cur = db.con.cursor()
    try:
        names = [r[0] for r in cur.execute(
            "SELECT table_name FROM duckdb_tables() ORDER BY table_name").fetchall()]
        tables = {}
        for name in names:
            columns = [r[0] for r in cur.execute(f'DESCRIBE "{name}"').fetchall()]
            order = ", ".join(f'"{c}" NULLS FIRST' for c in columns)
            tables[name] = cur.execute(f'SELECT * FROM "{name}" ORDER BY {order}').fetchall()
        return tables
    finally:
        cur.close()


def budget_rows(db) -> list[tuple]:
    """The stored budget figures without the batch id, sorted."""
    cur = db.con.cursor()
    try:
        return cur.execute(
            "SELECT * EXCLUDE (batch_id) FROM budget ORDER BY ALL NULLS FIRST").fetchall()
    finally:
        cur.close()


def preloaded_database(path: Path):
    """A database holding figures of every kind, a replaced row and a rolled-back batch,
    so that "nothing changed" compares something non-trivial."""
    db = open_current(path)
    last_year = [["2022", *row[1:]] for row in BUDGET_ROWS]
    ingest.import_files(db, [("2022.csv", budget_csv(last_year))], imported_by="t")
    corrected = [row[:] for row in last_year]
    corrected[0][7] = "2600"
    ingest.import_files(db, [("2022更正.csv", budget_csv(corrected)),
                             ("得分.csv", csv_bytes(SCORES_HEADER, SCORES_ROWS)),
                             ("项目.csv", csv_bytes(PROJECTS_HEADER, PROJECTS_ROWS))], imported_by="t")
    extra = [["2021", "109999", "临时单位", "", "", "1", "", "1", "", "", "", "", ""]]
    [result] = ingest.import_files(db, [("临时.csv", budget_csv(extra))], imported_by="t")
    ingest.rollback(db, result.batch_id)
    return db


# -- the command line --------------------------------------------------------------------


def run_cli(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONIOENCODING="utf-8")
    env.pop("PERFDASH_DB", None)
    return subprocess.run([sys.executable, "-m", "perfdash", *map(str, args)], cwd=REPO, env=env,
                          capture_output=True, text=True, encoding="utf-8", timeout=300)
