"""A whole file read at the wrong scale is held before anything is stored (issue #12): a
budget file in 元 with no 「单位：元」 anywhere, over a database holding the units' previous
year in 万元 — or, for units never seen before, a file whose median budget no department has.
It is imported as read only when confirmed, and then carries a data flag (数据核查) that a
rollback takes away again. A real 10× change of one unit, or of every unit, is not stopped."""
from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from ingest_cases import csv_bytes, dump, xlsx_bytes  # noqa: E402
from perfdash import ingest  # noqa: E402
from perfdash.derive import open_current, outliers  # noqa: E402
from perfdash.errors import ScaleUnconfirmed  # noqa: E402
from perfdash.ingest.batches import MEDIAN_LIMIT  # noqa: E402
from perfdash.ingest.session import Confirm, Stage, UploadSession  # noqa: E402

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
    with pytest.raises(ScaleUnconfirmed) as refused:
        ingest.import_files(db, [(name, data)])
    assert dump(db) == before
    assert isinstance(refused.value, ingest.ImportRefused)   # a caller that cannot ask refuses
    [problem] = refused.value.problems
    [question] = refused.value.questions
    assert problem.file == question.file == name and problem.message == question.message
    assert "确认按表中数值导入" in problem.message
    return problem.message


def _csv(rows) -> bytes:
    return csv_bytes(HEADER, [[str(v) for v in r] for r in rows])


def _scale_flags(db, year: int) -> list[tuple]:
    flags = outliers.flags_for_year(db, year)
    flags = flags[flags["kind"].eq("data") & flags["basis"].isin(["unit_scale", "replaced_scale", "median_scale"])]
    return sorted(zip(flags["unit_name"], flags["basis"], flags["severity"], flags["reason"]))


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


def test_confirmed_it_is_imported_as_read_and_flagged_until_rolled_back(db):
    rows = _rows(2023, factor=10_000)
    before = dump(db)
    with pytest.raises(ScaleUnconfirmed):
        ingest.import_parsed(db, ingest.parse_all([("2023年.csv", _csv(rows))]))
    assert dump(db) == before
    [result] = ingest.import_parsed(db, ingest.parse_all([("2023年.csv", _csv(rows))]), accept_scale=True)
    assert result.inserted == 30 and result.scale is not None and result.scale.basis == "prior_year"
    flags = _scale_flags(db, 2023)
    assert [f[:3] for f in flags] == sorted((name, "unit_scale", "high") for _, name, _ in UNITS)
    prior = {name: adjusted for (_, _, name, _, _, adjusted, _) in _rows(2022)}
    first = next(f for f in flags if f[0] == UNITS[0][1])
    assert first[3].startswith(f"预算数 {rows[0][5]:,.2f} 万元约为上年 {prior[UNITS[0][1]]:,.2f} 万元的 10,000 倍")
    assert "可能单位有误（元/万元），请核对" in first[3]
    assert _scale_flags(db, 2022) == []
    ingest.rollback(db, result.batch_id)
    assert _scale_flags(db, 2023) == []


def test_the_same_year_confirmed_again_in_yuan_is_flagged_against_the_figure_it_replaced(db):
    rows = _rows(2022, factor=10_000)
    ingest.import_parsed(db, ingest.parse_all([("2022年重报.csv", _csv(rows))]), accept_scale=True)
    flags = _scale_flags(db, 2022)
    assert {f[1] for f in flags} == {"replaced_scale"} and len(flags) == 30
    assert all("约为此前导入的同年数" in f[3] and "的 10,000 倍" in f[3] for f in flags)


def _new_units(year: int, n: int, budget) -> list[list]:
    return [[year, f"9{i:05d}", f"新单位{i}", "河南省开封市", budget(i), budget(i), round(budget(i) * 0.9, 2)]
            for i in range(n)]


def test_new_units_in_yuan_are_asked_by_their_median(tmp_path):
    database = open_current(tmp_path / "empty.duckdb")
    try:
        # 元 figures of departments of 300 – 3,000 万元: 3,000,000 – 30,000,000 "万元" as read.
        rows = _new_units(2023, 12, lambda i: 3_000_000.0 + 2_500_000 * i)
        message = _refused(database, "2023年.csv", _csv(rows))
        median = sorted(r[5] for r in rows)[5:7]
        assert f"12 个单位的预算数中位数为 {sum(median) / 2:,.2f} 万元" in message
        assert f"超过 {MEDIAN_LIMIT:,.0f} 万元" in message and "单位：元" in message
        [result] = ingest.import_parsed(database, ingest.parse_all([("2023年.csv", _csv(rows))]), accept_scale=True)
        assert result.inserted == 12 and result.scale.basis == "median"
        flags = _scale_flags(database, 2023)
        assert [f[:3] for f in flags] == sorted((f"新单位{i}", "median_scale", "high") for i in range(12))
        assert f"12 个单位，预算数中位数为 {sum(median) / 2:,.2f} 万元" in flags[0][3]
        # The next year, in 万元 and said so, is 1/10,000 of the flagged one: flagged too.
        fixed = _new_units(2024, 12, lambda i: 300.0 + 250 * i)
        ingest.import_parsed(database, ingest.parse_all([("2024年.csv", _csv(fixed))]), accept_scale=True)
        assert {f[1] for f in _scale_flags(database, 2024)} == {"unit_scale"}
    finally:
        database.close()


@pytest.mark.parametrize("median", [MEDIAN_LIMIT * 0.99, MEDIAN_LIMIT * 1.01])
def test_the_median_limit_is_the_line(tmp_path, median):
    database = open_current(tmp_path / "limit.duckdb")
    try:
        # One huge unit and one tiny one do not move the median of five.
        budgets = [1.0, median * 0.5, median, median * 1.5, 5_000_000.0]
        rows = _new_units(2023, 5, lambda i: round(budgets[i], 2))
        if median < MEDIAN_LIMIT:
            [result] = ingest.import_files(database, [("2023年.csv", _csv(rows))])
            assert result.inserted == 5 and _scale_flags(database, 2023) == []
        else:
            _refused(database, "2023年.csv", _csv(rows))
    finally:
        database.close()


def test_units_with_history_are_left_to_the_yearly_comparison(db):
    """A file of stored units plus a few new ones: the median counts the new ones only."""
    rows = _rows(2023) + _new_units(2023, 3, lambda i: 50_000.0 + i)
    [result] = ingest.import_files(db, [("2023年.csv", _csv(rows))])
    assert result.inserted == 33 and _scale_flags(db, 2023) == []


def test_the_upload_session_asks_at_preview_and_needs_the_checkbox(db):
    session = UploadSession()
    data = _csv(_rows(2023, factor=10_000))
    assert session.check([("2023年.csv", data)]) is Stage.READY
    preview = session.preview(db)
    assert session.stage is Stage.READY and preview.files[0].inserted == 30
    [question] = preview.scale
    assert question.file == "2023年.csv" and "以元为单位" in question.message
    before = dump(db)
    asked = session.confirm(db, "张三")
    assert asked.status is Confirm.SCALE and asked.scale == preview.scale
    assert dump(db) == before
    done = session.confirm(db, "张三", accept_scale=True)
    assert done.ok and done.results[0].inserted == 30
    assert len(_scale_flags(db, 2023)) == 30


def test_two_files_asked_in_turn_as_the_import_asks(tmp_path):
    """Two years of new units in 元 uploaded together: the second compared with the first."""
    database = open_current(tmp_path / "two.duckdb")
    try:
        files = [(f"{y}年.csv", _csv(_new_units(y, 6, lambda i: 4_000_000.0 + 1_000_000 * i)))
                 for y in (2022, 2023)]
        session = UploadSession()
        session.check(files)
        preview = session.preview(database)
        assert [(q.file, q.basis) for q in preview.scale] == [("2022年.csv", "median")]
        with pytest.raises(ScaleUnconfirmed) as asked:
            ingest.import_files(database, files)
        assert [q.file for q in asked.value.questions] == ["2022年.csv"]
        assert session.confirm(database, "张三", accept_scale=True).ok
    finally:
        database.close()


def test_cli_asks_and_imports_with_accept_scale(db, tmp_path):
    from ingest_cases import run_cli
    path = db.path
    db.close()
    data = tmp_path / "2023年.csv"
    data.write_bytes(_csv(_rows(2023, factor=10_000)))
    asked = run_cli("import", data, "--db", path)
    assert asked.returncode == 1
    assert "2023年.csv：金额约为上年同一批单位的 10,000 倍" in asked.stderr and "--accept-scale" in asked.stderr
    done = run_cli("import", data, "--db", path, "--accept-scale")
    assert done.returncode == 0, done.stderr
    assert "已确认按表中数值导入" in done.stdout
    reopened = open_current(path)
    try:
        assert len(_scale_flags(reopened, 2023)) == 30
    finally:
        reopened.close()


def test_a_unit_line_under_a_plain_looking_csv_is_read(db):
    """「单位：元」 written under the table, not above it: the whole file is read by the sheet
    reader, which applies it (so the figures are right and the scale check has nothing to say)."""
    rows = [[str(v) for v in r] for r in _rows(2023, factor=10_000)] + [["单位：元"] + [""] * 6]
    [result] = ingest.import_files(db, [("2023年.csv", csv_bytes(HEADER, rows))])
    assert result.inserted == 30
    assert any("金额单位：元" in line and "已换算为万元" in line for line in result.details), result.details


@pytest.mark.parametrize("earlier, later", [(500.0, 5_000_000.0), (5_000_000.0, 500.0)])
def test_a_file_giving_its_units_year_before_counts_that_as_history(tmp_path, earlier, later):
    """Two years of new units in one file: the later year is compared with the earlier one (after
    import, by the data flag), so only the earlier year's rows make the median."""
    database = open_current(tmp_path / "own.duckdb")
    try:
        rows = _new_units(2022, 5, lambda i: earlier + i) + _new_units(2023, 5, lambda i: later + i)
        if earlier < MEDIAN_LIMIT:
            [result] = ingest.import_files(database, [("两年.csv", _csv(rows))])
            assert result.inserted == 10 and result.scale is None
            assert {f[1] for f in _scale_flags(database, 2023)} == {"unit_scale"}
        else:
            message = _refused(database, "两年.csv", _csv(rows))
            assert "5 个单位的预算数中位数为 5,000,002.00 万元" in message
    finally:
        database.close()
