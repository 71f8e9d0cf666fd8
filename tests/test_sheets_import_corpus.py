"""The whole sheet corpus through ingest.import_files into a real DuckDB file (issue #12):
every accepted file's stored figures are the ones it was written from, to the cent (exactly,
as DECIMAL); every refused file leaves the database's tables exactly as they were and names
the file, the sheet, the Excel row and the column its answer gives."""
from __future__ import annotations

import shutil
import sys
from decimal import Decimal
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import sheet_corpus  # noqa: E402
from ingest_cases import dump, preloaded_database  # noqa: E402
from perfdash import ingest  # noqa: E402
from perfdash.derive import open_current, reconcile  # noqa: E402

CASES = sheet_corpus.cases()
ACCEPTED = [c for c in CASES if c.expect is not None]
REFUSED = [c for c in CASES if c.refuse is not None]
AMOUNTS = set(sheet_corpus.AMOUNTS)


@pytest.fixture(scope="session")
def empty_db_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus_db") / "empty.duckdb"
    open_current(path).close()
    return path


@pytest.fixture(scope="session")
def loaded_db(tmp_path_factory):
    """One database with data in it, for all the refused files (a refusal writes nothing)."""
    db = preloaded_database(tmp_path_factory.mktemp("corpus_refused") / "loaded.duckdb")
    yield db
    db.close()


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_accepted_file_stores_its_figures(case, empty_db_file, tmp_path):
    path = tmp_path / "t.duckdb"
    shutil.copyfile(empty_db_file, path)
    db = open_current(path)
    try:
        # two counties' 县教育局 without codes are two units: every accepted shape imports
        results = ingest.import_files(db, [(case.name, case.data)])
        stored = db.con.execute(
            "SELECT unit_name, region, unit_code, year, initial_budget, adjusted_budget, actual_spend, carryover "
            "FROM budget").fetchall()   # DECIMAL(18,6) as Decimal: exact
    finally:
        db.close()
    columns = ["unit_code", "year", *sheet_corpus.AMOUNTS]
    found = {}
    for name, region, *values in stored:
        key = (name, region, int(values[1]))
        assert key not in found, key
        found[key] = dict(zip(columns, values))
    expected = {}
    for (_sheet, name, region, year), figures in case.expect.items():
        expected[(name, region, int(year))] = figures
    assert set(found) == set(expected) or {(n, None, y) for n, _, y in expected} == set(found), (
        sorted(found), sorted(expected))
    for (name, region, year), figures in expected.items():
        got = found.get((name, region, year)) or found[(name, None, year)]
        for column, value in figures.items():
            if column in AMOUNTS:
                assert got[column] == value, (name, year, column, got[column], value)
            elif column == "unit_code":
                assert got[column] == value, (name, year, got[column], value)
    result, *rate_results = results          # rates printed beside amounts follow as their own batch
    assert [r.kind for r in rate_results] == (["stated_rates"] if result.stated_rates else [])
    rates = [f for f in case.expect.values() if "stated:execution_rate" in f]
    if rates:
        assert result.stated_rates == len(rates)
        assert any("表中所列比率" in line and "一并导入" in line for line in result.details)
        assert rate_results[0].inserted == len(rates)
    for sheet, row, _words in case.skipped_rows:
        assert any(f"第 {row} 行" in line for line in result.details if line.startswith("已跳过")), result.details
    for sheet, _words in case.skipped_sheets:
        assert any(f"「{sheet}」" in line for line in result.details if line.startswith("未读取工作表")), result.details
    if any(f.get(c) is not None for f in case.expect.values() for c in AMOUNTS):
        assert any("金额单位：" in line for line in result.details), result.details


def test_stated_rates_beside_amounts_are_stored_and_reconciled(tmp_path, empty_db_file):
    """A 执行率 column beside the amounts: every value kept as the report printed it (a fraction),
    with where it came from, stored as the report's stated rates and reconciled with ours."""
    cols = ["year", "unit_code", "unit_name", "region", "adjusted_budget", "actual_spend"]
    recs = sheet_corpus.records()
    rows = [[sheet_corpus.HEAD[c] for c in cols] + ["执行率"]]
    rows += [sheet_corpus.body([r], cols)[0] + [f"{r['rate'] * 100:.2f}%"] for r in recs]
    data = sheet_corpus.xlsx([("Sheet1", rows, {})])
    parsed = ingest.parse_file(data, "执行率.xlsx")
    rates = parsed.stated_rates
    assert len(rates) == len(recs)
    expected = {(r["unit_code"], r["year"]): r["rate"] for r in recs}
    for row in rates.itertuples():
        assert row.metric == "execution_rate" and row.label == "执行率"
        assert Decimal(str(row.value)) == expected[(row.unit_code, row.year)]
        assert row.source.startswith("执行率.xlsx · 工作表「Sheet1」 · 第 ") and "G 列「执行率」" in row.source
    path = tmp_path / "t.duckdb"
    shutil.copyfile(empty_db_file, path)
    db = open_current(path)
    try:
        result, rates_result = ingest.import_files(db, [("执行率.xlsx", data)])
        assert result.stated_rates == len(recs)
        assert any(f"表中所列比率 {len(recs)} 个" in line and "一并导入" in line for line in result.details)
        assert (rates_result.kind, rates_result.inserted) == ("stated_rates", len(recs))
        assert rates_result.file_name == "执行率.xlsx（表中所列比率）"
        for year in {r["year"] for r in recs}:
            rows = reconcile.rows(db, int(year))
            # the printed rate is the execution the same row's figures give, to two decimals of a percent
            assert set(rows["verdict"]) == {"match"}, rows[["unit_name", "reported", "recomputed"]]
        stored = db.con.execute("SELECT count(*) FROM stated_rate").fetchall()[0][0]
        assert stored == len(recs)
    finally:
        db.close()


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_refused_file_changes_nothing_and_says_where(case, loaded_db):
    before = dump(loaded_db)
    with pytest.raises(ingest.ImportRefused) as refused:
        ingest.import_files(loaded_db, [(case.name, case.data)])
    assert dump(loaded_db) == before
    problems = refused.value.problems
    for sheet, row, letter, words in case.refuse:
        hits = [p for p in problems if p.row == row and words in p.message
                and (letter is None or (p.column or "").startswith(f"{letter} 列"))
                and (sheet is None or p.file == f"{case.name}（工作表「{sheet}」）")]
        assert hits, (sheet, row, letter, words, refused.value.report())
    for p in problems:
        assert p.file.startswith(case.name)
        text = str(p)
        assert text.startswith(case.name)
        if p.row is not None:
            assert f"第 {p.row} 行" in text
