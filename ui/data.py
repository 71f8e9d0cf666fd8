"""One DuckDB connection per process, query results cached on plain arguments + data version."""
from __future__ import annotations

import copy
import os
import threading
from collections import OrderedDict

import pandas as pd
import streamlit as st

from perfdash.derive import open_current
from perfdash.errors import ConfigError, DatabaseBusyError
from perfdash.store.connection import Database

# `perfdash bench` sets this to a list to record every data call a page makes, cached or not:
# ("query", name, params) and ("call", "module.function", params). None (the default) = off.
RECORDER: list | None = None

# Memory for cached results, in MB (PERFDASH_CACHE_MB); least recently used results go first.
CACHE_MB = int(os.environ.get("PERFDASH_CACHE_MB", "512"))


@st.cache_resource(show_spinner=False)
def get_db(path: str | None = None) -> Database:
    """Shared by every session; each thread reads through its own cursor (Database.cursor)."""
    return open_current(path or os.environ.get("PERFDASH_DB"))


def db() -> Database:
    return get_db(os.environ.get("PERFDASH_DB"))


def open_problem() -> str | None:
    """Why the database cannot be opened (file held by another program, a broken perfdash.toml
    or setting), in words for the page — None when it opens."""
    try:
        db()
    except (DatabaseBusyError, ConfigError) as exc:
        return str(exc)
    return None


def data_version() -> int:
    return db().data_version()


class _ResultCache:
    """Query and core-function results, least recently used first out, bounded in memory.

    Results are kept as objects (no pickling): a hit hands out a shallow copy of a DataFrame —
    pandas 3's copy-on-write means a page changing its copy never changes the cached one — and
    a deep copy of anything else, so callers may modify what they get, as with st.cache_data.
    st.cache_data pickles on store and unpickles on every hit, which for a 20,000-unit frame
    costs more than DuckDB took to compute it.
    """

    def __init__(self, max_bytes: int, max_entries: int):
        self.max_bytes, self.max_entries = max_bytes, max_entries
        self._entries: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._version = None
        self._lock = threading.Lock()

    def get(self, key: tuple, version: int, compute):
        with self._lock:
            if version != self._version:          # an import or rollback: every entry is stale
                self._entries.clear()
                self._bytes, self._version = 0, version
            hit = self._entries.get(key)
            if hit is not None:
                self._entries.move_to_end(key)
                return _private_copy(hit[0])
        value = compute()
        size = _size(value)
        with self._lock:
            if version == self._version and key not in self._entries and size <= self.max_bytes // 2:
                self._entries[key] = (value, size)
                self._bytes += size
                while self._entries and (self._bytes > self.max_bytes or len(self._entries) > self.max_entries):
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self._bytes -= dropped
        return _private_copy(value)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def _freeze(value):
    """A hashable cache key for plain parameters (lists of unit keys, dicts, sets included)."""
    if isinstance(value, dict):
        return ("dict", tuple(sorted((str(k), _freeze(v)) for k, v in value.items())))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_freeze(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ("set", tuple(sorted(repr(_freeze(v)) for v in value)))
    try:
        hash(value)
    except TypeError:
        return ("repr", type(value).__name__, repr(value))
    return (type(value).__name__, value)      # 1, 1.0 and True are equal keys otherwise


def _private_copy(value):
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_private_copy(v) for v in value)
    if isinstance(value, list):
        return [_private_copy(v) for v in value]
    if isinstance(value, dict):
        return {k: _private_copy(v) for k, v in value.items()}
    return copy.deepcopy(value)


def _size(value) -> int:
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=True).sum())
    if isinstance(value, pd.Series):
        return int(value.memory_usage(index=True, deep=True))
    if isinstance(value, (tuple, list)):
        return sum(_size(v) for v in value) + 64
    if isinstance(value, dict):
        return sum(_size(v) for v in value.values()) + 64
    return 1024


@st.cache_resource(show_spinner=False)
def _results() -> _ResultCache:
    """One result cache per process (cleared with st.cache_resource.clear(), e.g. by tests)."""
    return _ResultCache(CACHE_MB * 1024 * 1024, max_entries=512)


def query(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql; cached until the next import or rollback bumps the data version."""
    if RECORDER is not None:
        RECORDER.append(("query", name, dict(params)))
    database = db()
    key = ("query", name, str(database.path), _freeze(params))
    return _results().get(key, data_version(), lambda: database.query(name, **params))


def call(func, **params):
    """Call a core function `func(db, **params)` (e.g. perfdash.derive.outliers.flags_for_year),
    cached like `query`: on plain arguments plus the data version."""
    if RECORDER is not None:
        RECORDER.append(("call", f"{func.__module__}.{func.__name__}", dict(params)))
    database = db()
    key = ("call", func.__module__, func.__name__, str(database.path), _freeze(params))
    return _results().get(key, data_version(), lambda: func(database, **params))


def built(build, func, *, options: dict | None = None, **params):
    """`build(call(func, **params), config, **options)`: what a page makes out of a core
    function's result without the database (e.g. the meeting pack's figures out of its data
    step), cached like `call` on both argument sets plus the data version, so a rerun neither
    queries nor rebuilds. The data goes through `call`, cached (and recorded) on its own."""
    options = dict(options or {})
    source = call(func, **params)
    database = db()
    key = ("built", build.__module__, build.__name__, func.__module__, func.__name__, str(database.path),
           _freeze(params), _freeze(options))
    return _results().get(key, data_version(), lambda: build(source, database.config, **options))


def clear_caches() -> None:
    """After an import the version changes anyway; this frees the stale entries at once."""
    _results().clear()
