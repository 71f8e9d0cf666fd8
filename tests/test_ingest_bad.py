"""Files the importer must refuse: every problem named by file, Excel row and column, and
the database left exactly as it was (through the API and through `python -m perfdash import`)."""
from __future__ import annotations

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import pytest  # noqa: E402

from ingest_cases import (  # noqa: E402
    BUDGET_HEADER, BUDGET_ROWS, PROJECTS_HEADER, PROJECTS_ROWS, SCORES_HEADER, SCORES_ROWS,
    as_xlsx_cells, budget_csv, csv_bytes, dump, preloaded_database, run_cli, xlsx_bytes,
)
from perfdash import ingest  # noqa: E402
from perfdash.ingest import batches  # noqa: E402
from perfdash.derive import open_current  # noqa: E402

NEXT_YEAR = dt.date.today().year + 1
COL = {h: i for i, h in enumerate(BUDGET_HEADER)}


def budget_with(changes, rows=None, **kw) -> bytes:
    """The reference budget rows with cells replaced: {(row_index, header): value}."""
    rows = [r[:] for r in (BUDGET_ROWS if rows is None else rows)]
    for (i, header), value in changes.items():
        rows[i][COL[header]] = value
    return budget_csv(rows, **kw)


def without_column(header_name) -> bytes:
    keep = [i for i, h in enumerate(BUDGET_HEADER) if h != header_name]
    return csv_bytes([BUDGET_HEADER[i] for i in keep], [[r[i] for i in keep] for r in BUDGET_ROWS])


def broken_xlsx() -> bytes:
    good = xlsx_bytes(BUDGET_HEADER, as_xlsx_cells(BUDGET_ROWS))
    return good[: len(good) // 2]


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "这不是 Excel 文件")
    return buffer.getvalue()


# (case id, file name, bytes, Excel row or None, column header or None, words in the message)
# Data rows start at Excel row 2 (header = row 1); BUDGET_ROWS[i] is on row i + 2.
CASES = [
    ("missing_required_column", "缺列.csv", without_column("实际支出数"), 1, "实际支出数", "缺少必填列"),
    ("missing_budget_columns", "缺预算列.csv", csv_bytes(["年度", "单位名称", "实际支出数"], [["2023", "甲", "1"]]),
     1, "年初预算数", "至少需要"),
    ("non_numeric_amount", "非数字.csv", budget_with({(1, "年初预算数"): "一万五"}), 3, "年初预算数", "不是有效数字"),
    ("negative_amount", "负数.csv", budget_with({(2, "实际支出数"): "-790"}), 4, "实际支出数", "不能为负数"),
    ("year_too_early", "年度早.csv", budget_with({(0, "年度"): "1999"}), 2, "年度", "2000"),
    ("year_too_late", "年度晚.csv", budget_with({(4, "年度"): str(NEXT_YEAR + 1)}), 6, "年度", "2000"),
    ("year_not_integer", "年度小数.csv", budget_with({(3, "年度"): "2023.5"}), 5, "年度", "整数"),
    ("blank_unit_name", "无名.csv", budget_with({(3, "单位名称"): "  "}), 5, "单位名称", "单位名称为空"),
    ("duplicate_key", "重复.csv", budget_csv(BUDGET_ROWS + [BUDGET_ROWS[1]]), 7, "单位名称", "与第 3 行重复"),
    ("self_score_over_100", "得分超.csv", budget_with({(0, "自评得分"): "100.5"}), 2, "自评得分", "0–100"),
    ("grade_unknown", "等级.csv", budget_with({(2, "评价等级"): "优良"}), 4, "评价等级", "优/良/中/差"),
    ("amount_too_large", "金额过大.csv", budget_with({(1, "调整后预算数"): "1e13"}), 3, "调整后预算数", "过大"),
    # A column of plain numbers is parsed in one go; "inf" and "nan" parse but are no amounts.
    ("amount_inf", "无穷.csv", budget_with({(1, "实际支出数"): "inf"}), 3, "实际支出数", "不是有效数字：「inf」"),
    ("year_nan", "年度nan.csv", budget_with({(3, "年度"): "nan"}), 5, "年度", "而不是「nan」"),
    ("dimension_over_max", "指标超分.csv",
     csv_bytes(SCORES_HEADER, SCORES_ROWS[:2] + [SCORES_ROWS[2][:5] + ["26"]] + SCORES_ROWS[3:]),
     4, "得分", "超过该指标分值 25"),
    ("project_without_name", "项目无名.csv",
     csv_bytes(PROJECTS_HEADER, PROJECTS_ROWS[:1] + [PROJECTS_ROWS[1][:3] + [""] + PROJECTS_ROWS[1][4:]]),
     3, "项目名称", "项目名称为空"),
    ("empty_file", "空.csv", b"", None, None, "文件为空"),
    ("bom_only_file", "空BOM.csv", b"\xef\xbb\xbf\r\n\r\n", None, None, "文件为空"),
    ("header_only", "只有表头.csv", budget_csv([]), 1, None, "只有表头"),
    ("no_header", "无表头.csv", "这是一份说明\n没有表头\n".encode(), None, None, "找不到表头"),
    ("unreadable_encoding", "乱码.csv", bytes(range(128, 256)) * 8, None, None, "无法识别文件编码"),
    # The reason, where it is known: a damaged download, a zip that holds no workbook.
    ("truncated_xlsx", "损坏.xlsx", broken_xlsx(), None, None, "文件已损坏或不完整"),
    ("zip_not_xlsx", "不是表格.xlsx", zip_without_workbook(), None, None, "不是 Excel 工作簿"),
    # Row numbers follow what Excel shows, also below a title row, in GBK and in XLSX.
    ("row_below_title_gbk", "标题行.csv",
     budget_with({(1, "实际支出数"): "abc"}, before=[["2023年度部门整体支出绩效自评汇总表"], ["单位：万元"]],
                 encoding="gbk"),
     5, "实际支出数", "不是有效数字"),
    ("xlsx_row", "表格.xlsx",
     xlsx_bytes(BUDGET_HEADER, as_xlsx_cells(BUDGET_ROWS[:3]) + [[2023, "101009", None, "", "", 1, 1, 1]],
                before=[["2023年度汇总表"]]),
     6, "单位名称", "单位名称为空"),
    ("xlsx_row_after_blank_rows", "空行.xlsx",
     xlsx_bytes(BUDGET_HEADER, as_xlsx_cells(BUDGET_ROWS[:1]) + [[None] * 13, [None] * 13]
                + as_xlsx_cells(BUDGET_ROWS[1:2]) + [[2023, "101009", "某单位", "", "", "abc", 1, 1]],
                before=[["2023年度汇总表"], [], []]),
     9, "年初预算数", "不是有效数字"),
    ("duplicate_header", "重复列.csv",
     csv_bytes(BUDGET_HEADER + ["年初预算数（元）"], [r + ["1"] for r in BUDGET_ROWS]),
     1, "年初预算数（元）", "重复"),
    # Records, not lines: a value in quotes may hold line breaks, and Excel shows it as one row.
    ("row_after_multiline_value", "多行单元格.csv",
     budget_with({(1, "单位名称"): "郑州市\n教育局", (2, "年初预算数"): "abc"}), 4, "年初预算数", "不是有效数字"),
    ("extra_values", "多值.csv", budget_csv([r + [""] for r in BUDGET_ROWS[:3]] + [BUDGET_ROWS[3] + ["", "备注"]]
                                             + BUDGET_ROWS[4:]),
     5, None, "多出 1 个值"),
    ("extra_values_below_title_gbk", "多值标题.csv",
     budget_csv(BUDGET_ROWS[:1] + [BUDGET_ROWS[1] + ["x", "y"]] + BUDGET_ROWS[2:],
                before=[["2023年度部门整体支出绩效自评汇总表"], ["单位：万元"]], encoding="gbk"),
     5, None, "多出 2 个值"),
    ("field_too_long", "超长.csv", budget_with({(2, "单位名称"): "长" * 140_000}), None, None,
     "CSV 格式错误：field larger than field limit"),
]


@pytest.fixture(scope="module")
def template_db(tmp_path_factory):
    """A pre-loaded database file (closed), copied afresh for each test."""
    path = tmp_path_factory.mktemp("template") / "template.duckdb"
    db = preloaded_database(path)
    db.close()
    return path


@pytest.fixture
def db_path(template_db, tmp_path):
    path = tmp_path / "perfdash.duckdb"
    path.write_bytes(template_db.read_bytes())
    return path


def test_preloaded_state_is_not_trivial(db_path):
    db = open_current(db_path)
    try:
        tables = dump(db)
    finally:
        db.close()
    for name in ("budget", "budget_replaced", "score", "project", "import_batch", "unit_year_rate", "meta"):
        assert tables[name], name
    assert {r[10] for r in tables["import_batch"]} == {"active", "rolled_back"}


@pytest.mark.parametrize("case_id, file_name, data, row, column, words", CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_refused_and_changes_nothing(db_path, tmp_path, case_id, file_name, data, row, column, words):
    db = open_current(db_path)
    try:
        before = dump(db)
        with pytest.raises(ingest.ImportRefused) as refused:
            ingest.import_files(db, [(file_name, data)], imported_by="test")
        assert dump(db) == before
    finally:
        db.close()

    problems = refused.value.problems
    assert len(problems) == 1, refused.value.report()
    problem = problems[0]
    # A workbook's problems name the sheet with the file, and tables the spreadsheet reader
    # reads (workbooks, CSV below a title) name the column with its letter as Excel shows it.
    assert problem.file in (file_name, f"{file_name}（工作表「Sheet1」）")
    assert problem.row == row
    assert problem.column == column or (column and re.fullmatch(rf"[A-Z]+ 列 {column}", problem.column))
    assert words in problem.message
    text = str(problem)
    assert text.startswith(file_name)
    if row is not None:
        assert f"第 {row} 行" in text
    if column is not None:
        assert f"「{problem.column}」" in text

    source = tmp_path / file_name
    source.write_bytes(data)
    result = run_cli("import", source, "--db", db_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert text in result.stderr
    assert result.stdout == ""
    db = open_current(db_path)
    try:
        assert dump(db) == before
    finally:
        db.close()


def test_every_problem_in_a_file_is_reported(db_path):
    data = budget_with({
        (0, "年初预算数"): "abc",       # row 2
        (1, "年度"): "1998",            # row 3
        (2, "单位名称"): "",            # row 4
        (3, "评价等级"): "很好",         # row 5
        (4, "自评得分"): "120",          # row 6
        (4, "结转结余"): "-3",           # row 6: accepted, a deficit is real data (DESIGN §1)
    })
    db = open_current(db_path)
    try:
        before = dump(db)
        with pytest.raises(ingest.ImportRefused) as refused:
            ingest.import_files(db, [("多处错误.csv", data)])
        assert dump(db) == before
    finally:
        db.close()
    found = sorted((p.row, p.column) for p in refused.value.problems)
    assert found == [(2, "年初预算数"), (3, "年度"), (4, "单位名称"), (5, "评价等级"), (6, "自评得分")]
    assert all(p.file == "多处错误.csv" for p in refused.value.problems)


def test_header_and_row_problems_are_reported_together(db_path):
    header = [h for h in BUDGET_HEADER if h != "年度"]
    rows = [[v for h, v in zip(BUDGET_HEADER, r) if h != "年度"] for r in BUDGET_ROWS]
    rows[1][header.index("实际支出数")] = "abc"
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.parse_file(csv_bytes(header, rows), "缺年度.csv")
    found = sorted((p.row, p.column, p.message.split("：")[0]) for p in refused.value.problems)
    assert found == [(1, "年度", "缺少必填列「年度」"), (3, "实际支出数", "不是有效数字")]


def test_problems_of_every_file_in_a_command_are_reported(db_path):
    first = budget_with({(0, "年度"): "1990"})
    second = csv_bytes(SCORES_HEADER, [SCORES_ROWS[0][:4] + ["10", "11"]])
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.parse_all([("a.csv", first), ("b.csv", second)])
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("a.csv", 2, "年度"), ("b.csv", 2, "得分")]


def test_good_file_then_bad_file_writes_nothing(db_path, tmp_path):
    new_year = [["2024", *row[1:]] for row in BUDGET_ROWS]
    good = budget_csv(new_year)
    bad = budget_with({(1, "实际支出数"): "-1"})
    db = open_current(db_path)
    try:
        before = dump(db)
        version = db.data_version()
        with pytest.raises(ingest.ImportRefused) as refused:
            ingest.import_files(db, [("好.csv", good), ("坏.csv", bad)])
        assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("坏.csv", 3, "实际支出数")]
        assert dump(db) == before
        assert db.data_version() == version
    finally:
        db.close()

    (tmp_path / "好.csv").write_bytes(good)
    (tmp_path / "坏.csv").write_bytes(bad)
    result = run_cli("import", tmp_path / "好.csv", tmp_path / "坏.csv", "--db", db_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "坏.csv 第 3 行 「实际支出数」" in result.stderr
    db = open_current(db_path)
    try:
        assert dump(db) == before
    finally:
        db.close()


def test_a_failure_while_writing_rolls_back_earlier_files(db_path, monkeypatch):
    """All-or-nothing also holds when the database itself fails half-way through a command."""
    new_year = [["2024", *row[1:]] for row in BUDGET_ROWS]
    parsed = ingest.parse_all([("好.csv", budget_csv(new_year)),
                               ("项目.csv", csv_bytes(PROJECTS_HEADER, PROJECTS_ROWS))])
    db = open_current(db_path)
    try:
        before = dump(db)
        real_stage = batches._stage
        calls = []

        def failing_stage(cur, item, *more):
            calls.append(item.file_name)
            if len(calls) == 2:
                raise RuntimeError("disk full")
            return real_stage(cur, item, *more)

        monkeypatch.setattr(batches, "_stage", failing_stage)
        with pytest.raises(RuntimeError):
            ingest.import_parsed(db, parsed)
        assert calls == ["好.csv", "项目.csv"]
        assert dump(db) == before
    finally:
        db.close()
