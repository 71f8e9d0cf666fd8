"""One DuckDB connection per process, query results cached on plain arguments + data version."""
from __future__ import annotations

import os

import pandas as pd
import streamlit as st

from perfdash.db import Database, open_database

# `perfdash bench` sets this to a list to record every data call a page makes, cached or not:
# ("query", name, params) and ("call", "module.function", params). None (the default) = off.
RECORDER: list | None = None


@st.cache_resource(show_spinner=False)
def get_db(path: str | None = None) -> Database:
    """Shared by every session; each thread reads through its own cursor (Database.cursor)."""
    return open_database(path or os.environ.get("PERFDASH_DB"))


def db() -> Database:
    return get_db(os.environ.get("PERFDASH_DB"))


def data_version() -> int:
    return db().data_version()


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_query(name: str, version: int, db_path: str, params: tuple) -> pd.DataFrame:
    return db().query(name, **dict(params))


def query(name: str, **params) -> pd.DataFrame:
    """Run queries/<name>.sql; cached until the next import or rollback bumps the data version."""
    if RECORDER is not None:
        RECORDER.append(("query", name, dict(params)))
    return _cached_query(name, data_version(), str(db().path), tuple(sorted(params.items())))


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_call(module: str, function: str, version: int, db_path: str, params: tuple):
    import importlib

    return getattr(importlib.import_module(module), function)(db(), **dict(params))


def call(func, **params):
    """Call a core function `func(db, **params)` (e.g. perfdash.outliers.flags_for_year),
    cached like `query`: on plain arguments plus the data version."""
    if RECORDER is not None:
        RECORDER.append(("call", f"{func.__module__}.{func.__name__}", dict(params)))
    return _cached_call(func.__module__, func.__name__, data_version(), str(db().path),
                        tuple(sorted(params.items())))


def clear_caches() -> None:
    """After an import the version changes anyway; this frees the stale entries at once."""
    _cached_query.clear()
    _cached_call.clear()
