"""Schema migrations: queries/schema/NNN_*.sql applied in order, the version kept in `meta`."""
from __future__ import annotations

from perfdash.store import sql
from perfdash.store.connection import Database, run


def latest_version() -> int:
    return max(number for number, _ in sql.migrations())


def schema_version(db: Database) -> int | None:
    """The version of the file's schema; None for a file that is not (yet) a perfdash database."""
    if not db.scalar("db/has_schema"):
        return None
    rows = db.rows("db/schema_version")
    return rows[0][0] if rows else 1


def migrate(db: Database) -> int:
    """Apply pending queries/schema/NNN_*.sql in one transaction; returns the schema version."""
    with db.transaction() as cur:
        has_schema = run(cur, "db/has_schema").fetchall()[0][0]
        current = 0
        if has_schema:
            rows = run(cur, "db/schema_version").fetchall()
            current = rows[0][0] if rows else 1
        version = current
        for number, name in sql.migrations():
            if number <= current:
                continue
            for statement in sql.statements(name):
                cur.execute(statement)
            version = number
        if version != current:
            run(cur, "db/set_schema_version", version=version)
    return version
