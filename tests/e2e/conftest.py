"""Browser fixtures: the app served by `streamlit run` on a free port against a copy of the demo
database, and headless Debian Chromium. Reusable by every e2e test:

    def test_x(served_app, chromium_browser):
        page = open_page(chromium_browser, served_app, "ranking")
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))   # `tests.e2e.helpers` from any cwd
from tests.e2e.helpers import launch, serve  # noqa: E402


@pytest.fixture(scope="session")
def served_app(demo_db_template, tmp_path_factory):
    """Base URL of the dashboard served on a free port against a private copy of the demo DB."""
    workdir = tmp_path_factory.mktemp("served")
    db = workdir / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    with serve(db, workdir) as url:
        yield url


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()
