"""The four real reports' figures (data/seed/), imported with the real importer into a real
DuckDB file, give the rates the reports themselves state — or, where a report uses another
denominator, the national 口径's rate, and the report's rate once the configuration names the
report's denominator. Sources of every figure: data/seed/README.md.
"""
from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest

from perfdash import ingest
from perfdash.config import DEFAULT_CONFIG_PATH, load_config
from perfdash.derive import open_current

SEED_DIR = Path(__file__).resolve().parent.parent / "data" / "seed"
SEED_FILES = sorted(SEED_DIR.glob("*.csv"))

ZHENGZHOU = "郑州市政务服务办公室"
XINZHENG = "新郑市政务服务和大数据管理局"
PINGDINGSHAN = "平顶山市政务服务和大数据管理局"
GANZHOU = "甘州区政务服务管理局"

TOL = 5e-5


def _load(path: Path, config=None):
    db = open_current(path, config=config)
    ingest.import_files(db, ingest.read_files(SEED_FILES))
    return db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    database = _load(tmp_path_factory.mktemp("seed") / "t.duckdb")
    yield database
    database.close()


@pytest.fixture(scope="module")
def report_db(tmp_path_factory):
    """The same figures under the denominators 新郑's report uses (到位资金, 实际支出数)."""
    folder = tmp_path_factory.mktemp("report_config")
    text = DEFAULT_CONFIG_PATH.read_text(encoding="utf-8")
    text = text.replace('execution_rate = "budget"', 'execution_rate = "funds_received"')
    text = text.replace('carryover_rate = "budget"', 'carryover_rate = "actual_spend"')
    config_path = folder / "perfdash.toml"
    config_path.write_text(text, encoding="utf-8")
    config = load_config(config_path)
    assert (config.execution_denominator, config.carryover_denominator) == ("funds_received", "actual_spend")
    database = _load(folder / "t.duckdb", config=config)
    yield database
    database.close()


def unit_rates(database, name: str, year: int) -> dict:
    frame = database.query("rates/unit_rates", year=year, region=None, level=None, sector=None)
    rows = frame[frame["unit_name"] == name]
    assert len(rows) == 1, f"{name} {year}: {len(rows)} rows"
    return rows.iloc[0].to_dict()


def project_rates(database, name: str, year: int) -> dict[str, float]:
    frame = database.query("rates/project_rates", year=year, region=None, level=None, sector=None)
    rows = frame[frame["unit_name"] == name]
    return dict(zip(rows["project_name"], rows["project_execution_rate"]))


def is_null(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# -- the files themselves ----------------------------------------------------------------


def test_seed_files_import_as_expected_kinds():
    parsed = ingest.parse_all(ingest.read_files(SEED_FILES))
    kinds = {p.file_name: p.kind for p in parsed}
    assert kinds == {"01_budget.csv": "budget", "02_budget_ganzhou_yuan.csv": "budget",
                     "03_scores.csv": "scores", "04_projects.csv": "projects",
                     "05_stated_rates.csv": "stated_rates"}
    assert all(not p.warnings for p in parsed), [p.warnings for p in parsed]
    rows = {p.file_name: len(p.frame) for p in parsed}
    assert rows == {"01_budget.csv": 3, "02_budget_ganzhou_yuan.csv": 3, "03_scores.csv": 12,
                    "04_projects.csv": 11, "05_stated_rates.csv": 6}


def test_seed_headers_are_the_canonical_labels():
    for path in SEED_FILES:
        parsed = ingest.parse_file(path.read_bytes(), path.name)
        labels = [c.label for c in ingest.COLUMNS[parsed.kind] if c.template]
        header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
        stripped = [h.removesuffix("（元）") for h in header]
        assert stripped == labels, path.name


def test_every_seed_unit_is_government_service_without_code(db):
    frame = db.cursor().execute(
        "SELECT unit_name, year, unit_code, sector, level, region FROM budget ORDER BY unit_name, year").df()
    assert set(frame["unit_name"]) == {ZHENGZHOU, XINZHENG, PINGDINGSHAN, GANZHOU}
    assert frame["unit_code"].isna().all()
    assert (frame["sector"] == "政务服务").all()
    levels = dict(zip(frame["unit_name"], frame["level"]))
    assert levels == {ZHENGZHOU: "市级", XINZHENG: "县级", PINGDINGSHAN: "市级", GANZHOU: "县级"}
    regions = dict(zip(frame["unit_name"], frame["region"]))
    assert regions[XINZHENG] == "河南省郑州市" and regions[GANZHOU] == "甘肃省张掖市"


# -- 郑州 2022 ----------------------------------------------------------------------------


def test_zhengzhou_2022_rates(db):
    r = unit_rates(db, ZHENGZHOU, 2022)
    assert r["execution_rate"] == pytest.approx(0.8756, abs=TOL)      # report: 87.56 %
    assert r["adjustment_rate"] == pytest.approx(0.2146, abs=TOL)     # (3082.64 − 2538.07) / 2538.07
    assert r["self_score"] == pytest.approx(99.68) and r["grade"] == "优"
    assert is_null(r["carryover_rate"])                                # not given in the report


# -- 平顶山 2022 --------------------------------------------------------------------------


def test_pingdingshan_2022_rates(db):
    r = unit_rates(db, PINGDINGSHAN, 2022)
    assert r["execution_rate"] == pytest.approx(0.5878, abs=TOL)      # report: 58.78 %
    assert r["sangong_control_rate"] == pytest.approx(1.4283, abs=TOL)  # report: 142.83 %
    assert r["adjustment_rate"] > 40                                  # 28014.2 / 650.14 = 4308.9 %
    assert r["adjustment_rate"] == pytest.approx(28014.2 / 650.14, abs=TOL)
    # The report's item ④ says "结余率648.50%". From its own figures the change of the
    # year-end balance is (11815.51 − 1579.29) / 1579.29 = 648.15 % (and 11815.51 / 1579.29 is
    # 748.15 %): the report's 648.50 % matches neither. The dashboard computes 648.15 %.
    assert r["carryover_change_rate"] == pytest.approx(6.48153, abs=TOL)
    assert r["carryover_change_rate"] != pytest.approx(6.4850, abs=TOL)
    assert r["carryover_rate"] == pytest.approx(11815.51 / 28664.34, abs=TOL)  # national 口径: 41.22 %
    assert r["self_score"] == pytest.approx(88) and r["grade"] == "良"


# -- 新郑 2021 ----------------------------------------------------------------------------


def test_xinzheng_2021_national_formula(db):
    r = unit_rates(db, XINZHENG, 2021)
    assert r["execution_rate"] == pytest.approx(0.7696, abs=TOL)      # 1743.22 / 2264.97
    # One approved total (批复的预算总额), no initial budget: the adjustment rate is unknown.
    assert is_null(r["adjustment_rate"])
    assert r["carryover_rate"] == pytest.approx(0.2028, abs=TOL)      # 459.29 / 2264.97
    assert r["funds_arrival_rate"] == pytest.approx(0.9701, abs=TOL)  # 2197.17 / 2264.97


def test_xinzheng_2021_report_denominators(report_db):
    """Why the report says 79.34 % and 26.35 %: it divides by other figures."""
    r = unit_rates(report_db, XINZHENG, 2021)
    assert r["execution_rate"] == pytest.approx(0.7934, abs=TOL)      # 1743.22 / 2197.17 (到位资金)
    assert r["carryover_rate"] == pytest.approx(0.2635, abs=TOL)      # 459.29 / 1743.22 (实际支出)


def test_report_denominators_leave_other_units_without_funds_null(report_db):
    # 郑州 gives no 到位资金: under the funds_received 口径 its execution rate is unknown, not 0.
    assert is_null(unit_rates(report_db, ZHENGZHOU, 2022)["execution_rate"])


def test_xinzheng_2021_carryover_stored_as_given(db):
    value = db.cursor().execute(
        "SELECT carryover, funds_received - actual_spend FROM budget WHERE unit_name = ? AND year = 2021",
        [XINZHENG]).fetchone()
    assert value[0] == Decimal("459.29")          # from the 决算报表
    assert value[1] == Decimal("453.95")          # not what the report's own figures imply


def test_xinzheng_2021_projects(db):
    rates = project_rates(db, XINZHENG, 2021)
    assert set(rates) == {"四级联动升级维护项目", "项目申报政府债务中介咨询费", "信息平台建设项目",
                          "应急管理信息化系统项目"}
    assert rates["四级联动升级维护项目"] == 0                          # report: 预算执行率为0
    assert rates["信息平台建设项目"] == pytest.approx(0.0541, abs=TOL)  # report: 5.41 %
    assert rates["项目申报政府债务中介咨询费"] == pytest.approx(0.3326, abs=TOL)  # report: 33.26 %
    assert rates["应急管理信息化系统项目"] == pytest.approx(0.6044, abs=TOL)     # report: 60.44 %


# -- 甘州 2021–2023 (amounts in 元) -------------------------------------------------------


def test_ganzhou_execution_over_budget(db):
    assert unit_rates(db, GANZHOU, 2021)["execution_rate"] == pytest.approx(2942044.48 / 2769784.37, abs=TOL)
    assert unit_rates(db, GANZHOU, 2021)["execution_rate"] == pytest.approx(1.0622, abs=TOL)
    assert unit_rates(db, GANZHOU, 2022)["execution_rate"] == pytest.approx(1.2441, abs=TOL)
    r2023 = unit_rates(db, GANZHOU, 2023)
    assert is_null(r2023["execution_rate"])       # no 2023 spend in the report
    assert r2023["grade"] == "优" and is_null(r2023["self_score"])   # "优秀" without a score


def test_ganzhou_yuan_amounts_stored_exactly(db):
    rows = db.cursor().execute(
        "SELECT year, initial_budget, adjusted_budget, funds_received, actual_spend, level "
        "FROM budget WHERE unit_name = ? ORDER BY year", [GANZHOU]).fetchall()
    assert rows == [
        (2021, Decimal("276.978437"), None, Decimal("275.418437"), Decimal("294.204448"), "县级"),
        (2022, Decimal("260.850000"), None, Decimal("324.533861"), Decimal("324.533861"), "县级"),
        (2023, Decimal("348.630000"), None, None, None, "县级"),
    ]


def test_ganzhou_2023_projects(db):
    rates = project_rates(db, GANZHOU, 2023)
    assert len(rates) == 7
    assert rates["政务中心办公专项经费"] == pytest.approx(33.297538 / 33.39238, abs=TOL)
    assert rates["“12345”政务服务热线专项经费"] == pytest.approx(0.33 / 7, abs=TOL)
    assert rates["“一件事一次办”试点改革工作经费"] == pytest.approx(16.21 / 21, abs=TOL)
    assert rates["政务服务辅助人员工作专项经费"] == pytest.approx(1.0)
    spent = db.cursor().execute(
        "SELECT actual_spend FROM project WHERE unit_name = ? AND project_name = '政务中心办公专项经费'",
        [GANZHOU]).fetchone()[0]
    assert spent == Decimal("33.297538")          # 10.869055 (the report's "108690.55万元", 元) + 22.428483


# -- first-level scores ------------------------------------------------------------------


def test_dimension_scores_add_up_to_the_total_they_belong_to(db):
    """新郑's four scores belong to the evaluation score 83.69 (a 评价工作组 gave it); the Henan
    units' to their self-scores."""
    frame = db.cursor().execute("""
        SELECT s.unit_name, s.year, any_value(s.score_of) AS score_of, sum(s.score) AS total,
               sum(s.max_score) AS max_total, any_value(b.self_score) AS self_score,
               any_value(b.evaluation_score) AS evaluation_score
        FROM score s JOIN budget b USING (unit_key, year) GROUP BY ALL ORDER BY 1""").df()
    assert set(frame["unit_name"]) == {ZHENGZHOU, XINZHENG, PINGDINGSHAN}
    for row in frame.itertuples():
        total = row.evaluation_score if row.score_of == "评价" else row.self_score
        assert float(row.total) == pytest.approx(float(total), abs=0.005), row.unit_name
    by_unit = frame.set_index("unit_name")
    assert by_unit.loc[XINZHENG, "score_of"] == "评价" and float(by_unit.loc[XINZHENG, "max_total"]) == 100
    assert by_unit.loc[ZHENGZHOU, "score_of"] == "自评" == by_unit.loc[PINGDINGSHAN, "score_of"]


def test_henan_weights_are_left_blank(db):
    """Neither Henan report prints the first-level weights (分值): they are stored blank, not
    filled in from the framework (seed README: decisions revisited)."""
    frame = db.cursor().execute(
        "SELECT unit_name, dimension, max_score, score FROM score WHERE unit_name IN (?, ?)",
        [ZHENGZHOU, PINGDINGSHAN]).df()
    assert frame["max_score"].isna().all()
    scores = {(r.unit_name, r.dimension): float(r.score) for r in frame.itertuples()}
    assert scores[(ZHENGZHOU, "预算执行")] == 9.73 and scores[(ZHENGZHOU, "投入管理")] == 29.95
    assert scores[(PINGDINGSHAN, "预算执行")] == 6 and scores[(PINGDINGSHAN, "效益")] == 33


def test_xinzheng_score_is_an_evaluation_score(db):
    row = db.cursor().execute(
        "SELECT self_score, grade, evaluation_score, evaluation_grade FROM budget WHERE unit_name = ?",
        [XINZHENG]).fetchone()
    assert row == (None, None, Decimal("83.69"), "良")
