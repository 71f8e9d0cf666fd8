"""Keeping the derived rate table in step with the figures and the 口径 configuration."""
from __future__ import annotations

from perfdash.db import Database, run

CONFIG_KEY = "rates_config"


def refresh(cur, db: Database) -> None:
    """Rebuild unit_year_rate on a cursor inside the caller's transaction."""
    run(cur, "rates/refresh_unit_year_rate", **db.config.query_params())
    run(cur, "db/set_meta", key=CONFIG_KEY, value=db.config.fingerprint())


def ensure_fresh(db: Database) -> None:
    """Rebuild when the table is missing or was built under another 口径 configuration."""
    if db.scalar("db/get_meta", key=CONFIG_KEY) == db.config.fingerprint():
        return
    with db.transaction() as cur:
        refresh(cur, db)
