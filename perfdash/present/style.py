"""The one chart style: template, fonts, colours and number formats for every figure.

Every figure is created with `template=TEMPLATE` (an explicit object, not a name): importing
Streamlit changes Plotly's default template to one whose colours are placeholders, and a
figure exported with it comes out with black bars.
"""
from __future__ import annotations

import html

import numpy as np
import pandas as pd

import plotly.graph_objects as go
import plotly.io as pio

from perfdash import metrics

# Simplified-Chinese CJK font first: without it the fallback may draw Japanese glyph forms.
FONT_FAMILY = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
CJK_FONT = "Noto Sans CJK SC"

# A calm palette readable on a projector; no Plotly default colours.
PRIMARY = "#1F5FA8"
SECONDARY = "#5B9BD5"
MUTED = "#9AA5B1"
GRID = "#E3E8EE"
TEXT = "#1F2933"
SUBTLE_TEXT = "#616E7C"      # secondary lines on slides
COLORWAY = ["#1F5FA8", "#E07B39", "#2E8B57", "#8E5EA2", "#C9A227", "#3AA6B9", "#B5495B", "#6C7A89"]

SEVERITY_COLORS = {"high": "#C0392B", "medium": "#E67E22", None: PRIMARY, "normal": PRIMARY}
GRADE_COLORS = {"优": "#2E8B57", "良": "#5B9BD5", "中": "#E6A23C", "差": "#C0392B", "未评级": MUTED}

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        font=dict(family=FONT_FAMILY, size=14, color=TEXT),
        title=dict(font=dict(size=18), x=0.0, xanchor="left"),
        colorway=COLORWAY,
        paper_bgcolor="white",
        plot_bgcolor="white",
        xaxis=dict(gridcolor=GRID, zerolinecolor=GRID, linecolor=MUTED, automargin=True),
        yaxis=dict(gridcolor=GRID, zerolinecolor=GRID, linecolor=MUTED, automargin=True),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
        margin=dict(l=60, r=30, t=60, b=50),
        separators=".,",
    ),
    data=dict(
        bar=[go.Bar(marker=dict(color=PRIMARY))],
        scatter=[go.Scatter(marker=dict(color=PRIMARY))],
    ),
)
pio.templates["perfdash"] = TEMPLATE

AXIS_FORMAT = metrics.PLOTLY_FORMAT


def new_figure(**layout) -> go.Figure:
    """An empty figure with the template set at creation."""
    fig = go.Figure(layout=go.Layout(template=TEMPLATE))
    if layout:
        fig.update_layout(**layout)
    return fig


def plot_text(text) -> str:
    """Data text (a unit, project or region name) for a Plotly title, label or hover: Plotly reads
    a few HTML tags (<br>, <b>, <a href>) in text, so < > & are written as entities and show as typed."""
    return html.escape("" if text is None else str(text), quote=False)


def plot_texts(values: pd.Series) -> np.ndarray:
    """plot_text for a whole column, as an object array (names and reasons are data:
    < > & show as typed in labels and hovers)."""
    text = (values.fillna("").astype(str).str.replace("&", "&amp;", regex=False)
            .str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False))
    return text.to_numpy(dtype=object)


def reference_line(fig: go.Figure, *, x: float | None = None, y: float | None = None, color: str, dash: str,
                   text: str, position: str, size: int = 11) -> None:
    """What fig.add_hline / add_vline draw (a line across the plot, its label at `position`:
    "top left", "bottom left", "bottom right" …), added as a plain shape and annotation —
    add_hline/add_vline cost about 15 ms each."""
    vertical, horizontal = position.split()
    if y is not None:
        fig.add_shape(type="line", xref="x domain", x0=0, x1=1, yref="y", y0=y, y1=y,
                      line=dict(color=color, dash=dash, width=1))
        fig.add_annotation(xref="x domain", x=0 if horizontal == "left" else 1, xanchor=horizontal,
                           yref="y", y=y, yanchor="bottom" if vertical == "top" else "top",
                           text=text, showarrow=False, font=dict(size=size, color=color))
    else:
        fig.add_shape(type="line", yref="y domain", y0=0, y1=1, xref="x", x0=x, x1=x,
                      line=dict(color=color, dash=dash, width=1))
        fig.add_annotation(yref="y domain", y=1 if vertical == "top" else 0, yanchor=vertical,
                           xref="x", x=x, xanchor="right" if horizontal == "left" else "left",
                           text=text, showarrow=False, font=dict(size=size, color=color))


PROJECTOR_FONT_SIZE = 20


def for_projector(fig: go.Figure) -> go.Figure:
    """A copy with larger text for presentation mode (axes and legends inherit the base font)."""
    bigger = go.Figure(fig)
    bigger.update_layout(font=dict(size=PROJECTOR_FONT_SIZE), title_font_size=PROJECTOR_FONT_SIZE + 6,
                         hoverlabel_font_size=PROJECTOR_FONT_SIZE)
    return bigger


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#1F5FA8' → (31, 95, 168), for python-pptx's RGBColor."""
    value = hex_colour.lstrip("#")
    return tuple(int(value[i:i + 2], 16) for i in (0, 2, 4))


# Text on exported material (chart footers, slides)
SOURCE_LINE = "来源：各单位部门整体支出绩效自评报告；perfdash"


def date_text(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"
