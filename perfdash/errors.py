"""The errors a user is told about, in plain Chinese, shared by every layer.

The command line prints any UserError as one line (exit 1) and the dashboard shows it as one
message; neither shows a traceback. Everything here imports nothing of perfdash, so any module
may raise these without importing the layer that reports them.
"""
from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A problem to tell the user plainly."""


class ConfigError(UserError, ValueError):
    """perfdash.toml or an environment setting cannot be used."""


class DatabaseBusyError(UserError, RuntimeError):
    """The database file is held by another process (DuckDB allows one writer)."""


class ExportError(UserError):
    """The pack cannot be made (no data for the year, no browser for PNGs)."""


class RollbackRefused(UserError):
    """A batch cannot be rolled back (unknown, already rolled back, or rows a later batch replaced)."""


@dataclass
class Problem:
    """One thing wrong with an uploaded file, located as Excel shows it."""

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


class ImportRefused(UserError):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} 个问题，未导入任何数据")

    def report(self) -> str:
        return "\n".join(str(p) for p in self.problems)


NEW_REGION = "同名单位在另一地区"   # UnitQuestion.what: a name stored only in other 地区, met in a new one


@dataclass(frozen=True)
class UnitQuestion:
    """A stored unit an import would change in a way that must be confirmed: its 地区 or 层级
    (same key), or a 单位编码 that differs from a stored one only by leading zeros; or a new unit
    without a code whose 单位名称 is stored only in other 地区 (what = NEW_REGION: old = those
    地区, new = the incoming one; confirmed, it is a unit of its own)."""

    file: str
    unit_key: str
    unit_name: str
    what: str          # 地区 | 层级 | 单位编码 | NEW_REGION
    old: str | None
    new: str | None

    def __str__(self) -> str:
        if self.what == NEW_REGION:
            return (f"{self.file}：「{self.unit_name}」此前只在 {self.old} 有记录，本次为 {self.new}："
                    f"确认后作为 {self.new} 的新单位导入；若是同一单位迁移了地区，"
                    "请导入后用「单位对照」把原记录归入")
        if self.what == "单位编码":
            return (f"{self.file}：单位「{self.unit_name}」的单位编码「{self.new}」与库中单位编码「{self.old}」"
                    "只差开头的 0，是同一单位还是两个单位？确认后按两个不同编码分别保存；"
                    "若是同一单位，请把文件中的编码改成库中的写法")
        return (f"{self.file}：单位「{self.unit_name}」的{self.what}将由「{self.old or '（空）'}」"
                f"改为「{self.new or '（空）'}」")


class UnitChangesUnconfirmed(UserError):
    """The import would change stored units' 地区 / 层级 (or meet a code written with other
    leading zeros) and that was not confirmed; nothing has been written."""

    def __init__(self, questions: list[UnitQuestion]):
        self.questions = questions
        super().__init__(f"{len(questions)} 处单位变更需要确认，未导入任何数据")


@dataclass(frozen=True)
class ScaleQuestion:
    """A budget file whose amounts look read at the wrong scale (a 元 file read as 万元): ~10,000×
    the same units' stored figures, or — units with nothing stored — a median budget no
    department has. `message` explains it; confirmed, the file is imported as read and the
    figures carry a data flag (数据核查)."""

    file: str
    message: str
    basis: str         # same_year | prior_year (compared with stored figures) | median (no history)
    ratio: float       # incoming / stored (median over units); for basis median, the median 万元
    units: int         # units compared (or, for median, units in the file without history)

    def __str__(self) -> str:
        return f"{self.file}：{self.message}"


class ScaleUnconfirmed(ImportRefused):
    """Budget amounts look read at the wrong scale and that was not confirmed; nothing has been
    written. An ImportRefused, so a caller that cannot ask refuses with the explanation."""

    def __init__(self, questions: list[ScaleQuestion]):
        self.questions = questions
        super().__init__([Problem(q.file, None, None, q.message) for q in questions])
