"""Browser fixtures: the app served by `streamlit run` on a free port against a copy of the demo
database, and headless Debian Chromium. Reusable by every e2e test:

    def test_x(served_app, chromium_browser):
        page = open_page(chromium_browser, served_app, "ranking")
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2]))
from tests.e2e.helpers import ROOT, launch  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    log.flush()
    raise RuntimeError(f"streamlit did not become healthy at {url}:\n" + open(log.name, encoding="utf-8").read()[-3000:])


@pytest.fixture(scope="session")
def served_app(demo_db_template, tmp_path_factory):
    """Base URL of the dashboard served on a free port against a private copy of the demo DB."""
    workdir = tmp_path_factory.mktemp("served")
    db = workdir / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    port = _free_port()
    env = {**os.environ, "PERFDASH_DB": str(db), "PYTHONUNBUFFERED": "1"}
    log = open(workdir / "streamlit.log", "w+", encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
         "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture(scope="session")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()
