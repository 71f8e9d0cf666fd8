"""Writing validated files: the preview of what an import would change, the import itself
(all files in one transaction, each file that changes rows a batch), and rollback.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from perfdash.derive import rates
from perfdash.errors import (
    NEW_REGION, ImportRefused, Problem, RollbackRefused, ScaleQuestion, ScaleUnconfirmed, UnitChangesUnconfirmed,
    UnitQuestion,
)
from perfdash.ingest import unit_map
from perfdash.ingest.columns import COLUMNS, KEY_COLUMNS
from perfdash.ingest.readers import Limits
from perfdash.ingest.parse import parse_all
from perfdash.ingest.validate import ParsedFile, name_key
from perfdash.store.connection import Database, registered, run, run_script


@dataclass
class BatchResult:
    batch_id: int | None           # None when the file changed nothing (no batch recorded)
    file_name: str
    kind: str
    inserted: int
    updated: int
    unchanged: int
    warnings: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)   # ParsedFile.details(): sheets, units, skipped rows
    stated_rates: int = 0                              # the report's own rates read, not stored yet
    unit_changes: list[UnitQuestion] = field(default_factory=list)   # confirmed 地区/层级/编码 changes
    scale: ScaleQuestion | None = None       # confirmed: amounts imported as read despite the scale check

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


# -- writing -----------------------------------------------------------------------------

DIFF_QUERY = {kind: f"import/diff_{kind}" for kind in COLUMNS}
APPLY_QUERY = {kind: f"import/apply_{kind}" for kind in COLUMNS}


# A whole file whose budget amounts are ~10,000× (or 1/10,000 of) the same units' stored ones
# was read at the wrong scale. The median over units is far from 1,000 for any real change.
SCALE_LIMIT = 1000.0


# A file of units with nothing stored to compare with: the median budget (万元, as read) above which
# it cannot be a file of departments' annual budgets in 万元. City and county departments' medians
# are hundreds to a few thousand 万元, provincial departments' tens of thousands at most; a 元 file
# read as 万元 puts a department of 100 万元 at 1,000,000. 100,000 万元 (10 亿元) sits between.
MEDIAN_LIMIT = 100_000.0
CONFIRMABLE = "核对无误、金额确实如此时，可以确认按表中数值导入（导入后列入「数据核查」）"


def _check_scale(cur, parsed: ParsedFile) -> ScaleQuestion | None:
    """A budget file read at the wrong scale (queries/import/scale_check.sql), or — units
    with no stored history — a median budget no department has (import/median_check.sql)."""
    units, ratio, basis = run(cur, "import/scale_check").fetchall()[0]
    if units and ratio is not None and not 1 / SCALE_LIMIT < ratio < SCALE_LIMIT:
        than = "已存同年度" if basis == "same_year" else "上年"
        if ratio >= SCALE_LIMIT:
            times = f"{ratio:,.0f}"
            cause = ("可能是以元为单位的表格未注明「单位：元」，被按万元读取。请在表头或表格上方注明单位"
                     "（如第一行写「单位：元」，或列名写「年初预算数（元）」）后重新上传")
        else:
            times = f"1/{1 / ratio:,.0f}"
            cause = ("可能是表格注明的单位有误（如把万元写成了元），或库中已有的数据当初按元存成了万元。"
                     "请核对表格的单位；若库中数据有误，请先回滚那次导入")
        return ScaleQuestion(parsed.file_name, f"金额约为{than}同一批单位的 {times} 倍（{units} 个单位比较的中位数），"
                             f"{cause}。本次未导入任何数据；{CONFIRMABLE}", basis, float(ratio), int(units))
    units, median = run(cur, "import/median_check").fetchall()[0]
    if not units or median is None or median <= MEDIAN_LIMIT:
        return None
    return ScaleQuestion(parsed.file_name,
                         f"库中没有可比的往年数据，而表中 {units} 个单位的预算数中位数为 {median:,.2f} 万元"
                         f"（约 {median / 10000:,.0f} 亿元），超过一个部门年度预算的常见范围"
                         f"（中位数超过 {MEDIAN_LIMIT:,.0f} 万元即提示）。可能是以元为单位的表格未注明「单位：元」，"
                         "被按万元读取，金额会大 10,000 倍。请在表格上方写「单位：元」或在列名写「（元）」后重新上传。"
                         f"本次未导入任何数据；{CONFIRMABLE}", "median", float(median), int(units))


# -- which unit a row means (DESIGN §1 "Unit identity") -----------------------------------

NO_REGION = "（未填地区）"


def _upload_units(parsed: list[ParsedFile]) -> pd.DataFrame:
    frames = [p.frame.loc[p.frame["unit_code"].notna() | p.frame["region"].notna(),
                          ["unit_name", "unit_key", "region"]] for p in parsed if p.kind == "budget"]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in ("unit_name", "unit_key", "region")})
    return pd.concat(frames, ignore_index=True).drop_duplicates().astype("string")


def resolve_units(cur, parsed: list[ParsedFile]) -> list[ParsedFile]:
    """Rows giving neither 单位编码 nor 地区 (score and project files have no 地区 column; a
    budget file may lack it) name a unit by its name alone: the unit of that name among the
    stored budget units and the budget rows of the same upload that give a code or a region.
    A name no budget unit has keeps the key "name:<单位名称>"; a name two or more units have (two
    counties' 县教育局) is refused, naming them, rather than guessed. Rows giving a 地区 were
    keyed by name within it already. Returns the files with their rows' unit_key settled."""
    open_rows = {i: item.frame["unit_code"].isna() & item.frame["region"].isna()
                 for i, item in enumerate(parsed) if item.kind != unit_map.KIND}
    open_rows = {i: rows for i, rows in open_rows.items() if rows.any()}
    if not open_rows:
        return parsed
    names = pd.DataFrame({"unit_name": pd.concat(
        [parsed[i].frame.loc[rows, "unit_name"] for i, rows in open_rows.items()]).dropna().unique()},
        dtype="string")
    with registered(cur, wanted_names=names, upload_units=_upload_units(parsed)):
        found = run(cur, "import/unit_candidates").df()
    units: dict[str, dict[str, list[str]]] = {}     # name → unit_key → regions seen
    for name, key, region in found.itertuples(index=False):
        regions = units.setdefault(name, {}).setdefault(key, [])
        shown = region if isinstance(region, str) else NO_REGION
        if shown not in regions:
            regions.append(shown)
    problems, out = [], list(parsed)
    for i, rows in open_rows.items():
        item = parsed[i]
        frame = item.frame
        named = frame.loc[rows, "unit_name"]
        settle = {name: next(iter(units[name])) if len(units.get(name, {})) == 1 else name_key(name)
                  for name in named.dropna().unique() if len(units.get(name, {})) <= 1}
        for index in named.index[~named.isin(list(settle))]:   # names several units have
            name = named.at[index]
            described = "、".join(_describe(key, regions) for key, regions in units[name].items())
            problems.append(Problem(item.file_name, int(frame.at[index, "source_row"]), "单位名称",
                                    f"「{name}」不止一个单位：{described}。无法确定是哪一个，"
                                    "请在该行填写「地区」或「单位编码」后重新上传"))
        keys = frame["unit_key"].copy()
        keys.loc[named.index] = named.map(settle).astype("string")
        settled = frame.assign(unit_key=keys)
        problems += _same_unit_twice(item, settled)
        out[i] = dataclasses.replace(item, frame=settled)
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: (p.file, p.row or 0)))
    return out


def _same_unit_twice(item: ParsedFile, frame: pd.DataFrame) -> list[Problem]:
    """Rows that name one unit two ways (with and without its 地区) and so are one row twice."""
    keys = KEY_COLUMNS[item.kind]
    usable = frame[keys].notna().all(axis=1)
    dup = frame.duplicated(keys, keep=False) & usable
    if not dup.any():
        return []
    first = frame[dup].groupby(keys)["source_row"].transform("min")
    return [Problem(item.file_name, int(row), "单位名称", f"与第 {int(f)} 行是同一单位的同一行（只能有一行）")
            for row, f in zip(frame.loc[dup, "source_row"], first) if row != f]


def _describe(key: str, regions: list[str]) -> str:
    where = "、".join(regions)
    return f"{where}（单位编码 {key.removeprefix('code:')}）" if key.startswith("code:") else where


def unit_questions(cur, parsed: ParsedFile) -> list[UnitQuestion]:
    """What importing `parsed` would change about stored units that must be confirmed first:
    another 地区 or 层级 for the same unit, a 单位编码 differing from a stored one only by its
    leading zeros (queries/import/unit_questions.sql)."""
    frame = parsed.frame
    rows = pd.DataFrame({"unit_key": frame["unit_key"], "unit_name": frame["unit_name"],
                         "unit_code": frame["unit_code"]}, dtype="string")
    budget = parsed.kind == "budget"
    for column in ("region", "level"):
        given = budget and column not in parsed.absent
        rows[column] = frame[column].astype("string") if given else pd.Series(pd.NA, index=frame.index, dtype="string")
        rows[f"has_{column}"] = given
    with registered(cur, unit_rows=rows):
        found = run(cur, "import/unit_questions").fetchall()
    return [UnitQuestion(parsed.file_name, key, name, what, old, new) for key, name, what, old, new in found]


def upload_questions(cur, parsed: list[ParsedFile]) -> list[UnitQuestion]:
    """What the files of one upload ask together, against the stored data: a budget row for a new
    unit without a code whose 单位名称 is stored only in other 地区 (import/name_in_other_region).
    Two 单位编码 of the upload equal but for leading zeros, neither stored, are refused
    (import/code_spellings), naming both rows."""
    frames, codes = [], []
    for pos, item in enumerate(parsed):
        f = item.frame
        if item.kind == unit_map.KIND:
            continue
        if item.kind == "budget":
            frames.append(pd.DataFrame({"file_name": item.file_name, "file_pos": pos, "unit_key": f["unit_key"],
                                        "unit_name": f["unit_name"], "unit_code": f["unit_code"],
                                        "region": f["region"]}))
        coded = f["unit_code"].notna()
        if coded.any():
            codes.append(pd.DataFrame({"file_name": item.file_name, "file_pos": pos,
                                       "sheet": item.sheet_of_rows()[coded], "source_row": f.loc[coded, "source_row"],
                                       "unit_code": f.loc[coded, "unit_code"], "unit_name": f.loc[coded, "unit_name"]}))
    problems, found = [], []
    try:
        if codes:
            cur.register("upload_codes", pd.concat(codes, ignore_index=True).astype(
                {"file_name": "string", "sheet": "string", "unit_code": "string", "unit_name": "string",
                 "source_row": "int64"}))
            for file, sheet, row, code, name, ffile, fsheet, frow, fcode, fname in \
                    run(cur, "import/code_spellings").fetchall():
                first = f"{ffile}{f' 工作表「{fsheet}」' if fsheet else ''} 第 {frow} 行"
                problems.append(Problem(file if not sheet else f"{file}（工作表「{sheet}」）", int(row), "单位编码",
                                        f"单位编码「{code}」（{name}）与 {first}的单位编码「{fcode}」（{fname}）"
                                        "只差开头的 0：Excel 会把以数字保存的「001234」显示为「1234」。若是同一单位，"
                                        "请把两处改成同一写法（把单元格设为文本后补上开头的 0）后重新上传；"
                                        "若确是两个单位，请分两次导入，第二次会请您确认"))
        if frames:
            cur.register("upload_rows", pd.concat(frames, ignore_index=True).astype(
                {c: "string" for c in ("file_name", "unit_key", "unit_name", "unit_code", "region")}))
            found = run(cur, "import/name_in_other_region").fetchall()
    finally:
        for view in ("upload_codes", "upload_rows"):
            with contextlib.suppress(duckdb.Error):
                cur.unregister(view)
    if problems:
        raise ImportRefused(problems)
    return [UnitQuestion(file, key, name, NEW_REGION, old, new) for file, key, name, old, new in found]


def _stage(cur, parsed: ParsedFile, scale: list[ScaleQuestion] | None = None) -> tuple[int, int, int]:
    """Compare one file with the stored data (import_diff). A budget file read at the wrong scale
    raises ScaleUnconfirmed, or, given a list `scale`, is added to it and staged as read."""
    if parsed.kind == unit_map.KIND:
        return unit_map.stage(cur, parsed)[:3]
    with registered(cur, incoming=parsed.frame):
        if parsed.kind == "budget" and (question := _check_scale(cur, parsed)):
            if scale is None:
                raise ScaleUnconfirmed([question])
            scale.append(question)
        run(cur, DIFF_QUERY[parsed.kind], absent="," + "".join(f"{c}," for c in parsed.absent))
    inserted, updated, unchanged = run(cur, "import/diff_counts").fetchall()[0]
    return int(inserted), int(updated), int(unchanged)


def _maps_first(parsed: list[ParsedFile]) -> list[ParsedFile]:
    """Unit maps are written before the files of the same upload, which may use the old names."""
    return sorted(parsed, key=lambda item: item.kind != unit_map.KIND)


def _apply(cur, item: ParsedFile, batch_id: int) -> None:
    """Write a staged file as `batch_id`, noting the unit-years it touches for the refresh."""
    if item.kind == unit_map.KIND:
        unit_map.apply(cur, batch_id)
        return
    run(cur, "import/touched_from_diff")
    run_script(cur, APPLY_QUERY[item.kind], batch_id=batch_id)
    run(cur, "import/drop_diff")


def preview(db: Database, parsed: ParsedFile, *, scale: list[ScaleQuestion] | None = None
            ) -> tuple[tuple[int, int, int], pd.DataFrame]:
    """What importing `parsed` would change: counts and the new / changed rows (nothing written).
    `parsed` as resolve(db, ...) returned it when it is a score or project file. A file read at
    the wrong scale raises ScaleUnconfirmed, or is added to `scale` when given."""
    cur = db.con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        if parsed.kind == unit_map.KIND:
            *counts, changes = unit_map.stage(cur, parsed)
            cur.execute("ROLLBACK")
            return tuple(counts), changes
        counts = _stage(cur, parsed, scale)
        changes = run(cur, "import/diff_rows").df()
        cur.execute("ROLLBACK")
        return counts, changes
    finally:
        cur.close()


def resolve(db: Database, parsed: list[ParsedFile], *, scale: list[ScaleQuestion] | None = None
            ) -> tuple[list[ParsedFile], list[UnitQuestion]]:
    """The files with every row's unit settled (resolve_units) and the questions importing them
    would ask (unit_questions, upload_questions); nothing written. Raises ImportRefused for a name
    that means more than one unit. Several files are staged in turn, as the import stages them:
    the scale questions that asks are added to `scale` when given."""
    cur = db.con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        settled = resolve_units(cur, _maps_first(parsed))
        questions = upload_questions(cur, settled)
        run(cur, "rates/touched")          # written to by _apply, rolled back with the rest
        for i, item in enumerate(settled):
            # Each file asked against the stored data and the files before it, as the import
            # asks them: written here under a batch id no import has, then rolled back.
            item = settled[i] = unit_map.follow(cur, item)
            questions += unit_questions(cur, item) if item.kind != unit_map.KIND else []
            if len(settled) > 1:
                _stage(cur, item, scale=[] if scale is None else scale)
                _apply(cur, item, -1)
        return settled, questions
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        cur.close()


def import_parsed(db: Database, parsed: list[ParsedFile], *, imported_by: str | None = None,
                  is_demo: bool = False, now: dt.datetime | None = None,
                  accept_unit_changes: bool = False, accept_scale: bool = False) -> list[BatchResult]:
    """Write already-validated files in one transaction; each file that changes rows is a batch.

    Score and project rows naming a unit by name alone are settled first (resolve_units: a name
    two units have is refused). A file that would change a stored unit's 地区 or 层级, or meets
    a code written with other leading zeros, or names a new unit without a code whose name is
    stored only in other 地区, raises UnitChangesUnconfirmed with every question and writes
    nothing, unless accept_unit_changes. A budget file read at the wrong scale raises
    ScaleUnconfirmed (checked first) unless accept_scale. Two spellings of one code in the upload,
    neither stored, are refused (upload_questions)."""
    now = now or dt.datetime.now().replace(microsecond=0)
    results = []
    questions: list[UnitQuestion] = []
    with db.transaction() as cur:
        parsed = resolve_units(cur, _maps_first(parsed))
        across = upload_questions(cur, parsed)   # against the stored data, before any file is written
        scale: list[ScaleQuestion] = []
        run(cur, "rates/touched")          # the unit-years the refresh recomputes
        for i, item in enumerate(parsed):
            item = parsed[i] = unit_map.follow(cur, item)   # old names by the maps written so far
            asked = (unit_questions(cur, item) if item.kind != unit_map.KIND else []) + \
                [q for q in across if q.file == item.file_name]
            questions += asked                   # unit_questions: after the files before it were written
            n_scale = len(scale)
            if item.kind == unit_map.KIND:
                *counts, moves = unit_map.stage(cur, item)
                (inserted, updated, unchanged), said = counts, unit_map.describe(moves)
            else:
                (inserted, updated, unchanged), said = _stage(cur, item, scale), []
            batch_id = None
            if inserted or updated:
                batch_id = int(run(cur, "import/next_batch_id").fetchall()[0][0])
                _apply(cur, item, batch_id)
                run(cur, "import/insert_batch", batch_id=batch_id, file_name=item.file_name,
                    sha256=item.sha256, kind=item.kind, inserted=inserted, updated=updated,
                    unchanged=unchanged, imported_at=now, imported_by=imported_by, is_demo=is_demo)
            if item.kind != unit_map.KIND:
                run(cur, "import/drop_diff")
            stated = 0 if item.stated_rates is None else len(item.stated_rates)
            results.append(BatchResult(batch_id, item.file_name, item.kind, inserted, updated,
                                       unchanged, item.warnings, item.details() + said, stated, asked,
                                       scale[n_scale] if len(scale) > n_scale else None))
        if scale and not accept_scale:
            raise ScaleUnconfirmed(scale)
        if questions and not accept_unit_changes:
            raise UnitChangesUnconfirmed(questions)
        if any(r.changed for r in results):
            changed_years = {int(y) for item, r in zip(parsed, results) if r.changed and "year" in item.frame
                             for y in item.frame["year"].dropna().unique()}
            if any(r.changed and r.kind == unit_map.KIND for r in results):   # every year of the joined units
                changed_years |= {int(y) for (y,) in run(cur, "rates/touched_years").fetchall()}
            rates.refresh(cur, db, rates.affected_years(changed_years))
            run(cur, "db/bump_data_version")
        else:
            run_script(cur, "rates/drop_touched")
    return results


def import_files(db: Database, files: list[tuple[str, bytes]], *, imported_by: str | None = None,
                 is_demo: bool = False, limits: Limits | None = None) -> list[BatchResult]:
    """All-or-nothing import of several files (name, bytes)."""
    return import_parsed(db, parse_all(files, limits), imported_by=imported_by, is_demo=is_demo)


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
        run(cur, "rates/touched")
        run(cur, "import/touched_by_rollback", batch_id=batch_id)
        years = [int(r[0]) for r in run(cur, "rates/touched_years").fetchall()]
        run_script(cur, "import/rollback", batch_id=batch_id, rolled_back_at=now)
        rates.refresh(cur, db, rates.affected_years(years))
        run(cur, "db/bump_data_version")
    return batch
