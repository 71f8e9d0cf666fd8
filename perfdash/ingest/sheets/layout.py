"""In a grid, find the table the way a person does: its header band, its columns and their
units, and which rows below are data, blanks, subtotals or notes.

A header is one row, or two when merged parents stand over children ("预算数" over
"年初预算数 | 调整后预算数"); it may sit anywhere in the first 30 rows, below titles and
filling instructions. Amount units: the header's own (元)/(万元) → a 单位 line above the table
(or a note under it) → 万元 by default; each column records which was applied and why.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from perfdash.ingest.sheets import headers as hdr
from perfdash.ingest.sheets.context import YEAR_IN_TEXT, text_of, unit_statements, years_stated
from perfdash.ingest.sheets.grid import Grid, column_letter
from perfdash.ingest.sheets.problems import SheetProblem

MAX_HEADER_ROW = 30
FIGURE_TYPES = {"amount", "rate", "score"}
NAME_IDS = {"unit_name", "unit_code", "project_name", "dimension"}   # what makes a row about something
IDENTITY_IDS = NAME_IDS | {"year", "region", "level", "sector", "category"}

_WS = re.compile(r"\s+")
_TOTAL = re.compile(r"^(合计|总计|小计|共计|累计|合计数|总合计|本页合计|本页小计|其中.*|.{1,20}(合计|小计|总计))$")
_NOTE = re.compile(r"^(注|说明|备注|附注|填表|填报|审核|制表|复核|负责人|单位负责人|财务负责人|分管|联系|电话|"
                   r"日期|盖章|\(盖章\)|单位\(盖章\)|单位盖章|\d+[、.．]\D)")
_TITLE = re.compile(r"20\d{2}年|(表|情况|汇总|明细|统计|一览)$")
# 一 / （一） in 序号, or 一、市直部门 / （一）县区 as a name: a group's row, its figures the group's
# sum (一中 is a school: the name form needs the 、 or the brackets)
_GROUP_SEQUENCE = re.compile(r"^([一二三四五六七八九十]+|[(（][一二三四五六七八九十]+[)）])[、.．]?$")
_GROUP_NAME = re.compile(r"^([一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])\S+")
_GROUP = re.compile(r"^([一二三四五六七八九十]+|[(（][一二三四五六七八九十]+[)）])[、.．]?\S*$")
_SEQUENCE_ROW = re.compile(r"^(栏次|\d{1,2}|[甲乙丙丁戊]|\d+[=+\-*/×].*)$")


@dataclass(frozen=True)
class ColumnInfo:
    position: int                 # 0-based column in the sheet; -1 = taken from the sheet name / title
    letter: str                   # as Excel names it ("D"), "" when position is -1
    raw_header: str               # as written; two-row headers as "父/子"
    column_id: str                # canonical id, or "stated:<rate id>"
    label: str                    # canonical Chinese label
    type: str                     # int | text | amount | score | grade | level | rate
    unit: str | None = None       # amounts: 元 / 千元 / 万元 / 亿元 as the file states; rates: "%" or "小数"
    unit_source: str | None = None   # why that unit: "列名「…」", "第 2 行「单位：元」", "未注明单位，按万元"
    unit_stated: bool = False
    constant: str | None = None   # position -1: the value every row takes (the year)


@dataclass
class Band:
    """The header band found in a grid, before any cell below it is read."""
    kind: str
    rows: tuple[int, ...]                          # 0-based
    headers: dict[int, tuple[str, hdr.HeaderMatch]]   # position → (raw header, match)


@dataclass
class Layout:
    kind: str
    header_rows: tuple[int, ...]                   # Excel numbers
    columns: list[ColumnInfo]
    label_positions: list[int]                     # columns whose text can say 合计 (incl. 序号, ignored)
    data_rows: list[int]                           # 0-based
    skipped_rows: list[tuple[int, str]]            # Excel numbers
    ignored_columns: list[tuple[str, str]]         # (letter, header)
    notes: list[str] = field(default_factory=list)
    problems: list[SheetProblem] = field(default_factory=list)
    fill_down: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    sequence_positions: list[int] = field(default_factory=list)   # 序号 columns (not read, used for hierarchy)


def _owners(grid: Grid) -> dict[tuple[int, int], tuple[int, int]]:
    owners = {}
    for r1, c1, r2, c2 in grid.merged:
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    owners[(r, c)] = (r1, c1)
    return owners


def _shown(grid: Grid, owners, row: int, col: int) -> str:
    r, c = owners.get((row, col), (row, col))
    return text_of(grid.cell(r, c))


def _band_headers(kind: str, grid: Grid, owners, row: int, two: bool) -> dict[int, tuple[str, hdr.HeaderMatch]]:
    out = {}
    for col in range(grid.width):
        owner = owners.get((row, col), (row, col))
        parent = _shown(grid, owners, row, col)
        spanned = owner[0] == row and owner[1] != col   # right of a header merged across columns
        if not two:
            if spanned:
                continue
            if parent:
                out[col] = (parent, hdr.match(kind, parent))
            continue
        below_owner = owners.get((row + 1, col), (row + 1, col))
        child = "" if below_owner == owner else _shown(grid, owners, row + 1, col)
        if spanned and not child:
            continue
        if parent and child and parent != child:
            out[col] = (f"{parent}/{child}", hdr.combine(kind, parent, child))
        elif parent or child:
            text = parent or child
            out[col] = (text, hdr.match(kind, text))
    return out


def _score(headers: dict[int, tuple[str, hdr.HeaderMatch]]) -> int:
    return len({m.column_id for _, m in headers.values() if m.column_id} |
               {m.ambiguous for _, m in headers.values() if m.ambiguous})


def _is_texty_row(grid: Grid, row: int) -> bool:
    values = [v for v in (grid.cells[row] if row < len(grid.cells) else []) if v not in (None, "")]
    return bool(values) and all(isinstance(v, str) for v in values)


def find_band(grid: Grid) -> Band | None:
    """The best header band in the first MAX_HEADER_ROW rows: most columns recognised; a
    two-row band only when its second row adds columns."""
    owners = _owners(grid)
    best, best_key = None, None
    for row in range(min(MAX_HEADER_ROW, len(grid.cells))):
        if not _is_texty_row(grid, row):
            continue
        for kind in (*hdr.KIND_MARKERS, "budget"):
            # A row under a header cell merged down from the row above is that band's second row.
            covered = any(owners.get((row, c), (row, c))[0] < row for c in range(grid.width))
            options = [] if covered else [(False, _band_headers(kind, grid, owners, row, False))]
            if row + 1 < len(grid.cells) and _is_texty_row(grid, row + 1):
                options.append((True, _band_headers(kind, grid, owners, row, True)))
            for two, headers in options:
                ids = [m.column_id for _, m in headers.values()]
                if hdr.detect_kind(ids) != kind:
                    continue
                score = _score(headers)
                if score < 2:
                    continue
                units = sum(1 for _, m in headers.values() if m.unit or m.percent)
                # most columns named; then a row of （元） under the header belongs to it; then the
                # row whose cells are all names (not 「单位名称 | 郑州市财政局 | 年度 | 2023」 above)
                recognised = sum(1 for _, m in headers.values() if m.column_id or m.ambiguous or m.sequence)
                key = (score, units, recognised / len(headers), -int(two), -row)
                if best_key is None or key > best_key:
                    best, best_key = Band(kind, (row, row + 1) if two else (row,), headers), key
            if best is not None and best.rows[0] == row:
                break   # scores/projects markers win over budget for the same row, as the importer decides
    return best


_NUMBERISH = re.compile(r"^[(（\-－−+￥¥]*[\d０-９][\d０-９,，.．]*(万元|万|元|%|％)?[)）]?$")


def _numberish(value) -> bool:
    """A cell that holds a number, as a number or as text people type ("1,234.00", "（12）", "87%")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(_NUMBERISH.match(_WS.sub("", value)))


def classify(grid: Grid, band: Band, file: str) -> Layout:
    owners = _owners(grid)
    kind, sheet = band.kind, grid.sheet
    problems: list[SheetProblem] = []
    notes: list[str] = []
    header_row = band.rows[0] + 1

    def problem(row, col_pos, header, message):
        problems.append(SheetProblem(file, sheet, row, header, column_letter(col_pos) if col_pos >= 0 else None, message))

    # -- columns ------------------------------------------------------------------------
    matched = {pos: (raw, m) for pos, (raw, m) in band.headers.items() if m.column_id}
    present = {m.column_id: pos for pos, (raw, m) in sorted(matched.items(), reverse=True)}
    resolved: dict[int, tuple[str, hdr.HeaderMatch]] = {}
    ignored, label_positions, sequence_positions, other_positions = [], [], [], []
    for pos, (raw, m) in sorted(band.headers.items()):
        if m.ambiguous:
            others = [(o, present[o]) for o in m.ambiguous if o in present]
            sole = hdr.SOLE_BUDGET.get(kind)
            if not others and sole and set(m.ambiguous) == set(sole[1]):
                target = sole[0]
                resolved[pos] = (raw, hdr.HeaderMatch(target, hdr.label_of(kind, target), "amount", m.unit))
                notes.append(f"「{raw}」（{column_letter(pos)} 列）是表中唯一的预算列，按{hdr.label_of(kind, target)}读取")
            else:
                readings = "，也可能是".join(hdr.label_of(kind, r) for r in m.ambiguous)
                beside = "、".join(f"「{band.headers[p][0]}」（{column_letter(p)} 列）" for _, p in others)
                problem(header_row, pos, raw, f"列名「{raw}」可能是{readings}" + (f"；表中另有{beside}" if beside else "")
                        + "，无法确定，请把列名改为「年初预算数」或「调整后预算数」")
        elif m.column_id:
            resolved[pos] = (raw, m)
        elif m.sequence:
            sequence_positions.append(pos)
        else:
            other_positions.append(pos)
            ignored.append((column_letter(pos), raw))
    seen: dict[str, int] = {}
    for pos, (raw, m) in sorted(resolved.items()):
        if m.column_id in seen:
            first = seen[m.column_id]
            problem(header_row, pos, raw, f"列「{raw}」（{column_letter(pos)} 列）与「{resolved[first][0]}」"
                    f"（{column_letter(first)} 列）都表示{m.label}，请删除或改名其中一列")
        else:
            seen[m.column_id] = pos
    resolved = {pos: v for pos, v in resolved.items() if seen.get(v[1].column_id) == pos}

    # -- rows -----------------------------------------------------------------------------
    body_start = band.rows[-1] + 1
    figure_pos = [p for p, (_, m) in resolved.items() if m.type in FIGURE_TYPES]
    # Where a row says 合计 / 小计 / 其中: 序号 and the identity columns; a free-text column
    # (备注 "其中：专项资金…") only when the row names nothing.
    label_positions = sequence_positions + [p for p, (_, m) in resolved.items() if m.column_id in IDENTITY_IDS]
    # Merged cells in the body: a label merged down over several rows (a unit name over its
    # year rows) is filled down its first column; nothing is copied sideways.
    fill_down, merged_figures = {}, []
    for r1, c1, r2, c2 in grid.merged:
        if r2 < body_start:
            continue
        if any(c in figure_pos for c in range(c1, c2 + 1)):
            merged_figures.append((r1, c1, r2, c2))
        for r in range(max(r1 + 1, body_start), r2 + 1):
            fill_down[(r, c1)] = (r1, c1)
    header_texts = {text for raw, _ in band.headers.values()
                    for text in (raw.split("/")[-1], _WS.sub("", raw.split("/")[-1]))}

    def value(row, col):
        r, c = fill_down.get((row, col), (row, col))
        return grid.cell(r, c)

    name_positions = [p for p, (_, m) in resolved.items() if m.column_id in NAME_IDS]
    data_rows, skipped, after_notes = [], [], None
    last = len(grid.cells) - 1
    while last >= body_start and not any(text_of(v) for v in grid.cells[last]):
        last -= 1
    for row in range(body_start, last + 1):
        cells = [text_of(value(row, c)) for c in range(grid.width)]
        excel = row + 1
        if not any(cells):
            skipped.append((excel, "空行"))
            continue
        first = next(c for c in cells if c)
        squeezed = _WS.sub("", first)
        has_figure = any(_numberish(grid.cell(row, p)) for p in figure_pos)
        if after_notes is not None:
            name_pos = present.get("unit_name")
            if name_pos is not None and cells[name_pos] and has_figure and not _NOTE.match(squeezed):
                problem(excel, name_pos, band.headers[name_pos][0],
                        f"表格下方的说明（第 {after_notes} 行）之后还有像数据的行，请删除说明或把数据移到说明上方")
            skipped.append((excel, "表下说明或签字行"))
            continue
        if row == body_start and all(_SEQUENCE_ROW.match(_WS.sub("", c)) for c in cells if c):
            skipped.append((excel, "栏次行"))
            continue
        repeated = sum(1 for c in cells if c in header_texts)
        if repeated >= 2 and repeated >= sum(1 for c in cells if c) - 1:
            moved = [(p, m.column_id) for p, (_, m) in resolved.items() if p < len(cells) and cells[p]
                     and (again := hdr.match(kind, cells[p])).column_id and again.column_id != m.column_id]
            if moved:
                p, _ = moved[0]
                problem(excel, p, resolved[p][0], f"第 {excel} 行像是另一张表的表头，但列的顺序与第 {header_row} 行的表头不同"
                        f"（{column_letter(p)} 列这里是「{cells[p]}」），请每张表放在单独的工作表")
            skipped.append((excel, "重复的表头行"))
            continue
        named = any(cells[p] for p in name_positions if p < len(cells))
        where = label_positions if named else label_positions + other_positions
        totals = [cells[p] for p in where if p < len(cells) and cells[p] and _TOTAL.match(_WS.sub("", cells[p]))]
        if not totals:
            totals = [cells[p] for p in sequence_positions if p < len(cells) and _GROUP_SEQUENCE.match(_WS.sub("", cells[p]))]
            totals += [cells[p] for p in name_positions if p < len(cells) and _GROUP_NAME.match(_WS.sub("", cells[p]))]
        if totals:
            skipped.append((excel, f"合计/小计行（「{totals[0]}」）" if _TOTAL.match(_WS.sub("", totals[0]))
                                   else f"分组汇总行（「{totals[0]}」）" if has_figure else f"分组标题行（「{totals[0]}」）"))
            continue
        if _NOTE.match(squeezed) and (not has_figure or squeezed.startswith(("注", "说明", "备注"))):
            after_notes = excel
            skipped.append((excel, "表下说明或签字行"))
            continue
        if not has_figure and _GROUP.match(squeezed) and sum(1 for c in cells if c) == 1:
            skipped.append((excel, f"分组标题行（「{first}」）"))
            continue
        if not has_figure and sum(1 for c in cells if c) == 1 and _TITLE.search(squeezed):
            skipped.append((excel, f"标题行（「{first}」）"))
            continue
        if not has_figure and unit_statements(grid, [row]):
            skipped.append((excel, "单位说明行"))   # its unit joins the sheet's statements below
            continue
        if not has_figure and not named:
            skipped.append((excel, f"没有名称也没有数字的行（「{first}」）"))
            continue
        data_rows.append(row)
    data_set = set(data_rows)
    for r1, c1, r2, c2 in merged_figures:
        if not data_set & set(range(r1, r2 + 1)):
            continue   # a note or 合计 row merged across the table
        span = f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}"
        raw = band.headers.get(c1, ("", None))[0]
        problem(r1 + 1, c1, raw, f"金额单元格 {span} 是合并单元格，无法确定这个数属于哪一行、哪一列，请拆分合并后逐格填写")

    # -- units ----------------------------------------------------------------------------
    statements = unit_statements(grid, range(0, band.rows[-1] + 1))
    statements += unit_statements(grid, [r - 1 for r, reason in skipped if reason in ("表下说明或签字行", "单位说明行")])
    units = {u for _, _, u in statements}
    sheet_unit = None
    if len(units) > 1:
        listed = "；".join(f"第 {r} 行「{t}」" for r, t, _ in statements)
        problems.append(SheetProblem(file, sheet, statements[0][0], None, None,
                                     f"表中写明的金额单位相互矛盾（{listed}），无法确定金额单位"))
    elif statements:
        sheet_unit = statements[0]
    columns = []
    for pos, (raw, m) in sorted(resolved.items()):
        unit = source = None
        stated = False
        if m.type == "amount":
            if m.unit:
                unit, source, stated = m.unit, f"列名「{raw}」", True
                if sheet_unit and sheet_unit[2] != m.unit:
                    notes.append(f"「{raw}」按列名的{m.unit}读取（表上方写的是「{sheet_unit[1]}」）")
            elif sheet_unit:
                unit, source, stated = sheet_unit[2], f"第 {sheet_unit[0]} 行「{sheet_unit[1]}」", True
            else:
                unit, source = "万元", "未注明单位，按万元"
        elif m.type == "rate":
            unit, source = ("%", f"列名「{raw}」") if m.percent else ("小数", "单元格须写 % 或设为百分比格式")
        columns.append(ColumnInfo(pos, column_letter(pos), raw, m.column_id, m.label, m.type, unit, source, stated))

    if "year" not in seen:
        years = years_stated(grid, range(0, band.rows[0]))
        distinct = sorted({y for y, _ in years})
        if len(distinct) == 1:
            where = "、".join(w for y, w in years)
            columns.append(ColumnInfo(-1, "", f"（{where}）", "year", "年度", "int", None, where, True,
                                      str(distinct[0])))
            last_data = data_rows[-1] + 1 if data_rows else 0
            for excel, _ in skipped:
                if excel >= last_data:
                    break
                for value in grid.cells[excel - 1]:
                    text = text_of(value)
                    other = {int(y) for y in YEAR_IN_TEXT.findall(text)} - {distinct[0]}
                    if other:
                        problems.append(SheetProblem(file, sheet, excel, None, None,
                                                     f"表中没有年度列，年度 {distinct[0]} 取自{where}，而表中第 {excel} 行"
                                                     f"「{text}」写的是 {min(other)} 年，像是第二张表：请每年一张工作表，或加一列「年度」"))
                        break
            notes.append(f"表中没有年度列，年度 {distinct[0]} 取自{where}")
        elif len(distinct) > 1:
            listed = "；".join(f"{w}：{y}" for y, w in years)
            problems.append(SheetProblem(file, sheet, None, "年度", None,
                                         f"表中没有年度列，而工作表名和标题写的年度不止一个（{listed}），无法确定各行的年度，请加一列「年度」"))
    return Layout(kind, tuple(r + 1 for r in band.rows), columns, label_positions, data_rows,
                  skipped, ignored, notes, problems, fill_down, sequence_positions)
