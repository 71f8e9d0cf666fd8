"""A whole file read at the wrong scale is refused before anything is stored (issue #12): a
budget file in 元 with no 「单位：元」 anywhere, over a database holding the units' previous
year in 万元. A real 10× change of one unit, or of every unit, is not stopped."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ingest_cases import csv_bytes, dump, xlsx_bytes  # noqa: E402
from perfdash import ingest  # noqa: E402
from perfdash.derive import open_current  # noqa: E402
from perfdash.ingest.session import Stage, UploadSession  # noqa: E402

HEADER = ["年度", "单位编码", "单位名称", "地区", "年初预算数", "调整后预算数", "实际支出数"]
UNITS = [(f"2{i:05d}", f"第{i}单位", "河南省郑州市") for i in range(30)]


def _rows(year: int, factor: float = 1.0, seed: int = 0, grow: dict | None = None) -> list[list]:
    rng = random.Random(seed)
    rows = []
    for code, name, region in UNITS:
        budget = rng.randrange(500_00, 90_000_00) / 100 * (grow or {}).get(code, 1.0)
        rows.append([year, code, name, region, round(budget * factor, 2), round(budget * 1.05 * factor, 2),
                     round(budget * 0.9 * factor, 2)])
    return rows


@pytest.fixture
def db(tmp_path):
    database = open_current(tmp_path / "t.duckdb")
    ingest.import_files(database, [("2022年.csv", csv_bytes(HEADER, [[str(v) for v in r] for r in _rows(2022)]))])
    yield database
    database.close()


def _refused(db, name: str, data: bytes) -> str:
    before = dump(db)
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(db, [(name, data)])
    assert dump(db) == before
    [problem] = refused.value.problems
    assert problem.file == name
    return problem.message


def test_a_yuan_csv_without_a_unit_line_is_refused(db):
    data = csv_bytes(HEADER, [[str(v) for v in r] for r in _rows(2023, factor=10_000)])
    message = _refused(db, "2023年（元）.csv", data)
    assert "上年同一批单位的" in message and "倍" in message and "30 个单位" in message
    assert "以元为单位的表格未注明「单位：元」" in message and "重新上传" in message


def test_a_yuan_workbook_under_a_title_is_refused(db):
    data = xlsx_bytes(HEADER, _rows(2023, factor=10_000), before=[["2023年度部门预算执行情况表"], []])
    message = _refused(db, "2023年.xlsx", data)
    assert "可能是以元为单位的表格" in message


def test_the_same_year_again_in_yuan_is_refused(db):
    data = csv_bytes(HEADER, [[str(v) for v in r] for r in _rows(2022, factor=10_000)])
    assert "已存同年度同一批单位的" in _refused(db, "2022年重报.csv", data)


def test_stored_yuan_read_as_wanyuan_is_named_too(db):
    data = csv_bytes(HEADER, [[str(v) for v in r] for r in _rows(2023, factor=1 / 10_000)])
    message = _refused(db, "2023年.csv", data)
    assert "1/10,000 倍" in message or "1/9," in message or "1/10," in message
    assert "回滚" in message


def test_real_changes_are_not_stopped(db):
    one_unit = _rows(2023, grow={UNITS[0][0]: 10.0, UNITS[1][0]: 5_000.0})
    everyone = _rows(2024, factor=10.0)
    [a, b] = ingest.import_files(db, [("2023年.csv", csv_bytes(HEADER, [[str(v) for v in r] for r in one_unit])),
                                      ("2024年.csv", csv_bytes(HEADER, [[str(v) for v in r] for r in everyone]))])
    assert (a.inserted, b.inserted) == (30, 30)


def test_a_new_database_has_nothing_to_compare_with(tmp_path):
    database = open_current(tmp_path / "empty.duckdb")
    try:
        data = csv_bytes(HEADER, [[str(v) for v in r] for r in _rows(2023, factor=10_000)])
        [result] = ingest.import_files(database, [("2023年.csv", data)])
        assert result.inserted == 30
    finally:
        database.close()


def test_the_upload_page_shows_the_refusal_at_preview(db):
    session = UploadSession()
    data = csv_bytes(HEADER, [[str(v) for v in r] for r in _rows(2023, factor=10_000)])
    assert session.check([("2023年.csv", data)]) is Stage.READY
    preview = session.preview(db)
    assert preview.files == () and session.stage is Stage.REFUSED
    assert "以元为单位" in session.problems[0].message


def test_a_unit_line_under_a_plain_looking_csv_is_read(db):
    """「单位：元」 written under the table, not above it: the whole file is read by the sheet
    reader, which applies it (so the figures are right and the scale check has nothing to say)."""
    rows = [[str(v) for v in r] for r in _rows(2023, factor=10_000)] + [["单位：元"] + [""] * 6]
    [result] = ingest.import_files(db, [("2023年.csv", csv_bytes(HEADER, rows))])
    assert result.inserted == 30
    assert any("金额单位：元" in line and "已换算为万元" in line for line in result.details), result.details
