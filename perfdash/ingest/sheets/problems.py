"""A problem located as a clerk finds it in Excel: file, sheet, row, column."""
from __future__ import annotations

from dataclasses import dataclass

from perfdash.errors import ImportRefused, Problem


@dataclass(frozen=True)
class SheetProblem:
    file: str
    sheet: str | None          # None for CSV, or for the file as a whole
    row: int | None            # as Excel numbers it
    column: str | None         # the header as written
    letter: str | None         # the column as Excel names it ("D")
    message: str

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.sheet is not None:
            parts.append(f"工作表「{self.sheet}」")
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.letter or self.column:
            parts.append(f"{self.letter + ' 列' if self.letter else ''}{'「' + self.column + '」' if self.column else ''}")
        return " ".join(parts)

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"

    def as_problem(self) -> Problem:
        """The importer's Problem: the sheet joins the file name, the letter the column."""
        file = self.file if self.sheet is None else f"{self.file}（工作表「{self.sheet}」）"
        column = None
        if self.letter or self.column:
            column = f"{self.letter + ' 列 ' if self.letter else ''}{self.column or ''}".strip()
        return Problem(file, self.row, column, self.message)


def refuse(problems: list[SheetProblem]) -> ImportRefused:
    return ImportRefused([p.as_problem() for p in problems])
