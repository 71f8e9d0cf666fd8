"""Unit profile charts: budget vs spend over the years, scores by dimension, standing among peers."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from perfdash import metrics
from perfdash.present import style
from perfdash.present.charts.units import plot_text
from perfdash.config import Config


def budget_vs_spend(years: pd.DataFrame, config: Config, *, title: str = "预算与支出") -> go.Figure:
    """Bars of budget and actual spend (万元) per year, execution rate as a line on a second axis
    (rows of queries/pages/unit_years.sql)."""
    fig = style.new_figure()
    x = [f"{y} 年" for y in years["year"]]
    fig.add_trace(go.Bar(
        x=x, y=years["budget"], name="预算数（万元）", marker=dict(color=style.SECONDARY),
        text=[metrics.fmt_amount(v) for v in years["budget"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{x} 预算数：%{y:,.2f} 万元<extra></extra>",
    ))
    fig.add_trace(go.Bar(
        x=x, y=years["actual_spend"], name="实际支出数（万元）", marker=dict(color=style.PRIMARY),
        text=[metrics.fmt_amount(v) for v in years["actual_spend"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{x} 实际支出数：%{y:,.2f} 万元<extra></extra>",
    ))
    threshold = config.thresholds.get("execution_rate")
    colors = [style.SEVERITY_COLORS[threshold.severity(v) if threshold and pd.notna(v) else None]
              for v in years["execution_rate"]]
    fig.add_trace(go.Scatter(
        x=x, y=years["execution_rate"], name="预算执行率", yaxis="y2", mode="lines+markers+text",
        line=dict(color=style.COLORWAY[1], width=3), marker=dict(size=10, color=colors),
        text=[metrics.fmt_rate(v) for v in years["execution_rate"]], textposition="top center",
        textfont=dict(color=style.TEXT),
        hovertemplate="%{x} 预算执行率：%{y:.2%}<extra></extra>",
    ))
    # Bars in the lower part, the rate line above them: no label sits on a bar.
    rates = years["execution_rate"].dropna()
    rate_top = max(1.05, float(rates.max()) + 0.05) if len(rates) else 1.05
    rate_floor = min(0.85, float(rates.min()) - 0.05) if len(rates) else 0.85
    rate_bottom = rate_floor - (rate_top - rate_floor) * 1.3
    ticks = [v / 10 for v in range(int(rate_floor * 10) + 1, int(rate_top * 10) + 1)]
    amounts = pd.concat([years["budget"], years["actual_spend"]]).dropna()
    amount_max = float(amounts.max()) if len(amounts) and amounts.max() > 0 else 1.0
    amount_top = amount_max * 2.1
    amount_ticks = _nice_ticks(amount_max)
    fig.update_layout(
        title=plot_text(title),
        barmode="group",
        xaxis=dict(title=None, type="category"),
        yaxis=dict(title="万元", tickformat=",.0f", range=[0, amount_top], showgrid=False, tickvals=amount_ticks),
        yaxis2=dict(title="预算执行率", overlaying="y", side="right", tickformat=".0%", tickvals=ticks,
                    range=[rate_bottom, rate_top], showgrid=True, gridcolor=style.GRID, automargin=True),
        height=440,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        margin=dict(t=100),
        bargap=0.3,
    )
    return fig


def _nice_ticks(top: float, count: int = 4) -> list[float]:
    """About `count` round tick values (1, 2, 2.5 or 5 × 10^k apart) from 0 up to `top`."""
    import math

    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [i * step for i in range(int(top // step) + 1)]


def scores_vs_max(scores: pd.DataFrame, *, title: str = "一级指标得分") -> go.Figure:
    """Score against maximum per first-level indicator for one year (rows of pages/unit_scores.sql)."""
    fig = style.new_figure()
    fig.add_trace(go.Bar(
        y=scores["dimension"], x=scores["max_score"], orientation="h", name="分值",
        marker=dict(color=style.GRID, line=dict(color=style.MUTED, width=1)),
        hovertemplate="%{y} 分值：%{x:.2f}<extra></extra>",
    ))
    shares = scores["score_share"].fillna(0)
    fig.add_trace(go.Bar(
        y=scores["dimension"], x=scores["score"], orientation="h", name="得分",
        marker=dict(color=[style.PRIMARY if s >= 0.9 else style.SEVERITY_COLORS["medium"] if s >= 0.6
                           else style.SEVERITY_COLORS["high"] for s in shares]),
        text=[f"{s:.2f}（分值未列）" if pd.isna(m) else f"{s:.2f} / {m:g}（{r:.0%}）"
              for s, m, r in zip(scores["score"], scores["max_score"], shares)],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y} 得分：%{x:.2f}<extra></extra>",
    ))
    fig.update_layout(
        title=plot_text(title),
        barmode="overlay",
        xaxis=dict(title="分", rangemode="tozero", range=[0, float(scores[["max_score", "score"]].max().max()) * 1.35 if len(scores) else 1]),
        yaxis=dict(title=None, type="category", autorange="reversed"),
        height=max(280, 56 * len(scores) + 130),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1),
        margin=dict(t=90),
        bargap=0.3,
    )
    return fig


def peer_standing(frame: pd.DataFrame, *, title: str = "在同级单位中的位置") -> go.Figure:
    """Percentile of the unit among its peers for each metric (rows of pages/peer_percentiles.sql).

    The bar is the share of peers with a lower value; the colour says whether that side is good
    (green), middling or bad, by the metric's direction (higher execution is good, higher
    carryover is not).
    """
    labels, colors, texts = [], [], []
    for row in frame.itertuples(index=False):
        metric = metrics.METRICS.get(row.metric)
        labels.append(metric.label if metric else row.metric)
        better = None if metric is None else metric.higher_is_better
        good_side = row.percentile if better in (True, None) else 1 - row.percentile
        colors.append(style.GRADE_COLORS["优"] if good_side >= 0.5 else
                      style.SEVERITY_COLORS["medium"] if good_side >= 0.2 else style.SEVERITY_COLORS["high"])
        value = metric.fmt(row.value) if metric else f"{row.value:.2f}"
        median = metric.fmt(row.peer_median) if metric else f"{row.peer_median:.2f}"
        texts.append(f"{row.percentile:.0%}（本单位 {value}，中位数 {median}）")
    fig = style.new_figure()
    fig.add_trace(go.Bar(
        y=labels, x=frame["percentile"], orientation="h", marker=dict(color=colors),
        text=texts, textposition="outside", cliponaxis=False,
        customdata=frame[["peer_count"]].to_numpy(),
        hovertemplate="%{y}：高于 %{x:.0%} 的同级单位（共 %{customdata[0]:,d} 个）<extra></extra>",
        name="百分位",
    ))
    fig.add_vline(x=0.5, line=dict(color=style.MUTED, dash="dot", width=1))
    fig.update_layout(
        title=plot_text(title),
        xaxis=dict(title="百分位（高于多少同级单位）", tickformat=".0%", range=[0, 1.75], tickvals=[0, 0.25, 0.5, 0.75, 1]),
        yaxis=dict(title=None, type="category", autorange="reversed"),
        height=max(260, 44 * len(frame) + 120),
        showlegend=False,
        bargap=0.35,
    )
    return fig
