"""What the uploaded files may contain: the four kinds of file, their columns and the
headers accepted for them, the values accepted for grades and levels, and how a header row
is recognised (NFKC, no quotes or spaces, a 「（元）」 suffix converted to 万元).
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass


# -- what the files may contain ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    id: str
    label: str                 # canonical Chinese header, used in templates and messages
    aliases: tuple[str, ...]   # other accepted headers (normalised form)
    type: str                  # int | text | amount | score | grade | level | rate | score_of
    required: bool = False
    template: bool = True      # in the upload templates and the demo files


def _col(id, label, type, *aliases, required=False):
    return Column(id, label, tuple(aliases), type, required)


YEAR = _col("year", "年度", "int", "年份", "年", "年度(年)", "预算年度", "年份(年度)", required=True)
UNIT_CODE = _col("unit_code", "单位编码", "text", "单位代码", "预算单位编码", "单位编号", "部门编码", "部门代码",
                 "单位编码(代码)")
REGION = _col("region", "地区", "text", "区域", "所属地区")
UNIT_NAME = _col("unit_name", "单位名称", "text", "预算单位名称", "部门名称", "单位", "预算单位", "部门", "单位全称",
                 "部门(单位)名称", "部门(单位)", "单位(部门)名称", required=True)
# Where a row's figures came from (a report's sentence, a form's cell): kept as provenance.
SOURCE = _col("source", "来源", "text", "数据来源", "出处", "原文")

COLUMNS: dict[str, tuple[Column, ...]] = {
    "budget": (
        YEAR, UNIT_CODE, UNIT_NAME, REGION,
        _col("level", "层级", "level", "级次", "单位层级"),
        _col("sector", "行业", "text", "行业类别", "领域", "所属行业"),
        _col("initial_budget", "年初预算数", "amount", "年初预算", "年初数", "年初预算金额"),
        _col("adjusted_budget", "调整后预算数", "amount", "调整后预算数(全年预算数)", "全年预算数",
             "调整预算数", "全年预算", "全年预算数(调整后预算数)", "调整后预算", "全年预算金额"),
        _col("funds_received", "实际到位资金", "amount", "到位资金", "资金到位数"),
        _col("actual_spend", "实际支出数", "amount", "实际支出数(执行数)", "执行数", "实际支出",
             "预算执行数", "全年执行数", "支出数", "实际支出金额", "全年支出数", "决算支出数", "执行金额",
             required=True),
        _col("carryover", "结转结余", "amount", "结转结余数", "年末结转结余", "结转结余总额", "年末结转和结余", "结转和结余"),
        _col("prior_carryover", "上年结转结余", "amount", "上年结转结余数", "年初结转结余", "年初结转和结余", "上年结转和结余"),
        _col("sangong_budget", "三公经费预算数", "amount", "三公预算数"),
        _col("sangong_actual", "三公经费实际数", "amount", "三公经费支出数", "三公经费执行数", "三公实际数"),
        _col("procurement_budget", "政府采购预算数", "amount", "采购预算数"),
        _col("procurement_actual", "政府采购实际数", "amount", "政府采购执行数", "采购实际数"),
        _col("self_score", "自评得分", "score", "得分", "总得分", "综合得分"),
        _col("grade", "评价等级", "grade", "等级", "自评等级", "绩效等级"),
        # A score someone else gave (部门评价, 财政重点评价, a third party): never a self-score.
        _col("evaluation_score", "外部评价得分", "score", "财政评价得分", "第三方评价得分", "再评价得分",
             "部门评价得分", "评价得分", "重点评价得分"),
        _col("evaluation_grade", "外部评价等级", "grade", "财政评价等级", "第三方评价等级", "再评价等级",
             "部门评价等级", "重点评价等级"),
        SOURCE,
    ),
    "scores": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("dimension", "一级指标", "text", "指标", "评价维度", required=True),
        _col("max_score", "分值", "score", "满分", "指标分值"),
        _col("score", "得分", "score", "实得分", "自评得分", required=True),
        # Which total the score belongs to: 自评 (default) or 评价 (a score someone else gave).
        _col("score_of", "评分类别", "score_of", "得分类别", "评分主体", "所属评分"),
        SOURCE,
        # Optional, not in the template: says which 县教育局 a row means when two regions have one.
        dataclasses.replace(REGION, template=False),
    ),
    "projects": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("project_name", "项目名称", "text", "项目", required=True),
        _col("category", "项目类别", "text", "类别", "项目类型"),
        _col("budget", "预算数", "amount", "项目预算数", "预算金额", "全年预算数", required=True),
        _col("actual_spend", "实际支出数", "amount", "执行数", "实际支出", "支出数", "全年执行数", "预算执行数",
             required=True),
        SOURCE,
        dataclasses.replace(REGION, template=False),
    ),
    # Rates a report printed (报告所列比率): kept as printed, reconciled with the figures.
    "stated_rates": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("metric", "比率", "text", "比率名称", "报告所列比率", "指标名称", required=True),
        _col("value", "报告所列值", "rate", "所列值", "报告值", "报告数值", required=True),
        SOURCE,
        dataclasses.replace(REGION, template=False),
    ),
}


# The unit map (单位对照, ingest/unit_map.py): an old name or code → the unit it now is. Not a
# table of figures (no 年度), told from one by its 原… columns, which no other kind has.
UNIT_MAP_COLUMNS: tuple[Column, ...] = (
    _col("old_name", "原单位名称", "text", "原名称", "原单位", "旧单位名称", "曾用名", "曾用名称", "原部门名称"),
    _col("old_code", "原单位编码", "text", "原编码", "原单位代码", "旧单位编码", "曾用编码", "原部门编码"),
    _col("old_region", "原地区", "text", "原所属地区"),
    _col("unit_name", "单位名称", "text", "现单位名称", "新单位名称", "现单位", "新单位", "现名称", "归入单位"),
    _col("unit_code", "单位编码", "text", "现单位编码", "新单位编码", "单位代码", "现单位代码", "归入单位编码"),
    _col("region", "地区", "text", "现地区", "所属地区", "现所属地区"),
)

# Headers with two readings (normalised) → the two column ids: refused naming both, unless the
# table has no other budget column (see sheets.headers.SOLE_BUDGET).
AMBIGUOUS: dict[str, dict[str, tuple[str, str]]] = {
    "budget": {"预算数": ("initial_budget", "adjusted_budget"),
               "预算金额": ("initial_budget", "adjusted_budget")},
}

KIND_LABEL = {"budget": "预算执行数据", "scores": "一级指标得分", "projects": "项目支出数据",
              "stated_rates": "报告所列比率", "unit_map": "单位对照"}
KEY_COLUMNS = {
    "budget": ["unit_key", "year"],
    "scores": ["unit_key", "year", "score_of", "dimension"],
    "projects": ["unit_key", "year", "project_name"],
    "stated_rates": ["unit_key", "year", "metric"],
}
# Headers that tell the kinds apart; anything else with a unit name is a budget file.
KIND_MARKERS = {"stated_rates": "value", "scores": "dimension", "projects": "project_name"}

GRADE_ALIASES = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中",
                 "差": "差", "较差": "差"}
LEVEL_ALIASES = {"省级": "省级", "省": "省级", "市级": "市级", "市": "市级", "地市级": "市级",
                 "县级": "县级", "县": "县级", "区级": "县级", "县区级": "县级", "县(区)级": "县级",
                 "县(市、区)级": "县级"}
MISSING_TOKENS = {"", "-", "--", "—", "——", "–", "/", "无"}
SCORE_OF_ALIASES = {"自评": "自评", "自评得分": "自评", "单位自评": "自评", "部门自评": "自评",
                    "评价": "评价", "外部评价": "评价", "财政评价": "评价", "第三方评价": "评价",
                    "部门评价": "评价", "再评价": "评价", "重点评价": "评价"}
# The labels reports and forms print for the rates of DESIGN.md section 2 (compared after
# normalise_header): a stated-rates file's 比率, and a rate column beside amounts in a 自评表
# (column id "stated:<rate id>", kept as the report's stated rate, never recomputed).
RATE_PRINTED_LABELS = {
    "execution_rate": ("预算执行率", "执行率", "部门预算执行率", "整体预算执行率", "全年执行率"),
    "carryover_rate": ("结转结余率", "结余率", "结转率"),
    "sangong_control_rate": ("三公经费控制率", "三公控制率", "控制率", "三公经费支出控制率"),
    "funds_arrival_rate": ("资金到位率", "到位率", "预算资金到位率"),
    "adjustment_rate": ("预算调整率", "调整率"),
    "procurement_execution_rate": ("政府采购执行率", "采购执行率"),
    "carryover_change_rate": ("结转结余变动率", "结余变动率"),
}
TOTAL_ROW_LABELS = {"合计", "总计", "小计", "合计数", "总合计"}   # compared without spaces, after NFKC


# -- headers -----------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"^(.*?)\((万元|元)\)$")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")


def normalise_header(text) -> str:
    """NFKC (full-width brackets, digits, letters → half-width), no quotes or spaces, lower-case."""
    text = unicodedata.normalize("NFKC", str(text or "")).translate(_QUOTES)
    return re.sub(r"\s+", "", text).lower()


def _header_index(kind: str) -> dict[str, Column]:
    index = {}
    for column in COLUMNS[kind]:
        for name in (column.id, column.label, *column.aliases):
            index[normalise_header(name)] = column
    return index


HEADER_INDEX = {kind: _header_index(kind) for kind in COLUMNS}


def match_header(kind: str, raw: str) -> tuple[Column | None, float]:
    """The column a header names and the factor that converts its amounts to 万元."""
    norm = normalise_header(raw)
    index = HEADER_INDEX[kind]
    if norm in index:
        return index[norm], 1.0
    unit = _UNIT_SUFFIX.match(norm)
    if unit and unit.group(1) in index:
        return index[unit.group(1)], (0.0001 if unit.group(2) == "元" else 1.0)
    return None, 1.0


RATE_COLUMNS = {normalise_header(name): rate_id for rate_id, names in RATE_PRINTED_LABELS.items()
                for name in (rate_id, *names)}


def rate_id(label: str | None) -> str | None:
    """The rate id a printed label names (预算执行率 → execution_rate), else None."""
    return RATE_COLUMNS.get(normalise_header(label)) if label else None


def detect_kind(headers: list[str]) -> str | None:
    for kind, marker in KIND_MARKERS.items():
        if any((c := match_header(kind, h)[0]) is not None and c.id == marker for h in headers):
            return kind
    if any((c := match_header("budget", h)[0]) is not None and c.id == "unit_name" for h in headers):
        return "budget"
    return None
