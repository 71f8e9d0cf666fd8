"""The 会议导出 page and 会议模式 in a real browser against the served app: the ZIP download holds
the pack, and presentation mode hides the chrome (checked in the DOM and by screenshots)."""
from __future__ import annotations

import io
import struct
import zipfile

from tests.e2e.helpers import SCREENSHOTS, open_page, screenshot_full, wait_idle

YEAR = 2022


def test_meeting_page_downloads_the_pack_as_a_zip(served_app, chromium_browser, tmp_path):
    page = open_page(chromium_browser, served_app, f"meeting_export?year={YEAR}",
                     viewport={"width": 1440, "height": 900})
    try:
        assert page.get_by_role("heading", name="会议导出").is_visible()
        page.get_by_role("button", name="生成会议材料").click()
        download_button = page.get_by_role("button", name="下载会议材料（ZIP）")
        download_button.wait_for(timeout=180_000)
        wait_idle(page)
        screenshot_full(page, SCREENSHOTS / "meeting_export.png")
        with page.expect_download(timeout=60_000) as info:
            download_button.click()
        download = info.value
        assert download.suggested_filename == f"{YEAR}年_会议材料.zip"
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        with zipfile.ZipFile(target) as archive:
            names = archive.namelist()
            assert len(names) == 8
            assert names[0] == f"01_{YEAR}年_各单位预算执行率.png"
            assert f"{YEAR}年_部门整体支出绩效_会议材料.pptx" in names
            for name in names[:6]:
                head = archive.read(name)[:24]
                assert struct.unpack(">II", head[16:24]) == (3000, 1688), name
            from pptx import Presentation

            deck = Presentation(io.BytesIO(archive.read(f"{YEAR}年_部门整体支出绩效_会议材料.pptx")))
            assert len(deck.slides) >= 8
    finally:
        page.context.close()


def test_presentation_mode_hides_the_chrome_and_can_be_left(served_app, chromium_browser):
    page = open_page(chromium_browser, served_app, f"?year={YEAR}&present=1",
                     viewport={"width": 1440, "height": 900})
    try:
        assert not page.locator("[data-testid=stSidebar]").is_visible()
        assert not page.locator("[data-testid=stHeader]").is_visible()
        assert not page.locator("[data-testid=stToolbar]").is_visible()
        exit_button = page.get_by_role("button", name="退出会议模式")
        assert exit_button.is_visible()
        box = exit_button.bounding_box()
        assert box["y"] < 60 and box["x"] > 1000 and box["height"] < 50  # small, top right
        value_px = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector("
            "'[data-testid=stMetricValue] p')).fontSize)")
        assert value_px >= 44  # 3rem; Streamlit's own metric value is 36 px
        screenshot_full(page, SCREENSHOTS / "present_mode.png")

        exit_button.click()
        wait_idle(page)
        page.locator("[data-testid=stSidebar]").wait_for(state="visible", timeout=30_000)
        assert "present=1" not in page.url
        assert not page.get_by_role("button", name="退出会议模式").is_visible()
        value_px = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector("
            "'[data-testid=stMetricValue] p')).fontSize)")
        assert value_px < 44
    finally:
        page.context.close()
