"""`python -m perfdash extract` as other tools and people see it (DESIGN.md section 5)."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from extract_docs import CHROMIUM, write_scanned_pdf

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds/ is not beside the repository")
KEYS = ["file", "unit_name", "year", "region", "figures", "sources", "scores", "projects", "stated_rates", "notes"]
FIGURES = ["initial_budget", "adjusted_budget", "funds_received", "actual_spend", "carryover", "prior_carryover",
           "sangong_budget", "sangong_actual", "self_score", "grade", "evaluation_score", "evaluation_grade"]


def extract(*args):
    return subprocess.run([sys.executable, "-m", "perfdash", "extract", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True)


def test_json_has_exactly_the_contract_keys():
    out = extract(*sorted(SEEDS.glob("0*.txt")), "--format", "json")
    assert out.returncode == 0, out.stderr
    records = json.loads(out.stdout)
    assert len(records) == 6
    for r in records:
        assert list(r) == KEYS
        assert list(r["figures"]) == FIGURES and list(r["sources"]) == FIGURES
        assert all(list(s) == ["dimension", "max_score", "score", "source"] for s in r["scores"])
        assert all(list(p) == ["project_name", "budget", "actual_spend", "source"] for p in r["projects"])
        assert all(list(s) == ["metric", "label", "value", "source"] for s in r["stated_rates"])
    zhengzhou = next(r for r in records if r["unit_name"] == "郑州市政务服务办公室")
    assert zhengzhou["figures"]["actual_spend"] == 2699.18
    assert zhengzhou["stated_rates"][0]["value"] == 0.8756


def test_table_is_in_chinese():
    out = extract(SEEDS / "002_e0541fc98863e671.txt")
    assert out.returncode == 0, out.stderr
    assert "实际到位资金" in out.stdout and "外部评价得分" in out.stdout and "2197.17" in out.stdout
    assert "funds_received" not in out.stdout and "提示：" in out.stdout


def test_out_writes_review_files_with_the_seed_headers(tmp_path):
    out = extract(*sorted(SEEDS.glob("0*.txt")), "--out", tmp_path)
    assert out.returncode == 0, out.stderr
    assert "没有写明单位名称" in out.stderr           # 平顶山: written with an empty name, and said
    files = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert files == ["01_预算执行数据.csv", "02_一级指标得分.csv", "03_项目支出数据.csv", "04_报告所列比率.csv"]

    def read(name):
        with open(tmp_path / name, encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    with open(ROOT / "data" / "seed" / "01_budget.csv", encoding="utf-8") as f:
        seed_headers = next(csv.reader(f))
    budget = read("01_预算执行数据.csv")
    headers = list(budget[0])
    assert [h for h in seed_headers if h not in ("政府采购预算数", "政府采购实际数")] == headers[:len(seed_headers) - 2]
    assert headers[-3:] == ["外部评价得分", "外部评价等级", "来源"]
    pingdingshan = next(r for r in budget if r["年初预算数"] == "650.14")
    assert pingdingshan["单位名称"] == "" and "650.14万元" in pingdingshan["来源"]
    scores = read("02_一级指标得分.csv")
    assert list(scores[0]) == ["年度", "单位编码", "单位名称", "一级指标", "分值", "得分", "评分类别", "来源"]
    assert len(scores) == 12
    projects = read("03_项目支出数据.csv")
    assert list(projects[0]) == ["年度", "单位编码", "单位名称", "项目名称", "项目类别", "预算数", "实际支出数", "来源"]
    assert len(projects) == 11
    rates = read("04_报告所列比率.csv")
    assert list(rates[0]) == ["年度", "单位名称", "比率", "报告所列值", "来源"]
    # the label as printed; the importer maps it to its rate id (预算执行率 → execution_rate)
    assert {(r["比率"], r["报告所列值"]) for r in rates} >= {("预算执行率", "79.34%"), ("结余率", "648.5%")}


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_scanned_pdf_is_refused_without_a_traceback(tmp_path):
    out = extract(write_scanned_pdf(tmp_path / "扫描件.pdf"))
    assert out.returncode == 1
    assert "该 PDF 没有文字层（可能是扫描件），无法读取，请提供 Word 版或文字版 PDF" in out.stderr
    assert "扫描件.pdf" in out.stderr and "Traceback" not in out.stderr and out.stderr.count("\n") == 1


def test_missing_file_is_one_chinese_line(tmp_path):
    out = extract(tmp_path / "没有这个文件.docx")
    assert out.returncode == 1 and "文件不存在" in out.stderr and "Traceback" not in out.stderr
