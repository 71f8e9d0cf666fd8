"""Keeping the derived tables — unit_year_rate, its long form unit_year_metric, group_year_total,
unit_scope_latest and the stored flags — in step with the figures and the configuration (口径,
thresholds, outlier rules). project_rate is a view over the fact tables: nothing to refresh."""
from __future__ import annotations

from perfdash.derive import outliers, reconcile
from perfdash.store.connection import Database, run, run_script

CONFIG_KEY = "rates_config"
# Moved on whenever the set or shape of derived tables changes, so that a database built by an
# older version is rebuilt on open (2: group_year_total, 3: unit_scope_latest, 4: unit_year_metric
# and unit_scope_latest in long format, 5: rate_reconciliation).
DERIVED_VERSION = 5


def _stamp(db: Database) -> str:
    return f"{DERIVED_VERSION}|{db.config.fingerprint()}"


def refresh(cur, db: Database, flag_years=None) -> None:
    """Rebuild unit_year_rate and its group sums on a cursor inside the caller's transaction, the
    long form unit_year_metric and the flags of `flag_years` (all years when None: a 口径 change
    or a rollback can move any of them). `flag_years` must hold every year whose rates can have
    changed — affected_years gives the changed years and the ones after them."""
    years = {"all_years": flag_years is None,
             "years": [] if flag_years is None else sorted({int(y) for y in flag_years})}
    run(cur, "rates/refresh_unit_year_rate", **db.config.query_params())
    run_script(cur, "rates/refresh_unit_year_metric", **years)
    run(cur, "rates/refresh_group_year_total")
    run(cur, "rates/refresh_unit_scope_latest")
    run(cur, "db/set_meta", key=CONFIG_KEY, value=_stamp(db))
    reconcile.refresh(cur)
    outliers.refresh(cur, db, flag_years)


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
        return
    with db.transaction() as cur:
        if rates_stale:
            refresh(cur, db)
        else:
            outliers.refresh(cur, db)
