"""The unit map (单位对照): a history split by renames and new codes is joined, later files
using an old name land on the unit, and rolling the map back restores exactly what was there.

The histories are generated: units renamed in a random year (the bureau's files use the name of
their year), units given a new code, units untouched; each with figures whose rates are known.
"""
from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from perfdash import ingest
from perfdash.derive import open_current
from perfdash.errors import ImportRefused
from perfdash.ingest import unit_map
from tests.test_unit_tables import assert_as_rebuilt

YEARS = [2020, 2021, 2022, 2023]
BASE_TABLES = ["budget", "score", "project", "stated_rate", "figure_source", "budget_replaced", "score_replaced",
               "project_replaced", "stated_rate_replaced", "figure_source_replaced", "unit_map"]


@dataclass
class Unit:
    region: str
    names: dict[int, str]          # year → the name that year's file uses
    codes: dict[int, str | None]   # year → the code that year's file uses (None: no code column value)
    budget: dict[int, float]
    spend: dict[int, float]


def _history(rng: random.Random, count: int) -> list[Unit]:
    units = []
    for i in range(count):
        region = rng.choice(["甲县", "乙县", "丙区"])
        base = f"{region}第{i}局"
        renamed_in = rng.choice([None, 2021, 2022, 2023])
        names = {y: (f"{region}第{i}服务中心" if renamed_in and y >= renamed_in else base) for y in YEARS}
        coded = rng.random() < 0.4
        recoded_in = rng.choice([None, 2022]) if coded else None
        codes = {y: (None if not coded else (f"9{i:04d}" if recoded_in and y >= recoded_in else f"{i + 1:06d}"))
                 for y in YEARS}
        budget = {y: round(rng.uniform(100, 5000), 2) for y in YEARS}
        spend = {y: round(budget[y] * rng.uniform(0.6, 1.0), 2) for y in YEARS}
        units.append(Unit(region, names, codes, budget, spend))
    return units


def _budget_csv(units: list[Unit], year: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["年度", "单位编码", "单位名称", "地区", "层级", "调整后预算数", "实际支出数"])
    for u in units:
        writer.writerow([year, u.codes[year] or "", u.names[year], u.region, "县级",
                         f"{u.budget[year]:.2f}", f"{u.spend[year]:.2f}"])
    return out.getvalue().encode("utf-8")


def _map_csv(units: list[Unit]) -> bytes:
    """The map a clerk writes: for each unit whose name or code changed, its old identity → now."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["原单位名称", "原单位编码", "原地区", "单位名称", "单位编码", "地区"])
    last = YEARS[-1]
    for u in units:
        first = YEARS[0]
        if u.codes[first] != u.codes[last] or (u.codes[first] is None and u.names[first] != u.names[last]):
            writer.writerow([u.names[first], u.codes[first] or "", u.region, u.names[last], u.codes[last] or "", u.region])
    return out.getvalue().encode("utf-8")


def _changed(u: Unit) -> bool:
    return u.codes[YEARS[0]] != u.codes[YEARS[-1]] or (u.codes[YEARS[0]] is None and u.names[YEARS[0]] != u.names[YEARS[-1]])


def _old_years(u: Unit) -> int:
    """The years stored under the unit's first key (its code, else its name), which the map moves."""
    first = YEARS[0]
    if u.codes[first]:
        return sum(u.codes[y] == u.codes[first] for y in YEARS)
    return sum(u.names[y] == u.names[first] for y in YEARS)


def _key(u: Unit) -> str:
    last = YEARS[-1]
    return f"code:{u.codes[last]}" if u.codes[last] else f"name:{u.region}|{u.names[last]}"


def _tables(db) -> dict[str, pd.DataFrame]:
    out = {}
    for table in BASE_TABLES:
        frame = db.con.execute(f"SELECT * FROM {table}").df()
        out[table] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return out


def _assert_tables_equal(before, after) -> None:
    for table in BASE_TABLES:
        pd.testing.assert_frame_equal(before[table], after[table], obj=table)


@pytest.fixture
def db(tmp_path):
    database = open_current(tmp_path / "map.duckdb")
    yield database
    database.close()


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), count=st.integers(4, 14))
def test_a_map_joins_every_split_history_and_its_rollback_restores_the_split(tmp_path_factory, seed, count):
    rng = random.Random(seed)
    units = _history(rng, count)
    db = open_current(tmp_path_factory.mktemp("map") / "m.duckdb")
    try:
        for year in YEARS:
            ingest.import_files(db, [(f"{year}.csv", _budget_csv(units, year))], imported_by="测试")
        before = _tables(db)
        stored_keys = db.con.execute("SELECT count(DISTINCT unit_key) FROM budget").fetchone()[0]
        split = sum(_changed(u) for u in units)
        assert stored_keys == count + split       # each renamed or recoded unit is two units before the map
        if not split:
            with pytest.raises(ImportRefused):    # a map with no row says so
                ingest.import_files(db, [("对照.csv", _map_csv(units))], imported_by="测试")
            return
        [result] = ingest.import_files(db, [("对照.csv", _map_csv(units))], imported_by="测试")
        assert (result.kind, result.inserted, result.updated) == ("unit_map", split, sum(_old_years(u) for u in units if _changed(u)))
        assert db.con.execute("SELECT count(DISTINCT unit_key) FROM budget").fetchone()[0] == count
        rates = db.con.execute("SELECT unit_key, year, value FROM unit_year_metric "
                               "WHERE metric = 'execution_rate'").df().set_index(["unit_key", "year"])["value"]
        for u in units:
            for y in YEARS:
                assert rates[(_key(u), y)] == pytest.approx(round(u.spend[y], 2) / round(u.budget[y], 2), rel=1e-12)
        assert_as_rebuilt(db)
        ingest.rollback(db, result.batch_id)
        _assert_tables_equal(before, _tables(db))
        assert db.con.execute("SELECT count(DISTINCT unit_key) FROM budget").fetchone()[0] == count + split
        assert_as_rebuilt(db)
    finally:
        db.close()


def _seed(db, rows: str) -> None:
    ingest.import_files(db, [("历年.csv", ("年度,单位编码,单位名称,地区,层级,调整后预算数,实际支出数\n" + rows).encode())],
                        imported_by="测试")


def test_a_later_file_with_the_old_name_lands_on_the_unit_under_its_current_name(db):
    _seed(db, "2021,,甲县文化局,甲县,县级,100,90\n2022,,甲县文化广电和旅游局,甲县,县级,110,99\n")
    ingest.import_files(db, [("对照.csv", "原单位名称,原地区,单位名称,地区\n甲县文化局,甲县,甲县文化广电和旅游局,甲县\n".encode())],
                        imported_by="测试")
    [late] = ingest.import_files(db, [("2023.csv", "年度,单位名称,地区,调整后预算数,实际支出数\n2023,甲县文化局,甲县,120,96\n".encode())],
                                 imported_by="测试")
    assert "按单位对照，「甲县文化局」的 1 行归入「甲县文化广电和旅游局」" in late.details
    rows = db.con.execute("SELECT year, unit_key, unit_name FROM budget ORDER BY year").fetchall()
    assert rows == [(2021, "name:甲县|甲县文化广电和旅游局", "甲县文化局"),
                    (2022, "name:甲县|甲县文化广电和旅游局", "甲县文化广电和旅游局"),
                    (2023, "name:甲县|甲县文化广电和旅游局", "甲县文化广电和旅游局")]
    # the former name is still the unit's, for the profile's 曾用名
    years = db.query("pages/unit_years", unit_key="name:甲县|甲县文化广电和旅游局")
    assert list(years["unit_name"]) == ["甲县文化局", "甲县文化广电和旅游局", "甲县文化广电和旅游局"]
    assert list(years["execution_rate"].round(4)) == [0.9, 0.9, 0.8]


def test_a_rename_of_a_rename_is_followed_to_its_end(db):
    _seed(db, "2021,,一局,甲县,县级,100,90\n2022,,二局,甲县,县级,100,80\n2023,,三局,甲县,县级,100,70\n")
    for old, new in (("一局", "二局"), ("二局", "三局")):
        ingest.import_files(db, [(f"{old}.csv", f"原单位名称,原地区,单位名称,地区\n{old},甲县,{new},甲县\n".encode())],
                            imported_by="测试")
    assert db.con.execute("SELECT DISTINCT unit_key FROM budget").fetchall() == [("name:甲县|三局",)]
    ingest.import_files(db, [("2024.csv", "年度,单位名称,地区,调整后预算数,实际支出数\n2024,一局,甲县,100,60\n".encode())],
                        imported_by="测试")
    assert db.con.execute("SELECT unit_key, unit_name FROM budget WHERE year = 2024").fetchall() == [("name:甲县|三局", "三局")]


def test_a_map_by_code_and_scores_and_projects_move_with_the_budget(db):
    _seed(db, "2021,001001,老局,甲县,县级,100,90\n2022,002001,新局,甲县,县级,100,95\n")
    ingest.import_files(db, [("得分.csv", "年度,单位编码,单位名称,一级指标,分值,得分\n2021,001001,老局,预算执行,20,18\n".encode()),
                             ("项目.csv", "年度,单位编码,单位名称,项目名称,预算数,实际支出数\n2021,001001,老局,修缮,50,40\n".encode())],
                        imported_by="测试")
    [result] = ingest.import_files(db, [("对照.csv", "原单位编码,单位编码\n001001,002001\n".encode())], imported_by="测试")
    assert (result.inserted, result.updated) == (1, 3)
    assert db.query("pages/unit_scores", unit_key="code:002001")["score"].tolist() == [18]
    assert db.query("pages/unit_projects", unit_key="code:002001")["project_name"].tolist() == ["修缮"]
    assert db.query("pages/unit_projects", unit_key="code:001001").empty
    # a later file under the old code lands on the unit with its current code, not the old one
    [late] = ingest.import_files(db, [("2023.csv", "年度,单位编码,单位名称,调整后预算数,实际支出数\n2023,001001,老局,100,97\n".encode())],
                                 imported_by="测试")
    assert "按单位对照，「单位编码 001001」的 1 行归入「单位编码 002001」" in late.details
    assert db.con.execute("SELECT unit_key, unit_code FROM budget WHERE year = 2023").fetchall() == [("code:002001", "002001")]
    assert db.query("pages/unit_list", year=None, limit=5, region=None, level=None, sector=None)[
        ["unit_code", "unit_name"]].values.tolist() == [["002001", "老局"]]


def test_a_map_whose_two_units_share_a_year_is_refused_and_changes_nothing(db):
    _seed(db, "2022,,甲县文化局,甲县,县级,100,90\n2022,,甲县文旅局,甲县,县级,110,99\n2021,,甲县文化局,甲县,县级,90,80\n")
    before = _tables(db)
    version = db.data_version()
    with pytest.raises(ImportRefused) as refused:
        ingest.import_files(db, [("对照.csv", "原单位名称,原地区,单位名称,地区\n甲县文化局,甲县,甲县文旅局,甲县\n".encode())],
                            imported_by="测试")
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.column) == ("对照.csv", 2, "原单位名称")
    assert "甲县文化局（甲县） 与 甲县文旅局（甲县） 在 2022 年都有预算执行数据" in problem.message
    _assert_tables_equal(before, _tables(db))
    assert db.data_version() == version


@pytest.mark.parametrize("map_text, row, column, words", [
    ("原单位名称,单位名称\n县教育局,县教育和体育局\n", 2, "原单位名称", "「县教育局」不止一个单位：乙县、甲县。请填写地区或单位编码"),
    ("原单位名称,原地区,单位名称,地区\n没有的局,甲县,也没有的局,甲县\n", 2, "原单位名称", "库中既没有 没有的局（甲县） 也没有 也没有的局（甲县） 的数据"),
    ("原单位名称,原地区,单位名称,地区\n县教育局,甲县,县教育局,甲县\n", 2, "单位名称", "原单位与现单位是同一个单位"),
    ("原单位名称,原地区,单位名称,地区\n县教育局,甲县,县体育局,甲县\n县教育局,甲县,县文化局,甲县\n", 3, "原单位名称", "在表中出现了不止一次"),
    ("原单位名称,原地区,单位名称,地区\n,,县体育局,甲县\n", 2, "原单位名称", "没有填写原单位名称或原单位编码"),
    ("原单位名称,原地区,单位名称,地区\n县教育局,甲县,,\n", 2, "单位名称", "没有填写现单位名称或单位编码"),
])
def test_a_map_that_cannot_be_joined_names_the_row_and_changes_nothing(db, map_text, row, column, words):
    _seed(db, "2021,,县教育局,甲县,县级,100,90\n2021,,县教育局,乙县,县级,100,90\n2022,,县体育局,甲县,县级,100,90\n")
    before = _tables(db)
    with pytest.raises(ImportRefused) as refused:
        ingest.import_files(db, [("对照.csv", map_text.encode())], imported_by="测试")
    found = [(p.row, p.column) for p in refused.value.problems]
    assert (row, column) in found
    assert any(words in p.message for p in refused.value.problems), [p.message for p in refused.value.problems]
    _assert_tables_equal(before, _tables(db))


def test_an_old_name_mapped_elsewhere_is_refused_and_the_same_map_again_changes_nothing(db):
    _seed(db, "2021,,老局,甲县,县级,100,90\n2022,,新局,甲县,县级,100,90\n2022,,另一局,甲县,县级,100,90\n")
    text = "原单位名称,原地区,单位名称,地区\n老局,甲县,新局,甲县\n"
    [first] = ingest.import_files(db, [("对照.csv", text.encode())], imported_by="测试")
    [again] = ingest.import_files(db, [("对照.csv", text.encode())], imported_by="测试")
    assert (again.batch_id, again.inserted, again.updated, again.unchanged) == (None, 0, 0, 1)
    with pytest.raises(ImportRefused) as refused:
        ingest.import_files(db, [("改.csv", "原单位名称,原地区,单位名称,地区\n老局,甲县,另一局,甲县\n".encode())],
                            imported_by="测试")
    assert f"已按批次 {first.batch_id} 的单位对照归入其他单位" in refused.value.problems[0].message


def test_the_import_that_wrote_moved_rows_rolls_back_only_after_the_map(db):
    _seed(db, "2021,,老局,甲县,县级,100,90\n2022,,新局,甲县,县级,100,90\n")
    [result] = ingest.import_files(db, [("对照.csv", "原单位名称,原地区,单位名称,地区\n老局,甲县,新局,甲县\n".encode())],
                                   imported_by="测试")
    with pytest.raises(ingest.RollbackRefused, match=f"请先回滚批次 {result.batch_id}"):
        ingest.rollback(db, 1)


def test_a_map_in_a_workbook_under_a_title_is_read_with_its_rows_as_excel_numbers_them(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "对照"
    sheet.append(["2023年机构改革单位对照表"])
    sheet.append([])
    sheet.append(["序号", "原单位名称", "原单位编码", "现单位名称", "现单位编码"])
    sheet.append([1, "县文化局", 1234, "县文化广电和旅游局", "009001"])
    sheet.append([2, "县旅游局", None, "县文化广电和旅游局", "009001"])
    buffer = io.BytesIO()
    book.save(buffer)
    [parsed] = ingest.parse_all([("机构改革对照.xlsx", buffer.getvalue())])
    assert parsed.kind == "unit_map" and parsed.file_name == "机构改革对照.xlsx" and parsed.sheets == ["对照"]
    assert parsed.frame[["source_row", "old_name", "old_code", "unit_code"]].astype(object).where(
        parsed.frame.notna(), None).values.tolist() == [[4, "县文化局", "1234", "009001"], [5, "县旅游局", None, "009001"]]


def test_a_budget_file_is_never_taken_for_a_map():
    budget = "年度,单位名称,调整后预算数,实际支出数\n2023,县文化局,100,90\n".encode()
    assert unit_map.read(budget, "b.csv") is None
    [parsed] = ingest.parse_all([("b.csv", budget)])
    assert parsed.kind == "budget"


def test_an_old_name_given_alone_means_the_old_unit_not_the_unit_it_joined(db):
    """Moved rows keep the name they were filed under, so 「老局」 alone could be taken for the unit
    it joined: the map means the old unit, and a second home for it is refused."""
    _seed(db, "2021,,老局,甲县,县级,100,90\n2022,,新局,甲县,县级,100,90\n")
    [first] = ingest.import_files(db, [("对照.csv", "原单位名称,原地区,单位名称,地区\n老局,甲县,新局,甲县\n".encode())],
                                  imported_by="测试")
    before = _tables(db)
    with pytest.raises(ImportRefused) as refused:
        ingest.import_files(db, [("改.csv", "原单位名称,单位名称,地区\n老局,别的局,乙县\n".encode())], imported_by="测试")
    assert [p.message for p in refused.value.problems] == [
        f"老局 已按批次 {first.batch_id} 的单位对照归入其他单位；如需改动，请先回滚该批次"]
    with pytest.raises(ImportRefused) as refused:
        ingest.import_files(db, [("新.csv", "原单位名称,单位名称\n新局,没有地区的局\n".encode())], imported_by="测试")
    assert [p.message for p in refused.value.problems] == [
        "库中没有 没有地区的局 的数据：归入一个新单位时请填写它的地区或单位编码"]
    _assert_tables_equal(before, _tables(db))
