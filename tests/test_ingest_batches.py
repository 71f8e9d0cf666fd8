"""Import batches: idempotent re-import, replace-on-correction, exact rollback, history, scale."""
from __future__ import annotations

import hashlib
import json
import sys
import time
from decimal import Decimal
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from ingest_cases import (  # noqa: E402
    BUDGET_HEADER, BUDGET_ROWS, PROJECTS_HEADER, PROJECTS_ROWS, SCORES_HEADER, SCORES_ROWS,
    budget_csv, csv_bytes, dump, run_cli,
)
from perfdash import ingest  # noqa: E402
from perfdash.derive import open_current  # noqa: E402

COL = {h: i for i, h in enumerate(BUDGET_HEADER)}
FACT_TABLES = ["budget", "budget_replaced", "score", "score_replaced", "project", "project_replaced",
               "unit_year_rate"]


@pytest.fixture
def db(tmp_path):
    database = open_current(tmp_path / "perfdash.duckdb")
    yield database
    database.close()


def corrected(changes) -> bytes:
    rows = [r[:] for r in BUDGET_ROWS]
    for (i, header), value in changes.items():
        rows[i][COL[header]] = value
    return budget_csv(rows)


def facts(tables):
    return {name: tables[name] for name in FACT_TABLES}


def batch_count(db) -> int:
    return db.con.execute("SELECT count(*) FROM import_batch").fetchall()[0][0]


def rate(db, unit_name, year=2023, metric="execution_rate"):
    frame = db.query("rates/unit_rates", year=year, region=None, level=None, sector=None)
    return frame.loc[frame["unit_name"] == unit_name, metric].item()


def test_reimporting_an_identical_file_changes_nothing(db):
    data = budget_csv()
    [first] = ingest.import_files(db, [("预算.csv", data)])
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    assert first.batch_id is not None
    before, version, batches = dump(db), db.data_version(), batch_count(db)

    # Same figures in another shape (GBK, 元 would differ) — still the same rows.
    for name, again in [("预算.csv", data), ("预算副本.csv", budget_csv(encoding="gbk"))]:
        [result] = ingest.import_files(db, [(name, again)])
        assert (result.inserted, result.updated, result.unchanged) == (0, 0, 5)
        assert result.batch_id is None
        assert not result.changed
        assert batch_count(db) == batches
        assert db.data_version() == version
        assert dump(db) == before


def test_a_corrected_figure_replaces_the_row(db):
    ingest.import_files(db, [("预算.csv", budget_csv())])
    assert rate(db, "郑州市教育局") == pytest.approx(14200.75 / 16001.5)
    version = db.data_version()

    [result] = ingest.import_files(db, [("预算更正.csv", corrected({(1, "实际支出数"): "15000"}))])
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 4)
    assert result.batch_id is not None
    assert db.data_version() == version + 1
    stored = db.con.execute(
        "SELECT actual_spend, batch_id FROM budget WHERE unit_name = '郑州市教育局'").fetchall()
    assert stored == [(Decimal("15000"), result.batch_id)]
    assert db.con.execute("SELECT count(*) FROM budget").fetchall()[0][0] == 5
    assert rate(db, "郑州市教育局") == pytest.approx(15000 / 16001.5)
    assert rate(db, "郑州市财政局") == pytest.approx(2575.12 / 2942.044848)
    replaced = db.con.execute("SELECT unit_name, actual_spend, replaced_by FROM budget_replaced").fetchall()
    assert replaced == [("郑州市教育局", Decimal("14200.75"), result.batch_id)]


def test_a_blanked_figure_counts_as_a_change(db):
    ingest.import_files(db, [("预算.csv", budget_csv())])
    [result] = ingest.import_files(db, [("预算.csv", corrected({(0, "结转结余"): ""}))])
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 4)
    assert db.con.execute(
        "SELECT carryover FROM budget WHERE unit_name = '郑州市财政局'").fetchall() == [(None,)]
    assert pd.isna(rate(db, "郑州市财政局", metric="carryover_rate"))


def test_a_file_without_some_columns_keeps_their_stored_values(db):
    """A blank cell clears a figure; a column the file does not have at all leaves it alone."""
    ingest.import_files(db, [("预算.csv", budget_csv())])
    keep = [h for h in BUDGET_HEADER if h not in ("三公经费预算数", "三公经费实际数", "自评得分", "评价等级", "地区")]
    rows = [[row[COL[h]] for h in keep] for row in BUDGET_ROWS]
    rows[0][keep.index("实际支出数")] = "2600"
    before = db.con.execute("SELECT * EXCLUDE (batch_id, actual_spend) FROM budget ORDER BY ALL").fetchall()
    [result] = ingest.import_files(db, [("预算（无三公）.csv", csv_bytes(keep, rows))])
    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 4)
    assert db.con.execute("SELECT * EXCLUDE (batch_id, actual_spend) FROM budget ORDER BY ALL").fetchall() == before
    assert db.con.execute(
        "SELECT actual_spend, sangong_actual, grade FROM budget WHERE unit_name = '郑州市财政局'"
    ).fetchall() == [(Decimal("2600"), Decimal("11.3"), "优")]
    projects = [r[:4] + r[5:] for r in PROJECTS_ROWS]
    ingest.import_files(db, [("项目.csv", csv_bytes(PROJECTS_HEADER, PROJECTS_ROWS))])
    [result] = ingest.import_files(db, [("项目无类别.csv", csv_bytes(PROJECTS_HEADER[:4] + PROJECTS_HEADER[5:], projects))])
    assert (result.inserted, result.updated, result.unchanged) == (0, 0, 3)


def test_rollback_restores_the_exact_prior_state(db):
    ingest.import_files(db, [("预算.csv", budget_csv()),
                             ("得分.csv", csv_bytes(SCORES_HEADER, SCORES_ROWS)),
                             ("项目.csv", csv_bytes(PROJECTS_HEADER, PROJECTS_ROWS))])
    before = dump(db)
    scores = [r[:] for r in SCORES_ROWS]
    scores[1][5] = "25"
    projects = [r[:] for r in PROJECTS_ROWS] + [["2023", "101002", "郑州市教育局", "新项目", "", "10", "1"]]
    projects[0][6] = "500"
    results = ingest.import_files(db, [
        ("预算更正.csv", corrected({(1, "实际支出数"): "15000", (0, "评价等级"): "良", (2, "调整后预算数"): "900"})),
        ("得分更正.csv", csv_bytes(SCORES_HEADER, scores)),
        ("项目更正.csv", csv_bytes(PROJECTS_HEADER, projects)),
    ])
    assert [(r.inserted, r.updated, r.unchanged) for r in results] == [(0, 3, 2), (0, 1, 3), (1, 1, 2)]
    assert dump(db) != before
    version = db.data_version()

    for result in reversed(results):
        ingest.rollback(db, result.batch_id)
    after = dump(db)
    assert facts(after) == facts(before)
    assert after["budget_replaced"] == [] and after["score_replaced"] == [] and after["project_replaced"] == []
    assert db.data_version() == version + 3
    statuses = dict(db.con.execute("SELECT batch_id, status FROM import_batch").fetchall())
    assert {statuses[r.batch_id] for r in results} == {"rolled_back"}
    assert list(statuses.values()).count("active") == 3
    assert rate(db, "郑州市教育局") == pytest.approx(14200.75 / 16001.5)


def test_rollback_of_an_insert_only_batch_removes_its_rows(db):
    ingest.import_files(db, [("预算.csv", budget_csv())])
    before = dump(db)
    new_year = [["2022", *row[1:]] for row in BUDGET_ROWS]
    [result] = ingest.import_files(db, [("2022.csv", budget_csv(new_year))])
    assert (result.inserted, result.updated, result.unchanged) == (5, 0, 0)
    assert db.con.execute("SELECT count(*) FROM budget").fetchall()[0][0] == 10

    ingest.rollback(db, result.batch_id)
    assert db.con.execute("SELECT count(*) FROM budget WHERE year = 2022").fetchall()[0][0] == 0
    assert facts(dump(db)) == facts(before)
    with pytest.raises(ingest.RollbackRefused, match="已经回滚"):
        ingest.rollback(db, result.batch_id)
    with pytest.raises(ingest.RollbackRefused, match="没有编号为 999"):
        ingest.rollback(db, 999)


def test_out_of_order_rollback_is_refused_until_the_later_batch_is_rolled_back(db, tmp_path):
    [first] = ingest.import_files(db, [("预算.csv", budget_csv())])
    [second] = ingest.import_files(db, [("预算更正.csv", corrected({(3, "实际支出数"): "41000"}))])
    [third] = ingest.import_files(db, [("其他.csv", budget_csv([["2023", "201001", "新单位", "", "", "1", "", "1",
                                                                 "", "", "", "", ""]]))])
    before = dump(db)
    with pytest.raises(ingest.RollbackRefused) as refused:
        ingest.rollback(db, first.batch_id)
    assert f"批次 {second.batch_id}" in str(refused.value)
    assert f"批次 {third.batch_id}" not in str(refused.value)
    assert dump(db) == before

    db.close()
    result = run_cli("rollback", first.batch_id, "--db", db.path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"批次 {second.batch_id}" in result.stderr
    result = run_cli("rollback", second.batch_id, "--db", db.path)
    assert result.returncode == 0, result.stderr
    result = run_cli("rollback", first.batch_id, "--db", db.path)
    assert result.returncode == 0, result.stderr

    reopened = open_current(db.path)
    try:
        names = reopened.con.execute("SELECT unit_name FROM budget").fetchall()
        assert names == [("新单位",)]
        assert reopened.con.execute("SELECT count(*) FROM budget_replaced").fetchall()[0][0] == 0
    finally:
        reopened.close()


def test_two_files_of_one_command_touching_the_same_row(db):
    """The second file replaces what the first wrote; rolling back in order restores both."""
    before = dump(db)
    first, second = ingest.import_files(db, [("a.csv", budget_csv()),
                                             ("b.csv", corrected({(0, "实际支出数"): "1"}))])
    assert (first.inserted, second.updated, second.unchanged) == (5, 1, 4)
    with pytest.raises(ingest.RollbackRefused, match=f"批次 {second.batch_id}"):
        ingest.rollback(db, first.batch_id)
    ingest.rollback(db, second.batch_id)
    assert db.con.execute(
        "SELECT actual_spend FROM budget WHERE unit_name = '郑州市财政局'").fetchall() == [(Decimal("2575.12"),)]
    ingest.rollback(db, first.batch_id)
    assert facts(dump(db)) == facts(before)


def test_preview_counts_changes_and_writes_nothing(db):
    ingest.import_files(db, [("预算.csv", budget_csv())])
    before = dump(db)
    parsed = ingest.parse_file(corrected({(1, "实际支出数"): "15000"}), "预算更正.csv")
    counts, changes = ingest.preview(db, parsed)
    assert counts == (0, 1, 4)
    assert changes["unit_name"].tolist() == ["郑州市教育局"]
    assert changes["old_actual_spend"].tolist() == [Decimal("14200.75")]
    assert dump(db) == before


def test_history_json_via_the_cli(db, tmp_path):
    first_bytes = budget_csv()
    second_bytes = corrected({(1, "实际支出数"): "15000"})
    (tmp_path / "预算.csv").write_bytes(first_bytes)
    (tmp_path / "预算更正.csv").write_bytes(second_bytes)
    db.close()
    path = db.path
    outputs = []
    for name in ("预算.csv", "预算.csv", "预算更正.csv"):
        result = run_cli("import", tmp_path / name, "--db", path)
        assert result.returncode == 0, result.stderr
        outputs.append(result.stdout)
    assert "批次 1" in outputs[0]
    assert "新增 0 行，更新 0 行，未变 5 行" in outputs[1] and "无变化" in outputs[1]
    assert "批次 2" in outputs[2]
    assert run_cli("rollback", "2", "--db", path).returncode == 0

    result = run_cli("history", "--format", "json", "--db", path)
    assert result.returncode == 0, result.stderr
    history = json.loads(result.stdout)
    assert len(history) == 2                       # the identical re-imports recorded no batch
    keys = {"batch_id", "file_name", "sha256", "kind", "rows_inserted", "rows_updated",
            "rows_unchanged", "imported_at", "status"}
    assert all(set(item) == keys for item in history)
    by_id = {item["batch_id"]: item for item in history}
    assert by_id[1]["file_name"] == "预算.csv"
    assert by_id[1]["sha256"] == hashlib.sha256(first_bytes).hexdigest()
    assert (by_id[1]["rows_inserted"], by_id[1]["rows_updated"], by_id[1]["rows_unchanged"]) == (5, 0, 0)
    assert by_id[1]["status"] == "active"
    assert by_id[1]["kind"] == "budget"
    assert by_id[2]["sha256"] == hashlib.sha256(second_bytes).hexdigest()
    assert (by_id[2]["rows_inserted"], by_id[2]["rows_updated"], by_id[2]["rows_unchanged"]) == (0, 1, 4)
    assert by_id[2]["status"] == "rolled_back"
    assert isinstance(by_id[2]["imported_at"], str) and by_id[2]["imported_at"][:2] == "20"


def big_budget_csv(n: int) -> bytes:
    rng = np.random.default_rng(20231)
    ids = np.arange(n)
    units = (ids // 5).astype(str)
    # 万元, 2 decimals: 100 – 10,000 万元, as departments' budgets are (a median in the 亿s of
    # 万元 would be held by the importer's check for a 元 file read as 万元)
    initial = rng.integers(10_000, 1_000_000, n) / 100
    frame = pd.DataFrame({
        "年度": 2019 + ids % 5,
        "单位编码": np.char.add("U", units),
        "单位名称": np.char.add("单位", units),
        "地区": np.array(["河南省郑州市", "河南省开封市", "河南省"])[ids % 3],
        "层级": np.array(["市级", "县级", "省级"])[ids % 3],
        "年初预算数（元）": initial * 10000,
        "调整后预算数": np.round(initial * rng.uniform(0.9, 1.3, n), 2),
        "实际支出数": np.round(initial * rng.uniform(0.5, 1.0, n), 2),
        "结转结余": np.where(ids % 7 == 0, "", np.round(initial * 0.1, 2).astype(str)),
        "自评得分": rng.integers(60, 100, n),
        "评价等级": np.array(["优", "良好", "中", "差"])[ids % 4],
    })
    return frame.to_csv(index=False).encode("utf-8")


def test_a_200000_row_file_imports_in_seconds(db):
    data = big_budget_csv(200_000)
    start = time.perf_counter()
    parsed = ingest.parse_file(data, "大文件.csv")
    parsed_at = time.perf_counter()
    [result] = ingest.import_parsed(db, [parsed])
    done = time.perf_counter()
    print(f"\n200,000-row file ({len(data) / 1e6:.1f} MB): parse {parsed_at - start:.2f} s, "
          f"write {done - parsed_at:.2f} s, total {done - start:.2f} s")
    assert (result.inserted, result.updated, result.unchanged) == (200_000, 0, 0)
    assert db.con.execute("SELECT count(*), count(DISTINCT unit_key) FROM budget").fetchall() == [(200_000, 40_000)]
    assert db.con.execute("SELECT count(*) FROM unit_year_rate").fetchall()[0][0] == 200_000
    assert db.con.execute("SELECT count(*) FROM budget WHERE carryover IS NULL").fetchall()[0][0] == len(
        range(0, 200_000, 7))
