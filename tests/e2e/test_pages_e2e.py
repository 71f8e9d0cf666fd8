"""The dashboard pages in a real browser (headless Debian Chromium) against `streamlit run` on the
demo data: every page opens without an exception, clicks on charts and table rows open the unit's
profile, filters survive navigation, a bookmarked link works as the first request after a server
start. Full-page screenshots go to tests/artifacts/screenshots/<page>.png."""
from __future__ import annotations

import re
import shutil
from urllib.parse import quote, unquote

import pytest

from perfdash.derive import open_current
from tests.e2e.helpers import SCREENSHOTS, open_page, screenshot_full, serve, wait_idle

PAGES = [  # (url path, screenshot name, title)
    ("?year=2022", "overview", "总览"),
    ("trends?year=2022", "trends", "趋势"),
    ("unit_profile?year=2022&unit=" + quote("name:河南省郑州市|郑州市政务服务办公室"), "unit_profile", "单位画像"),
    ("ranking?year=2022", "ranking", "排名对比"),
    ("projects?year=2022", "projects", "项目执行"),
    ("definitions?year=2022", "definitions", "口径说明"),
]


@pytest.fixture(scope="module")
def demo_sql(demo_db_template, tmp_path_factory):
    """Run a query on a copy of the demo database (the served app holds its own copy)."""
    path = tmp_path_factory.mktemp("e2e_sql") / "demo.duckdb"
    shutil.copy(demo_db_template, path)
    db = open_current(path, read_only=True)
    yield db.query
    db.close()


@pytest.fixture(scope="module")
def demo_rates(demo_sql):
    return demo_sql("rates/unit_rates", year=2022, region=None, level=None, sector=None)


def chart_titled(page, text: str):
    charts = page.locator("[data-testid=stPlotlyChart]").filter(has=page.locator(f"text={text}"))
    assert charts.count() >= 1, f"no chart titled …{text}…"
    return charts.first


def click_center(page, locator) -> None:
    """Click the middle of an SVG element: Plotly's drag layer sits above the bars, so a
    Playwright element click would be refused; a mouse click at the spot is what a user does."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box, "element has no box (not drawn?)"
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def profile_header(page, timeout: float = 60_000) -> str:
    page.wait_for_url(re.compile(r"/unit_profile"), timeout=timeout)
    wait_idle(page)
    return page.locator("[data-testid=stMain] h2").first.inner_text().strip()


@pytest.mark.parametrize("path,name,title", PAGES, ids=[p[1] for p in PAGES])
def test_every_page_opens_and_is_screenshotted(served_app, chromium_browser, path, name, title):
    page = open_page(chromium_browser, served_app, path)
    try:
        assert page.locator("[data-testid=stException]").count() == 0, page.locator(
            "[data-testid=stException]").first.inner_text()
        assert page.locator("[data-testid=stMain] h1").first.inner_text().strip() == title
        shot = screenshot_full(page, SCREENSHOTS / f"{name}.png")
        assert shot.stat().st_size > 20_000
        # Every chart drew something: an SVG with at least one trace.
        charts = page.locator("[data-testid=stPlotlyChart]")
        for i in range(charts.count()):
            assert charts.nth(i).locator(".main-svg .trace").count() >= 1, f"empty chart {i} on {name}"
    finally:
        page.context.close()


def test_clicking_a_bar_opens_that_units_profile(served_app, chromium_browser, demo_rates):
    lowest = demo_rates.dropna(subset=["execution_rate"]).sort_values("execution_rate").iloc[0]
    page = open_page(chromium_browser, served_app, "?year=2022")
    try:
        chart = chart_titled(page, "预算执行率最低和最高")
        click_center(page, chart.locator(".bars path").first)     # the top bar = the lowest unit
        assert profile_header(page) == lowest["unit_name"]
        assert "unit=" + lowest["unit_key"] in unquote(page.url)
        assert "year=2022" in page.url
        assert page.locator("[data-testid=stException]").count() == 0
    finally:
        page.context.close()


def test_clicking_a_heatmap_cell_opens_that_units_profile(served_app, chromium_browser, demo_sql):
    grid = demo_sql("pages/heatmap_units", metric="execution_rate", ascending=True, limit=60,
                    region=None, level=None, sector=None)
    worst = grid[grid["worst_rank"] == 1]["unit_name"].iloc[0]
    page = open_page(chromium_browser, served_app, "trends?year=2022")
    try:
        chart = chart_titled(page, "预算执行率（全部单位）")
        # The invisible click marker on the top row's first cell (cells run unit by unit, worst first).
        click_center(page, chart.locator(".scatterlayer .point").first)
        assert profile_header(page) == worst
    finally:
        page.context.close()


def test_clicking_a_scatter_bubble_opens_that_units_profile(served_app, chromium_browser, demo_rates):
    both = demo_rates.dropna(subset=["execution_rate", "self_score"])
    first = both[both["level"] == "市级"].iloc[0]          # first bubble of the first trace (市级)
    page = open_page(chromium_browser, served_app, "ranking?year=2022")
    try:
        chart = chart_titled(page, "预算执行率与自评得分")
        click_center(page, chart.locator(".scatterlayer .trace").first.locator(".point").first)
        assert profile_header(page) == first["unit_name"]
    finally:
        page.context.close()


def test_selecting_a_ranking_row_opens_that_units_profile(served_app, chromium_browser, demo_rates):
    best = demo_rates.dropna(subset=["execution_rate"]).sort_values(
        ["execution_rate", "unit_name"], ascending=[False, True]).iloc[0]
    page = open_page(chromium_browser, served_app, "ranking?year=2022")
    try:
        grid = page.locator("[data-testid=stDataFrame]").first
        grid.scroll_into_view_if_needed()
        box = grid.bounding_box()
        # The row-selection checkbox of the first data row (the header is one row tall).
        page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 / 2)
        assert profile_header(page) == best["unit_name"]
    finally:
        page.context.close()


def test_filters_survive_navigation_through_the_sidebar(served_app, chromium_browser):
    page = open_page(chromium_browser, served_app, "ranking?year=2021&level=" + quote("县级"))
    try:
        page.locator("[data-testid=stSidebarNav] a", has_text="趋势").click()
        page.wait_for_url(re.compile(r"/trends"))
        wait_idle(page)
        assert page.locator("[data-testid=stMain] h1").first.inner_text().strip() == "趋势"
        assert "level=" + quote("县级") in page.url and "year=2021" in page.url
        assert page.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text().startswith("县级")
    finally:
        page.context.close()


def test_a_bookmarked_link_works_as_the_first_request_after_start(demo_db_template, tmp_path, chromium_browser):
    """A deep link as the very first request after a server start renders the page with its
    filters through dashboard.py's navigation, not a bare page or a traceback."""
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    with serve(db, tmp_path) as url:
        page = open_page(chromium_browser, url, "ranking?year=2021&level=" + quote("市级"), timeout=120)
        try:
            assert page.locator("[data-testid=stException]").count() == 0
            assert page.locator("[data-testid=stMain] h1").first.inner_text().strip() == "排名对比"
            caption = page.locator("[data-testid=stMain] [data-testid=stCaptionContainer]").first.inner_text()
            assert caption.startswith("2021 年 · 市级")
            assert page.locator("[data-testid=stSidebarNav] a", has_text="单位画像").count() == 1
        finally:
            page.context.close()


def test_the_projects_download_lists_every_project_in_scope(demo_db_template, tmp_path, chromium_browser):
    """新郑 2021's four projects (the report's own figures) downloaded from 项目执行 as CSV."""
    import csv
    import io

    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, db)
    with serve(db, tmp_path) as url:
        page = open_page(chromium_browser, url, "projects?year=2021&level=" + quote("县级") + "&region="
                         + quote("河南省郑州市") + "&sector=" + quote("政务服务"))
        try:
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name="下载全部项目（4 个，CSV）").click()
            name, payload = info.value.suggested_filename, open(info.value.path(), "rb").read()
        finally:
            page.context.close()
    assert name == "2021年_项目执行_河南省郑州市、县级、政务服务.csv"
    rows = list(csv.DictReader(io.StringIO(payload.decode("utf-8-sig"))))
    got = {r["项目名称"]: (r["预算数（万元）"], r["实际支出数（万元）"], r["项目预算执行率（%）"]) for r in rows}
    assert got == {
        "四级联动升级维护项目": ("55.79", "0.0", "0.0"),
        "项目申报政府债务中介咨询费": ("97.4", "32.4", "33.26"),
        "信息平台建设项目": ("107.4", "5.81", "5.41"),
        "应急管理信息化系统项目": ("600.0", "362.66", "60.44"),
    }
    assert [r["项目名称"] for r in rows][0] == "四级联动升级维护项目"     # lowest execution first
