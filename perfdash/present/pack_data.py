"""The meeting pack's data step: the few rows and counts each chart of the pack needs, read from
the database with SQL only (no Plotly). perfdash.present.export builds the figures, takeaways and
口径 lines from it without the database (export.pack_from_data), so the dashboard can cache the
two steps apart and the CLI runs both (export.build_pack).

Every query is bounded — aggregates, or the top / bottom N rows a chart shows — and the project
chart reads the derived tables of the 项目执行 page (perfdash.derive.projects) instead of the
year's projects, so the page and the pack show the same lowest projects in the same order.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from perfdash.derive import flag_list, projects
from perfdash.errors import ExportError
from perfdash.scope import Scope

TREND_YEARS = 7
GRADE_YEARS = 5
UNIT_BARS = 20  # lowest and highest 10 units: readable on a projected slide
PROJECT_BARS = 12
TAKEAWAY_UNITS = 5

# id → (name used in titles and file names); the order is the order of the pack.
CHARTS: dict[str, str] = {
    "execution_by_unit": "各单位预算执行率",
    "trend": "预算执行率变化趋势",
    "grade_mix": "评价等级分布",
    "warnings_by_type": "预警类型分布",
    "lowest_projects": "执行率最低的项目",
    "score_by_dimension": "一级指标得分率",
}


@dataclass
class PackData:
    """What the charts of one pack are drawn from; a field is None when its chart is not chosen."""
    scope: Scope
    charts: tuple[str, ...]
    unit_count: int
    as_of: dt.date | None
    execution_target: float | None = None     # the execution_rate medium_below threshold
    execution_counts: dict | None = None       # rated_count, below_count (export/execution_counts)
    execution_ends: pd.DataFrame | None = None  # export/execution_ends, ≤ UNIT_BARS rows
    trend: pd.DataFrame | None = None          # rates/weighted_by_group, ≤ TREND_YEARS rows
    grade_mix: pd.DataFrame | None = None      # export/grade_mix over GRADE_YEARS years
    flag_counts: pd.DataFrame | None = None    # flag_list.type_counts: per metric, kind, severity
    project_target: float | None = None        # the project_execution_rate medium_below, else 0.5
    project_counts: dict | None = None         # below_count, zero_count (+ rated_count when none is below)
    lowest_projects: pd.DataFrame | None = None  # projects.worst, ≤ PROJECT_BARS rows
    score_by_dimension: pd.DataFrame | None = None  # export/score_by_dimension


def chosen_charts(charts=None) -> tuple[str, ...]:
    """The chart ids asked for (all when None), checked."""
    chosen = tuple(CHARTS) if charts is None else tuple(charts)
    unknown = [c for c in chosen if c not in CHARTS]
    if unknown:
        raise ExportError(f"没有这些图表：{'、'.join(unknown)}；可选：{'、'.join(CHARTS)}")
    return chosen


def pack_data(db, *, year: int, region=None, level=None, sector=None, charts=None) -> PackData:
    """Read what the chosen charts need for one year and scope; ExportError when there is no data."""
    scope = Scope(int(year), region or None, level or None, sector or None)
    chosen = chosen_charts(charts)
    unit_count = int(db.scalar("export/unit_count", year=scope.year, **scope.params()) or 0)
    if unit_count == 0:
        raise ExportError(f"{scope.year}年（{scope.describe()}）没有数据，无法生成会议材料。")
    last = db.scalar("filters/last_import")
    as_of = pd.Timestamp(last).date() if last is not None and not pd.isna(last) else None
    data = PackData(scope=scope, charts=chosen, unit_count=unit_count, as_of=as_of)
    for chart_id in chosen:
        _READERS[chart_id](db, data)
    return data


def _execution_by_unit(db, data: PackData) -> None:
    scope = data.scope
    threshold = db.config.thresholds.get("execution_rate")
    data.execution_target = target = threshold.medium_below if threshold else None
    counts = db.query("export/execution_counts", year=scope.year, below=target, **scope.params()).iloc[0]
    rated = int(counts["rated_count"])
    below = None if pd.isna(counts["below_count"]) else int(counts["below_count"])
    data.execution_counts = {"rated_count": rated, "below_count": below}
    if rated:
        half = UNIT_BARS // 2
        data.execution_ends = db.query("export/execution_ends", year=scope.year, lowest=max(half, TAKEAWAY_UNITS),
                                       highest=UNIT_BARS - half, **scope.params())


def _trend(db, data: PackData) -> None:
    scope = data.scope
    data.trend = db.query("rates/weighted_by_group", group_by="all", year_from=scope.year - TREND_YEARS + 1,
                          year_to=scope.year, **scope.params())


def _grade_mix(db, data: PackData) -> None:
    scope = data.scope
    data.grade_mix = db.query("export/grade_mix", year_from=scope.year - GRADE_YEARS + 1, year_to=scope.year,
                              **scope.params())


def _warnings_by_type(db, data: PackData) -> None:
    data.flag_counts = flag_list.type_counts(db, data.scope.year, **data.scope.params())


def _lowest_projects(db, data: PackData) -> None:
    """The PROJECT_BARS lowest projects (zero-spend first, larger budget first: the 项目执行
    page's order) and the counts below the target and at zero, from the derived tables."""
    scope = data.scope
    data.project_target = target = projects.thresholds(db.config)[0]   # the 项目执行 page's floor
    data.lowest_projects = projects.worst(db, scope.year, limit=PROJECT_BARS, **scope.params())
    if data.lowest_projects.empty:
        return
    counts = projects.low_counts(db, scope.year, below=target, **scope.params())
    if counts is None or counts["below_count"] == 0:
        # the scan: when project_low cannot answer, or to count the projects with a rate, which
        # the takeaway names when none is below the target
        row = db.query("export/project_counts", year=scope.year, below=target, **scope.params()).iloc[0]
        counts = {k: int(row[k]) for k in ("below_count", "zero_count", "rated_count")}
    data.project_counts = counts


def _score_by_dimension(db, data: PackData) -> None:
    data.score_by_dimension = db.query("export/score_by_dimension", year=data.scope.year, **data.scope.params())


_READERS = {
    "execution_by_unit": _execution_by_unit,
    "trend": _trend,
    "grade_mix": _grade_mix,
    "warnings_by_type": _warnings_by_type,
    "lowest_projects": _lowest_projects,
    "score_by_dimension": _score_by_dimension,
}
