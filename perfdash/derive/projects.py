"""The 项目执行 page's figures from the derived tables project_category_total and project_low
(queries/rates/refresh_project_summary.sql), so that a national year's 10 million projects are
not scanned on every visit; the scans (pages/*_scan) answer whatever those tables cannot.

project_low holds the projects whose execution rate is below a cutoff, the configured
project_execution_rate floor (meta key project_low_below): the page's counts and its worst
projects come from it whenever the floor asked for is at most that cutoff — always, for the
page reads the floor from the same perfdash.toml."""
from __future__ import annotations

from perfdash.store.connection import Database, run, run_script

CUTOFF_KEY = "project_low_below"


def thresholds(config) -> tuple[float, float]:
    """(low_below, zero_at_or_below): a project executing below low_below is 低执行, at or below
    zero_at_or_below 零支出 — perfdash.toml's project_execution_rate thresholds, else 0.5 and 0."""
    t = config.thresholds.get("project_execution_rate")
    low = t.medium_below if t and t.medium_below is not None else 0.5
    zero = t.high_at_or_below if t and t.high_at_or_below is not None else 0.0
    return float(low), float(zero)


def _stamp(db: Database) -> str:
    return repr(thresholds(db.config)[0])


def refresh(cur, db: Database, *, all_years: bool, years) -> None:
    """Inside rates.refresh: the touched years / unit-years (everything when all_years, or when the
    tables were built for another cutoff — a scoped write would mix two)."""
    stored = run(cur, "db/get_meta", key=CUTOFF_KEY).fetchall()
    all_years = all_years or not stored or stored[0][0] != _stamp(db)
    run_script(cur, "rates/refresh_project_summary", all_years=all_years, years=[int(y) for y in years],
               low_cutoff=thresholds(db.config)[0])
    run(cur, "db/set_meta", key=CUTOFF_KEY, value=_stamp(db))


def current(db: Database) -> bool:
    return db.scalar("db/get_meta", key=CUTOFF_KEY) == _stamp(db)


def ensure_fresh(db: Database) -> None:
    """Rebuild both tables when they were built for another floor (or never, before migration 9)."""
    if not current(db):
        with db.transaction() as cur:
            run(cur, "rates/touched")            # the (empty) unit-year lists the script names
            run(cur, "rates/touched_units")
            refresh(cur, db, all_years=True, years=[])
            run_script(cur, "rates/drop_touched")


def _cutoff(db: Database) -> float | None:
    stamp = db.scalar("db/get_meta", key=CUTOFF_KEY)
    return float(stamp) if stamp is not None else None


def by_category(db: Database, year, *, low_below, zero_at_or_below, region=None, level=None, sector=None):
    """Rows of pages/project_by_category_scan (per category: counts, zero / low, amounts)."""
    params = dict(year=int(year), low_below=float(low_below), zero_at_or_below=float(zero_at_or_below),
                  region=region, level=level, sector=sector)
    cutoff = _cutoff(db)
    fast = cutoff is not None and params["low_below"] <= cutoff and params["zero_at_or_below"] < cutoff
    return db.query("pages/project_by_category" if fast else "pages/project_by_category_scan", **params)


def low_counts(db: Database, year, *, below, region=None, level=None, sector=None) -> dict | None:
    """{below_count, zero_count}: the projects executing below `below` and at or below 0, from
    project_low (export/project_low_counts) — None when that table cannot answer exactly (built
    for a lower cutoff than `below`, or a cutoff at or below 0)."""
    cutoff = _cutoff(db)
    if cutoff is None or not (float(below) <= cutoff and cutoff > 0):
        return None
    row = db.query("export/project_low_counts", year=int(year), below=float(below), region=region, level=level,
                   sector=sector).iloc[0]
    return {"below_count": int(row["below_count"]), "zero_count": int(row["zero_count"])}


def worst(db: Database, year, *, limit, region=None, level=None, sector=None):
    """Rows of pages/worst_projects_scan: the `limit` projects of lowest execution."""
    params = dict(year=int(year), limit=int(limit), region=region, level=level, sector=sector)
    if _cutoff(db) is not None:
        rows = db.query("pages/worst_projects", **params)
        if len(rows) >= params["limit"]:
            return rows
    return db.query("pages/worst_projects_scan", **params)
