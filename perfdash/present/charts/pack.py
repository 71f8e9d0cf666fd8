"""Chart builders for the meeting pack (会议材料) that no page module provides, and the
meeting frame (title, scope subtitle, 口径, source line) every exported chart gets.

Builders take the rows a query returned and never query themselves. Names and other text
from the data are escaped before they reach Plotly, whose labels understand a little HTML:
a unit called "<b>…" is shown as those characters, not as bold text.
"""
from __future__ import annotations

import copy

import pandas as pd
import plotly.graph_objects as go

from perfdash.present.style import plot_text
from perfdash import labels, metrics
from perfdash.present import style
from perfdash.present.charts import units as unit_charts
from perfdash.config import Config
from perfdash.derive import flag_list

GRADE_ORDER = [*metrics.GRADES, "未评级"]
SEVERITY_ORDER = ["high", "medium"]

# The size a meeting chart is laid out at; exported at scale 2 → 3000 × 1688 px (16:9).
MEETING_WIDTH = 1500
MEETING_HEIGHT = 844
MEETING_FONT_SIZE = 18


def no_data(title: str, message: str) -> go.Figure:
    """An empty chart that says why it is empty (plain-text title and message)."""
    return _no_data(style.new_figure(title=plot_text(title), showlegend=False), message)


def _no_data(fig: go.Figure, message: str) -> go.Figure:
    fig.add_annotation(text=plot_text(message), x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font=dict(size=22, color=style.MUTED))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def weighted_trend(frame: pd.DataFrame, metric_id: str, config: Config, *, title: str | None = None) -> go.Figure:
    """One budget-weighted rate per year (rows of rates/weighted_by_group with group_by='all'),
    as a labelled line, with the warning target as a dotted reference line."""
    metric = metrics.METRICS[metric_id]
    fig = style.new_figure(title=plot_text(title or f"{metric.label}（加权）变化趋势"), showlegend=False)
    rows = frame.dropna(subset=[metric_id]).sort_values("year")
    if rows.empty:
        return _no_data(fig, "所选范围内没有可计算的数据")
    years = [int(y) for y in rows["year"]]
    fig.add_trace(go.Scatter(
        x=years, y=rows[metric_id], mode="lines+markers+text",
        line=dict(color=style.PRIMARY, width=3), marker=dict(size=10, color=style.PRIMARY),
        text=[metric.fmt(v) for v in rows[metric_id]], textposition="top center",
        customdata=rows[["unit_count"]].to_numpy(),
        hovertemplate="%{x}年<br>" + metric.label + "：%{y:.2%}<br>单位数：%{customdata[0]}<extra></extra>",
        cliponaxis=False, name=metric.label,
    ))
    threshold = config.thresholds.get(metric_id)
    target = threshold.medium_below if threshold else None
    if target is not None:
        fig.add_hline(y=target, line=dict(color=style.SEVERITY_COLORS["medium"], dash="dot", width=2),
                      annotation_text=f"目标 {metrics.fmt_rate(target)}", annotation_position="bottom right",
                      annotation_font=dict(color=style.SEVERITY_COLORS["medium"]))
    values = list(rows[metric_id]) + ([target] if target is not None else [])
    low, high = min(values), max(values)
    pad = max((high - low) * 0.25, 0.02)
    fig.update_layout(
        xaxis=dict(tickmode="array", tickvals=years, ticktext=[f"{y}年" for y in years], title=None),
        yaxis=dict(tickformat=".0%", title=metric.label, range=[low - pad, high + pad]),
    )
    return fig


def grade_mix(frame: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Units per 评价等级 and year (rows of export/grade_mix), stacked, in grade order."""
    fig = style.new_figure(title=plot_text(title or "评价等级分布"), barmode="stack")
    if frame.empty:
        return _no_data(fig, "所选范围内没有评价等级数据")
    years = sorted(int(y) for y in frame["year"].unique())
    year_labels = [f"{y}年" for y in years]
    present = [g for g in GRADE_ORDER if g in set(frame["grade"])]
    present += sorted(set(frame["grade"]) - set(present))
    for grade in present:
        counts = frame[frame["grade"] == grade].set_index("year")["unit_count"]
        values = [int(counts.get(y, 0)) for y in years]
        fig.add_trace(go.Bar(
            x=year_labels, y=values, name=plot_text(grade),
            marker=dict(color=style.GRADE_COLORS.get(grade, style.MUTED)),
            text=[str(v) if v else "" for v in values], textposition="inside", insidetextanchor="middle",
            textangle=0, textfont=dict(color="white"),
            hovertemplate="%{x} " + plot_text(grade) + "：%{y} 个单位<extra></extra>",
        ))
    totals = frame.groupby("year")["unit_count"].sum()
    for year, label in zip(years, year_labels):
        fig.add_annotation(x=label, y=int(totals[year]), text=f"共 {int(totals[year])} 个", showarrow=False,
                           yanchor="bottom", yshift=4, font=dict(color=style.TEXT))
    fig.update_layout(xaxis=dict(title=None, type="category"),
                      yaxis=dict(title="单位数", tickformat=",d", dtick=_count_dtick(int(totals.max()))),
                      bargap=0.35, legend=dict(traceorder="normal"), uniformtext=dict(minsize=11, mode="hide"))
    return fig


def _count_dtick(largest: int):
    """Whole-number ticks for counts: a tick per unit up to 10, else Plotly's own choice."""
    return 1 if largest <= 10 else None


def flag_label(metric_id: str, kind: str) -> str:
    name = metrics.METRICS[metric_id].label if metric_id in metrics.METRICS else str(metric_id)
    if kind == "inflation":
        return f"自评虚高（{name}）"
    return f"{name}·{labels.FLAG_KIND_LABELS.get(kind, kind)}"


def flag_type_counts(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags counted per type label and severity (type_label, severity, flag_count): one row per
    kind of flag, however many flags there are; labels are worded once per (metric, kind)."""
    return labelled_counts(flag_list.counted_by_type(flags))


def labelled_counts(counts: pd.DataFrame) -> pd.DataFrame:
    """Rows of flag_list.counted_by_type (or outliers/flag_type_counts) as flag_type_counts' rows: each
    (metric, kind) worded once as a type label, in (metric, kind, severity) order."""
    counts = counts.groupby(["metric", "kind", "severity"], dropna=False, observed=True)["flag_count"].sum()
    counts = counts[counts > 0].reset_index(name="flag_count")
    type_labels = {pair: flag_label(*pair) for pair in set(zip(counts["metric"], counts["kind"]))}
    return pd.DataFrame({
        "type_label": [type_labels[pair] for pair in zip(counts["metric"], counts["kind"])],
        "severity": counts["severity"].to_numpy(),
        "flag_count": counts["flag_count"].astype("int64").to_numpy(),
    })


def type_totals(counts: pd.DataFrame) -> pd.Series:
    """Flags per type label (rows of flag_type_counts), most first."""
    return counts.groupby("type_label")["flag_count"].sum().sort_values(ascending=False)


def warnings_by_type(counts: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Number of flags per type, split by severity, from flags counted per metric, kind and
    severity (rows of flag_list.counted_by_type or queries/outliers/flag_type_counts)."""
    fig = style.new_figure(title=plot_text(title or "预警类型分布"), barmode="stack")
    if counts.empty or int(counts["flag_count"].sum()) == 0:
        return _no_data(fig, "所选范围内没有预警")
    frame = labelled_counts(counts)
    totals = type_totals(frame)
    order = list(totals.index)
    for severity in SEVERITY_ORDER:
        counts = frame[frame["severity"] == severity].groupby("type_label")["flag_count"].sum()
        values = [int(counts.get(label, 0)) for label in order]
        fig.add_trace(go.Bar(
            y=[plot_text(label) for label in order], x=values, orientation="h",
            name=labels.SEVERITY_LABELS[severity], marker=dict(color=style.SEVERITY_COLORS[severity]),
            text=[str(v) if v else "" for v in values], textposition="inside", insidetextanchor="middle",
            textfont=dict(color="white"),
            hovertemplate="%{y}：%{x} 条（" + labels.SEVERITY_LABELS[severity] + "）<extra></extra>",
        ))
    fig.update_layout(
        yaxis=dict(autorange="reversed", title=None, type="category"),
        xaxis=dict(title="条数", tickformat=",d", rangemode="tozero", dtick=_count_dtick(int(totals.max()))),
        bargap=0.3, legend=dict(traceorder="normal"),
    )
    return fig


def lowest_projects(frame: pd.DataFrame, config: Config, *, limit: int = 12, title: str | None = None) -> go.Figure:
    """The `limit` projects with the lowest execution (rows of pages/worst_projects), lowest on top
    (projects of equal rate in the frame's order), coloured by warning severity; each label names
    the project and, below it, its unit."""
    metric = metrics.METRICS["project_execution_rate"]
    fig = style.new_figure(title=plot_text(title or "执行率最低的项目"), showlegend=False)
    rows = frame.dropna(subset=["project_execution_rate"]).sort_values(
        "project_execution_rate", kind="stable").head(limit)   # ties keep the order they came in
    if rows.empty:
        return _no_data(fig, "所选范围内没有项目数据")
    threshold = config.thresholds.get("project_execution_rate")
    colors = [style.SEVERITY_COLORS[threshold.severity(v) if threshold else None]
              for v in rows["project_execution_rate"]]
    bar_labels = [f"{plot_text(p)}<br><span style='font-size:0.8em;color:{style.MUTED}'>{plot_text(u)}</span>"
              for p, u in zip(rows["project_name"], rows["unit_name"])]
    texts = [f"{metric.fmt(r)}（{metrics.fmt_amount(s)} / {metrics.fmt_amount(b)} 万元）"
             for r, s, b in zip(rows["project_execution_rate"], rows["actual_spend"], rows["budget"])]
    fig.add_trace(go.Bar(
        x=rows["project_execution_rate"], y=bar_labels, orientation="h", marker=dict(color=colors),
        text=texts, textposition="outside", cliponaxis=False,
        hovertemplate="%{y}<br>" + metric.label + "：%{x:.2%}<extra></extra>", name=metric.label,
    ))
    if threshold and threshold.medium_below is not None:
        fig.add_vline(x=threshold.medium_below, line=dict(color=style.MUTED, dash="dot", width=1))
    top = max(1.0, float(rows["project_execution_rate"].max()))
    fig.update_layout(
        xaxis=dict(tickformat=".0%", title=metric.label, range=[0, top * 1.45], tickmode="array",
                   tickvals=_percent_ticks(top)),
        yaxis=dict(autorange="reversed", title=None, type="category"),
        bargap=0.3,
    )
    return fig


def _percent_ticks(top: float) -> list[float]:
    """Ticks every 20 % up to the data's top (the space right of it holds the bar labels)."""
    return [i / 5 for i in range(int(top * 5 + 1e-9) + 1)]


def score_by_dimension(frame: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """得分率 per first-level indicator (rows of export/score_by_dimension), lowest on top."""
    fig = style.new_figure(title=plot_text(title or "一级指标得分率"), showlegend=False)
    rows = frame.dropna(subset=["score_rate"]).sort_values(["score_rate", "dimension"])
    if rows.empty:
        return _no_data(fig, "所选范围内没有一级指标得分数据")

    def points(row) -> str:
        low, high = row["min_max_score"], row["max_max_score"]
        full = f"{low:g}" if low == high else f"{low:g}–{high:g}"
        return f"{metrics.fmt_rate(row['score_rate'])}（平均 {row['avg_score']:.2f} / {full} 分，{int(row['unit_count'])} 个单位）"

    fig.add_trace(go.Bar(
        x=rows["score_rate"], y=[plot_text(d) for d in rows["dimension"]], orientation="h",
        marker=dict(color=style.PRIMARY), text=[points(r) for _, r in rows.iterrows()],
        textposition="outside", cliponaxis=False,
        hovertemplate="%{y}：得分率 %{x:.2%}<extra></extra>", name="得分率",
    ))
    fig.update_layout(
        xaxis=dict(tickformat=".0%", title="得分率（得分 ÷ 分值）", range=[0, 1.45], tickmode="array",
                   tickvals=_percent_ticks(1.0)),
        yaxis=dict(autorange="reversed", title=None, type="category"),
        bargap=0.35,
    )
    return fig


def for_meeting(fig: go.Figure, *, title: str, subtitle_lines: list[str], footer: str,
                width: int = MEETING_WIDTH, height: int = MEETING_HEIGHT) -> go.Figure:
    """A copy of `fig` laid out for a slide or a printed page: fixed 16:9 size, larger fonts, a
    bold title, a grey subtitle (scope, data date, 口径) and a source line at the bottom right.

    All text arguments are plain text (escaped here)."""
    out = copy.deepcopy(fig)
    subtitle = "<br>".join(plot_text(line) for line in subtitle_lines)
    out.update_layout(
        width=width, height=height,
        font=dict(size=MEETING_FONT_SIZE),
        title=dict(
            text=f"<b>{plot_text(title)}</b>", font=dict(size=30, color=style.TEXT),
            subtitle=dict(text=subtitle, font=dict(size=17, color="#52606D")),
            x=0.015, xref="container", xanchor="left", y=0.975, yref="container", yanchor="top",
        ),
        margin=dict(t=175, b=130, l=40, r=70),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="right", x=1, font=dict(size=17)),
    )
    # Outside bar labels keep the meeting font size instead of shrinking to the bar's thickness.
    out.update_traces(constraintext="none", selector=dict(type="bar", textposition="outside"))
    out.add_annotation(
        text=plot_text(footer), xref="paper", yref="paper", x=1, y=0, xanchor="right", yanchor="top",
        yshift=-92, showarrow=False, font=dict(size=14, color="#7B8794"), align="right",
    )
    return out
