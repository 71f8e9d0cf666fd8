"""Multi-year charts: weighted trend with the peer band, chosen units overlaid; unit × year heatmap."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from perfdash import metrics
from perfdash.present import style
from perfdash.present.charts.units import unique_labels
from perfdash.present.style import plot_text
from perfdash.config import Config

# At most this many units in the heatmap (rows); the query picks the worst ones.
HEATMAP_MAX_UNITS = 60
# Units overlaid on the trend chart.
MAX_OVERLAY_UNITS = 5

_BAND_FILL = "rgba(91, 155, 213, 0.18)"
_OVERLAY_COLORS = style.COLORWAY[1:]


def rate_trend(weighted: pd.DataFrame, spread: pd.DataFrame, units: pd.DataFrame | None, metric_id: str,
               config: Config, *, group_label: str = "全部单位", title: str | None = None) -> go.Figure:
    """The budget-weighted rate per year (weighted: rows of rates/weighted_by_group.sql), the
    interquartile band of the units (spread: rows of pages/rate_spread_by_year.sql) and up to
    five units' own lines (units: rows of pages/unit_series.sql; customdata = unit_key)."""
    metric = metrics.METRICS[metric_id]
    fmt = metrics.PLOTLY_FORMAT[metric.kind]
    group_label = plot_text(group_label)
    fig = style.new_figure()
    if len(spread):
        fig.add_trace(go.Scatter(
            x=spread["year"], y=spread["p25"], mode="lines", line=dict(width=0),
            hoverinfo="skip", showlegend=False, name="p25",
        ))
        fig.add_trace(go.Scatter(
            x=spread["year"], y=spread["p75"], mode="lines", line=dict(width=0),
            fill="tonexty", fillcolor=_BAND_FILL, name="单位四分位区间（25%–75%）",
            customdata=spread[["p25", "median", "unit_count"]].to_numpy(),
            hovertemplate=("%{x} 年<br>四分位区间：%{customdata[0]:" + fmt + "} – %{y:" + fmt + "}"
                           "<br>中位数：%{customdata[1]:" + fmt + "}（%{customdata[2]:,d} 个单位）<extra></extra>"),
        ))
        fig.add_trace(go.Scatter(
            x=spread["year"], y=spread["median"], mode="lines",
            line=dict(color=style.SECONDARY, width=1.5, dash="dot"), name="单位中位数",
            hovertemplate="%{x} 年 中位数：%{y:" + fmt + "}<extra></extra>",
        ))
    fig.add_trace(go.Scatter(
        x=weighted["year"], y=weighted[metric_id], mode="lines+markers+text",
        line=dict(color=style.PRIMARY, width=3), marker=dict(size=8),
        text=[metric.fmt(v) for v in weighted[metric_id]], textposition="top center",
        name=f"{group_label}（加权）",
        hovertemplate="%{x} 年 " + group_label + "（加权）：%{y:" + fmt + "}<extra></extra>",
    ))
    if units is not None and len(units):
        for i, (key, rows) in enumerate(units.groupby("unit_key", sort=False)):
            rows = rows.sort_values("year")
            name = plot_text(rows["unit_name"].iloc[-1])
            fig.add_trace(go.Scatter(
                x=rows["year"], y=rows[metric_id], mode="lines+markers",
                line=dict(color=_OVERLAY_COLORS[i % len(_OVERLAY_COLORS)], width=2),
                marker=dict(size=7), name=name,
                customdata=[[key]] * len(rows),
                hovertemplate="%{x} 年 " + name + "：%{y:" + fmt + "}<extra></extra>",
            ))
    threshold = config.thresholds.get(metric_id)
    if threshold is not None:
        for value in (threshold.medium_below, threshold.medium_above):
            if value is not None:
                fig.add_hline(y=value, line=dict(color=style.SEVERITY_COLORS["medium"], dash="dot", width=1),
                              annotation_text=f"预警线 {value:.0%}", annotation_position="bottom right",
                              annotation_font=dict(color=style.SEVERITY_COLORS["medium"], size=12))
    years = sorted(set(weighted["year"]).union(spread["year"] if len(spread) else []))
    fig.update_layout(
        title=plot_text(title or f"{metric.label}走势（{group_label}）"),
        xaxis=dict(title=None, tickmode="array", tickvals=years, ticktext=[f"{y} 年" for y in years]),
        yaxis=dict(title=metric.label, tickformat=".0%" if metric.kind == "rate" else fmt),
        height=460,
        legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0),
        margin=dict(t=60, b=90),
        hovermode="closest",
    )
    return fig


def _heat_colorscale(config: Config, metric_id: str, zmin: float, zmax: float) -> list:
    """Red below the high bound, orange to the target, blue inside it, red again above 100 %."""
    t = config.thresholds.get(metric_id)

    def pos(v):
        return min(1.0, max(0.0, (v - zmin) / (zmax - zmin)))

    if metric_id == "execution_rate" and t is not None and t.medium_below is not None:
        high_below = t.high_below if t.high_below is not None else t.medium_below
        stops = [(0.0, "#B03A2E"), (pos(high_below), "#E74C3C"), (pos(t.medium_below) - 1e-6, "#F5C28B"),
                 (pos(t.medium_below), "#D6E6F5"), (pos(1.0), "#1F5FA8")]
        if t.high_above is not None and t.high_above < zmax:
            stops += [(pos(t.high_above) + 1e-6, "#C0392B"), (1.0, "#8E1F14")]
        else:
            stops += [(1.0, "#1F5FA8")]
        cleaned = []
        for p, c in stops:
            p = min(1.0, max(0.0, p))
            if cleaned and p <= cleaned[-1][0]:
                p = min(1.0, cleaned[-1][0] + 1e-6)
            cleaned.append([p, c])
        cleaned[-1][0] = 1.0
        return cleaned
    return [[0.0, "#F7FBFF"], [1.0, style.PRIMARY]]


def rate_heatmap(frame: pd.DataFrame, metric_id: str, config: Config, *, title: str | None = None) -> go.Figure:
    """Units (rows, worst first) × years of one rate (rows of pages/heatmap_units.sql).

    Heatmap cells do not answer clicks in Plotly, so an invisible marker sits on every cell with
    the unit_key as customdata: clicking a cell selects that marker.
    """
    metric = metrics.METRICS[metric_id]
    order = (frame.drop_duplicates("unit_key").sort_values("worst_rank"))
    keys = order["unit_key"].tolist()
    # Names can repeat across units (same name in two regions): label rows uniquely.
    labels = unique_labels(order["unit_name"])
    label_of = dict(zip(keys, labels))
    years = sorted(frame["year"].unique().tolist())
    grid = frame.pivot_table(index="unit_key", columns="year", values="value", aggfunc="first")
    grid = grid.reindex(index=keys, columns=years)
    zmin, zmax = (0.5, 1.1) if metric.kind == "rate" and metric_id == "execution_rate" else (
        float(frame["value"].min()), float(frame["value"].max()))
    if zmax <= zmin:
        zmax = zmin + 0.01
    ylabels = [label_of[k] for k in keys]
    fig = style.new_figure()
    fig.add_trace(go.Heatmap(
        z=grid.to_numpy(), x=[str(y) for y in years], y=ylabels,
        zmin=zmin, zmax=zmax, colorscale=_heat_colorscale(config, metric_id, zmin, zmax),
        text=[[metric.fmt(v) if pd.notna(v) else "" for v in row] for row in grid.to_numpy()],
        texttemplate="%{text}", textfont=dict(size=11),
        hoverinfo="skip",
        colorbar=dict(title=dict(text=metric.label, side="right"), tickformat=".0%", thickness=14),
        xgap=2, ygap=2, name=metric.label,
    ))
    cells = grid.stack().reset_index()
    cells.columns = ["unit_key", "year", "value"]
    fig.add_trace(go.Scatter(
        x=[str(y) for y in cells["year"]], y=[label_of[k] for k in cells["unit_key"]],
        mode="markers", marker=dict(size=18, opacity=0, symbol="square"),
        customdata=cells[["unit_key"]].to_numpy(),
        text=[metric.fmt(v) for v in cells["value"]],
        hovertemplate="%{y}<br>%{x} 年 " + metric.label + "：%{text}<br>点击打开单位画像<extra></extra>",
        showlegend=False, name="点击打开单位画像",
    ))
    fig.update_layout(
        title=plot_text(title or f"各单位{metric.label}（单位 × 年度）"),
        # Explicit ranges: the invisible click markers would otherwise pad the axes.
        xaxis=dict(title=None, type="category", side="top", showgrid=False, range=[-0.5, len(years) - 0.5]),
        yaxis=dict(title=None, type="category", showgrid=False, range=[len(keys) - 0.5, -0.5]),
        height=max(320, 24 * len(keys) + 120),
        margin=dict(t=80, l=10, r=10, b=20),
        showlegend=False,
    )
    return fig
