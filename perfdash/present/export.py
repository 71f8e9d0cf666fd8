"""The meeting pack (会议材料): chart PNGs, a 16:9 slide deck and the warning list, for one
year and scope.

    export_pack(db, year=2023, out_dir=Path("会议材料"))   # python -m perfdash export …

writes, with Chinese file names that say what and which year:

    01_2023年_各单位预算执行率.png … 06_2023年_一级指标得分率.png   (3000 × 1688 px, 16:9)
    2023年_部门整体支出绩效_会议材料.pptx                         (title, one chart a slide, warnings)
    2023年_预警清单.csv

Each PNG carries its own title, a subtitle with the scope, the data date (数据截至 = last
import) and the 口径 of the figure, and a source line, so it can stand alone in a document.
All PNGs of a pack are rendered by one headless Chromium (one kaleido session), not one per
chart. A PDF of the deck is deliberately not produced (it would need LibreOffice, +244 MB):
the PPTX opens in WPS / PowerPoint, which print and save PDF themselves.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import threading
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from perfdash import labels, metrics
from perfdash.present import tabular
from perfdash.present.charts import pack as pack_charts
from perfdash.present.charts import units as unit_charts
from perfdash.errors import ExportError

SOURCE_LINE = "来源：各单位部门整体支出绩效自评报告；perfdash"
DEFAULT_BUREAU = "财政局"
CJK_FONT = "Noto Sans CJK SC"
SCALE = 2  # layout 1500 × 844 → 3000 × 1688 px
TREND_YEARS = 7
GRADE_YEARS = 5
UNIT_BARS = 20  # lowest and highest 10 units: readable on a projected slide
PROJECT_BARS = 12
TAKEAWAY_UNITS = 5
WARNING_ROWS_ON_SLIDE = 10
MAX_WARNING_SLIDES = 3

# id → (name used in titles and file names); the order is the order of the pack.
CHARTS: dict[str, str] = {
    "execution_by_unit": "各单位预算执行率",
    "trend": "预算执行率变化趋势",
    "grade_mix": "评价等级分布",
    "warnings_by_type": "预警类型分布",
    "lowest_projects": "执行率最低的项目",
    "score_by_dimension": "一级指标得分率",
}

_render_lock = threading.Lock()  # one kaleido session at a time per process (Streamlit threads)


# -- what goes into a pack ------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    year: int
    region: str | None = None
    level: str | None = None
    sector: str | None = None

    def params(self) -> dict:
        return {"region": self.region, "level": self.level, "sector": self.sector}

    def parts(self) -> list[str]:
        return [p for p in (self.region, self.level, self.sector) if p]

    def describe(self) -> str:
        return "、".join(self.parts()) or "全部单位"


@dataclass
class PackChart:
    id: str
    name: str          # e.g. 各单位预算执行率
    title: str         # e.g. 2023年各单位预算执行率
    figure: go.Figure  # laid out for the meeting (16:9, subtitle, source line)
    takeaway: str      # one sentence computed from the data
    basis: str         # the 口径 line


@dataclass
class Pack:
    scope: Scope
    bureau: str
    as_of: dt.date | None
    unit_count: int
    charts: list[PackChart]
    warnings: pd.DataFrame
    created: dt.date = field(default_factory=dt.date.today)

    @property
    def as_of_text(self) -> str:
        return _date_text(self.as_of) if self.as_of else "（尚未导入数据）"

    def file_stem(self) -> str:
        parts = [f"{self.scope.year}年", *self.scope.parts()]
        return tabular.safe_filename("_".join(parts))

    def png_name(self, index: int, chart: PackChart) -> str:
        return f"{index:02d}_{self.file_stem()}_{tabular.safe_filename(chart.name)}.png"

    def deck_name(self) -> str:
        return f"{self.file_stem()}_部门整体支出绩效_会议材料.pptx"

    def warnings_name(self) -> str:
        return f"{self.file_stem()}_预警清单.csv"

    def zip_name(self) -> str:
        return f"{self.file_stem()}_会议材料.zip"


def _date_text(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def bureau_name(config_source: str | None = None) -> str:
    """The bureau named on the title slide: `[export] bureau = "…"` in perfdash.toml, else 财政局."""
    if config_source:
        try:
            raw = tomllib.loads(Path(config_source).read_text(encoding="utf-8"))
            name = str(raw.get("export", {}).get("bureau", "")).strip()
            if name:
                return name
        except (OSError, tomllib.TOMLDecodeError):
            pass
    return DEFAULT_BUREAU


def flags_for_year(db, year: int, **scope) -> pd.DataFrame:
    """Warnings, statistical outliers and inflation flags (perfdash.outliers), high severity first."""
    from perfdash.derive import outliers

    return outliers.flags_for_year(db, year, **scope)


# -- the charts -------------------------------------------------------------------------------


def _pct(fraction: float) -> str:
    """A configured bound as people write it: 0.9 → 90%."""
    return f"{fraction * 100:g}%"


def _names(frame: pd.DataFrame, column: str, value_column: str, metric_id: str) -> str:
    return "、".join(f"{n}（{metrics.fmt(metric_id, v)}）" for n, v in zip(frame[column], frame[value_column]))


def _execution_by_unit(db, scope: Scope, name: str):
    """The lowest and highest units by execution (bounded in SQL) and counts from SQL aggregates:
    the unit list of the year never leaves DuckDB, whatever the number of units."""
    config = db.config
    threshold = config.thresholds.get("execution_rate")
    target = threshold.medium_below if threshold else None
    counts = db.query("export/execution_counts", year=scope.year, below=target, **scope.params()).iloc[0]
    rated = int(counts["rated_count"])
    if rated == 0:
        fig = pack_charts.no_data(f"{scope.year}年{name}", "所选范围内没有可计算预算执行率的单位")
        takeaway = "所选范围内没有可计算预算执行率的单位。"
    else:
        half = UNIT_BARS // 2
        ends = db.query("export/execution_ends", year=scope.year, lowest=max(half, TAKEAWAY_UNITS),
                        highest=UNIT_BARS - half, **scope.params())
        fig = unit_charts.rate_ends(ends, "execution_rate", config, rated=rated, title=f"{scope.year}年{name}",
                                    limit=UNIT_BARS)
        lowest = ends.head(TAKEAWAY_UNITS)
        below = "" if target is None else f"；低于 {_pct(target)} 的单位 {int(counts['below_count'])} 个"
        takeaway = f"执行率最低的 {len(lowest)} 个单位：{_names(lowest, 'unit_name', 'execution_rate', 'execution_rate')}{below}。"
    basis = f"口径：预算执行率 = {metrics.METRICS['execution_rate'].formula_for(config)}"
    return fig, takeaway, basis


def _trend(db, scope: Scope, name: str):
    config = db.config
    frame = db.query("rates/weighted_by_group", group_by="all", year_from=scope.year - TREND_YEARS + 1,
                     year_to=scope.year, **scope.params())
    years = frame["year"].astype(int)
    first = int(years.min()) if len(frame) else scope.year
    fig = pack_charts.weighted_trend(frame, "execution_rate", config, title=f"{first}–{scope.year}年{name}（加权）")
    now = frame[years == scope.year]["execution_rate"].dropna()
    before = frame[years == scope.year - 1]["execution_rate"].dropna()
    if now.empty:
        takeaway = f"{scope.year}年所选范围内没有可计算的预算执行率。"
    elif before.empty:
        takeaway = f"{scope.year}年加权预算执行率 {metrics.fmt_rate(now.iloc[0])}（无上年数据可比）。"
    else:
        takeaway = (f"{scope.year}年加权预算执行率 {metrics.fmt_rate(now.iloc[0])}，"
                    f"较上年 {metrics.fmt_pp(now.iloc[0] - before.iloc[0])}。")
    basis = f"口径：加权预算执行率 = {metrics.METRICS['execution_rate'].weighted_formula_for(config)}"
    return fig, takeaway, basis


def _grade_mix(db, scope: Scope, name: str):
    config = db.config
    frame = db.query("export/grade_mix", year_from=scope.year - GRADE_YEARS + 1, year_to=scope.year,
                     **scope.params())
    first = int(frame["year"].min()) if len(frame) else scope.year
    span = f"{first}–{scope.year}年" if first < scope.year else f"{scope.year}年"
    fig = pack_charts.grade_mix(frame, title=f"{span}{name}")
    now = frame[frame["year"] == scope.year]
    if now.empty:
        takeaway = f"{scope.year}年所选范围内没有评价等级数据。"
    else:
        counts = now.set_index("grade")["unit_count"]
        total = int(counts.sum())
        listed = "、".join(f"{g} {int(counts[g])} 个" for g in pack_charts.GRADE_ORDER if g in counts.index)
        excellent = int(counts.get("优", 0))
        takeaway = f"{scope.year}年 {total} 个单位中 {listed}，“优”占 {metrics.fmt_rate(excellent / total)}。"
    floors = sorted(config.grade_floors.items(), key=lambda kv: -kv[1])
    bands = []
    for i, (grade, floor) in enumerate(floors):
        if i == 0:
            bands.append(f"{grade} ≥ {floor:g}")
        elif floor > 0:
            bands.append(f"{grade} {floor:g}–<{floors[i - 1][1]:g}")
        else:
            bands.append(f"{grade} < {floors[i - 1][1]:g}")
    basis = "口径：各单位自评所填等级" + (f"；{'，'.join(bands)}（财预〔2020〕10号）" if bands else "")
    return fig, takeaway, basis


def _warnings_by_type(db, scope: Scope, name: str, flags: pd.DataFrame):
    fig = pack_charts.warnings_by_type(flags, title=f"{scope.year}年{name}")
    if flags.empty:
        takeaway = f"{scope.year}年所选范围内没有预警。"
    else:
        high = int((flags["severity"] == "high").sum())
        top = pack_charts.type_totals(pack_charts.flag_type_counts(flags))
        takeaway = (f"共 {len(flags)} 条预警，其中严重 {high} 条；"
                    f"最多的是“{top.index[0]}”（{int(top.iloc[0])} 条）。")
    threshold = db.config.thresholds.get("execution_rate")
    example = ""
    if threshold and threshold.medium_below is not None and threshold.high_below is not None:
        high = f"< {_pct(threshold.high_below)}" + (
            f" 或 > {_pct(threshold.high_above)}" if threshold.high_above is not None else "")
        example = f"（如执行率 < {_pct(threshold.medium_below)} 关注，{high} 严重）"
    basis = f"口径：预警按 perfdash.toml 阈值{example}；异常 = 明显偏离同级单位或上年"
    return fig, takeaway, basis


def _lowest_projects(db, scope: Scope, name: str):
    """The PROJECT_BARS lowest projects (LIMIT in SQL) and counts from SQL aggregates."""
    config = db.config
    threshold = config.thresholds.get("project_execution_rate")
    target = threshold.medium_below if threshold and threshold.medium_below is not None else 0.5
    lowest = db.query("export/lowest_projects", year=scope.year, limit=PROJECT_BARS, **scope.params())
    fig = pack_charts.lowest_projects(lowest, config, limit=PROJECT_BARS, title=f"{scope.year}年{name}")
    if lowest.empty:
        takeaway = f"{scope.year}年所选范围内没有项目数据。"
    else:
        counts = db.query("export/project_counts", year=scope.year, below=target, **scope.params()).iloc[0]
        worst = lowest.iloc[0]
        below, zero = int(counts["below_count"]), int(counts["zero_count"])
        if below:
            rest = f"执行率低于 {_pct(target)} 的项目 {below} 个" + (f"，其中 {zero} 个全年未支出。" if zero else "。")
        else:
            rest = f"{int(counts['rated_count'])} 个项目执行率均不低于 {_pct(target)}。"
        takeaway = (f"执行率最低的项目：{worst['unit_name']}「{worst['project_name']}」"
                    f"{metrics.fmt_rate(worst['project_execution_rate'])}；{rest}")
    basis = f"口径：项目预算执行率 = {metrics.METRICS['project_execution_rate'].formula_for(config)}"
    return fig, takeaway, basis


def _score_by_dimension(db, scope: Scope, name: str):
    frame = db.query("export/score_by_dimension", year=scope.year, **scope.params())
    fig = pack_charts.score_by_dimension(frame, title=f"{scope.year}年{name}")
    rated = frame.dropna(subset=["score_rate"]).sort_values(["score_rate", "dimension"])
    if rated.empty:
        takeaway = f"{scope.year}年所选范围内没有一级指标得分数据。"
    else:
        low, high = rated.iloc[0], rated.iloc[-1]
        takeaway = (f"得分率最低的一级指标是“{low['dimension']}”（{metrics.fmt_rate(low['score_rate'])}），"
                    f"最高的是“{high['dimension']}”（{metrics.fmt_rate(high['score_rate'])}）。")
    basis = "口径：得分率 = Σ该指标得分 ÷ Σ该指标分值；各地指标体系不同，按指标名称汇总"
    return fig, takeaway, basis


_BUILDERS = {
    "execution_by_unit": _execution_by_unit,
    "trend": _trend,
    "grade_mix": _grade_mix,
    "warnings_by_type": _warnings_by_type,
    "lowest_projects": _lowest_projects,
    "score_by_dimension": _score_by_dimension,
}


def build_pack(db, *, year: int, region=None, level=None, sector=None, charts=None,
               bureau: str | None = None) -> Pack:
    """Query the data and build every chart and sentence of the pack (no rendering yet)."""
    scope = Scope(int(year), region or None, level or None, sector or None)
    chosen = list(CHARTS) if charts is None else list(charts)
    unknown = [c for c in chosen if c not in CHARTS]
    if unknown:
        raise ExportError(f"没有这些图表：{'、'.join(unknown)}；可选：{'、'.join(CHARTS)}")
    unit_count = int(db.scalar("export/unit_count", year=scope.year, **scope.params()) or 0)
    if unit_count == 0:
        raise ExportError(f"{scope.year}年（{scope.describe()}）没有数据，无法生成会议材料。")
    last = db.scalar("filters/last_import")
    as_of = pd.Timestamp(last).date() if last is not None and not pd.isna(last) else None
    flags = flags_for_year(db, scope.year, **scope.params())
    pack = Pack(scope=scope, bureau=bureau or bureau_name(db.config.source), as_of=as_of,
                unit_count=unit_count, charts=[], warnings=flags)
    for chart_id in chosen:
        name = CHARTS[chart_id]
        extra = (flags,) if chart_id == "warnings_by_type" else ()
        fig, takeaway, basis = _BUILDERS[chart_id](db, scope, name, *extra)
        title = (fig.layout.title.text or name)
        plain_title = _plain(title)
        meeting = pack_charts.for_meeting(
            fig, title=plain_title,
            subtitle_lines=[f"{scope.year}年 · 范围：{scope.describe()} · 数据截至 {pack.as_of_text}",
                            basis],
            footer=SOURCE_LINE,
        )
        pack.charts.append(PackChart(chart_id, name, plain_title, meeting, takeaway, basis))
    return pack


def _plain(label: str) -> str:
    """A Plotly title back to plain text (builders escape data text)."""
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", label))


# -- rendering --------------------------------------------------------------------------------


def render_pngs(figures: list[go.Figure], paths: list[Path], *, scale: float = SCALE) -> None:
    """Write every figure as PNG with one headless Chromium for the whole batch."""
    import kaleido
    from kaleido.errors import ChromeNotFoundError

    specs = [
        dict(fig=fig.to_dict(), path=Path(path),
             opts=dict(format="png", width=fig.layout.width or pack_charts.MEETING_WIDTH,
                       height=fig.layout.height or pack_charts.MEETING_HEIGHT, scale=scale))
        for fig, path in zip(figures, paths)
    ]
    with _render_lock:
        try:
            if kaleido._global_server.is_running():  # someone keeps a browser: reuse it
                kaleido.write_fig_from_object_sync(specs)
            else:
                kaleido.write_fig_from_object_sync(specs, kopts={"mathjax": False})
        except ChromeNotFoundError as exc:
            raise ExportError("无法生成图片：找不到 Chromium 浏览器（请安装 chromium，或用 BROWSER_PATH 指定）。") from exc
    missing = [str(p) for p in paths if not Path(p).is_file()]
    if missing:
        raise ExportError(f"图片未能生成：{'、'.join(missing)}")


# -- the deck ---------------------------------------------------------------------------------

SLIDE_W_IN, SLIDE_H_IN = 13.333, 7.5
DARK = (0x1F, 0x29, 0x33)
BLUE = (0x1F, 0x5F, 0xA8)
GREY = (0x61, 0x6E, 0x7C)
SEVERITY_RGB = {"high": (0xC0, 0x39, 0x2B), "medium": (0xE6, 0x7E, 0x22)}


def set_cjk_font(run, typeface: str = CJK_FONT) -> None:
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


def build_deck(pack: Pack, pictures: list[Path]) -> bytes:
    """The 16:9 deck: a title slide, one slide per chart (picture + takeaway), the warnings."""
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
    _text(frame, f"数据截至 {pack.as_of_text} · 材料生成于 {_date_text(pack.created)}", size=16, color=GREY,
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


def _warning_slide(prs, layout, pack: Pack) -> None:
    """The closing slide(s): the flags as a table, high severity first, WARNING_ROWS_ON_SLIDE a slide
    and at most MAX_WARNING_SLIDES slides; the CSV in the pack has them all."""
    from perfdash.derive import outliers

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
        note += f"完整清单见 {pack.warnings_name()}。{SOURCE_LINE}"
        _, frame = _box(slide, 0.6, SLIDE_H_IN - 0.5, SLIDE_W_IN - 1.2, 0.4)
        _text(frame, note, size=11, color=GREY)


def _warning_table(slide, flags: pd.DataFrame, values: list[str]) -> None:
    from pptx.util import Inches

    from perfdash.derive import outliers

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


# -- the whole pack ---------------------------------------------------------------------------


def export_pack(db, *, year: int, out_dir, region=None, level=None, sector=None, charts=None,
                bureau: str | None = None) -> list[Path]:
    """Write the pack's PNGs, deck and warning list into out_dir; returns the paths written."""
    pack = build_pack(db, year=year, region=region, level=level, sector=sector, charts=charts, bureau=bureau)
    return write_pack(pack, out_dir)


def write_pack(pack: Pack, out_dir) -> list[Path]:
    """Render an already built pack into out_dir: PNGs, deck, warning list."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pngs = [out / pack.png_name(i, chart) for i, chart in enumerate(pack.charts, start=1)]
    render_pngs([c.figure for c in pack.charts], pngs)
    deck = out / pack.deck_name()
    deck.write_bytes(build_deck(pack, pngs))
    warnings_csv = out / pack.warnings_name()
    warnings_csv.write_bytes(tabular.to_csv_bytes(_warnings_table(pack.warnings)))
    return [*pngs, deck, warnings_csv]



def _warnings_table(flags: pd.DataFrame) -> pd.DataFrame:
    """The warning list with Chinese headers, as the 预警 page shows and downloads it."""
    from perfdash.derive import outliers

    return outliers.display_frame(flags)


def zip_files(paths: list[Path]) -> bytes:
    """The pack as one ZIP (UTF-8 names, so Chinese file names survive on Windows 10+ and macOS)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, arcname=Path(path).name)
    return buffer.getvalue()


def zip_pack(pack: Pack) -> tuple[str, bytes, list[str]]:
    """An already built pack (the page's preview) rendered and zipped: (file name, bytes, members)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="perfdash-pack-") as tmp:
        paths = write_pack(pack, Path(tmp))
        data = zip_files(paths)
        names = [p.name for p in paths]
    return pack.zip_name(), data, names
