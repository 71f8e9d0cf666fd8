"""Values as people type them: every accepted spelling gives the exact number, every
ambiguous one is refused with what would be accepted."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfdash.ingest.sheets import values as v
from perfdash.ingest.sheets.values import ValueRefused

FULL = str.maketrans("0123456789.,-()%", "０１２３４５６７８９．，－（）％")
amounts = st.decimals(min_value=Decimal("-999999999.99"), max_value=Decimal("999999999.99"), places=2,
                      allow_nan=False, allow_infinity=False)


def spellings(d: Decimal) -> list:
    grouped = f"{d:,.2f}"
    out = [str(d), grouped, f" {grouped} ", f"￥{grouped}", f"¥{d}", f"{grouped}万元", f"{d}万",
           grouped.translate(FULL), f"{d:,.2f}\u200b", float(d)]
    if d < 0:
        out += [f"({-d:,.2f})", f"（{-d:,.2f}）", f"−{-d}"]
    return out


@settings(max_examples=200, deadline=None)
@given(amounts)
def test_every_spelling_of_an_amount_reads_back_exactly(d):
    for spelled in spellings(d):
        assert v.read_amount(spelled, "万元", True, "列名") == d, spelled


@settings(max_examples=200, deadline=None)
@given(amounts)
def test_yuan_converts_to_wanyuan_exactly(d):
    yuan = d * 10000
    assert v.read_amount(f"{yuan:,.2f}", "元", True) == d
    assert v.read_amount(f"{yuan:,.2f}元", "万元", False) == d          # the cell is the only statement
    assert v.number_text(v.read_amount(str(yuan), "元", True)) == v.number_text(d)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=2000, max_value=2099))
def test_years(year):
    digits = str(year).translate(str.maketrans("0123456789", "〇一二三四五六七八九"))
    for spelled in (year, float(year), str(year), f"{year}年", f"{year}年度", f"{year} 年度", f"{year}.0",
                    f"{digits}年", f"{digits}年度", str(year).translate(FULL)):
        assert v.read_year(spelled) == year, spelled


@settings(max_examples=100, deadline=None)
@given(st.decimals(min_value=Decimal("0"), max_value=Decimal("300"), places=2))
def test_rates(pct):
    assert v.read_rate(f"{pct}%", False) == pct / 100
    assert v.read_rate(f"{pct}％", False) == pct / 100
    assert v.read_rate(float(pct), True) == pct / 100
    assert v.read_rate(v.Percent(float(pct / 100)), False) == pct / 100


@pytest.mark.parametrize("cell,why", [
    ("12,58", "逗号"), ("12580,40", "逗号"), ("1,2345.00", "逗号"),
    ("1.23457E+11", "科学计数法"), ("87.56%", "百分数"), ("一千二百", "阿拉伯数字"), ("壹万元", "阿拉伯数字"),
    ("见附件", "不是有效数字"), ("12.5.3", "不是有效数字"), (True, "应为数字"), (dt.date(2023, 1, 1), "应为数字"),
    (float("nan"), "不是有效数字"),
])
def test_amounts_refused(cell, why):
    with pytest.raises(ValueRefused, match=why):
        v.read_amount(cell, "万元", False)


def test_a_cell_unit_against_a_stated_column_unit_is_refused_naming_both():
    with pytest.raises(ValueRefused, match="单元格写明「元」.*本列单位是万元（列名「实际支出数（万元）」）"):
        v.read_amount("125,804元", "万元", True, "列名「实际支出数（万元）」")
    with pytest.raises(ValueRefused, match="单元格写明「万元」"):
        v.read_amount("12.58万元", "元", True, "第 2 行「单位：元」")
    assert v.read_amount("125,804元", "元", True) == Decimal("12.5804")   # agrees: fine


@pytest.mark.parametrize("cell", ["", "  ", "-", "--", "—", "——", "–", "/", "无", "－", None])
def test_missing_tokens(cell):
    assert v.read_amount(cell, "万元", False) is None
    assert v.read_year(cell) is None
    assert v.read_rate(cell, False) is None
    assert v.read_code(cell) == (None, False)


@pytest.mark.parametrize("cell,why", [("23", "年份"), ("2023-2024", "年份"), ("二〇二三", None),
                                      (dt.datetime(2023, 5, 1), "日期"), (2023.5, "整数"), ("FY2023", "年份")])
def test_years_refused_or_not(cell, why):
    if why is None:
        assert v.read_year(cell) == 2023
    else:
        with pytest.raises(ValueRefused, match=why):
            v.read_year(cell)


def test_a_plain_rate_without_percent_is_refused():
    with pytest.raises(ValueRefused, match="没有注明 %"):
        v.read_rate("0.8756", False)
    with pytest.raises(ValueRefused, match="没有注明 %"):
        v.read_rate(87.56, False)


def test_codes():
    assert v.read_code("001234") == ("001234", False)
    assert v.read_code("１０１００１") == ("101001", False)
    assert v.read_code(" 101 001 ") == ("101001", False)
    assert v.read_code(1234) == ("1234", True)
    assert v.read_code(1234.0) == ("1234", True)
    assert v.read_code(v.Padded("001234")) == ("001234", False)
    for bad, why in [("1.01001E+11", "科学计数法"), ("101001.0", "像是被当作数字"), (12.5, "不是整数")]:
        with pytest.raises(ValueRefused, match=why):
            v.read_code(bad)


def test_text_and_uncalculated_formulas():
    assert v.read_text(" 郑州市\n教育局 ") == "郑州市教育局"
    assert v.read_text("—") is None
    with pytest.raises(ValueRefused, match="没有计算结果"):
        v.read_text(v.Uncalculated("=A1"))


@settings(max_examples=200, deadline=None)
@given(st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e12"), max_value=Decimal("1e12")))
def test_number_text_round_trips(d):
    text = v.number_text(d)
    assert "E" not in text and "e" not in text
    assert Decimal(text) == d
