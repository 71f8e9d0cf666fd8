"""Reviewing figures read from a report before import: the review tables, what must be filled
in, and the upload files the reviewed tables become — imported through the ordinary importer."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from perfdash import ingest
from perfdash.derive import open_current
from perfdash.extract import review

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
XINZHENG = SEEDS / "002_e0541fc98863e671.txt"
PINGDINGSHAN = SEEDS / "003_6b24e0b12a120b85.txt"


def _read(path: Path):
    return review.read_reports([(path.name, path.read_bytes())])


def test_each_figure_stands_beside_its_sentence():
    r = review.review_of(_read(XINZHENG))
    assert r.records.loc[1, "单位名称"] == "新郑市政务服务和大数据管理局" and r.records.loc[1, "年度"] == "2021"
    spend = r.figures[r.figures["数据项"] == "实际支出数"].iloc[0]
    assert spend["数值"] == "1743.22" and "1743.22" in spend["来源"]
    rate = r.figures[(r.figures["类别"] == "报告所列比率") & (r.figures["key"] == "execution_rate")].iloc[0]
    assert rate["数值"] == "79.34%" and "79.34%" in rate["来源"]
    projects = r.figures[r.figures["类别"] == "项目"]
    assert len(projects) == 8                                   # four projects × budget and spend
    assert review.problems(r) == []


def test_a_report_without_a_unit_name_asks_for_one():
    r = review.review_of(_read(PINGDINGSHAN))
    assert r.records.loc[1, "单位名称"] == ""
    assert review.problems(r) == [f"第 1 条记录（{PINGDINGSHAN.name}）：报告没有写明单位名称，请填写"]
    r.records.loc[1, "年度"] = "22年"
    assert review.problems(r)[1] == f"第 1 条记录（{PINGDINGSHAN.name}）：年度「22年」不是四位年份，请填写"


def test_reviewed_figures_import_with_a_correction(tmp_path):
    """The reviewer fills in 平顶山's name and region and corrects one figure; the import stores the
    corrected value, the other figures as read, in 万元."""
    r = review.review_of(_read(PINGDINGSHAN))
    r.records.loc[1, ["单位名称", "地区"]] = ["平顶山市政务服务和大数据管理局", "河南省平顶山市"]
    spend = r.figures.index[r.figures["数据项"] == "实际支出数"][0]
    r.figures.loc[spend, "数值"] = "16848.80"                  # a deliberate correction
    files = review.upload_files(r)
    assert [name for name, _ in files][:2] == ["01_预算执行数据.csv", "02_一级指标得分.csv"]
    db = open_current(tmp_path / "review.duckdb")
    try:
        budget_file = [f for f in files if f[0] == "01_预算执行数据.csv"]
        results = ingest.import_files(db, budget_file, imported_by="复核人")
        assert [(x.inserted, x.updated) for x in results] == [(1, 0)]
        row = db.query("rates/unit_rates", year=2022, region=None, level=None, sector=None).iloc[0]
        assert row["unit_name"] == "平顶山市政务服务和大数据管理局"
        assert (row["budget"], row["actual_spend"]) == (28664.34, 16848.80)   # adjusted budget, corrected spend
        assert row["execution_rate"] == pytest.approx(16848.80 / 28664.34)
    finally:
        db.close()


def test_a_stated_rate_keeps_its_percent_sign_into_the_upload_file():
    r = review.review_of(_read(XINZHENG))
    rates = dict(review.upload_files(r))["04_报告所列比率.csv"].decode("utf-8-sig")
    assert "预算执行率,79.34%," in rates and "结转结余率,26.35%," in rates
