"""Keeping the derived tables — unit_year_rate, its long form unit_year_metric (with peer
standings), group_year_total, unit_scope_latest, metric_spread, the per-unit copies unit_score
and unit_project (by unit_id, table unit), the unit pickers' unit_pick and the stored flags — in step with
the figures and the configuration (口径, thresholds, outlier rules), and the 项目执行 page's
project_category_total and project_low (perfdash.derive.projects). project_rate is a view over the
fact tables: nothing to refresh."""
from __future__ import annotations

from perfdash.derive import outliers, projects, reconcile
from perfdash.store.connection import Database, run, run_script

CONFIG_KEY = "rates_config"
# Moved on whenever the set or shape of derived tables changes, so that a database built by an
# older version is rebuilt on open (2: group_year_total, 3: unit_scope_latest, 4: unit_year_metric
# and unit_scope_latest in long format, 5: rate_reconciliation, 6: unit ids, unit_score,
# unit_project, peer standings in unit_year_metric, metric_spread, 7: unit_pick and
# unit_scope_latest.scopes).
DERIVED_VERSION = 7


def _stamp(db: Database) -> str:
    return f"{DERIVED_VERSION}|{db.config.fingerprint()}"


def refresh(cur, db: Database, flag_years=None) -> None:
    """Bring the derived tables up to date on a cursor inside the caller's transaction.

    `flag_years` None: rebuild everything (a 口径 change, an older database). Otherwise only the
    years `flag_years` (which must hold every year whose rates can have changed — affected_years
    gives the changed years and the ones after them) and only the units the change touched: the
    caller lists those unit-years in the temp table import_touched (rates/touched.sql; the
    import from its diff, a rollback from its rows). When it did not, every unit of those years
    counts as touched."""
    all_years = flag_years is None
    years = [] if all_years else sorted({int(y) for y in flag_years})
    run(cur, "rates/touched")
    if all_years:
        run(cur, "rates/add_units_all")
    else:
        if not run(cur, "rates/touched_years").fetchall():
            run(cur, "rates/touched_all_of_years", years=years)
        run(cur, "rates/add_units")
    run(cur, "rates/touched_units")
    scope = {"all_years": all_years, "years": years}
    write = "replace" if all_years else "merge"
    run(cur, "rates/refresh_unit_year_rate", **scope, **db.config.query_params())
    run_script(cur, f"rates/{write}_unit_year_rate", years=years)
    run_script(cur, "rates/refresh_unit_year_metric", **scope)
    run(cur, "rates/refresh_group_year_total", **scope)
    run_script(cur, f"rates/{write}_group_year_total", years=years)
    touched, everyone = run(cur, "rates/touched_share").fetchall()[0]
    whole = all_years or 2 * touched >= everyone      # most units: rewrite the table whole
    run(cur, "rates/refresh_unit_scope_latest", all_years=whole)
    run_script(cur, f"rates/{'replace' if whole else 'merge'}_unit_scope_latest")
    run_script(cur, "rates/refresh_unit_pick", all_years=all_years)
    run_script(cur, "rates/refresh_unit_score", all_years=all_years)
    touched_years = [int(r[0]) for r in run(cur, "rates/touched_years").fetchall()]
    run_script(cur, "rates/refresh_unit_project", all_years=all_years, years=touched_years)
    projects.refresh(cur, db, all_years=all_years, years=touched_years)
    run(cur, "rates/clear_metric_spread", **scope)
    for metrics, year in _spread_parts(run(cur, "rates/metric_spread_parts", **scope).fetchall()):
        run(cur, "rates/refresh_metric_spread", metrics=metrics, year=year)
    run_script(cur, "rates/drop_touched")
    run(cur, "db/set_meta", key=CONFIG_KEY, value=_stamp(db))
    reconcile.refresh(cur)
    outliers.refresh(cur, db, flag_years)


# Values whose quartiles one metric_spread statement computes at most (each is held in memory in
# each of the CUBE's 8 scopes): a province year's metrics (20,000 units × 8) go in one statement,
# a national year's (500,000 units) one metric at a time, as every year's did before.
SPREAD_VALUES = 250_000


def _spread_parts(parts) -> list[tuple[list[str], int]]:
    """(metrics, year) per refresh_metric_spread statement, from metric_spread_parts' rows
    (metric, year, value_count) in metric, year order: a year whose metrics hold at most
    SPREAD_VALUES values together in one statement, any other year one metric at a time."""
    totals: dict[int, int] = {}
    for _, year, count in parts:
        totals[int(year)] = totals.get(int(year), 0) + int(count)
    out, together = [], {}
    for metric, year, _ in parts:
        year = int(year)
        if totals[year] > SPREAD_VALUES:
            out.append(([metric], year))
        elif year not in together:
            together[year] = [metric]
            out.append((together[year], year))
        else:
            together[year].append(metric)
    return out


def affected_years(years) -> list[int]:
    """The years whose flags change when figures of `years` change: those years and the next
    ones (the year-on-year rules compare each year with the one before)."""
    years = {int(y) for y in years}
    return sorted(years | {y + 1 for y in years})


def built_by_this_version(db: Database) -> bool:
    """Whether the derived tables have the shape this version reads (whatever the 口径)."""
    stamp = db.scalar("db/get_meta", key=CONFIG_KEY) or ""
    return stamp.startswith(f"{DERIVED_VERSION}|")


def ensure_fresh(db: Database) -> None:
    """Rebuild what was built under another configuration, or never built (an older database)."""
    rates_stale = db.scalar("db/get_meta", key=CONFIG_KEY) != _stamp(db)
    flags_stale = not outliers.flags_current(db)
    if not (rates_stale or flags_stale):
        projects.ensure_fresh(db)
        return
    with db.transaction() as cur:
        if rates_stale:
            refresh(cur, db)
        else:
            outliers.refresh(cur, db)
    projects.ensure_fresh(db)
