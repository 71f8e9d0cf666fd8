"""Charts of the 异常预警 page: where the flagged units sit among all units.

* `metric_strip`: one rate, a box per 层级 (the peer groups of the statistical test) over all
  units, every flagged unit as a dot coloured by severity (the most extreme labelled with their
  names), the other units as grey dots.
* `execution_vs_score`: execution rate against self-score, the self-evaluation inflation cases
  marked, the 优-but-under-target corner shaded.

Every point carries unit_key as customdata so a click can open the unit's profile. Values far
outside the bulk (e.g. a 4,308 % budget adjustment) are drawn at the edge of the plot as a
triangle with their true value in the label, so one extreme unit does not flatten the others.

At province scale (20,000 units) the charts stay bounded: boxes are drawn from precomputed
quartiles, not from every value; at most MAX_POINTS unflagged units are drawn (those beyond the
plotted range first, then a fixed sample — the same on every run) and at most MAX_POINTS flagged
ones (严重 first, then the furthest from the median); the legend says when a sample is drawn.
Hover text comes from customdata through a hovertemplate and points are grouped into traces by
marker symbol: Plotly validates a per-point string or symbol list one value at a time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from perfdash import labels, metrics
from perfdash.present import style
from perfdash.present.style import plot_texts
from perfdash.config import Config

KIND_SYMBOLS = {"warning": "circle", "statistical": "diamond", "inflation": "star"}
MAX_LABELS = 12
# At most this many unflagged units, and this many flagged ones, drawn as dots per chart.
MAX_POINTS = 2000


def _bounded(frame: pd.DataFrame, limit: int, first: pd.Series | None = None) -> pd.DataFrame:
    """All rows up to `limit`; beyond, the rows marked `first`, then a fixed sample of the rest
    (random_state=0: the same units on every run), in the frame's order."""
    if len(frame) <= limit:
        return frame
    head = frame[first] if first is not None else frame.head(0)
    head = head.head(limit)
    rest = frame.drop(head.index)
    sample = rest.sample(n=min(len(rest), limit - len(head)), random_state=0)
    return frame.loc[frame.index.isin(head.index.union(sample.index))]


def _box_stats(values: pd.Series) -> dict:
    """Quartiles (linear interpolation) and whiskers at 1.5 IQR: what go.Box computes from
    the data, computed here so the box carries five numbers instead of every value."""
    q1, median, q3 = (float(v) for v in values.quantile([0.25, 0.5, 0.75]))
    iqr = q3 - q1
    inside = values[(values >= q1 - 1.5 * iqr) & (values <= q3 + 1.5 * iqr)]
    return dict(q1=[q1], median=[median], q3=[q3], lowerfence=[float(inside.min())],
                upperfence=[float(inside.max())])


def _levels(frame: pd.DataFrame) -> list[str]:
    ordered = labels.ordered_levels(frame["level"].dropna())
    if frame["level"].isna().any():
        ordered.append("未填层级")
    return ordered


def _jitter(frame: pd.DataFrame, value: str, width: float = 0.3) -> np.ndarray:
    """A horizontal offset per unit within its level (column "code"): units ranked by value and spread with the
    golden ratio, so neighbours in value land apart (stable for the same data)."""
    rank = frame.groupby("code")[value].rank(method="first").to_numpy(dtype=float)
    return (((rank * 0.6180339887) % 1.0) - 0.5) * 2 * width


def _sparse_labels(part: pd.DataFrame, y: str, span: float, limit: int = MAX_LABELS) -> pd.Index:
    """The rows to label: most extreme first, skipping one that would sit on top of a label
    already placed in the same level (closer than 8 % of the axis: a label is about that tall)."""
    gap = span * 0.08
    placed: list[tuple[str, float]] = []
    chosen = []
    order = part.assign(_s=part["severity"].map({"high": 0, "medium": 1}),
                        _d=(part[y] - part[y].median()).abs()).sort_values(["_s", "_d"], ascending=[True, False])
    for index, level, value in zip(order.index, order["level"].to_numpy(dtype=object), order["y"].to_numpy()):
        if len(chosen) >= limit:
            break
        if any(other_level == level and abs(value - other) < gap for other_level, other in placed):
            continue
        placed.append((level, value))
        chosen.append(index)
    return pd.Index(chosen)


def _display_range(values: pd.Series, marks: list[float]) -> tuple[float, float]:
    """A y-range that holds the bulk of the units and the threshold lines; outliers beyond it
    are drawn at its edge."""
    v = values.dropna()
    return display_range(float(v.quantile(0.02)), float(v.quantile(0.98)), float(v.min()), float(v.max()), marks)


def display_range(q02: float, q98: float, vmin: float, vmax: float, marks: list[float]) -> tuple[float, float]:
    """_display_range from the values' 2 % and 98 % quantiles (linear interpolation), minimum
    and maximum — which SQL gives without handing every value to Python."""
    lo, hi = min([q02, *marks]), max([q98, *marks])
    pad = max((hi - lo) * 0.12, 0.01)
    lo, hi = lo - pad, hi + pad
    # keep every point when that does not squash the bulk more than 3-fold
    full_lo, full_hi = vmin - pad, vmax + pad
    if (full_hi - full_lo) <= 3 * (hi - lo):
        return min(lo, full_lo), max(hi, full_hi)
    return lo, hi


def _threshold_marks(config: Config, metric_id: str) -> list[tuple[float, str, str]]:
    """(value, dash, label) of the warning lines of one rate."""
    t = config.thresholds.get(metric_id)
    if t is None:
        return []
    marks = []
    if t.medium_below is not None:
        marks.append((t.medium_below, "dot", f"目标 {t.medium_below * 100:g}%"))
    if t.high_below is not None:
        marks.append((t.high_below, "dash", f"严重 {t.high_below * 100:g}%"))
    if t.medium_above is not None:
        marks.append((t.medium_above, "dot", f"预警 {t.medium_above * 100:g}%"))
    if t.high_above is not None:
        marks.append((t.high_above, "dash", f"严重 {t.high_above * 100:g}%"))
    return marks


def _worst(flags: pd.DataFrame) -> pd.DataFrame:
    """One row per unit: its most severe flag (high before medium, warning before the others)."""
    if flags.empty:
        return flags
    order = flags.assign(_s=flags["severity"].map({"high": 0, "medium": 1}),
                         _k=flags["kind"].map({"warning": 0, "inflation": 1, "statistical": 2}))
    return order.sort_values(["_s", "_k"]).drop_duplicates("unit_key").drop(columns=["_s", "_k"])


@dataclass
class StripParts:
    """What metric_strip draws, whether worked out from every unit's frame (strip_parts) or
    bounded in SQL (perfdash.present.charts.outlier_points.strip_parts_sql).

    levels: the 层级 in axis order; counts: units with a value per level; boxes: level code →
    five numbers (levels with ≥ 4 units); lo, hi: the y-range; normal: the unflagged units drawn
    (unit_key, unit_name, level, code, x, y, clipped, the rate), normal_total: all unflagged
    units; flagged: the flagged units drawn (the same and severity, kind, reason),
    flagged_totals: severity → flagged units."""
    levels: list[str]
    counts: np.ndarray
    boxes: dict[int, dict]
    lo: float
    hi: float
    normal: pd.DataFrame
    normal_total: int
    flagged: pd.DataFrame
    flagged_totals: dict[str, int] = field(default_factory=dict)


def jitter(code: np.ndarray, level_rank: np.ndarray, width: float = 0.3) -> np.ndarray:
    """x of a dot: its level's code plus an offset from its rank by value within the level
    (1 = lowest), spread with the golden ratio so neighbours in value land apart."""
    return code + (((level_rank * 0.6180339887) % 1.0) - 0.5) * 2 * width


def metric_strip(rates: pd.DataFrame, flags: pd.DataFrame, metric_id: str, config: Config, *,
                 title: str | None = None) -> go.Figure:
    """A box of one rate per 层级 over all units; units flagged on this rate as coloured dots
    (the most extreme labelled), the others as grey dots (a fixed sample past MAX_POINTS).

    `rates` needs unit_key, unit_name, level and the rate column (fractions); `flags` is
    flags_for_year's frame (only rows with metric == metric_id are used).
    """
    return draw_strip(strip_parts(rates, flags, metric_id, config), metric_id, config, title=title)


def strip_parts(rates: pd.DataFrame, flags: pd.DataFrame, metric_id: str, config: Config) -> StripParts:
    """StripParts from frames of every unit in scope and its flags."""
    levels = _levels(rates)
    present = rates[metric_id].notna().to_numpy()
    # Plain numpy columns (object strings, integer level codes): selections below are array
    # takes, not Arrow string comparisons per level.
    frame = pd.DataFrame({
        "unit_key": rates["unit_key"].to_numpy(dtype=object)[present],
        "unit_name": rates["unit_name"].to_numpy(dtype=object)[present],
        "level": rates["level"].fillna("未填层级").to_numpy(dtype=object)[present],
        metric_id: rates[metric_id].to_numpy(dtype=float, na_value=np.nan)[present],
    })
    frame["code"] = pd.Categorical(frame["level"], categories=levels).codes
    frame["x"] = frame["code"] + _jitter(frame, metric_id)
    marks = _threshold_marks(config, metric_id)
    lo, hi = _display_range(frame[metric_id], [m[0] for m in marks]) if len(frame) else (0.0, 1.0)
    frame["y"] = frame[metric_id].clip(lo, hi)
    frame["clipped"] = frame[metric_id].ne(frame["y"])

    mine = _worst(flags[flags["metric"] == metric_id]) if len(flags) else flags
    at = pd.Index(mine["unit_key"].to_numpy(dtype=object)).get_indexer(frame["unit_key"]) if len(mine) else \
        np.full(len(frame), -1)
    hit = at >= 0
    flagged_all = frame[hit].assign(**{c: mine[c].to_numpy(dtype=object)[at[hit]] for c in ("severity", "kind", "reason")})
    normal_all = frame[~hit]
    normal = _bounded(normal_all, MAX_POINTS, first=normal_all["clipped"])
    flagged = flagged_all
    if len(flagged_all) > MAX_POINTS:          # 严重 first, then the furthest from the median
        order = flagged_all.assign(_s=(flagged_all["severity"] != "high").astype(int),
                                   _d=-(flagged_all[metric_id] - frame[metric_id].median()).abs())
        flagged = flagged_all.loc[order.sort_values(["_s", "_d"]).index[:MAX_POINTS]]
    counts = np.bincount(frame["code"], minlength=len(levels)) if len(frame) else np.zeros(len(levels), int)
    boxes = {code: _box_stats(frame.loc[frame["code"] == code, "y"]) for code in range(len(levels)) if counts[code] >= 4}
    return StripParts(levels=levels, counts=counts, boxes=boxes, lo=lo, hi=hi, normal=normal,
                      normal_total=len(normal_all), flagged=flagged,
                      flagged_totals={s: int((flagged_all["severity"] == s).sum()) for s in ("high", "medium")})


def draw_strip(parts: StripParts, metric_id: str, config: Config, *, title: str | None = None) -> go.Figure:
    """The figure of metric_strip from its parts."""
    metric = metrics.METRICS[metric_id]
    levels, counts, lo, hi = parts.levels, parts.counts, parts.lo, parts.hi
    normal, flagged = parts.normal, parts.flagged
    marks = _threshold_marks(config, metric_id)
    label_rows = _sparse_labels(flagged, metric_id, hi - lo) if len(flagged) else pd.Index([])
    dot = 11 if len(flagged) <= 300 else 7          # hundreds of flagged dots would hide the boxes

    fig = style.new_figure()
    for code, level in enumerate(levels):
        if code in parts.boxes:
            fig.add_trace(go.Box(
                x=[code], **parts.boxes[code], name=level, width=0.7,
                boxpoints=False, fillcolor="rgba(91,155,213,0.10)", line=dict(color=style.SECONDARY, width=1),
                hoverinfo="skip", showlegend=False,
            ))
    normal_name = ("未标注单位" if len(normal) == parts.normal_total
                   else f"未标注单位（抽样 {len(normal):,} / {parts.normal_total:,} 个）")
    # One trace per level and marker: the level and, within the range, the value come from the
    # trace and y, so customdata is [unit_key, name] (Plotly deep-copies object arrays element by
    # element, on add_trace and again in st.plotly_chart).
    shown_legend = False
    for (code, clipped), rows in normal.groupby(["code", "clipped"], sort=True):
        value = "%{customdata[2]:,.2%}" if clipped else "%{y:,.2%}"
        data = [rows["unit_key"].to_numpy(dtype=object), plot_texts(rows["unit_name"])]
        if clipped:      # drawn at the edge: the hover gives the true value
            data.append(rows[metric_id].to_numpy(dtype=object))
        fig.add_trace(go.Scatter(
            x=rows["x"].to_numpy(), y=rows["y"].to_numpy(), mode="markers", name=normal_name,
            legendgroup="normal", showlegend=not shown_legend,
            marker=dict(color=style.MUTED, size=7, opacity=0.75, symbol="triangle-up" if clipped else "circle"),
            customdata=np.column_stack(data),
            hovertemplate="%{customdata[1]}<br>" + style.plot_text(levels[code]) + " · " + value + "<extra></extra>",
        ))
        shown_legend = True
    for severity in ("high", "medium"):
        part = flagged[flagged["severity"] == severity]
        total = parts.flagged_totals.get(severity, 0)
        if part.empty:
            continue
        name = (f"{labels.SEVERITY_LABELS[severity]}（{total}）" if len(part) == total
                else f"{labels.SEVERITY_LABELS[severity]}（{total:,}，图中 {len(part):,} 个）")
        symbols = np.where(part["clipped"], "triangle-up", part["kind"].map(KIND_SYMBOLS).fillna("circle"))
        labelled = part.index.isin(label_rows)
        point_labels = np.full(len(part), "", dtype=object)
        point_labels[labelled] = (plot_texts(part.loc[labelled, "unit_name"]) + " "
                            + part.loc[labelled, metric_id].map(metric.fmt).to_numpy(dtype=object))
        for i, symbol in enumerate(pd.unique(symbols)):
            take = symbols == symbol
            rows = part[take]
            fig.add_trace(go.Scatter(
                x=rows["x"].to_numpy(), y=rows["y"].to_numpy(), mode="markers+text", name=name,
                legendgroup=severity, showlegend=bool(i == 0),
                marker=dict(color=style.SEVERITY_COLORS[severity], size=dot, symbol=symbol,
                            line=dict(color="white", width=1 if dot > 8 else 0.5)),
                text=point_labels[take], textposition="middle right",
                textfont=dict(color=style.SEVERITY_COLORS[severity], size=12),
                customdata=np.column_stack([rows["unit_key"].to_numpy(dtype=object), plot_texts(rows["unit_name"]),
                                            plot_texts(rows["reason"])]),
                hovertemplate="%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
                cliponaxis=False,
            ))
    for value, dash, label in marks:
        if lo <= value <= hi:
            style.reference_line(fig, y=value, color=style.MUTED, dash=dash, text=label, position="top left")
    fig.update_layout(
        title=title or f"各单位{metric.label}（按层级）",
        xaxis=dict(tickvals=list(range(len(levels))),
                   ticktext=[f"{lv}（{int(n):,} 个）" for lv, n in zip(levels, counts)],
                   range=[-0.6, len(levels) - 0.4 + 0.5], title=None, showgrid=False),
        yaxis=dict(tickformat=".0%", range=[lo, hi], title=metric.label),
        height=460, showlegend=True,
        margin=dict(l=70, r=40, t=90, b=50),
    )
    return fig


@dataclass
class ScoreParts:
    """What execution_vs_score draws (from frames: score_parts; bounded in SQL:
    outlier_points.score_parts_sql). lo, hi: the x-range; y_min: the lowest self-score (None
    without units); normal: the other units drawn (unit_key, unit_name, grade, execution_rate,
    self_score, x, clipped), normal_total: all of them; marked: the inflation cases drawn (the
    same and severity, reason), marked_totals: severity → inflation cases."""
    lo: float
    hi: float
    y_min: float | None
    normal: pd.DataFrame
    normal_total: int
    marked: pd.DataFrame
    marked_totals: dict[str, int] = field(default_factory=dict)


def score_target(config: Config) -> float:
    t = config.thresholds.get("execution_rate")
    return t.medium_below if t and t.medium_below is not None else 0.9


def execution_vs_score(rates: pd.DataFrame, flags: pd.DataFrame, config: Config, *,
                       title: str | None = None) -> go.Figure:
    """Execution rate (x) against self-score (y); inflation cases marked and labelled (all of
    them), the other units as dots (a fixed sample past MAX_POINTS).

    `rates` needs unit_key, unit_name, level, execution_rate, self_score, grade.
    """
    return draw_score(score_parts(rates, flags, config), config, title=title)


def score_parts(rates: pd.DataFrame, flags: pd.DataFrame, config: Config) -> ScoreParts:
    """ScoreParts from frames of every unit in scope and its flags."""
    frame = rates.loc[rates["execution_rate"].notna() & rates["self_score"].notna(),
                      ["unit_key", "unit_name", "level", "execution_rate", "self_score", "grade"]].copy()
    lo, hi = _display_range(frame["execution_rate"], [score_target(config), 1.0]) if len(frame) else (0.5, 1.1)
    frame["x"] = frame["execution_rate"].clip(lo, hi)
    frame["clipped"] = frame["execution_rate"].ne(frame["x"])
    inflated = flags[flags["kind"] == "inflation"][["unit_key", "severity", "reason"]] if len(flags) else \
        pd.DataFrame(columns=["unit_key", "severity", "reason"])
    marked = frame.merge(inflated, on="unit_key", how="inner")
    normal_all = frame[~frame["unit_key"].isin(marked["unit_key"])]
    return ScoreParts(lo=lo, hi=hi, y_min=float(frame["self_score"].min()) if len(frame) else None,
                      normal=_bounded(normal_all, MAX_POINTS, first=normal_all["clipped"]),
                      normal_total=len(normal_all), marked=marked,
                      marked_totals={s: int((marked["severity"] == s).sum()) for s in ("high", "medium")})


def draw_score(parts: ScoreParts, config: Config, *, title: str | None = None) -> go.Figure:
    """The figure of execution_vs_score from its parts."""
    target = score_target(config)
    floor = config.grade_floors.get(config.outliers.inflation.grade, 90.0)
    lo, hi, normal, marked = parts.lo, parts.hi, parts.normal, parts.marked
    y_lo = min(parts.y_min if parts.y_min is not None else 60.0, floor) - 3
    y_hi = 101.0

    def hover_data(rows: pd.DataFrame, *more: np.ndarray) -> np.ndarray:
        """[unit_key, name, "（grade）" or "", …more]"""
        grade = rows["grade"].fillna("").astype(str)
        grade = np.where(grade != "", "（" + grade + "）", "").astype(object)
        return np.column_stack([rows["unit_key"].to_numpy(dtype=object), plot_texts(rows["unit_name"]), grade, *more])

    def label(rate: str) -> str:
        return "%{customdata[1]}<br>预算执行率 " + rate + " · 自评 %{y:.2f} 分%{customdata[2]}"

    fig = style.new_figure()
    fig.add_shape(type="rect", x0=lo, x1=target, y0=floor, y1=y_hi, layer="below", line=dict(width=0),
                  fillcolor="rgba(192,57,43,0.07)")
    fig.add_annotation(x=lo, y=y_hi, xanchor="left", yanchor="top", showarrow=False,
                       text=f"自评「{config.outliers.inflation.grade}」但执行率未达目标",
                       font=dict(size=12, color=style.SEVERITY_COLORS["high"]))
    style.reference_line(fig, x=target, color=style.MUTED, dash="dot", text=f"目标 {target * 100:g}%",
                   position="bottom right")
    style.reference_line(fig, y=floor, color=style.MUTED, dash="dot", text=f"{config.outliers.inflation.grade} ≥ {floor:g} 分",
                   position="bottom right")
    normal_name = ("其他单位" if len(normal) == parts.normal_total
                   else f"其他单位（抽样 {len(normal):,} / {parts.normal_total:,} 个）")
    for clipped, rows in ((False, normal[~normal["clipped"]]), (True, normal[normal["clipped"]])):
        if rows.empty:
            continue
        fig.add_trace(go.Scatter(
            x=rows["x"].to_numpy(), y=rows["self_score"].to_numpy(), mode="markers", name=normal_name,
            legendgroup="normal", showlegend=not clipped or bool(normal["clipped"].all()),
            marker=dict(color=style.PRIMARY, size=8, opacity=0.55, symbol="triangle-right" if clipped else "circle"),
            # within the range x is the rate; a clipped point carries its true value
            customdata=hover_data(rows, rows["execution_rate"].to_numpy(dtype=object)) if clipped else hover_data(rows),
            hovertemplate=label("%{customdata[3]:,.2%}" if clipped else "%{x:,.2%}") + "<extra></extra>",
        ))
    for severity in ("high", "medium"):
        part = marked[marked["severity"] == severity]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["x"].to_numpy(), y=part["self_score"].to_numpy(), mode="markers+text",
            name=(f"自评虚高 · {labels.SEVERITY_LABELS[severity]}（{len(part)}）"
                  if len(part) == parts.marked_totals.get(severity, len(part)) else
                  f"自评虚高 · {labels.SEVERITY_LABELS[severity]}（{parts.marked_totals[severity]:,}，图中 {len(part):,} 个）"),
            marker=dict(color=style.SEVERITY_COLORS[severity], size=14, symbol="star",
                        line=dict(color="white", width=1)),
            text=plot_texts(part["unit_name"]), textposition="middle right",
            textfont=dict(color=style.SEVERITY_COLORS[severity], size=12),
            customdata=hover_data(part, part["execution_rate"].to_numpy(dtype=object), plot_texts(part["reason"])),
            hovertemplate=label("%{customdata[3]:,.2%}") + "<br>%{customdata[4]}<extra></extra>", cliponaxis=False,
        ))
    fig.update_layout(
        title=title or "预算执行率与自评得分",
        xaxis=dict(tickformat=".0%", range=[lo, hi], title="预算执行率"),
        yaxis=dict(range=[y_lo, y_hi], title="自评得分（分）"),
        height=480, margin=dict(l=70, r=40, t=90, b=50),
    )
    return fig
