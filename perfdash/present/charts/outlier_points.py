"""The 异常预警 page's charts from bounded SQL: the parts of `outliers.metric_strip` and
`outliers.execution_vs_score` (StripParts, ScoreParts) worked out by DuckDB over every unit in
scope — counts, quantiles, box numbers, each dot's rank within its level — with only the dots to
draw handed to Python (at most MAX_POINTS flagged and MAX_POINTS other units), never a frame of
every unit (a national scope is 500,000).

`query(name, **params)` runs a named query: the page passes ui.data.query (cached), tests and
scripts Database.query. The flags are read from unit_flag; when that table was computed under
other rules than the current perfdash.toml (a read-only copy, see outliers.flags_current) the
parts are worked out from frames as before, since the stored flags would be stale.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from perfdash import labels
from perfdash.config import Config
from perfdash.derive import outliers
from perfdash.present.charts.outliers import (MAX_POINTS, ScoreParts, StripParts, display_range, jitter,
                                              score_parts, score_target, strip_parts, _threshold_marks)


def _frames(db, query, year, scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (query("rates/unit_rates", year=year, **scope),
            outliers.flags_for_year(db, year, **scope))


def strip_parts_sql(db, query, config: Config, metric_id: str, *, year: int, region=None, level=None,
                    sector=None, limit: int = MAX_POINTS) -> StripParts:
    """StripParts of one rate for the units of `year` in scope, bounded in SQL."""
    scope = dict(region=region, level=level, sector=sector)
    if not outliers.flags_current(db):
        return strip_parts(*_frames(db, query, year, scope), metric_id, config)
    stats = query("outliers/strip_stats", year=year, metric=metric_id, **scope)
    per_level, total = stats[~stats["is_total"]], stats[stats["is_total"]]
    levels = labels.ordered_levels(per_level["level"].dropna())
    if per_level["level"].isna().any():
        levels.append("未填层级")
    counted = dict(zip(per_level["level"].fillna("未填层级"), per_level["with_value"]))
    counts = np.array([int(counted.get(lv, 0)) for lv in levels], dtype=int)
    with_value = int(total["with_value"].iloc[0]) if len(total) else 0
    marks = [m[0] for m in _threshold_marks(config, metric_id)]
    lo, hi = (display_range(*(float(total[c].iloc[0]) for c in ("q02", "q98", "vmin", "vmax")), marks)
              if with_value else (0.0, 1.0))
    code_of = {lv: i for i, lv in enumerate(levels)}
    boxes = {}
    for row in query("outliers/strip_boxes", year=year, metric=metric_id, lo=lo, hi=hi, **scope).itertuples():
        if row.n >= 4:
            boxes[code_of[row.level]] = dict(q1=[float(row.q1)], median=[float(row.median)], q3=[float(row.q3)],
                                             lowerfence=[float(row.lowerfence)], upperfence=[float(row.upperfence)])
    points = query("outliers/strip_points", year=year, metric=metric_id, lo=lo, hi=hi, limit=limit, **scope)
    code = points["level"].map(code_of).to_numpy(dtype=int)
    drawn = pd.DataFrame({
        "unit_key": points["unit_key"].to_numpy(dtype=object),
        "unit_name": points["unit_name"].to_numpy(dtype=object),
        "level": points["level"].to_numpy(dtype=object),
        metric_id: points["value"].to_numpy(dtype=float),
        "code": code,
        "x": jitter(code, points["level_rank"].to_numpy(dtype=float)),
        "y": points["y"].to_numpy(dtype=float),
        "clipped": points["clipped"].to_numpy(dtype=bool),
    })
    is_flagged = points["part"].eq("flagged").to_numpy()
    flagged = drawn[is_flagged].assign(**{c: points.loc[is_flagged, c].to_numpy(dtype=object)
                                          for c in ("severity", "kind", "reason")})
    totals = points.loc[is_flagged, ["high_total", "medium_total"]]
    normal_total = int(points.loc[~is_flagged, "part_total"].iloc[0]) if (~is_flagged).any() else 0
    return StripParts(levels=levels, counts=counts, boxes=boxes, lo=lo, hi=hi,
                      normal=drawn[~is_flagged].reset_index(drop=True), normal_total=normal_total,
                      flagged=flagged.reset_index(drop=True),
                      flagged_totals={"high": int(totals["high_total"].iloc[0]) if len(totals) else 0,
                                      "medium": int(totals["medium_total"].iloc[0]) if len(totals) else 0})


def score_parts_sql(db, query, config: Config, *, year: int, region=None, level=None, sector=None,
                    limit: int = MAX_POINTS) -> ScoreParts:
    """ScoreParts (execution rate against self-score) for the units of `year` in scope, bounded in SQL."""
    scope = dict(region=region, level=level, sector=sector)
    if not outliers.flags_current(db):
        return score_parts(*_frames(db, query, year, scope), config)
    stats = query("outliers/score_stats", year=year, **scope).iloc[0]
    units = int(stats["units"])
    lo, hi = (display_range(float(stats["q02"]), float(stats["q98"]), float(stats["vmin"]), float(stats["vmax"]),
                            [score_target(config), 1.0]) if units else (0.5, 1.1))
    points = query("outliers/score_points", year=year, lo=lo, hi=hi, limit=limit, **scope)
    columns = ["unit_key", "unit_name", "level", "execution_rate", "self_score", "grade", "x", "clipped"]
    marked = points["part"].eq("marked").to_numpy()
    normal = points.loc[~marked, columns].reset_index(drop=True)
    chosen = points.loc[marked, [*columns, "severity", "reason"]].reset_index(drop=True)
    totals = points.loc[marked, ["high_total", "medium_total"]]
    return ScoreParts(
        lo=lo, hi=hi, y_min=float(stats["score_min"]) if units else None,
        normal=normal, normal_total=int(points.loc[~marked, "part_total"].iloc[0]) if (~marked).any() else 0,
        marked=chosen,
        marked_totals={"high": int(totals["high_total"].iloc[0]) if len(totals) else 0,
                       "medium": int(totals["medium_total"].iloc[0]) if len(totals) else 0})
