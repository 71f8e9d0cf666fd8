"""Charts of the 异常预警 page: where the flagged units sit among all units.

* `metric_strip`: one rate, a box and a dot per unit for each 层级 (the peer groups of the
  statistical test), flagged units coloured by severity and labelled with their names.
* `execution_vs_score`: execution rate against self-score, the self-evaluation inflation cases
  marked, the 优-but-under-target corner shaded.

Every point carries unit_key as customdata so a click can open the unit's profile. Values far
outside the bulk (e.g. a 4,308 % budget adjustment) are drawn at the edge of the plot as a
triangle with their true value in the label, so one extreme unit does not flatten the others.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from perfdash import metrics, style
from perfdash.config import Config

LEVEL_ORDER = ["省级", "市级", "县级"]
KIND_SYMBOLS = {"warning": "circle", "statistical": "diamond", "inflation": "star"}
MAX_LABELS = 12


def _levels(frame: pd.DataFrame) -> list[str]:
    present = [x for x in frame["level"].dropna().unique()]
    ordered = [x for x in LEVEL_ORDER if x in present] + sorted(x for x in present if x not in LEVEL_ORDER)
    if frame["level"].isna().any():
        ordered.append("未填层级")
    return ordered


def _jitter(frame: pd.DataFrame, value: str, width: float = 0.3) -> np.ndarray:
    """A horizontal offset per unit within its level: units ranked by value and spread with the
    golden ratio, so neighbours in value land apart (stable for the same data)."""
    rank = frame.groupby("level")[value].rank(method="first").to_numpy(dtype=float)
    return (((rank * 0.6180339887) % 1.0) - 0.5) * 2 * width


def _sparse_labels(part: pd.DataFrame, y: str, span: float, limit: int = MAX_LABELS) -> pd.Index:
    """The rows to label: most extreme first, skipping one that would sit on top of a label
    already placed in the same level (closer than 4 % of the axis)."""
    gap = span * 0.04
    placed: list[tuple[str, float]] = []
    chosen = []
    order = part.assign(_s=part["severity"].map({"high": 0, "medium": 1}),
                        _d=(part[y] - part[y].median()).abs()).sort_values(["_s", "_d"], ascending=[True, False])
    for index, row in order.iterrows():
        if len(chosen) >= limit:
            break
        if any(level == row["level"] and abs(row["y"] - other) < gap for level, other in placed):
            continue
        placed.append((row["level"], row["y"]))
        chosen.append(index)
    return pd.Index(chosen)


def _display_range(values: pd.Series, marks: list[float]) -> tuple[float, float]:
    """A y-range that holds the bulk of the units and the threshold lines; outliers beyond it
    are drawn at its edge."""
    v = values.dropna()
    lo, hi = float(v.quantile(0.02)), float(v.quantile(0.98))
    lo, hi = min([lo, *marks]), max([hi, *marks])
    pad = max((hi - lo) * 0.12, 0.01)
    lo, hi = lo - pad, hi + pad
    # keep every point when that does not squash the bulk more than 3-fold
    full_lo, full_hi = float(v.min()) - pad, float(v.max()) + pad
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


def metric_strip(rates: pd.DataFrame, flags: pd.DataFrame, metric_id: str, config: Config, *,
                 title: str | None = None) -> go.Figure:
    """Box and dots of one rate per 层级; units flagged on this rate coloured and labelled.

    `rates` needs unit_key, unit_name, level and the rate column (fractions); `flags` is
    flags_for_year's frame (only rows with metric == metric_id are used).
    """
    metric = metrics.METRICS[metric_id]
    frame = rates.dropna(subset=[metric_id]).copy()
    frame["level"] = frame["level"].fillna("未填层级")
    levels = _levels(rates)
    position = {lv: i for i, lv in enumerate(levels)}
    frame["x"] = frame["level"].map(position) + _jitter(frame, metric_id)
    marks = _threshold_marks(config, metric_id)
    lo, hi = _display_range(frame[metric_id], [m[0] for m in marks]) if len(frame) else (0.0, 1.0)
    frame["y"] = frame[metric_id].clip(lo, hi)
    frame["clipped"] = frame[metric_id].ne(frame["y"])
    frame["text"] = frame[metric_id].map(metric.fmt)

    mine = _worst(flags[flags["metric"] == metric_id]) if len(flags) else flags
    flagged = frame.merge(mine[["unit_key", "severity", "kind", "reason"]], on="unit_key", how="inner")
    normal = frame[~frame["unit_key"].isin(flagged["unit_key"])]
    label_rows = _sparse_labels(flagged, metric_id, hi - lo) if len(flagged) else pd.Index([])

    fig = style.new_figure()
    for level in levels:
        values = frame.loc[frame["level"] == level, metric_id]
        if len(values) >= 4:
            fig.add_trace(go.Box(
                x=[position[level]] * len(values), y=values.clip(lo, hi), name=level, width=0.7,
                boxpoints="outliers", marker=dict(opacity=0, size=1),  # whiskers at 1.5 IQR, dots drawn below
                fillcolor="rgba(91,155,213,0.10)", line=dict(color=style.SECONDARY, width=1),
                hoverinfo="skip", showlegend=False,
            ))
    fig.add_trace(go.Scatter(
        x=normal["x"], y=normal["y"], mode="markers", name="未标注单位",
        marker=dict(color=style.MUTED, size=7, opacity=0.75,
                    symbol=np.where(normal["clipped"], "triangle-up", "circle")),
        customdata=normal[["unit_key"]].to_numpy(),
        text=normal["unit_name"] + "<br>" + normal["level"] + " · " + normal["text"],
        hovertemplate="%{text}<extra></extra>",
    ))
    for severity in ("high", "medium"):
        part = flagged[flagged["severity"] == severity]
        if part.empty:
            continue
        mine_labelled = part.index.intersection(label_rows)
        labels = pd.Series("", index=part.index, dtype="object")
        labels.loc[mine_labelled] = part.loc[mine_labelled, "unit_name"] + " " + part.loc[mine_labelled, "text"]
        fig.add_trace(go.Scatter(
            x=part["x"], y=part["y"], mode="markers+text",
            name=f"{style.SEVERITY_LABELS[severity]}（{len(part)}）",
            marker=dict(color=style.SEVERITY_COLORS[severity], size=11,
                        symbol=[("triangle-up" if c else KIND_SYMBOLS.get(k, "circle"))
                                for c, k in zip(part["clipped"], part["kind"])],
                        line=dict(color="white", width=1)),
            text=labels, textposition="middle right",
            textfont=dict(color=style.SEVERITY_COLORS[severity], size=12),
            customdata=part[["unit_key"]].to_numpy(),
            hovertext=part["unit_name"] + "<br>" + part["reason"],
            hovertemplate="%{hovertext}<extra></extra>",
            cliponaxis=False,
        ))
    for value, dash, label in marks:
        if lo <= value <= hi:
            fig.add_hline(y=value, line=dict(color=style.MUTED, dash=dash, width=1),
                          annotation_text=label, annotation_position="top left",
                          annotation_font=dict(size=11, color=style.MUTED))
    counts = frame.groupby("level").size()
    fig.update_layout(
        title=title or f"各单位{metric.label}（按层级）",
        xaxis=dict(tickvals=list(range(len(levels))),
                   ticktext=[f"{lv}（{int(counts.get(lv, 0))} 个）" for lv in levels],
                   range=[-0.6, len(levels) - 0.4 + 0.5], title=None, showgrid=False),
        yaxis=dict(tickformat=".0%", range=[lo, hi], title=metric.label),
        height=460, showlegend=True,
        margin=dict(l=70, r=40, t=90, b=50),
    )
    return fig


def execution_vs_score(rates: pd.DataFrame, flags: pd.DataFrame, config: Config, *,
                       title: str | None = None) -> go.Figure:
    """Execution rate (x) against self-score (y); inflation cases marked and labelled.

    `rates` needs unit_key, unit_name, level, execution_rate, self_score, grade.
    """
    frame = rates.dropna(subset=["execution_rate", "self_score"]).copy()
    t = config.thresholds.get("execution_rate")
    target = t.medium_below if t and t.medium_below is not None else 0.9
    floor = config.grade_floors.get(config.outliers.inflation.grade, 90.0)
    lo, hi = _display_range(frame["execution_rate"], [target, 1.0]) if len(frame) else (0.5, 1.1)
    frame["x"] = frame["execution_rate"].clip(lo, hi)
    frame["clipped"] = frame["execution_rate"].ne(frame["x"])
    frame["label"] = (frame["unit_name"] + "<br>预算执行率 " + frame["execution_rate"].map(metrics.fmt_rate)
                      + " · 自评 " + frame["self_score"].map(metrics.fmt_score) + " 分"
                      + frame["grade"].fillna("").map(lambda g: f"（{g}）" if g else ""))
    inflated = flags[flags["kind"] == "inflation"][["unit_key", "severity", "reason"]] if len(flags) else \
        pd.DataFrame(columns=["unit_key", "severity", "reason"])
    marked = frame.merge(inflated, on="unit_key", how="inner")
    normal = frame[~frame["unit_key"].isin(marked["unit_key"])]
    y_lo = min(frame["self_score"].min() if len(frame) else 60.0, floor) - 3
    y_hi = 101.0

    fig = style.new_figure()
    fig.add_shape(type="rect", x0=lo, x1=target, y0=floor, y1=y_hi, layer="below", line=dict(width=0),
                  fillcolor="rgba(192,57,43,0.07)")
    fig.add_annotation(x=lo, y=y_hi, xanchor="left", yanchor="top", showarrow=False,
                       text=f"自评「{config.outliers.inflation.grade}」但执行率未达目标",
                       font=dict(size=12, color=style.SEVERITY_COLORS["high"]))
    fig.add_vline(x=target, line=dict(color=style.MUTED, dash="dot", width=1),
                  annotation_text=f"目标 {target * 100:g}%", annotation_position="bottom right",
                  annotation_font=dict(size=11, color=style.MUTED))
    fig.add_hline(y=floor, line=dict(color=style.MUTED, dash="dot", width=1),
                  annotation_text=f"{config.outliers.inflation.grade} ≥ {floor:g} 分",
                  annotation_position="bottom right", annotation_font=dict(size=11, color=style.MUTED))
    fig.add_trace(go.Scatter(
        x=normal["x"], y=normal["self_score"], mode="markers", name="其他单位",
        marker=dict(color=style.PRIMARY, size=8, opacity=0.55,
                    symbol=np.where(normal["clipped"], "triangle-right", "circle")),
        customdata=normal[["unit_key"]].to_numpy(), text=normal["label"],
        hovertemplate="%{text}<extra></extra>",
    ))
    for severity in ("high", "medium"):
        part = marked[marked["severity"] == severity]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["x"], y=part["self_score"], mode="markers+text",
            name=f"自评虚高 · {style.SEVERITY_LABELS[severity]}（{len(part)}）",
            marker=dict(color=style.SEVERITY_COLORS[severity], size=14, symbol="star",
                        line=dict(color="white", width=1)),
            text=part["unit_name"], textposition="middle right",
            textfont=dict(color=style.SEVERITY_COLORS[severity], size=12),
            customdata=part[["unit_key"]].to_numpy(),
            hovertext=part["label"] + "<br>" + part["reason"],
            hovertemplate="%{hovertext}<extra></extra>", cliponaxis=False,
        ))
    fig.update_layout(
        title=title or "预算执行率与自评得分",
        xaxis=dict(tickformat=".0%", range=[lo, hi], title="预算执行率"),
        yaxis=dict(range=[y_lo, y_hi], title="自评得分（分）"),
        height=480, margin=dict(l=70, r=40, t=90, b=50),
    )
    return fig
