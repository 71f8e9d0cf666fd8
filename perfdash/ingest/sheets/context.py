"""What a sheet says about its table outside the table: 单位 lines and years in titles.

A 单位 line ("单位：元", "金额单位:万元", "（单位：人、元）", "本表金额单位为元", "以万元为单位",
「单位：」|「元」 in two cells) sets the unit of every amount column whose header says none; a
year in the sheet name or a title ("2023年度…") is the year of a table without a year column,
but only when it is the one year stated ("2021—2023年度" states three).
"""
from __future__ import annotations

import re

from perfdash.ingest.sheets.grid import Grid

_WS = re.compile(r"\s+")
# "单位：元", "金额单位:万元", "（单位：人、元）", "本表金额单位为元", "以万元为单位"
_UNIT_LINE = re.compile(r"单位(?:[:：]|为|是)([^，,。；;）)]*)|以(亿元|万元|千元|元)为单位")
_AMOUNT_UNIT = re.compile(r"亿元|万元|千元|元")
_SPLIT_UNIT = re.compile(r"^(金额)?单位\s*[:：]?$")
_UNIT_TOKENS = re.compile(r"[、/，,()（）]+")
_YEAR_RANGE = re.compile(r"(20\d{2})\s*年?\s*[-—–~～至到]\s*(20\d{2})\s*年")
_YEAR_SHEET = re.compile(r"^\D*(20\d{2})\D*$")
YEAR_IN_TEXT = re.compile(r"(20\d{2})\s*年(?!\s*\d{1,2}\s*月)")   # not 填报日期：2024年1月


def text_of(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def unit_statements(grid: Grid, rows) -> list[tuple[int, str, str]]:
    found = []
    for row in rows:
        texts = [text_of(v) for v in (grid.cells[row] if row < len(grid.cells) else [])]
        filled = [t for t in texts if t]
        for i, text in enumerate(filled):
            if "单位" not in text:
                continue
            if _SPLIT_UNIT.match(text) and i + 1 < len(filled):   # 「单位：」|「元」 in two cells
                text = text + filled[i + 1]
            for m in _UNIT_LINE.finditer(_WS.sub("", text)):
                tokens = [t.removeprefix("人民币") for t in _UNIT_TOKENS.split(m.group(1) or "")]
                unit = m.group(2) or next((t for t in tokens if _AMOUNT_UNIT.fullmatch(t)), None)
                if unit:
                    found.append((row + 1, text, unit))
                    break
    return found


def years_stated(grid: Grid, above: range) -> list[tuple[int, str]]:
    """Years the sheet name and title rows state: (year, where)."""
    found = []
    if grid.sheet and (m := _YEAR_SHEET.match(grid.sheet)):
        found.append((int(m.group(1)), f"工作表名「{grid.sheet}」"))
    for row in above:
        for value in grid.cells[row]:
            text = text_of(value)
            years = {int(y) for y in YEAR_IN_TEXT.findall(text)}
            for first, last in _YEAR_RANGE.findall(text):   # 2021—2023年度: more than one year
                years |= {int(first), int(last)}
            for year in sorted(years):
                found.append((year, f"第 {row + 1} 行「{text}」"))
    return found
