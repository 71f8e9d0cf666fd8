"""Every metric defined once: id, Chinese label, format, formula and denominator wording.

Charts, tables, the CLI, the definitions page, the KPI help texts and the meeting pack take
labels, formats and the wording of each rate from here, so a rate is called, shown and
explained the same way everywhere — with the denominator perfdash.toml actually configures.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from perfdash.config import Config


@dataclass(frozen=True)
class Denominator:
    """What a rate is divided by, in words: the name, and a note on how it is taken."""

    word: str
    note: str = ""

    @property
    def text(self) -> str:
        return self.word + self.note


BUDGET = Denominator("调整后预算数", "（未填时用年初预算数）")

# The denominators perfdash.toml [denominators] can choose (perfdash.config.EXECUTION_DENOMINATORS,
# CARRYOVER_DENOMINATORS), by the value written there.
DENOMINATOR_CHOICES = {
    "budget": BUDGET,
    "funds_received": Denominator("实际到位资金"),
    "actual_spend": Denominator("实际支出数"),
}


@dataclass(frozen=True)
class Metric:
    id: str
    label: str
    kind: str  # rate | amount | score | count
    formula: str  # the definition; for a rate, numerator ÷ denominator under the default 口径
    description: str = ""
    higher_is_better: bool | None = None
    numerator: str = ""                      # a rate's numerator in words
    denominator: Denominator | None = None   # a rate's denominator under the default 口径
    denominator_setting: str = ""            # the Config attribute that chooses the denominator

    def fmt(self, value) -> str:
        return FORMATTERS[self.kind](value)

    def denominator_for(self, config: Config) -> Denominator | None:
        """The denominator the configuration actually uses."""
        if self.denominator_setting:
            return DENOMINATOR_CHOICES[getattr(config, self.denominator_setting)]
        return self.denominator

    def formula_for(self, config: Config) -> str:
        """The formula with the denominator the configuration actually uses."""
        denominator = self.denominator_for(config)
        return f"{self.numerator} ÷ {denominator.text}" if denominator else self.formula

    def weighted_formula_for(self, config: Config, *, short: bool = False) -> str:
        """The budget-weighted formula of a group (Σ numerator ÷ Σ denominator); `short` leaves out
        the note on how the denominator is taken (for a KPI tile's help)."""
        denominator = self.denominator_for(config)
        if denominator is None:
            return self.formula
        return f"Σ{self.numerator} ÷ Σ{denominator.word if short else denominator.text}"


def _rate(id: str, label: str, numerator: str, denominator: Denominator, description: str = "",
          higher_is_better: bool | None = None, setting: str = "") -> Metric:
    return Metric(id, label, "rate", f"{numerator} ÷ {denominator.text}", description, higher_is_better,
                  numerator, denominator, setting)


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

METRICS: dict[str, Metric] = {
    m.id: m
    for m in [
        _rate("execution_rate", "预算执行率", "实际支出数", BUDGET,
              "年度预算实际花出去的比例；低于目标说明资金沉淀，超过 100% 说明超预算支出。", True,
              setting="execution_denominator"),
        _rate("adjustment_rate", "预算调整率", "(调整后预算数 − 年初预算数)", Denominator("年初预算数"),
              "年中追加或调减预算的幅度；两个数都填报时才计算。", False),
        _rate("carryover_rate", "结转结余率", "结转结余", BUDGET,
              "年底未花完、结转到下年的资金占预算的比例。", False, setting="carryover_denominator"),
        _rate("carryover_change_rate", "结转结余变动率", "(本年结转结余 − 上年结转结余)",
              Denominator("上年结转结余"), "上年结转结余未填时取该单位上一年度的结转结余。", False),
        _rate("sangong_control_rate", "“三公经费”控制率", "三公经费实际数", Denominator("三公经费预算数"),
              "超过 100% 即三公经费超支。", False),
        _rate("procurement_execution_rate", "政府采购执行率", "政府采购实际数", Denominator("政府采购预算数"),
              "", True),
        _rate("funds_arrival_rate", "资金到位率", "实际到位资金", BUDGET, "", True),
        _rate("project_execution_rate", "项目预算执行率", "项目实际支出数", Denominator("项目预算数"),
              "单个项目的执行情况；0% 表示一分未花。", True),
        Metric("budget", "预算数（万元）", "amount", BUDGET.text),
        Metric("initial_budget", "年初预算数（万元）", "amount", "年初批复的预算"),
        Metric("adjusted_budget", "调整后预算数（万元）", "amount", "年中调整后的全年预算"),
        Metric("actual_spend", "实际支出数（万元）", "amount", "全年实际支出（执行数）"),
        Metric("funds_received", "实际到位资金（万元）", "amount", "实际拨付到位的资金"),
        Metric("carryover", "结转结余（万元）", "amount", "年末结转结余"),
        Metric("self_score", "自评得分", "score", "单位自评总分（0–100）", "", True),
        Metric("unit_count", "单位数", "count", "纳入统计的预算单位个数"),
    ]
}

# The rates of DESIGN.md section 2 that every unit-year has (project execution is per project);
# queries/rates/refresh_unit_year_metric.sql writes one row per unit-year for each.
UNIT_RATE_IDS = [
    "execution_rate", "adjustment_rate", "carryover_rate", "carryover_change_rate",
    "sangong_control_rate", "procurement_execution_rate", "funds_arrival_rate",
]

# Every rate of DESIGN.md section 2, as the definitions page lists them.
RATE_IDS = [*UNIT_RATE_IDS, "project_execution_rate"]

# The rates whose denominator perfdash.toml [denominators] chooses (the key there is the rate id).
CONFIGURABLE_RATE_IDS = [m.id for m in METRICS.values() if m.denominator_setting]

GRADES = ["优", "良", "中", "差"]


def label(metric_id: str) -> str:
    return METRICS[metric_id].label


def fmt(metric_id: str, value) -> str:
    return METRICS[metric_id].fmt(value)
