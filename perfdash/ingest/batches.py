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
from perfdash.errors import ImportRefused, Problem, RollbackRefused, UnitChangesUnconfirmed, UnitQuestion
from perfdash.ingest import unit_map
from perfdash.ingest.columns import COLUMNS, KEY_COLUMNS
from perfdash.ingest.readers import Limits
from perfdash.ingest.parse import parse_all
from perfdash.ingest.validate import ParsedFile, name_key
from perfdash.store.connection import Database, run, run_script


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

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


# -- writing -----------------------------------------------------------------------------

DIFF_QUERY = {kind: f"import/diff_{kind}" for kind in COLUMNS}
APPLY_QUERY = {kind: f"import/apply_{kind}" for kind in COLUMNS}


# A whole file whose budget amounts are ~10,000× (or 1/10,000 of) the same units' stored ones
# was read at the wrong scale. The median over units is far from 1,000 for any real change.
SCALE_LIMIT = 1000.0


def _check_scale(cur, parsed: ParsedFile) -> None:
    """Refuse a budget file read at the wrong scale (queries/import/scale_check.sql)."""
    units, ratio, basis = run(cur, "import/scale_check").fetchall()[0]
    if not units or ratio is None or 1 / SCALE_LIMIT < ratio < SCALE_LIMIT:
        return
    than = "已存同年度" if basis == "same_year" else "上年"
    if ratio >= SCALE_LIMIT:
        times = f"{ratio:,.0f}"
        cause = ("可能是以元为单位的表格未注明「单位：元」，被按万元读取。请在表头或表格上方注明单位"
                 "（如第一行写「单位：元」，或列名写「年初预算数（元）」）后重新上传")
    else:
        times = f"1/{1 / ratio:,.0f}"
        cause = ("可能是表格注明的单位有误（如把万元写成了元），或库中已有的数据当初按元存成了万元。"
                 "请核对表格的单位；若库中数据有误，请先回滚那次导入")
    raise ImportRefused([Problem(parsed.file_name, None, None,
                                 f"金额约为{than}同一批单位的 {times} 倍（{units} 个单位比较的中位数），{cause}。"
                                 "本次未导入任何数据")])


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
    cur.register("wanted_names", names)
    cur.register("upload_units", _upload_units(parsed))
    try:
        found = run(cur, "import/unit_candidates").df()
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.unregister("wanted_names")
            cur.unregister("upload_units")
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
    cur.register("unit_rows", rows)
    try:
        found = run(cur, "import/unit_questions").fetchall()
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.unregister("unit_rows")
    return [UnitQuestion(parsed.file_name, key, name, what, old, new) for key, name, what, old, new in found]


def _stage(cur, parsed: ParsedFile) -> tuple[int, int, int]:
    if parsed.kind == unit_map.KIND:
        return unit_map.stage(cur, parsed)[:3]
    cur.register("incoming", parsed.frame)
    try:
        if parsed.kind == "budget":
            _check_scale(cur, parsed)
        run(cur, DIFF_QUERY[parsed.kind], absent="," + "".join(f"{c}," for c in parsed.absent))
    finally:
        # After a failed statement the transaction is aborted and unregister raises too; the
        # first error is the one to see.
        with contextlib.suppress(duckdb.Error):
            cur.unregister("incoming")
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


def preview(db: Database, parsed: ParsedFile) -> tuple[tuple[int, int, int], pd.DataFrame]:
    """What importing `parsed` would change: counts and the new / changed rows (nothing written).
    `parsed` as resolve(db, ...) returned it when it is a score or project file."""
    cur = db.con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        if parsed.kind == unit_map.KIND:
            *counts, changes = unit_map.stage(cur, parsed)
            cur.execute("ROLLBACK")
            return tuple(counts), changes
        counts = _stage(cur, parsed)
        changes = run(cur, "import/diff_rows").df()
        cur.execute("ROLLBACK")
        return counts, changes
    finally:
        cur.close()


def resolve(db: Database, parsed: list[ParsedFile]) -> tuple[list[ParsedFile], list[UnitQuestion]]:
    """The files with every row's unit settled (resolve_units) and the questions importing them
    would ask (unit_questions); nothing written. Raises ImportRefused for a name that means
    more than one unit."""
    cur = db.con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        settled = resolve_units(cur, _maps_first(parsed))
        run(cur, "rates/touched")          # written to by _apply, rolled back with the rest
        questions = []
        for i, item in enumerate(settled):
            # Each file asked against the stored data and the files before it, as the import
            # asks them: written here under a batch id no import has, then rolled back.
            item = settled[i] = unit_map.follow(cur, item)
            questions += unit_questions(cur, item) if item.kind != unit_map.KIND else []
            if len(settled) > 1:
                _stage(cur, item)
                _apply(cur, item, -1)
        return settled, questions
    finally:
        with contextlib.suppress(duckdb.Error):
            cur.execute("ROLLBACK")
        cur.close()


def import_parsed(db: Database, parsed: list[ParsedFile], *, imported_by: str | None = None,
                  is_demo: bool = False, now: dt.datetime | None = None,
                  accept_unit_changes: bool = False) -> list[BatchResult]:
    """Write already-validated files in one transaction; each file that changes rows is a batch.

    Score and project rows naming a unit by name alone are settled first (resolve_units: a name
    two units have is refused). A file that would change a stored unit's 地区 or 层级, or meets
    a code written with other leading zeros, raises UnitChangesUnconfirmed with every question
    and writes nothing, unless accept_unit_changes."""
    now = now or dt.datetime.now().replace(microsecond=0)
    results = []
    questions: list[UnitQuestion] = []
    with db.transaction() as cur:
        parsed = resolve_units(cur, _maps_first(parsed))
        run(cur, "rates/touched")          # the unit-years the refresh recomputes
        for i, item in enumerate(parsed):
            item = parsed[i] = unit_map.follow(cur, item)   # old names by the maps written so far
            asked = unit_questions(cur, item) if item.kind != unit_map.KIND else []   # after the files before it
            questions += asked
            if item.kind == unit_map.KIND:
                *counts, moves = unit_map.stage(cur, item)
                inserted, updated, unchanged = counts
                said = unit_map.describe(moves)
            else:
                (inserted, updated, unchanged), said = _stage(cur, item), []
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
                                       unchanged, item.warnings, item.details() + said, stated, asked))
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
