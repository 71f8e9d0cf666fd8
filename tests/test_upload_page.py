"""The 数据导入 page (AppTest): refusal report, preview → confirm, password, rollback, literal names."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from perfdash import ingest, security
from perfdash.derive import open_current
from test_safety import HOSTILE_NAMES, table_snapshot, assert_same_tables

PAGE = "app_pages/upload.py"
SEED_HEADER = ("年度,单位编码,单位名称,地区,层级,行业,年初预算数,调整后预算数,实际到位资金,实际支出数,结转结余,"
               "上年结转结余,三公经费预算数,三公经费实际数,政府采购预算数,政府采购实际数,自评得分,评价等级")
# 郑州 2022 as in the seed report, with 实际支出数 2699.18 → 2800; a new unit in 2022 and one in 2025.
GOOD_ROWS = [
    "2022,,郑州市政务服务办公室,河南省郑州市,市级,政务服务,2538.07,3082.64,,2800,,,,,,,99.68,优",
    "2022,T0001,页面测试新单位,河南省郑州市,市级,政务服务,100,120,,60,,,,,,,85,良",
    "2025,T0001,页面测试新单位,河南省郑州市,市级,政务服务,100,130,,65,,,,,,,86,良",
]
GOOD = ("\r\n".join([SEED_HEADER, *GOOD_ROWS]) + "\r\n").encode("gbk")
BAD = ("\r\n".join([
    SEED_HEADER,
    "2022,T0002,坏数据单位甲,河南省郑州市,市级,政务服务,100,120,,十二,,,,,,,85,良",
    "2022,T0003,坏数据单位乙,河南省郑州市,市级,政务服务,100,120,,-5,,,,,,,85,良",
    "2022,T0004,,河南省郑州市,市级,政务服务,100,120,,60,,,,,,,85,优秀秀",
]) + "\r\n").encode("gbk")


@pytest.fixture
def server(monkeypatch):
    """Server address and password as a test sets them; a fresh backoff record per test."""
    from streamlit import config

    old = config.get_option("server.address")
    monkeypatch.delenv(security.PASSWORD_ENV, raising=False)
    monkeypatch.setattr(security, "THROTTLE", security.Throttle())

    def set_address(address):
        config.set_option("server.address", address)

    set_address("127.0.0.1")
    yield set_address
    config.set_option("server.address", old)


def snapshot(path):
    db = open_current(path)
    try:
        return table_snapshot(db)
    finally:
        db.close()


def open_page(app):
    at = app()
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at, *files):
    at.file_uploader(key="upload_files").set_value(list(files)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def frame_with(at, *columns) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if all(c in d.value.columns for c in columns)]
    assert found, f"no table with columns {columns}"
    return found[0]


def keys(at) -> set:
    """Keys of the widgets on screen."""
    return {w.key for kind in ("button", "text_input", "selectbox", "checkbox", "file_uploader",
                               "download_button") for w in getattr(at, kind)}


def markdown_texts(at) -> list[str]:
    """Everything the page renders as Markdown."""
    texts = []
    for kind in ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader", "header"):
        texts.extend(str(e.value) for e in getattr(at, kind))
    texts.extend(str(e.label) for e in at.expander)
    return texts


def test_bad_gbk_file_shows_row_level_problems_and_writes_nothing(app, server, demo_db_path):
    before = snapshot(demo_db_path)
    at = upload(open_page(app), ("坏数据.csv", BAD, "text/csv"))
    assert any("检查未通过" in e.value for e in at.error)
    report = frame_with(at, "文件", "行", "列", "问题")
    with pytest.raises(ingest.ImportRefused) as expected:
        ingest.parse_file(BAD, "坏数据.csv")
    assert len(report) == len(expected.value.problems) >= 4
    got = set(zip(report["行"].astype(int), report["列"], report["问题"]))
    assert got == {(p.row, p.column, p.message) for p in expected.value.problems}
    assert (2, "实际支出数") in {(r, c) for r, c, _ in got} and (4, "单位名称") in {(r, c) for r, c, _ in got}
    assert set(report["文件"]) == {"坏数据.csv"}
    assert "upload_problems_csv" in keys(at)
    assert "upload_confirm" not in keys(at)
    assert_same_tables(before, snapshot(demo_db_path))


def test_good_file_previews_and_imports_only_after_confirm(app, server, demo_db_path):
    before = snapshot(demo_db_path)
    at = open_page(app)
    history_rows = len(frame_with(at, "批次", "导入人"))
    at = upload(at, ("新数据.csv", GOOD, "text/csv"))

    summary = frame_with(at, "文件", "新增", "更新", "未变")
    assert summary[["新增", "更新", "未变"]].iloc[0].tolist() == [2, 1, 0]
    changed = frame_with(at, "列", "原值", "新值")
    assert changed[["单位名称", "列", "原值", "新值"]].values.tolist() == [
        ["郑州市政务服务办公室", "实际支出数", "2,699.18", "2,800.00"]]
    new_rows = frame_with(at, "行", "单位名称", "年度")
    assert sorted(new_rows["年度"].astype(int)) == [2022, 2025]
    assert_same_tables(before, snapshot(demo_db_path))          # preview wrote nothing

    at.button(key="upload_confirm").click().run()               # no name yet: refused
    assert any("请先填写导入人" in e.value for e in at.error)
    assert_same_tables(before, snapshot(demo_db_path))

    at.text_input(key="upload_by").input("预算科 王五").run()
    assert_same_tables(before, snapshot(demo_db_path))          # typing is not confirming
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]

    assert any("导入完成" in s.value for s in at.success)
    history = frame_with(at, "批次", "导入人")
    assert len(history) == history_rows + 1
    newest = history.iloc[0]
    assert (newest["文件"], newest["导入人"], newest["新增"], newest["更新"]) == ("新数据.csv", "预算科 王五", 2, 1)
    db = open_current(demo_db_path)
    try:
        rates = db.query("rates/unit_rates", year=2022, region="河南省郑州市", level=None, sector=None)
        zz = rates[rates["unit_name"] == "郑州市政务服务办公室"].iloc[0]
        assert float(zz["execution_rate"]) == pytest.approx(2800 / 3082.64)
        batch = db.query("import/history").iloc[0]
        assert batch["imported_by"] == "预算科 王五" and batch["file_name"] == "新数据.csv"
    finally:
        db.close()
    # the files stay in the uploader: no second preview or confirm for them
    assert any("以上文件已经导入" in c.value for c in at.caption)
    assert "upload_confirm" not in keys(at)


def test_a_file_identical_to_the_database_needs_no_import(app, server, demo_db_path):
    from perfdash.cli import SEED_DIR

    seed = (SEED_DIR / "01_budget.csv").read_bytes()
    at = upload(open_page(app), ("01_budget.csv", seed, "text/csv"))
    summary = frame_with(at, "文件", "新增", "更新", "未变")
    assert summary[["新增", "更新", "未变"]].iloc[0].tolist() == [0, 0, len(seed.decode("utf-8-sig").splitlines()) - 1]
    assert any("完全相同" in e.value for e in at.info)
    assert "upload_confirm" not in keys(at)


def test_wrong_password_is_refused_and_nothing_written(app, server, demo_db_path, monkeypatch):
    monkeypatch.setenv(security.PASSWORD_ENV, "正确的密码")
    server("0.0.0.0")
    before = snapshot(demo_db_path)
    at = open_page(app)
    assert not at.get("file_uploader"), "no upload control before the password"
    assert "rollback_batch" not in keys(at)
    at.text_input(key="upload_password").input("错误的密码").run()
    at.button(key="upload_unlock").click().run()
    assert any("上传密码不正确" in e.value for e in at.error)
    assert not at.get("file_uploader")
    assert security.THROTTLE.failures() == 1
    assert_same_tables(before, snapshot(demo_db_path))

    at.text_input(key="upload_password").input("正确的密码").run()
    at.button(key="upload_unlock").click().run()
    assert at.get("file_uploader"), "the right password unlocks uploading"
    at = upload(at, ("新数据.csv", GOOD, "text/csv"))
    at.text_input(key="upload_by").input("张三").run()
    # the password is changed on the server before the user confirms: the unlock lapses
    monkeypatch.setenv(security.PASSWORD_ENV, "新密码")
    at.button(key="upload_confirm").click().run()
    assert not any("导入完成" in s.value for s in at.success)
    assert "upload_password" in keys(at) and not at.get("file_uploader")
    assert_same_tables(before, snapshot(demo_db_path))


def test_repeated_wrong_passwords_slow_down(app, server, demo_db_path, monkeypatch):
    monkeypatch.setenv(security.PASSWORD_ENV, "pw")
    at = open_page(app)
    messages = []
    for attempt in ("a", "b", "c", "pw"):
        at.text_input(key="upload_password").input(attempt).run()
        at.button(key="upload_unlock").click().run()
        messages.append([e.value for e in at.error])
    print("messages:", messages)
    assert "请重试" in messages[0][0] and "秒后再试" in messages[2][0]
    assert messages[3] and "秒后再试" in messages[3][0]     # even the right one waits its turn
    assert not at.get("file_uploader")


def test_no_password_and_not_local_offers_no_write_controls(app, server, demo_db_path):
    server("0.0.0.0")
    at = open_page(app)
    assert not at.get("file_uploader")
    assert not {"upload_password", "rollback_batch", "rollback_confirm"} & keys(at)
    assert any("PERFDASH_UPLOAD_PASSWORD" in w.value for w in at.warning)
    assert len(frame_with(at, "批次", "导入人")) >= 1                      # reading the history is fine
    assert any(k.startswith("tpl_") for k in keys(at)), "templates stay downloadable"


def test_secrets_password_is_honoured(app, server, demo_db_path):
    at = app()
    at.secrets["upload_password"] = "来自secrets"
    at.run()
    at.switch_page(PAGE).run()
    assert not at.get("file_uploader") and "upload_password" in keys(at)
    at.text_input(key="upload_password").input("来自secrets").run()
    at.button(key="upload_unlock").click().run()
    assert at.get("file_uploader")


def test_rollback_needs_two_steps(app, server, demo_db_path):
    at = open_page(app)
    history = frame_with(at, "批次", "状态")
    newest = int(history["批次"].iloc[0])
    before = snapshot(demo_db_path)
    at.selectbox(key="rollback_batch").set_value(newest).run()
    assert "rollback_confirm" not in keys(at)
    at.button(key="rollback_start").click().run()
    assert "rollback_backup" in keys(at)                                  # step 1: the backup on offer
    assert at.download_button(key="rollback_backup").label.startswith("第 1 步：下载数据库备份")
    at.button(key="rollback_confirm").click().run()                       # not ticked: refused
    assert any("请先勾选" in e.value for e in at.error)
    assert_same_tables(before, snapshot(demo_db_path))
    at.checkbox(key="rollback_ack").check().run()
    at.button(key="rollback_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(f"已回滚批次 {newest}" in s.value for s in at.success)
    history = frame_with(at, "批次", "状态")
    assert history.loc[history["批次"] == newest, "状态"].item() == "已回滚"
    db = open_current(demo_db_path)
    try:
        assert db.query("import/batch", batch_id=newest)["status"].item() == "rolled_back"
    finally:
        db.close()


def test_names_from_files_are_never_rendered_as_markdown(app, server, demo_db_path):
    file_name = "**粗体**<b>文件<script>[x](e) $y$.csv"    # file names never hold "/"
    rows = [f"2024,HN{i},\"{n.replace(chr(34), chr(34) * 2)}\",名称测试市,县级,测试,100,100,,30,,,,,,,,"
            for i, n in enumerate(HOSTILE_NAMES)]
    data = ("\r\n".join([SEED_HEADER, *rows]) + "\r\n").encode("utf-8-sig")
    at = upload(open_page(app), (file_name, data, "text/csv"))
    new_rows = frame_with(at, "行", "单位名称")
    assert sorted(new_rows["单位名称"]) == sorted(HOSTILE_NAMES)
    assert any(t.value == f"文件名：{file_name}" for t in at.text)
    rendered = "\n".join(markdown_texts(at))
    for needle in ("<script>", "<b>", "**粗体**", "[链接]", "[x](e)", "$y$"):
        assert needle not in rendered, f"{needle!r} reached Markdown"
    summary = frame_with(at, "文件", "新增")
    assert summary["文件"].tolist() == [file_name]
    print(json.dumps({"markdown_elements_checked": len(markdown_texts(at))}))


def test_a_level_change_is_asked_and_imports_only_with_the_checkbox(app, server, demo_db_path):
    """DESIGN §1: an update changing a stored unit's 地区 / 层级 is shown and needs confirming."""
    before = snapshot(demo_db_path)
    row = "2022,,郑州市政务服务办公室,河南省郑州市,县级,政务服务,2538.07,3082.64,,2699.18,,,,,,,99.68,优"
    data = ("\r\n".join([SEED_HEADER, row]) + "\r\n").encode("utf-8")
    at = upload(open_page(app), ("层级.csv", data, "text/csv"))
    assert any("单位变更需要确认" in w.value for w in at.warning)
    asked = frame_with(at, "单位", "变更", "原值", "新值")
    assert asked[["单位", "变更", "原值", "新值"]].values.tolist() == [["郑州市政务服务办公室", "层级", "市级", "县级"]]
    assert "upload_accept_units" in keys(at)

    at.text_input(key="upload_by").input("预算科 王五").run()
    at.button(key="upload_confirm").click().run()                # not ticked: nothing written
    assert any("确认以上单位变更" in e.value for e in at.error)
    assert_same_tables(before, snapshot(demo_db_path))

    at.checkbox(key="upload_accept_units").check().run()
    at.button(key="upload_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("导入完成" in s.value for s in at.success)
    db = open_current(demo_db_path)
    try:
        assert db.con.execute("SELECT level FROM budget WHERE unit_name = '郑州市政务服务办公室' "
                              "AND year = 2022").fetchall() == [("县级",)]
    finally:
        db.close()


# -- self-evaluation reports -------------------------------------------------------------------

REPORTS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
PINGDINGSHAN_REPORT = REPORTS / "003_6b24e0b12a120b85.txt"


def editor_frames(at) -> list[pd.DataFrame]:
    """The review tables (st.data_editor) as the page sent them: records, then figures."""
    return [pa.ipc.open_stream(e.proto.arrow_data.data).read_all().to_pandas() for e in at.get("data_editor")]


def test_a_report_without_a_unit_name_is_reviewed_before_anything_can_be_imported(app, server):
    """平顶山's report does not name its unit: its figures are listed beside their sentences, the
    page asks for the name and offers no import until it is given."""
    at = open_page(app)
    at.file_uploader(key="report_files").set_value(
        [(PINGDINGSHAN_REPORT.name, PINGDINGSHAN_REPORT.read_bytes(), "text/plain")]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"第 1 条记录（{PINGDINGSHAN_REPORT.name}）：报告没有写明单位名称，请填写" in [t.value for t in at.text]
    assert "report_confirm" not in keys(at)
    figures = editor_frames(at)[1]
    spend = figures[figures["数据项"] == "实际支出数"].iloc[0]
    assert spend["数值"] == "16848.83" and "16848.83" in spend["来源"]


def test_a_reviewed_report_imports_the_corrected_figure_with_its_sentence(app, server, demo_db_path):
    """The reviewer names the unit, corrects one figure and confirms: the import stores the
    corrected figure, the others as read, and the unit profile shows where they came from."""
    at = open_page(app)
    at.file_uploader(key="report_files").set_value(
        [(PINGDINGSHAN_REPORT.name, PINGDINGSHAN_REPORT.read_bytes(), "text/plain")]).run()
    digest = at.session_state["_report_review"].digest[:12]
    figures = editor_frames(at)[1]
    spend_row = int(figures.index[figures["数据项"] == "实际支出数"][0])
    at.session_state[f"report_records_{digest}"] = {
        "edited_rows": {0: {"单位名称": "平顶山市政务服务和大数据管理局（复核）", "地区": "河南省平顶山市"}},
        "added_rows": [], "deleted_rows": []}
    at.session_state[f"report_figures_{digest}"] = {
        "edited_rows": {spend_row: {"数值": "16848.80"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("检查通过" in s.value for s in at.success)
    at.text_input(key="report_by").input("绩效科 复核人").run()
    at.button(key="report_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    key = "name:河南省平顶山市|平顶山市政务服务和大数据管理局（复核）"
    db = open_current(demo_db_path)
    try:
        row = db.query("pages/unit_years", unit_key=key)
        sources = db.cursor().execute("SELECT source FROM figure_source WHERE unit_key = ? AND field = 'budget'",
                                      [key]).fetchall()
        history = db.query("import/history")
    finally:
        db.close()
    latest = row[row["year"] == 2022].iloc[0]
    assert (float(latest["actual_spend"]), float(latest["initial_budget"])) == (16848.80, 650.14)
    assert "16848.83" in sources[0][0]                     # the sentence as the report printed it
    assert set(history.loc[history["imported_by"] == "绩效科 复核人", "file_name"]) >= {
        "01_预算执行数据.csv", "04_报告所列比率.csv"}
    profile = app(query_params={"year": "2022", "unit": key})
    profile.run()
    profile.switch_page("app_pages/unit_profile.py").run()
    assert not profile.exception, [e.value for e in profile.exception]
    shown = [str(m.value) for m in profile.markdown] + [str(m.value) for m in profile.caption]
    assert any("实际支出数：全年实际执行数为16848" in m for m in shown), shown   # the sentence behind the figure


def test_a_unit_map_typed_on_the_page_joins_a_renamed_units_history(app, server, demo_db_path):
    """Staff type 原单位 → 现单位 into the 单位对照 table: the preview says what moves, the
    confirm writes it as a batch, the stored map lists it, and the unit has one history."""
    db = open_current(demo_db_path)
    try:
        ingest.import_files(db, [("历年.csv", ("年度,单位名称,地区,层级,调整后预算数,实际支出数\n"
                                               "2021,测试县旧名局,河南省测试县,县级,100,80\n"
                                               "2022,测试县新名局,河南省测试县,县级,200,190\n").encode())],
                            imported_by="测试")
    finally:
        db.close()
    at = open_page(app)
    at.session_state["unit_map_editor"] = {"edited_rows": {}, "deleted_rows": [], "added_rows": [
        {"原单位名称": "测试县旧名局", "原地区": "河南省测试县", "单位名称": "测试县新名局", "地区": "河南省测试县"}]}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "文件 1（单位对照）：新增对照 1 条，归入现单位的数据 1 行，已有对照 0 条" in [e.label for e in at.expander]
    moves = frame_with(at, "原单位", "归入单位", "移动的行数")
    assert moves[["原单位", "归入单位", "原单位的年度", "移动的行数"]].values.tolist() == [
        ["测试县旧名局（河南省测试县）", "测试县新名局（河南省测试县）", "2021", 1]]
    at.text_input(key="unit_map_by").input("预算科 张三").run()
    at.button(key="unit_map_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    stored = frame_with(at, "原单位", "归入单位所在", "批次")
    assert stored[["原单位", "原单位所在", "归入单位", "导入人"]].values.tolist() == [
        ["测试县旧名局", "河南省测试县", "测试县新名局", "预算科 张三"]]
    db = open_current(demo_db_path)
    try:
        years = db.query("pages/unit_years", unit_key="name:河南省测试县|测试县新名局")
    finally:
        db.close()
    assert years[["year", "unit_name"]].values.tolist() == [[2021, "测试县旧名局"], [2022, "测试县新名局"]]
    assert years["execution_rate"].round(4).tolist() == [0.8, 0.95]
