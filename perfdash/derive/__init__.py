"""Derived tables — rates, their group sums, the stored flags — kept in step with the figures.

They are refreshed inside each import and rollback transaction (perfdash.derive.rates.refresh)
and rebuilt when perfdash.toml's 口径 or rules change. `open_current` is the one call the
dashboard and the command line use to open a database: it applies pending migrations and
brings the derived tables up to date, which a plain `store.connection.Database` never does.
"""
from __future__ import annotations

import contextlib

import duckdb

from perfdash.config import Config, db_path
from perfdash.derive import rates
from perfdash.errors import DatabaseBusyError
from perfdash.store import migrations
from perfdash.store.connection import Database


def open_current(path=None, *, read_only: bool = False, config: Config | None = None) -> Database:
    """Open (and, read-write, create or upgrade) the database with its derived tables fresh.

    A read-only open of a file written by an older perfdash (an older schema or set of derived
    tables) first upgrades it read-write when it can: the read-only commands would otherwise
    fail on a missing table. If another process holds the file, that process is a dashboard,
    which upgraded it when it opened it."""
    path = db_path(path)
    db = Database(path, read_only=read_only, config=config)
    if not read_only:
        migrations.migrate(db)
        rates.ensure_fresh(db)
    elif _out_of_date(db):
        db.close()
        with contextlib.suppress(DatabaseBusyError, PermissionError, duckdb.IOException):
            open_current(path, config=config).close()
        db = Database(path, read_only=True, config=config)
    return db


def bring_up_to_date(path) -> None:
    """Migrate a database file and refresh its derived tables (after a restore, for one)."""
    open_current(path).close()


def _out_of_date(db: Database) -> bool:
    version = migrations.schema_version(db)
    if version is None:
        return False                       # not a perfdash database (yet): nothing to upgrade
    return version < migrations.latest_version() or not rates.built_by_this_version(db)
