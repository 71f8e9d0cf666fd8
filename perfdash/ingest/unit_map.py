"""The unit map (单位对照, DESIGN §1 "Unit identity"): a small file of old names or codes and
the unit each now is, imported as a batch of its own.

A history split by a rename, a merger or a new code is joined by moving the old key's stored
rows to the unit (each moved row goes to its *_replaced table first, so rolling the map's batch
back restores exactly what was there). The mapping itself is kept (table unit_map), so a later
file still using the old name or code lands on the unit too (follow()).

    read(data, name)      the file → ParsedFile(kind "unit_map"), or None when it is no map
    stage(cur, parsed)    what importing it would do; refuses what cannot be joined
    apply(cur, batch_id)  after stage, inside the import transaction
    follow(cur, parsed)   incoming rows of other files: old keys → the unit they now are
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import zipfile
from pathlib import Path

import pandas as pd

from perfdash.errors import ImportRefused, Problem
from perfdash.ingest.columns import UNIT_MAP_COLUMNS, normalise_header
from perfdash.ingest.sheets.grid import read_workbook_grids
from perfdash.ingest.sheets.sniff import FileRefused
from perfdash.ingest.sheets.values import ValueRefused, read_code, read_text
from perfdash.ingest.validate import ParsedFile, name_key
from perfdash.store.connection import registered, run, run_script

KIND = "unit_map"
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024     # a map is a short list; a bigger file is a table of figures
HEADER_SEARCH_ROWS = 20

# Column id → its label; headers compared after normalise_header (columns.UNIT_MAP_COLUMNS).
LABELS = {c.id: c.label for c in UNIT_MAP_COLUMNS}
_INDEX = {normalise_header(h): c.id for c in UNIT_MAP_COLUMNS for h in (c.id, c.label, *c.aliases)}
FRAME_COLUMNS = ["source_row", *LABELS]


# -- reading -------------------------------------------------------------------------------


def _header_at(cells: list[list]) -> tuple[int, dict[int, str]] | None:
    """The first row (of the first 20) naming an old unit and a current one: row, position → id."""
    for r, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        found = {}
        for c, value in enumerate(row):
            cid = _INDEX.get(normalise_header(value)) if value is not None else None
            if cid and cid not in found.values():
                found[c] = cid
        ids = set(found.values())
        if ids & {"old_code", "old_name"} and ids & {"unit_code", "unit_name"}:
            return r, found
    return None


def read(data: bytes, file_name: str) -> ParsedFile | None:
    """A unit map file → ParsedFile (one row per mapping, Excel rows kept), None when the file
    has no 原单位名称 / 原单位编码 header beside a 单位名称 / 单位编码 one. Raises ImportRefused
    naming file, sheet, row and column for a map that cannot be read."""
    name = Path(file_name).name
    if len(data) > MAX_BYTES:
        return None
    try:
        book = read_workbook_grids(data, name, max_rows=MAX_ROWS)
    except (FileRefused, ValueError, csv.Error, OSError, zipfile.BadZipFile):
        return None            # the ordinary reader has said why the file cannot be read
    for grid in book.grids:
        found = _header_at(grid.cells)
        if found is None:
            continue
        where = name if grid.sheet is None else f"{name}（工作表「{grid.sheet}」）"
        parsed = _read_rows(grid.cells, *found, where, hashlib.sha256(data).hexdigest())
        return dataclasses.replace(parsed, file_name=name, sheets=[grid.sheet or ""])
    return None


def _read_rows(cells, header_at: int, positions: dict[int, str], where: str, sha256: str) -> ParsedFile:
    records, problems = [], []
    for r in range(header_at + 1, len(cells)):
        row, excel_row = cells[r], r + 1
        record = {"source_row": excel_row}
        for c, cid in positions.items():
            value = row[c] if c < len(row) else None
            try:
                record[cid] = read_code(value)[0] if cid.endswith("code") else read_text(value)
            except ValueRefused as refused:
                problems.append(Problem(where, excel_row, LABELS[cid], str(refused)))
                record[cid] = None
        given = [record.get(cid) for cid in LABELS]
        if not any(given):
            continue
        if not (record.get("old_code") or record.get("old_name")):
            problems.append(Problem(where, excel_row, "原单位名称", "没有填写原单位名称或原单位编码，不知道要归并哪个单位"))
        elif not (record.get("unit_code") or record.get("unit_name")):
            problems.append(Problem(where, excel_row, "单位名称", "没有填写现单位名称或单位编码，不知道归入哪个单位"))
        records.append(record)
    if problems:
        raise ImportRefused(problems)
    if not records:
        raise ImportRefused([Problem(where, None, None, "单位对照表没有内容：表头下面没有任何一行")])
    frame = pd.DataFrame(records, columns=FRAME_COLUMNS)
    for cid in LABELS:
        frame[cid] = frame[cid].astype("string")
    return ParsedFile(where, sha256, KIND, frame, columns=tuple(sorted(set(positions.values()))))


# -- what a map would change ---------------------------------------------------------------


def _label(name, code, region) -> str:
    name, code, region = (v if isinstance(v, str) else None for v in (name, code, region))
    parts = [p for p in (region, f"编码 {code}" if code else None) if p]
    return f"{name or ''}（{'，'.join(parts)}）" if parts else (name or f"编码 {code}")


def _resolve(cur, frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Each row's old and new unit_key: the code; else the name within its 地区; else the one
    stored unit of that name (two regions' units of one name → refused, naming them)."""
    names = pd.concat([frame.loc[frame["old_code"].isna() & frame["old_region"].isna(), "old_name"],
                       frame.loc[frame["unit_code"].isna() & frame["region"].isna(), "unit_name"]])
    wanted = pd.DataFrame({"unit_name": names.dropna().unique()}, dtype="string")
    no_units = pd.DataFrame({c: pd.Series(dtype="string") for c in ("unit_name", "unit_key", "region")})
    with registered(cur, wanted_names=wanted, upload_units=no_units):
        found = run(cur, "import/unit_candidates").df()
        mapped = run(cur, "import/unit_map_by_old_name").df()
    by_name: dict[str, dict[str, str]] = {}
    for name, key, region in found.itertuples(index=False):
        by_name.setdefault(name, {})[key] = region if isinstance(region, str) else "未填地区"
    old_names: dict[str, list[str]] = {}
    for name, key in mapped.itertuples(index=False):
        old_names.setdefault(name, []).append(key)
    problems, keys = [], {"old_key": [], "new_key": []}
    for row in frame.itertuples(index=False):
        for side, (code, name, region, column) in {
                "old_key": (row.old_code, row.old_name, row.old_region, "原单位名称"),
                "new_key": (row.unit_code, row.unit_name, row.region, "单位名称")}.items():
            key = None
            if isinstance(code, str):
                key = f"code:{code}"
            elif isinstance(region, str):
                key = name_key(name, region)
            elif side == "old_key" and len(old_names.get(name, [])) == 1:
                key = old_names[name][0]       # a name the map already moved: that old unit
            else:
                units = by_name.get(name, {})
                if len(units) > 1:
                    listed = "、".join(r + (f"（单位编码 {k.removeprefix('code:')}）" if k.startswith("code:") else "")
                                      for k, r in units.items())
                    problems.append(Problem(file, int(row.source_row), column,
                                            f"「{name}」不止一个单位：{listed}。请填写地区或单位编码"))
                key = next(iter(units)) if len(units) == 1 else name_key(name)
            keys[side].append(key)
    return frame.assign(**keys), problems


def stage(cur, parsed: ParsedFile) -> tuple[int, int, int, pd.DataFrame]:
    """Settle each mapping's keys and check it against the stored data (temp table unit_map_new
    holds what apply writes). Returns (mappings new, rows moved, mappings already stored, the
    preview table). Raises ImportRefused when a mapping cannot be joined: both sides unknown,
    a unit mapped onto itself, an old name already mapped elsewhere, or a year both sides have."""
    file = parsed.file_name
    frame, problems = _resolve(cur, parsed.frame, file)
    frame["old_label"] = [_label(*v) for v in frame[["old_name", "old_code", "old_region"]].itertuples(index=False)]
    frame["new_label"] = [_label(*v) for v in frame[["unit_name", "unit_code", "region"]].itertuples(index=False)]
    for index in frame.index[frame.duplicated("old_key", keep="first")]:
        problems.append(Problem(file, int(frame.at[index, "source_row"]), "原单位名称",
                                f"{frame.at[index, 'old_label']} 在表中出现了不止一次，只能归入一个单位"))
    pairs = frame[["source_row", "old_key", "new_key", "old_label", "new_label", "old_name", "unit_name"]]
    with registered(cur, map_pairs=pairs):
        state = run(cur, "import/unit_map_state").df()
        clashes = run(cur, "import/unit_map_clashes").df()
    unsettled = {p.row for p in problems}    # a name two units have: nothing more to say of it
    for s in state.itertuples(index=False):
        row, old, new = int(s.source_row), s.old_label, s.new_label
        if row in unsettled:
            continue
        if s.old_key == s.new_key:
            problems.append(Problem(file, row, "单位名称", f"原单位与现单位是同一个单位（{new}），无需对照"))
        elif isinstance(s.mapped_to, str) and s.mapped_to != s.new_key:
            problems.append(Problem(file, row, "原单位名称",
                                    f"{old} 已按批次 {int(s.mapped_batch)} 的单位对照归入其他单位；如需改动，请先回滚该批次"))
        elif isinstance(s.new_mapped_to, str):
            problems.append(Problem(file, row, "单位名称",
                                    f"{new} 本身已按单位对照归入其他单位，请直接填写它现在归入的单位"))
        elif not s.old_rows and not s.new_rows and pd.isna(s.mapped_to):
            problems.append(Problem(file, row, "原单位名称", f"库中既没有 {old} 也没有 {new} 的数据，请核对名称、地区或编码"))
        elif not s.new_rows and s.new_key == name_key(s.unit_name):
            problems.append(Problem(file, row, "单位名称", f"库中没有 {new} 的数据：归入一个新单位时请填写它的地区或单位编码"))
    for c in clashes.itertuples(index=False):
        problems.append(Problem(file, int(c.source_row), "原单位名称",
                                f"{c.old_label} 与 {c.new_label} 在 {int(c.year)} 年都有{c.what}，归并后会成为重复数据："
                                "请先回滚或修改其中一方的数据"))
    if problems:
        raise ImportRefused(sorted(problems, key=lambda p: p.row or 0))
    fresh = state[state["mapped_to"].isna()]
    with registered(cur, fresh_view=fresh[["old_key", "new_key", "old_name", "unit_name"]]):
        run(cur, "import/unit_map_new")
    moved = int(fresh["old_rows"].sum())
    shown = pd.DataFrame({
        "原单位": state["old_label"], "归入单位": state["new_label"],
        "原单位的年度": state["old_years"].fillna(""), "移动的行数": state["old_rows"].astype("int64"),
        "状态": state["mapped_to"].map(lambda v: "已有此对照，不变" if isinstance(v, str) else "新增对照"),
        "change": state["mapped_to"].map(lambda v: "same" if isinstance(v, str) else "new"),
    })
    return len(fresh), moved, len(state) - len(fresh), shown


def describe(moves: pd.DataFrame) -> list[str]:
    """stage()'s table in words, for the import result: one line per mapping."""
    return [f"{m['原单位']} → {m['归入单位']}：" + (
        "已有此对照，不变" if m["change"] == "same" else
        f"{m['原单位的年度']} 年的 {m['移动的行数']:,} 行数据归入" if m["移动的行数"] else "新增对照（库中尚无原单位的数据）")
        for m in moves.to_dict("records")]


def apply(cur, batch_id: int) -> None:
    """Move the staged mappings' rows and record the mappings as batch `batch_id`."""
    run(cur, "import/touched_from_unit_map")
    run_script(cur, "import/apply_unit_map", batch_id=batch_id)


# -- later files ---------------------------------------------------------------------------


def _key_label(key: str, name) -> str:
    """A unit as a note names it: the name the map wrote, else its code (or the key)."""
    if isinstance(name, str) and name != key:
        return name
    return f"单位编码 {key.removeprefix('code:')}" if key.startswith("code:") else key.removeprefix("name:")


def follow(cur, parsed: ParsedFile) -> ParsedFile:
    """`parsed` with rows under an old key (a name or code the unit map maps) moved to the unit
    it now is, following renames of renames; a note says which and how many rows."""
    if parsed.kind == KIND or "unit_key" not in parsed.frame:
        return parsed
    keys = pd.DataFrame({"unit_key": parsed.frame["unit_key"].dropna().unique()}, dtype="string")
    with registered(cur, incoming_keys=keys):
        mapped = run(cur, "import/unit_map_follow").df()
    if mapped.empty:
        return parsed
    frame = parsed.frame
    target = dict(zip(mapped["old_key"], mapped["new_key"]))
    moved = frame["unit_key"].isin(list(target))
    notes = [f"按单位对照，「{_key_label(key, old)}」的 {int((frame['unit_key'] == key).sum()):,} 行"
             f"归入「{_key_label(end, new)}」"
             for key, end, old, new in zip(mapped["old_key"], mapped["new_key"], mapped["old_name"], mapped["new_name"])]
    keys, names, codes = frame["unit_key"].copy(), frame["unit_name"].copy(), frame["unit_code"].copy()
    current = {k: n for k, n in zip(mapped["new_key"], mapped["new_name"]) if isinstance(n, str)}
    # The rows are the unit's under its current name and code (a code key is its code); the old
    # name and code stay on the rows stored before.
    now = keys.loc[moved].map(target)
    names.loc[moved] = now.map(current).astype("string").fillna(names.loc[moved])
    coded = now.str.startswith("code:")
    codes.loc[coded[coded].index] = now[coded].str.removeprefix("code:")
    keys.loc[moved] = now
    return dataclasses.replace(parsed, frame=frame.assign(unit_key=keys.astype("string"), unit_name=names.astype("string"),
                                                          unit_code=codes.astype("string")),
                               notes=[*parsed.notes, *notes])
