"""The long-format rate table unit_year_metric holds exactly what the wide unit_year_rate holds —
on the demo data, after an import that touches one year and after its rollback — and the wording
of every rate comes from the metric registry."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from perfdash import ingest, metrics
from perfdash.config import Config

LONG_METRICS = [*metrics.UNIT_RATE_IDS, "self_score"]
ATTRIBUTES = ["region", "level", "sector"]


def _tables(db) -> tuple[pd.DataFrame, pd.DataFrame]:
    wide = db.con.execute("SELECT * FROM unit_year_rate").df().set_index(["unit_key", "year"]).sort_index()
    long = db.con.execute("SELECT * FROM unit_year_metric").df()
    return wide, long


def assert_long_equals_wide(db) -> pd.DataFrame:
    wide, long = _tables(db)
    assert sorted(long["metric"].unique()) == sorted(LONG_METRICS)
    assert len(long) == len(wide) * len(LONG_METRICS)
    for metric in LONG_METRICS:
        rows = long[long["metric"] == metric].set_index(["unit_key", "year"]).sort_index()
        assert rows.index.equals(wide.index), metric
        # exact: the long table copies the rate, it does not recompute it
        pd.testing.assert_series_equal(rows["value"], wide[metric], check_names=False, check_exact=True)
        for column in ATTRIBUTES:
            pd.testing.assert_series_equal(rows[column], wide[column], check_names=False)
    return long.sort_values(["metric", "unit_key", "year"]).reset_index(drop=True)


def test_the_long_table_equals_the_wide_one_on_the_demo_data(demo_db):
    long = assert_long_equals_wide(demo_db)
    for metric in metrics.UNIT_RATE_IDS:
        assert long.loc[long["metric"] == metric, "value"].notna().any(), metric


def test_the_long_table_is_written_metric_by_metric_in_year_order(demo_db):
    order = demo_db.con.execute("SELECT metric, year FROM unit_year_metric ORDER BY rowid").df()
    blocks = order["metric"].ne(order["metric"].shift()).cumsum()
    assert blocks.max() == len(LONG_METRICS)                      # each metric one block
    assert order.groupby(blocks)["year"].apply(lambda y: y.is_monotonic_increasing).all()


def _row(db, unit_key: str, year: int) -> dict:
    return db.con.execute("SELECT * FROM budget WHERE unit_key = ? AND year = ?", [unit_key, year]).df().iloc[0]


def _budget_file(row, actual_spend: float, carryover: float) -> bytes:
    header = ["年度", "单位编码", "单位名称", "地区", "层级", "行业", "年初预算数", "调整后预算数",
              "实际支出数", "结转结余", "三公经费预算数", "三公经费实际数", "自评得分", "评价等级"]
    def text(v):
        return "" if v is None or pd.isna(v) else str(v)
    values = [row["year"], row["unit_code"], row["unit_name"], row["region"], row["level"], row["sector"],
              row["initial_budget"], row["adjusted_budget"], actual_spend, carryover,
              row["sangong_budget"], row["sangong_actual"], row["self_score"], row["grade"]]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerows([header, [text(v) for v in values]])
    return buffer.getvalue().encode("utf-8")


def test_the_long_table_follows_an_import_of_one_year_and_its_rollback(demo_db):
    before = assert_long_equals_wide(demo_db)
    unit = "code:620709"
    row = _row(demo_db, unit, 2022)
    results = ingest.import_files(demo_db, [("张掖2022更正.csv", _budget_file(row, 1234.5, 98.76))])
    assert [r.updated for r in results] == [1]

    after = assert_long_equals_wide(demo_db)
    wide, _ = _tables(demo_db)
    assert wide.loc[(unit, 2022), "actual_spend"] == pytest.approx(1234.5)
    changed = after.merge(before, on=["metric", "unit_key", "year"], suffixes=("", "_before"))
    moved = changed[~((changed["value"] == changed["value_before"])
                      | (changed["value"].isna() & changed["value_before"].isna()))]
    assert set(moved["unit_key"]) == {unit}
    assert set(moved["year"]) == {2022, 2023}      # 2023's carryover change reads 2022's carryover
    assert {"execution_rate", "carryover_rate", "carryover_change_rate"} <= set(moved["metric"])

    ingest.rollback(demo_db, results[0].batch_id)
    restored = assert_long_equals_wide(demo_db)
    pd.testing.assert_frame_equal(restored, before)


def test_project_rate_is_the_one_definition_of_project_execution(demo_db):
    rates = demo_db.con.execute(
        "SELECT budget, actual_spend, project_execution_rate FROM project_rate").df()
    projects = demo_db.con.execute("SELECT budget, actual_spend FROM project").df().astype(float)
    assert len(rates) == len(projects) > 0
    spent, budget = projects["actual_spend"], projects["budget"]
    expected = (spent / budget.where(budget != 0)).where(spent.notna() & budget.notna())
    assert sorted(rates["project_execution_rate"].dropna()) == pytest.approx(sorted(expected.dropna()))
    assert rates["project_execution_rate"].isna().sum() == expected.isna().sum()


# -- the wording of each rate ---------------------------------------------------------------------


def test_formulas_follow_the_configured_denominators():
    default, other = Config(), Config("funds_received", "actual_spend")
    execution, carryover = metrics.METRICS["execution_rate"], metrics.METRICS["carryover_rate"]
    assert execution.formula_for(default) == "实际支出数 ÷ 调整后预算数（未填时用年初预算数）"
    assert execution.formula_for(other) == "实际支出数 ÷ 实际到位资金"
    assert carryover.formula_for(default) == "结转结余 ÷ 调整后预算数（未填时用年初预算数）"
    assert carryover.formula_for(other) == "结转结余 ÷ 实际支出数"
    assert execution.weighted_formula_for(default) == "Σ实际支出数 ÷ Σ调整后预算数（未填时用年初预算数）"
    assert execution.weighted_formula_for(default, short=True) == "Σ实际支出数 ÷ Σ调整后预算数"
    assert execution.weighted_formula_for(other, short=True) == "Σ实际支出数 ÷ Σ实际到位资金"
    assert metrics.METRICS["adjustment_rate"].weighted_formula_for(default, short=True) == \
        "Σ(调整后预算数 − 年初预算数) ÷ Σ年初预算数"
    assert metrics.METRICS["project_execution_rate"].weighted_formula_for(default) == "Σ项目实际支出数 ÷ Σ项目预算数"
    assert metrics.CONFIGURABLE_RATE_IDS == ["execution_rate", "carryover_rate"]
    # funds_arrival_rate's denominator is the budget whatever [denominators] says
    assert metrics.METRICS["funds_arrival_rate"].formula_for(other) == "实际到位资金 ÷ 调整后预算数（未填时用年初预算数）"


def test_overview_help_texts_read_the_registry(app):
    at = app(query_params={"year": "2022"})
    at.run()
    assert not at.exception
    helps = {m.label: m.proto.help for m in at.metric}
    assert helps["预算执行率"] == "Σ实际支出数 ÷ Σ调整后预算数（按预算加权，不是各单位比率的平均）；较上年的变化以百分点计"
    assert helps["结转结余率"] == "Σ结转结余 ÷ Σ调整后预算数；上升为不利变化"
    assert helps["预算调整率"] == "Σ(调整后预算数 − 年初预算数) ÷ Σ年初预算数，只计两个数都填报的单位"
    assert helps["调整后预算数（万元）"].startswith("Σ 调整后预算数（未填时用年初预算数）= ")


def test_projects_and_definitions_wording_read_the_registry(app):
    at = app(query_params={"year": "2022"})
    at.run()
    at.switch_page("app_pages/projects.py").run()
    assert not at.exception
    helps = {m.label: m.proto.help for m in at.metric}
    assert helps["加权执行率"] == "Σ项目实际支出数 ÷ Σ项目预算数"
    assert any(c.value.startswith("项目预算执行率 = 项目实际支出数 ÷ 项目预算数；") or
               "项目预算执行率 = 项目实际支出数 ÷ 项目预算数；" in c.value for c in at.caption)

    at.switch_page("app_pages/definitions.py").run()
    assert not at.exception
    body = "\n".join(m.value for m in at.markdown)
    assert ("- **预算执行率的分母**：调整后预算数（未填时用年初预算数）"
            "（配置项 `denominators.execution_rate = \"budget\"`）。\n"
            "- **结转结余率的分母**：调整后预算数（未填时用年初预算数）"
            "（配置项 `denominators.carryover_rate = \"budget\"`）。\n"
            "- 比率以小数存储") in body
