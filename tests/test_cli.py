"""The command line as other tools and people see it (DESIGN.md section 5)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def cli(*args, db):
    return subprocess.run([sys.executable, "-m", "perfdash", *args, "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True)


def test_rates_json_has_exactly_the_contract_keys(demo_db_path):
    out = cli("rates", "--year", "2022", "--format", "json", db=demo_db_path)
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)
    keys = ["unit_code", "unit_name", "region", "level", "year",
            "initial_budget", "adjusted_budget", "funds_received", "actual_spend", "carryover", "prior_carryover",
            "sangong_budget", "sangong_actual", "procurement_budget", "procurement_actual",
            "execution_rate", "adjustment_rate", "carryover_rate",
            "carryover_change_rate", "sangong_control_rate", "procurement_execution_rate", "funds_arrival_rate"]
    assert rows and all(list(r) == keys for r in rows)
    zhengzhou = next(r for r in rows if r["unit_name"] == "郑州市政务服务办公室")
    assert zhengzhou["execution_rate"] == pytest.approx(2699.18 / 3082.64)
    assert zhengzhou["unit_code"] is None and zhengzhou["sangong_control_rate"] is None
    # the amounts behind the rates, in 万元, and where the unit sits
    assert zhengzhou["adjusted_budget"] == 3082.64 and zhengzhou["actual_spend"] == 2699.18
    assert zhengzhou["region"] and zhengzhou["level"] in ("省级", "市级", "县级")


def test_tables_are_in_chinese_with_formatted_values(demo_db_path):
    rates = cli("rates", "--year", "2022", db=demo_db_path).stdout
    assert "预算执行率" in rates.splitlines()[0] and "87.56%" in rates
    flags = cli("outliers", "--year", "2022", db=demo_db_path).stdout
    header = flags.splitlines()[0]
    assert "单位名称" in header and "说明" in header and "unit_name" not in header
    pingdingshan = [l for l in flags.splitlines() if "平顶山" in l and "预算执行率" in l]
    assert pingdingshan and "58.78%" in pingdingshan[0] and "严重" in pingdingshan[0]
    history = cli("history", db=demo_db_path).stdout
    assert "项目支出数据" in history and "有效" in history


def test_unknown_year_prints_no_rows_and_succeeds(demo_db_path):
    out = cli("rates", "--year", "2031", db=demo_db_path)
    assert out.returncode == 0 and "没有数据" in out.stdout


def test_missing_file_is_a_plain_error(demo_db_path, tmp_path):
    out = cli("import", str(tmp_path / "无此文件.csv"), db=demo_db_path)
    assert out.returncode == 1
    assert "文件不存在" in out.stderr and "Traceback" not in out.stderr
