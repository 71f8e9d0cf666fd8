"""The meeting deck: a 16:9 PPTX with a title slide, one chart a slide with its takeaway, and the
warning list — Latin and East-Asian typefaces both set, colours from the chart style."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from perfdash import labels, metrics
from perfdash.derive import outliers
from perfdash.present import style

WARNING_ROWS_ON_SLIDE = 10
MAX_WARNING_SLIDES = 3

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
DARK = style.rgb(style.TEXT)
BLUE = style.rgb(style.PRIMARY)
GREY = style.rgb(style.SUBTLE_TEXT)
SEVERITY_RGB = {s: style.rgb(style.SEVERITY_COLORS[s]) for s in labels.SEVERITIES}


def set_cjk_font(run, typeface: str = style.CJK_FONT) -> None:
    """Set the Latin *and* East Asian typeface of a text run (python-pptx sets only latin)."""
    from pptx.oxml.ns import qn

    run.font.name = typeface
    rpr = run._r.get_or_add_rPr()
    latin = rpr.find(qn("a:latin"))
    for tag in ("a:ea", "a:cs"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    cs = rpr.makeelement(qn("a:cs"), {"typeface": typeface})
    ea = rpr.makeelement(qn("a:ea"), {"typeface": typeface})
    latin.addnext(cs)
    latin.addnext(ea)


def _text(frame, text: str, *, size: int, color=DARK, bold: bool = False, align=None, new_paragraph=False):
    from pptx.dml.color import RGBColor
    from pptx.util import Pt

    paragraph = frame.add_paragraph() if new_paragraph else frame.paragraphs[0]
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = RGBColor(*color)
    set_cjk_font(run)
    return paragraph


def _box(slide, left, top, width, height, *, wrap=True):
    from pptx.util import Inches

    shape = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = shape.text_frame
    frame.word_wrap = wrap
    return shape, frame


def _place_title(slide, text: str, *, top=0.3, height=0.8, size=28):
    from pptx.util import Inches

    title = slide.shapes.title
    title.left, title.top = Inches(0.5), Inches(top)
    title.width, title.height = Inches(SLIDE_W_IN - 1.0), Inches(height)
    frame = title.text_frame
    frame.clear()
    frame.word_wrap = True
    from pptx.enum.text import PP_ALIGN

    _text(frame, text, size=size, bold=True, color=DARK, align=PP_ALIGN.LEFT)
    return title


def fit_font_size(text: str, width_in: float, height_in: float, sizes=(24, 22, 20, 18, 16, 14)) -> int:
    """The largest size at which `text` fits the box, counting a CJK character as 1 em wide."""
    import math

    for size in sizes:
        per_line = max(1, int(width_in * 72 / size) - 1)
        lines = math.ceil(len(text) / per_line)
        if lines * size * 1.3 / 72 <= height_in - 0.1:
            return size
    return sizes[-1]


def build_deck(pack, pictures: list[Path]) -> bytes:
    """The 16:9 deck of a pack (perfdash.present.export.Pack): a title slide, one slide per chart
    (picture + takeaway), the warnings."""
    from pptx import Presentation
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Emu, Inches, Pt

    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(12192000), Emu(6858000)  # 13.333 in × 7.5 in
    title_layout, title_only = prs.slide_layouts[0], prs.slide_layouts[5]
    scope = pack.scope

    slide = prs.slides.add_slide(title_layout)
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = Inches(0.8), Inches(2.0), Inches(SLIDE_W_IN - 1.6), Inches(1.6)
    title.text_frame.clear()
    _text(title.text_frame, f"{scope.year}年度部门整体支出绩效分析", size=40, bold=True, color=DARK,
          align=PP_ALIGN.CENTER)
    subtitle.left, subtitle.top = Inches(0.8), Inches(3.8)
    subtitle.width, subtitle.height = Inches(SLIDE_W_IN - 1.6), Inches(2.2)
    frame = subtitle.text_frame
    frame.clear()
    _text(frame, pack.bureau, size=26, bold=True, color=BLUE, align=PP_ALIGN.CENTER)
    _text(frame, f"范围：{scope.describe()}（{pack.unit_count} 个单位）", size=20, color=GREY,
          align=PP_ALIGN.CENTER, new_paragraph=True)
    _text(frame, f"数据截至 {pack.as_of_text} · 材料生成于 {style.date_text(pack.created)}", size=16, color=GREY,
          align=PP_ALIGN.CENTER, new_paragraph=True)

    for chart, picture in zip(pack.charts, pictures):
        slide = prs.slides.add_slide(title_only)
        band = 1.15
        _place_title(slide, chart.takeaway, top=0.12, height=band,
                     size=fit_font_size(chart.takeaway, SLIDE_W_IN - 1.0, band))
        slide.shapes.title.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        top, bottom = 0.12 + band + 0.05, 0.1
        height = SLIDE_H_IN - top - bottom
        width = height * 16 / 9
        slide.shapes.add_picture(str(picture), Inches((SLIDE_W_IN - width) / 2), Inches(top),
                                 Inches(width), Inches(height))
        slide.notes_slide.notes_text_frame.text = f"{chart.title}。{chart.takeaway}{chart.basis}。"

    _warning_slide(prs, title_only, pack)

    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def _warning_slide(prs, layout, pack) -> None:
    """The closing slide(s): the flags as a table, high severity first, WARNING_ROWS_ON_SLIDE a slide
    and at most MAX_WARNING_SLIDES slides; the CSV in the pack has them all."""
    flags = pack.warnings
    high = int((flags["severity"] == "high").sum()) if not flags.empty else 0
    heading = f"{pack.scope.year}年预警清单：共 {len(flags)} 条，其中严重 {high} 条"
    if flags.empty:
        slide = prs.slides.add_slide(layout)
        _place_title(slide, heading, top=0.25, height=0.8)
        _, frame = _box(slide, 0.6, 1.4, SLIDE_W_IN - 1.2, 1.0)
        _text(frame, "所选范围内本年度没有预警。", size=22, color=GREY)
        return
    shown = flags.head(WARNING_ROWS_ON_SLIDE * MAX_WARNING_SLIDES)
    values = list(outliers.value_text(shown))
    pages = range(0, len(shown), WARNING_ROWS_ON_SLIDE)
    for number, first in enumerate(pages, start=1):
        chunk = shown.iloc[first:first + WARNING_ROWS_ON_SLIDE]
        slide = prs.slides.add_slide(layout)
        suffix = f"（{number}/{len(pages)}）" if len(pages) > 1 else ""
        _place_title(slide, heading + suffix, top=0.25, height=0.8)
        _warning_table(slide, chunk, values[first:first + len(chunk)])
        note = "严重在前。"
        if len(flags) > len(shown):
            note += f"此处列出前 {len(shown)} 条，"
        note += f"完整清单见 {pack.warnings_name()}。{style.SOURCE_LINE}"
        _, frame = _box(slide, 0.6, SLIDE_H_IN - 0.5, SLIDE_W_IN - 1.2, 0.4)
        _text(frame, note, size=11, color=GREY)


def _warning_table(slide, flags: pd.DataFrame, values: list[str]) -> None:
    from pptx.util import Inches

    headers = ["单位", "指标", "数值", "程度", "说明"]
    widths = [2.8, 1.75, 1.15, 0.7, 5.73]
    rows = len(flags) + 1
    table = slide.shapes.add_table(rows, len(headers), Inches(0.6), Inches(1.15), Inches(sum(widths)),
                                   Inches(0.5 * rows)).table
    for i, w in enumerate(widths):
        table.columns[i].width = Inches(w)
    for i, header in enumerate(headers):
        frame = table.cell(0, i).text_frame
        frame.clear()
        _text(frame, header, size=13, bold=True, color=(0xFF, 0xFF, 0xFF))
    for r, (flag, value) in enumerate(zip(flags.itertuples(), values), start=1):
        metric_id = flag.metric
        label = metrics.label(metric_id) if metric_id in metrics.METRICS else str(metric_id)
        if flag.kind != "warning":
            label += f"（{labels.FLAG_KIND_LABELS.get(flag.kind, flag.kind)}）"
        severity = str(flag.severity)
        cells = [str(flag.unit_name), label, value, labels.SEVERITY_LABELS.get(severity, severity),
                 str(flag.reason)]
        for c, text in enumerate(cells):
            frame = table.cell(r, c).text_frame
            frame.clear()
            frame.word_wrap = True
            color = SEVERITY_RGB.get(severity, DARK) if c == 3 else DARK
            _text(frame, text, size=11, color=color, bold=(c == 3))
