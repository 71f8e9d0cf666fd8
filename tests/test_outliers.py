"""Outliers, warnings and the self-evaluation audit (perfdash.outliers).

Three data sets:
* the four real reports (data/seed): what a careful reader of the reports finds;
* a generated set (seeded numpy): 60 clearly normal units per level and year plus one planted
  case of each kind; every planted case is found with the right kind and severity, and no
  normal unit is flagged;
* the demo set (`init --demo`): the planted problems are found and the list stays short.
"""
from __future__ import annotations

import dataclasses
import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfdash import ingest, labels
from perfdash.derive import outliers
from perfdash.derive import rates
from perfdash.cli import main as cli_main
from perfdash.config import load_config
from perfdash.derive import open_current

ROOT = Path(__file__).resolve().parent.parent
SEED_DIR = ROOT / "data" / "seed"

# The reports' figures, used only when data/seed/*.csv is not in the checkout.
SEED_FALLBACK = {
    "01_budget.csv": """年度,单位编码,单位名称,地区,层级,行业,年初预算数,调整后预算数,实际到位资金,实际支出数,结转结余,上年结转结余,三公经费预算数,三公经费实际数,政府采购预算数,政府采购实际数,自评得分,评价等级
2022,,郑州市政务服务办公室,河南省郑州市,市级,政务服务,2538.07,3082.64,,2699.18,,,,,,,99.68,优
2021,,新郑市政务服务和大数据管理局,河南省郑州市,县级,政务服务,,2264.97,2197.17,1743.22,459.29,,,,,,83.69,良
2022,,平顶山市政务服务和大数据管理局,河南省平顶山市,市级,政务服务,650.14,28664.34,,16848.83,11815.51,1579.29,6,8.57,,,88,良
""",
    "02_budget_ganzhou_yuan.csv": """年度,单位编码,单位名称,地区,层级,行业,年初预算数（元）,调整后预算数（元）,实际到位资金（元）,实际支出数（元）,结转结余（元）,上年结转结余（元）,三公经费预算数（元）,三公经费实际数（元）,政府采购预算数（元）,政府采购实际数（元）,自评得分,评价等级
2021,,甘州区政务服务管理局,甘肃省张掖市,区级,政务服务,2769784.37,,2754184.37,2942044.48,,,,,,,,
2022,,甘州区政务服务管理局,甘肃省张掖市,区级,政务服务,2608500.00,,3245338.61,3245338.61,,,,,,,,
""",
    "04_projects.csv": """年度,单位编码,单位名称,项目名称,项目类别,预算数,实际支出数
2021,,新郑市政务服务和大数据管理局,四级联动升级维护项目,信息系统维护建设类,55.79,0
2021,,新郑市政务服务和大数据管理局,项目申报政府债务中介咨询费,信息系统维护建设类,97.4,32.4
2021,,新郑市政务服务和大数据管理局,信息平台建设项目,信息系统维护建设类,107.4,5.81
2021,,新郑市政务服务和大数据管理局,应急管理信息化系统项目,信息系统维护建设类,600,362.66
""",
}

ZHENGZHOU = "郑州市政务服务办公室"
PINGDINGSHAN = "平顶山市政务服务和大数据管理局"
XINZHENG = "新郑市政务服务和大数据管理局"
GANZHOU = "甘州区政务服务管理局"


def _seed_files() -> list[tuple[str, bytes]]:
    files = sorted(SEED_DIR.glob("*.csv"))
    if files:
        return ingest.read_files(files)
    return [(name, text.encode("utf-8")) for name, text in SEED_FALLBACK.items()]


@pytest.fixture(scope="module")
def seed_db(tmp_path_factory):
    db = open_current(tmp_path_factory.mktemp("seed") / "seed.duckdb")
    ingest.import_files(db, _seed_files(), imported_by="test")
    yield db
    db.close()


def one(flags: pd.DataFrame, unit: str, metric: str, kind: str | None = None) -> pd.Series:
    rows = flags[(flags["unit_name"] == unit) & (flags["metric"] == metric)]
    if kind:
        rows = rows[rows["kind"] == kind]
    assert len(rows) == 1, f"expected one {kind or ''} flag {unit}/{metric}, got:\n{rows[['metric', 'kind', 'reason']]}"
    return rows.iloc[0]


def rate_of(db, unit: str, year: int, metric: str) -> float:
    frame = db.query("rates/unit_rates", year=year, region=None, level=None, sector=None)
    return float(frame.loc[frame["unit_name"] == unit, metric].iloc[0])


# -- the four reports ----------------------------------------------------------------------


def test_columns_are_the_cli_contract(seed_db):
    flags = outliers.flags_for_year(seed_db, 2022)
    assert list(flags.columns[: len(outliers.JSON_KEYS)]) == outliers.JSON_KEYS
    assert flags.columns[len(outliers.JSON_KEYS)] == "unit_key"
    assert set(flags["kind"]) <= set(labels.FLAG_KINDS)
    assert set(flags["severity"]) <= set(labels.SEVERITIES)
    ranks = flags["severity"].map({"high": 0, "medium": 1})
    assert ranks.is_monotonic_increasing, "high severity first"
    assert flags["reason"].str.len().gt(8).all()


def test_zhengzhou_2022_graded_excellent_below_its_own_target(seed_db):
    flags = outliers.flags_for_year(seed_db, 2022)
    execution = one(flags, ZHENGZHOU, "execution_rate", "warning")
    assert execution["value"] == pytest.approx(2699.18 / 3082.64)
    assert execution["value"] == pytest.approx(rate_of(seed_db, ZHENGZHOU, 2022, "execution_rate"))
    assert execution["severity"] == "medium"
    assert "87.56%" in execution["reason"] and "90%" in execution["reason"]

    inflation = one(flags, ZHENGZHOU, "self_score", "inflation")
    assert inflation["value"] == pytest.approx(99.68)
    assert inflation["reason"] == "自评 99.68 分（优），但预算执行率 87.56% 未达到 90% 的目标"
    # the adjustment (21.46 %) is under the 30 % line: no warning for it
    assert flags[(flags["unit_name"] == ZHENGZHOU) & (flags["metric"] == "adjustment_rate")].empty


def test_pingdingshan_2022(seed_db):
    flags = outliers.flags_for_year(seed_db, 2022)
    execution = one(flags, PINGDINGSHAN, "execution_rate", "warning")
    assert execution["value"] == pytest.approx(16848.83 / 28664.34)
    assert execution["severity"] == "high"
    assert execution["reason"].startswith("预算执行率 58.78%，低于 60% 的严重预警线（目标 ≥ 90%）")

    adjustment = one(flags, PINGDINGSHAN, "adjustment_rate", "warning")
    assert adjustment["value"] == pytest.approx((28664.34 - 650.14) / 650.14)
    assert adjustment["value"] > 40  # adjusted by over 4000 %
    assert adjustment["severity"] == "high"
    assert "650.14" in adjustment["reason"] and "28,664.34" in adjustment["reason"]

    sangong = one(flags, PINGDINGSHAN, "sangong_control_rate", "warning")
    assert sangong["value"] == pytest.approx(8.57 / 6)
    assert sangong["severity"] == "high"
    assert sangong["reason"] == "“三公经费”控制率 142.83%，超出预算 42.83 个百分点"

    growth = one(flags, PINGDINGSHAN, "carryover_change_rate", "statistical")
    assert growth["value"] == pytest.approx((11815.51 - 1579.29) / 1579.29)
    assert "648.15%" in growth["reason"] and "1,579.29" in growth["reason"]
    assert growth["severity"] == "high"

    carryover = one(flags, PINGDINGSHAN, "carryover_rate", "warning")
    assert carryover["value"] == pytest.approx(11815.51 / 28664.34)
    assert carryover["severity"] == "high"
    # self-graded 良 at 88: below the 优 floor, so not inflation by the 优 rule
    assert flags[(flags["unit_name"] == PINGDINGSHAN) & (flags["kind"] == "inflation")].empty


def test_xinzheng_2021_and_its_projects(seed_db):
    flags = outliers.flags_for_year(seed_db, 2021)
    execution = one(flags, XINZHENG, "execution_rate", "warning")
    assert execution["value"] == pytest.approx(1743.22 / 2264.97)
    assert execution["severity"] == "medium"
    assert execution["reason"] == "预算执行率 76.96%，未达到 90% 的目标"

    projects = flags[(flags["unit_name"] == XINZHENG) & (flags["metric"] == "project_execution_rate")]
    by_name = projects.set_index("project_name")
    assert by_name.loc["四级联动升级维护项目", "severity"] == "high"
    assert by_name.loc["四级联动升级维护项目", "value"] == 0
    assert by_name.loc["四级联动升级维护项目", "reason"] == "项目「四级联动升级维护项目」预算 55.79 万元，全年未支出"
    assert by_name.loc["信息平台建设项目", "severity"] == "medium"
    assert by_name.loc["信息平台建设项目", "value"] == pytest.approx(5.81 / 107.4)
    assert "5.41%" in by_name.loc["信息平台建设项目", "reason"]
    # 32.4 / 97.4 = 33.26 % is under 50 % too; 362.66 / 600 = 60.44 % is not
    assert by_name.loc["项目申报政府债务中介咨询费", "severity"] == "medium"
    assert "应急管理信息化系统项目" not in by_name.index
    assert len(projects) == 3


def test_ganzhou_spent_more_than_its_budget_both_years(seed_db):
    for year, actual, budget in ((2021, 2942044.48, 2769784.37), (2022, 3245338.61, 2608500.00)):
        flags = outliers.flags_for_year(seed_db, year)
        row = one(flags, GANZHOU, "execution_rate", "warning")
        assert row["value"] == pytest.approx(actual / budget)
        assert row["value"] > 1
        assert row["severity"] == "high"
        assert "超出预算" in row["reason"]
    flags_2022 = outliers.flags_for_year(seed_db, 2022)
    assert "324.53 万元超出预算 260.85 万元" in one(flags_2022, GANZHOU, "execution_rate")["reason"]


def test_filters_only_pick_which_units_are_reported(seed_db):
    every = outliers.flags_for_year(seed_db, 2022)
    henan_city = outliers.flags_for_year(seed_db, 2022, region="河南省平顶山市", level="市级")
    assert set(henan_city["unit_name"]) == {PINGDINGSHAN}
    pd.testing.assert_frame_equal(
        henan_city.reset_index(drop=True),
        every[every["unit_name"] == PINGDINGSHAN].reset_index(drop=True))
    assert outliers.flags_for_year(seed_db, 2022, sector="没有这个行业").empty
    assert list(outliers.flags_for_year(seed_db, 1990).columns[:8]) == outliers.JSON_KEYS


def test_cli_json_has_the_contract_keys(seed_db, tmp_path):
    path = tmp_path / "cli.duckdb"
    db = open_current(path)
    ingest.import_files(db, _seed_files(), imported_by="test")
    db.close()
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli_main(["outliers", "--year", "2022", "--db", str(path), "--format", "json"]) == 0
    rows = json.loads(out.getvalue())
    assert rows and all(list(r) == outliers.JSON_KEYS for r in rows)
    expected = outliers.flags_for_year(seed_db, 2022)
    assert len(rows) == len(expected)
    kinds = {(r["unit_name"], r["metric"], r["kind"]) for r in rows}
    assert (ZHENGZHOU, "self_score", "inflation") in kinds
    table = io.StringIO()
    with redirect_stdout(table):
        assert cli_main(["outliers", "--year", "2021", "--db", str(path)]) == 0
    assert "四级联动升级维护项目" in table.getvalue()


# -- a generated set: 60 normal units per level-year plus planted cases ---------------------

YEAR = 2023
PRIOR = YEAR - 1

# name: (level, overrides for YEAR, overrides for PRIOR, expected flags {(metric, kind): severity})
PLANTED = {
    "甲市低执行局": ("县级", {"execution": 0.55, "score": 76.0}, {},
                 {("execution_rate", "warning"): "high"}),
    "甲市欠执行局": ("市级", {"execution": 0.85, "score": 78.0}, {},
                 {("execution_rate", "warning"): "medium"}),
    "甲市超预算局": ("市级", {"execution": 1.06, "score": 78.0}, {},
                 {("execution_rate", "warning"): "high"}),
    "甲市三公超支局": ("市级", {"sangong": 1.20, "score": 78.0}, {},
                  {("sangong_control_rate", "warning"): "high"}),
    "甲市调整预算局": ("市级", {"adjustment": 0.50, "score": 78.0}, {},
                  {("adjustment_rate", "warning"): "medium"}),
    "甲市项目局": ("市级", {"projects": [("零支出项目", 80.0, 0.0), ("慢项目", 100.0, 30.0)], "score": 78.0}, {},
               {("project_execution_rate", "warning"): "high"}),  # plus a medium one, checked below
    "甲市结转偏高局": ("市级", {"carryover": 0.095}, {},
                  {("carryover_rate", "statistical"): "medium"}),
    "甲市执行回升局": ("市级", {"execution": 0.95}, {"execution": 0.70, "score": 78.0},
                  {("execution_rate", "statistical"): "medium"}),
    "甲市结转激增局": ("市级", {"carryover": 0.20, "score": 78.0}, {"carryover": 0.01},
                  {("carryover_rate", "warning"): "medium",
                   ("carryover_change_rate", "statistical"): "high"}),
    "甲市自评优局": ("市级", {"execution": 0.86, "score": 95.0}, {},
                 {("execution_rate", "warning"): "medium", ("self_score", "inflation"): "medium"}),
    "甲市自评虚高局": ("市级", {"execution": 0.75, "score": 96.0}, {},
                  {("execution_rate", "warning"): "medium", ("self_score", "inflation"): "high"}),
    "甲市三公自评局": ("市级", {"sangong": 1.10, "score": 92.0}, {},
                  {("sangong_control_rate", "warning"): "high", ("self_score", "inflation"): "high"}),
    "甲市前列自评局": ("县级", {"execution": 0.86, "score": 89.5}, {},
                  {("execution_rate", "warning"): "medium", ("self_score", "inflation"): "medium"}),
    "甲市等级不符局": ("县级", {"score": 85.0, "grade": "优"}, {},
                  {("self_score", "inflation"): "medium"}),
    # too few 省级 peers (5 < 8): a carryover far from the other four is not compared
    "甲省结转局": ("省级", {"carryover": 0.095}, {}, {}),
}
HEADERS = [c.label for c in ingest.COLUMNS["budget"]]
PROJECT_HEADERS = [c.label for c in ingest.COLUMNS["projects"] if c.template]


def _grade(score: float) -> str:
    return "优" if score >= 90 else "良" if score >= 80 else "中" if score >= 60 else "差"


def _unit_rows(rng, name, level, year, o, code, base):
    budget = round(base * float(rng.uniform(0.98, 1.05)), 2)
    adjustment = o.get("adjustment", float(rng.uniform(0.0, 0.10)))
    initial = round(budget / (1 + adjustment), 2)
    execution = o.get("execution", float(rng.uniform(0.90, 0.98)))
    carryover = o.get("carryover", float(rng.uniform(0.015, 0.025)))
    sangong_budget = round(float(rng.uniform(5, 30)), 2)
    sangong = o.get("sangong", float(rng.uniform(0.80, 0.98)))
    procurement_budget = round(budget * float(rng.uniform(0.05, 0.2)), 2)
    score = o.get("score", round(float(rng.uniform(75, 90)), 2))
    row = [year, code, name, "甲省乙市", level, "综合", initial, budget,
           round(budget * float(rng.uniform(0.97, 1.0)), 2), round(budget * execution, 2),
           round(budget * carryover, 2), None, sangong_budget, round(sangong_budget * sangong, 2),
           procurement_budget, round(procurement_budget * float(rng.uniform(0.92, 1.0)), 2),
           score, o.get("grade", _grade(score))]
    projects = o.get("projects") or [
        (f"常规项目{k}", round(budget * 0.1, 2), None) for k in range(2)]
    project_rows = []
    for project, p_budget, p_actual in projects:
        if p_actual is None:
            p_actual = round(p_budget * float(rng.uniform(0.8, 1.0)), 2)
        project_rows.append([year, code, name, project, "专项业务类", p_budget, p_actual])
    return row, project_rows


def _generated_files() -> list[tuple[str, bytes]]:
    rng = np.random.default_rng(20240611)
    budget_rows, project_rows = [], []
    units = [(f"乙市{level}常规单位{i:02d}", level, {}, {}) for level in ("市级", "县级") for i in range(60)]
    units += [(f"甲省常规单位{i}", "省级", {}, {}) for i in range(4)]
    units += [(name, level, now, before) for name, (level, now, before, _) in PLANTED.items()]
    for serial, (name, level, now, before) in enumerate(units):
        code = f"U{serial:04d}"
        base = float(rng.uniform(800, 5000))
        for year, overrides in ((PRIOR, before), (YEAR, now)):
            row, projects = _unit_rows(rng, name, level, year, overrides, code, base)
            budget_rows.append(row)
            project_rows.extend(projects)
    budget = pd.DataFrame(budget_rows, columns=HEADERS).to_csv(index=False).encode("utf-8")
    projects = pd.DataFrame(project_rows, columns=PROJECT_HEADERS).to_csv(index=False).encode("utf-8")
    return [("generated_budget.csv", budget), ("generated_projects.csv", projects)]


@pytest.fixture(scope="module")
def generated_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("generated") / "generated.duckdb"
    db = open_current(path)
    ingest.import_files(db, _generated_files(), imported_by="test")
    db.close()
    return path


@pytest.fixture(scope="module")
def generated_db(generated_path):
    db = open_current(generated_path, read_only=True)
    yield db
    db.close()


def test_every_planted_case_is_found_with_its_kind_and_severity(generated_db):
    flags = outliers.flags_for_year(generated_db, YEAR)
    print()
    print(flags[["unit_name", "metric", "kind", "severity", "reason"]].to_string())
    for name, (_, _, _, expected) in PLANTED.items():
        mine = flags[flags["unit_name"] == name]
        found = {(m, k): s for m, k, s in zip(mine["metric"], mine["kind"], mine["severity"])
                 if m != "project_execution_rate"}
        wanted = {key: sev for key, sev in expected.items() if key[0] != "project_execution_rate"}
        assert found == wanted, f"{name}: found {found}, wanted {wanted}\n{mine['reason'].tolist()}"
    projects = flags[flags["unit_name"] == "甲市项目局"].set_index("project_name")
    assert projects.loc["零支出项目", "severity"] == "high"
    assert projects.loc["慢项目", "severity"] == "medium"
    assert projects.loc["慢项目", "value"] == pytest.approx(0.30)


def test_no_normal_unit_is_flagged(generated_db):
    for year in (PRIOR, YEAR):
        flags = outliers.flags_for_year(generated_db, year)
        normal = flags[flags["unit_name"].str.contains("常规")]
        assert normal.empty, normal[["unit_name", "metric", "reason"]].to_string()
    # the year before, only the unit planted with 70 % execution that year is flagged
    prior = outliers.flags_for_year(generated_db, PRIOR)
    assert set(prior["unit_name"]) == {"甲市执行回升局"}


def test_sentences_explain_the_statistics(generated_db):
    flags = outliers.flags_for_year(generated_db, YEAR)
    peer = one(flags, "甲市结转偏高局", "carryover_rate")
    median = generated_db.cursor().execute(
        "SELECT median(carryover_rate) FROM unit_year_rate WHERE year = ? AND level = '市级'", [YEAR]
    ).fetchall()[0][0]
    assert peer["peer_median"] == pytest.approx(median)
    assert peer["reason"].startswith("结转结余率 9.50%，明显高于同级单位（市级 ")
    assert f"中位数 {median * 100:.2f}%" in peer["reason"]
    assert peer["robust_z"] >= 3.5

    rebound = one(flags, "甲市执行回升局", "execution_rate")
    assert rebound["reason"] == "预算执行率 95.00%，较上年 70.00% 上升 25.00 个百分点"
    assert rebound["prior_value"] == pytest.approx(0.70)

    # 55 % is also far from the peers: said once, in the warning's sentence
    low = one(flags, "甲市低执行局", "execution_rate")
    assert low["kind"] == "warning"
    assert "同级单位中位数" in low["reason"]

    quarter = one(flags, "甲市前列自评局", "self_score")
    assert "前 25%" in quarter["reason"] and "86.00%" in quarter["reason"]
    grade = one(flags, "甲市等级不符局", "self_score")
    assert grade["reason"] == "自评 85.00 分（优），但评价等级「优」需 ≥ 90 分，自评得分仅 85.00 分"
    sangong = one(flags, "甲市三公自评局", "self_score")
    control = rate_of(generated_db, "甲市三公自评局", YEAR, "sangong_control_rate")
    assert control == pytest.approx(1.10, abs=0.001)
    assert sangong["reason"] == f"自评 92.00 分（优），但“三公经费”控制率 {control * 100:.2f}% 超支"


def test_the_spread_floor_keeps_a_tight_group_quiet(generated_path, tmp_path):
    """Carryover of the 市级 normal units lies within 1.5–2.5 %; a unit at 4.5 % is 2.5 points above
    the median: with the 1-point floor on the MAD it is not an outlier, without it it is."""
    import shutil

    path = tmp_path / "tight.duckdb"
    shutil.copy(generated_path, path)
    db = open_current(path)
    with db.transaction() as cur:
        cur.execute("UPDATE budget SET carryover = adjusted_budget * 0.045 "
                    "WHERE unit_name = '乙市市级常规单位00' AND year = ?", [YEAR])
        rates.refresh(cur, db)
    assert rate_of(db, "乙市市级常规单位00", YEAR, "carryover_rate") == pytest.approx(0.045)
    flags = outliers.flags_for_year(db, YEAR)
    assert flags[flags["unit_name"] == "乙市市级常规单位00"].empty
    db.close()

    config = load_config()
    rules = dict(config.outliers.peer)
    rules["carryover_rate"] = dataclasses.replace(rules["carryover_rate"], min_spread=0.0)
    no_floor = dataclasses.replace(config, outliers=dataclasses.replace(config.outliers, peer=rules))
    db = open_current(path, read_only=True, config=no_floor)
    flags = outliers.flags_for_year(db, YEAR)
    row = one(flags, "乙市市级常规单位00", "carryover_rate", "statistical")
    assert row["robust_z"] > 3.5
    db.close()


def test_summary_counts(generated_db):
    flags = outliers.flags_for_year(generated_db, YEAR)
    total = len(generated_db.query("rates/unit_rates", year=YEAR, region=None, level=None, sector=None))
    s = outliers.summary(flags, total)
    assert sum(s["by_kind"].values()) == len(flags) == sum(s["by_severity"].values())
    flagged_names = set(flags["unit_name"])
    assert s["units_flagged"] == len(flagged_names) == len(PLANTED) - 1  # 甲省结转局 has too few peers
    assert s["units_total"] == 124 + len(PLANTED)
    shown = outliers.display_frame(flags)
    assert list(shown.columns) == list(outliers.EXPORT_COLUMNS.values())
    assert set(shown["类型"]) == {"预警", "异常", "自评虚高"}


# -- the demo set --------------------------------------------------------------------------


def test_demo_flags_planted_problems_and_keeps_the_list_short(demo_db):
    from perfdash import demo

    years = sorted(demo_db.query("filters/options").query("dimension == 'year'")["value"].astype(int))
    seed_units = set(demo.SEED_UNIT_NAMES)
    planted = {(p.unit_code, p.year) for p in demo.PLANTED}
    print()
    all_flags = []
    for year in years:
        flags = outliers.flags_for_year(demo_db, year)
        total = len(demo_db.query("rates/unit_rates", year=year, region=None, level=None, sector=None))
        s = outliers.summary(flags, total)
        print(f"{year}: {len(flags)} flags, {s['units_flagged']}/{total} units flagged "
              f"({s['share']:.1%}), {s['units_high']} with a high flag; by kind {s['by_kind']}, "
              f"by severity {s['by_severity']}")
        assert s["share"] <= 0.15, f"{year}: {s['share']:.0%} of units flagged is not a short list"
        all_flags.append(flags)
    flags = pd.concat(all_flags, ignore_index=True)

    for p in demo.PLANTED:
        mine = flags[(flags["unit_code"] == p.unit_code) & (flags["year"] == p.year)]
        if p.metric == "inflation":
            row = mine[mine["kind"] == "inflation"]
            assert len(row) == 1 and row["value"].iloc[0] == pytest.approx(p.self_score), p
            assert row["severity"].iloc[0] == "high", row["reason"].iloc[0]  # 70 % is 20 points under target
        elif p.metric == "project_execution_rate":
            row = mine[mine["project_name"] == p.project_name]
            assert len(row) == 1 and row["severity"].iloc[0] == "high" and row["value"].iloc[0] == 0, p
        else:
            row = mine[(mine["metric"] == p.metric) & (mine["kind"] == "warning")]
            assert len(row) == 1 and row["severity"].iloc[0] == "high", (p, mine[["metric", "reason"]])

    # a severe flag always concerns a planted unit-year or one of the four reports' units
    high = flags[flags["severity"] == "high"]
    stray = high[~high["unit_name"].isin(seed_units)
                 & ~pd.Series(list(zip(high["unit_code"], high["year"])), index=high.index).isin(planted)]
    assert stray.empty, stray[["unit_name", "year", "reason"]].to_string()


def test_outlier_settings_come_from_the_config_file(tmp_path):
    from perfdash.config import ConfigError

    text = (ROOT / "perfdash.toml").read_text(encoding="utf-8")
    config = load_config(ROOT / "perfdash.toml")
    assert config.outliers.min_peers == 8 and config.outliers.peer["execution_rate"].min_spread == 0.02
    assert config.outliers.peer["carryover_rate"].direction == "high"

    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('direction = "low"', 'direction = "sideways"', 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="sideways"):
        load_config(bad)
    bad.write_text(text.replace("min_peers = 8", "min_peer = 8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="min_peer"):
        load_config(bad)

    # a province whose file predates [outliers] gets the defaults
    old = tmp_path / "old.toml"
    old.write_text(text[: text.index("[outliers]")], encoding="utf-8")
    assert load_config(old).outliers.robust_z == 3.5


# -- the stored flags (unit_flag) ----------------------------------------------------------


def _all_years(db) -> list[int]:
    return sorted(db.query("filters/options").query("dimension == 'year'")["value"].astype(int))


def _computed(db, year) -> pd.DataFrame:
    return outliers.compute_flags(db.query, db.config, [year])


def test_stored_flags_are_what_the_rules_compute_in_display_order(demo_db):
    for year in _all_years(demo_db):
        pd.testing.assert_frame_equal(outliers.flags_for_year(demo_db, year), _computed(demo_db, year))
    scoped = outliers.flags_for_year(demo_db, 2023, level="县级")
    everything = _computed(demo_db, 2023)
    expected = everything[everything["level"].eq("县级").fillna(False).astype(bool)].reset_index(drop=True)
    assert len(scoped) > 0
    pd.testing.assert_frame_equal(scoped, expected)


def test_an_import_refreshes_the_flags_of_its_year_and_the_next_and_rollback_restores_them(demo_db):
    year = 2021
    before = {y: outliers.flags_for_year(demo_db, y) for y in _all_years(demo_db)}
    quiet = set(before[year]["unit_key"]) | set(before[year + 1]["unit_key"])
    rates_then = demo_db.query("rates/unit_rates", year=year, region=None, level=None, sector=None)
    unit = rates_then[~rates_then["unit_key"].isin(quiet) & rates_then["unit_code"].notna()].iloc[0]
    spend = round(float(unit["budget"]) * 0.5, 2)
    csv = (f"年度,单位编码,单位名称,调整后预算数,实际支出数\n"
           f"{year},{unit['unit_code']},{unit['unit_name']},{float(unit['budget']):.2f},{spend}\n")
    (result,) = ingest.import_files(demo_db, [("更正.csv", csv.encode("utf-8"))], imported_by="test")
    assert result.updated == 1

    now = outliers.flags_for_year(demo_db, year)
    warned = one(now, unit["unit_name"], "execution_rate", "warning")
    assert warned["value"] == pytest.approx(0.5, abs=1e-6) and warned["severity"] == "high"
    # the next year's execution jumps back up by ~45 points: a history flag there
    following = outliers.flags_for_year(demo_db, year + 1)
    jump = one(following, unit["unit_name"], "execution_rate", "statistical")
    assert jump["prior_value"] == pytest.approx(0.5, abs=1e-6) and jump["severity"] == "high"
    for y in (year, year + 1):
        pd.testing.assert_frame_equal(outliers.flags_for_year(demo_db, y), _computed(demo_db, y))
    # other years were not touched
    for y in set(before) - {year, year + 1}:
        pd.testing.assert_frame_equal(outliers.flags_for_year(demo_db, y), before[y])

    ingest.rollback(demo_db, result.batch_id)
    for y, frame in before.items():
        pd.testing.assert_frame_equal(outliers.flags_for_year(demo_db, y), frame)


def test_changed_rules_rebuild_the_stored_flags_on_open(demo_db_path):
    db = open_current(demo_db_path)
    year = 2023
    default_count = len(outliers.flags_for_year(db, year).query("metric == 'execution_rate' and kind == 'warning'"))
    db.close()

    config = load_config()
    strict = dataclasses.replace(config, thresholds={
        **config.thresholds,
        "execution_rate": dataclasses.replace(config.thresholds["execution_rate"], medium_below=0.999)})
    assert strict.flags_fingerprint() != config.flags_fingerprint()
    db = open_current(demo_db_path, config=strict)
    assert db.scalar("db/get_meta", key=outliers.FLAGS_KEY) == strict.flags_fingerprint()
    rates_now = db.query("rates/unit_rates", year=year, region=None, level=None, sector=None)
    stored = outliers.flags_for_year(db, year)
    warned = stored.query("metric == 'execution_rate' and kind == 'warning'")
    assert len(warned) == int((rates_now["execution_rate"] < 0.999).sum()) > default_count
    pd.testing.assert_frame_equal(stored, _computed(db, year))
    db.close()


def test_flags_for_unit_are_its_rows_of_the_year(demo_db, tmp_path):
    everything = outliers.flags_for_year(demo_db, 2022)
    unit_key = everything["unit_key"].value_counts().index[0]     # the unit with most flags
    expected = everything[everything["unit_key"] == unit_key].reset_index(drop=True)
    assert len(expected) >= 1
    pd.testing.assert_frame_equal(outliers.flags_for_unit(demo_db, unit_key, 2022), expected)
    assert outliers.flags_for_unit(demo_db, "name:不存在的单位", 2022).empty


def test_years_computed_together_equal_years_computed_one_by_one(demo_db):
    years = _all_years(demo_db)
    together = outliers.compute_flags(demo_db.query, demo_db.config, years)
    assert set(together["year"]) == set(years)
    for year in years:
        alone = _computed(demo_db, year)
        mine = together[together["year"] == year].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone)


def test_threshold_severity_for_a_column_matches_the_bounds():
    config = load_config()
    execution = config.thresholds["execution_rate"]          # high below 60 %, medium below 90 %
    values = [0.0, 0.5999, 0.6, 0.8999, 0.9, 1.0, None, float("nan")]
    assert list(execution.severities(values)) == ["high", "high", "medium", "medium", None, None, None, None]
    assert [execution.severity(v) for v in values] == list(execution.severities(values))
    sangong = config.thresholds["sangong_control_rate"]
    assert list(sangong.severities([1.0, 1.0001, 1.5])) == [None, "high", "high"]
