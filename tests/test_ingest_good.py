"""The shapes real files come in: each must store exactly the figures of the plain UTF-8 file."""
from __future__ import annotations

import csv
import random
import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import pytest  # noqa: E402

from ingest_cases import (  # noqa: E402
    AMOUNT_HEADERS, BUDGET_HEADER, BUDGET_IDS, BUDGET_ROWS, GRADE_LONG, as_xlsx_cells, budget_csv,
    budget_rows, csv_bytes, in_yuan, with_sheet_dimension, xlsx_bytes,
)
from perfdash import ingest  # noqa: E402
from perfdash.ingest import arrow_csv, parse  # noqa: E402
from perfdash.derive import open_current  # noqa: E402

COL = {h: i for i, h in enumerate(BUDGET_HEADER)}


def _rows(transform=lambda header, value: value):
    return [[transform(h, v) for h, v in zip(BUDGET_HEADER, row)] for row in BUDGET_ROWS]


def _header(transform):
    return [transform(h) for h in BUDGET_HEADER]


def yuan_file() -> bytes:
    header = _header(lambda h: f"{h}（元）" if h in AMOUNT_HEADERS else h)
    rows = _rows(lambda h, v: in_yuan(v) if h in AMOUNT_HEADERS else v)
    assert rows[0][COL["年初预算数"]] == "26,988,000.00"
    assert rows[0][COL["调整后预算数"]] == "29,420,448.48"
    return csv_bytes(header, rows)


def yuan_halfwidth_xlsx() -> bytes:
    header = _header(lambda h: f"{h}(元)" if h in AMOUNT_HEADERS else h)
    cells = as_xlsx_cells(BUDGET_ROWS)
    for row in cells:
        for h in AMOUNT_HEADERS:
            value = row[COL[h]]
            if value is not None:
                number = Decimal(str(value)) * 10000
                row[COL[h]] = int(number) if number == number.to_integral_value() else float(number)
    return xlsx_bytes(header, cells)


def with_extra_column() -> bytes:
    header = BUDGET_HEADER[:3] + ["备注"] + BUDGET_HEADER[3:]
    rows = [row[:3] + ["说明文字"] + row[3:] for row in BUDGET_ROWS]
    return csv_bytes(header, rows)


def dash_for_missing() -> bytes:
    """"-" for a missing figure, "—" for a missing code or grade, "" elsewhere."""
    marks = {"单位编码": "—", "评价等级": "－"}
    return csv_bytes(BUDGET_HEADER, _rows(lambda h, v: marks.get(h, "-") if v == "" else v))


def full_width_digits() -> bytes:
    table = str.maketrans("0123456789.", "０１２３４５６７８９．")
    return csv_bytes(BUDGET_HEADER, _rows(lambda h, v: v.translate(table) if h in AMOUNT_HEADERS else v))


def with_total_row() -> bytes:
    total = ["", "", "合计", "", "", "69439.45", "", "", "", "", "", "", ""]
    return csv_bytes(BUDGET_HEADER, BUDGET_ROWS + [total])


def with_total_in_first_column() -> bytes:
    total = ["合 计", "", "", "", "", "69439.45", "", "", "", "", "", "", ""]
    return csv_bytes(BUDGET_HEADER, BUDGET_ROWS + [total, [""] * len(BUDGET_HEADER)])


def without_trailing_blanks() -> bytes:
    """Rows whose blank cells at the end are left out altogether (fewer fields than the header)."""
    lines = budget_csv().decode().splitlines(keepends=True)
    return "".join(line.rstrip("\n").rstrip(",") + "\n" for line in lines).encode()


INFO_BLOCK = [["单位名称", "郑州市财政局"], ["年度", "2023"], []]
TITLE = [["2023年度部门整体支出绩效自评结果汇总表"], ["填报单位：郑州市财政局", "", "", "单位：万元"], []]

SHAPES = {
    "gbk": (lambda: budget_csv(encoding="gbk"), []),
    "gb18030": (lambda: budget_csv(encoding="gb18030"), []),
    "utf8_bom": (lambda: budget_csv(encoding="utf-8-sig"), []),
    "crlf": (lambda: budget_csv(newline="\r\n"), []),
    "utf16_tab_excel_unicode_text": (lambda: budget_csv(encoding="utf-16", delimiter="\t", newline="\r\n"), []),
    "yuan_with_thousands_separators": (yuan_file, []),
    "yuan_halfwidth_xlsx_numbers": (yuan_halfwidth_xlsx, []),
    "padded_headers": (lambda: budget_csv(header=_header(lambda h: f"  {h} ")), []),
    "halfwidth_wanyuan": (lambda: budget_csv(header=_header(lambda h: f"{h}(万元)" if h in AMOUNT_HEADERS else h)), []),
    "fullwidth_wanyuan": (lambda: budget_csv(header=_header(lambda h: f"{h}（万元）" if h in AMOUNT_HEADERS else h)), []),
    "english_ids": (lambda: budget_csv(header=BUDGET_IDS), []),
    "english_ids_upper": (lambda: budget_csv(header=[i.upper() for i in BUDGET_IDS]), []),
    "aliases": (lambda: budget_csv(header=_header(lambda h: {"调整后预算数": "调整后预算数（全年预算数）",
                                                            "实际支出数": "实际支出数(执行数)",
                                                            "年度": "年份"}.get(h, h))), []),
    "extra_unknown_column": (with_extra_column, ["已忽略无法识别的列「备注」"]),
    "dash_as_missing": (dash_for_missing, []),
    "long_grades": (lambda: budget_csv(_rows(lambda h, v: GRADE_LONG.get(v, v) if h == "评价等级" else v)), []),
    "spaces_in_values": (lambda: budget_csv(_rows(lambda h, v: f" {v} " if v else v)), []),
    "full_width_digits": (full_width_digits, []),
    "xlsx_numeric_cells": (lambda: xlsx_bytes(BUDGET_HEADER, as_xlsx_cells(BUDGET_ROWS)), []),
    "xlsx_wrong_dimension_A1": (lambda: with_sheet_dimension(
        xlsx_bytes(BUDGET_HEADER, as_xlsx_cells(BUDGET_ROWS), before=TITLE), "A1"), []),
    "title_rows_csv": (lambda: budget_csv(before=TITLE), []),
    "title_rows_xlsx": (lambda: xlsx_bytes(BUDGET_HEADER, as_xlsx_cells(BUDGET_ROWS), before=TITLE), []),
    "title_rows_tab": (lambda: budget_csv(before=TITLE, delimiter="\t"), []),
    "title_block_naming_a_unit": (lambda: budget_csv(before=INFO_BLOCK), []),
    "total_row": (with_total_row, ["已跳过合计行：第 7 行"]),
    "total_in_first_column": (with_total_in_first_column, ["已跳过合计行：第 7 行"]),
    "blank_lines_between": (lambda: budget_csv(BUDGET_ROWS[:2] + [[""] * 13, []] + BUDGET_ROWS[2:]), []),
    "all_fields_quoted": (lambda: budget_csv(quoting=csv.QUOTE_ALL), []),
    "all_fields_quoted_gbk_crlf": (lambda: budget_csv(quoting=csv.QUOTE_ALL, encoding="gbk", newline="\r\n"), []),
    "old_mac_line_breaks": (lambda: budget_csv(newline="\r"), []),
    "no_final_line_break": (lambda: budget_csv()[:-1], []),
    "rows_without_trailing_blanks": (without_trailing_blanks, []),
    "blank_values_beyond_the_header": (lambda: budget_csv([row + ["", " "] for row in BUDGET_ROWS]), []),
    "english_header_gbk_values": (lambda: budget_csv(header=BUDGET_IDS, encoding="gbk"), []),
}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    db = open_current(tmp_path_factory.mktemp("ref") / "ref.duckdb")
    try:
        [result] = ingest.import_files(db, [("参考.csv", budget_csv())])
        assert (result.inserted, result.updated, result.unchanged) == (5, 0, 0)
        assert result.warnings == []
        return budget_rows(db)
    finally:
        db.close()


def test_reference_figures_are_stored_as_written(reference):
    by_name = {row[3]: row for row in reference}
    assert len(by_name) == 5
    finance = by_name["郑州市财政局"]
    assert finance[0] == "code:101001"
    assert finance[7] == Decimal("2698.800000")            # initial_budget
    assert finance[8] == Decimal("2942.044848")            # adjusted_budget, 6 decimals kept
    assert finance[17] == Decimal("96.50")                 # self_score
    health = by_name["新郑市卫生健康委员会"]
    assert health[0] == "name:河南省新郑市|新郑市卫生健康委员会"   # no code → by name within its region
    assert health[8] is None                               # adjusted_budget blank → NULL, not 0
    stats = by_name["郑州市统计局"]
    assert stats[17] is None and stats[18] is None          # no self score, no grade


@pytest.mark.parametrize("shape", list(SHAPES))
def test_shape_stores_the_same_figures(reference, tmp_path, shape):
    make, expected_warnings = SHAPES[shape]
    name = f"{shape}.xlsx" if "xlsx" in shape else f"{shape}.csv"
    data = make()
    db = open_current(tmp_path / "t.duckdb")
    try:
        [result] = ingest.import_files(db, [(name, data)])
        assert result.kind == "budget"
        assert (result.inserted, result.updated, result.unchanged) == (5, 0, 0)
        assert result.warnings == expected_warnings
        assert budget_rows(db) == reference
    finally:
        db.close()


def test_xlsx_reads_every_sheet_and_names_the_ones_without_a_table(reference, tmp_path):
    """Every visible sheet is read, whichever is active (issue #12: the importer used to read
    only the first one and silently leave the rest); a sheet without a table is named."""
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "数据"
    first.append(BUDGET_HEADER)
    for row in as_xlsx_cells(BUDGET_ROWS):
        first.append(row)
    notes = workbook.create_sheet("说明")
    notes.append(["本表由财政局绩效科汇总"])
    other = workbook.create_sheet("另一表")
    other.append(["年度", "单位名称", "年初预算数", "实际支出数"])
    other.append([2023, "另一单位", 1, 1])
    workbook.active = 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    db = open_current(tmp_path / "t.duckdb")
    try:
        with pytest.raises(ingest.ImportRefused) as refused:
            ingest.import_files(db, [("三页.xlsx", buffer.getvalue())])
        assert "各工作表的列不一致" in refused.value.report()
        assert budget_rows(db) == []
        del workbook["另一表"]
        buffer = io.BytesIO()
        workbook.save(buffer)
        parsed = ingest.parse_file(buffer.getvalue(), "两页.xlsx")
        assert parsed.sheets == ["数据"]
        assert [s for s, _ in parsed.skipped_sheets] == ["说明"]
        ingest.import_parsed(db, [parsed])
        assert budget_rows(db) == reference
    finally:
        db.close()


def test_scores_and_projects_files_are_recognised(tmp_path):
    from ingest_cases import PROJECTS_HEADER, PROJECTS_ROWS, SCORES_HEADER, SCORES_ROWS

    db = open_current(tmp_path / "t.duckdb")
    try:
        results = ingest.import_files(db, [
            ("得分.csv", csv_bytes([f" {h}" for h in SCORES_HEADER], SCORES_ROWS, encoding="gbk")),
            ("项目.csv", csv_bytes(["year", "unit_code", "unit_name", "project_name", "category",
                                    "预算数（元）", "实际支出数（元）"],
                                   [r[:5] + [in_yuan(r[5]), in_yuan(r[6])] for r in PROJECTS_ROWS])),
        ])
        assert [(r.kind, r.inserted) for r in results] == [("scores", 4), ("projects", 3)]
        scores = db.con.execute("SELECT dimension, max_score, score FROM score ORDER BY max_score").fetchall()
        assert scores == [("预算执行", Decimal("10.00"), Decimal("9.50")), ("产出", Decimal("25.00"), Decimal("24.00")),
                          ("投入管理", Decimal("30.00"), Decimal("28.00")), ("效益", Decimal("35.00"), Decimal("35.00"))]
        projects = db.con.execute(
            "SELECT project_name, budget, actual_spend FROM project ORDER BY budget").fetchall()
        assert projects == [("预算绩效评价", Decimal("120.000000"), Decimal("60.000000")),
                            ("财政信息化建设", Decimal("500.000000"), Decimal("480.500000")),
                            ("校舍维修", Decimal("3000.000000"), Decimal("0"))]
    finally:
        db.close()


def test_quoted_values_keep_delimiters_quotes_and_line_breaks(tmp_path):
    from ingest_cases import PROJECTS_HEADER, PROJECTS_ROWS

    names = ["信息化建设,二期", '“数字财政”"平台"', "校舍维修\n（第二批）", "运维\r\n保障"]
    rows = [[*PROJECTS_ROWS[0][:3], name, *PROJECTS_ROWS[0][4:]] for name in names]
    for encoding in ("utf-8", "gbk", "utf-16"):
        db = open_current(tmp_path / f"{encoding}.duckdb")
        try:
            [result] = ingest.import_files(db, [("项目.csv", csv_bytes(PROJECTS_HEADER, rows, encoding=encoding))])
            assert result.inserted == 4
            stored = [r[0] for r in db.con.execute("SELECT project_name FROM project").fetchall()]
            assert sorted(stored) == sorted(names)
        finally:
            db.close()


def _outcome(data: bytes, name: str):
    try:
        parsed = ingest.parse_file(data, name)
    except ingest.ImportRefused as refused:
        return "refused", [str(p) for p in refused.problems]
    frame = parsed.frame
    return ("parsed", parsed.kind, parsed.warnings, parsed.skipped_rows, parsed.columns,
            [str(t) for t in frame.dtypes], frame.astype(object).where(frame.notna(), None).values.tolist())


def _row_by_row_outcome(data: bytes, name: str, monkeypatch):
    with monkeypatch.context() as patch:
        def row_by_row(*args):
            raise arrow_csv._ReadRowByRow

        patch.setattr(parse, "_arrow_body", row_by_row)
        return _outcome(data, name)


AWKWARD_BODIES = [
    '2023,"甲,乙",1,2\n',                          # delimiter inside quotes
    '2023,"甲\n乙",1,2\n2023,丙,abc,2\n',          # line break inside quotes, then a bad row
    '2023,"甲""乙""",1,2\n',                        # doubled quotes
    '2023,甲"乙,1,2\n',                              # a quote inside an unquoted value
    '2023,"甲"乙,1,2\n',                             # text after a closing quote
    '2023,"甲,1,2\n',                                # a quote left open at the end of the file
    '2023,"甲,1,2\r\n\r\n',
    '2023,"甲,1,2',
    '2023,甲,1,2\n2023,乙\n\n2023,丙,1,2,3,\n',     # short, blank and long rows
    '2023,甲,1,2\r2023,乙,x,2\r',                    # old Mac line breaks
    '\n\n \n,,,\n2023,甲,1,2\n',                   # blank records are counted, then skipped
    '合计,,5,6\n2023,甲,1,2\n2023,甲,1,2\n',          # a total row and a duplicate
    '2023,甲,1,2,\x00\n',                           # a NUL beyond the header
    '"2023","甲","1","2"\n"2023","乙","-1","2"',     # all quoted, no final line break
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_arrow_and_row_by_row_reading_agree(encoding, monkeypatch):
    """The Arrow reader of CSV bodies gives exactly what reading the file row by row gives:
    values, Excel row numbers, problems and warnings, down to files that end inside a quote."""
    headers = ["年度,单位名称,实际支出数,年初预算数\n", "标题\n\n年度,单位名称,实际支出数,年初预算数\r\n",
               '"年度","单位\n名称",实际支出数,年初预算数\n']
    texts = [h + b for h in headers for b in AWKWARD_BODIES]
    texts += [t.replace(",", "\t") for t in texts[:len(AWKWARD_BODIES)]]
    alphabet = ["2023", "甲", "1", ",", ",", '"', "\n", "\r\n", "\r", " ", "\u3000", "合计", "-", "\t", "1,000"]
    rng = random.Random(20261123)
    texts += [rng.choice(headers) + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
              for _ in range(60)]
    for text in texts:
        data = text.encode(encoding)
        assert _outcome(data, "f.csv") == _row_by_row_outcome(data, "f.csv", monkeypatch), repr(text)


def test_plain_and_quoted_csv_bodies_are_read_by_arrow(monkeypatch):
    def row_by_row(*args):
        raise AssertionError("read row by row")

    monkeypatch.setattr(parse, "_rows_body", row_by_row)
    for data in (budget_csv(), budget_csv(encoding="gbk", before=TITLE), budget_csv(quoting=csv.QUOTE_ALL),
                 budget_csv(encoding="utf-16", delimiter="\t"), without_trailing_blanks()):
        assert len(ingest.parse_file(data, "f.csv").frame) == 5


def test_a_large_file_below_title_rows_keeps_its_row_numbers(monkeypatch):
    """Beyond the first megabyte only the header is decoded in Python; rows are still numbered
    as Excel numbers them, ragged rows included."""
    rows = [["2023", f"1{i:05d}", f"单位{i}", "", "", "1.5", "", "1", "", "", "", "", ""] for i in range(30_000)]
    rows[1000] = rows[1000] + ["", "备注"]
    rows[-1][7] = "abc"
    data = budget_csv(rows, before=TITLE)
    assert len(data) > 1024 * 1024
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.parse_file(data, "大.csv")
    found = [(p.row, p.column, p.message) for p in refused.value.problems]
    assert found == [(1005, None, "该行比表头多出 1 个值，请检查是否有多余的逗号"),
                     (30_004, "H 列 实际支出数", "不是有效数字：「abc」")]
    assert _outcome(data, "大.csv") == _row_by_row_outcome(data, "大.csv", monkeypatch)


@pytest.mark.parametrize("data", [
    b"", b"plain", "中文".encode(), "\U0001f600".encode(), b"\xef\xbf\xbe", b"\x00",
    b"\xff", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe4\xb8",
    "中文".encode("gbk"), "年度,单位名称".encode("gb18030"),
])
def test_utf8_check_agrees_with_python(data):
    import pyarrow as pa

    try:
        data.decode("utf-8")
        decodes = True
    except UnicodeDecodeError:
        decodes = False
    assert arrow_csv._is_utf8(pa.py_buffer(data)) is decodes
