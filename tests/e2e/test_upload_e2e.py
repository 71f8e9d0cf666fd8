"""数据导入 in a real browser: a GBK CSV uploaded through the file input shows the preview; after
确认导入 the history lists it, and the database (read after the server stops) holds the batch with
the uploader's name. Runs its own server on a private copy of the demo database, because it
writes. Screenshots: tests/artifacts/screenshots/upload_*.png."""
from __future__ import annotations

import shutil
from urllib.parse import quote

from perfdash.derive import open_current
from tests.e2e.helpers import SCREENSHOTS, open_page, screenshot_full, serve, wait_idle

SEED_HEADER = ("年度,单位编码,单位名称,地区,层级,行业,年初预算数,调整后预算数,实际到位资金,实际支出数,结转结余,"
               "上年结转结余,三公经费预算数,三公经费实际数,政府采购预算数,政府采购实际数,自评得分,评价等级")
ROWS = [
    "2022,,郑州市政务服务办公室,河南省郑州市,市级,政务服务,2538.07,3082.64,,2800,,,,,,,99.68,优",
    "2022,B0001,浏览器测试单位,河南省郑州市,市级,政务服务,100,120,,60,,,,,,,85,良",
]
FILE_NAME = "浏览器导入_2022.csv"
UPLOADER = "浏览器测试 李四"


def test_gbk_csv_uploaded_in_the_browser_previews_then_imports(demo_db_template, chromium_browser, tmp_path):
    db_path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, db_path)
    upload = tmp_path / FILE_NAME
    upload.write_bytes(("\r\n".join([SEED_HEADER, *ROWS]) + "\r\n").encode("gbk"))

    with serve(db_path, tmp_path) as url:
        page = open_page(chromium_browser, url, "upload")
        main = page.locator("[data-testid=stMain]")
        assert main.get_by_text("模板下载").count() == 1
        page.locator("input[type=file]").first.set_input_files(str(upload))   # the spreadsheet uploader
        page.get_by_text("检查通过").wait_for(timeout=60_000)
        wait_idle(page)
        assert main.get_by_text("新增 1 行，更新 1 行，未变 0 行").count() == 1
        assert main.get_by_text(f"文件名：{FILE_NAME}").count() == 1
        screenshot_full(page, SCREENSHOTS / "upload_preview.png")

        name_box = page.get_by_label("导入人（必填，记入导入历史）")
        name_box.fill(UPLOADER)
        name_box.press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("导入完成").wait_for(timeout=60_000)
        wait_idle(page)
        success = main.locator("[data-testid=stAlert]").filter(has_text="导入完成").inner_text()
        print("\nbrowser import:", success.strip())
        screenshot_full(page, SCREENSHOTS / "upload_done.png")

        # the history table lists the batch with its uploader, and it is offered for rollback
        history = main.locator("[data-testid=stDataFrame]").filter(has_text="导入人").filter(has_text="demo_budget.csv")
        assert history.count() == 1
        assert history.get_by_text(FILE_NAME).count() == 1 and history.get_by_text(UPLOADER).count() == 1
        combo = page.get_by_role("combobox", name="选择批次（回滚会撤销该批次写入的行，并恢复被它替换的原数据）")
        for _ in range(5):   # a click during a relayout may not open the list: try again
            combo.click()
            try:
                page.get_by_role("option").first.wait_for(timeout=5_000)
                break
            except Exception:
                page.keyboard.press("Escape")
                wait_idle(page)
        print("rollback options:", page.get_by_role("option").all_inner_texts())
        option = page.get_by_role("option").filter(has_text=FILE_NAME)
        assert option.count() == 1
        label = option.first.inner_text()
        page.keyboard.press("Escape")
        assert page.locator("[data-testid=stSidebarNav]").get_by_text("数据导入").count() == 1
        page.context.close()

    db = open_current(db_path, read_only=True)
    try:
        history = db.query("import/history")
        batch = history.iloc[0]
        assert (batch["file_name"], batch["imported_by"], batch["rows_inserted"], batch["rows_updated"]) == (
            FILE_NAME, UPLOADER, 1, 1)
        assert label.startswith(f"批次 {int(batch['batch_id'])} · {FILE_NAME}")
        assert f"批次 {int(batch['batch_id'])}" in success
        rates = db.query("rates/unit_rates", year=2022, region="河南省郑州市", level=None, sector=None)
        zz = rates[rates["unit_name"] == "郑州市政务服务办公室"].iloc[0]
        assert round(float(zz["execution_rate"]) * 100, 2) == 90.83     # 2800 / 3082.64
    finally:
        db.close()


def test_outliers_page_downloads_hold_no_live_formula(demo_db_template, chromium_browser, tmp_path):
    """Units named like formulas, with warnings, downloaded from 异常预警 as CSV and Excel."""
    import csv
    import io
    from urllib.parse import quote

    import openpyxl

    from tests.test_safety import FORMULA_NAMES, _import_formula_units, assert_no_live_formula

    db_path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db_template, db_path)
    db = open_current(db_path)
    try:
        _import_formula_units(db)          # 2024, region 注入测试市, execution 30 % → warnings
    finally:
        db.close()
    with serve(db_path, tmp_path) as url:
        page = open_page(chromium_browser, url, "outliers?year=2024&region=" + quote("注入测试市"))
        downloads = {}
        for label in ("下载 CSV", "下载 Excel"):
            with page.expect_download(timeout=60_000) as info:
                page.get_by_role("button", name=label).click()
            downloads[label] = (info.value.suggested_filename, open(info.value.path(), "rb").read())
            wait_idle(page)          # the second button only once the page is still again
        page.context.close()
    name, payload = downloads["下载 CSV"]
    cells = [c for row in csv.reader(io.StringIO(payload.decode("utf-8-sig"))) for c in row]
    print(f"\n{name}: {len(cells)} cells")
    assert_no_live_formula(cells)
    assert {"'" + n for n in FORMULA_NAMES} <= set(cells)
    name, payload = downloads["下载 Excel"]
    sheet = openpyxl.load_workbook(io.BytesIO(payload)).active
    values = [c for row in sheet.iter_rows() for c in row]
    print(f"{name}: {len(values)} cells")
    assert not any(c.data_type == "f" for c in values)
    assert_no_live_formula([c.value for c in values if isinstance(c.value, str)])
    assert {"'" + n for n in FORMULA_NAMES} <= {c.value for c in values}


def test_a_docx_report_reviewed_and_imported_in_the_browser(chromium_browser, tmp_path):
    """新郑's report as a .docx into an empty database: its figures listed beside their sentences
    for review, imported on confirm, and the unit profile shows the sentence behind its figures.
    (Correcting a value in the review table is tested through AppTest in test_upload_page.py: the
    table is a canvas grid, and a cell edited through Playwright committed in only some runs.)"""
    from pathlib import Path

    from tests.extract_docs import write_docx

    report = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "002_e0541fc98863e671.txt"
    docx = write_docx(report.read_text(encoding="utf-8").splitlines(), tmp_path / "新郑自评报告.docx")
    db_path = tmp_path / "empty.duckdb"
    open_current(db_path).close()
    with serve(db_path, tmp_path) as url:
        page = open_page(chromium_browser, url, "upload")
        page.locator("input[type=file]").nth(1).set_input_files(str(docx))     # the report uploader
        page.get_by_text("检查通过").wait_for(timeout=60_000)
        wait_idle(page)
        main = page.locator("[data-testid=stMain]")
        assert main.get_by_text("第 1 步：核对单位和年度").count() == 1
        assert main.get_by_text("文件名：04_报告所列比率.csv").count() == 1
        screenshot_full(page, SCREENSHOTS / "report_review.png")
        box = page.get_by_label("导入人（必填，记入导入历史）")
        box.fill("绩效科 复核人")
        box.press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="确认导入").click()
        page.get_by_text("导入完成").wait_for(timeout=60_000)
        wait_idle(page)
        key = quote("name:郑州市|新郑市政务服务和大数据管理局")
        profile = open_page(chromium_browser, url, f"unit_profile?year=2021&unit={key}")
        profile.get_by_text("数据来源（导入时记录的原文）").click()
        profile.get_by_text("实际到位资金2197.17万元", exact=False).first.wait_for(timeout=30_000)
        screenshot_full(profile, SCREENSHOTS / "report_profile.png")
        page.context.close()
        profile.context.close()
    db = open_current(db_path, read_only=True)
    try:
        years = db.query("pages/unit_years", unit_key="name:郑州市|新郑市政务服务和大数据管理局")
        history = db.query("import/history")
    finally:
        db.close()
    row = years[years["year"] == 2021].iloc[0]
    assert (float(row["funds_received"]), float(row["actual_spend"])) == (2197.17, 1743.22)
    assert set(history["imported_by"]) == {"绩效科 复核人"}
