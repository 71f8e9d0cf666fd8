"""What a file is, which column a header names, where the table is and what each row is."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from perfdash import ingest
from perfdash.errors import ImportRefused
from perfdash.ingest.sheets import FileRefused, read_tables, refuse, sniff
from perfdash.ingest.sheets import headers as hdr
from perfdash.ingest.sheets.grid import column_letter, sniff_delimiter
from perfdash.ingest.sheets.sniff import OLE2


def book(*sheets) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows, merges in sheets:
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
        for m in merges:
            ws.merge_cells(m)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- sniffing ----------------------------------------------------------------------------

def test_sniff_tells_files_by_their_bytes():
    xlsx = book(("S", [["单位名称", "实际支出数"]], []))
    assert sniff(xlsx, "a.csv").format == "xlsx" and "工作簿" in sniff(xlsx, "a.csv").note
    assert sniff(b"a,b\n1,2\n", "a.xlsx").format == "text"
    assert "CSV" in sniff(b"a,b\n1,2\n", "a.xlsx").note
    assert sniff(b"a,b\n", "a.csv").note is None
    for data, name, words in [
        (b"", "a.xlsx", "文件为空"), (b"  \n", "a.csv", "文件为空"),
        (xlsx[:200], "a.xlsx", "已损坏或不完整"),
        (OLE2 + b"\x00" * 600, "a.xls", "已损坏"),
        (b"%PDF-1.4", "a.xlsx", "PDF"),
        (b"<!DOCTYPE html><html><table>", "a.xls", "网页"),
        (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">', "a.xls", "2003 XML"),
        (b"\x00\x01\x02binary", "a.dat", "无法识别的文件格式"),
    ]:
        with pytest.raises(FileRefused, match=words) as raised:
            sniff(data, name)
        assert str(raised.value).startswith(name)


def test_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("报表/2023.xlsx", b"x")
    with pytest.raises(FileRefused, match="压缩包"):
        sniff(out.getvalue(), "a.xlsx")


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "，"])
def test_delimiter(delimiter):
    lines = ["2023年度汇总", "", delimiter.join(["年度", "单位名称", "实际支出数"])]
    lines += [delimiter.join(["2023", f"单位{i}", "1.5"]) for i in range(5)]
    assert sniff_delimiter("\n".join(lines)) == delimiter


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


# -- headers -----------------------------------------------------------------------------

@pytest.mark.parametrize("raw,column_id", [
    ("全年预算数", "adjusted_budget"), ("调整后预算数（万元）", "adjusted_budget"), ("全年执行数", "actual_spend"),
    ("预算执行数", "actual_spend"), ("支出数", "actual_spend"), ("执行数", "actual_spend"),
    ("部门名称", "unit_name"), ("预算单位", "unit_name"), ("单位", "unit_name"), ("单 位 名 称", "unit_name"),
    ("执行率", "stated:execution_rate"), ("预算执行率(%)", "stated:execution_rate"),
    ("结转结余率", "stated:carryover_rate"), ("资金到位率", "stated:funds_arrival_rate"),
    ("“三公经费”控制率", "stated:sangong_control_rate"), ("年度", "year"), ("序号", None), ("备注", None),
])
def test_header_aliases(raw, column_id):
    assert hdr.match("budget", raw).column_id == column_id


def test_header_units_and_percent():
    assert hdr.match("budget", "实际支出数（元）").unit == "元"
    assert hdr.match("budget", "实际支出数(单位：万元)").unit == "万元"
    assert hdr.match("budget", "年初预算数（千元）").unit == "千元"
    assert hdr.match("budget", "执行率（%）").percent
    assert hdr.match("budget", "预算数").ambiguous == ("initial_budget", "adjusted_budget")
    assert hdr.match("projects", "预算数").column_id == "budget"   # a project's budget is not ambiguous


def test_two_row_combinations():
    assert hdr.combine("budget", "预算数", "年初预算数").column_id == "initial_budget"
    assert hdr.combine("budget", "预算数（元）", "调整后").column_id == "adjusted_budget"
    assert hdr.combine("budget", "预算数（元）", "调整后").unit == "元"
    assert hdr.combine("budget", "全年预算数", "合计").column_id == "adjusted_budget"
    assert hdr.combine("budget", "全年预算数", "财政拨款").column_id is None   # a breakdown, not the total
    assert hdr.combine("budget", "预算执行情况（%）", "执行率").percent


def test_every_alias_has_one_meaning():
    """The aliases, rate headers and ambiguous headers never give one header two columns."""
    for kind in ingest.COLUMNS:
        seen = {}
        for column in ingest.COLUMNS[kind]:
            for name in (column.id, column.label, *column.aliases):
                norm = ingest.normalise_header(name)
                assert seen.setdefault(norm, column.id) == column.id, (kind, name)
        for norm in hdr.RATE_COLUMNS:
            assert norm not in seen, (kind, norm)
        for norm in hdr.AMBIGUOUS.get(kind, {}):
            assert norm not in seen, (kind, norm)


# -- layout ------------------------------------------------------------------------------

def test_two_row_header_names_children_under_their_parent():
    rows = [["2023年度部门整体支出绩效"], ["单位：元"], [],
            ["序号", "单位名称", "年度", "预算数", None, "实际支出数", "执行率"],
            [None, None, None, "年初预算数", "调整后预算数", None, None],
            [1, "教育局", 2023, 1000000, 1100000, 990000, "90.00%"]]
    merges = ["A4:A5", "B4:B5", "C4:C5", "D4:E4", "F4:F5", "G4:G5"]
    result = read_tables(book(("Sheet1", rows, merges)), "t.xlsx")
    [table] = result.tables
    assert table.header_rows == (4, 5)
    by_id = {c.column_id: c for c in table.columns}
    assert by_id["initial_budget"].raw_header == "预算数/年初预算数"
    assert by_id["adjusted_budget"].raw_header == "预算数/调整后预算数"
    assert by_id["initial_budget"].letter == "D" and by_id["adjusted_budget"].letter == "E"
    assert by_id["actual_spend"].unit == "元" and by_id["actual_spend"].unit_source == "第 2 行「单位：元」"
    assert table.rows == [(6, ["教育局", "2023", "100", "110", "99", "0.9"])]


def test_unit_sources_are_recorded_per_column():
    rows = [["金额单位：万元"], ["单位名称", "年度", "年初预算数（元）", "实际支出数"], ["教育局", 2023, 1000000, 99]]
    [table] = read_tables(book(("S", rows, [])), "t.xlsx").tables
    sources = {c.column_id: (c.unit, c.unit_source) for c in table.columns if c.unit}
    assert sources == {"initial_budget": ("元", "列名「年初预算数（元）」"), "actual_spend": ("万元", "第 1 行「金额单位：万元」")}
    [table] = read_tables("单位名称,年度,实际支出数\n教育局,2023,5\n".encode(), "t.csv").tables
    assert [(c.unit, c.unit_source) for c in table.columns if c.unit] == [("万元", "未注明单位，按万元")]


def test_header_below_thirty_rows_is_not_found():
    rows = [[f"说明第 {i} 条"] for i in range(31)] + [["单位名称", "年度", "实际支出数"], ["教育局", 2023, 1]]
    result = read_tables(book(("S", rows, [])), "t.xlsx")
    assert result.refused and "前 30 行" in str(result.problems[0])


def test_a_header_merged_across_two_columns_is_one_column():
    rows = [["单位名称", None, "年度", "实际支出数"], ["教育局", "（本级）", 2023, 5]]
    [table] = read_tables(book(("S", rows, ["A1:B1"])), "t.xlsx").tables
    assert table.column_ids == ["unit_name", "year", "actual_spend"]


def test_rows_keep_their_excel_numbers_and_reasons():
    rows = [["单位名称", "年度", "实际支出数"], ["栏次", "1", "2"], ["教育局", 2023, 1], [], ["合计", None, 1],
            ["一、县区"], ["卫健委", "2023年", "2"], ["单位名称", "年度", "实际支出数"], ["财政局", 2023, 3],
            ["注：单位为万元"], ["填表人：张三"]]
    [table] = read_tables(book(("S", rows, [])), "t.xlsx").tables
    assert [r for r, _ in table.rows] == [3, 7, 9]
    assert dict(table.skipped_rows) == {2: "栏次行", 4: "空行", 5: "合计/小计行（「合计」）", 6: "分组标题行（「一、县区」）",
                                        8: "重复的表头行", 10: "表下说明或签字行", 11: "表下说明或签字行"}


def test_several_sheets_each_named():
    sheets = [("说明", [["请逐年填写"]], []), ("2022", [["单位名称", "实际支出数"], ["教育局", 1]], []),
              ("2023", [["单位名称", "实际支出数"], ["教育局", 2]], [])]
    result = read_tables(book(*sheets), "t.xlsx")
    assert [(t.sheet, t.rows) for t in result.tables] == [("2022", [(2, ["教育局", "1", "2022"])]),
                                                           ("2023", [(2, ["教育局", "2", "2023"])])]
    assert result.skipped_sheets[0][0] == "说明"


def test_refusal_converts_to_the_importers_problems():
    rows = [["单位名称", "年度", "实际支出数"], ["教育局", 2023, "见附件"]]
    result = read_tables(book(("明细", rows, [])), "预算.xlsx")
    refused = refuse(result.problems)
    assert isinstance(refused, ImportRefused)
    assert str(refused.problems[0]) == "预算.xlsx（工作表「明细」） 第 2 行 「C 列 实际支出数」：不是有效数字：「见附件」"


def test_hidden_rows_columns_and_sheet_year_are_noted():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "2023年"
    for row in (["年度", "单位名称", "实际支出数", "调整后预算数"], [2023, "a", 1, 2], [2022, "b", 1, 2], [2023, "c", 3, 4]):
        ws.append(row)
    ws.row_dimensions[3].hidden = True
    ws.column_dimensions["D"].hidden = True
    out = io.BytesIO()
    wb.save(out)
    [table] = read_tables(out.getvalue(), "t.xlsx").tables
    assert [r for r, _ in table.rows] == [2, 3, 4]
    notes = "\n".join(table.notes)
    assert "第 3 行在 Excel 中被隐藏" in notes and "D 列「调整后预算数」" in notes and "年度列中有 2022" in notes


def test_percent_and_zero_padded_formats_and_uncalculated_formulas():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位编码", "单位名称", "年度", "实际支出数", "调整后预算数", "执行率"])
    ws.append([1234, "a", 2023, 9, 10, 0.9])
    ws.append([5678, "b", 2023, 8, "=E3*2", 0.8])
    ws["A2"].number_format = "000000"
    ws["F2"].number_format = "0.00%"
    ws["F3"].number_format = '0.0"%"'     # a literal % sign in quotes is not a percentage format
    out = io.BytesIO()
    wb.save(out)
    result = read_tables(out.getvalue(), "t.xlsx")
    [table] = result.tables
    assert table.rows[0] == (2, ["001234", "a", "2023", "9", "10", "0.9"])
    problems = {(p.row, p.letter): p.message for p in result.problems}
    assert "没有计算结果" in problems[(3, "E")] and "没有注明 %" in problems[(3, "F")]


def test_the_national_self_evaluation_form_is_named_not_misread():
    rows = [["部门整体支出绩效自评表"], ["（2023年度）"], ["部门（单位）名称", "郑州市教育局"],
            ["年度预算执行情况（万元）", None, "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分"],
            [None, "年度资金总额", 1000, 1100, 990, 10, "90%", 9], [None, "其中：基本支出", 600, 600, 590, None, None, None]]
    result = read_tables(book(("Sheet1", rows, [])), "自评表.xlsx")
    assert result.refused and not result.tables
    assert "自评表" in result.skipped_sheets[0][1] and "模板" in str(result.problems[0])


def test_scores_and_projects_tables():
    scores = [["2023年度一级指标得分"], ["单位名称", "年度", "一级指标", "分值", "得分"],
              ["教育局", 2023, "决策", 10, "9.5分"], ["教育局", 2023, "过程", 30, 28], ["合计", None, None, 100, 90]]
    [table] = read_tables(book(("S", scores, [])), "s.xlsx").tables
    assert table.kind == "scores" and table.header_rows == (2,)
    assert table.rows == [(3, ["教育局", "2023", "决策", "10", "9.5"]), (4, ["教育局", "2023", "过程", "30", "28"])]
    projects = [["单位：元"], ["预算单位", "年度", "项目名称", "预算数", "支出数", "执行率"],
                ["教育局", "2023年", "校舍维修", "1,000,000.00", "950,000.00", "95.00%"]]
    [table] = read_tables(book(("S", projects, [])), "p.xlsx").tables
    assert table.kind == "projects"
    assert table.column_ids == ["unit_name", "year", "project_name", "budget", "actual_spend", "stated:execution_rate"]
    assert table.rows == [(3, ["教育局", "2023", "校舍维修", "100", "95", "0.95"])]


@pytest.mark.parametrize("line,unit", [("单位：人、元", "元"), ("（金额单位：人民币元）", "元"), ("以万元为单位", "万元"),
                                       ("单位：万元、%", "万元")])
def test_unit_lines(line, unit):
    rows = [["表"], [None, None, line], ["单位名称", "年度", "实际支出数"], ["教育局", 2023, 10000]]
    [table] = read_tables(book(("S", rows, [])), "t.xlsx").tables
    assert [c.unit for c in table.columns if c.unit] == [unit]
    assert table.rows[0][1][2] == ("1" if unit == "元" else "10000")


def test_an_organisation_called_yuan_is_not_a_unit_line():
    rows = [["填报单位：元宝山区财政局"], ["单位名称", "年度", "实际支出数"], ["教育局", 2023, 12]]
    [table] = read_tables(book(("S", rows, [])), "t.xlsx").tables
    assert table.columns[2].unit_source == "未注明单位，按万元" and table.rows[0][1][2] == "12"


def test_row_limit():
    data = ("单位名称,年度,实际支出数\n" + "教育局,2023,1\n" * 60).encode()
    assert read_tables(data, "t.csv", max_rows=100).tables
    result = read_tables(data, "t.csv", max_rows=50)
    assert result.refused and "上限" in str(result.problems[0])
    xlsx = book(("S", [["单位名称", "年度", "实际支出数"]] + [["教育局", 2023, 1]] * 60, []))
    assert "上限" in str(read_tables(xlsx, "t.xlsx", max_rows=50).problems[0])


def test_binary_garbage_named_xlsx_is_damaged_not_csv():
    with pytest.raises(FileRefused, match="已损坏"):
        sniff(bytes(range(1, 256)) * 4, "预算.xlsx")


def test_a_label_value_block_above_a_small_table_is_not_its_header():
    data = "单位名称,郑州市财政局,年度,2023\n\n单位名称,实际支出数\n教育局,12.5\n".encode()
    [table] = read_tables(data, "t.csv").tables
    assert table.header_rows == (3,) and table.rows == [(4, ["教育局", "12.5"])]
