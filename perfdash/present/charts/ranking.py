"""Ranking and comparison charts: execution vs self-score scatter, units side by side."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from perfdash import labels, metrics
from perfdash.present import style
from perfdash.present.style import plot_text, plot_texts
from perfdash.config import Config, Threshold

# Rates shown side by side as bars: shares of a budget, on one comparable scale.
COMPARE_RATE_IDS = ["execution_rate", "carryover_rate", "sangong_control_rate",
                    "procurement_execution_rate", "funds_arrival_rate"]
# Past this many points the scatter switches to WebGL (still clickable, far lighter).
WEBGL_FROM = 2000


# At most this many bubbles; larger sets keep every unit below target and sample the rest.
MAX_POINTS = 1500


def severity_of(values, threshold: Threshold | None) -> np.ndarray:
    """Each value's warning severity ('high', 'medium' or None); None throughout without a threshold."""
    if threshold is None:
        return np.full(len(values), None, dtype=object)
    return threshold.severities(values)


def warning_bounds(threshold: Threshold | None) -> dict:
    """A threshold's five bounds as the bound parameters of ranking/scatter_points.sql (all
    None without a threshold: no unit is under a warning line)."""
    keys = ("medium_below", "medium_above", "high_below", "high_above", "high_at_or_below")
    return {k: (getattr(threshold, k) if threshold is not None else None) for k in keys}


def scatter_points(frame: pd.DataFrame, config: Config, *, metric_id: str = "execution_rate",
                   limit: int = MAX_POINTS) -> tuple[pd.DataFrame, int]:
    """The units to draw and how many have both values. Up to `limit`: every unit under the
    metric's warning line first (the ones a leader looks for), then a fixed sample of the others
    (same sample on every run), so 20,000 units never become 20,000 bubbles.

    The 排名对比 page takes its points bounded in SQL instead (queries/ranking/scatter_points.sql:
    the same rule, the fixed sample by hash(unit_key)); this is for frames already in hand."""
    both = frame.dropna(subset=[metric_id, "self_score"])
    if len(both) <= limit:
        return both, len(both)
    flagged = both[pd.notna(severity_of(both[metric_id], config.thresholds.get(metric_id)))]
    flagged = flagged.sort_values(metric_id).head(limit)
    rest = both.drop(flagged.index)
    sample = rest.sample(n=min(len(rest), limit - len(flagged)), random_state=0) if len(flagged) < limit else rest.head(0)
    return pd.concat([flagged, sample]), len(both)


def rate_vs_score(frame: pd.DataFrame, config: Config, *, metric_id: str = "execution_rate",
                  title: str | None = None) -> go.Figure:
    """One bubble per unit: x = self-score, y = the rate, size = budget, colour = level
    (rows of rates/unit_rates.sql). Customdata [unit_key, budget] so a click opens the profile."""
    metric = metrics.METRICS[metric_id]
    shown, _ = scatter_points(frame, config, metric_id=metric_id)
    big = float(shown["budget"].max()) if len(shown) and shown["budget"].notna().any() else 1.0
    sizeref = 2.0 * big / (46.0 ** 2) if big > 0 else 1.0
    trace_type = go.Scattergl if len(shown) >= WEBGL_FROM else go.Scatter
    fig = style.new_figure()
    levels = labels.ordered_levels(shown["level"].dropna())
    groups = [(lv, shown[shown["level"] == lv]) for lv in levels]
    if shown["level"].isna().any():
        groups.append(("未填层级", shown[shown["level"].isna()]))
    for i, (level, rows) in enumerate(groups):
        fig.add_trace(trace_type(
            x=rows["self_score"], y=rows[metric_id], mode="markers", name=level,
            marker=dict(size=rows["budget"].fillna(0).clip(lower=0), sizemode="area", sizeref=sizeref,
                        sizemin=5, color=style.COLORWAY[i % len(style.COLORWAY)], opacity=0.75,
                        line=dict(color="white", width=1)),
            # [unit_key, budget, name]: the hover reads the name from customdata, no text per point
            customdata=np.column_stack([rows["unit_key"].to_numpy(dtype=object), rows["budget"].to_numpy(dtype=object),
                                        plot_texts(rows["unit_name"])]),
            hovertemplate=("%{customdata[2]}<br>自评得分：%{x:.2f}<br>" + metric.label + "：%{y:.2%}"
                           "<br>预算数：%{customdata[1]:,.2f} 万元<extra>" + plot_text(level) + "</extra>"),
        ))
    threshold = config.thresholds.get(metric_id)
    if threshold is not None and threshold.medium_below is not None:
        style.reference_line(fig, y=threshold.medium_below, color=style.SEVERITY_COLORS["medium"], dash="dot",
                       text=f"目标 {threshold.medium_below:.0%}", position="bottom left", size=12)
    top_floor = config.grade_floors.get("优")
    if top_floor is not None:
        style.reference_line(fig, x=top_floor, color=style.GRADE_COLORS["优"], dash="dot",
                       text=f"优 ≥ {top_floor:g} 分", position="top left", size=12)
    fig.update_layout(
        title=plot_text(title or f"{metric.label}与自评得分（气泡大小 = 预算数）"),
        xaxis=dict(title="自评得分"),
        yaxis=dict(title=metric.label, tickformat=".0%"),
        height=480,
        legend=dict(title=dict(text="层级"), orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        hovermode="closest",
    )
    return fig


def compare_units(frame: pd.DataFrame, metric_ids: list[str], *, title: str = "单位对比") -> go.Figure:
    """Grouped bars: one group per rate, one bar per unit (rows of rates/unit_rates.sql for
    the chosen units, in the order chosen). Customdata carries unit_key."""
    present = [m for m in metric_ids if m in frame and frame[m].notna().any()]
    fig = style.new_figure()
    for i, row in enumerate(frame.itertuples(index=False)):
        values = [getattr(row, m) for m in present]
        name = plot_text(row.unit_name)
        fig.add_trace(go.Bar(
            x=[metrics.METRICS[m].label for m in present], y=values, name=name,
            marker=dict(color=style.COLORWAY[i % len(style.COLORWAY)]),
            text=[metrics.fmt(m, v) for m, v in zip(present, values)], textposition="outside",
            cliponaxis=False, textfont=dict(size=12),
            customdata=[[row.unit_key]] * len(present),
            hovertemplate=name + "<br>%{x}：%{y:.2%}<extra></extra>",
        ))
    values = [v for m in present for v in frame[m] if v is not None and not (isinstance(v, float) and math.isnan(v))]
    top = max([1.0, *values]) * 1.15 if values else 1.2
    bottom = min([0.0, *values]) * 1.15 if values else 0
    fig.update_layout(
        title=plot_text(title),
        barmode="group",
        xaxis=dict(title=None, type="category"),
        yaxis=dict(title=None, tickformat=".0%", range=[bottom, top]),
        height=460,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        margin=dict(t=110),
        bargap=0.2,
        bargroupgap=0.05,
    )
    return fig
