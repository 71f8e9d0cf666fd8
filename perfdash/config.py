"""口径 configuration: denominators, thresholds and grade bands, read from one TOML file.

The file is `perfdash.toml` at the project root unless PERFDASH_CONFIG names another.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "perfdash.toml"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "perfdash.duckdb"

EXECUTION_DENOMINATORS = ("budget", "funds_received")
CARRYOVER_DENOMINATORS = ("budget", "actual_spend")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Threshold:
    """Warning bounds for one rate, as fractions; None where the bound does not apply."""

    medium_below: float | None = None
    medium_above: float | None = None
    high_below: float | None = None
    high_above: float | None = None
    high_at_or_below: float | None = None

    def severity(self, value: float | None) -> str | None:
        """'high', 'medium' or None for a rate value (a fraction)."""
        if value is None:
            return None
        if self.high_at_or_below is not None and value <= self.high_at_or_below:
            return "high"
        if self.high_below is not None and value < self.high_below:
            return "high"
        if self.high_above is not None and value > self.high_above:
            return "high"
        if self.medium_below is not None and value < self.medium_below:
            return "medium"
        if self.medium_above is not None and value > self.medium_above:
            return "medium"
        return None


@dataclass(frozen=True)
class Config:
    execution_denominator: str = "budget"
    carryover_denominator: str = "budget"
    thresholds: dict[str, Threshold] = field(default_factory=dict)
    grade_floors: dict[str, float] = field(default_factory=dict)
    source: str = ""

    def query_params(self) -> dict[str, str]:
        """The denominator choices as bound parameters for queries/rates/*.sql."""
        return {
            "execution_denominator": self.execution_denominator,
            "carryover_denominator": self.carryover_denominator,
        }

    def grade_for(self, score: float | None) -> str | None:
        if score is None:
            return None
        for grade, floor in sorted(self.grade_floors.items(), key=lambda kv: -kv[1]):
            if score >= floor:
                return grade
        return None

    def fingerprint(self) -> str:
        return f"{self.execution_denominator}|{self.carryover_denominator}"


def load_config(path: str | os.PathLike | None = None) -> Config:
    path = Path(path or os.environ.get("PERFDASH_CONFIG") or DEFAULT_CONFIG_PATH)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"配置文件不存在: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件格式错误: {path}: {exc}") from exc

    denominators = raw.get("denominators", {})
    execution = denominators.get("execution_rate", "budget")
    carryover = denominators.get("carryover_rate", "budget")
    if execution not in EXECUTION_DENOMINATORS:
        raise ConfigError(f"{path}: denominators.execution_rate 只能是 {EXECUTION_DENOMINATORS}，而不是 {execution!r}")
    if carryover not in CARRYOVER_DENOMINATORS:
        raise ConfigError(f"{path}: denominators.carryover_rate 只能是 {CARRYOVER_DENOMINATORS}，而不是 {carryover!r}")

    thresholds = {}
    for metric_id, bounds in raw.get("thresholds", {}).items():
        try:
            thresholds[metric_id] = Threshold(**{k: float(v) for k, v in bounds.items()})
        except TypeError as exc:
            raise ConfigError(f"{path}: thresholds.{metric_id}: {exc}") from exc
    grade_floors = {str(k): float(v) for k, v in raw.get("grades", {}).items()}
    return Config(execution, carryover, thresholds, grade_floors, str(path))


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db beats PERFDASH_DB beats data/perfdash.duckdb."""
    return Path(explicit or os.environ.get("PERFDASH_DB") or DEFAULT_DB_PATH)
