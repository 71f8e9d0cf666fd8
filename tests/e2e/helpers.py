"""Helpers for browser tests against the served app (headless Debian Chromium, no downloads).

    from tests.e2e.helpers import open_page, screenshot_full
    with serve(db_path, tmp_dir) as url:                     # streamlit run on a free port
        page = open_page(browser, url, "trends")             # waits until Streamlit is idle
        screenshot_full(page, SCREENSHOTS / "trends.png")   # the whole scrolled page
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}   # a bureau laptop


@contextlib.contextmanager
def serve(db: Path, workdir: Path):
    """`streamlit run dashboard.py` on a free port against `db` (the TOOLCHAIN flags); yields the
    base URL once /_stcore/health answers ok, and stops the server afterwards."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PERFDASH_DB": str(db), "PYTHONUNBUFFERED": "1"}
    log_path = workdir / f"streamlit-{port}.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard.py"),
             "--server.headless", "true", "--server.address", "127.0.0.1", "--server.port", str(port),
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError(f"streamlit did not start at {url}:\n" + log_path.read_text()[-3000:])
                try:
                    with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
                        if r.read().strip() == b"ok":
                            break
                except OSError:
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def launch(playwright):
    """Headless Debian Chromium (never `playwright install`)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def _settled(page) -> bool:
    state = page.get_attribute("[data-testid=stApp]", "data-test-script-state")
    if state != "notRunning":
        return False
    # Widgets and charts are lazily loaded components: a skeleton stands in until they mount.
    if page.locator("[data-testid=stMain] [data-testid=stSkeleton]").count():
        return False
    charts = page.locator("[data-testid=stPlotlyChart]").count()
    drawn = page.locator("[data-testid=stPlotlyChart] .main-svg").count()
    return charts == 0 or drawn >= charts


def wait_idle(page, timeout: float = 60.0) -> None:
    """Wait until the script run is over: the page title is shown, the app reports its script as
    not running (the `data-test-script-state` Streamlit's own tests use) and every Plotly chart
    has drawn — and that stays so for a moment, since a run may trigger another."""
    page.wait_for_selector("[data-testid=stApp]", timeout=timeout * 1000)
    # Every page opens with st.title: before it shows, the script has not got far enough.
    page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    calm_since = None
    while time.monotonic() < deadline:
        if _settled(page):
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since >= 0.8:
                return
        else:
            calm_since = None
        page.wait_for_timeout(150)
    raise TimeoutError(f"the app did not settle within {timeout:.0f} s on {page.url}")


def open_page(browser, url: str, path: str = "", *, viewport: dict | None = None, timeout: float = 60.0):
    """A new page of `browser` at url/path (path like "trends?year=2022"), settled."""
    context = browser.new_context(viewport=viewport or VIEWPORT, locale="zh-CN", device_scale_factor=1)
    page = context.new_page()
    page.goto(url.rstrip("/") + "/" + path.lstrip("/"), wait_until="domcontentloaded")
    wait_idle(page, timeout)
    return page


def screenshot_full(page, path: str | Path) -> Path:
    """A screenshot of the whole page: Streamlit scrolls inside stMain, so the viewport is grown
    to its scroll height first (Playwright's full_page only sees the viewport)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or VIEWPORT
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=stMain]');"
        " return Math.max(m ? m.scrollHeight : 0, document.body.scrollHeight); }")
    page.set_viewport_size({"width": size["width"], "height": min(int(height) + 80, 16000)})
    page.wait_for_timeout(600)   # Plotly relayouts to the new size
    for _ in range(50):
        if _settled(page):
            break
        page.wait_for_timeout(200)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size(size)
    return path
