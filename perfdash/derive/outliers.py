"""Warnings (预警), statistical outliers (异常), self-evaluation inflation (自评虚高) and data
questions (数据核查).

`flags_for_year(db, year, region=…, level=…, sector=…)` returns one row per flag with the
columns JSON_KEYS (the CLI's contract), then unit_key and a few details. Every row carries a
Chinese sentence (`reason`) a leader can read without knowing the rule.

The selection runs in SQL (queries/outliers/*.sql) with the thresholds and statistical settings
of perfdash.toml bound as parameters; Python only words the sentences (vectorised over the
flagged rows) and applies two rules that combine the layers:

* No double reporting. A statistical flag on a rate that already has a warning for the same
  unit is not listed again: what it adds (the peer median, the change on last year) is appended
  to the warning's sentence; the row stays a warning with the threshold's severity. Two
  statistical flags on the same rate (peers and history) are merged into one row the same way,
  with the higher of their severities. Different rates are different flags (a carryover rate
  over its threshold and the carryover's growth on last year are two rows).
* Inflation reads the warnings: a top self-assessment (优 / score ≥ the 优 floor) is
  contradicted by execution under target, 三公 overspent or any unit-level high warning; a
  self-grade above 中 by several high warnings; a self-score by the evaluation score someone else
  gave, or by its own first-level scores. Self-scores only: an evaluation score is never audited.
* Data questions come first: where spending tops the budget figure but equals the money received,
  the budget figure is in question, so that unit-year's overspend warning (and statistical flags
  on its execution rate) are not listed — the data flag says it, as a question.
"""
from __future__ import annotations

import contextlib
import functools

import numpy as np
import pandas as pd

from perfdash import labels, metrics
from perfdash.config import Config
from perfdash.derive import checks
from perfdash.store.connection import query_on, run

JSON_KEYS = ["unit_code", "unit_name", "year", "metric", "value", "kind", "severity", "reason"]
DETAIL_KEYS = ["unit_key", "region", "level", "sector", "basis", "project_name",
               "peer_median", "peer_n", "robust_z", "prior_value"]
COLUMNS = JSON_KEYS + DETAIL_KEYS

_SEVERITY_RANK = {"high": 2, "medium": 1}
_KIND_RANK = {"warning": 0, "data": 1, "inflation": 2, "statistical": 3}

# Chinese column headers for the table on the page and the CSV / XLSX download.
EXPORT_COLUMNS = {
    "severity_label": "程度", "kind_label": "类型", "year": "年度", "unit_code": "单位编码",
    "unit_name": "单位名称", "region": "地区", "level": "层级", "sector": "行业",
    "metric_label": "指标", "value_text": "数值", "reason": "说明",
}


# -- the entry point ---------------------------------------------------------------------


FLAGS_KEY = "flags_config"


def flags_current(db) -> bool:
    """Whether unit_flag was computed under the rules of db.config."""
    return db.scalar("db/get_meta", key=FLAGS_KEY) == db.config.flags_fingerprint()


def flags_for_year(db, year, *, region=None, level=None, sector=None) -> pd.DataFrame:
    """All flags of one year for the units in scope; high severity first.

    Read from unit_flag, which imports keep current. A read-only database built under other
    rules than the current perfdash.toml cannot be refreshed, so its flags are computed here."""
    scope = {"region": region, "level": level, "sector": sector}
    if flags_current(db):
        return _typed(db.query("outliers/flags", year=int(year), **scope))
    flags = compute_flags(db.query, db.config, [year])
    for column, value in scope.items():
        if value is not None:
            flags = flags[flags[column].eq(value).fillna(False).astype(bool)]
    return flags.reset_index(drop=True)


def flags_for_unit(db, unit_key: str, year) -> pd.DataFrame:
    """One unit's flags of one year (its peers are still the whole year and level)."""
    if flags_current(db):
        return _typed(db.query("outliers/unit_flags", unit_key=unit_key, year=int(year)))
    flags = compute_flags(db.query, db.config, [year])
    return flags[flags["unit_key"].eq(unit_key)].reset_index(drop=True)


def refresh(cur, db, years=None) -> None:
    """Recompute and store the flags of `years` (all years when None) on a cursor inside the
    caller's transaction — after unit_year_rate is rebuilt, so the flags read the new rates."""
    if years is None:
        run(cur, "outliers/clear_flags")
        years = [int(r[0]) for r in run(cur, "outliers/flag_years").fetchall()]
    else:
        years = sorted({int(y) for y in years})
        run(cur, "outliers/delete_flags", years=years)
    query = functools.partial(query_on, cur)
    for chunk in _year_chunks(cur, years):
        flags = compute_flags(query, db.config, chunk)
        if flags.empty:
            continue
        position = flags.groupby("year").cumcount().astype("int32")
        cur.register("computed_flags", flags.assign(position=position))
        try:
            run(cur, "outliers/insert_flags")
        finally:
            with contextlib.suppress(Exception):
                cur.unregister("computed_flags")
    run(cur, "db/set_meta", key=FLAGS_KEY, value=db.config.flags_fingerprint())


# Years computed in one pass are bounded by unit-years, which bounds memory at national scale.
CHUNK_UNIT_YEARS = 250_000


def _year_chunks(cur, years: list[int]) -> list[list[int]]:
    sizes = dict(run(cur, "outliers/unit_years_per_year").fetchall())
    chunks, current, size = [], [], 0
    for year in years:
        n = int(sizes.get(year, 0))
        if current and size + n > CHUNK_UNIT_YEARS:
            chunks.append(current)
            current, size = [], 0
        current.append(year)
        size += n
    return chunks + [current] if current else chunks


def compute_flags(query, config: Config, years) -> pd.DataFrame:
    """Every flag of the given years for all units, in display order within each year.
    `query(name, **params)` runs a named query — Database.query, or query_on a transaction's
    cursor when the flags are being stored."""
    scope = {"years": sorted(int(y) for y in years)}
    thresholds = threshold_params(config)

    warnings = _empty()
    projects = _empty()
    if thresholds:
        warnings = query("outliers/unit_warnings", thresholds=thresholds, **scope)
        warnings = warnings.assign(basis="threshold", reason=_warning_reasons(warnings))
        if any(t["metric"] == "project_execution_rate" for t in thresholds):
            projects = query("outliers/project_warnings", thresholds=thresholds, **scope)
            projects = projects.assign(basis="project", reason=_project_reasons(projects))

    statistical = pd.concat([_peer_flags(query, config, scope), _history_flags(query, config, scope)],
                            ignore_index=True)
    data = checks.data_flags(query, config, scope)
    warnings, statistical = checks.drop_questioned(data, warnings, statistical)
    unit_flags = _merge(warnings, statistical)
    inflation = _inflation_flags(query, config, scope, warnings, projects)

    frames = [f for f in (unit_flags, projects, inflation, data) if not f.empty]
    if not frames:
        return _empty()
    flags = pd.concat(frames, ignore_index=True)
    for column in COLUMNS:
        if column not in flags:
            flags[column] = None
    flags = flags.assign(
        _s=flags["severity"].map(_SEVERITY_RANK), _k=flags["kind"].map(_KIND_RANK),
    ).sort_values(["year", "_s", "_k", "unit_name", "metric", "project_name"],
                  ascending=[True, False, True, True, True, True], na_position="last")
    return _typed(flags[COLUMNS].reset_index(drop=True))


def _typed(flags: pd.DataFrame) -> pd.DataFrame:
    """The column types of the CLI contract, whether computed or read back from unit_flag."""
    if flags.empty:
        return _empty()
    flags = flags[COLUMNS].copy()
    flags["year"] = flags["year"].astype("int64")
    for column in ("unit_name", "metric", "kind", "severity", "reason", "unit_key", "basis"):
        flags[column] = flags[column].astype("str")
    for column in ("unit_code", "project_name", "region", "level", "sector"):
        flags[column] = flags[column].astype(object).where(flags[column].notna(), None)
    for column in ("value", "peer_median", "peer_n", "robust_z", "prior_value"):
        flags[column] = flags[column].astype("float64")
    return flags


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=COLUMNS)


typed = _typed      # for the paged list (perfdash.derive.flag_list), read from unit_flag


def threshold_params(config: Config) -> list[dict]:
    """[thresholds.*] as the $thresholds list of structs the warning queries bind."""
    keys = ("medium_below", "medium_above", "high_below", "high_above", "high_at_or_below")
    return [{"metric": metric_id, **{k: getattr(t, k) for k in keys}}
            for metric_id, t in config.thresholds.items()]


# -- wording helpers (vectorised over the flagged rows) --------------------------------------


def _rate(series: pd.Series) -> pd.Series:
    return series.map(metrics.fmt_rate)


def _amount(series: pd.Series) -> pd.Series:
    return series.map(metrics.fmt_amount)


def _bound(series: pd.Series) -> pd.Series:
    """A threshold as a short percent: 0.6 → 60%, 0.125 → 12.5%."""
    return series.map(lambda v: "—" if pd.isna(v) else f"{float(v) * 100:g}%")


def _points(series: pd.Series) -> pd.Series:
    """An absolute change in percentage points: 0.4283 → 42.83 个百分点."""
    return series.map(lambda v: "—" if pd.isna(v) else f"{abs(float(v)) * 100:,.2f} 个百分点")


def _labels(series: pd.Series) -> pd.Series:
    return series.map(lambda m: metrics.METRICS[m].label if m in metrics.METRICS else m)


def _text(values, index) -> pd.Series:
    return pd.Series(values, index=index, dtype="object")


def _warning_reasons(w: pd.DataFrame) -> pd.Series:
    if w.empty:
        return _text([], w.index)
    label, value, bound = _labels(w["metric"]), _rate(w["value"]), _bound(w["bound"])
    kind, metric = w["bound_kind"], w["metric"]
    line = pd.Series(np.where(kind.str.startswith("high"), "严重预警线", "预警线"), index=w.index)
    below = kind.isin(["high_below", "medium_below"])
    above = kind.isin(["high_above", "medium_above"])
    head = label + " " + value + "，"
    reason = head + "不高于 " + bound + " 的" + line
    reason = reason.where(~above, head + "超过 " + bound + " 的" + line)
    reason = reason.where(~below, head + "低于 " + bound + " 的" + line)
    with_target = metric.isin(["execution_rate", "procurement_execution_rate"])
    # The specific wordings, lowest priority first (a later one wins); each formats the amounts
    # of its own rows only — a national year has ~100,000 warnings and most need none.
    specific = [
        (metric.eq("carryover_rate") & above, lambda r, m: label[m] + " " + value[m] + "（结转结余 "
         + _amount(r["carryover"]) + " 万元），超过 " + bound[m] + " 的" + line[m]),
        (metric.eq("adjustment_rate") & above, lambda r, m: head[m] + "全年预算由年初 " + _amount(r["initial_budget"])
         + " 万元调整为 " + _amount(r["adjusted_budget"]) + " 万元，超过 " + bound[m] + " 的" + line[m]),
        (metric.eq("sangong_control_rate") & above, lambda r, m: head[m] + "超出预算 " + _points(r["value"] - 1.0)),
        (metric.eq("execution_rate") & above, lambda r, m: head[m] + "实际支出 " + _amount(r["actual_spend"])
         + " 万元超出预算 " + _amount(r["budget"]) + " 万元"),
        (with_target & kind.eq("high_below"), lambda r, m: head[m] + "低于 " + bound[m] + " 的" + line[m]
         + "（目标 ≥ " + _bound(r["target"]) + "）"),
        (with_target & kind.eq("medium_below"), lambda r, m: head[m] + "未达到 " + _bound(r["target"]) + " 的目标"),
    ]
    for mask, build in specific:
        if mask.any():
            reason.loc[mask] = build(w.loc[mask], mask)
    return reason


def _project_reasons(p: pd.DataFrame) -> pd.Series:
    if p.empty:
        return _text([], p.index)
    head = "项目「" + p["project_name"] + "」预算 " + _amount(p["project_budget"]) + " 万元，"
    nothing = head + "全年未支出"
    little = (head + "仅支出 " + _amount(p["project_actual_spend"]) + " 万元（执行率 " + _rate(p["value"])
              + "），低于 " + _bound(p["bound"]))
    zero = p["project_actual_spend"].fillna(0).eq(0)
    return nothing.where(zero, little)


def _peer_flags(query, config: Config, scope: dict) -> pd.DataFrame:
    settings = config.outliers
    rules = [{"metric": m, "min_spread": r.min_spread, "direction": r.direction}
             for m, r in settings.peer.items()]
    if not rules:
        return _empty()
    peers = query("outliers/peer_outliers", rules=rules, min_peers=settings.min_peers,
                     robust_z=settings.robust_z, robust_z_high=settings.robust_z_high, **scope)
    if peers.empty:
        return peers
    side = pd.Series(np.where(peers["robust_z"] < 0, "明显低于", "明显高于"), index=peers.index)
    median = _rate(peers["peer_median"])
    peers["reason"] = (_labels(peers["metric"]) + " " + _rate(peers["value"]) + "，" + side + "同级单位（"
                       + peers["level"].fillna("同层级") + " " + peers["peer_n"].astype(str)
                       + " 个）中位数 " + median)
    peers["clause"] = "同级单位中位数 " + median
    return peers


def _history_flags(query, config: Config, scope: dict) -> pd.DataFrame:
    h = config.outliers.history
    jumps = query("outliers/history_jumps", execution_jump=h.execution_jump,
                     execution_jump_high=h.execution_jump_high, carryover_growth=h.carryover_growth,
                     carryover_growth_high=h.carryover_growth_high,
                     carryover_growth_min_share=h.carryover_growth_min_share, **scope)
    if jumps.empty:
        return jumps
    execution = jumps["metric"].eq("execution_rate")
    direction = pd.Series(np.where(jumps["delta"] < 0, "下降", "上升"), index=jumps.index)
    change = "较上年 " + _rate(jumps["prior_value"]) + " " + direction + " " + _points(jumps["delta"])
    execution_reason = _labels(jumps["metric"]) + " " + _rate(jumps["value"]) + "，" + change
    carryover_reason = ("结转结余 " + _amount(jumps["carryover"]) + " 万元，较上年 "
                        + _amount(jumps["prior_carryover"]) + " 万元增长 " + _rate(jumps["value"])
                        + "，增加额相当于全年预算的 " + _rate(jumps["increase_share"]))
    jumps["reason"] = execution_reason.where(execution, carryover_reason)
    jumps["clause"] = change.where(execution, "结转结余较上年增长 " + _rate(jumps["value"]))
    return jumps


def _max_severity(series: pd.Series) -> str:
    return "high" if (series == "high").any() else "medium"


def _merge(warnings: pd.DataFrame, statistical: pd.DataFrame) -> pd.DataFrame:
    """One row per unit and rate: a warning absorbs statistical flags on the same rate, and a
    peer flag absorbs a history flag on the same rate (their facts appended to its sentence)."""
    if statistical.empty:
        return warnings
    key = ["unit_key", "year", "metric"]
    details = ["peer_median", "peer_n", "robust_z", "prior_value"]
    statistical = statistical.assign(_order=statistical["basis"].map({"peer": 0, "history": 1}))
    statistical = statistical.sort_values(key + ["_order"]).reset_index(drop=True)
    if warnings.empty:
        warned = np.zeros(len(statistical), dtype=bool)
    else:
        warned = pd.MultiIndex.from_frame(statistical[key]).isin(pd.MultiIndex.from_frame(warnings[key]))

    absorbed = statistical[warned]
    if len(absorbed):
        grouped = absorbed.groupby(key, sort=False)
        extra = grouped.agg(_clause=("clause", "；".join)).join(grouped[details].first())
        warnings = warnings.drop(columns=details, errors="ignore").merge(
            extra.reset_index(), on=key, how="left")
        has = warnings["_clause"].notna()
        warnings.loc[has, "reason"] = warnings.loc[has, "reason"] + "；" + warnings.loc[has, "_clause"]
        warnings = warnings.drop(columns=["_clause"])

    rest = statistical[~warned]
    if len(rest):
        position = rest.groupby(key, sort=False).cumcount()
        first = rest[position.eq(0)].set_index(key)
        others = rest[position.gt(0)]
        if len(others):
            grouped = others.groupby(key)
            extra = grouped.agg(_clause=("clause", "；".join), _severity=("severity", _max_severity))
            extra["_prior"] = grouped["prior_value"].first()
            first = first.join(extra)
            has = first["_clause"].notna()
            first.loc[has, "reason"] = first.loc[has, "reason"] + "；" + first.loc[has, "_clause"]
            first.loc[has & first["_severity"].eq("high"), "severity"] = "high"
            first["prior_value"] = first["prior_value"].fillna(first["_prior"])
            first = first.drop(columns=["_clause", "_severity", "_prior"])
        rest = first.reset_index()
    frames = [f for f in (warnings, rest) if len(f)]
    merged = pd.concat(frames, ignore_index=True) if frames else _empty()
    return merged.drop(columns=["_order", "clause"], errors="ignore")


# -- self-evaluation inflation -----------------------------------------------------------


def _inflation_flags(query, config: Config, scope: dict, warnings: pd.DataFrame,
                     projects: pd.DataFrame) -> pd.DataFrame:
    rules = config.outliers.inflation
    floors = config.grade_floors
    excellent_score = floors.get(rules.grade, 90.0)
    more = checks.more_inflation(query, config, scope, warnings)
    ev = query("outliers/self_evaluation", excellent_score=excellent_score,
                  excellent_grade=rules.grade, quarter=rules.peer_quarter,
                  min_peers=config.outliers.min_peers,
                  grade_floors=[{"grade": g, "floor": f} for g, f in floors.items()] or [{"grade": "", "floor": 0.0}],
                  **scope)
    if ev.empty:
        return more if len(more) else _empty()
    execution_threshold = config.thresholds.get("execution_rate")
    target = execution_threshold.medium_below if execution_threshold else None
    sangong_threshold = config.thresholds.get("sangong_control_rate")
    sangong_limit = sangong_threshold.high_above if sangong_threshold else None

    # which rules fire (cheap masks over all candidates) ...
    no = pd.Series(False, index=ev.index)
    excellent = ev["self_score"].ge(excellent_score) | ev["grade"].eq(rules.grade)
    below = (excellent & ev["execution_rate"].lt(target)) if target is not None else no
    far_below = (below & ev["execution_rate"].lt(target - rules.high_gap)) if target is not None else no
    over = (excellent & ev["sangong_control_rate"].gt(sangong_limit)) if sangong_limit is not None else no
    others = _other_high_warnings(warnings, projects, rules.count_project_warnings)
    other = pd.Series(others.reindex(pd.MultiIndex.from_frame(ev[["unit_key", "year"]])).to_numpy(),
                      index=ev.index).astype("string")
    has_other = excellent & other.notna()
    q = rules.peer_quarter
    quarter = ev["score_rank"].ge(1 - q) & ev["execution_rank"].le(q) & ~below
    quarter = (quarter & ev["execution_rate"].lt(target)) if target is not None else quarter
    grade_gap = ev["claimed_floor"].gt(ev["self_score"])
    flagged = below | over | has_other | quarter | grade_gap
    if not flagged.any():
        return more if len(more) else _empty()

    # ... then words only for the flagged units
    ev, other = ev[flagged], other[flagged]
    below, far_below, over, has_other, quarter, grade_gap = (
        m[flagged] for m in (below, far_below, over, has_other, quarter, grade_gap))
    execution = ev["execution_rate"]
    blank = _text("", ev.index)
    target_text = f"{target * 100:g}%" if target is not None else ""
    share = f"{q * 100:g}%"
    clauses = [
        blank.where(~below, "预算执行率 " + _rate(execution) + " 未达到 " + target_text + " 的目标"),
        blank.where(~over, "“三公经费”控制率 " + _rate(ev["sangong_control_rate"]) + " 超支"),
        blank.where(~has_other, "存在严重预警（" + other.fillna("") + "）"),
        blank.where(~quarter, "得分居同级单位（" + ev["level"].fillna("同层级") + "）前 " + share
                    + "，而预算执行率 " + _rate(execution) + " 居后 " + share + "、未达到 "
                    + target_text + " 的目标"),
        blank.where(~grade_gap, "评价等级「" + ev["grade"].fillna("") + "」需 ≥ "
                    + ev["claimed_floor"].map(lambda v: "—" if pd.isna(v) else f"{v:g}") + " 分，自评得分仅 "
                    + ev["self_score"].map(metrics.fmt_score) + " 分"),
    ]
    joined = blank
    for clause in clauses:
        joined = joined + clause.where(clause.eq(""), clause + "；")
    joined = joined.str.rstrip("；")

    grade_text = ev["grade"].fillna("")
    prefix = ("自评 " + ev["self_score"].map(metrics.fmt_score) + " 分"
              + grade_text.where(grade_text.eq(""), "（" + grade_text + "）"))
    prefix = prefix.where(ev["self_score"].notna(), "自评等级「" + grade_text + "」")
    severity = np.where(far_below | over | has_other, "high", "medium")
    found = ev.assign(metric="self_score", value=ev["self_score"], kind="inflation", severity=severity,
                      reason=prefix + "，但" + joined, basis="self_evaluation")
    return checks.combine_inflation(found, more)


def _other_high_warnings(warnings: pd.DataFrame, projects: pd.DataFrame, with_projects: bool) -> pd.Series:
    """(unit_key, year) → the unit's high warnings not already named by the inflation sentence
    (execution under target and 三公 have their own clauses), as one text."""
    parts = []
    if len(warnings):
        high = warnings[warnings["severity"].eq("high")
                        & ~warnings["metric"].eq("sangong_control_rate")
                        & ~(warnings["metric"].eq("execution_rate") & warnings["bound_kind"].eq("high_below"))]
        if len(high):
            text = (_labels(high["metric"]) + " " + _rate(high["value"])
                    + np.where(high["bound_kind"].str.endswith("above"), " 超过 ", " 低于 ") + _bound(high["bound"]))
            parts.append(pd.DataFrame({"unit_key": high["unit_key"], "year": high["year"], "text": text}))
    if with_projects and len(projects):
        hp = projects[projects["severity"].eq("high")]
        if len(hp):
            parts.append(pd.DataFrame({"unit_key": hp["unit_key"], "year": hp["year"],
                                       "text": "项目「" + hp["project_name"] + "」执行率 " + _rate(hp["value"])}))
    if not parts:
        return pd.Series(dtype="object", index=pd.MultiIndex.from_tuples([], names=["unit_key", "year"]))
    return pd.concat(parts).groupby(["unit_key", "year"])["text"].agg("、".join)


# -- helpers for pages, exports and the CLI ------------------------------------------------


def value_text(flags: pd.DataFrame) -> pd.Series:
    """Each flag's value formatted by its metric (rates as percent, the score in points)."""
    return pd.Series([metrics.fmt(m, v) if m in metrics.METRICS else metrics.fmt_rate(v)
                      for m, v in zip(flags["metric"], flags["value"])], index=flags.index, dtype="object")


def display_frame(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags with Chinese headers, as shown on the page and written to CSV / XLSX."""
    shown = flags.assign(
        severity_label=flags["severity"].map(labels.SEVERITY_LABELS),
        kind_label=flags["kind"].map(labels.FLAG_KIND_LABELS),
        metric_label=_labels(flags["metric"].fillna("")),
        value_text=value_text(flags),
    )
    return shown[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)


def summary(flags: pd.DataFrame, units_total: int) -> dict:
    """Counts for the KPI row: per kind, per severity, units flagged out of units in scope."""
    units = flags["unit_key"].nunique()
    return {
        "by_kind": {k: int(flags["kind"].eq(k).sum()) for k in labels.FLAG_KINDS},
        "by_severity": {s: int(flags["severity"].eq(s).sum()) for s in labels.SEVERITIES},
        "units_flagged": int(units),
        "units_high": int(flags.loc[flags["severity"].eq("high"), "unit_key"].nunique()),
        "units_total": int(units_total),
        "share": (units / units_total) if units_total else None,
    }


SUMMARY_COUNTS = ("flags", "units_flagged", "units_warned", "units_warned_high", "high_flags")


def counts_by_year(summary_rows: pd.DataFrame):
    """year → {count: int} from queries/outliers/flag_summary; a year without flags counts 0."""
    by_year = {int(r["year"]): {k: int(r[k]) for k in SUMMARY_COUNTS}
               for r in summary_rows.to_dict("records")}
    return lambda year: by_year.get(int(year), dict.fromkeys(SUMMARY_COUNTS, 0))


def rules_text(config: Config) -> list[str]:
    """The rules in force, in words, for the page's 判定规则 panel."""
    o = config.outliers
    lines = []
    for metric_id, t in config.thresholds.items():
        label = metrics.METRICS[metric_id].label if metric_id in metrics.METRICS else metric_id
        lines.append(f"预警 · {label}：{t.describe()}")
    compared = "、".join(metrics.METRICS[m].label for m in o.peer if m in metrics.METRICS)
    lines.append(
        f"异常 · 同级比较：同一年度、同一层级的单位（不少于 {o.min_peers} 个）中，"
        f"稳健 z 值 = 0.6745 ×（本单位 − 中位数）÷ 绝对中位差，|z| ≥ {o.robust_z:g} 为关注、"
        f"≥ {o.robust_z_high:g} 为严重；绝对中位差设下限（如预算执行率 "
        f"{o.peer['execution_rate'].min_spread * 100:g} 个百分点），避免数据集中时把微小差异当作异常。"
        f"比较的指标：{compared}。" if "execution_rate" in o.peer else
        f"异常 · 同级比较：同一年度、同一层级的单位（不少于 {o.min_peers} 个），|稳健 z| ≥ {o.robust_z:g}。")
    h = o.history
    lines.append(
        f"异常 · 与上年比较：预算执行率变动 ≥ {h.execution_jump * 100:g} 个百分点为关注、"
        f"≥ {h.execution_jump_high * 100:g} 个百分点为严重；结转结余增长 ≥ {h.carryover_growth * 100:g}%"
        f"（≥ {h.carryover_growth_high * 100:g}% 为严重）且增加额不少于全年预算的 "
        f"{h.carryover_growth_min_share * 100:g}%。")
    lines.append("不重复列示：同一单位同一指标已有预警时，同级比较和与上年比较的信息并入该预警的说明。")
    i = o.inflation
    floor = config.grade_floors.get(i.grade, 90)
    lines.append(
        f"自评虚高：自评为「{i.grade}」或得分 ≥ {floor:g} 分，但预算执行率未达目标、“三公经费”超支或存在"
        f"其他严重预警（执行率比目标低 {i.high_gap * 100:g} 个百分点以上或有严重预警时为严重）；"
        f"或自评得分居同级前 {i.peer_quarter * 100:g}% 而执行率居后 {i.peer_quarter * 100:g}% 且未达目标；"
        f"或评价等级高于得分对应的等级；或自评高于「中」而有 ≥ {i.many_high_warnings} 项严重预警；"
        f"或自评得分比外部评价得分高 {i.evaluation_gap:g} 分以上；或一级指标自评得分合计与总分相差超过 "
        f"{i.dimension_tolerance:g} 分、或超过其分值。只看自评，不评判外部评价得分。")
    d = o.data
    lines.append(
        f"数据核查：有评价等级而无得分和支出数据；实际支出高于预算数而与实际到位资金相差不超过 "
        f"{d.equal_tolerance:g} 万元（预算数存疑，不按超支预警）；实际到位资金高于预算数；有支出而无预算数；"
        f"预算数是上年（或此前导入的同年数）的 {d.amount_ratio:g} 倍以上或 1/{d.amount_ratio:g} 以下（元与万元可能弄混）；"
        f"没有往年数据、同批导入的单位预算数中位数超过 {d.max_median:,.0f} 万元（元可能被当成万元）"
        + ("；报告所列比率用任何口径都算不出。" if d.slip else "。"))
    return lines
