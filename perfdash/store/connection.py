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
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from perfdash.store import sql
from perfdash.config import Config, load_config
from perfdash.errors import ConfigError, DatabaseBusyError


MEMORY_ENV = "PERFDASH_DUCKDB_MEMORY"


def connect_config() -> dict[str, str]:
    """DuckDB settings given at connect time. PERFDASH_DUCKDB_MEMORY (e.g. "1GB") caps DuckDB's
    buffer memory; without it DuckDB may cache up to 80 % of RAM, which at national scale is
    most of a shared server (it spills larger work to <database>.tmp instead)."""
    limit = os.environ.get(MEMORY_ENV, "").strip()
    if not limit:
        return {}
    if not re.fullmatch(r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", limit, re.IGNORECASE):
        raise ConfigError(f"{MEMORY_ENV}={limit!r} 不是有效的内存大小，应写成如 1GB、512MB")
    return {"memory_limit": limit}


class Database:
    def __init__(self, path: str | os.PathLike, *, read_only: bool = False, config: Config | None = None):
        self.path = Path(path)
        self.read_only = read_only
        self.config = config or load_config()
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only, config=connect_config())
        except duckdb.IOException as exc:
            raise DatabaseBusyError(explain_lock_error(self.path, exc)) from exc
        self.con.execute(sql.load("db/connection_settings"))   # cursors inherit it
        self._local = threading.local()
        self.write_lock = threading.Lock()
        self._generation = 0                  # moved on by every finished write transaction
        self._version: tuple[int, int] | None = None

    # -- reading -------------------------------------------------------------------------
    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.cursor = cur
        return cur

    def _query_cursor(self) -> duckdb.DuckDBPyConnection:
        """query()'s own cursor per thread: it always reads its results to the end, so con.sql()
        (Arrow without DuckDB's DB-API extra copy) never meets an unfinished result there."""
        cur = getattr(self._local, "query_cursor", None)
        if cur is None:
            cur = self.con.cursor()
            self._local.query_cursor = cur
        return cur

    def query(self, name: str, **params) -> pd.DataFrame:
        """Run queries/<name>.sql and return all rows as a DataFrame (DuckDB's `.df()` types)."""
        return query_on(self._query_cursor(), name, **params)

    def rows(self, name: str, **params) -> list[tuple]:
        return self.cursor().execute(sql.load(name), sql.bind(name, params)).fetchall()

    def scalar(self, name: str, **params):
        rows = self.rows(name, **params)
        return rows[0][0] if rows else None

    def data_version(self) -> int:
        """Bumped by every import and rollback; remembered until this process writes again.

        Only this connection can change the file while it is open (DuckDB locks it against
        other processes), and every write goes through transaction(), which moves
        `_generation` on — so a remembered version is never stale, and a page's cached data
        calls no longer each cost a query.
        """
        generation, remembered = self._generation, self._version
        if remembered is not None and remembered[0] == generation:
            return remembered[1]
        value = int(self.scalar("db/data_version") or 0)
        if self._generation == generation:        # no write finished meanwhile
            self._version = (generation, value)
        return value

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
                self._generation += 1
                cur.close()

    def close(self) -> None:
        for name in ("cursor", "query_cursor"):
            cur = getattr(self._local, name, None)
            if cur is not None:
                cur.close()
        self.con.close()


_STRING_TYPES = (pa.string(), pa.large_string(), pa.string_view())
_MASKED_INTS = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
                pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
                pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype()}


def _as_duckdb_df(column: pa.ChunkedArray):
    """One Arrow column as DuckDB's `.df()` would give it, or None for types left to DuckDB."""
    kind = column.type
    if kind in _STRING_TYPES:
        # an all-NULL text column comes out of .df() as object dtype
        return None if column.null_count == len(column) else column.to_pandas()
    if pa.types.is_floating(kind):
        return column.to_pandas()
    if pa.types.is_integer(kind):
        if column.null_count:                       # DuckDB: masked Int32 etc., not float
            return column.to_pandas(types_mapper=_MASKED_INTS.get)
        return column.to_pandas()
    if pa.types.is_boolean(kind):
        return column.to_pandas(types_mapper={pa.bool_(): pd.BooleanDtype()}.get) if column.null_count \
            else column.to_pandas()
    if pa.types.is_timestamp(kind) and kind.tz is None and kind.unit == "us":
        return column.to_pandas()
    return None


def _plain(column: pa.ChunkedArray) -> bool:
    """A column Arrow's default conversion already gives exactly as DuckDB's .df() would."""
    kind = column.type
    if kind in _STRING_TYPES:
        return column.null_count < len(column)
    if pa.types.is_floating(kind):
        return True
    if pa.types.is_integer(kind) or pa.types.is_boolean(kind):
        return column.null_count == 0
    return pa.types.is_timestamp(kind) and kind.tz is None and kind.unit == "us"


def to_frame(cur: duckdb.DuckDBPyConnection, table: pa.Table) -> pd.DataFrame:
    """A query result as the DataFrame DuckDB's `.df()` gives, built faster.

    With pandas 3, `.df()` turns every VARCHAR into Python str objects and pandas then turns
    them back into Arrow-backed strings: for a 20,000-unit result that is most of the time.
    Here columns go straight from Arrow to the dtypes `.df()` ends with (str, int/float/bool —
    masked Int32 / boolean when NULLs are present — and datetime64[us]); any other type
    (DECIMAL, DATE, lists, …) and empty results go through DuckDB's own conversion, so the
    frame is the same either way (tests/test_bench_smoke.py compares every query).
    """
    if table.num_rows == 0:
        return cur.from_arrow(table).df()
    if len(set(table.column_names)) == table.num_columns and all(_plain(c) for c in table.columns):
        # the common case: one conversion
        return table.to_pandas()
    names = table.column_names
    table = table.rename_columns([f"c{i}" for i in range(len(names))])   # names may repeat
    columns, rest = {}, []
    for i, column in enumerate(table.columns):
        converted = _as_duckdb_df(column)
        if converted is None:
            rest.append(i)
        else:
            columns[f"c{i}"] = converted
    if rest:
        columns.update(cur.from_arrow(table.select(rest)).df().items())
    frame = pd.DataFrame({f"c{i}": columns[f"c{i}"] for i in range(len(names))}, copy=False)
    frame.columns = names
    return frame


def query_on(cur: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Database.query on a given cursor — inside a transaction it sees the uncommitted rows."""
    return to_frame(cur, cur.sql(sql.load(name), params=sql.bind(name, params)).to_arrow_table())


def run(cur: duckdb.DuckDBPyConnection, name: str, **params):
    """Execute a named query on a given cursor (inside a transaction)."""
    return cur.execute(sql.load(name), sql.bind(name, params))


@contextlib.contextmanager
def registered(cur: duckdb.DuckDBPyConnection, **frames):
    """Frames visible to the queries run inside the block as temp views of these names. After a
    failed statement the transaction is aborted and unregistering raises too: the first error
    is the one to see."""
    for view, frame in frames.items():
        cur.register(view, frame)
    try:
        yield cur
    finally:
        for view in frames:
            with contextlib.suppress(duckdb.Error):
                cur.unregister(view)


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
