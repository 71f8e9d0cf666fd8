"""Upload safety: who may write, what may come in, what goes out, names as data, backups."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from perfdash import ingest, security
from perfdash.present import tabular
from perfdash.store import backup
from perfdash.store import sql
from perfdash.cli import main as cli_main
from perfdash.derive import bring_up_to_date, open_current
from perfdash.errors import DatabaseBusyError

ROOT = Path(__file__).resolve().parent.parent
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


# -- helpers -----------------------------------------------------------------------------


def budget_csv(rows: list[dict], encoding: str = "utf-8-sig") -> bytes:
    """A budget file with the template's Chinese headers (csv module quoting, like Excel)."""
    headers = ["年度", "单位编码", "单位名称", "地区", "层级", "行业", "年初预算数", "调整后预算数", "实际支出数"]
    keys = ["year", "unit_code", "unit_name", "region", "level", "sector", "initial_budget",
            "adjusted_budget", "actual_spend"]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(k, "") for k in keys])
    return buffer.getvalue().encode(encoding)


def project_csv(rows: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["年度", "单位编码", "单位名称", "项目名称", "项目类别", "预算数", "实际支出数"])
    for r in rows:
        writer.writerow([r["year"], r["unit_code"], r["unit_name"], r["project_name"], "测试类", r["budget"],
                         r["actual_spend"]])
    return buffer.getvalue().encode("utf-8-sig")


def table_snapshot(db) -> dict[str, pd.DataFrame]:
    """Every table, sorted on all columns, for equality checks."""
    out = {}
    cur = db.con.cursor()
    try:
        for name in [r[0] for r in cur.execute(sql.load("backup/table_names")).fetchall()]:
            frame = cur.table(name).df()
            out[name] = frame.sort_values(list(frame.columns), kind="stable", na_position="first").reset_index(drop=True)
    finally:
        cur.close()
    return out


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=True, obj=name)


def cells_of_csv(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def is_numberlike(text: str) -> bool:
    return bool(tabular._NUMBER.fullmatch(text))


def assert_no_live_formula(cells: list[str]) -> None:
    live = [c for c in cells if c.startswith(FORMULA_PREFIXES) and not is_numberlike(c)]
    assert not live, f"cells a spreadsheet would run as formulas: {live[:5]}"


# -- 1. who may write --------------------------------------------------------------------


def test_password_comparison_and_configuration():
    assert security.password_matches("秘密-123", "秘密-123")
    assert not security.password_matches("秘密-124", "秘密-123")
    assert not security.password_matches("", "秘密-123")
    assert not security.password_matches(None, "x")
    # the environment wins over secrets.toml; blank means not configured
    assert security.configured_password({"PERFDASH_UPLOAD_PASSWORD": "env"}, secret="file") == "env"
    assert security.configured_password({}, secret="file") == "file"
    assert security.configured_password({"PERFDASH_UPLOAD_PASSWORD": ""}, secret=None) is None
    assert security.configured_password({}, secret="") is None


@pytest.mark.parametrize("address, allowed", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True),
    ("0.0.0.0", False), ("", False), (None, False), ("192.168.1.10", False),
])
def test_without_password_only_localhost_may_write(address, allowed):
    access = security.write_access(None, address)
    assert access.allowed is allowed
    assert not access.needs_password
    assert "PERFDASH_UPLOAD_PASSWORD" in access.message   # the page says how to configure one


def test_with_password_writing_needs_it_on_any_address():
    for address in ("127.0.0.1", "0.0.0.0", None):
        access = security.write_access("pw", address)
        assert access.allowed and access.needs_password


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_backoff_per_session_is_exponential_after_three_failures():
    clock = FakeClock()
    throttle = security.Throttle(clock)
    waits = []
    for _ in range(6):
        result = security.check_password("wrong", "right", "s1", throttle)
        assert not result.ok
        waits.append(throttle.wait_seconds("s1"))
        clock.now += waits[-1]   # wait exactly as long as told
    print("waits after each failure:", waits)
    assert waits == [0, 0, 2, 4, 8, 16]
    # while waiting, even the right password is refused without being checked
    security.check_password("wrong", "right", "s1", throttle)
    assert throttle.wait_seconds("s1") == 32
    refused = security.check_password("right", "right", "s1", throttle)
    assert not refused.ok and refused.wait_seconds == 32 and "秒后再试" in refused.message
    clock.now += 32
    assert security.check_password("right", "right", "s1", throttle).ok
    assert throttle.failures("s1") == 0
    # another session was never slowed by s1 alone (8 failures < the process-wide allowance)
    assert throttle.wait_seconds("s2") == 0


def test_backoff_is_also_process_wide():
    """A guesser who opens a new session for every try is still slowed down."""
    clock = FakeClock()
    throttle = security.Throttle(clock)
    for i in range(security.GLOBAL_FREE_ATTEMPTS):
        assert security.check_password("guess", "right", f"session-{i}", throttle).wait_seconds == (
            0 if i + 1 < security.GLOBAL_FREE_ATTEMPTS else security.BASE_DELAY)
    assert throttle.failures() == security.GLOBAL_FREE_ATTEMPTS
    fresh = security.check_password("right", "right", "brand-new-session", throttle)
    assert not fresh.ok and fresh.wait_seconds == security.BASE_DELAY
    clock.now += security.BASE_DELAY
    assert security.check_password("right", "right", "brand-new-session", throttle).ok


def test_unlock_token_lapses_when_password_changes():
    token = security.token_for("one")
    assert security.token_valid(token, "one")
    assert not security.token_valid(token, "two")
    assert not security.token_valid(None, "one")
    assert not security.token_valid(token, None)
    assert "one" not in token


# -- 2. limits on what comes in ------------------------------------------------------------


def test_upload_limits_from_environment():
    limits = security.upload_limits({"PERFDASH_MAX_UPLOAD_MB": "1.5", "PERFDASH_MAX_UPLOAD_ROWS": "5000"})
    assert limits.max_bytes == int(1.5 * 1024 * 1024) and limits.max_rows == 5000
    default = security.upload_limits({})
    assert default.max_bytes == 20 * 1024 * 1024
    with pytest.raises(security.LimitsError, match="PERFDASH_MAX_UPLOAD_MB"):
        security.upload_limits({"PERFDASH_MAX_UPLOAD_MB": "二十"})
    with pytest.raises(security.LimitsError):
        security.upload_limits({"PERFDASH_MAX_UPLOAD_MB": "-3"})


def _rows(n: int, year: int = 2024, prefix: str = "S") -> list[dict]:
    return [{"year": year, "unit_code": f"{prefix}{i:06d}", "unit_name": f"限额测试单位{i}", "region": "测试市",
             "level": "县级", "sector": "测试", "initial_budget": 100, "adjusted_budget": 120,
             "actual_spend": 90 + i % 10} for i in range(n)]


def test_oversize_file_is_refused_and_nothing_written(demo_db):
    limits = security.upload_limits({"PERFDASH_MAX_UPLOAD_MB": "1"})
    data = budget_csv(_rows(20000), encoding="gbk")
    assert len(data) > limits.max_bytes
    before = table_snapshot(demo_db)
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(demo_db, [("大文件.csv", data)], imported_by="测试", limits=limits)
    print(f"oversize: {len(data) / 1024 / 1024:.2f} MB refused:", refused.value.problems[0])
    assert len(refused.value.problems) == 1
    problem = refused.value.problems[0]
    assert problem.file == "大文件.csv" and "超过上限" in problem.message and "1 MB" in problem.message
    assert_same_tables(before, table_snapshot(demo_db))


def test_row_cap_is_refused_with_a_clear_message(demo_db):
    limits = security.upload_limits({"PERFDASH_MAX_UPLOAD_ROWS": "100"})
    before = table_snapshot(demo_db)
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(demo_db, [("多行.csv", budget_csv(_rows(101)))], imported_by="测试", limits=limits)
    assert "超过单个文件上限 100 行" in refused.value.problems[0].message
    assert_same_tables(before, table_snapshot(demo_db))
    # exactly at the cap is fine
    parsed = ingest.parse_file(budget_csv(_rows(100)), "恰好.csv", limits)
    assert len(parsed.frame) == 100


def _xlsx_bytes(rows: list[list]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def zip_bomb_xlsx(uncompressed_mb: int) -> bytes:
    """A real XLSX whose first sheet's XML holds a huge run of zeros inside one cell."""
    base = _xlsx_bytes([["年度", "单位名称", "调整后预算数", "实际支出数"], [2024, "炸弹单位", 1, 1]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                      compresslevel=9) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item, src.read(item.filename))
                continue
            head = (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
            tail = b"</t></is></c></row></sheetData></worksheet>"
            info = zipfile.ZipInfo(item.filename)
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, "w", force_zip64=True) as stream:
                stream.write(head)
                chunk = b"0" * (1024 * 1024)
                for _ in range(uncompressed_mb):
                    stream.write(chunk)
                stream.write(tail)
    return out.getvalue()


def test_zip_bomb_xlsx_is_refused_not_exploded(demo_db):
    bomb = zip_bomb_xlsx(260)
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        declared = sum(i.file_size for i in archive.infolist())
    print(f"zip bomb: {len(bomb) / 1024:.0f} KB on disk, {declared / 1024 / 1024:.0f} MB unpacked")
    limits = security.upload_limits({})
    assert len(bomb) < limits.max_bytes < declared   # small enough to pass the size cap
    before = table_snapshot(demo_db)
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(demo_db, [("炸弹.xlsx", bomb)], imported_by="测试", limits=limits)
    message = refused.value.problems[0].message
    print("refused:", message)
    assert "解压后" in message and "超过上限" in message
    assert_same_tables(before, table_snapshot(demo_db))


def _forge_declared_size(data: bytes, member: str, fake_size: int) -> bytes:
    """Rewrite a member's uncompressed size in both zip headers (a bomb that lies about its size)."""
    import struct

    buf = bytearray(data)
    name = member.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    assert buf[local:local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", buf, local + 22, fake_size)
    central = buf.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", buf, central + 28)[0]
        if bytes(buf[central + 46:central + 46 + name_len]) == name:
            struct.pack_into("<I", buf, central + 24, fake_size)
            break
        central = buf.find(b"PK\x01\x02", central + 4)
    else:
        raise AssertionError("central directory entry not found")
    return bytes(buf)


def test_zip_bomb_that_lies_about_its_size_is_refused(demo_db):
    """Declared sizes can be forged; reading stops at the declared size, so the file is refused."""
    real = io.BytesIO()
    base = _xlsx_bytes([["年度", "单位名称", "调整后预算数", "实际支出数"], [2024, "炸弹单位", 1, 1]])
    with zipfile.ZipFile(io.BytesIO(base)) as src, zipfile.ZipFile(real, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            payload = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                payload = payload.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 * 1024 * 1024), 1)
            dst.writestr(item.filename, payload)
    forged = _forge_declared_size(real.getvalue(), "xl/worksheets/sheet1.xml", 2000)
    with zipfile.ZipFile(io.BytesIO(forged)) as archive:
        declared = sum(i.file_size for i in archive.infolist())
    print(f"forged bomb: {len(forged) / 1024:.0f} KB, declares {declared / 1024:.0f} KB, holds 64 MB")
    before = table_snapshot(demo_db)
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(demo_db, [("伪装.xlsx", forged)], imported_by="测试")
    print("refused:", refused.value.problems[0])
    assert refused.value.problems[0].file == "伪装.xlsx"
    assert_same_tables(before, table_snapshot(demo_db))


# -- 3. what goes out ---------------------------------------------------------------------

FORMULA_NAMES = ['=HYPERLINK("http://evil.example/","点我")', "+1+cmd|' /C calc'!A0", "-2+3单位",
                 "@SUM(A1:A2)", "=1+2"]


def test_neutralise_cells_but_never_numbers():
    frame = pd.DataFrame({
        "name": ["=1+2", "+3", "-12.5", "-1,234.50", "@x", "\tx", "\rx", "ok", "-", None, "12%"],
        "amount": [-1.5, 2.0, -3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0],
        "count": pd.array([-1, 2, 3, 4, 5, 6, 7, 8, 9, None, 11], dtype="Int64"),
    })
    safe = tabular.safe_frame(frame)
    assert safe["name"].tolist()[:9] == ["'=1+2", "+3", "-12.5", "-1,234.50", "'@x", "'\tx", "'\rx", "ok", "'-"]
    assert pd.isna(safe["name"].iloc[9]) and safe["name"].iloc[10] == "12%"
    pd.testing.assert_series_equal(safe["amount"], frame["amount"])
    pd.testing.assert_series_equal(safe["count"], frame["count"])
    assert frame["name"].iloc[0] == "=1+2"   # the caller's frame is not changed
    # headers too
    assert tabular.safe_frame(pd.DataFrame({"=bad": [1]})).columns.tolist() == ["'=bad"]


def test_csv_and_xlsx_outputs_hold_no_live_formula():
    frame = pd.DataFrame({"单位名称": FORMULA_NAMES, "实际支出数": [-1.0, 2.5, -3.25, 4.0, 5.0],
                          "文本数字": ["-12.5", "+3", "1,234", "-0.5", "7"]})
    text = tabular.to_csv_bytes(frame).decode("utf-8-sig")
    assert_no_live_formula(cells_of_csv(text))
    back = pd.read_csv(io.StringIO(text), dtype=str)
    assert back["单位名称"].tolist() == ["'" + n for n in FORMULA_NAMES]
    assert back["实际支出数"].astype(float).tolist() == [-1.0, 2.5, -3.25, 4.0, 5.0]
    assert back["文本数字"].tolist() == ["-12.5", "+3", "1,234", "-0.5", "7"]

    wb = openpyxl.load_workbook(io.BytesIO(tabular.to_xlsx_bytes(frame)))
    ws = wb.active
    names = [ws.cell(row=r, column=1) for r in range(2, len(FORMULA_NAMES) + 2)]
    assert all(c.data_type == "s" for c in names), [c.data_type for c in names]
    assert [c.value for c in names] == ["'" + n for n in FORMULA_NAMES]
    amounts = [ws.cell(row=r, column=2) for r in range(2, len(FORMULA_NAMES) + 2)]
    assert [c.value for c in amounts] == [-1.0, 2.5, -3.25, 4.0, 5.0] and all(c.data_type == "n" for c in amounts)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_survives_control_characters_and_odd_sheet_names():
    frame = pd.DataFrame({"名称": ["响铃\x07字符", "正常"]})
    wb = openpyxl.load_workbook(io.BytesIO(tabular.to_xlsx_bytes(frame, sheet_name="a/b:c*d?[e]")))
    assert wb.active.title == "a_b_c_d__e_"
    assert wb.active["A2"].value == "响铃\ufffd字符" and wb.active["A3"].value == "正常"


def _import_formula_units(db, year: int = 2024) -> None:
    rows = [{"year": year, "unit_code": f"F{i:03d}", "unit_name": name, "region": "注入测试市", "level": "县级",
             "sector": "测试", "initial_budget": 100, "adjusted_budget": 100, "actual_spend": 30}
            for i, name in enumerate(FORMULA_NAMES)]
    ingest.import_files(db, [("注入.csv", budget_csv(rows))], imported_by="测试")


def test_cli_csv_outputs_are_neutralised(demo_db_path, capsys):
    db = open_current(demo_db_path)
    _import_formula_units(db)
    db.close()
    outputs = {}
    for command in ("rates", "outliers"):
        assert cli_main([command, "--year", "2024", "--region", "注入测试市", "--format", "csv",
                         "--db", str(demo_db_path)]) == 0
        outputs[command] = capsys.readouterr().out
    for command, text in outputs.items():
        cells = cells_of_csv(text)
        assert_no_live_formula(cells)
        for name in FORMULA_NAMES:
            assert "'" + name in cells, f"{command}: {name!r} missing or not neutralised"
    rates = pd.read_csv(io.StringIO(outputs["rates"]), dtype={"unit_code": str})
    assert sorted(rates["unit_code"]) == [f"F{i:03d}" for i in range(len(FORMULA_NAMES))]
    assert rates["execution_rate"].round(6).tolist() == [0.3] * len(FORMULA_NAMES)  # numbers untouched
    # json keeps the real names (it is data for programs, not a spreadsheet)
    assert cli_main(["rates", "--year", "2024", "--region", "注入测试市", "--format", "json",
                     "--db", str(demo_db_path)]) == 0
    assert sorted(r["unit_name"] for r in json.loads(capsys.readouterr().out)) == sorted(FORMULA_NAMES)


# -- 4. names are data --------------------------------------------------------------------

HOSTILE_NAMES = [
    '引号"单位"局',
    "单引号'的局",
    "分号;局'); DROP TABLE budget; --",
    "注释 -- 局 /* x */",
    "<script>alert('x')</script>局",
    "<b>粗体</b>&amp;<br>局",
    "**粗体** _斜体_ [链接](http://x) $x^2$ :material/warning: 局",
    "反斜杠\\局\\n",
    "长" * 1000,
]
HOSTILE_PROJECTS = ["项目'; DELETE FROM project; --", '<img src=x onerror="alert(1)">项目', "项" * 1000]


def _import_hostile(db, year: int = 2024) -> None:
    rows = [{"year": year, "unit_code": f"H{i:03d}", "unit_name": name, "region": "名称测试市", "level": "县级",
             "sector": "测试", "initial_budget": 100, "adjusted_budget": 100, "actual_spend": 30}
            for i, name in enumerate(HOSTILE_NAMES)]
    projects = [{"year": year, "unit_code": "H000", "unit_name": HOSTILE_NAMES[0], "project_name": p,
                 "budget": 10, "actual_spend": 0} for p in HOSTILE_PROJECTS]
    results = ingest.import_files(db, [("名称.csv", budget_csv(rows)), ("名称项目.csv", project_csv(projects))],
                                  imported_by="测试")
    assert [r.inserted for r in results] == [len(HOSTILE_NAMES), len(HOSTILE_PROJECTS)]


def test_hostile_names_round_trip_import_rates_csv_xlsx(demo_db):
    _import_hostile(demo_db)
    scope = {"region": "名称测试市", "level": None, "sector": None}
    rates = demo_db.query("rates/unit_rates", year=2024, **scope)
    assert sorted(rates["unit_name"]) == sorted(HOSTILE_NAMES)
    assert rates["execution_rate"].round(6).tolist() == [0.3] * len(HOSTILE_NAMES)
    projects = demo_db.query("rates/project_rates", year=2024, **scope)
    assert sorted(projects["project_name"]) == sorted(HOSTILE_PROJECTS)
    # the tables with the stored names are intact (the SQL-looking names did nothing)
    assert len(demo_db.query("rates/unit_rates", year=2024, region=None, level=None, sector=None)) > len(HOSTILE_NAMES)

    csv_back = pd.read_csv(io.BytesIO(tabular.to_csv_bytes(rates)), dtype=str, keep_default_na=False,
                           encoding="utf-8-sig")
    assert sorted(csv_back["unit_name"]) == sorted(HOSTILE_NAMES)
    wb = openpyxl.load_workbook(io.BytesIO(tabular.to_xlsx_bytes(projects)))
    header = [c.value for c in wb.active[1]]
    col = header.index("project_name") + 1
    assert sorted(wb.active.cell(row=r, column=col).value for r in range(2, len(HOSTILE_PROJECTS) + 2)) == sorted(
        HOSTILE_PROJECTS)
    wb = openpyxl.load_workbook(io.BytesIO(tabular.to_xlsx_bytes(rates)))
    header = [c.value for c in wb.active[1]]
    col = header.index("unit_name") + 1
    assert sorted(wb.active.cell(row=r, column=col).value for r in range(2, len(HOSTILE_NAMES) + 2)) == sorted(
        HOSTILE_NAMES)


def test_hostile_names_reach_the_meeting_pack_unchanged(tmp_path):
    """PPTX warning slide and warning CSV hold the names literally; file names stay inside out_dir."""
    from pptx import Presentation

    from perfdash.present import export

    db = open_current(tmp_path / "names.duckdb")
    try:
        _import_hostile(db)
        out = tmp_path / "pack"
        region = "名称测试市"
        written = export.export_pack(db, year=2024, out_dir=out, region=region)
    finally:
        db.close()
    print("pack files:", [p.name for p in written])
    assert all(p.resolve().parent == out.resolve() for p in written)
    deck = next(p for p in written if p.suffix == ".pptx")
    texts = []
    for slide in Presentation(str(deck)).slides:
        for shape in slide.shapes:
            if shape.has_table:
                texts.extend(cell.text for row in shape.table.rows for cell in row.cells)
    shown = [n for n in HOSTILE_NAMES if n in texts]
    assert sorted(shown) == sorted(HOSTILE_NAMES), set(HOSTILE_NAMES) - set(shown)
    warnings_csv = next(p for p in written if p.suffix == ".csv")
    cells = cells_of_csv(warnings_csv.read_bytes().decode("utf-8-sig"))
    assert_no_live_formula(cells)
    assert set(HOSTILE_NAMES) <= set(cells)


def test_hostile_scope_names_cannot_escape_the_export_folder(tmp_path):
    from perfdash.present import export

    db = open_current(tmp_path / "scope.duckdb")
    region = "../../逃逸/..\\市<x>:*?"
    try:
        rows = [{"year": 2024, "unit_code": "E1", "unit_name": "逃逸测试局", "region": region, "level": "县级",
                 "sector": "测试", "initial_budget": 100, "adjusted_budget": 100, "actual_spend": 50}]
        ingest.import_files(db, [("逃逸.csv", budget_csv(rows))], imported_by="测试")
        out = tmp_path / "deep" / "pack"
        written = export.export_pack(db, year=2024, out_dir=out, region=region)
    finally:
        db.close()
    assert written and all(p.resolve().parent == out.resolve() for p in written)
    assert all(p.exists() for p in written)


# -- 7. backup and restore ------------------------------------------------------------------


def test_backup_then_restore_gives_identical_tables(demo_db_path, tmp_path, capsys):
    db = open_current(demo_db_path)
    _import_hostile(db)               # awkward text survives too
    before = table_snapshot(db)
    totals = db.query("rates/weighted_by_group", group_by="all", year_from=None, year_to=None, region=None,
                      level=None, sector=None)
    db.close()
    assert cli_main(["backup", "--out", str(tmp_path / "备份 目录's"), "--db", str(demo_db_path)]) == 0
    written = Path(capsys.readouterr().out.strip())
    assert written.is_dir() and (written / "manifest.json").is_file()
    manifest = json.loads((written / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["budget"] == len(before["budget"])

    target = tmp_path / "restored.duckdb"
    assert cli_main(["restore", str(written), "--db", str(target)]) == 0
    restored = open_current(target)
    try:
        assert_same_tables(before, table_snapshot(restored))
        again = restored.query("rates/weighted_by_group", group_by="all", year_from=None, year_to=None,
                               region=None, level=None, sector=None)
        pd.testing.assert_frame_equal(totals, again)
        # the sequence continues: the next batch gets a new id
        result = ingest.import_files(restored, [("新.csv", budget_csv(_rows(1, prefix="N")))], imported_by="测试")
        assert result[0].batch_id == int(before["import_batch"]["batch_id"].max()) + 1
    finally:
        restored.close()
    print(f"backup/restore: {len(before)} tables, {sum(len(f) for f in before.values()):,} rows, all equal")


def test_restore_from_the_pages_zip_replaces_atomically_and_keeps_the_old_file(demo_db_path, tmp_path):
    db = open_current(demo_db_path)
    before = table_snapshot(db)
    zipped = backup.backup_zip_bytes(db)
    ingest.import_files(db, [("之后.csv", budget_csv(_rows(3, prefix="A")))], imported_by="测试")
    after_import = table_snapshot(db)
    db.close()
    zip_path = tmp_path / "备份.zip"
    zip_path.write_bytes(zipped)
    backup.restore(zip_path, demo_db_path, upgrade=bring_up_to_date)
    kept = list(demo_db_path.parent.glob(f"{demo_db_path.stem}.before-restore-*.duckdb"))
    assert len(kept) == 1
    for path, expected in ((demo_db_path, before), (kept[0], after_import)):
        check = open_current(path, read_only=True)
        try:
            assert_same_tables(expected, table_snapshot(check))
        finally:
            check.close()
    assert not Path(str(demo_db_path) + ".wal").exists()


def test_restore_refuses_a_database_held_by_another_process(demo_db_path, tmp_path):
    db = open_current(demo_db_path)
    directory = backup.backup(db, tmp_path / "bk")
    db.close()
    digest = hashlib.sha256(demo_db_path.read_bytes()).hexdigest()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from perfdash.derive import open_current; db = open_current(sys.argv[1]); "
         "print('ready', flush=True); sys.stdin.read()", str(demo_db_path)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        with pytest.raises(DatabaseBusyError, match="正被另一个程序占用"):
            backup.restore(directory, demo_db_path, upgrade=bring_up_to_date)
        cli = subprocess.run([sys.executable, "-m", "perfdash", "restore", str(directory), "--db", str(demo_db_path)],
                             cwd=ROOT, capture_output=True, text=True)
        print("CLI restore while held:", cli.returncode, cli.stderr.strip())
        assert cli.returncode == 1 and "正被另一个程序占用" in cli.stderr and "Traceback" not in cli.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert hashlib.sha256(demo_db_path.read_bytes()).hexdigest() == digest
    assert not list(demo_db_path.parent.glob("*.before-restore-*"))


def test_restore_refuses_what_is_not_a_backup(tmp_path, demo_db_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(backup.BackupError, match="不是本系统的备份"):
        backup.restore(tmp_path / "empty", demo_db_path)
    (tmp_path / "x.zip").write_bytes(b"not a zip")
    with pytest.raises(backup.BackupError, match="不是有效的 ZIP"):
        backup.restore(tmp_path / "x.zip", demo_db_path)
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../escaped.sql", "x")
    (tmp_path / "evil.zip").write_bytes(evil.getvalue())
    with pytest.raises(backup.BackupError, match="不安全"):
        backup.restore(tmp_path / "evil.zip", demo_db_path)
    assert not (tmp_path.parent / "escaped.sql").exists()


def test_backup_path_is_quoted_not_pasted(tmp_path):
    literal = backup.sql_string_literal(tmp_path / "it's; DROP TABLE budget; --")
    assert literal.startswith("'") and literal.endswith("'") and "it''s" in literal
    with pytest.raises(backup.BackupError):
        backup.sql_string_literal(Path("/tmp/a\nb"))


def test_markdown_literal_escapes_every_markup_and_loses_no_character():
    import re

    for name in HOSTILE_NAMES + FORMULA_NAMES + [":material/warning: :red[红] http://x www.x.cn 1. a\n# b"]:
        escaped = security.markdown_literal(name)
        shown = re.sub(r"\\(.)", r"\1", escaped.replace("\u2060", ""))   # what Markdown displays
        assert shown == name.replace("\n", " ")
        assert not re.search(r"(?<!\\)[*_`<>\[\]$#|~]", escaped), escaped[:80]
        assert ":material" not in escaped and "http://" not in escaped


# -- a database that cannot be opened --------------------------------------------------------


@pytest.mark.parametrize("setting", ["memory", "config"])
def test_a_broken_setting_gets_a_chinese_message_not_a_traceback(app, monkeypatch, tmp_path, setting):
    if setting == "memory":
        monkeypatch.setenv("PERFDASH_DUCKDB_MEMORY", "lots")
        expected = "PERFDASH_DUCKDB_MEMORY='lots' 不是有效的内存大小"
    else:
        bad = tmp_path / "perfdash.toml"
        bad.write_text("[thresholds.execution_rate]\nmedium_below = \n", encoding="utf-8")
        monkeypatch.setenv("PERFDASH_CONFIG", str(bad))
        expected = "配置文件格式错误"
    at = app()
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and "无法打开数据库" in at.error[0].value and expected in at.error[0].value


def test_the_memory_setting_reaches_duckdb(tmp_path, monkeypatch):
    from perfdash.derive import open_current

    monkeypatch.setenv("PERFDASH_DUCKDB_MEMORY", "300MB")
    db = open_current(tmp_path / "m.duckdb")
    limit = db.con.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    db.close()
    assert limit.replace(" ", "") in {"286.1MiB", "300.0MB", "300MB"}, limit
