"""Unit identity (DESIGN §1): a unit without a code is its name within its region; a name two
regions share is refused, not guessed; a change of a stored unit's 地区 / 层级, a code that
differs from a stored one only by its leading zeros, or a new unit whose name is stored only in
another region, is asked, not applied silently; two such codes in one upload are refused."""
from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import pytest  # noqa: E402

import io  # noqa: E402

import openpyxl  # noqa: E402

from ingest_cases import csv_bytes, dump, run_cli  # noqa: E402
from perfdash import ingest  # noqa: E402
from perfdash.derive import open_current  # noqa: E402
from perfdash.errors import NEW_REGION, UnitChangesUnconfirmed  # noqa: E402
from perfdash.ingest.session import Confirm, Stage, UploadSession  # noqa: E402

BUDGET = ["年度", "单位编码", "单位名称", "地区", "层级", "行业", "年初预算数", "调整后预算数", "实际支出数"]
SCORES = ["年度", "单位编码", "单位名称", "一级指标", "分值", "得分"]
PROJECTS = ["年度", "单位编码", "单位名称", "项目名称", "预算数", "实际支出数"]
A, B = "河南省郑州市中牟县", "河南省新乡市原阳县"


@pytest.fixture
def db(tmp_path):
    database = open_current(tmp_path / "perfdash.duckdb")
    yield database
    database.close()


def county_budget(region, adjusted, spend, *, code="", level="县级", year=2023) -> bytes:
    return csv_bytes(BUDGET, [[year, code, "县教育局", region, level, "教育", adjusted, adjusted, spend]])


def budget_rows(db):
    return db.con.execute("SELECT unit_key, unit_code, region, level, adjusted_budget, actual_spend "
                          "FROM budget ORDER BY unit_key, year").fetchall()


def facts(db):
    tables = dump(db)
    return {k: v for k, v in tables.items() if k in (
        "budget", "budget_replaced", "score", "score_replaced", "project", "project_replaced",
        "unit_year_rate", "import_batch")}


def test_two_counties_education_bureaus_in_two_files_are_two_units(db):
    ingest.import_files(db, [("中牟.csv", county_budget(A, 1000, 900))])
    # The second county's is asked about (see below), and confirmed a unit of its own.
    ingest.import_parsed(db, ingest.parse_all([("原阳.csv", county_budget(B, 2000, 1000))]), accept_unit_changes=True)
    assert sorted(budget_rows(db)) == sorted([
        (f"name:{A}|县教育局", None, A, "县级", Decimal("1000.000000"), Decimal("900.000000")),
        (f"name:{B}|县教育局", None, B, "县级", Decimal("2000.000000"), Decimal("1000.000000")),
    ])
    rates = db.query("rates/unit_rates", year=2023, region=None, level=None, sector=None)
    by_region = dict(zip(rates["region"], rates["execution_rate"]))
    assert by_region == {A: pytest.approx(0.9), B: pytest.approx(0.5)}


def test_a_scores_file_naming_a_shared_name_without_region_is_refused_naming_both(db):
    ingest.import_files(db, [("两县.csv", csv_bytes(BUDGET, [
        [2023, "", "县教育局", A, "县级", "教育", 1000, 1000, 900],
        [2023, "", "县教育局", B, "县级", "教育", 2000, 2000, 1000]]))])
    before = dump(db)
    scores = csv_bytes(SCORES, [[2023, "", "县教育局", "决策", 10, 9]])
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(db, [("得分.csv", scores)])
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.column) == ("得分.csv", 2, "单位名称")
    assert A in problem.message and B in problem.message
    assert "地区" in problem.message and "单位编码" in problem.message
    assert dump(db) == before

    # The same rows with a 地区 column go to that county's unit.
    with_region = csv_bytes(SCORES + ["地区"], [[2023, "", "县教育局", "决策", 10, 9, B]])
    ingest.import_files(db, [("得分（含地区）.csv", with_region)])
    assert db.con.execute("SELECT unit_key, score FROM score").fetchall() == [(f"name:{B}|县教育局", Decimal("9.00"))]


def test_one_unit_named_with_and_without_its_region_in_one_file_is_a_duplicate(db):
    ingest.import_files(db, [("中牟.csv", county_budget(A, 1000, 900))])
    scores = csv_bytes(SCORES + ["地区"], [[2023, "", "县教育局", "决策", 10, 9, A],
                                           [2023, "", "县教育局", "决策", 10, 8, ""]])
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(db, [("得分.csv", scores)])
    assert [(p.row, p.message) for p in refused.value.problems] == [(3, "与第 2 行是同一单位的同一行（只能有一行）")]
    assert db.con.execute("SELECT count(*) FROM score").fetchall() == [(0,)]


def test_a_name_one_unit_has_joins_it_from_the_database_or_the_same_upload(db):
    ingest.import_files(db, [("中牟.csv", county_budget(A, 1000, 900))])
    ingest.import_files(db, [("得分.csv", csv_bytes(SCORES, [[2023, "", "县教育局", "决策", 10, 9]]))])
    assert db.con.execute("SELECT unit_key FROM score").fetchall() == [(f"name:{A}|县教育局",)]
    # Same upload: the budget file settles the project file's unit.
    budget = csv_bytes(BUDGET, [[2023, "", "县卫健委", B, "县级", "卫生", 50, 50, 40]])
    projects = csv_bytes(PROJECTS, [[2023, "", "县卫健委", "疫苗冷链", 10, 8]])
    ingest.import_files(db, [("项目.csv", projects), ("预算.csv", budget)])
    assert db.con.execute("SELECT unit_key FROM project").fetchall() == [(f"name:{B}|县卫健委",)]
    # A name no budget unit has keeps the name alone, as before.
    ingest.import_files(db, [("项目2.csv", csv_bytes(PROJECTS, [[2023, "", "某中心", "维护", 5, 5]]))])
    assert (f"name:某中心",) in db.con.execute("SELECT unit_key FROM project").fetchall()


def test_a_budget_file_without_region_updates_the_one_unit_of_that_name(db):
    ingest.import_files(db, [("中牟.csv", county_budget(A, 1000, 900))])
    header = [h for h in BUDGET if h != "地区"]
    [result] = ingest.import_files(db, [("更正.csv", csv_bytes(header, [[2023, "", "县教育局", "县级", "教育", 1000, 1000, 950]]))])
    assert (result.inserted, result.updated) == (0, 1)
    assert budget_rows(db) == [(f"name:{A}|县教育局", None, A, "县级", Decimal("1000.000000"), Decimal("950.000000"))]


def test_a_region_change_is_asked_and_written_only_when_confirmed_and_rolls_back_exactly(db):
    ingest.import_files(db, [("2022.csv", county_budget(A, 1000, 900, code="410122001", year=2022))])
    before = facts(db)
    moved = county_budget(B, 1100, 1000, code="410122001", level="市级", year=2023)
    with pytest.raises(UnitChangesUnconfirmed) as asked:
        ingest.import_files(db, [("2023.csv", moved)])
    questions = sorted((q.unit_key, q.what, q.old, q.new) for q in asked.value.questions)
    assert questions == [("code:410122001", "地区", A, B), ("code:410122001", "层级", "县级", "市级")]
    assert facts(db) == before
    [result] = ingest.import_parsed(db, ingest.parse_all([("2023.csv", moved)]), accept_unit_changes=True)
    assert len(result.unit_changes) == 2
    assert [r[2:4] for r in budget_rows(db)] == [(A, "县级"), (B, "市级")]
    ingest.rollback(db, result.batch_id)
    after = facts(db)
    assert {k: v for k, v in after.items() if k != "import_batch"} == \
        {k: v for k, v in before.items() if k != "import_batch"}


def test_a_blank_level_cell_that_would_clear_a_stored_level_is_asked(db):
    ingest.import_files(db, [("2022.csv", county_budget(A, 1000, 900, code="410122001", year=2022))])
    with pytest.raises(UnitChangesUnconfirmed) as asked:
        ingest.import_files(db, [("2023.csv", county_budget(A, 1000, 900, code="410122001", level=""))])
    assert [(q.what, q.old, q.new) for q in asked.value.questions] == [("层级", "县级", None)]
    assert "由「县级」改为「（空）」" in str(asked.value.questions[0])


def test_the_upload_session_asks_and_needs_the_checkbox(db):
    ingest.import_files(db, [("2022.csv", county_budget(A, 1000, 900, code="410122001", year=2022))])
    session = UploadSession()
    assert session.check([("2023.csv", county_budget(B, 1100, 1000, code="410122001"))]) is Stage.READY
    preview = session.preview(db)
    assert [(q.what, q.old, q.new) for q in preview.questions] == [("地区", A, B)]
    refused = session.confirm(db, "张三")
    assert refused.status is Confirm.UNIT_CHANGES
    assert db.con.execute("SELECT count(*) FROM budget").fetchall() == [(1,)]
    assert session.confirm(db, "张三", accept_unit_changes=True).ok
    assert db.con.execute("SELECT count(*) FROM budget").fetchall() == [(2,)]


def test_the_upload_session_refuses_a_shared_name(db):
    ingest.import_files(db, [("两县.csv", csv_bytes(BUDGET, [
        [2023, "", "县教育局", A, "县级", "教育", 1000, 1000, 900],
        [2023, "", "县教育局", B, "县级", "教育", 2000, 2000, 1000]]))])
    session = UploadSession()
    session.check([("得分.csv", csv_bytes(SCORES, [[2023, "", "县教育局", "决策", 10, 9]]))])
    session.preview(db)
    assert session.stage is Stage.REFUSED
    assert A in session.problems[0].message and B in session.problems[0].message


def test_codes_are_normalised_and_leading_zeros_are_asked(db):
    rows = [[2023, "０ ０１２３４", "某局", A, "县级", "教育", 100, 100, 90]]
    ingest.import_files(db, [("全角.csv", csv_bytes(BUDGET, rows))])
    assert budget_rows(db)[0][:2] == ("code:001234", "001234")
    stripped = csv_bytes(BUDGET, [[2023, "1234", "某局", A, "县级", "教育", 100, 100, 90]])
    with pytest.raises(UnitChangesUnconfirmed) as asked:
        ingest.import_files(db, [("无前导零.csv", stripped)])
    [question] = asked.value.questions
    assert (question.what, question.old, question.new) == ("单位编码", "001234", "1234")
    assert "只差开头的 0" in str(question)
    assert len(budget_rows(db)) == 1
    ingest.import_parsed(db, ingest.parse_all([("无前导零.csv", stripped)]), accept_unit_changes=True)
    assert [r[0] for r in budget_rows(db)] == ["code:001234", "code:1234"]


def test_cli_import_asks_and_exits_1_without_the_flag(tmp_path):
    db_file = tmp_path / "cli.duckdb"
    first, second = tmp_path / "2022.csv", tmp_path / "2023.csv"
    first.write_bytes(county_budget(A, 1000, 900, code="410122001", year=2022))
    second.write_bytes(county_budget(B, 1100, 1000, code="410122001"))
    assert run_cli("import", first, "--db", db_file).returncode == 0
    asked = run_cli("import", second, "--db", db_file)
    assert asked.returncode == 1
    assert f"地区将由「{A}」改为「{B}」" in asked.stderr and "--accept-unit-changes" in asked.stderr
    done = run_cli("import", second, "--db", db_file, "--accept-unit-changes")
    assert done.returncode == 0, done.stderr
    assert "已确认的单位变更" in done.stdout


def test_migration_6_rekeys_name_keyed_rows_and_keeps_rollback_exact(tmp_path):
    path = tmp_path / "old.duckdb"
    db = open_current(path)
    budget = csv_bytes(BUDGET, [[2022, "", "县教育局", A, "县级", "教育", 1000, 1000, 900],
                                [2022, "101", "财政局", A, "县级", "财政", 10, 10, 9]])
    ingest.import_files(db, [("2022.csv", budget)])
    ingest.import_files(db, [("得分.csv", csv_bytes(SCORES, [[2022, "", "县教育局", "决策", 10, 9]]))])
    corrected = csv_bytes(BUDGET, [[2022, "", "县教育局", A, "县级", "教育", 1000, 1000, 950]])
    [fix] = ingest.import_files(db, [("更正.csv", corrected)])
    # Make it a database written before migration 6: the old keys, schema version 5.
    for table in ("budget", "budget_replaced", "score", "score_replaced"):
        db.con.execute(f"UPDATE {table} SET unit_key = 'name:' || unit_name WHERE unit_key LIKE 'name:%'")
    db.con.execute("UPDATE meta SET value = '5' WHERE key = 'schema_version'")
    db.close()

    db = open_current(path)
    key = f"name:{A}|县教育局"
    assert db.con.execute("SELECT unit_key, actual_spend FROM budget ORDER BY unit_key").fetchall() == [
        ("code:101", Decimal("9.000000")), (key, Decimal("950.000000"))]
    assert db.con.execute("SELECT unit_key, actual_spend FROM budget_replaced").fetchall() == [
        (key, Decimal("900.000000"))]
    assert db.con.execute("SELECT unit_key FROM score").fetchall() == [(key,)]
    assert db.con.execute("SELECT DISTINCT unit_key FROM unit_year_rate ORDER BY 1").fetchall() == [
        ("code:101",), (key,)]
    ingest.rollback(db, fix.batch_id)
    assert db.con.execute("SELECT unit_key, actual_spend FROM budget WHERE unit_code IS NULL").fetchall() == [
        (key, Decimal("900.000000"))]
    assert db.con.execute("SELECT count(*) FROM budget_replaced").fetchall() == [(0,)]
    db.close()


# -- a name stored only in another region ---------------------------------------------------


def test_a_name_stored_only_in_another_region_is_asked_then_a_unit_of_its_own(db):
    ingest.import_files(db, [("中牟.csv", county_budget(A, 1000, 900))])
    before = facts(db)
    with pytest.raises(UnitChangesUnconfirmed) as asked:
        ingest.import_files(db, [("原阳.csv", county_budget(B, 2000, 1000, year=2024))])
    [question] = asked.value.questions
    assert (question.file, question.unit_key, question.unit_name, question.what, question.old, question.new) == \
        ("原阳.csv", f"name:{B}|县教育局", "县教育局", NEW_REGION, A, B)
    assert str(question) == (f"原阳.csv：「县教育局」此前只在 {A} 有记录，本次为 {B}：确认后作为 {B} 的新单位导入；"
                             "若是同一单位迁移了地区，请导入后用「单位对照」把原记录归入")
    assert facts(db) == before
    [result] = ingest.import_parsed(db, ingest.parse_all([("原阳.csv", county_budget(B, 2000, 1000, year=2024))]),
                                    accept_unit_changes=True)
    assert result.unit_changes == [question]
    assert sorted(r[:3] for r in budget_rows(db)) == sorted([(f"name:{A}|县教育局", None, A),
                                                             (f"name:{B}|县教育局", None, B)])


def test_not_asked_when_the_upload_names_the_stored_unit_too_or_the_name_has_a_code_there(db):
    ingest.import_files(db, [("中牟.csv", county_budget(A, 1000, 900))])
    both = csv_bytes(BUDGET, [[2024, "", "县教育局", A, "县级", "教育", 1100, 1100, 1000],
                              [2024, "", "县教育局", B, "县级", "教育", 2000, 2000, 1000]])
    [result] = ingest.import_files(db, [("两县.csv", both)])
    assert result.inserted == 2 and result.unit_changes == []
    # Split over two files of one upload, in either order: still not asked.
    c = "河南省开封市兰考县"
    ingest.import_files(db, [("兰考.csv", county_budget(c, 500, 400, year=2025)),
                             ("中牟.csv", county_budget(A, 1200, 1000, year=2025))])
    assert ("name:" + c + "|县教育局",) in db.con.execute("SELECT DISTINCT unit_key FROM budget").fetchall()


def test_every_stored_region_is_named_and_a_region_less_unit_counts(db):
    header = [h for h in BUDGET if h != "地区"]
    ingest.import_files(db, [("无地区.csv", csv_bytes(header, [[2023, "", "县财政局", "县级", "财政", 80, 80, 70]]))])
    ingest.import_parsed(db, ingest.parse_all([("中牟.csv", csv_bytes(BUDGET, [
        [2023, "", "县财政局", A, "县级", "财政", 90, 90, 80]]))]), accept_unit_changes=True)
    with pytest.raises(UnitChangesUnconfirmed) as asked:
        ingest.import_files(db, [("原阳.csv", csv_bytes(BUDGET, [[2023, "", "县财政局", B, "县级", "财政", 60, 60, 50]]))])
    [question] = asked.value.questions
    assert (question.old, question.new) == (f"{A}、（未填地区）", B)


def test_the_upload_session_and_the_cli_ask_about_a_name_in_another_region(db, tmp_path):
    ingest.import_files(db, [("中牟.csv", county_budget(A, 1000, 900))])
    session = UploadSession()
    session.check([("原阳.csv", county_budget(B, 2000, 1000))])
    preview = session.preview(db)
    assert [(q.what, q.old, q.new) for q in preview.questions] == [(NEW_REGION, A, B)]
    assert session.confirm(db, "张三").status is Confirm.UNIT_CHANGES
    assert len(budget_rows(db)) == 1
    path = db.path
    db.close()
    second = tmp_path / "原阳.csv"
    second.write_bytes(county_budget(B, 2000, 1000))
    asked = run_cli("import", second, "--db", path)
    assert asked.returncode == 1
    assert f"「县教育局」此前只在 {A} 有记录，本次为 {B}" in asked.stderr and "--accept-unit-changes" in asked.stderr
    done = run_cli("import", second, "--db", path, "--accept-unit-changes")
    assert done.returncode == 0, done.stderr
    assert "已确认的单位变更" in done.stdout and "单位对照" in done.stdout


# -- two spellings of one code in one upload -----------------------------------------------------


def _workbook(sheets: dict[str, list[list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        sheet.append(["2023年度部门预算执行情况表"])
        sheet.append(BUDGET)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_two_spellings_of_one_code_in_one_upload_are_refused_naming_both_rows(db):
    ingest.import_files(db, [("其他.csv", csv_bytes(BUDGET, [[2023, "777", "其他局", A, "县级", "教育", 1, 1, 1]]))])
    before = dump(db)
    book = _workbook({"2022": [[2022, "555", "某委", A, "县级", "教育", 10, 10, 9]],
                      "2023": [[2023, "555", "某委", A, "县级", "教育", 11, 11, 9],
                               [2023, 1234, "某局", A, "县级", "教育", 100, 100, 90]]})
    text = csv_bytes(BUDGET, [[2024, "001234", "某局", A, "县级", "教育", 100, 100, 90]])
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(db, [("预算.csv", text), ("往年.xlsx", book)])
    [problem] = refused.value.problems
    assert (problem.file, problem.row, problem.column) == ("往年.xlsx（工作表「2023」）", 4, "单位编码")
    assert problem.message.startswith("单位编码「1234」（某局）与 预算.csv 第 2 行的单位编码「001234」（某局）只差开头的 0")
    assert dump(db) == before
    # One file, two rows: the same.
    one = csv_bytes(BUDGET, [[2023, "001234", "某局", A, "县级", "教育", 100, 100, 90],
                             [2024, "1234", "某局", A, "县级", "教育", 100, 100, 90]])
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(db, [("一个文件.csv", one)])
    assert [(p.file, p.row) for p in refused.value.problems] == [("一个文件.csv", 3)]
    assert "一个文件.csv 第 2 行的单位编码「001234」" in refused.value.problems[0].message
    session = UploadSession()
    session.check([("一个文件.csv", one)])
    session.preview(db)
    assert session.stage is Stage.REFUSED and session.problems[0].row == 3
    assert dump(db) == before


def test_two_spellings_one_of_them_stored_are_asked_not_refused(db):
    ingest.import_files(db, [("全角.csv", csv_bytes(BUDGET, [[2023, "001234", "某局", A, "县级", "教育", 100, 100, 90]]))])
    both = csv_bytes(BUDGET, [[2024, "001234", "某局", A, "县级", "教育", 100, 100, 90],
                              [2024, "01234", "某局", A, "县级", "教育", 100, 100, 90]])
    with pytest.raises(UnitChangesUnconfirmed) as asked:
        ingest.import_files(db, [("两种.csv", both)])
    assert [(q.what, q.old, q.new) for q in asked.value.questions] == [("单位编码", "001234", "01234")]
