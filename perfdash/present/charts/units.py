"""Per-unit charts: one bar or point per budget unit."""
from __future__ import annotations


import pandas as pd
import plotly.graph_objects as go

from perfdash import metrics
from perfdash.present import style
from perfdash.present.style import plot_text
from perfdash.config import Config

# A bar per unit stops being readable past this; larger sets show both ends.
MAX_BARS = 40


def _ends(frame: pd.DataFrame, column: str, limit: int) -> tuple[pd.DataFrame, int]:
    """The `limit` rows at both ends of `column` (lowest half, highest half) and how many were left out."""
    ranked = frame.dropna(subset=[column]).sort_values(column)
    if len(ranked) <= limit:
        return ranked, 0
    half = limit // 2
    return pd.concat([ranked.head(half), ranked.tail(limit - half)]), len(ranked) - limit


def rate_by_unit(frame: pd.DataFrame, metric_id: str, config: Config, *, title: str | None = None,
                 limit: int = MAX_BARS) -> go.Figure:
    """Horizontal bars of one rate per unit, lowest at the top, coloured by warning severity.

    `frame` needs unit_key, unit_name and the metric column (a fraction). Customdata carries
    unit_key so a click can open the unit's profile.
    """
    metric = metrics.METRICS[metric_id]
    shown, left_out = _ends(frame, metric_id, limit)
    threshold = config.thresholds.get(metric_id)
    severity = [threshold.severity(v) if threshold else None for v in shown[metric_id]]
    colors = [style.SEVERITY_COLORS[s] for s in severity]
    fig = style.new_figure()
    fig.add_trace(go.Bar(
        x=shown[metric_id],
        y=unique_labels(shown["unit_name"]),
        orientation="h",
        marker=dict(color=colors),
        customdata=shown[["unit_key"]].to_numpy(),
        text=[metric.fmt(v) for v in shown[metric_id]],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{y}<br>" + metric.label + "：%{x:.2%}<extra></extra>",
        name=metric.label,
    ))
    for bound, dash in _reference_lines(threshold):
        fig.add_vline(x=bound, line=dict(color=style.MUTED, dash=dash, width=1))
    subtitle = f"（共 {len(shown) + left_out:,} 个单位，显示最低和最高各 {limit // 2} 个）" if left_out else ""
    fig.update_layout(
        title=plot_text(title or f"各单位{metric.label}") + subtitle,
        xaxis=dict(tickformat=".0%", title=metric.label),
        yaxis=dict(autorange="reversed", title=None, type="category"),
        height=max(360, 26 * len(shown) + 120),
        showlegend=False,
        bargap=0.25,
    )
    return fig


def rate_ends(rows: pd.DataFrame, metric_id: str, config: Config, *, rated: int, title: str | None = None,
              limit: int = 20) -> go.Figure:
    """Bars of one rate for the units at both ends (the lowest limit // 2 and the highest rest, as
    a query bounded them), drawn as charts/units.rate_by_unit draws a bar per unit; `rated` is
    how many units have the rate, so the title still says how many were left out."""
    ranked = rows.dropna(subset=[metric_id]).sort_values(metric_id, kind="stable")
    if len(ranked) > limit:
        half = limit // 2
        ranked = pd.concat([ranked.head(half), ranked.tail(limit - half)])
    fig = rate_by_unit(ranked, metric_id, config, title=title, limit=limit)
    if rated > len(ranked):
        metric = metrics.METRICS[metric_id]
        fig.update_layout(title=plot_text(title or f"各单位{metric.label}")
                          + f"（共 {rated:,} 个单位，显示最低和最高各 {limit // 2} 个）")
    return fig


def unique_labels(names) -> list[str]:
    """Unit names as category labels (Plotly-escaped); a repeated name (two units called the same
    in different regions) gets a counter, or the two bars would be drawn on one row."""
    seen: dict[str, int] = {}
    labels = []
    for name in names:
        name = plot_text(name)
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if seen[name] == 1 else f"{name}（{seen[name]}）")
    return labels


def _reference_lines(threshold) -> list[tuple[float, str]]:
    if threshold is None:
        return []
    lines = []
    for value, dash in ((threshold.medium_below, "dot"), (threshold.high_above, "dash"),
                        (threshold.medium_above, "dot")):
        if value is not None:
            lines.append((value, dash))
    return lines
