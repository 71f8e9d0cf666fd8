"""口径 configuration: denominators, thresholds and grade bands, read from one TOML file.

The file is `perfdash.toml` at the project root unless PERFDASH_CONFIG names another.
"""
from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from perfdash.errors import ConfigError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "perfdash.toml"
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "perfdash.duckdb"

EXECUTION_DENOMINATORS = ("budget", "funds_received")
CARRYOVER_DENOMINATORS = ("budget", "actual_spend")




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
        return self.severities([value])[0]

    def severities(self, values) -> np.ndarray:
        """The severity of each value ('high', 'medium' or None; NaN and None give None), for a
        whole column at once. A high bound wins over a medium one."""
        v = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        out = np.full(len(v), None, dtype=object)
        with np.errstate(invalid="ignore"):
            high = np.zeros(len(v), dtype=bool)
            if self.high_at_or_below is not None:
                high |= v <= self.high_at_or_below
            if self.high_below is not None:
                high |= v < self.high_below
            if self.high_above is not None:
                high |= v > self.high_above
            medium = np.zeros(len(v), dtype=bool)
            if self.medium_below is not None:
                medium |= v < self.medium_below
            if self.medium_above is not None:
                medium |= v > self.medium_above
        out[medium & ~high] = "medium"
        out[high] = "high"
        return out

    def describe(self) -> str:
        """The bounds in words, as the definitions page and the rules panel show them."""
        parts = []
        if self.high_at_or_below is not None:
            parts.append(f"不高于 {self.high_at_or_below:.0%} 为严重")
        if self.high_below is not None:
            parts.append(f"低于 {self.high_below:.0%} 为严重")
        if self.high_above is not None:
            parts.append(f"高于 {self.high_above:.0%} 为严重")
        if self.medium_below is not None:
            parts.append(f"低于 {self.medium_below:.0%} 为关注")
        if self.medium_above is not None:
            parts.append(f"高于 {self.medium_above:.0%} 为关注")
        return "；".join(parts)


PEER_DIRECTIONS = ("low", "high", "both")


@dataclass(frozen=True)
class PeerRule:
    """How one rate is compared with its peers: the floor on the spread (MAD, a fraction)
    and which side of the median is a problem ('low', 'high' or 'both')."""

    min_spread: float
    direction: str = "both"


@dataclass(frozen=True)
class HistoryRules:
    """Year-on-year jumps of a unit against its own previous year."""

    execution_jump: float = 0.20
    execution_jump_high: float = 0.40
    carryover_growth: float = 1.0
    carryover_growth_high: float = 3.0
    carryover_growth_min_share: float = 0.10


@dataclass(frozen=True)
class InflationRules:
    """Self-evaluation inflation (自评虚高)."""

    grade: str = "优"
    high_gap: float = 0.10
    peer_quarter: float = 0.25
    count_project_warnings: bool = False
    # a self-grade above 中 (优 or 良) beside at least this many unit-level high warnings
    many_high_warnings: int = 3
    # a self-score this many points above the evaluation score someone else gave
    evaluation_gap: float = 10.0
    # first-level self-scores that miss the self-score total by more than this (points)
    dimension_tolerance: float = 0.01


@dataclass(frozen=True)
class DataRules:
    """Data questions (数据核查): figures incomplete or contradicting each other."""

    equal_tolerance: float = 0.01      # 万元: spend "equal" to the money received
    received_margin: float = 0.0       # funds received above budget × (1 + this) is a question
    slip: bool = True                  # a stated rate no 口径 reproduces is a question
    amount_ratio: float = 1000.0       # a budget this many times last year's (or 1/this): 元 read as 万元?
    max_median: float = 100_000.0      # 万元: an import of new units with a higher median budget (元 read as 万元?)


@dataclass(frozen=True)
class OutlierSettings:
    """[outliers] in perfdash.toml: statistical outliers and inflation rules."""

    min_peers: int = 8
    robust_z: float = 3.5
    robust_z_high: float = 7.0
    peer: dict[str, PeerRule] = field(default_factory=dict)
    history: HistoryRules = field(default_factory=HistoryRules)
    inflation: InflationRules = field(default_factory=InflationRules)
    data: DataRules = field(default_factory=DataRules)


@dataclass(frozen=True)
class Config:
    execution_denominator: str = "budget"
    carryover_denominator: str = "budget"
    thresholds: dict[str, Threshold] = field(default_factory=dict)
    grade_floors: dict[str, float] = field(default_factory=dict)
    source: str = ""
    outliers: OutlierSettings = field(default_factory=OutlierSettings)

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

    def flags_fingerprint(self) -> str:
        """Everything the stored flags depend on: the 口径, thresholds, grade floors, rules.
        The dataclasses' repr is stable, so equal settings give equal fingerprints."""
        settings = repr((self.fingerprint(), sorted(self.thresholds.items()),
                         sorted(self.grade_floors.items()), self.outliers))
        return hashlib.sha256(settings.encode("utf-8")).hexdigest()[:16]


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
    outliers = _outlier_settings(raw.get("outliers", {}), path)
    return Config(execution, carryover, thresholds, grade_floors, str(path), outliers)


def _outlier_settings(raw: dict, path: Path) -> OutlierSettings:
    """Read [outliers]; a missing section gives the defaults, a wrong key or value is refused."""
    try:
        peer = {}
        for metric_id, rule in raw.get("peer", {}).items():
            direction = rule.get("direction", "both")
            if direction not in PEER_DIRECTIONS:
                raise ConfigError(f"{path}: outliers.peer.{metric_id}.direction 只能是 "
                                  f"{PEER_DIRECTIONS}，而不是 {direction!r}")
            peer[metric_id] = PeerRule(min_spread=float(rule["min_spread"]), direction=direction)
        history = HistoryRules(**{k: float(v) for k, v in raw.get("history", {}).items()})
        inflation_raw = dict(raw.get("inflation", {}))
        inflation = InflationRules(
            grade=str(inflation_raw.pop("grade", "优")),
            high_gap=float(inflation_raw.pop("high_gap", 0.10)),
            peer_quarter=float(inflation_raw.pop("peer_quarter", 0.25)),
            count_project_warnings=bool(inflation_raw.pop("count_project_warnings", False)),
            many_high_warnings=int(inflation_raw.pop("many_high_warnings", 3)),
            evaluation_gap=float(inflation_raw.pop("evaluation_gap", 10.0)),
            dimension_tolerance=float(inflation_raw.pop("dimension_tolerance", 0.01)),
        )
        if inflation_raw:
            raise ConfigError(f"{path}: outliers.inflation 有未知的键 {sorted(inflation_raw)}")
        data_raw = dict(raw.get("data", {}))
        data = DataRules(
            equal_tolerance=float(data_raw.pop("equal_tolerance", 0.01)),
            received_margin=float(data_raw.pop("received_margin", 0.0)),
            slip=bool(data_raw.pop("slip", True)),
            amount_ratio=float(data_raw.pop("amount_ratio", 1000.0)),
            max_median=float(data_raw.pop("max_median", 100_000.0)),
        )
        if data_raw:
            raise ConfigError(f"{path}: outliers.data 有未知的键 {sorted(data_raw)}")
        top = {k: v for k, v in raw.items() if k not in ("peer", "history", "inflation", "data")}
        settings = OutlierSettings(
            min_peers=int(top.pop("min_peers", 8)),
            robust_z=float(top.pop("robust_z", 3.5)),
            robust_z_high=float(top.pop("robust_z_high", 7.0)),
            peer=peer, history=history, inflation=inflation, data=data,
        )
        if top:
            raise ConfigError(f"{path}: outliers 有未知的键 {sorted(top)}")
        return settings
    except ConfigError:
        raise
    except (TypeError, KeyError, ValueError) as exc:
        raise ConfigError(f"{path}: outliers: {exc}") from exc


def db_path(explicit: str | os.PathLike | None = None) -> Path:
    """--db beats PERFDASH_DB beats data/perfdash.duckdb."""
    return Path(explicit or os.environ.get("PERFDASH_DB") or DEFAULT_DB_PATH)
