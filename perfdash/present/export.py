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

A pack is made in two steps: pack_data (perfdash.present.pack_data: SQL only, a few small frames
and counts) and pack_from_data (the figures, takeaways and 口径 lines; no database). build_pack
runs both; the 会议导出 page caches each step on its own.
"""
from __future__ import annotations

import dataclasses
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

from perfdash import metrics
from perfdash.config import Config
from perfdash.derive import outliers
from perfdash.present import slides, style, tabular
from perfdash.present.pack_data import CHARTS, PROJECT_BARS, TAKEAWAY_UNITS, UNIT_BARS, PackData, pack_data
from perfdash.present.charts import pack as pack_charts
from perfdash.present.charts import units as unit_charts
from perfdash.errors import ExportError
from perfdash.scope import Scope

DEFAULT_BUREAU = "财政局"
SCALE = 2  # layout 1500 × 844 → 3000 × 1688 px

_render_lock = threading.Lock()  # one kaleido session at a time per process (Streamlit threads)


# -- what goes into a pack ------------------------------------------------------------------


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
    # Every flag of the year and scope, high severity first. None until needed: a national year
    # holds some 100,000 flags, read only when the deck and the CSV are written (with_warnings).
    warnings: pd.DataFrame | None
    created: dt.date = field(default_factory=dt.date.today)

    @property
    def as_of_text(self) -> str:
        return style.date_text(self.as_of) if self.as_of else "（尚未导入数据）"

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
    return outliers.flags_for_year(db, year, **scope)


# -- the charts -------------------------------------------------------------------------------


def _pct(fraction: float) -> str:
    """A configured bound as people write it: 0.9 → 90%."""
    return f"{fraction * 100:g}%"


def _names(frame: pd.DataFrame, column: str, value_column: str, metric_id: str) -> str:
    return "、".join(f"{n}（{metrics.fmt(metric_id, v)}）" for n, v in zip(frame[column], frame[value_column]))


def _execution_by_unit(data: PackData, config: Config, name: str):
    """The lowest and highest units by execution (bounded in SQL) and counts from SQL aggregates:
    the unit list of the year never leaves DuckDB, whatever the number of units."""
    scope, target, counts = data.scope, data.execution_target, data.execution_counts
    rated = counts["rated_count"]
    if rated == 0:
        fig = pack_charts.no_data(f"{scope.year}年{name}", "所选范围内没有可计算预算执行率的单位")
        takeaway = "所选范围内没有可计算预算执行率的单位。"
    else:
        ends = data.execution_ends
        fig = unit_charts.rate_ends(ends, "execution_rate", config, rated=rated, title=f"{scope.year}年{name}",
                                    limit=UNIT_BARS)
        lowest = ends.head(TAKEAWAY_UNITS)
        below = "" if target is None else f"；低于 {_pct(target)} 的单位 {counts['below_count']} 个"
        takeaway = f"执行率最低的 {len(lowest)} 个单位：{_names(lowest, 'unit_name', 'execution_rate', 'execution_rate')}{below}。"
    basis = f"口径：预算执行率 = {metrics.METRICS['execution_rate'].formula_for(config)}"
    return fig, takeaway, basis


def _trend(data: PackData, config: Config, name: str):
    scope, frame = data.scope, data.trend
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


def _grade_mix(data: PackData, config: Config, name: str):
    scope, frame = data.scope, data.grade_mix
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


def _warnings_by_type(data: PackData, config: Config, name: str):
    scope, counts = data.scope, data.flag_counts
    fig = pack_charts.warnings_by_type(counts, title=f"{scope.year}年{name}")
    total = int(counts["flag_count"].sum())
    if total == 0:
        takeaway = f"{scope.year}年所选范围内没有预警。"
    else:
        high = int(counts.loc[counts["severity"] == "high", "flag_count"].sum())
        top = pack_charts.type_totals(pack_charts.labelled_counts(counts))
        takeaway = (f"共 {total} 条预警，其中严重 {high} 条；"
                    f"最多的是“{top.index[0]}”（{int(top.iloc[0])} 条）。")
    threshold = config.thresholds.get("execution_rate")
    example = ""
    if threshold and threshold.medium_below is not None and threshold.high_below is not None:
        high = f"< {_pct(threshold.high_below)}" + (
            f" 或 > {_pct(threshold.high_above)}" if threshold.high_above is not None else "")
        example = f"（如执行率 < {_pct(threshold.medium_below)} 关注，{high} 严重）"
    basis = f"口径：预警按 perfdash.toml 阈值{example}；异常 = 明显偏离同级单位或上年"
    return fig, takeaway, basis


def _lowest_projects(data: PackData, config: Config, name: str):
    """The PROJECT_BARS lowest projects (zero-spend and larger budgets first, as the 项目执行 page
    lists them) and the counts below the target and at zero."""
    scope, target, lowest = data.scope, data.project_target, data.lowest_projects
    fig = pack_charts.lowest_projects(lowest, config, limit=PROJECT_BARS, title=f"{scope.year}年{name}")
    if lowest.empty:
        takeaway = f"{scope.year}年所选范围内没有项目数据。"
    else:
        counts = data.project_counts
        worst = lowest.iloc[0]
        below, zero = counts["below_count"], counts["zero_count"]
        if below:
            rest = f"执行率低于 {_pct(target)} 的项目 {below} 个" + (f"，其中 {zero} 个全年未支出。" if zero else "。")
        else:
            rest = f"{counts['rated_count']} 个项目执行率均不低于 {_pct(target)}。"
        takeaway = (f"执行率最低的项目：{worst['unit_name']}「{worst['project_name']}」"
                    f"{metrics.fmt_rate(worst['project_execution_rate'])}；{rest}")
    basis = f"口径：项目预算执行率 = {metrics.METRICS['project_execution_rate'].formula_for(config)}"
    return fig, takeaway, basis


def _score_by_dimension(data: PackData, config: Config, name: str):
    scope, frame = data.scope, data.score_by_dimension
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


def pack_from_data(data: PackData, config: Config, *, bureau: str | None = None) -> Pack:
    """Every chart and sentence of the pack from its data step (pack_data) and the 口径 of
    `config` — no database, no rendering yet. The flag list is not read here (warnings None):
    with_warnings reads it when the deck and the CSV are written."""
    scope = data.scope
    pack = Pack(scope=scope, bureau=bureau or bureau_name(config.source), as_of=data.as_of,
                unit_count=data.unit_count, charts=[], warnings=None)
    for chart_id in data.charts:
        name = CHARTS[chart_id]
        fig, takeaway, basis = _BUILDERS[chart_id](data, config, name)
        title = (fig.layout.title.text or name)
        plain_title = _plain(title)
        meeting = pack_charts.for_meeting(
            fig, title=plain_title,
            subtitle_lines=[f"{scope.year}年 · 范围：{scope.describe()} · 数据截至 {pack.as_of_text}",
                            basis],
            footer=style.SOURCE_LINE,
        )
        pack.charts.append(PackChart(chart_id, name, plain_title, meeting, takeaway, basis))
    return pack


def build_pack(db, *, year: int, region=None, level=None, sector=None, charts=None,
               bureau: str | None = None) -> Pack:
    """Query the data and build every chart and sentence of the pack (no rendering yet): pack_data,
    then pack_from_data. A pack with the warnings chart carries the year's flag list too."""
    data = pack_data(db, year=year, region=region, level=level, sector=sector, charts=charts)
    pack = pack_from_data(data, db.config, bureau=bureau)
    return with_warnings(db, pack) if "warnings_by_type" in data.charts else pack


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


# -- the whole pack ---------------------------------------------------------------------------


def export_pack(db, *, year: int, out_dir, region=None, level=None, sector=None, charts=None,
                bureau: str | None = None) -> list[Path]:
    """Write the pack's PNGs, deck and warning list into out_dir; returns the paths written."""
    pack = build_pack(db, year=year, region=region, level=level, sector=sector, charts=charts, bureau=bureau)
    return write_pack(with_warnings(db, pack), out_dir)


def with_warnings(db, pack: Pack) -> Pack:
    """The pack with its flag list read (the deck's closing slides and the CSV need it)."""
    if pack.warnings is not None:
        return pack
    return dataclasses.replace(pack, warnings=flags_for_year(db, pack.scope.year, **pack.scope.params()))


def write_pack(pack: Pack, out_dir) -> list[Path]:
    """Render an already built pack into out_dir: PNGs, deck, warning list."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    pngs = [out / pack.png_name(i, chart) for i, chart in enumerate(pack.charts, start=1)]
    render_pngs([c.figure for c in pack.charts], pngs)
    deck = out / pack.deck_name()
    deck.write_bytes(slides.build_deck(pack, pngs))
    warnings_csv = out / pack.warnings_name()
    warnings_csv.write_bytes(tabular.to_csv_bytes(_warnings_table(pack.warnings)))
    return [*pngs, deck, warnings_csv]



def _warnings_table(flags: pd.DataFrame) -> pd.DataFrame:
    """The warning list with Chinese headers, as the 预警 page shows and downloads it."""
    return outliers.display_frame(flags)


def zip_files(paths: list[Path]) -> bytes:
    """The pack as one ZIP (UTF-8 names, so Chinese file names survive on Windows 10+ and macOS)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in paths:
            archive.write(path, arcname=Path(path).name)
    return buffer.getvalue()


def zip_pack(db, pack: Pack) -> tuple[str, bytes, list[str]]:
    """An already built pack (the page's preview) rendered and zipped: (file name, bytes, members)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="perfdash-pack-") as tmp:
        paths = write_pack(with_warnings(db, pack), Path(tmp))
        data = zip_files(paths)
        names = [p.name for p in paths]
    return pack.zip_name(), data, names
