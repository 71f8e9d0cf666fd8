"""The 异常预警 page's counts and list of flags, bounded in SQL: the KPI counts
(queries/outliers/flag_counts), the counts per type for the meeting pack
(outliers/flag_type_counts) and one page of the list for the chosen kinds and severities
(outliers/flag_list, outliers/flag_list_counts) — never every flag of the year in a frame, except
for a download, which builds the whole list when it is clicked.

The stored flags (unit_flag) are read when they were computed under the current perfdash.toml
(outliers.flags_current); otherwise, as flags_for_year does, the flags are computed and the
counts and pages taken from that frame.
"""
from __future__ import annotations

import pandas as pd

from perfdash import labels
from perfdash.derive import outliers


def summary(db, year, *, units_total: int, region=None, level=None, sector=None) -> dict:
    """outliers.summary's dict (counts per kind and severity, units flagged / with a high flag,
    units in scope and the share flagged), counted in SQL."""
    scope = dict(region=region, level=level, sector=sector)
    if not outliers.flags_current(db):
        return outliers.summary(outliers.flags_for_year(db, year, **scope), units_total)
    row = db.query("outliers/flag_counts", year=int(year), **scope).iloc[0]
    flagged = int(row["units_flagged"])
    return {
        "by_kind": {k: int(row[k]) for k in labels.FLAG_KINDS},
        "by_severity": {s: int(row[s]) for s in labels.SEVERITIES},
        "units_flagged": flagged,
        "units_high": int(row["units_high"]),
        "units_total": int(units_total),
        "share": (flagged / units_total) if units_total else None,
    }


def type_counts(db, year, *, region=None, level=None, sector=None) -> pd.DataFrame:
    """The year's flags in scope counted per metric, kind and severity (metric, kind, severity,
    flag_count; one row per combination with flags, in that order)."""
    scope = dict(region=region, level=level, sector=sector)
    if not outliers.flags_current(db):
        return counted_by_type(outliers.flags_for_year(db, year, **scope))
    return db.query("outliers/flag_type_counts", year=int(year), **scope)


def counted_by_type(flags: pd.DataFrame) -> pd.DataFrame:
    """Flags in hand (perfdash.derive.outliers rows) counted as type_counts counts them in SQL."""
    counts = flags.groupby(["metric", "kind", "severity"], dropna=False, observed=True).size()
    return counts[counts > 0].reset_index(name="flag_count")


def _chosen(db, year, kinds, severities, scope) -> pd.DataFrame:
    """The fallback: flags_for_year's frame narrowed to the chosen kinds and severities."""
    flags = outliers.flags_for_year(db, year, **scope)
    return flags[flags["kind"].isin(kinds) & flags["severity"].isin(severities)].reset_index(drop=True)


def counted(db, year, *, kinds, severities, region=None, level=None, sector=None) -> tuple[int, int]:
    """(how many flags of the chosen kinds and severities there are, how many units they concern)."""
    scope = dict(region=region, level=level, sector=sector)
    if not kinds or not severities:
        return 0, 0
    if not outliers.flags_current(db):
        chosen = _chosen(db, year, kinds, severities, scope)
        return len(chosen), int(chosen["unit_key"].nunique())
    row = db.query("outliers/flag_list_counts", year=int(year), kinds=sorted(kinds), severities=sorted(severities),
                   **scope).iloc[0]
    return int(row["flags"]), int(row["units"])


def listed(db, year, *, kinds, severities, limit: int | None, offset: int = 0, region=None, level=None,
           sector=None) -> pd.DataFrame:
    """The flags of the chosen kinds and severities from the (offset + 1)-th, at most `limit`
    (all with None), in display order (high first, then kind, unit name)."""
    scope = dict(region=region, level=level, sector=sector)
    if not kinds or not severities:
        return outliers.typed(pd.DataFrame(columns=outliers.COLUMNS))
    if not outliers.flags_current(db):
        end = None if limit is None else offset + limit
        return _chosen(db, year, kinds, severities, scope).iloc[offset:end].reset_index(drop=True)
    return outliers.typed(db.query("outliers/flag_list", year=int(year), kinds=sorted(kinds),
                                   severities=sorted(severities), limit=limit, offset=int(offset), **scope))
