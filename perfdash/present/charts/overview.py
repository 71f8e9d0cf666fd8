"""Overview charts: the distribution of a rate across units and the grade mix."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from perfdash import metrics
from perfdash.present import style
from perfdash.present.style import plot_text
from perfdash.config import Config

# Histogram bins for execution-type rates (fractions): 5-point bins from 40 % to 120 %;
# anything outside falls into the edge bins, so the chart never grows with the data.
HISTOGRAM_BINS = {"bin_width": 0.05, "lo": 0.40, "hi": 1.20}


def bin_labels(bins: pd.DataFrame) -> list[str]:
    """'90%–95%' per bin; the edge bins say '<45%' / '≥115%' when values were clamped into them."""
    labels = []
    for row in bins.itertuples(index=False):
        lo, hi = f"{row.bin_start * 100:.0f}%", f"{row.bin_end * 100:.0f}%"
        if bool(row.clamped_low):
            labels.append(f"<{hi}")
        elif bool(row.clamped_high):
            labels.append(f"≥{lo}")
        else:
            labels.append(f"{lo}–{hi}")
    return labels


def rate_histogram(bins: pd.DataFrame, metric_id: str, config: Config, *, title: str | None = None) -> go.Figure:
    """Bars of unit counts per rate bin (rows of queries/pages/rate_histogram.sql) on a percent
    axis, each bin coloured by the warning severity of its middle value."""
    metric = metrics.METRICS[metric_id]
    threshold = config.thresholds.get(metric_id)
    labels = bin_labels(bins)
    middles = (bins["bin_start"] + bins["bin_end"]) / 2
    widths = bins["bin_end"] - bins["bin_start"]
    colors = [style.SEVERITY_COLORS[threshold.severity(m) if threshold else None] for m in middles]
    total = int(bins["unit_count"].sum()) if len(bins) else 0
    fig = style.new_figure()
    fig.add_trace(go.Bar(
        x=middles,
        y=bins["unit_count"],
        width=widths * 0.92,
        marker=dict(color=colors),
        text=[f"{int(n):,}" if n else "" for n in bins["unit_count"]],
        textposition="outside",
        cliponaxis=False,
        hovertext=labels,
        hovertemplate="%{hovertext}<br>单位数：%{y:,d}<extra></extra>",
        name="单位数",
    ))
    if len(bins):
        lo, hi = float(bins["bin_start"].min()), float(bins["bin_end"].max())
        step = 0.1 if hi - lo > 0.5 else 0.05
        ticks = [round(lo + i * step, 4) for i in range(int(round((hi - lo) / step)) + 1)]
        ticktext = [f"{v:.0%}" for v in ticks]
        notes = []
        if bool(bins["clamped_low"].iloc[0]):
            notes.append(f"低于 {lo:.0%} 的计入最左一栏")
        if bool(bins["clamped_high"].iloc[-1]):
            notes.append(f"{hi:.0%} 及以上的计入最右一栏")
        if notes:
            fig.add_annotation(text="；".join(notes), xref="paper", yref="paper", x=1, y=1.0, xanchor="right",
                               yanchor="bottom", showarrow=False, font=dict(size=12, color=style.MUTED))
        xaxis = dict(title=metric.label, range=[lo, hi], tickvals=ticks, ticktext=ticktext, showgrid=False)
    else:
        xaxis = dict(title=metric.label, tickformat=".0%")
    for bound, dash in ((threshold.medium_below, "dot"), (threshold.high_below, "dash")) if threshold else ():
        if bound is not None:
            fig.add_vline(x=bound, line=dict(color=style.MUTED, dash=dash, width=1))
    fig.update_layout(
        title=plot_text(title or f"{metric.label}分布（共 {total:,} 个单位）"),
        xaxis=xaxis,
        yaxis=dict(title="单位数", tickformat=",d", rangemode="tozero"),
        height=380,
        showlegend=False,
        bargap=0,
    )
    return fig


def grade_mix(frame: pd.DataFrame, *, title: str = "评价等级分布") -> go.Figure:
    """One bar per grade (rows of queries/pages/grade_mix.sql), in 优/良/中/差 order and colours."""
    total = int(frame["unit_count"].sum()) if len(frame) else 0
    shares = [n / total if total else 0 for n in frame["unit_count"]]
    fig = style.new_figure()
    fig.add_trace(go.Bar(
        x=frame["grade"],
        y=frame["unit_count"],
        marker=dict(color=[style.GRADE_COLORS.get(g, style.MUTED) for g in frame["grade"]]),
        text=[f"{int(n):,}（{s:.0%}）" for n, s in zip(frame["unit_count"], shares)],
        textposition="outside",
        cliponaxis=False,
        hovertemplate="%{x}：%{y:,d} 个单位<extra></extra>",
        name="单位数",
    ))
    fig.update_layout(
        title=plot_text(title),
        xaxis=dict(title=None, type="category"),
        yaxis=dict(title="单位数", tickformat=",d", rangemode="tozero"),
        height=380,
        showlegend=False,
        bargap=0.35,
    )
    return fig
