"""Workbooks and CSV files shaped the way bureaus send them, each with its known answer.

One truth (PLAIN: units × years, amounts in 万元) is written in many shapes: title rows, 单位
lines, two-row merged headers, subtotal and note rows, merged unit names, text numbers,
full-width digits, ￥, 元 files, one sheet per year, old .xls, CSV in three delimiters and
two encodings … An accepted shape must read back to exactly the figures it was written
from; a refused shape must name the file, sheet, Excel row and column its answer gives.
Layout details (how many title rows, blank rows, where the 单位 line sits) vary with a
seeded RNG so the reader cannot lean on one position.

build(directory) writes every file and returns the cases.
"""
from __future__ import annotations

import csv
import functools
import io
import random
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.worksheet.datavalidation import DataValidation

SEED = 20231231
W = Decimal(10000)

# -- the truth ---------------------------------------------------------------------------

UNITS = [  # code, name, region
    ("101001", "郑州市财政局", "河南省郑州市"),
    ("101002", "郑州市教育局", "河南省郑州市"),
    ("001234", "新郑市卫生健康委员会", "河南省新郑市"),
    ("102001", "县教育局", "河南省新郑市"),
    ("103001", "县教育局", "河南省登封市"),
    ("101006", "郑州市水利局", "河南省郑州市"),
]
YEARS = [2021, 2022, 2023]
AMOUNTS = ["initial_budget", "adjusted_budget", "actual_spend", "carryover"]
HEAD = {"initial_budget": "年初预算数", "adjusted_budget": "调整后预算数", "actual_spend": "实际支出数",
        "carryover": "结转结余", "year": "年度", "unit_code": "单位编码", "unit_name": "单位名称",
        "region": "地区"}


def _truth() -> list[dict]:
    rng = random.Random(SEED)
    out = []
    for year in YEARS:
        for code, name, region in UNITS:
            initial = Decimal(rng.randrange(500_00, 90_000_00)) / 100          # 万元, 2 decimals
            adjusted = initial + Decimal(rng.randrange(0, 900_00)) / 100
            actual = (adjusted * Decimal(rng.randrange(70, 101)) / 100).quantize(Decimal("0.01"))
            carry = (adjusted - actual) if rng.random() > 0.15 else -Decimal(rng.randrange(100, 99999)) / 100
            out.append({"year": year, "unit_code": code, "unit_name": name, "region": region,
                        "initial_budget": initial, "adjusted_budget": adjusted, "actual_spend": actual,
                        "carryover": carry, "rate": (actual / adjusted).quantize(Decimal("0.0001"))})
    return out


PLAIN = _truth()


def records(year=None, units=None):
    return [r for r in PLAIN if (year is None or r["year"] == year) and (units is None or r["unit_name"] in units)]


# -- cases -------------------------------------------------------------------------------


@dataclass
class Case:
    name: str                      # file name written
    data: bytes
    # accepted: {(sheet, unit_name, region-or-code, year): {column id: Decimal or str}}
    expect: dict | None = None
    # refused: [(sheet, row, letter, words the message must contain)]
    refuse: list | None = None
    skipped_rows: list = field(default_factory=list)     # [(sheet, row, words)]
    skipped_sheets: list = field(default_factory=list)   # [(sheet, words)]
    notes: list = field(default_factory=list)            # words some note must contain
    shape: str = ""


def key(sheet, rec):
    return (sheet, rec["unit_name"], rec["region"], rec["year"])


def expect_of(recs, cols, sheet=None, rate=False):
    out = {}
    for r in recs:
        figures = {c: r[c] for c in cols if c in AMOUNTS or c in ("unit_code",)}
        figures.update({c: Decimal(r[c]) for c in cols if c == "year"})
        if rate:
            figures["stated:execution_rate"] = r["rate"]
        out[key(sheet, r)] = figures
    return out


FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


def wan(value: Decimal, style: str = "number"):
    """A 万元 amount as someone types it."""
    if style == "number":
        return float(value)
    if style == "text":
        return str(value)
    if style == "grouped":
        return f"{value:,.2f}"
    if style == "yen":
        return f"￥{value:,.2f}"
    if style == "suffix":
        return f"{value:,.2f}万元"
    if style == "full":
        return f"{value:,.2f}".translate(FULL)
    if style == "accounting":
        return f"({-value:,.2f})" if value < 0 else f"{value:,.2f}"
    raise ValueError(style)


def yuan(value: Decimal, style: str = "number"):
    v = value * W
    if style == "number":
        return int(v) if v == int(v) else float(v)
    if style == "grouped":
        return f"{v:,.2f}"
    if style == "suffix":
        return f"{v:,.0f}元"
    if style == "accounting":
        return f"({-v:,.2f})" if v < 0 else f"{v:,.2f}"
    raise ValueError(style)


def xlsx(sheets) -> bytes:
    """sheets: [(title, rows, {"merge": [...], "hidden": bool, "formats": {(r, c): fmt}})]"""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows, opts in sheets:
        ws = book.create_sheet(title)
        for row in rows:
            ws.append(row)
        for rng in opts.get("merge", []):
            ws.merge_cells(rng)
        for (r, c), fmt in opts.get("formats", {}).items():
            ws.cell(r, c).number_format = fmt
        if opts.get("hidden"):
            ws.sheet_state = "hidden"
        for dv in opts.get("validations", []):
            ws.add_data_validation(dv)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, delimiter=",", encoding="utf-8") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def body(recs, cols, style="number", unit="万元"):
    rows = []
    for r in recs:
        row = []
        for c in cols:
            if c in AMOUNTS:
                row.append(wan(r[c], style) if unit == "万元" else yuan(r[c], style))
            elif c == "year":
                row.append(r["year"])
            else:
                row.append(r[c])
        rows.append(row)
    return rows


def text_rows(rows):
    return [["" if v is None else (str(v) if not isinstance(v, float) else repr(v)) for v in row] for row in rows]


COLS = ["year", "unit_code", "unit_name", "region", "initial_budget", "adjusted_budget", "actual_spend", "carryover"]
HEADER = [HEAD[c] for c in COLS]


def title_block(rng, unit_line=None, blank_max=2):
    rows = [["2021—2023年度部门整体支出绩效情况汇总表"]]
    rows += [[] for _ in range(rng.randint(0, blank_max))]
    if unit_line:
        rows.append([None] * rng.randint(0, 6) + [unit_line])
    rows += [[] for _ in range(rng.randint(0, 1))]
    return rows


@functools.lru_cache(maxsize=1)
def cases() -> tuple[Case, ...]:
    """Every case, built once per process (the test modules share them)."""
    rng = random.Random(SEED)
    out: list[Case] = []
    everything = expect_of(PLAIN, COLS)

    def add(case):
        out.append(case)

    # 1–3 plain files: the reference the other shapes must equal
    add(Case("plain.csv", csv_bytes([HEADER] + text_rows(body(PLAIN, COLS, "text"))), expect_of(PLAIN, COLS), shape="plain CSV"))
    add(Case("plain.xlsx", xlsx([("Sheet1", [HEADER] + body(PLAIN, COLS), {})]), everything, shape="plain xlsx"))
    add(Case("text_numbers.xlsx", xlsx([("数据", [HEADER] + body(PLAIN, COLS, "text"), {})]), everything,
             shape="numbers stored as text"))
    # 4 title rows and blank rows above
    rows = title_block(rng) + [HEADER] + body(PLAIN, COLS)
    add(Case("title_rows.xlsx", xlsx([("汇总", rows, {"merge": ["A1:H1"]})]), everything, shape="title rows"))
    # 5–7 单位 lines
    for name, line, unit in [("unit_line_yuan.xlsx", "单位：元", "元"), ("unit_line_jine.xlsx", "金额单位：万元", "万元"),
                             ("unit_line_halfwidth.xlsx", "单位:元", "元")]:
        rows = title_block(rng, line) + [HEADER] + body(PLAIN, COLS, unit=unit)
        add(Case(name, xlsx([("Sheet1", rows, {})]), everything, notes=[] if unit == "万元" else [], shape=f"「{line}」 line"))
    # 8 unit line inside the title row's last cell, full-width brackets
    rows = [["2023年度部门整体支出绩效表", None, None, None, None, None, None, "（单位：元）"], HEADER] + body(records(2023), COLS, unit="元")
    add(Case("unit_in_title_row.xlsx", xlsx([("表1", rows, {})]), expect_of(records(2023), COLS), shape="unit at the end of the title row"))
    # 9 units in the headers, mixed
    heads = [HEAD[c] + ("（元）" if c in ("initial_budget", "actual_spend") else "(万元)" if c in AMOUNTS else "") for c in COLS]
    rows = [heads] + [[r[c] * W if c in ("initial_budget", "actual_spend") else (float(r[c]) if c in AMOUNTS else r[c]) for c in COLS] for r in PLAIN]
    rows = [[float(v) if isinstance(v, Decimal) else v for v in row] for row in rows]
    add(Case("header_units_mixed.xlsx", xlsx([("Sheet1", rows, {})]), everything, shape="（元）/（万元） in headers"))
    # 10 header unit beats the 单位 line (note says so)
    heads = [HEAD[c] + ("（元）" if c == "carryover" else "") for c in COLS]
    rows = [["单位：万元"], heads] + [[(float(r[c] * W) if c == "carryover" else (float(r[c]) if c in AMOUNTS else r[c])) for c in COLS] for r in PLAIN]
    add(Case("header_unit_over_line.xlsx", xlsx([("Sheet1", rows, {})]), everything, notes=["按列名的元读取"],
             shape="header (元) under a 单位：万元 line"))
    # 11 two-row merged header with 序号, parent 预算数 over 年初/调整后
    top = ["序号", "年度", "单位编码", "单位名称", "地区", "预算数", None, "实际支出数", "结转结余"]
    sub = [None, None, None, None, None, "年初预算数", "调整后预算数", None, None]
    rows = title_block(rng, "单位：万元") + [top, sub]
    h = len(rows) - 1
    rows += [[i + 1] + row for i, row in enumerate(body(PLAIN, COLS))]
    merges = [f"{c}{h}:{c}{h + 1}" for c in "ABCDEHI"] + [f"F{h}:G{h}"]
    add(Case("two_row_header.xlsx", xlsx([("Sheet1", rows, {"merge": merges})]), everything, shape="two-row merged header"))
    # 12 two-row header, parent carries the unit, children are short ("年初" / "调整后"), 合计 child
    top = ["年度", "单位名称", "地区", "预算数（元）", None, "支出（元）", "结转结余（元）"]
    sub = [None, None, None, "年初", "调整后", "实际支出数", "合计"]
    cols = ["year", "unit_name", "region", "initial_budget", "adjusted_budget", "actual_spend", "carryover"]
    rows = [top, sub] + body(PLAIN, cols, unit="元")
    add(Case("two_row_parent_unit.xlsx", xlsx([("Sheet1", rows, {"merge": ["A1:A2", "B1:B2", "C1:C2", "D1:E1"]})]),
             expect_of(PLAIN, cols), shape="parent unit carried to children; 合计 child = parent"))
    # 13 subtotal rows anywhere
    rows = [["序号"] + HEADER]
    skipped = []
    rows.append(["合计", None, None, "全市合计", None, 1, 2, 3, 4]); skipped.append((None, 2, "合计"))
    n = 0
    for i, r in enumerate(PLAIN):
        if i % 6 == 3:
            rows.append([None, None, None, "党政机关小计", None, 1, 2, 3, 4]); skipped.append((None, len(rows), "小计"))
            rows.append([None, None, None, "其中：行政单位", None, 1, 2, 3, 4]); skipped.append((None, len(rows), "其中"))
        n += 1
        rows.append([n] + body([r], COLS)[0])
    rows.append(["总计", None, None, None, None, 1, 2, 3, 4]); skipped.append((None, len(rows), "总计"))
    add(Case("subtotals.xlsx", xlsx([("Sheet1", rows, {})]), everything, skipped_rows=skipped, shape="合计/小计/其中 rows anywhere"))
    # 14 合计 in the 序号 column, merged across 序号 and 年度
    rows = [["序号"] + HEADER] + [[i + 1] + row for i, row in enumerate(body(records(2023), COLS))]
    rows.append(["合计", None, None, None, None, 1, 2, 3, 4])
    last = len(rows)
    add(Case("total_in_sequence.xlsx", xlsx([("Sheet1", rows, {"merge": [f"A{last}:B{last}"]})]),
             expect_of(records(2023), COLS), skipped_rows=[(None, last, "合计")], shape="合计 in the 序号 column"))
    # 15 notes and signatures under the table
    rows = [HEADER] + body(records(2022), COLS) + [[], ["注：1.本表金额单位为万元。"], ["2、结转结余含上年结转。"],
                                                      ["填表人：王某", None, "审核人：李某", None, "联系电话：0371-12345678"],
                                                      ["单位负责人（签字）：", None, None, "填报日期：2024年1月15日"]]
    add(Case("notes_under.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(records(2022), COLS),
             skipped_rows=[(None, len(rows), "说明")], shape="notes and 填表人 under the table"))
    # 16 merged unit name over its year rows (sorted by unit), 序号 merged too
    cols = ["unit_name", "region", "year", "initial_budget", "adjusted_budget", "actual_spend", "carryover"]
    rows = [["序号"] + [HEAD[c] for c in cols]]
    merges = []
    by_unit = sorted(PLAIN, key=lambda r: (r["region"], r["unit_name"], r["year"]))
    for i in range(0, len(by_unit), 3):
        group = by_unit[i:i + 3]
        start = len(rows) + 1
        for j, r in enumerate(group):
            row = body([r], cols)[0]
            rows.append([i // 3 + 1 if j == 0 else None] + ([row[0], row[1]] if j == 0 else [None, None]) + row[2:])
        merges += [f"{c}{start}:{c}{start + 2}" for c in "ABC"]
    add(Case("merged_unit_names.xlsx", xlsx([("Sheet1", rows, {"merge": merges})]), expect_of(PLAIN, cols),
             shape="unit name merged over its year rows"))
    # 17 hidden first sheet holding the dropdown lists
    dv = DataValidation(type="list", formula1="=选项!$A$1:$A$3")
    dv.add("E2:E100")
    lists = [["河南省郑州市"], ["河南省新郑市"], ["河南省登封市"]]
    add(Case("hidden_first_sheet.xlsx", xlsx([("选项", lists, {"hidden": True}),
                                              ("填报表", [HEADER] + body(PLAIN, COLS), {"validations": [dv]})]),
             {(("填报表",) + k[1:]): v for k, v in everything.items()}, skipped_sheets=[("选项", "隐藏工作表")],
             shape="hidden first sheet with dropdown lists"))
    # 18 header far below row 10, under filling instructions
    instructions = [["填报说明："]] + [[f"{i}. 请按单位逐行填写，金额保留两位小数，不要合并单元格。"] for i in range(1, rng.randint(12, 20))]
    rows = [["附件2"], ["部门整体支出绩效自评基础数据表"]] + instructions + [[], ["金额单位：万元"], HEADER] + body(PLAIN, COLS)
    add(Case("header_row_%d.xlsx" % (len(rows) - len(PLAIN)), xlsx([("Sheet1", rows, {})]), everything,
             shape="header below row 10"))
    # 19 years written 2023年 / 2023年度 / 二〇二三年
    forms = {2021: "2021年", 2022: "二〇二二年度", 2023: "2023 年度"}
    rows = [HEADER] + [[forms[r["year"]]] + row[1:] for r, row in zip(PLAIN, body(PLAIN, COLS))]
    add(Case("year_forms.xlsx", xlsx([("Sheet1", rows, {})]), everything, shape="2023年 / 二〇二二年度"))
    # 20–24 how amounts are typed
    for style, shape in [("suffix", "12,580.40万元 in cells"), ("yen", "￥12,580.40"), ("full", "full-width digits"),
                         ("accounting", "(1,234.00) negatives"), ("grouped", "thousands separators as text")]:
        add(Case(f"cells_{style}.xlsx", xlsx([("Sheet1", [HEADER] + body(PLAIN, COLS, style), {})]), everything, shape=shape))
    # 25 cells saying 元 in a column whose unit nobody stated: converted per cell
    add(Case("cells_yuan_suffix.xlsx", xlsx([("Sheet1", [HEADER] + body(records(2021), COLS, "suffix", unit="元"), {})]),
             expect_of(records(2021), COLS), shape="125,804元 in cells, no unit stated"))
    # 26 accounting negatives in a 元 file
    rows = [["单位：元"], HEADER] + body(PLAIN, COLS, "accounting", unit="元")
    add(Case("accounting_yuan.xlsx", xlsx([("Sheet1", rows, {})]), everything, shape="(1,234.00) in 元"))
    # 27–31 CSV flavours
    text = [HEADER] + text_rows(body(PLAIN, COLS, "text"))
    add(Case("semicolon.csv", csv_bytes(text, ";"), everything, notes=["分号"], shape="semicolon CSV"))
    add(Case("tab.tsv", csv_bytes(text, "\t"), everything, notes=["制表符"], shape="TSV"))
    add(Case("gbk.csv", csv_bytes([["单位：元"], HEADER] + text_rows(body(PLAIN, COLS, unit="元")), ",", "gbk"), everything,
             shape="GBK CSV with 单位：元 line"))
    add(Case("bom_title.csv", b"\xef\xbb\xbf" + csv_bytes([["2021-2023年度汇总"], [], HEADER] + text_rows(body(PLAIN, COLS, "grouped"))),
             everything, shape="UTF-8 BOM CSV with title, grouped numbers"))
    add(Case("csv_renamed.xlsx", csv_bytes(text), everything, notes=["按 CSV 读取"], shape="CSV renamed .xlsx"))
    # 32 national form headers
    heads = ["年度", "单位编码", "部门名称", "地区", "年初预算数", "全年预算数", "全年执行数", "结转结余"]
    add(Case("national_headers.xlsx", xlsx([("Sheet1", [heads] + body(PLAIN, COLS), {})]), everything,
             shape="全年预算数 / 全年执行数 / 部门名称"))
    # 33 short forms: 单位 / 预算数 (sole budget column) / 支出数
    cols = ["year", "unit_name", "region", "adjusted_budget", "actual_spend"]
    add(Case("short_headers.xlsx", xlsx([("Sheet1", [["年度", "单位", "地区", "预算数", "支出数"]] + body(PLAIN, cols), {})]),
             expect_of(PLAIN, cols), notes=["唯一的预算列"], shape="单位 / 预算数 (sole) / 支出数"))
    # 34 one sheet per year, no year column; a 说明 sheet and an empty template sheet are named
    cols = ["unit_code", "unit_name", "region", "initial_budget", "adjusted_budget", "actual_spend", "carryover"]
    sheets = [("填报说明", [["本工作簿每年一张表"], ["金额单位均为万元"]], {})]
    for year in YEARS:
        rows = [[f"{year}年度部门整体支出情况"], ["单位：万元"], [HEAD[c] for c in cols]] + body(records(year), cols)
        sheets.append((f"{year}年", rows, {}))
    sheets.append(("2024年", [["2024年度部门整体支出情况"], [HEAD[c] for c in cols]], {}))
    exp = {}
    for year in YEARS:
        exp.update({(f"{year}年",) + k[1:]: v for k, v in expect_of(records(year), cols + ["year"]).items()})
    add(Case("sheet_per_year.xlsx", xlsx(sheets), exp,
             skipped_sheets=[("填报说明", "找不到表头"), ("2024年", "只有表头")], notes=["取自工作表名"],
             shape="one sheet per year, year from the sheet name"))
    # 35 codes: text with zeros, number, zero-padded format, full-width
    rows = [HEADER]
    formats = {}
    for i, r in enumerate(records(2023)):
        row = body([r], COLS)[0]
        if r["unit_code"] == "001234":
            row[1] = 1234
            formats[(len(rows) + 1, 2)] = "000000"
        elif i % 2:
            row[1] = "".join("０１２３４５６７８９"[int(d)] for d in r["unit_code"])
        rows.append(row)
    # A plain number is its digits. (Not 1234 beside the 001234 above: two spellings of one code
    # in one upload, neither stored, are refused by the importer — test_ingest_identity.)
    rows.append([2022, 56789] + body(records(2022, {"新郑市卫生健康委员会"}), COLS)[0][2:])
    exp = expect_of(records(2023), COLS)
    exp.update({k: {**v, "unit_code": "56789"} for k, v in expect_of(records(2022, {"新郑市卫生健康委员会"}), COLS).items()})
    add(Case("codes.xlsx", xlsx([("Sheet1", rows, {"formats": formats})]), exp, notes=["前导零"],
             shape="codes as text, number, 000000 format, full-width"))
    # 36 rate columns beside amounts: text %, percent-formatted number, header (%)
    cols = ["year", "unit_name", "region", "adjusted_budget", "actual_spend"]
    rows = [[HEAD[c] for c in cols] + ["执行率", "预算执行率（%）"]]
    formats = {}
    for r in PLAIN:
        rows.append(body([r], cols)[0] + [float(r["rate"]), float(r["rate"] * 100)])
        formats[(len(rows), 6)] = "0.00%"
    add(Case("rates_beside.xlsx", xlsx([("Sheet1", rows, {"formats": formats})]), None,
             refuse=[(None, 1, "G", "都表示预算执行率")], shape="two rate columns for one rate → refused"))
    rows = [[HEAD[c] for c in cols] + ["执行率"]] + [body([r], cols)[0] + [f"{r['rate'] * 100:.2f}%"] for r in PLAIN]
    add(Case("rate_text.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(PLAIN, cols, rate=True), shape="执行率 87.56% text"))
    rows = [[HEAD[c] for c in cols] + ["预算执行率(%)"]] + [body([r], cols)[0] + [float(r["rate"] * 100)] for r in PLAIN]
    add(Case("rate_header_percent.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(PLAIN, cols, rate=True), shape="执行率(%) header"))
    rows = [[HEAD[c] for c in cols] + ["执行率"]]
    formats = {}
    for r in PLAIN:
        rows.append(body([r], cols)[0] + [float(r["rate"])])
        formats[(len(rows), 6)] = "0.00%"
    add(Case("rate_formatted.xlsx", xlsx([("Sheet1", rows, {"formats": formats})]), expect_of(PLAIN, cols, rate=True),
             shape="percent-formatted number cells"))
    # 40 old .xls with a hidden sheet and a merged title
    add(Case("old_format.xls", _xls(), expect_of(records(2022), COLS, sheet="2022年"),
             skipped_sheets=[("代码表", "隐藏工作表")], shape="old binary .xls"))
    # 41 blank rows, whitespace cells, trailing empties, group title rows, 栏次 row
    rows = [HEADER, ["栏次"] + [str(i) for i in range(1, 8)], ["一、市直部门"]]
    for i, row in enumerate(body(records(2023), COLS)):
        if i == 3:
            rows += [[], ["二、县区"], [" ", None, "  "]]
        rows.append(row)
    rows += [[], [], [None, None, None]]
    add(Case("blank_and_groups.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(records(2023), COLS),
             skipped_rows=[(None, 2, "栏次"), (None, 3, "分组"), (None, 8, "分组")], shape="栏次 row, 一、 group rows, blanks"))
    # 42 header cells with line breaks and spaces, columns in another order, unknown columns
    cols = ["unit_name", "actual_spend", "year", "adjusted_budget", "region", "initial_budget", "carryover", "unit_code"]
    heads = ["单 位 名 称", "实际\n支出数", "年度", "调整后\n预算数", "地区", "年初预算数", "结转结余", "单位编码"]
    rows = [heads + ["备注", "联系人"]] + [row + ["", "张三"] for row in body(PLAIN, cols)]
    add(Case("odd_headers.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(PLAIN, cols), notes=["未识别", "备注"],
             shape="line breaks / spaces in headers, other order, extra columns"))
    # 43 the data sheet second, a cover sheet first
    add(Case("cover_first.xlsx", xlsx([("封面", [["2021-2023年度部门整体支出绩效自评"], ["报送单位：郑州市财政局"]], {}),
                                        ("数据", [HEADER] + body(PLAIN, COLS), {})]),
             {("数据",) + k[1:]: v for k, v in everything.items()}, skipped_sheets=[("封面", "找不到表头")], shape="cover sheet first"))
    # 44 cents in a 元 file: 万元 with six decimals, exact
    rows = [["单位：元"], HEADER]
    exp = {}
    for r in records(2023):
        cents = {c: r[c] + Decimal(rng.randrange(1, 9999)) / 1000000 for c in AMOUNTS}
        rows.append([r["year"], r["unit_code"], r["unit_name"], r["region"]] + [f"{cents[c] * W:,.2f}" for c in AMOUNTS])
        exp[key(None, r)] = {"year": Decimal(r["year"]), "unit_code": r["unit_code"], **cents}
    add(Case("yuan_cents.xlsx", xlsx([("Sheet1", rows, {})]), exp, shape="元 with cents → 6-decimal 万元"))
    # 45 two counties' 县教育局 kept apart by 地区
    two = [r for r in PLAIN if r["unit_name"] == "县教育局"]
    add(Case("same_name_two_regions.csv", csv_bytes([HEADER] + text_rows(body(two, COLS, "text"))), expect_of(two, COLS),
             shape="县教育局 in two counties"))
    # 46 亿元 / 千元 headers
    heads = ["年度", "单位编码", "单位名称", "地区", "年初预算数（千元）", "调整后预算数（千元）", "实际支出数（千元）", "结转结余（千元）"]
    rows = [heads] + [[r["year"], r["unit_code"], r["unit_name"], r["region"]] + [f"{r[c] * 10:.1f}" for c in AMOUNTS] for r in PLAIN]
    add(Case("thousand_yuan.xlsx", xlsx([("Sheet1", rows, {})]), everything, shape="（千元） headers"))
    # 47 a row of units under the header: 「（元）」 under each amount
    rows = [HEADER, [None] * 4 + ["（元）"] * 4] + body(PLAIN, COLS, unit="元")
    add(Case("unit_row_under_header.xlsx", xlsx([("Sheet1", rows, {})]), everything, shape="（元） row under the header"))
    # 48 「单位：」 and 「元」 in two cells
    rows = [["部门整体支出汇总表"], [None, None, None, None, None, None, "单位：", "元"], HEADER] + body(PLAIN, COLS, unit="元")
    add(Case("unit_split_cells.xlsx", xlsx([("Sheet1", rows, {})]), everything, shape="单位： | 元 in two cells"))
    # 49 codes exported as ="001234" and '101001 in a CSV
    text = [HEADER]
    for i, r in enumerate(text_rows(body(PLAIN, COLS, "text"))):
        r[1] = f'="{r[1]}"' if i % 2 else f"'{r[1]}"
        text.append(r)
    add(Case("excel_text_codes.csv", csv_bytes(text), everything, shape='="001234" codes in CSV'))
    # 51 Excel's 「Unicode 文本」: UTF-16 with BOM, tab-separated
    add(Case("unicode_text.txt", "\ufeff".encode("utf-16-le") + "\r\n".join("\t".join(r) for r in
             [HEADER] + text_rows(body(PLAIN, COLS, "text"))).encode("utf-16-le"), everything, shape="UTF-16 tab text"))
    # 50 a stray title line and a one-cell remark inside the body
    rows = [HEADER] + body(records(2023), COLS)[:3] + [["（以下为县区单位）"]] + body(records(2023), COLS)[3:]
    add(Case("stray_line.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(records(2023), COLS),
             skipped_rows=[(None, 5, "没有名称也没有数字")], shape="a one-cell remark between data rows"))
    # 52 group rows carrying their group's sums: 一 in 序号, （二）县区 as a name; 备注 saying 其中…
    recs = records(2023)
    groups = [recs[:3], recs[3:]]
    rows = [["序号"] + HEADER + ["备注"]]
    skipped = []
    for g, label in zip(groups, [("一", "市直部门"), (None, "（二）县区单位")]):
        rows.append([label[0], 2023, None, label[1], None] + [float(sum(r[c] for r in g)) for c in AMOUNTS] + [None])
        skipped.append((None, len(rows), "分组汇总行"))
        for i, r in enumerate(g):
            rows.append([i + 1] + body([r], COLS)[0] + ["其中：专项资金 50 万元" if i == 0 else None])
    add(Case("group_sum_rows.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(recs, COLS), skipped_rows=skipped,
             shape="group rows with sums (一 / （二）…), 其中 in 备注"))
    # 53 numbered hierarchy 1 / 1.1 / 1.2: the parent equals its children's sum
    rows = [["序号"] + HEADER]
    skipped = []
    for k, g in enumerate(groups, start=1):
        rows.append([str(k), 2023, None, f"系统{k}", "河南省"] + [float(sum(r[c] for r in g)) for c in AMOUNTS])
        skipped.append((None, len(rows), "上级汇总行"))
        for i, r in enumerate(g, start=1):
            rows.append([f"{k}.{i}"] + body([r], COLS)[0])
    add(Case("numbered_hierarchy.xlsx", xlsx([("Sheet1", rows, {})]), expect_of(recs, COLS), skipped_rows=skipped,
             shape="序号 1 / 1.1 / 1.2, parent = sum"))
    out += refusals(rng)
    out += random_layouts(rng, 16)
    return tuple(out)


SUBTOTALS = ["合计", "小计", "总计", "全市合计", "市直小计", "其中：行政单位", "县区合计", "党政机关小计"]
NOTES = ["注：本表数据来源于部门决算。", "填表人：赵六", "审核人：钱七　　联系电话：13800000000", "说明：执行率=实际支出/全年预算",
         "单位负责人：", "1、请勿修改表头。"]
YEAR_STYLES = [lambda y: y, str, lambda y: f"{y}年", lambda y: f"{y}年度",
               lambda y: str(y).translate(str.maketrans("0123456789", "〇一二三四五六七八九")) + "年"]


def amount_cell(d: Decimal, unit: str, style: str):
    value = d if unit == "万元" else d * W
    if style == "number":
        return int(value) if value == int(value) else float(value)
    grouped = f"{value:,.2f}"
    return {"text": str(value), "grouped": grouped, "yen": f"￥{grouped}", "suffix": grouped + unit,
            "full": grouped.translate(FULL),
            "accounting": f"({-value:,.2f})" if value < 0 else grouped}[style]


def random_layouts(rng: random.Random, count: int) -> list[Case]:
    """Layouts mixing every feature at random positions: harder than any one file users send."""
    out = []
    for n in range(count):
        as_csv = rng.random() < 0.3
        unit_mode = rng.choice(["default", "line_wan", "line_yuan", "header_yuan"])
        unit = "元" if unit_mode in ("line_yuan", "header_yuan") else "万元"
        seq = rng.random() < 0.6
        two_row = not as_csv and rng.random() < 0.5
        year = rng.choice(YEARS + [None])          # None: every year in one table
        recs = records(year) if year else list(PLAIN)
        rng.shuffle(recs)
        cols = ["year", "unit_code", "unit_name", "region"] + rng.sample(AMOUNTS, rng.randint(2, 4))
        if "actual_spend" not in cols:
            cols.append("actual_spend")
        rng.shuffle(cols)
        head = {c: HEAD[c] + ("（元）" if unit_mode == "header_yuan" and c in AMOUNTS else "") for c in cols}
        rows = [[f"{year or '2021-2023'}年度部门整体支出绩效情况表"]]
        rows += [[] for _ in range(rng.randint(0, 2))]
        rows += [[f"{i}. 填报要求第 {i} 条。"] for i in range(1, rng.choice([0, 0, 3, 12]) + 1)]
        if unit_mode.startswith("line"):
            rows.append([None] * rng.randint(0, len(cols) - 1) + [rng.choice(["单位：", "金额单位：", "单位:"]) + unit])
        lead = ["序号"] if seq else []
        if two_row and "initial_budget" in cols and "adjusted_budget" in cols:
            cols.remove("adjusted_budget")
            cols.insert(cols.index("initial_budget") + 1, "adjusted_budget")
            i = cols.index("initial_budget") + len(lead)
            top = lead + [head[c] for c in cols]
            top[i], top[i + 1] = "预算数" + ("（元）" if unit_mode == "header_yuan" else ""), None
            sub = [None] * len(top)
            sub[i], sub[i + 1] = "年初预算数", "调整后预算数"
            rows += [top, sub]
            h = len(rows) - 1
            merges = [f"{openpyxl.utils.get_column_letter(j + 1)}{h}:{openpyxl.utils.get_column_letter(j + 1)}{h + 1}"
                      for j in range(len(top)) if j not in (i, i + 1)]
            merges.append(f"{openpyxl.utils.get_column_letter(i + 1)}{h}:{openpyxl.utils.get_column_letter(i + 2)}{h}")
        else:
            rows.append(lead + [head[c] for c in cols])
            merges = []
        skipped = []
        styles = ["number", "text", "grouped", "yen", "suffix", "full", "accounting"]
        for k, r in enumerate(recs):
            if rng.random() < 0.15:
                rows.append([])
            if rng.random() < 0.12:
                label = rng.choice(SUBTOTALS)
                row = ([label] if seq else []) + [None if c != "unit_name" or seq else label for c in cols]
                row = [rng.choice(["1,234.00", 99]) if c in AMOUNTS and rng.random() < 0.7 else v
                       for c, v in zip(([None] if seq else []) + cols, row)]
                rows.append(row)
                skipped.append((None, len(rows), "合计/小计"))
            row = [k + 1] if seq else []
            for c in cols:
                if c in AMOUNTS:
                    row.append(amount_cell(r[c], unit, rng.choice(styles)))
                elif c == "year":
                    row.append(rng.choice(YEAR_STYLES)(r["year"]))
                else:
                    row.append(r[c])
            rows.append(row)
        if rng.random() < 0.7:
            rows.append([])
            for note in rng.sample(NOTES, rng.randint(1, 3)):
                rows.append([note])
                skipped.append((None, len(rows), "说明"))
        exp = expect_of(recs, cols)
        name = f"random_{n:02d}" + (".csv" if as_csv else ".xlsx")
        if as_csv:
            data = csv_bytes(text_rows(rows), rng.choice([",", ",", "\t", ";"]), rng.choice(["utf-8", "gbk"]))
        else:
            data = xlsx([(f"{year}年" if year else "汇总", rows, {"merge": merges})])
        out.append(Case(name, data, exp, skipped_rows=skipped,
                        shape=f"random: {'csv' if as_csv else 'xlsx'}, unit {unit_mode}, 序号 {seq}, two-row {bool(merges)}"))
    return out


def _xls() -> bytes:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    codes = book.add_sheet("代码表")
    codes.write(0, 0, "市级")
    codes.visibility = 1
    ws = book.add_sheet("2022年")
    ws.write_merge(0, 0, 0, 7, "2022年度部门整体支出绩效")
    ws.write(1, 7, "单位：元")
    for c, h in enumerate(HEADER):
        ws.write(2, c, h)
    for i, row in enumerate(body(records(2022), COLS, unit="元")):
        for c, v in enumerate(row):
            ws.write(3 + i, c, v)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _encrypted(plain: bytes) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(plain)).encrypt("123456", out)
    return out.getvalue()


def refusals(rng) -> list[Case]:
    out = []
    good = xlsx([("Sheet1", [HEADER] + body(PLAIN, COLS), {})])
    out.append(Case("encrypted.xlsx", _encrypted(good), refuse=[(None, None, None, "打开密码")], shape="opening password"))
    out.append(Case("truncated.xlsx", good[: len(good) // 2], refuse=[(None, None, None, "已损坏或不完整")], shape="truncated download"))
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr("[Content_Types].xml", "<Types/>")
    out.append(Case("report.xlsx", zipped.getvalue(), refuse=[(None, None, None, "Word 文档")], shape="Word file renamed .xlsx"))
    out.append(Case("export.xls", "<html><body><table><tr><td>单位名称</td></tr></table></body></html>".encode(),
                    refuse=[(None, None, None, "网页（HTML）")], shape="HTML saved as .xls"))
    out.append(Case("report.pdf.xlsx", b"%PDF-1.7\n...", refuse=[(None, None, None, "PDF")], shape="PDF renamed"))
    # ambiguous 预算数 beside 年初预算数
    heads = ["年度", "单位名称", "地区", "年初预算数", "预算数", "实际支出数"]
    cols = ["year", "unit_name", "region", "initial_budget", "adjusted_budget", "actual_spend"]
    rows = [["单位：万元"], heads] + body(PLAIN, cols)
    out.append(Case("ambiguous_budget.xlsx", xlsx([("Sheet1", rows, {})]),
                    refuse=[(None, 2, "E", "可能是年初预算数，也可能是调整后预算数")], shape="预算数 beside 年初预算数"))
    # 元 written in a cell of a column the header declares 万元
    heads = [h + ("（万元）" if c in AMOUNTS else "") for h, c in zip(HEADER, COLS)]
    rows = [heads] + body(records(2023), COLS)
    bad_row = rng.randint(2, len(rows))
    rows[bad_row - 1][6] = "125,804元"
    out.append(Case("yuan_in_wanyuan.xlsx", xlsx([("Sheet1", rows, {})]),
                    refuse=[(None, bad_row, "G", "两处单位矛盾")], shape="元 in a (万元) column"))
    # 单位 line says 元, the note under the table says 万元
    rows = [["单位：元"], HEADER] + body(records(2021), COLS, unit="元") + [["注：本表金额单位为万元"]]
    out.append(Case("unit_conflict.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 1, None, "相互矛盾")],
                    shape="单位 line vs note disagree"))
    # decimal comma in a semicolon CSV
    text = [HEADER] + text_rows(body(records(2023), COLS, "text"))
    text[3][5] = text[3][5].replace(".", ",")
    out.append(Case("decimal_comma.csv", csv_bytes(text, ";"), refuse=[(None, 4, "F", "逗号")], shape="12580,40 decimal comma"))
    # scientific notation in a code column of a CSV
    text = [HEADER] + text_rows(body(records(2023), COLS, "text"))
    text[2][1] = "1.01001E+11"
    out.append(Case("scientific_code.csv", csv_bytes(text), refuse=[(None, 3, "B", "科学计数法")], shape="1.01001E+11 code"))
    # a rate with no % anywhere
    cols = ["year", "unit_name", "region", "adjusted_budget", "actual_spend"]
    rows = [[HEAD[c] for c in cols] + ["执行率"]] + [body([r], cols)[0] + [f"{r['rate'] * 100:.2f}"] for r in records(2023)]
    out.append(Case("rate_plain.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 2, "F", "没有注明 %")], shape="87.56 without %"))
    # an amount merged over two rows
    rows = [HEADER] + body(records(2023), COLS)
    out.append(Case("merged_amount.xlsx", xlsx([("Sheet1", rows, {"merge": ["G3:G4"]})]),
                    refuse=[(None, 3, "G", "合并单元格")], shape="amount merged over two rows"))
    # a data row after the notes
    rows = [HEADER] + body(records(2023), COLS)[:3] + [["注：以上为市直部门"]] + body(records(2023), COLS)[3:4]
    out.append(Case("data_after_notes.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 6, "C", "说明")],
                    shape="data row under the notes"))
    # two headers naming one column
    heads = HEADER[:6] + ["全年执行数", "实际支出数"]
    out.append(Case("duplicate_columns.xlsx", xlsx([("Sheet1", [heads] + body(records(2023), COLS), {})]),
                    refuse=[(None, 1, "H", "都表示实际支出数")], shape="全年执行数 and 实际支出数 both"))
    # the sheet name and the title give different years, no year column
    cols = ["unit_name", "region", "actual_spend", "adjusted_budget"]
    rows = [["2022年度部门整体支出情况"], [HEAD[c] for c in cols]] + body(records(2023), cols)
    out.append(Case("year_conflict.xlsx", xlsx([("2023年", rows, {})]), refuse=[("2023年", None, None, "不止一个")],
                    shape="sheet name 2023年, title 2022年度"))
    # a date in the year column, a 大写 amount, a formula never calculated
    rows = [HEADER] + body(records(2023), COLS)
    import datetime as dt
    rows[2][0] = dt.datetime(2023, 1, 1)
    rows[4][4] = "一千二百"
    rows[5][5] = "=SUM(F2:F5)"
    out.append(Case("bad_cells.xlsx", xlsx([("Sheet1", rows, {})]),
                    refuse=[(None, 3, "A", "日期"), (None, 5, "E", "阿拉伯数字"), (None, 6, "F", "没有计算结果")],
                    shape="date year, 大写 amount, uncalculated formula"))
    # no table anywhere; every sheet hidden
    out.append(Case("no_table.xlsx", xlsx([("Sheet1", [["关于报送2023年度绩效自评结果的函"], ["各单位："]], {})]),
                    refuse=[(None, None, None, "找不到表头")], shape="a letter, not a table"))
    out.append(Case("all_hidden.xlsx", xlsx([("A", [HEADER] + body(records(2023), COLS), {"hidden": True}),
                                             ("B", [["见隐藏的工作表"]], {})]),
                    refuse=[(None, None, None, "隐藏工作表")], shape="the data on a hidden sheet only"))
    # a bad cell in the second of three year sheets names that sheet
    sheets = []
    for year in YEARS:
        rows = [HEADER] + body(records(year), COLS)
        if year == 2022:
            rows[3][7] = "见附件"
        sheets.append((f"{year}年", rows, {}))
    out.append(Case("bad_in_second_sheet.xlsx", xlsx(sheets), refuse=[("2022年", 4, "H", "不是有效数字")],
                    shape="a bad cell in one of several sheets"))
    # an Excel error value where a figure should be
    rows = [HEADER] + body(records(2023), COLS)
    rows[3][6] = "#DIV/0!"
    out.append(Case("error_value.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 4, "G", "#DIV/0!")],
                    shape="#DIV/0! in an amount cell"))
    # a percentage-formatted amount
    rows = [HEADER] + body(records(2023), COLS)
    out.append(Case("percent_amount.xlsx", xlsx([("Sheet1", rows, {"formats": {(3, 8): "0.00%"}})]),
                    refuse=[(None, 3, "H", "百分比格式")], shape="percent format on an amount"))
    # a second table stacked under the first, in 元
    rows = ([["单位：万元"], HEADER] + body(records(2022), COLS) + [[], ["2023年度"], ["单位：元"], HEADER]
            + body(records(2023), COLS, unit="元"))
    out.append(Case("stacked_tables.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 1, None, "相互矛盾")],
                    shape="two tables stacked, different units"))
    # a second table of another year stacked under the first, no year column, same unit
    cols = ["unit_name", "region", "adjusted_budget", "actual_spend"]
    rows = ([["2022年度部门支出"], [HEAD[c] for c in cols]] + body(records(2022), cols) + [[], ["2023年度部门支出"],
            [HEAD[c] for c in cols]] + body(records(2023), cols))
    out.append(Case("stacked_years.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 10, None, "像是第二张表")],
                    shape="2022 and 2023 tables stacked, year only in the titles"))
    # a second table with its columns in another order
    swapped = [HEAD[c] for c in cols[:2]] + [HEAD[cols[3]], HEAD[cols[2]]]
    rows = [[HEAD[c] for c in cols + ["year"]]] + body(records(2022), cols + ["year"]) + [swapped + ["年度"]]
    rows += [r[:2] + [r[3], r[2], r[4]] for r in body(records(2023), cols + ["year"])]
    out.append(Case("stacked_reordered.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 8, "C", "列的顺序")],
                    shape="a repeated header with its columns swapped"))
    # a 汇总 sheet beside the yearly sheets: every unit-year twice
    sheets = [("汇总", [HEADER] + body(PLAIN, COLS), {})]
    sheets += [(f"{y}年", [HEADER] + body(records(y), COLS), {}) for y in YEARS]
    out.append(Case("summary_and_years.xlsx", xlsx(sheets), refuse=[("2021年", 2, None, "工作表「汇总」第 2 行")],
                    shape="a 汇总 sheet beside the yearly sheets"))
    # a numbered parent that is not its children's sum (a unit of its own, or a slip)
    recs = records(2022)
    rows = [["序号"] + HEADER, ["1", 2022, "109000", "教育系统", "河南省", 100.0, 110.0, 90.0, 20.0]]
    rows += [[f"1.{i}"] + body([r], COLS)[0] for i, r in enumerate(recs[:2], start=1)]
    out.append(Case("hierarchy_not_sum.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, 2, "F", "不等于它们之和")],
                    shape="序号 1 over 1.1, 1.2 that do not add up"))
    # a year range in the title, no year column
    cols = ["unit_name", "region", "actual_spend"]
    rows = [["2021—2023年度部门支出"], [HEAD[c] for c in cols]] + body(records(2023), cols)
    out.append(Case("year_range_title.xlsx", xlsx([("Sheet1", rows, {})]), refuse=[(None, None, None, "不止一个")],
                    shape="2021—2023年度 title, no year column"))
    return out


def build(directory: Path) -> list[Case]:
    directory.mkdir(parents=True, exist_ok=True)
    found = cases()
    for case in found:
        (directory / case.name).write_bytes(case.data)
    return found


if __name__ == "__main__":
    import sys

    made = build(Path(sys.argv[1] if len(sys.argv) > 1 else "sheet_corpus"))
    print(f"{len(made)} files")
