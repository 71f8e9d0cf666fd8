"""Properties of the extractor that hold for any figure, not just the ones in the reports:
exact unit conversion, distractors never becoming figures, and every figure traceable to a
number in its own source sentence."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract_corpus import corpus
from perfdash.extract import ReportUnreadable, extract_file, extract_text, to_json
from perfdash.extract.records import extract_lines
from perfdash.extract.text import AMOUNT, to_decimal, to_wanyuan

SEEDS = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
LABELS = [("年初预算为", "initial_budget"), ("调整后预算数为", "adjusted_budget"), ("实际到位资金", "funds_received"),
          ("实际支出", "actual_spend"), ("年末结转结余", "carryover"), ("三公经费预算数", "sangong_budget"),
          ("全年预算数为", "adjusted_budget"), ("全年执行数", "actual_spend"), ("年末结转和结余", "carryover"),
          ("年初结转和结余", "prior_carryover"), ("“三公”经费实际支出数", "sangong_actual"),
          ("上年年底结余", "prior_carryover")]
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999.99"), places=2)


def figures_of(text: str) -> dict:
    records = to_json(extract_text("某市某局2022年度部门整体支出绩效自评报告\n" + text))
    return {k: v for r in records for k, v in r["figures"].items() if v is not None}


@settings(max_examples=60, deadline=None)
@given(amount=amounts, unit=st.sampled_from(["元", "万元", "亿元"]), label=st.sampled_from(LABELS))
def test_any_labelled_amount_comes_out_exactly_in_wanyuan(amount, unit, label):
    words, key = label
    found = figures_of(f"2022年部门{words}{amount}{unit}。")
    expected = {"元": amount / 10000, "亿元": amount * 10000, "万元": amount}[unit]
    assert Decimal(str(found[key])) == expected


DISTRACTORS = ["全年办理业务{n}万件。", "服务群众{n}人次。", "联系电话0379-{i}。", "预算执行率≥{n}%。",
               "预算执行率不低于{n}%。", "比上年增加{n}万元。", "年初预算约{n}万元。", "年初预算{n}万元左右。",
               "部门培训项目经费实际支出{n}万元。", "依据豫财预〔{i}〕{i}号文件。", "增长{n}%。", "满意率达到{n}%。",
               "经年中调整，增加预算资金{n}万元。", "其中基本支出{n}万元。", "2021年收支结余-{n}元。",
               "基本支出预算{n}万元。", "上年实际支出{n}万元。", "去年同期年初预算{n}万元。",
               "得分90分（含）以上评定为“优”。", "年初预算{n}万元以上的项目须论证。"]


@settings(max_examples=60, deadline=None)
@given(pattern=st.sampled_from(DISTRACTORS), n=amounts, i=st.integers(min_value=1000, max_value=99999999))
def test_distractors_never_become_figures(pattern, n, i):
    text = pattern.format(n=n, i=i)
    records = to_json(extract_text("某市某局2022年度部门整体支出绩效自评报告\n" + text))
    assert all(v is None for r in records for v in r["figures"].values()), text
    assert all(not r["stated_rates"] for r in records), text


def _amount_traced(value, source: str) -> bool:
    for match in AMOUNT.finditer(source):
        if to_wanyuan(to_decimal(match.group("num")), match.group("unit")) == Decimal(str(value)):
            return True
    numbers = re.findall(r"\d[\d,]*(?:\.\d+)?", source)            # table cells carry their unit in the header
    return any(Decimal(n.replace(",", "")) in (Decimal(str(value)), Decimal(str(value)) * 10000) for n in numbers)


def _all_records():
    for path in sorted(SEEDS.glob("0*.txt")) if SEEDS.is_dir() else []:
        yield from to_json(extract_file(path))
    for name, text, _ in corpus():
        yield from to_json(extract_text(text, name))


def test_every_figure_is_a_number_of_its_own_source():
    checked = 0
    for record in _all_records():
        for key, value in record["figures"].items():
            if value is None:
                continue
            source = record["sources"][key]
            assert source, (record["file"], key)
            if isinstance(value, str):
                assert value in source
            else:
                assert _amount_traced(value, source), (record["file"], key, value, source)
            checked += 1
        for project in record["projects"]:
            assert _amount_traced(project["budget"], project["source"]) or project["budget"] == 0
    assert checked > 400


def test_radical_forms_from_pdfs_still_match():
    found = figures_of("2022年部⻔年初预算为100.5万元，实际到位资⾦90万元。")
    assert found == {"initial_budget": 100.5, "funds_received": 90}


def test_a_renamed_old_word_file_is_named_as_such(tmp_path):
    path = tmp_path / "报告.docx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(ReportUnreadable, match="旧版 Word"):
        extract_file(path)


def test_a_report_with_no_figures_gives_no_records():
    assert extract_lines(["工作总结", "一、基本情况", "全年工作顺利完成。"], "空.txt") == []


def test_the_unit_is_named_by_the_title_not_by_the_bodies_the_text_cites():
    own = extract_text("洛阳市财政局2022年度部门整体支出绩效自评报告\n一、基本情况\n2022年部门年初预算为100万元。")
    assert [r["unit_name"] for r in own] == ["洛阳市财政局"]
    cited = extract_text("部门整体绩效自评报告\n按照《洛阳市财政局关于开展2022年度市级预算绩效自评的通知》要求，"
                         "洛阳市财政局组织开展自评。\n一、基本情况\n2022年我单位年初预算为100万元。")
    assert [r["unit_name"] for r in cited] == [None]
    assert "洛阳市的市级单位" in cited[0]["notes"][0]


def test_a_lone_score_beside_the_total_is_not_a_dimension():
    records = to_json(extract_text("某县某局2022年度部门整体支出绩效自评报告\n"
                                   "2022年度我单位整体自评得分为88分，较上年提高2分，满分100分。"))
    assert records[0]["figures"]["self_score"] == 88 and records[0]["scores"] == []


def test_years_in_cited_document_titles_are_not_the_figures_year():
    records = to_json(extract_text("某县某局2022年度部门整体支出绩效自评报告\n"
                                   "按照《2023年度预算绩效管理工作方案》（某财〔2023〕5号）要求，部门年初预算为100万元。"))
    assert [(r["year"], r["figures"]["initial_budget"]) for r in records] == [(2022, 100)]


def test_a_title_starting_with_guanyu_still_names_the_unit():
    records = extract_text("关于洛阳市教育局2022年度部门整体支出绩效自评的报告\n一、基本情况\n"
                           "洛阳市教育局2022年部门年初预算为100万元。")
    assert [r["unit_name"] for r in records] == ["洛阳市教育局"]


def test_one_grade_written_two_ways_is_one_grade_and_two_grades_are_none():
    same = to_json(extract_text("某县某局2022年度部门整体支出绩效自评报告\n2022年整体自评得分92分，属于“优”。"
                                "\n综上，2022年度部门整体支出绩效自评为“优秀”。"))
    assert same[0]["figures"]["grade"] == "优"
    different = to_json(extract_text("某县某局2022年度部门整体支出绩效自评报告\n2022年整体自评得分92分，属于“优”。"
                                     "\n综上，2022年度部门整体支出绩效自评为“良好”。"))
    assert different[0]["figures"]["grade"] is None and any("不同" in n for n in different[0]["notes"])
