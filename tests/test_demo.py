"""The seeded demo set (perfdash/demo.py, data/demo/) and the upload templates
(perfdash/templates.py, data/templates/): realistic, deterministic, with exactly the planted
problems it documents, and importable with the real importer and `init --demo`."""
from __future__ import annotations

import contextlib
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfdash import demo, ingest, templates
from perfdash.config import load_config
from perfdash.derive import open_current

ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = ROOT / "data" / "demo"
SEED_DIR = ROOT / "data" / "seed"
TEMPLATE_DIR = ROOT / "data" / "templates"
YEARS = list(range(2018, 2025))
RATE_METRICS = ("execution_rate", "adjustment_rate", "carryover_rate", "sangong_control_rate",
                "procurement_execution_rate")


@pytest.fixture(scope="module")
def frames():
    return demo.generate()


@pytest.fixture(scope="module")
def budget(frames):
    frame = frames["budget"].copy()
    frame["execution"] = frame["实际支出数"] / frame["调整后预算数"].fillna(frame["年初预算数"])
    return frame


@pytest.fixture(scope="module")
def init_demo(tmp_path_factory):
    """`python -m perfdash init --demo` into a fresh file: (exit status, stdout, database)."""
    from perfdash import cli

    path = tmp_path_factory.mktemp("init_demo") / "demo.duckdb"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main(["init", "--demo", "--db", str(path)])
    database = open_current(path)
    yield status, out.getvalue(), database
    database.close()


def all_rates(database) -> pd.DataFrame:
    return pd.concat([database.query("rates/unit_rates", year=y, region=None, level=None, sector=None)
                      for y in YEARS], ignore_index=True)


def all_project_rates(database) -> pd.DataFrame:
    return database.query("rates/project_rates", year=None, region=None, level=None, sector=None)


# -- determinism and the committed files -------------------------------------------------


def test_generate_is_deterministic(frames):
    again = demo.generate()
    for kind in ("budget", "scores", "projects"):
        pd.testing.assert_frame_equal(frames[kind], again[kind])
    other = demo.generate(seed=7)
    assert not other["budget"]["实际支出数"].equals(frames["budget"]["实际支出数"])


def test_committed_demo_csvs_are_the_generator_output(tmp_path):
    written = demo.write_demo_files(tmp_path)
    assert [p.name for p in written] == ["demo_budget.csv", "demo_scores.csv", "demo_projects.csv"]
    for path in written:
        assert path.read_bytes() == (DEMO_DIR / path.name).read_bytes(), (
            f"data/demo/{path.name} is stale: run `python -m perfdash.demo`")


def test_ensure_demo_files_writes_only_when_missing(tmp_path):
    paths = demo.ensure_demo_files(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["demo_budget.csv", "demo_projects.csv",
                                                         "demo_scores.csv"]
    marker = "年度,单位编码,单位名称\n"
    paths[0].write_text(marker, encoding="utf-8")
    demo.ensure_demo_files(tmp_path)                  # all present: nothing rewritten
    assert paths[0].read_text(encoding="utf-8") == marker
    paths[1].unlink()
    demo.ensure_demo_files(tmp_path)                  # one missing: the set is rewritten
    assert paths[1].is_file() and paths[0].read_text(encoding="utf-8") != marker


def test_headers_are_the_importer_labels(frames):
    for kind, frame in frames.items():
        assert list(frame.columns) == demo.labels(kind)
        # the demo leaves out only optional columns (outside scores, 评分类别, 来源, 地区 of scores)
        assert all(not c.required for c in ingest.COLUMNS[kind] if c.label not in demo.labels(kind))


# -- shape of the data -------------------------------------------------------------------


def test_units_levels_regions_sectors_years(budget):
    units = budget.drop_duplicates("单位编码")
    assert len(units) >= 80
    assert set(budget["层级"]) == {"市级", "县级"}
    assert set(budget["地区"]) == {"河南省洛阳市", "河南省开封市", "甘肃省张掖市"}
    assert budget["行业"].nunique() >= 6
    assert sorted(budget["年度"].unique()) == YEARS
    assert budget["单位编码"].str.fullmatch(r"\d{6}").all()
    assert not set(budget["单位名称"]) & demo.SEED_UNIT_NAMES
    # one name per code and year, one code per name
    assert not budget.duplicated(["单位编码", "年度"]).any()
    assert budget.groupby("单位名称")["单位编码"].nunique().max() == 1


def test_history_new_unit_and_rename(budget):
    new = budget[budget["单位编码"] == demo.NEW_UNIT["unit_code"]]
    assert sorted(new["年度"]) == list(range(demo.NEW_UNIT["first_year"], 2025))
    full = budget.groupby("单位编码")["年度"].nunique()
    assert (full == len(YEARS)).sum() == len(full) - 1        # every other unit has all years
    renamed = budget[budget["单位编码"] == demo.RENAMED["unit_code"]]
    names = dict(zip(renamed["年度"], renamed["单位名称"]))
    assert names[demo.RENAMED["year"] - 1] == demo.RENAMED["old_name"]
    assert names[demo.RENAMED["year"]] == demo.RENAMED["new_name"] == names[2024]


def test_amounts_are_realistic(budget):
    amounts = ["年初预算数", "调整后预算数", "实际到位资金", "实际支出数", "结转结余", "三公经费预算数",
               "三公经费实际数", "政府采购预算数", "政府采购实际数"]
    values = budget[amounts].to_numpy()
    assert np.allclose(values, np.round(values, 2))            # 万元, 2 decimals
    assert budget["年初预算数"].between(200, 50000).all()
    assert budget["年初预算数"].max() > 30000 and budget["年初预算数"].min() < 300
    # budgets grow over the years (median growth a few percent)
    by_unit = budget.sort_values("年度").groupby("单位编码")["年初预算数"]
    growth = (by_unit.last() / by_unit.first()) ** (1 / 6) - 1
    assert 0.01 < growth.median() < 0.07
    adjustment = budget["调整后预算数"] / budget["年初预算数"] - 1
    assert (adjustment.abs() <= 0.15 + 1e-4).mean() > 0.98


def test_execution_mostly_between_88_and_99_percent(budget):
    share = budget["execution"].between(0.88, 0.99).mean()
    assert share >= 0.70


def test_self_scores_and_grades_consistent(budget):
    config = load_config()
    scored = budget.dropna(subset=["自评得分"])
    assert len(scored) == len(budget)
    assert scored["自评得分"].between(85, 98.5).mean() >= 0.8
    expected = scored["自评得分"].map(config.grade_for)
    mismatched = scored[expected != scored["评价等级"]]
    assert mismatched.empty, mismatched[["单位名称", "年度", "自评得分", "评价等级"]]


def test_dimension_scores_sum_to_self_score(frames, budget):
    scores = frames["scores"]
    assert (scores["得分"] <= scores["分值"]).all() and (scores["得分"] >= 0).all()
    totals = scores.groupby(["单位编码", "年度"]).agg(score=("得分", "sum"), maximum=("分值", "sum"),
                                                  n=("一级指标", "size"))
    merged = budget.set_index(["单位编码", "年度"]).join(totals, how="left")
    assert (merged["n"] == 4).all() and (merged["maximum"] == 100).all()
    assert np.allclose(merged["score"], merged["自评得分"], atol=0.005)


def test_frameworks_by_province(frames, budget):
    scores = frames["scores"].merge(budget[["单位编码", "年度", "地区"]], on=["单位编码", "年度"])
    henan = scores[scores["地区"].str.startswith("河南")]
    gansu = scores[scores["地区"].str.startswith("甘肃")]
    assert dict(zip(henan["一级指标"], henan["分值"])) == {"预算执行": 10, "投入管理": 30, "产出": 25, "效益": 35}
    assert dict(zip(gansu["一级指标"], gansu["分值"])) == {"决策": 10, "过程": 30, "产出": 30, "效益": 30}


def test_projects_per_unit_year(frames, budget):
    projects = frames["projects"]
    counts = projects.groupby(["单位编码", "年度"]).size()
    assert len(counts) == len(budget)
    assert counts.between(2, 6).all()
    assert projects["项目类别"].notna().all() and projects["项目类别"].nunique() >= 4
    rate = projects["实际支出数"] / projects["预算数"]
    assert rate.between(0.8, 1.0).mean() >= 0.9


# -- planted problems --------------------------------------------------------------------


def test_planted_cases_are_documented():
    assert len(demo.PLANTED) >= 8
    for case in demo.PLANTED:
        assert case.unit_code in demo.__doc__ and str(case.year) in demo.__doc__
    metrics = {case.metric for case in demo.PLANTED}
    assert {"execution_rate", "adjustment_rate", "sangong_control_rate", "carryover_rate",
            "inflation", "project_execution_rate"} <= metrics


@pytest.mark.parametrize("case", demo.PLANTED, ids=lambda c: f"{c.unit_code}-{c.year}-{c.metric}")
def test_planted_case_present_with_claimed_property(init_demo, case):
    _, _, database = init_demo
    if case.metric == "project_execution_rate":
        projects = all_project_rates(database)
        row = projects[(projects["unit_code"] == case.unit_code) & (projects["year"] == case.year)
                       & (projects["project_name"] == case.project_name)]
        assert len(row) == 1
        value = row["project_execution_rate"].iloc[0]
        assert float(row["budget"].iloc[0]) > 0
    else:
        rates = all_rates(database)
        row = rates[(rates["unit_code"] == case.unit_code) & (rates["year"] == case.year)]
        assert len(row) == 1
        metric = "execution_rate" if case.metric == "inflation" else case.metric
        value = row[metric].iloc[0]
        if case.self_score is not None:
            assert row["self_score"].iloc[0] == pytest.approx(case.self_score)
            assert row["grade"].iloc[0] == case.grade
    assert value is not None and not math.isnan(value)
    if case.low is not None:
        assert value >= case.low - 1e-9
    if case.high is not None:
        assert value <= case.high + 1e-9


def test_planted_units_are_normal_in_their_other_years(init_demo):
    _, _, database = init_demo
    rates = all_rates(database)
    for case in demo.PLANTED:
        if case.metric in ("project_execution_rate", "adjustment_rate", "sangong_control_rate"):
            continue
        others = rates[(rates["unit_code"] == case.unit_code) & (rates["year"] != case.year)]
        assert len(others) >= 5
        assert others["execution_rate"].between(0.84, 0.99).all(), case


def test_only_planted_unit_years_trip_high_warnings(init_demo):
    """Background data stays inside the high thresholds: every high warning is planted."""
    _, _, database = init_demo
    thresholds = database.config.thresholds
    rates = all_rates(database)
    rates = rates[rates["unit_code"].notna()]                # the demo units, not the reports'
    # The inflation case is a self-evaluation problem: its rates are only at medium level.
    planted = {(c.unit_code, c.year) for c in demo.PLANTED if c.metric != "inflation"}
    high = set()
    for metric in RATE_METRICS:
        for row in rates.itertuples():
            value = getattr(row, metric)
            if value is not None and not math.isnan(value) and thresholds[metric].severity(value) == "high":
                high.add((row.unit_code, int(row.year)))
    projects = all_project_rates(database)
    projects = projects[projects["unit_code"].notna()]
    for row in projects.itertuples():
        if thresholds["project_execution_rate"].severity(row.project_execution_rate) == "high":
            high.add((row.unit_code, int(row.year)))
    assert high == planted


def test_flagged_units_are_a_modest_share(init_demo):
    _, _, database = init_demo
    thresholds = database.config.thresholds
    rates = all_rates(database)
    rates = rates[rates["unit_code"].notna()]
    projects = all_project_rates(database)
    for year in YEARS:
        year_rates = rates[rates["year"] == year]
        flagged = set()
        for metric in RATE_METRICS:
            for code, value in zip(year_rates["unit_code"], year_rates[metric]):
                if value is not None and not math.isnan(value) and thresholds[metric].severity(value):
                    flagged.add(code)
        year_projects = projects[(projects["year"] == year) & projects["unit_code"].notna()]
        for code, value in zip(year_projects["unit_code"], year_projects["project_execution_rate"]):
            if thresholds["project_execution_rate"].severity(value):
                flagged.add(code)
        assert 1 <= len(flagged) <= 0.10 * len(year_rates), (year, sorted(flagged))


def test_inflation_only_where_planted(budget):
    """优 with execution under 90 % exists only in the planted inflation case."""
    inflated = budget[(budget["评价等级"] == "优") & (budget["execution"] < 0.90)]
    planted = {(c.unit_code, c.year) for c in demo.PLANTED if c.metric == "inflation"}
    assert set(zip(inflated["单位编码"], inflated["年度"])) == planted


# -- init --demo -------------------------------------------------------------------------


def test_init_demo_loads_everything(init_demo, frames):
    status, output, database = init_demo
    assert status == 0
    assert "错误" not in output and "提示" not in output
    cur = database.cursor()
    seed_counts = {"budget": 6, "scores": 12, "projects": 11}
    for kind, table in (("budget", "budget"), ("scores", "score"), ("projects", "project")):
        count = cur.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
        assert count == seed_counts[kind] + len(frames[kind]), kind
    history = database.query("import/history")
    assert len(history) == len(list(SEED_DIR.glob("*.csv"))) + 3
    assert (history["status"] == "active").all()
    assert (history["rows_updated"] == 0).all()


def test_init_demo_again_changes_nothing(init_demo):
    from perfdash import cli

    _, _, database = init_demo
    before = len(database.query("import/history"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["init", "--demo", "--db", str(database.path)]) == 0
    assert out.getvalue().count("新增 0 行，更新 0 行") == len(list(SEED_DIR.glob("*.csv"))) + 3
    assert len(database.query("import/history")) == before


# -- templates ---------------------------------------------------------------------------

TEMPLATE_KINDS = {"预算执行数据模板": "budget", "一级指标得分模板": "scores", "项目支出数据模板": "projects",
                  "报告所列比率模板": "stated_rates"}


def test_templates_are_committed_and_current(tmp_path):
    written = templates.write_templates(tmp_path)
    names = [*TEMPLATE_KINDS, "单位对照模板"]
    assert sorted(p.name for p in written) == sorted(f"{n}{s}" for n in names for s in (".csv", ".xlsx"))
    for path in written:
        assert path.read_bytes() == (TEMPLATE_DIR / path.name).read_bytes(), (
            f"data/templates/{path.name} is stale: run `python -m perfdash.templates`")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("name", list(TEMPLATE_KINDS))
def test_template_round_trip(tmp_path, name, suffix):
    kind = TEMPLATE_KINDS[name]
    path = TEMPLATE_DIR / f"{name}{suffix}"
    data = path.read_bytes()
    if suffix == ".csv":
        assert data.startswith(b"\xef\xbb\xbf")                   # UTF-8 with BOM for Excel
    rows = ingest.read_rows(data, path.name, ingest.Limits())
    assert rows[0] == [c.label for c in ingest.COLUMNS[kind] if c.template]   # every header, canonical
    assert len([r for r in rows[1:] if any(str(c).strip() for c in r)]) == 1

    database = open_current(tmp_path / "t.duckdb")
    try:
        results = ingest.import_files(database, ingest.read_files([path]))
        assert [(r.kind, r.inserted, r.updated, r.warnings) for r in results] == [(kind, 1, 0, [])]
        table = {"budget": "budget", "scores": "score", "projects": "project", "stated_rates": "stated_rate"}[kind]
        stored = database.cursor().execute(f"SELECT * FROM {table}").df().iloc[0]  # noqa: S608
        sources = database.cursor().execute("SELECT source FROM figure_source").fetchall()
    finally:
        database.close()
    example = templates.EXAMPLES[kind]
    for column in (c for c in ingest.COLUMNS[kind] if c.template):
        expected = example[column.label]
        if column.id == "source" and kind != "stated_rates":
            assert sources == [(expected,)]            # provenance is kept beside the figures
            continue
        got = stored["label" if column.id == "metric" else column.id]
        if column.type == "rate":                      # printed with its % sign, stored as a fraction
            assert float(got) == pytest.approx(float(expected.rstrip("%")) / 100), column.label
        elif isinstance(expected, (int, float)) and column.type != "int":
            assert float(got) == pytest.approx(expected), column.label
        else:
            assert str(got) == str(expected), column.label


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_unit_map_template_joins_its_example_units(tmp_path, suffix):
    """The 单位对照 template's example: 示例县文化局 (no code) is now 示例县文化广电和旅游局 (999902)."""
    example = templates.EXAMPLES["unit_map"]
    path = TEMPLATE_DIR / f"单位对照模板{suffix}"
    if suffix == ".csv":
        assert ingest.read_rows(path.read_bytes(), path.name, ingest.Limits())[0] == list(example)
    history = (f"年度,单位编码,单位名称,地区,调整后预算数,实际支出数\n"
               f"2023,,{example['原单位名称']},{example['原地区']},100,80\n"
               f"2024,{example['单位编码']},{example['单位名称']},{example['地区']},100,90\n")
    database = open_current(tmp_path / "t.duckdb")
    try:
        ingest.import_files(database, [("历年.csv", history.encode())])
        [result] = ingest.import_files(database, ingest.read_files([path]))
        assert (result.kind, result.inserted, result.updated) == ("unit_map", 1, 1)
        stored = database.cursor().execute("SELECT year, unit_key, unit_name FROM budget ORDER BY year").fetchall()
    finally:
        database.close()
    assert stored == [(2023, "code:999902", example["原单位名称"]), (2024, "code:999902", example["单位名称"])]


def test_template_example_rows_are_self_consistent():
    b = templates.EXAMPLES["budget"]
    assert load_config().grade_for(b["自评得分"]) == b["评价等级"]
    assert b["实际支出数"] <= b["调整后预算数"]
    assert templates.EXAMPLES["scores"]["得分"] <= templates.EXAMPLES["scores"]["分值"]
