"""The rules added over the figures a report and a bureau disagree on: data questions (数据核查)
and the further self-evaluation (自评虚高) rules. perfdash.derive.outliers calls them and puts
their rows among the other flags.

* data_flags — a grade with no score and no figures; spending above the budget figure while equal
  to the money received (asked as a question about the budget figure, never called an
  overspend); funds received above the budget; spending with a zero or missing budget; a budget
  figure ≥ amount_ratio × last year's, or × the figure it replaced (a 元 file read as 万元), or the
  reverse; new units imported together whose median budget no department has (max_median); a
  stated rate no 口径 reproduces (reconciliation verdict `slip`).
* drop_questioned — the overspend warning (and statistical flags on that execution rate) of a
  unit-year whose budget figure is in question are not listed: the data flag says it.
* more_inflation / combine_inflation — a self-grade above 中 beside ≥ N unit-level high warnings;
  a self-score far above the evaluation score someone else gave; first-level self-scores that do
  not add up to the self-score or exceed their maxima — one inflation row per unit-year. Only
  self-scores (自评) are audited, never an evaluation score.

Every threshold is in perfdash.toml ([outliers.inflation], [outliers.data]) and said in the
sentence.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfdash import metrics
from perfdash.config import Config


def _rate(series: pd.Series) -> pd.Series:
    return series.map(metrics.fmt_rate)


def _amount(series: pd.Series) -> pd.Series:
    return series.map(metrics.fmt_amount)


def _labels(series: pd.Series) -> pd.Series:
    return series.map(lambda m: metrics.METRICS[m].label if m in metrics.METRICS else m)


def _text(values, index) -> pd.Series:
    return pd.Series(values, index=index, dtype="object")


def combine_inflation(found: pd.DataFrame, more: pd.DataFrame) -> pd.DataFrame:
    """One inflation row per unit-year: the further rules' clauses join an existing row's
    sentence (with the higher severity); a unit-year only they flag gets its own row."""
    if more.empty:
        return found
    if found.empty:
        return more
    key = ["unit_key", "year"]
    extra = more.set_index(key)[["clauses", "severity"]].rename(columns={"severity": "_sev"})
    found = found.join(extra, on=key)
    has = found["clauses"].notna()
    found.loc[has, "reason"] = found.loc[has, "reason"] + "；" + found.loc[has, "clauses"]
    found.loc[has & found["_sev"].eq("high"), "severity"] = "high"
    found = found.drop(columns=["clauses", "_sev"])
    seen = pd.MultiIndex.from_frame(found[key])
    rest = more[~pd.MultiIndex.from_frame(more[key]).isin(seen)]
    return pd.concat([found, rest.drop(columns=["clauses"])], ignore_index=True)


def more_inflation(query, config: Config, scope: dict, warnings: pd.DataFrame) -> pd.DataFrame:
    """A self-grade above 中 beside ≥ N unit-level high warnings; a self-score far above the
    evaluation score someone else gave; first-level self-scores that do not add up to the
    self-score or exceed their maxima. Self-scores and self-grades only."""
    rules = config.outliers.inflation
    facts = query("outliers/self_evaluation_checks", **scope)
    if facts.empty:
        return pd.DataFrame()
    floors = config.grade_floors
    above_mid = floors.get("良", 80.0)
    key = ["unit_key", "year"]
    high = warnings[warnings["severity"].eq("high")] if len(warnings) else warnings
    if len(high):
        named = pd.DataFrame({"unit_key": high["unit_key"], "year": high["year"].astype("int64"),
                              "text": (_labels(high["metric"]).astype(str) + " "
                                       + _rate(high["value"]).astype(str))})
        per_unit = named.groupby(key).agg(n=("text", "size"), text=("text", "、".join)).reset_index()
    else:
        per_unit = pd.DataFrame({"unit_key": pd.Series(dtype="object"), "year": pd.Series(dtype="int64"),
                                 "n": pd.Series(dtype="int64"), "text": pd.Series(dtype="object")})
    joined_high = facts[key].assign(year=facts["year"].astype("int64")).merge(per_unit, on=key, how="left")
    n_high = pd.Series(joined_high["n"].fillna(0).astype(int).to_numpy(), index=facts.index)
    high_text = pd.Series(joined_high["text"].to_numpy(), index=facts.index, dtype="object")
    grade_rank = facts["grade"].map({g: f for g, f in floors.items()})
    claims = grade_rank.ge(above_mid) | facts["self_score"].ge(above_mid)
    many = claims & n_high.ge(rules.many_high_warnings)
    gap = facts["self_score"] - facts["evaluation_score"]
    far_above = gap.ge(rules.evaluation_gap)
    off_total = (facts["dim_n"].fillna(0).gt(0) & facts["self_score"].notna()
                 & (facts["dim_total"] - facts["self_score"]).abs().gt(rules.dimension_tolerance))
    over_max = facts["over_max"].notna()
    flagged = many | far_above | off_total | over_max
    if not flagged.any():
        return pd.DataFrame()
    f = facts[flagged]
    many, far_above, off_total, over_max, n_high, high_text, gap = (
        x[flagged] for x in (many, far_above, off_total, over_max, n_high, high_text, gap))
    blank = _text("", f.index)
    grade_text = f["grade"].fillna("")
    claimed = ("自评" + f["self_score"].map(lambda v: "" if pd.isna(v) else f" {metrics.fmt_score(v)} 分")
               + grade_text.where(grade_text.eq(""), "「" + grade_text + "」"))
    clauses = [
        blank.where(~many, claimed + "（高于「中」），但有 " + n_high.astype(str) + " 项严重预警（"
                    + high_text.fillna("") + f"；规则：≥ {rules.many_high_warnings} 项）"),
        blank.where(~far_above, "自评得分 " + f["self_score"].map(metrics.fmt_score) + " 分，比外部评价得分 "
                    + f["evaluation_score"].map(metrics.fmt_score) + " 分高 "
                    + gap.map(lambda v: "—" if pd.isna(v) else f"{v:.2f}")
                    + f" 分（规则：高 {rules.evaluation_gap:g} 分以上）"),
        blank.where(~off_total, "一级指标自评得分合计 " + f["dim_total"].map(metrics.fmt_score) + " 分，与自评总分 "
                    + f["self_score"].map(metrics.fmt_score) + " 分不符"),
        blank.where(~over_max, "一级指标得分超过分值（" + f["over_max"].fillna("") + "）"),
    ]
    joined = blank
    for clause in clauses:
        joined = joined + clause.where(clause.eq(""), clause + "；")
    joined = joined.str.rstrip("；")
    severity = np.where(many | far_above, "high", "medium")
    return f.assign(metric="self_score", value=f["self_score"], kind="inflation", severity=severity,
                    reason=joined, clauses=joined, basis="self_evaluation")


# -- data questions (数据核查) ----------------------------------------------------------------

SCALE_CHECKS = ("unit_scale", "replaced_scale", "median_scale")   # amounts at a doubtful scale (元 / 万元)


def _times(ratio: pd.Series) -> pd.Series:
    return ratio.map(lambda v: "—" if pd.isna(v) else f"{v:,.0f}" if v >= 1 else f"1/{1 / v:,.0f}")



def data_flags(query, config: Config, scope: dict) -> pd.DataFrame:
    """Figures that are incomplete or contradict each other, each said as a question."""
    rules = config.outliers.data
    checks = query("outliers/data_checks", equal_tolerance=rules.equal_tolerance,
                   received_margin=rules.received_margin, amount_ratio=rules.amount_ratio,
                   max_median=rules.max_median, **scope)
    frames = []
    if len(checks):
        c = checks
        amount = lambda col: _amount(c[col]) + " 万元"  # noqa: E731
        check = c["check_id"]
        reasons = {
            "grade_without_figures": "自评等级「" + c["grade"].fillna("") + "」既没有自评得分，也没有实际支出等数据支撑，"
                                     "无法核实，请补充得分和预算执行数据",
            "spend_equals_received": "实际支出 " + amount("actual_spend") + "，与实际到位资金（收入）" + amount("funds_received")
                                     + "（" + (c["funds_received"] * 10000).map(lambda v: f"{v:,.2f}") + " 元）相等，却高于预算数 " + amount("budget") + "（执行率 " + _rate(c["value"])
                                     + "）：预算数可能未含年中追加，请核实预算数，暂不按超支预警",
            "received_above_budget": "实际到位资金 " + amount("funds_received") + "高于预算数 " + amount("budget")
                                     + "，请核实预算数是否完整",
            "spend_without_budget": "有实际支出 " + amount("actual_spend") + "，但预算数为零或缺失，无法计算执行率，请补充预算数",
            "unit_scale": "预算数 " + amount("budget") + "约为上年 " + amount("prior_budget") + "的 "
                          + _times(c["budget"] / c["prior_budget"])
                          + f" 倍（规则：≥ {rules.amount_ratio:g} 倍或 ≤ 1/{rules.amount_ratio:g}），"
                          "可能单位有误（元/万元），请核对",
            "replaced_scale": "预算数 " + amount("budget") + "约为此前导入的同年数 " + amount("replaced_budget") + "的 "
                              + _times(c["budget"] / c["replaced_budget"])
                              + f" 倍（规则：≥ {rules.amount_ratio:g} 倍或 ≤ 1/{rules.amount_ratio:g}），"
                              "可能单位有误（元/万元），请核对",
            "median_scale": "没有往年数据可比；与本单位同批导入、同样没有往年数据的 " + c["batch_units"].map(
                                lambda v: "—" if pd.isna(v) else f"{int(v):,}")
                            + " 个单位，预算数中位数为 " + amount("batch_median") + f"（规则：超过 {rules.max_median:,.0f} 万元），"
                            "超出一个部门年度预算的常见范围，可能把以元填报的金额当成了万元（大 10,000 倍），请核对",
        }
        reason = pd.Series("", index=c.index, dtype="object")
        for check_id, text in reasons.items():
            reason = reason.where(~check.eq(check_id), text)
        metric = check.map({"grade_without_figures": "self_score", "spend_equals_received": "execution_rate",
                            "received_above_budget": "funds_arrival_rate",
                            "spend_without_budget": "execution_rate", "unit_scale": "budget",
                            "replaced_scale": "budget", "median_scale": "budget"})
        scale = check.isin(SCALE_CHECKS)
        severity = np.where(check.eq("spend_without_budget") | scale, "high", "medium")
        value = c["value"].where(~scale, c["budget"])
        frames.append(c.assign(metric=metric, value=value, kind="data", severity=severity, reason=reason,
                               basis=check))
    if rules.slip:
        slips = query("reconcile/slips", **scope)
        if len(slips):
            label = slips["label"].fillna(_labels(slips["metric"]))
            reason = ("报告所列" + label + " " + _rate(slips["reported"]) + "，任何口径都算不出这个数（最接近的是"
                      + slips["nearest_basis"].fillna("—") + "计算的 " + _rate(slips["nearest_value"])
                      + "），可能是计算或录入错误，请核实")
            frames.append(slips.assign(value=slips["reported"], kind="data", severity="medium", reason=reason,
                                       basis="slip"))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames, ignore_index=True)


def drop_questioned(data: pd.DataFrame, warnings: pd.DataFrame, statistical: pd.DataFrame):
    """Where the budget figure itself is in question (spend = money received > budget), the
    overspend warning and statistical flags on that execution rate are not listed."""
    if data.empty:
        return warnings, statistical
    questioned = data[data["basis"].eq("spend_equals_received")]
    if questioned.empty:
        return warnings, statistical
    keys = pd.MultiIndex.from_frame(questioned[["unit_key", "year"]].assign(metric="execution_rate"))

    def keep(frame):
        if frame.empty:
            return frame
        hit = pd.MultiIndex.from_frame(frame[["unit_key", "year", "metric"]]).isin(keys)
        return frame[~hit].reset_index(drop=True)
    return keep(warnings), keep(statistical)
