"""Property: however a table is laid out — titles, a 单位 line or not, 序号, column order,
subtotals, blank rows, notes, how each amount is typed — the figures read back exactly.

Grids are built in memory (no file writing), so hypothesis can try many layouts quickly.
"""
from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from perfdash.ingest.sheets import read_grid
from perfdash.ingest.sheets.grid import Grid

W = Decimal(10000)
HEAD = {"year": "年度", "unit_code": "单位编码", "unit_name": "单位名称", "region": "地区",
        "initial_budget": "年初预算数", "adjusted_budget": "全年预算数", "actual_spend": "全年执行数",
        "carryover": "结转结余"}
AMOUNTS = ["initial_budget", "adjusted_budget", "actual_spend", "carryover"]
TITLES = ["2023年度部门整体支出绩效情况表", "填报单位：元宝山区财政局", "附件3", "", "说明：请勿修改表头",
          "报送日期：2024年1月20日", "部门（单位）：郑州市财政局"]
SUBTOTALS = ["合计", "小计", "总计", "全市合计", "其中：行政单位", "县区小计", "党 政 机 关 合 计"]
NOTES = ["注：1. 本表由各单位填报。", "填表人：张三", "审核人：李四", "联系电话：0371-1234567", "单位负责人：", "2、数据截至年底。"]
FULL = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")

money = st.decimals(min_value=Decimal("-9999.99"), max_value=Decimal("99999.99"), places=2)
records = st.lists(st.tuples(st.sampled_from(["教育局", "卫健委", "财政局", "水利局", "县教育局"]),
                             st.sampled_from(["新郑市", "登封市", "巩义市"]), st.integers(2019, 2025),
                             st.lists(money, min_size=4, max_size=4)),
                   min_size=1, max_size=8, unique_by=lambda r: (r[0], r[1], r[2]))


def typed(d: Decimal, unit: str, style: str):
    v = d if unit == "万元" else d * W
    grouped = f"{v:,.2f}"
    return {"float": float(v), "text": str(v), "grouped": grouped, "yen": f"￥{grouped}",
            "suffix": grouped + unit, "full": grouped.translate(FULL),
            "accounting": f"({-v:,.2f})" if v < 0 else grouped}[style]


@st.composite
def layouts(draw):
    recs = draw(records)
    cols = draw(st.permutations(["year", "unit_name", "region", *draw(
        st.lists(st.sampled_from(AMOUNTS), min_size=1, max_size=4, unique=True)), "actual_spend"]))
    cols = list(dict.fromkeys(cols))
    unit = draw(st.sampled_from(["default", "line:元", "line:万元", "header:元"]))
    cell_unit = "元" if unit.endswith("元") and not unit.endswith("万元") else "万元"
    seq = draw(st.booleans())
    rows = [[t] for t in draw(st.lists(st.sampled_from(TITLES), max_size=5))]
    if unit.startswith("line"):
        rows.append([None] * draw(st.integers(0, 4)) + [draw(st.sampled_from(["单位：", "金额单位：", "单位:", "（单位：人、"]))
                                                        + unit[5:]])
    header = ["序号"] * seq + [HEAD[c] + ("（元）" if unit == "header:元" and c in AMOUNTS else "") for c in cols]
    rows.append(header)
    expected, skipped_totals = {}, 0
    for i, (name, region, year, figures) in enumerate(recs):
        for _ in range(draw(st.integers(0, 1))):
            rows.append([])
        if draw(st.integers(0, 5)) == 0:
            label = draw(st.sampled_from(SUBTOTALS))
            rows.append(([label] if seq else []) + [
                123.0 if c in AMOUNTS else (label if c == "unit_name" and not seq else None) for c in cols])
            skipped_totals += 1
        amounts = dict(zip(AMOUNTS, figures))
        row = [i + 1] * seq
        for c in cols:
            if c in AMOUNTS:
                row.append(typed(amounts[c], cell_unit, draw(st.sampled_from(
                    ["float", "text", "grouped", "yen", "suffix", "full", "accounting"]))))
            elif c == "year":
                row.append(draw(st.sampled_from([year, str(year), f"{year}年", f"{year}年度"])))
            else:
                row.append({"unit_name": name, "region": region}[c])
        rows.append(row)
        expected[(name, region, year)] = {c: amounts[c] for c in cols if c in AMOUNTS}
    rows += [[n] for n in draw(st.lists(st.sampled_from(NOTES), max_size=3))]
    return rows, expected, skipped_totals


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layouts())
def test_any_layout_reads_back_exactly(layout):
    rows, expected, totals = layout
    table = read_grid(Grid("表", rows), "t.xlsx")
    assert not isinstance(table, str), table
    assert not table.problems, [str(p) for p in table.problems]
    found = {}
    for _, cells in table.rows:
        record = dict(zip(table.column_ids, cells))
        found[(record["unit_name"], record["region"], int(record["year"]))] = {
            c: Decimal(v) for c, v in record.items() if c in AMOUNTS}
    assert found == expected
    assert sum(1 for _, why in table.skipped_rows if why.startswith("合计")) == totals
