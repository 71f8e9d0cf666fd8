"""Every metric defined once: id, Chinese label, format and formula.

Charts, tables, the CLI and the definitions page take labels and formats from here, so a
rate is called and shown the same way everywhere.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from perfdash.config import Config


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    kind: str  # rate | amount | score | count
    formula: str
    description: str = ""
    higher_is_better: bool | None = None

    def fmt(self, value) -> str:
        return FORMATTERS[self.kind](value)

    def formula_for(self, config: Config) -> str:
        """The formula with the denominator the configuration actually uses."""
        if self.id == "execution_rate" and config.execution_denominator == "funds_received":
            return "实际支出数 ÷ 实际到位资金"
        if self.id == "carryover_rate" and config.carryover_denominator == "actual_spend":
            return "结转结余 ÷ 实际支出数"
        return self.formula


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_amount(value) -> str:
    """万元 with thousands separators and two decimals: 28,664.34"""
    return "—" if _missing(value) else f"{float(value):,.2f}"


# A KPI tile holds about eleven characters of its large figures on a 1366 px screen.
TILE_WHOLE_FROM = 1_000_000


def fmt_amount_tile(value) -> str:
    """万元 for a KPI tile: two decimals below 1,000,000 万元, whole 万元 from there on
    (258,385,812 rather than a cut-off 258,385,8…); the tile's help gives the exact figure."""
    if _missing(value) or abs(float(value)) < TILE_WHOLE_FROM:
        return fmt_amount(value)
    return f"{float(value):,.0f}"


def fmt_rate(value) -> str:
    """A fraction shown as percent with two decimals: 0.87562 → 87.56%"""
    return "—" if _missing(value) else f"{float(value) * 100:,.2f}%"


def fmt_pp(delta) -> str:
    """A change between two rates (fractions) in percentage points: +1.23 个百分点"""
    return "—" if _missing(delta) else f"{float(delta) * 100:+,.2f} 个百分点"


def fmt_score(value) -> str:
    return "—" if _missing(value) else f"{float(value):.2f}"


def fmt_count(value) -> str:
    return "—" if _missing(value) else f"{int(value):,}"


FORMATTERS = {"rate": fmt_rate, "amount": fmt_amount, "score": fmt_score, "count": fmt_count}

# d3-format strings for Plotly axes and hovers, matching the formatters above.
PLOTLY_FORMAT = {"rate": ".2%", "amount": ",.2f", "score": ".2f", "count": ",d"}

_BUDGET = "调整后预算数（未填时用年初预算数）"

METRICS: dict[str, Metric] = {
    m.id: m
    for m in [
        Metric("execution_rate", "预算执行率", "rate", f"实际支出数 ÷ {_BUDGET}",
               "年度预算实际花出去的比例；低于目标说明资金沉淀，超过 100% 说明超预算支出。", True),
        Metric("adjustment_rate", "预算调整率", "rate", "(调整后预算数 − 年初预算数) ÷ 年初预算数",
               "年中追加或调减预算的幅度；两个数都填报时才计算。", False),
        Metric("carryover_rate", "结转结余率", "rate", f"结转结余 ÷ {_BUDGET}",
               "年底未花完、结转到下年的资金占预算的比例。", False),
        Metric("carryover_change_rate", "结转结余变动率", "rate",
               "(本年结转结余 − 上年结转结余) ÷ 上年结转结余",
               "上年结转结余未填时取该单位上一年度的结转结余。", False),
        Metric("sangong_control_rate", "“三公经费”控制率", "rate", "三公经费实际数 ÷ 三公经费预算数",
               "超过 100% 即三公经费超支。", False),
        Metric("procurement_execution_rate", "政府采购执行率", "rate", "政府采购实际数 ÷ 政府采购预算数",
               "", True),
        Metric("funds_arrival_rate", "资金到位率", "rate", f"实际到位资金 ÷ {_BUDGET}", "", True),
        Metric("project_execution_rate", "项目预算执行率", "rate", "项目实际支出数 ÷ 项目预算数",
               "单个项目的执行情况；0% 表示一分未花。", True),
        Metric("budget", "预算数（万元）", "amount", _BUDGET),
        Metric("initial_budget", "年初预算数（万元）", "amount", "年初批复的预算"),
        Metric("adjusted_budget", "调整后预算数（万元）", "amount", "年中调整后的全年预算"),
        Metric("actual_spend", "实际支出数（万元）", "amount", "全年实际支出（执行数）"),
        Metric("funds_received", "实际到位资金（万元）", "amount", "实际拨付到位的资金"),
        Metric("carryover", "结转结余（万元）", "amount", "年末结转结余"),
        Metric("self_score", "自评得分", "score", "单位自评总分（0–100）", "", True),
        Metric("unit_count", "单位数", "count", "纳入统计的预算单位个数"),
    ]
}

# The rates of DESIGN.md section 2 that every unit-year has (project execution is per project).
UNIT_RATE_IDS = [
    "execution_rate", "adjustment_rate", "carryover_rate", "carryover_change_rate",
    "sangong_control_rate", "procurement_execution_rate", "funds_arrival_rate",
]

GRADES = ["优", "良", "中", "差"]


def label(metric_id: str) -> str:
    return METRICS[metric_id].label


def fmt(metric_id: str, value) -> str:
    return METRICS[metric_id].fmt(value)
