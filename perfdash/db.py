"""The DuckDB store: one connection per process, one cursor per thread.

Every read goes through `Database.query(name, **params)`, which runs queries/<name>.sql
with bound parameters. Writes go through `Database.transaction()`, serialised by a
process-wide lock so two uploads never interleave.
"""
from __future__ import annotations

import contextlib
import os
import re
import threading
import warnings
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from perfdash import sql
from perfdash.config import Config, load_config


class DatabaseBusyError(RuntimeError):
    """The database file is held by another process (DuckDB allows one writer)."""


class Database:
    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, config: Config | None = None):
        self.path = Path(path)
        self.read_only = read_only
        self.config = config or load_config()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            raise DatabaseBusyError(explain_lock_error(self.path, exc)) from exc
        self.con.execute(sql.load("db/connection_settings"))   # cursors inherit it
        self._local = threading.local()
        self.write_lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cursor = cur
        return cur

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run queries/<name>.sql and return all rows as a DataFrame (DuckDB's `.df()` types)."""
        cur = self.cursor()
        return to_frame(cur, cur.execute(sql.load(name), sql.bind(name, params)).to_arrow_table())

    def rows(self, name: str, **params) -> list[tuple]:
        return self.cursor().execute(sql.load(name), sql.bind(name, params)).fetchall()

    def scalar(self, name: str, **params):
        rows = self.rows(name, **params)
        return rows[0][0] if rows else None

    def data_version(self) -> int:
        return int(self.scalar("db/data_version") or 0)

    # -- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self):
        """A cursor inside BEGIN … COMMIT; any exception rolls everything back."""
        if self.read_only:
            raise PermissionError("database opened read-only")
        with self.write_lock:
            cur = self.con.cursor()
            cur.execute("BEGIN TRANSACTION")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            else:
                cur.execute("COMMIT")
            finally:
                cur.close()

    def close(self) -> None:
        cur = getattr(self._local, "cursor", None)
        if cur is not None:
            cur.close()
        self.con.close()


_STRING_TYPES = (pa.string(), pa.large_string(), pa.string_view())
# DuckDB 2.0 suggests con.sql() for Arrow output; measured here the "extra copy" costs nothing
# visible, and execute() keeps working after an earlier unfinished result (con.sql() raises).
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning)


def to_frame(cur: duckdb.DuckDBPyConnection, table: pa.Table) -> pd.DataFrame:
    """A query result as the DataFrame DuckDB's `.df()` gives, built faster.

    With pandas 3, `.df()` turns every VARCHAR into Python str objects and pandas then turns
    them back into Arrow-backed strings: for a 20,000-unit result that is most of the time.
    Here string columns go straight from Arrow to pandas' `str` dtype (the dtype `.df()` ends
    with), and every other column still goes through DuckDB's own conversion, so nullable
    integers, DECIMAL, DATE and BOOLEAN come out exactly as before. Empty results and results
    without strings take DuckDB's path unchanged.
    """
    strings = [i for i, f in enumerate(table.schema) if f.type in _STRING_TYPES]
    if not strings or table.num_rows == 0:
        return cur.from_arrow(table).df()
    names = table.column_names
    table = table.rename_columns([f"c{i}" for i in range(len(names))])   # names may repeat
    columns = dict(table.select(strings).to_pandas(split_blocks=True).items())
    others = [i for i in range(len(names)) if i not in set(strings)]
    if others:
        columns.update(cur.from_arrow(table.select(others)).df().items())
    frame = pd.DataFrame({f"c{i}": columns[f"c{i}"] for i in range(len(names))}, copy=False)
    frame.columns = names
    return frame


def run(cur: duckdb.DuckDBPyConnection, name: str, **params):
    """Execute a named query on a given cursor (inside a transaction)."""
    return cur.execute(sql.load(name), sql.bind(name, params))


def run_script(cur: duckdb.DuckDBPyConnection, name: str, **params) -> None:
    """Execute a multi-statement query file, binding to each statement the parameters it uses."""
    for statement in sql.statements(name):
        used = {p: params[p] for p in sql.PARAM_PATTERN.findall(statement)}
        cur.execute(statement, used)


def explain_lock_error(path: Path, exc: Exception) -> str:
    message = str(exc)
    pid = re.search(r"PID (\d+)", message)
    holder = f"（进程 {pid.group(1)}）" if pid else ""
    if "lock" in message.lower():
        return (
            f"数据库 {path} 正被另一个程序占用{holder}，通常是正在运行的仪表板。"
            "请在仪表板的「数据导入」页上传，或先停止仪表板再运行此命令。"
        )
    return f"无法打开数据库 {path}：{message}"


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


def open_database(path=None, *, read_only: bool = False, config: Config | None = None) -> Database:
    """Open (and, read-write, create or upgrade) the database; derived tables kept fresh."""
    from perfdash.config import db_path
    from perfdash import rates

    db = Database(db_path(path), read_only=read_only, config=config)
    if not read_only:
        migrate(db)
        rates.ensure_fresh(db)
    return db
