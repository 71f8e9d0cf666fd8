"""Project execution charts: problem projects by category."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from perfdash import metrics
from perfdash.present import style
from perfdash.present.charts.units import plot_text


def problem_counts_by_category(frame: pd.DataFrame, *, low_below: float,
                               title: str = "各类别项目执行情况（个数）") -> go.Figure:
    """Stacked horizontal bars per category: zero-spend, low-execution and other projects
    (rows of perfdash.derive.projects.by_category, worst category on top)."""
    others = frame["project_count"] - frame["zero_count"] - frame["low_count"]
    fig = style.new_figure()
    for values, name, color in (
        (frame["zero_count"], "零支出", style.SEVERITY_COLORS["high"]),
        (frame["low_count"], f"执行率低于 {low_below:.0%}", style.SEVERITY_COLORS["medium"]),
        (others, "其他", style.SECONDARY),
    ):
        fig.add_trace(go.Bar(
            y=frame["category"], x=values, name=name, orientation="h", marker=dict(color=color),
            text=[f"{int(v):,}" if v else "" for v in values], textposition="inside", insidetextanchor="middle",
            hovertemplate="%{y} · " + name + "：%{x:,d} 个项目<extra></extra>",
        ))
    fig.update_layout(
        title=plot_text(title),
        barmode="stack",
        xaxis=dict(title="项目数", tickformat=",d"),
        yaxis=dict(title=None, type="category", autorange="reversed"),
        height=max(300, 40 * len(frame) + 150),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="right", x=1, traceorder="normal"),
        margin=dict(t=100),
        bargap=0.3,
    )
    return fig


def idle_amount_by_category(frame: pd.DataFrame, *, title: str = "零支出和低执行项目未支出资金（万元）") -> go.Figure:
    """Per category: Σ(budget − spend) of the zero and low projects, with the category's weighted
    execution in the hover."""
    shown = frame.sort_values("idle_amount", ascending=False)
    fig = style.new_figure()
    fig.add_trace(go.Bar(
        y=shown["category"], x=shown["idle_amount"], orientation="h",
        marker=dict(color=style.SEVERITY_COLORS["medium"]),
        text=[metrics.fmt_amount(v) for v in shown["idle_amount"]], textposition="outside", cliponaxis=False,
        customdata=shown[["execution_rate", "budget"]].to_numpy(),
        hovertemplate=("%{y}<br>未支出：%{x:,.2f} 万元<br>该类项目执行率：%{customdata[0]:.2%}"
                       "<br>该类项目预算：%{customdata[1]:,.2f} 万元<extra></extra>"),
        name="未支出资金",
    ))
    top = float(shown["idle_amount"].max()) if len(shown) else 0.0
    fig.update_layout(
        title=plot_text(title),
        xaxis=dict(title="万元", tickformat=",.0f", range=[0, top * 1.3 if top > 0 else 1]),
        yaxis=dict(title=None, type="category", autorange="reversed"),
        height=max(300, 40 * len(frame) + 150),
        margin=dict(t=100),
        showlegend=False,
        bargap=0.3,
    )
    return fig
