"""Which units a view covers: a year and the filters region, level and sector (None = all).

The sidebar filters, the meeting pack and the queries all speak of a scope this way; every
filtered query binds `params()`."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    year: int | None
    region: str | None = None
    level: str | None = None
    sector: str | None = None

    def params(self) -> dict:
        """The bound parameters every filtered query takes."""
        return {"region": self.region, "level": self.level, "sector": self.sector}

    def parts(self) -> list[str]:
        return [p for p in (self.region, self.level, self.sector) if p]

    def describe(self) -> str:
        return "、".join(self.parts()) or "全部单位"
