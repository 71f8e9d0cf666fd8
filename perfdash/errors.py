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
