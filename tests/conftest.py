"""Shared fixtures: a demo database built once per session, fresh copies per test, AppTest."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def demo_db_template(tmp_path_factory) -> Path:
    """A database built with `init --demo` (seed reports + demo set), built once per session."""
    from perfdash.cli import main

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    assert main(["init", "--demo", "--db", str(path)]) == 0
    return path


@pytest.fixture
def demo_db_path(demo_db_template, tmp_path) -> Path:
    """A private copy of the demo database that a test may change."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, path)
    return path


@pytest.fixture
def demo_db(demo_db_path):
    from perfdash.derive import open_current

    db = open_current(demo_db_path)
    yield db
    db.close()


@pytest.fixture
def app(demo_db_path, monkeypatch):
    """A factory for AppTest runs of dashboard.py against a private demo database.

    Streamlit's caches live for the whole process, so they are cleared around each test.
    """
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("PERFDASH_DB", str(demo_db_path))
    st.cache_data.clear()
    st.cache_resource.clear()

    def make(query_params: dict | None = None, timeout: float = 60) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
        for key, value in (query_params or {}).items():
            at.query_params[key] = value
        return at

    yield make
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def by_sample_key():
    """Unit keys in the order of the charts' fixed sample (queries/outliers/strip_points.sql …):
    DuckDB's hash(unit_key), then the key."""
    import duckdb

    def order(keys) -> list[str]:
        with duckdb.connect() as con:
            rows = con.execute("SELECT k, hash(k) FROM unnest($keys) AS t(k)", {"keys": list(keys)}).fetchall()
        return [k for k, _ in sorted(rows, key=lambda r: (r[1], r[0]))]

    return order
