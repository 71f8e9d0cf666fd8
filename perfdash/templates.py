"""Blank upload templates (data/templates/): one CSV and one XLSX per kind of file.

Every template carries every header of its kind, exactly the canonical labels of
`perfdash.ingest.COLUMNS`, and one example row that the importer accepts as it is. CSVs are
UTF-8 with a BOM so Excel on a Chinese Windows opens them without garbling; the XLSX has the
data on its first sheet (the one the importer reads) and a 「填表说明」 sheet after it.

Regenerate with ``python -m perfdash.templates [--out DIR]``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from perfdash import ingest
from perfdash.ingest.columns import UNIT_MAP_COLUMNS
from perfdash.present.tabular import to_csv_bytes

TEMPLATE_NAMES = {kind: f"{label}模板" for kind, label in ingest.KIND_LABEL.items()}

_UNIT = {"年度": 2024, "单位编码": "999901", "单位名称": "示例县教育局"}
EXAMPLES: dict[str, dict] = {
    "budget": {**_UNIT, "地区": "河南省示例市", "层级": "县级", "行业": "教育",
               "年初预算数": 1200.00, "调整后预算数": 1260.50, "实际到位资金": 1250.00,
               "实际支出数": 1190.30, "结转结余": 70.20, "上年结转结余": 55.00,
               "三公经费预算数": 8.00, "三公经费实际数": 6.50, "政府采购预算数": 300.00,
               "政府采购实际数": 285.40, "自评得分": 92.50, "评价等级": "优",
               "外部评价得分": 88.00, "外部评价等级": "良", "来源": "自评报告四(一)（可留空）"},
    "scores": {**_UNIT, "一级指标": "预算执行", "分值": 10, "得分": 9.50, "评分类别": "自评",
               "来源": "自评报告三、（可留空）"},
    "projects": {**_UNIT, "项目名称": "校舍维修改造项目", "项目类别": "基本建设类",
                 "预算数": 200.00, "实际支出数": 186.40, "来源": "自评报告六(一)（可留空）"},
    "stated_rates": {**_UNIT, "比率": "预算执行率", "报告所列值": "94.43%",
                     "来源": "自评报告四(一)：……预算执行率为94.43%"},
    "unit_map": {"原单位名称": "示例县文化局", "原单位编码": "", "原地区": "河南省示例市",
                 "单位名称": "示例县文化广电和旅游局", "单位编码": "999902", "地区": "河南省示例市"},
}

_TYPE_NOTES = {
    "int": "整数，如 2024",
    "text": "文字",
    "amount": "金额，单位万元（列名写成「…（元）」则按元填写，导入时换算为万元）；没有的数留空",
    "score": "分数，0–100",
    "grade": "优 / 良 / 中 / 差（也可写 优秀 / 良好 / 中等 / 较差）",
    "level": "省级 / 市级 / 县级（区级按县级）",
    "rate": "报告印出的比率，带百分号，如 79.34%（不带百分号无法判断是百分数还是小数，会被拒绝）",
    "score_of": "自评（默认）或 评价（外部评价给出的得分）",
}
_EXTRA_NOTES = {
    "unit_code": "建议填写：单位更名（机构改革）后仍能对上历年数据；不填则按单位名称对应",
    "adjusted_budget": "即全年预算数；未调整时可留空，按年初预算数计算执行率",
    "carryover": "年末结转结余",
    "prior_carryover": "不填时取该单位上一年度导入的结转结余",
    "dimension": "如 预算执行 / 投入管理 / 产出 / 效益，或 决策 / 过程 / 产出 / 效益",
    "max_score": "该一级指标的满分",
    "score": "不能超过分值",
    "source": "可选：数据出自报告的哪一句或表格哪一格，导入后在单位画像和核对中显示",
    "evaluation_score": "部门评价、财政重点评价或第三方给出的得分（不是自评）",
    "metric": "报告所写的比率名称，如 预算执行率 / 结余率 / 控制率",
    "old_name": "单位更名、合并或改编码之前的名称；填了原单位编码可不填",
    "old_code": "原来的单位编码；没有编码的单位填原单位名称（和原地区）",
    "old_region": "原单位所在地区；两个地区有同名单位时必填",
}


def _columns(kind: str):
    """The columns of a kind's template (the unit map is no table of figures: columns.UNIT_MAP_COLUMNS)."""
    found = ingest.COLUMNS.get(kind) or UNIT_MAP_COLUMNS
    return [c for c in found if c.template]


def template_frame(kind: str) -> pd.DataFrame:
    """The template of one kind: every canonical header and the example row."""
    labels = [c.label for c in _columns(kind)]
    return pd.DataFrame([EXAMPLES[kind]], columns=labels)


def csv_bytes(kind: str) -> bytes:
    frame = template_frame(kind)
    amounts = [c.label for c in _columns(kind) if c.type == "amount"]
    scores = [c.label for c in _columns(kind) if c.type == "score"]
    for label in amounts + scores:
        frame[label] = frame[label].map(lambda v: f"{v:.2f}" if float(v) % 1 else f"{v:g}")
    return to_csv_bytes(frame)


def xlsx_bytes(kind: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    columns = _columns(kind)
    example = EXAMPLES[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "数据"
    header_font = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    optional_fill = PatternFill("solid", fgColor="DDEBF7")
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i, value=column.label)
        cell.font = header_font
        cell.fill = required_fill if column.required else optional_fill
        cell.alignment = Alignment(horizontal="center")
        value = sheet.cell(row=2, column=i, value=example.get(column.label))
        if column.type == "amount" or (column.type == "score" and column.id != "max_score"):
            value.number_format = "0.00"
        elif column.type == "text":
            value.number_format = "@"   # keeps unit codes such as 010101 as text
        width = max(10, 2 * len(column.label) + 2, len(str(example.get(column.label, ""))) * 2 + 2)
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("填表说明")
    notes.append(["列名", "是否必填", "填写说明", "也可写作"])
    for cell in notes[1]:
        cell.font = header_font
    for column in columns:
        required = "必填" if column.required else "选填"
        if kind == "budget" and column.id in ("initial_budget", "adjusted_budget"):
            required = "二者至少填一列"
        elif kind == "budget" and column.id == "actual_spend":
            required = "必须有此列（尚无执行数时可留空）"
        note = "；".join(filter(None, [_TYPE_NOTES[column.type], _EXTRA_NOTES.get(column.id)]))
        notes.append([column.label, required, note, "、".join(column.aliases)])
    notes.append([])
    if kind == "unit_map":
        notes.append(["说明", "", "一行一个对照：原单位（更名、合并或改编码之前）→ 现在的单位。导入后原单位的历年数据"
                      "归入现单位，之后上传的表格仍用原名称或原编码的，也归入现单位。原单位和现单位同一年都有数据时"
                      "会被拒绝（归并后会重复）。回滚该批次即可撤销对照。", ""])
    else:
        notes.append(["说明", "", "数据请填在第一个工作表「数据」中，一行一个单位（一个项目 / 一个一级指标）；"
                      "示例行请替换为实际数据。橙色列名为必填列。", ""])
    for letter, width in zip("ABCD", (18, 14, 70, 40)):
        notes.column_dimensions[letter].width = width

    workbook.properties.created = _FIXED_TIME
    workbook.properties.creator = "perfdash"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _stable_zip(buffer.getvalue())


_FIXED_TIME = dt.datetime(2024, 1, 1)
_STAMP = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")


def _stable_zip(data: bytes) -> bytes:
    """The same XLSX with fixed timestamps (openpyxl stamps the save time in the archive and
    in docProps/core.xml), so regenerating the committed templates changes no byte."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _STAMP.sub(rb"<dcterms:modified\1>2024-01-01T00:00:00Z</dcterms:modified>",
                                     content)
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, content)
    return out.getvalue()


def write_templates(out_dir) -> list[Path]:
    """Write 预算执行数据模板 / 一级指标得分模板 / 项目支出数据模板 as .csv and .xlsx."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in TEMPLATE_NAMES.items():
        for suffix, render in ((".csv", csv_bytes), (".xlsx", xlsx_bytes)):
            path = out_dir / f"{name}{suffix}"
            path.write_bytes(render(kind))
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    from perfdash.config import PROJECT_ROOT

    parser = argparse.ArgumentParser(prog="python -m perfdash.templates",
                                     description="生成导入模板（data/templates/）")
    parser.add_argument("--out", default=str(PROJECT_ROOT / "data" / "templates"))
    args = parser.parse_args(argv)
    for path in write_templates(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
