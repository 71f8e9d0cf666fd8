"""Parsing and validating one file as a whole, vectorised: every problem with the file name,
the row as Excel numbers it (header = row 1) and the column header as written in the file.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from perfdash.errors import ImportRefused, Problem
from perfdash.ingest.columns import (
    COLUMNS, GRADE_ALIASES, KEY_COLUMNS, LEVEL_ALIASES, MISSING_TOKENS, SCORE_OF_ALIASES, TOTAL_ROW_LABELS,
    match_header, rate_id,
)
from perfdash.ingest.readers import Limits


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    kind: str
    frame: pd.DataFrame            # canonical columns, typed; source_row = Excel row number
    warnings: list[str] = field(default_factory=list)
    skipped_rows: int = 0
    columns: tuple[str, ...] = ()  # the column ids the file has; () = all of them
    # What the spreadsheet reader found (empty for a plain CSV read by the fast path):
    sheets: list[str] = field(default_factory=list)                     # sheets read ("" = CSV text)
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, why)
    skipped: list[tuple[str | None, int, str]] = field(default_factory=list)  # (sheet, Excel row, why)
    units: list[str] = field(default_factory=list)   # which amount unit was applied to which columns
    notes: list[str] = field(default_factory=list)   # what was assumed or converted
    # The report's own rates found beside the amounts (执行率 columns …): year, unit_key,
    # unit_code, unit_name, region, metric, label, value (fraction), source. Kept, not recomputed:
    # parse_all imports them as a stated-rates file of their own.
    stated_rates: pd.DataFrame | None = None
    # The workbook's sheets in frame order: (sheet, rows), so a row's sheet can be named.
    row_sheets: tuple[tuple[str | None, int], ...] = ()

    def sheet_of_rows(self) -> pd.Series:
        """Each row's sheet (None for CSV text, or when not known), by position in the frame."""
        names = [s for s, n in self.row_sheets for _ in range(n)]
        if len(names) != len(self.frame):
            names = [None] * len(self.frame)
        return pd.Series(names, index=self.frame.index, dtype="object")

    def details(self) -> list[str]:
        """What the reader did, in Chinese, for the preview and the import result: the sheets read
        and skipped, the amount unit applied to each column, the rows skipped, the notes, and the
        stated rates read (not stored yet)."""
        lines = []
        named = [s for s in self.sheets if s]
        if named:
            lines.append("已读取工作表：" + "、".join(f"「{s}」" for s in named))
        for sheet, why in self.skipped_sheets:
            lines.append(f"未读取工作表「{sheet}」：{why}")
        lines += self.units
        if self.skipped:
            shown = "；".join(f"{'工作表「' + s + '」' if s else ''}第 {r} 行（{why}）" for s, r, why in self.skipped[:30])
            more = f"……共 {len(self.skipped)} 行" if len(self.skipped) > 30 else ""
            lines.append(f"已跳过 {len(self.skipped)} 行，未导入：{shown}{more}")
        lines += [n for n in self.notes if not n.removeprefix("工作表").startswith("已跳过") and "已跳过：" not in n]
        if self.stated_rates is not None and len(self.stated_rates):
            labels = "、".join(dict.fromkeys(self.stated_rates["label"]))
            lines.append(f"读取到表中所列比率 {len(self.stated_rates)} 个（{labels}）：按报表原值作为报告所列比率"
                         "一并导入，并与本系统的计算值核对")
        return lines

    @property
    def absent(self) -> list[str]:
        """Columns of this kind the file does not have: importing keeps their stored values."""
        if not self.columns:
            return []
        return [c.id for c in COLUMNS[self.kind] if c.id not in self.columns]


# -- validation --------------------------------------------------------------------------

# DECIMAL(18,6) holds 万元 amounts below 10^12; DECIMAL(6,2) scores below 10^4 (we allow 0–100).
MAX_AMOUNT_WANYUAN = 1e12
MAX_SCORE = 100.0
# A year-end balance may be negative: a deficit is real data (DESIGN §1).
SIGNED_AMOUNTS = {"carryover", "prior_carryover"}


class _Checker:
    """Collects problems for one file; each check is a boolean mask over the rows."""

    def __init__(self, file_name: str, rows: pd.Series):
        self.file_name = file_name
        self.rows = rows  # Excel row numbers
        self.problems: list[Problem] = []

    def flag(self, mask: pd.Series, column: str, message_for) -> None:
        mask = pd.Series(mask, index=self.rows.index).fillna(False).astype(bool)
        if not mask.any():
            return
        for row, raw in zip(self.rows[mask], message_for(mask)):
            self.problems.append(Problem(self.file_name, int(row), column, raw))

    def whole_file(self, message: str, column: str | None = None, row: int | None = None) -> None:
        self.problems.append(Problem(self.file_name, row, column, message))


# The checks work on the Arrow strings behind the table's columns with pyarrow.compute, the
# functions pandas' .str methods call for them (pc.utf8_trim_whitespace for .str.strip(),
# pc.utf8_length for .str.len(), ...), without pandas' conversions in between; NFKC stays
# unicodedata.normalize (as .str.normalize does), applied once per distinct value.

_STRING = pa.large_string()
_MISSING_SET = pa.array(sorted(MISSING_TOKENS), _STRING)


def _strings(series: pd.Series) -> pa.ChunkedArray:
    """The Arrow strings behind a "string" Series (no copy)."""
    if isinstance(series.array, pd.arrays.ArrowStringArray):
        return series.array.__arrow_array__()
    return pa.chunked_array([pa.array(series.astype("string"), type=_STRING, from_pandas=True)])


def _string_series(strings, index) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(strings), index=index)


def _mask(values) -> np.ndarray:
    """An Arrow boolean (null = False) as a numpy mask."""
    return pc.fill_null(values, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _nfkc(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """NFKC (full-width digits, commas, spaces → half-width) only where a value is not ASCII."""
    non_ascii = pc.fill_null(pc.invert(pc.string_is_ascii(text)), False)
    if not pc.any(non_ascii).as_py():
        return text
    distinct = pc.unique(pc.filter(text, non_ascii))
    normalised = pa.array([unicodedata.normalize("NFKC", v) for v in distinct.to_pylist()], _STRING)
    return pc.if_else(non_ascii, pc.take(normalised, pc.index_in(text, value_set=distinct)), text)


def _clean_text(strings: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Stripped text; blank and the marks people use for "none" (-, —, －, /, 无) are missing."""
    cleaned = pc.utf8_trim_whitespace(strings)
    missing = ~_mask(pc.is_valid(cleaned)) | _mask(pc.equal(cleaned, ""))
    short = np.flatnonzero(_mask(pc.less_equal(pc.utf8_length(cleaned), 2)) & ~missing)
    if len(short):
        marks = _mask(pc.is_in(_nfkc(cleaned.take(pa.array(short))), value_set=_MISSING_SET))
        missing[short[marks]] = True
    if missing.any():
        cleaned = pc.if_else(pa.array(missing), pa.scalar(None, _STRING), cleaned)
    return _string_series(cleaned, index)


def _to_float(text: pa.ChunkedArray, index: pd.Index) -> pd.Series:
    """Strings to float64 (NaN where missing or not a number); Arrow's parser when all parse."""
    try:
        values = pc.cast(text, pa.float64()).to_numpy(zero_copy_only=False)
        return pd.Series(values, index=index, dtype="float64")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return pd.to_numeric(_string_series(text, index), errors="coerce").astype("float64")


def _numbers(strings: pa.ChunkedArray, index: pd.Index) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values, missing mask, invalid mask) for a column of numeric text."""
    try:
        # Where every cell is a plain number, as generated and most exported files are, the steps
        # below change nothing: Arrow's parser takes only ASCII with no spaces or commas, and none
        # of the missing marks.
        values = pd.Series(pc.cast(strings, pa.float64()).to_numpy(zero_copy_only=False), index=index)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    else:
        missing = pd.Series(False, index=index)
        invalid = pd.Series(~np.isfinite(values.to_numpy()), index=index)
        return values.mask(invalid, np.nan), missing, invalid
    text = pc.utf8_trim_whitespace(_nfkc(strings))
    missing_np = ~_mask(pc.is_valid(text)) | _mask(pc.is_in(text, value_set=_MISSING_SET))
    for separator in (",", " "):   # thousands separators; most columns have none
        if pc.any(pc.match_substring(text, separator)).as_py():
            text = pc.replace_substring(text, separator, "")
    if missing_np.any():
        text = pc.if_else(pa.array(missing_np), pa.scalar(None, _STRING), text)
    values = _to_float(text, index)
    missing = pd.Series(missing_np, index=index)
    invalid = ~missing & (values.isna() | ~np.isfinite(values.fillna(0)))
    return values.mask(invalid | missing, np.nan), missing, invalid


def _validate(kind: str, table: pd.DataFrame, headers: dict[str, str], factors: dict[str, float],
              checker: _Checker) -> pd.DataFrame:
    """Typed canonical columns; every bad value is flagged on `checker`.

    Columns the file does not have are NULL; checks on them are skipped (their absence was
    already reported when required).
    """
    out = pd.DataFrame(index=table.index)
    this_year = dt.date.today().year
    for column in COLUMNS[kind]:
        shown = headers.get(column.id, column.label)
        if column.id not in table:
            dtype = {"amount": "float64", "score": "float64", "int": "Int64"}.get(column.type, "string")
            out[column.id] = pd.Series(None, index=table.index, dtype=dtype)
            continue
        raw = table[column.id]
        strings = _strings(raw)
        if column.type == "text":
            out[column.id] = _clean_text(strings, table.index)
        elif column.type == "int":
            values, missing, invalid = _numbers(strings, table.index)
            bad_year = ~missing & ~invalid & ((values % 1 != 0) | (values < 2000) | (values > this_year + 1))
            checker.flag(missing, shown, lambda m: ["年度为空"] * int(m.sum()))
            checker.flag(invalid | bad_year, shown,
                         lambda m: [f"年度应为 2000–{this_year + 1} 之间的整数，而不是「{v}」" for v in raw[m]])
            out[column.id] = values.mask(bad_year, np.nan).astype("Int64")
        elif column.type in ("amount", "score"):
            values, missing, invalid = _numbers(strings, table.index)
            checker.flag(invalid, shown, lambda m: [f"不是有效数字：「{v}」" for v in raw[m]])
            if column.id not in SIGNED_AMOUNTS:
                checker.flag(values < 0, shown, lambda m: [f"不能为负数：「{v}」" for v in raw[m]])
            if column.type == "amount":
                converted = (values * factors.get(column.id, 1.0)).round(6)
                too_big = converted.abs() >= MAX_AMOUNT_WANYUAN
                checker.flag(too_big, shown,
                             lambda m: [f"金额「{v}」过大（折合超过 1 万亿万元），请检查单位是否写错" for v in raw[m]])
                out[column.id] = converted.mask(too_big, np.nan)
            else:
                over = values > MAX_SCORE
                what = "自评得分" if column.id == "self_score" else column.label
                checker.flag(over, shown, lambda m: [f"{what}应在 0–100 之间，而不是「{v}」" for v in raw[m]])
                out[column.id] = values.mask(over, np.nan).round(2)
            if column.required and kind != "budget":
                checker.flag(missing, shown, lambda m: [f"{column.label}不能为空"] * int(m.sum()))
        elif column.type == "grade":
            text = _clean_text(strings, table.index)
            mapped = _canonical(text, GRADE_ALIASES)
            checker.flag(text.notna() & mapped.isna(), shown,
                         lambda m: [f"评价等级只能是 优/良/中/差（或 优秀/良好/中等/较差），而不是「{v}」"
                                    for v in text[m]])
            out[column.id] = mapped
        elif column.type == "rate":
            out[column.id] = _stated_rate(strings, table.index, raw, shown, checker)
        elif column.type == "score_of":
            text = _clean_text(strings, table.index)
            mapped = _canonical(text, SCORE_OF_ALIASES)
            checker.flag(text.notna() & mapped.isna(), shown,
                         lambda m: [f"评分类别只能是 自评 或 评价（外部评价），而不是「{v}」" for v in text[m]])
            out[column.id] = mapped.fillna("自评")
        elif column.type == "level":
            text = _clean_text(strings, table.index)
            norm = _canonical(text, LEVEL_ALIASES)
            checker.flag(text.notna() & norm.isna(), shown,
                         lambda m: [f"层级只能是 省级/市级/县级（区级按县级），而不是「{v}」" for v in text[m]])
            out[column.id] = norm

    if "unit_name" in table:
        checker.flag(out["unit_name"].isna(), headers["unit_name"], lambda m: ["单位名称为空"] * int(m.sum()))
    if kind == "projects" and "project_name" in table:
        checker.flag(out["project_name"].isna(), headers["project_name"],
                     lambda m: ["项目名称为空"] * int(m.sum()))
    if kind == "scores":
        if "dimension" in table:
            checker.flag(out["dimension"].isna(), headers["dimension"], lambda m: ["一级指标为空"] * int(m.sum()))
        over = out["score"] > out["max_score"]
        checker.flag(over, headers.get("score", "得分"),
                     lambda m: [f"得分 {s:g} 超过该指标分值 {mx:g}"
                                for s, mx in zip(out["score"][m], out["max_score"][m])])
    if kind == "scores":
        out["score_of"] = out["score_of"].fillna("自评")
    if kind == "stated_rates":
        # the label as printed is kept; the metric is its rate id when it names one
        out["label"] = out["metric"]
        out["metric"] = out["metric"].map(lambda v: rate_id(v) or v if isinstance(v, str) else v).astype("string")
    out["unit_code"] = _normalise_codes(out["unit_code"])
    out["unit_key"] = _unit_key(_strings(out["unit_code"]), _strings(out["unit_name"]),
                                _strings(out["region"]) if "region" in out else None, out.index)
    return out


# A bare number above this is taken for a percent written without its sign (79.34), not a fraction.
MAX_BARE_RATE = 10.0


def _stated_rate(strings: pa.ChunkedArray, index: pd.Index, raw: pd.Series, shown: str,
                 checker: _Checker) -> pd.Series:
    """A rate as a report printed it — "79.34%" or 0.7934 — as a fraction; required."""
    text = _clean_text(strings, index)
    plain = text.map(lambda v: unicodedata.normalize("NFKC", v).replace(",", "").strip() if isinstance(v, str) else v)
    percent = plain.str.endswith("%").fillna(False).astype(bool)
    number = pd.to_numeric(plain.str.rstrip("%").str.strip(), errors="coerce").astype("float64")
    value = number.where(~percent, number / 100)
    missing = text.isna()
    invalid = ~missing & value.isna()
    bare_percent = ~missing & ~invalid & ~percent & (number > MAX_BARE_RATE)
    checker.flag(missing, shown, lambda m: ["报告所列值不能为空"] * int(m.sum()))
    checker.flag(invalid, shown, lambda m: [f"不是有效的比率：「{v}」（应写成 79.34% 或 0.7934）" for v in raw[m]])
    checker.flag(bare_percent, shown,
                 lambda m: [f"比率「{v}」没有百分号，无法判断是 {v}% 还是 {v} 倍：请写成 {v}% 或小数" for v in raw[m]])
    return value.mask(invalid | bare_percent, np.nan).round(6)


def _normalise_codes(codes: pd.Series) -> pd.Series:
    """单位编码 as one spelling: full-width → half-width, every space removed, leading zeros kept
    (a code is text: 001234 and 1234 stay two codes; the importer asks when they meet)."""
    strings = _strings(codes)
    if not pc.any(pc.is_valid(strings)).as_py():
        return codes
    text = _nfkc(strings)
    if pc.any(pc.match_substring_regex(text, r"\s")).as_py():
        text = pc.replace_substring_regex(text, r"\s+", "")
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, _STRING), text)
    return _string_series(text, codes.index)


def name_key(name: str, region: str | None = None) -> str:
    """The key of a unit without a code: "name:<地区>|<单位名称>", or "name:<单位名称>" when
    its region is not known."""
    return f"name:{region}|{name}" if region else f"name:{name}"


def _unit_key(code: pa.ChunkedArray, name: pa.ChunkedArray, region: pa.ChunkedArray | None,
              index: pd.Index) -> pd.Series:
    """"code:<unit code>"; for a unit without a code "name:<地区>|<单位名称>" (a name is a unit
    within its region: two counties each have a 县教育局), or "name:<单位名称>" when the row
    gives no region (scores and projects rows are then resolved to a unit by batches.resolve_units)."""
    empty = pa.scalar("", _STRING)

    def prefixed(prefix, strings):
        return pc.binary_join_element_wise(pa.scalar(prefix, _STRING), strings, empty)

    key = prefixed("code:", code)
    has_code = pc.is_valid(code)
    if not pc.all(has_code).as_py():
        name = pc.fill_null(name, empty)
        by_name = prefixed("name:", name)
        if region is not None and pc.any(pc.is_valid(region)).as_py():
            within = pc.binary_join_element_wise(pa.scalar("name:", _STRING), pc.fill_null(region, empty),
                                                 pa.scalar("|", _STRING), name, empty)
            by_name = pc.if_else(pc.is_valid(region), within, by_name)
        key = pc.if_else(has_code, key, by_name)
    return _string_series(key, index)


def _check_duplicates(kind: str, out: pd.DataFrame, checker: _Checker, headers: dict[str, str]) -> None:
    keys = KEY_COLUMNS[kind]
    usable = out["unit_name"].notna() & out[keys].notna().all(axis=1)
    dup = out.duplicated(keys, keep=False) & usable
    if not dup.any():
        return
    first_row = out[dup].groupby(keys)["source_row"].transform("min").reindex(out.index)
    later = dup & out["source_row"].ne(first_row)
    what = {"budget": "同一单位同一年度", "scores": "同一单位、年度和一级指标",
            "projects": "同一单位、年度和项目名称", "stated_rates": "同一单位、年度和比率"}[kind]
    column = headers.get("unit_name", "单位名称")
    checker.flag(later, column,
                 lambda m: [f"与第 {int(r)} 行重复（{what}只能有一行）" for r in first_row[m]])


def _total_rows(table: pd.DataFrame) -> pd.Series:
    """Rows whose label (year, code, unit, project or dimension cell) says 合计 / 总计 / 小计."""
    found = np.zeros(len(table), dtype=bool)
    for cid in ("year", "unit_code", "unit_name", "project_name", "dimension"):
        if cid in table:
            cells = _strings(table[cid])
            distinct = pc.unique(cells)   # names and codes repeat: look at each value once
            candidate = pc.and_(pc.match_substring(distinct, "计"), pc.less_equal(pc.utf8_length(distinct), 12))
            candidates = pc.filter(distinct, pc.fill_null(candidate, False)).to_pylist()
            totals = [v for v in candidates
                      if re.sub(r"\s+", "", unicodedata.normalize("NFKC", v)) in TOTAL_ROW_LABELS]
            if totals:
                found |= _mask(pc.is_in(cells, value_set=pa.array(totals, _STRING)))
    return pd.Series(found, index=table.index)


def _canonical(text: pd.Series, aliases: dict[str, str]) -> pd.Series:
    """Map cleaned text through `aliases`; values not found as written are retried after NFKC."""
    strings = _strings(text)
    names, canonical = pa.array(list(aliases), _STRING), pa.array(list(aliases.values()), _STRING)
    mapped = pc.take(canonical, pc.index_in(strings, value_set=names))
    retry = pc.and_(pc.is_valid(strings), pc.is_null(mapped))
    if pc.any(retry).as_py():
        mapped = pc.if_else(retry, pc.take(canonical, pc.index_in(_nfkc(strings), value_set=names)), mapped)
    return _string_series(mapped, text.index)


# -- one table --------------------------------------------------------------------------


def _parse_table(data: bytes, name: str, limits: Limits, kind: str, header_row: list[str],
                 header_at: int, read_body, screen=None) -> ParsedFile:
    """Map the header, read the records below it (read_body(width, positions) → _Body), validate.

    screen(table, source_rows), when given, sees the records as text before anything is checked
    (the fast CSV path hands a file that is not plain to the spreadsheet reader from there)."""
    header_line = header_at + 1          # as Excel numbers it
    checker = _Checker(name, pd.Series(dtype="int64"))
    headers: dict[str, str] = {}
    factors: dict[str, float] = {}
    positions: dict[str, int] = {}
    warnings: list[str] = []
    for position, raw in enumerate(header_row):
        shown = str(raw).strip()
        if not shown:
            continue
        column, factor = match_header(kind, raw)
        if column is None:
            warnings.append(f"已忽略无法识别的列「{shown}」")
        elif column.id in positions:
            checker.whole_file(f"列「{shown}」与「{headers[column.id]}」重复", shown, header_line)
        else:
            headers[column.id] = shown
            factors[column.id] = factor
            positions[column.id] = position
    for column in COLUMNS[kind]:
        if column.required and column.id not in positions:
            checker.whole_file(f"缺少必填列「{column.label}」", column.label, header_line)
    if kind == "budget" and "initial_budget" not in positions and "adjusted_budget" not in positions:
        checker.whole_file("缺少预算数列：至少需要「年初预算数」或「调整后预算数」之一", "年初预算数", header_line)

    body = read_body(len(header_row), sorted(set(positions.values())))
    if not len(body.lines):
        checker.whole_file("只有表头，没有数据行", None, header_line)
        raise ImportRefused(checker.problems)
    if len(body.lines) > limits.max_rows:
        raise ImportRefused([Problem(name, None, None,
                                     f"数据 {len(body.lines):,} 行，超过单个文件上限 {limits.max_rows:,} 行，请拆分后导入")])
    for row, extra in body.too_long:
        checker.problems.append(Problem(name, row, None, f"该行比表头多出 {extra} 个值，请检查是否有多余的逗号"))
    table = pd.DataFrame({cid: pd.arrays.ArrowStringArray(body.columns[pos]) for cid, pos in positions.items()},
                         index=pd.RangeIndex(len(body.lines)))
    source_rows = pd.Series(body.lines, index=table.index)
    del body
    if screen is not None:
        screen(table, source_rows)

    total_rows = _total_rows(table)
    if total_rows.any():
        warnings.append(f"已跳过合计行：第 {', '.join(str(r) for r in source_rows[total_rows])} 行")
        table = table[~total_rows].reset_index(drop=True)
        source_rows = source_rows[~total_rows].reset_index(drop=True)
    checker.rows = source_rows

    out = _validate(kind, table, headers, factors, checker)
    out["source_row"] = source_rows.values
    if all(c in positions for c in ("year", "unit_name")):
        _check_duplicates(kind, out, checker, headers)
    if checker.problems:
        checker.problems.sort(key=lambda p: (p.row or 0))
        raise ImportRefused(checker.problems)
    sha = hashlib.sha256(data).hexdigest()
    return ParsedFile(name, sha, kind, out, warnings, int(total_rows.sum()), tuple(positions))
