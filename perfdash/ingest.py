"""Reading, validating and importing the CSV / XLSX files staff upload.

Three kinds of file (budget figures, first-level scores, projects), recognised from their
headers. A file is parsed and validated as a whole, vectorised with pandas; every problem
is reported with the file name, the row as Excel numbers it (header = row 1) and the
column header as written in the file. Nothing is written unless every file of the command
is valid, and then all of them are written in one transaction.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from perfdash import rates
from perfdash.db import Database, run, run_script

# -- what the files may contain ----------------------------------------------------------


@dataclass(frozen=True)
class Column:
    id: str
    label: str                 # canonical Chinese header, used in templates and messages
    aliases: tuple[str, ...]   # other accepted headers (normalised form)
    type: str                  # int | text | amount | score | grade | level
    required: bool = False


def _col(id, label, type, *aliases, required=False):
    return Column(id, label, tuple(aliases), type, required)


YEAR = _col("year", "年度", "int", "年份", "年", required=True)
UNIT_CODE = _col("unit_code", "单位编码", "text", "单位代码", "预算单位编码", "单位编号")
UNIT_NAME = _col("unit_name", "单位名称", "text", "预算单位名称", "部门名称", "单位", required=True)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "budget": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("region", "地区", "text", "区域", "所属地区"),
        _col("level", "层级", "level", "级次", "单位层级"),
        _col("sector", "行业", "text", "行业类别", "领域", "所属行业"),
        _col("initial_budget", "年初预算数", "amount", "年初预算"),
        _col("adjusted_budget", "调整后预算数", "amount", "调整后预算数(全年预算数)", "全年预算数",
             "调整预算数", "全年预算"),
        _col("funds_received", "实际到位资金", "amount", "到位资金", "资金到位数"),
        _col("actual_spend", "实际支出数", "amount", "实际支出数(执行数)", "执行数", "实际支出",
             "预算执行数", required=True),
        _col("carryover", "结转结余", "amount", "结转结余数", "年末结转结余", "结转结余总额"),
        _col("prior_carryover", "上年结转结余", "amount", "上年结转结余数", "年初结转结余"),
        _col("sangong_budget", "三公经费预算数", "amount", "三公预算数"),
        _col("sangong_actual", "三公经费实际数", "amount", "三公经费支出数", "三公经费执行数", "三公实际数"),
        _col("procurement_budget", "政府采购预算数", "amount", "采购预算数"),
        _col("procurement_actual", "政府采购实际数", "amount", "政府采购执行数", "采购实际数"),
        _col("self_score", "自评得分", "score", "得分", "总得分", "综合得分"),
        _col("grade", "评价等级", "grade", "等级", "自评等级", "绩效等级"),
    ),
    "scores": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("dimension", "一级指标", "text", "指标", "评价维度", required=True),
        _col("max_score", "分值", "score", "满分", "指标分值", required=True),
        _col("score", "得分", "score", "实得分", "自评得分", required=True),
    ),
    "projects": (
        YEAR, UNIT_CODE, UNIT_NAME,
        _col("project_name", "项目名称", "text", "项目", required=True),
        _col("category", "项目类别", "text", "类别", "项目类型"),
        _col("budget", "预算数", "amount", "项目预算数", "预算金额", required=True),
        _col("actual_spend", "实际支出数", "amount", "执行数", "实际支出", "支出数", required=True),
    ),
}

KIND_LABEL = {"budget": "预算执行数据", "scores": "一级指标得分", "projects": "项目支出数据"}
KEY_COLUMNS = {
    "budget": ["unit_key", "year"],
    "scores": ["unit_key", "year", "dimension"],
    "projects": ["unit_key", "year", "project_name"],
}
# Headers that tell the kinds apart; anything else with a unit name is a budget file.
KIND_MARKERS = {"scores": "dimension", "projects": "project_name"}

GRADE_ALIASES = {"优": "优", "优秀": "优", "良": "良", "良好": "良", "中": "中", "中等": "中",
                 "差": "差", "较差": "差"}
LEVEL_ALIASES = {"省级": "省级", "省": "省级", "市级": "市级", "市": "市级", "地市级": "市级",
                 "县级": "县级", "县": "县级", "区级": "县级", "县区级": "县级", "县(区)级": "县级",
                 "县(市、区)级": "县级"}
MISSING_TOKENS = {"", "-", "--", "—", "——", "–", "/", "无"}
TOTAL_ROW_NAMES = {"合计", "总计", "小计", "合 计", "总 计"}

MAX_HEADER_SEARCH_ROWS = 10
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_MAX_XLSX_UNCOMPRESSED = 200 * 1024 * 1024


# -- results and problems ----------------------------------------------------------------


@dataclass
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f" 「{self.column}」"
        return f"{where}：{self.message}"

    def as_dict(self) -> dict:
        return {"文件": self.file, "行": self.row, "列": self.column, "问题": self.message}


class ImportRefused(Exception):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} 个问题，未导入任何数据")

    def report(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class Limits:
    max_bytes: int = DEFAULT_MAX_BYTES
    max_rows: int = DEFAULT_MAX_ROWS
    max_xlsx_uncompressed: int = DEFAULT_MAX_XLSX_UNCOMPRESSED


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    kind: str
    frame: pd.DataFrame            # canonical columns, typed; source_row = Excel row number
    warnings: list[str] = field(default_factory=list)
    skipped_rows: int = 0


@dataclass
class BatchResult:
    batch_id: int | None           # None when the file changed nothing (no batch recorded)
    file_name: str
    kind: str
    inserted: int
    updated: int
    unchanged: int
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


# -- headers -----------------------------------------------------------------------------

_UNIT_SUFFIX = re.compile(r"^(.*?)\((万元|元)\)$")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」")


def normalise_header(text) -> str:
    """NFKC (full-width brackets, digits, letters → half-width), no quotes or spaces, lower-case."""
    text = unicodedata.normalize("NFKC", str(text or "")).translate(_QUOTES)
    return re.sub(r"\s+", "", text).lower()


def _header_index(kind: str) -> dict[str, Column]:
    index = {}
    for column in COLUMNS[kind]:
        for name in (column.id, column.label, *column.aliases):
            index[normalise_header(name)] = column
    return index


HEADER_INDEX = {kind: _header_index(kind) for kind in COLUMNS}


def match_header(kind: str, raw: str) -> tuple[Column | None, float]:
    """The column a header names and the factor that converts its amounts to 万元."""
    norm = normalise_header(raw)
    index = HEADER_INDEX[kind]
    if norm in index:
        return index[norm], 1.0
    unit = _UNIT_SUFFIX.match(norm)
    if unit and unit.group(1) in index:
        return index[unit.group(1)], (0.0001 if unit.group(2) == "元" else 1.0)
    return None, 1.0


def detect_kind(headers: list[str]) -> str | None:
    for kind, marker in KIND_MARKERS.items():
        if any((c := match_header(kind, h)[0]) is not None and c.id == marker for h in headers):
            return kind
    if any((c := match_header("budget", h)[0]) is not None and c.id == "unit_name" for h in headers):
        return "budget"
    return None


# -- reading bytes into rows -------------------------------------------------------------


def decode_text(data: bytes) -> str:
    """BOM → strict UTF-8 → GB18030 (a superset of GBK), as Chinese Excel files need."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _csv_rows(data: bytes) -> list[list[str]]:
    text = decode_text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes, limits: Limits) -> list[list[str]]:
    import openpyxl

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        uncompressed = sum(info.file_size for info in archive.infolist())
    if uncompressed > limits.max_xlsx_uncompressed:
        raise ValueError(
            f"XLSX 解压后 {uncompressed / 1024 / 1024:.0f} MB，超过上限 "
            f"{limits.max_xlsx_uncompressed / 1024 / 1024:.0f} MB，疑似异常文件，已拒绝"
        )
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append([_cell_text(v) for v in row])
            if len(rows) > limits.max_rows + MAX_HEADER_SEARCH_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_rows(data: bytes, file_name: str, limits: Limits) -> list[list[str]]:
    suffix = Path(file_name).suffix.lower()
    if suffix == ".xls":
        raise ValueError("不支持旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或 CSV")
    if data.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        try:
            return _xlsx_rows(data, limits)
        except (zipfile.BadZipFile, KeyError, OSError) as exc:
            raise ValueError(f"无法读取 XLSX 文件（{type(exc).__name__}），文件可能已损坏") from exc
    try:
        return _csv_rows(data)
    except UnicodeDecodeError as exc:
        raise ValueError("无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）") from exc
    except csv.Error as exc:
        raise ValueError(f"CSV 格式错误：{exc}") from exc


# -- validation --------------------------------------------------------------------------


class _Checker:
    """Collects problems for one file; each check is a boolean mask over the rows."""

    def __init__(self, file_name: str, rows: pd.Series):
        self.file_name = file_name
        self.rows = rows  # Excel row numbers
        self.problems: list[Problem] = []

    def flag(self, mask: pd.Series, column: str, message_for) -> None:
        if not mask.any():
            return
        for row, raw in zip(self.rows[mask], message_for(mask)):
            self.problems.append(Problem(self.file_name, int(row), column, raw))

    def whole_file(self, message: str, column: str | None = None) -> None:
        self.problems.append(Problem(self.file_name, None, column, message))


def _clean_text(series: pd.Series) -> pd.Series:
    cleaned = series.astype("string").str.strip()
    return cleaned.mask(cleaned == "", None)


def _numbers(series: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(values, missing mask, invalid mask) for a column of numeric text."""
    text = series.astype("string").str.normalize("NFKC").str.strip()
    missing = text.isna() | text.isin(MISSING_TOKENS)
    cleaned = text.str.replace(r"[,\s]", "", regex=True)
    values = pd.to_numeric(cleaned.mask(missing, None), errors="coerce").astype("float64")
    invalid = ~missing & (values.isna() | ~np.isfinite(values.fillna(0)))
    return values.mask(invalid | missing, np.nan), missing, invalid


def _validate(kind: str, table: pd.DataFrame, headers: dict[str, str], factors: dict[str, float],
              checker: _Checker) -> pd.DataFrame:
    out = pd.DataFrame(index=table.index)
    this_year = dt.date.today().year
    for column in COLUMNS[kind]:
        shown = headers.get(column.id, column.label)
        if column.id not in table:
            out[column.id] = None
            continue
        raw = table[column.id]
        if column.type == "text":
            out[column.id] = _clean_text(raw)
        elif column.type == "int":
            values, missing, invalid = _numbers(raw)
            bad_year = ~missing & ~invalid & ((values % 1 != 0) | (values < 2000) | (values > this_year + 1))
            checker.flag(missing, shown, lambda m: ["年度为空"] * int(m.sum()))
            checker.flag(invalid | bad_year, shown,
                         lambda m: [f"年度应为 2000–{this_year + 1} 之间的整数，而不是「{v}」" for v in raw[m]])
            out[column.id] = values.astype("Int64")
        elif column.type in ("amount", "score"):
            values, missing, invalid = _numbers(raw)
            checker.flag(invalid, shown, lambda m: [f"不是有效数字：「{v}」" for v in raw[m]])
            checker.flag(values < 0, shown, lambda m: [f"不能为负数：「{v}」" for v in raw[m]])
            if column.type == "amount":
                out[column.id] = (values * factors.get(column.id, 1.0)).round(6)
            else:
                if kind == "budget":
                    checker.flag(values > 100, shown,
                                 lambda m: [f"自评得分应在 0–100 之间，而不是「{v}」" for v in raw[m]])
                out[column.id] = values.round(2)
            if column.required and kind != "budget":
                checker.flag(missing, shown, lambda m: ["不能为空"] * int(m.sum()))
        elif column.type == "grade":
            text = _clean_text(raw)
            mapped = text.map(lambda v: GRADE_ALIASES.get(v) if v is not None else None)
            checker.flag(text.notna() & mapped.isna(), shown,
                         lambda m: [f"评价等级只能是 优/良/中/差（或 优秀/良好/中等/较差），而不是「{v}」"
                                    for v in text[m]])
            out[column.id] = mapped
        elif column.type == "level":
            text = _clean_text(raw)
            norm = text.map(lambda v: LEVEL_ALIASES.get(unicodedata.normalize("NFKC", v)) if v is not None else None)
            checker.flag(text.notna() & norm.isna(), shown,
                         lambda m: [f"层级只能是 省级/市级/县级（区级按县级），而不是「{v}」" for v in text[m]])
            out[column.id] = norm

    name_header = headers.get("unit_name", "单位名称")
    checker.flag(out["unit_name"].isna(), name_header, lambda m: ["单位名称为空"] * int(m.sum()))
    if kind == "projects":
        checker.flag(out["project_name"].isna(), headers.get("project_name", "项目名称"),
                     lambda m: ["项目名称为空"] * int(m.sum()))
    if kind == "scores":
        dim_header = headers.get("dimension", "一级指标")
        checker.flag(out["dimension"].isna(), dim_header, lambda m: ["一级指标为空"] * int(m.sum()))
        over = out["score"] > out["max_score"]
        checker.flag(over, headers.get("score", "得分"),
                     lambda m: [f"得分 {s:g} 超过该指标分值 {mx:g}"
                                for s, mx in zip(out["score"][m], out["max_score"][m])])
    code = out["unit_code"]
    out["unit_key"] = ("code:" + code).where(code.notna(), "name:" + out["unit_name"].fillna(""))
    return out


def _check_duplicates(kind: str, out: pd.DataFrame, checker: _Checker, headers: dict[str, str]) -> None:
    keys = KEY_COLUMNS[kind]
    dup = out.duplicated(keys, keep=False) & out["unit_name"].notna()
    if not dup.any():
        return
    first_row = out[dup].groupby(keys, dropna=False)["source_row"].transform("min")
    later = dup & out["source_row"].ne(first_row.reindex(out.index))
    what = {"budget": "同一单位同一年度", "scores": "同一单位、年度和一级指标",
            "projects": "同一单位、年度和项目名称"}[kind]
    column = headers.get("unit_name", "单位名称")
    checker.flag(later, column,
                 lambda m: [f"与第 {r} 行重复（{what}只能有一行）" for r in first_row.reindex(out.index)[m]])


def parse_file(data: bytes, file_name: str, limits: Limits | None = None) -> ParsedFile:
    """Parse and validate one file; raises ImportRefused listing every problem in it."""
    limits = limits or Limits()
    name = Path(file_name).name
    if len(data) > limits.max_bytes:
        raise ImportRefused([Problem(name, None, None,
                                     f"文件大小 {len(data) / 1024 / 1024:.1f} MB，超过上限 "
                                     f"{limits.max_bytes / 1024 / 1024:.0f} MB")])
    if not data.strip():
        raise ImportRefused([Problem(name, None, None, "文件为空")])
    try:
        rows = read_rows(data, name, limits)
    except ValueError as exc:
        raise ImportRefused([Problem(name, None, None, str(exc))]) from None

    header_at, kind = None, None
    for i, row in enumerate(rows[:MAX_HEADER_SEARCH_ROWS]):
        kind = detect_kind(row)
        if kind:
            header_at = i
            break
    if kind is None:
        raise ImportRefused([Problem(name, None, None,
                                     "找不到表头：前 10 行中没有「单位名称」等列名，无法识别文件类型。"
                                     "请使用数据导入页提供的模板")])

    header_row = rows[header_at]
    checker = _Checker(name, pd.Series(dtype="int64"))
    headers: dict[str, str] = {}
    factors: dict[str, float] = {}
    positions: dict[str, int] = {}
    warnings: list[str] = []
    for position, raw in enumerate(header_row):
        if not str(raw).strip():
            continue
        column, factor = match_header(kind, raw)
        if column is None:
            warnings.append(f"已忽略无法识别的列「{str(raw).strip()}」")
        elif column.id in positions:
            checker.whole_file(f"列「{raw}」与「{headers[column.id]}」重复", str(raw).strip())
        else:
            headers[column.id] = str(raw).strip()
            factors[column.id] = factor
            positions[column.id] = position
    for column in COLUMNS[kind]:
        if column.required and column.id not in positions:
            checker.whole_file(f"缺少必填列「{column.label}」", column.label)
    if kind == "budget" and "initial_budget" not in positions and "adjusted_budget" not in positions:
        checker.whole_file("缺少预算数列：至少需要「年初预算数」或「调整后预算数」之一", "年初预算数")
    if checker.problems:
        raise ImportRefused(checker.problems)

    body = rows[header_at + 1:]
    width = len(header_row)
    numbers = np.arange(header_at + 2, header_at + 2 + len(body))
    keep = [i for i, r in enumerate(body) if any(str(c).strip() for c in r)]
    if not keep:
        raise ImportRefused([Problem(name, None, None, "只有表头，没有数据行")])
    if len(keep) > limits.max_rows:
        raise ImportRefused([Problem(name, None, None,
                                     f"数据 {len(keep):,} 行，超过单个文件上限 {limits.max_rows:,} 行，请拆分后导入")])
    for i in keep:
        extra = [c for c in body[i][width:] if str(c).strip()]
        if extra:
            checker.problems.append(Problem(name, int(numbers[i]), None,
                                            f"该行比表头多出 {len(extra)} 个值，请检查是否有多余的逗号"))
    table = pd.DataFrame(
        {cid: [(body[i][pos] if pos < len(body[i]) else "") for i in keep] for cid, pos in positions.items()},
        dtype="string",
    )
    table.index = pd.RangeIndex(len(keep))
    source_rows = pd.Series(numbers[keep], index=table.index)
    checker.rows = source_rows

    names = _clean_text(table["unit_name"]) if "unit_name" in table else pd.Series(dtype="string")
    total_rows = names.isin(TOTAL_ROW_NAMES).fillna(False).astype(bool)
    if total_rows.any():
        warnings.append(f"已跳过合计行：第 {', '.join(str(r) for r in source_rows[total_rows])} 行")
        table = table[~total_rows].reset_index(drop=True)
        source_rows = source_rows[~total_rows].reset_index(drop=True)
        checker.rows = source_rows

    out = _validate(kind, table, headers, factors, checker)
    out["source_row"] = source_rows.values
    _check_duplicates(kind, out, checker, headers)
    if checker.problems:
        checker.problems.sort(key=lambda p: (p.row or 0))
        raise ImportRefused(checker.problems)
    sha = hashlib.sha256(data).hexdigest()
    return ParsedFile(name, sha, kind, out, warnings, int(total_rows.sum()))


# -- writing -----------------------------------------------------------------------------

DIFF_QUERY = {kind: f"import/diff_{kind}" for kind in COLUMNS}
APPLY_QUERY = {kind: f"import/apply_{kind}" for kind in COLUMNS}


def _stage(cur, parsed: ParsedFile) -> tuple[int, int, int]:
    cur.register("incoming", parsed.frame)
    try:
        run(cur, DIFF_QUERY[parsed.kind])
    finally:
        cur.unregister("incoming")
    inserted, updated, unchanged = run(cur, "import/diff_counts").fetchall()[0]
    return int(inserted), int(updated), int(unchanged)


def preview(db: Database, parsed: ParsedFile) -> tuple[tuple[int, int, int], pd.DataFrame]:
    """What importing `parsed` would change: counts and the new / changed rows (nothing written)."""
    cur = db.con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        counts = _stage(cur, parsed)
        changes = run(cur, "import/diff_rows").df()
        cur.execute("ROLLBACK")
        return counts, changes
    finally:
        cur.close()


def read_files(paths) -> list[tuple[str, bytes]]:
    return [(Path(p).name, Path(p).read_bytes()) for p in paths]


def parse_all(files: list[tuple[str, bytes]], limits: Limits | None = None) -> list[ParsedFile]:
    """Parse every file; raises one ImportRefused with the problems of all of them."""
    parsed, problems = [], []
    for name, data in files:
        try:
            parsed.append(parse_file(data, name, limits))
        except ImportRefused as refused:
            problems.extend(refused.problems)
    if problems:
        raise ImportRefused(problems)
    return parsed


def import_parsed(db: Database, parsed: list[ParsedFile], *, imported_by: str | None = None,
                  is_demo: bool = False, now: dt.datetime | None = None) -> list[BatchResult]:
    """Write already-validated files in one transaction; each file that changes rows is a batch."""
    now = now or dt.datetime.now().replace(microsecond=0)
    results = []
    with db.transaction() as cur:
        for item in parsed:
            inserted, updated, unchanged = _stage(cur, item)
            batch_id = None
            if inserted or updated:
                batch_id = int(run(cur, "import/next_batch_id").fetchall()[0][0])
                run_script(cur, APPLY_QUERY[item.kind], batch_id=batch_id)
                run(cur, "import/insert_batch", batch_id=batch_id, file_name=item.file_name,
                    sha256=item.sha256, kind=item.kind, inserted=inserted, updated=updated,
                    unchanged=unchanged, imported_at=now, imported_by=imported_by, is_demo=is_demo)
            results.append(BatchResult(batch_id, item.file_name, item.kind, inserted, updated,
                                       unchanged, item.warnings))
        if any(r.changed for r in results):
            rates.refresh(cur, db)
            run(cur, "db/bump_data_version")
    return results


def import_files(db: Database, files: list[tuple[str, bytes]], *, imported_by: str | None = None,
                 is_demo: bool = False, limits: Limits | None = None) -> list[BatchResult]:
    """All-or-nothing import of several files (name, bytes)."""
    return import_parsed(db, parse_all(files, limits), imported_by=imported_by, is_demo=is_demo)


class RollbackRefused(Exception):
    pass


def rollback(db: Database, batch_id: int, *, now: dt.datetime | None = None) -> dict:
    """Undo one batch, restoring exactly the rows it replaced."""
    now = now or dt.datetime.now().replace(microsecond=0)
    with db.transaction() as cur:
        found = run(cur, "import/batch", batch_id=batch_id).df()
        if found.empty:
            raise RollbackRefused(f"没有编号为 {batch_id} 的导入批次")
        batch = found.iloc[0].to_dict()
        if batch["status"] != "active":
            raise RollbackRefused(f"批次 {batch_id}（{batch['file_name']}）已经回滚过")
        blockers = [r[0] for r in run(cur, "import/rollback_blockers", batch_id=batch_id).fetchall()]
        if blockers:
            listed = "、".join(str(b) for b in blockers)
            raise RollbackRefused(
                f"批次 {batch_id} 的部分数据已被之后的批次 {listed} 修改，请先回滚批次 {listed}")
        run_script(cur, "import/rollback", batch_id=batch_id, rolled_back_at=now)
        rates.refresh(cur, db)
        run(cur, "db/bump_data_version")
    return batch
