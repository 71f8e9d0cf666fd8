"""Named SQL files under queries/: loading, header metadata and parameter binding.

A query's name is its path below queries/ without `.sql` (e.g. "rates/unit_year_rates").
Each file opens with `-- key: value` comment lines (purpose, row, formula, units, params);
that header is the query's documentation and the definitions page reads it.
"""
from __future__ import annotations

import re
from functools import lru_cache

from perfdash.config import PROJECT_ROOT

QUERIES_DIR = PROJECT_ROOT / "queries"
PARAM_PATTERN = re.compile(r"(?<![\w$])\$([A-Za-z_][A-Za-z0-9_]*)")
_HEADER_LINE = re.compile(r"^--\s*([a-z_]+):\s*(.*)$")


@lru_cache(maxsize=None)
def load(name: str) -> str:
    path = QUERIES_DIR / f"{name}.sql"
    if not path.is_file():
        raise KeyError(f"no query file queries/{name}.sql")
    return path.read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def parameters(name: str) -> tuple[str, ...]:
    """The $names a query binds, in order of first use (comments excluded)."""
    body = "\n".join(line.split("--", 1)[0] for line in load(name).splitlines())
    seen: dict[str, None] = {}
    for match in PARAM_PATTERN.finditer(body):
        seen.setdefault(match.group(1), None)
    return tuple(seen)


def bind(name: str, params: dict) -> dict:
    """Pick the parameters this query uses; a missing one is a programming error."""
    wanted = parameters(name)
    missing = [p for p in wanted if p not in params]
    if missing:
        raise KeyError(f"queries/{name}.sql needs parameters {missing}")
    return {p: params[p] for p in wanted}


@lru_cache(maxsize=None)
def header(name: str) -> dict[str, str]:
    """The `-- key: value` lines at the top of a query file; continuation lines are joined."""
    fields: dict[str, str] = {}
    last = None
    for line in load(name).splitlines():
        if not line.startswith("--"):
            break
        match = _HEADER_LINE.match(line)
        if match:
            last = match.group(1)
            fields[last] = match.group(2).strip()
        elif last and line[2:].strip():
            fields[last] += " " + line[2:].strip()
    return fields


def all_names() -> list[str]:
    return sorted(str(p.relative_to(QUERIES_DIR).with_suffix("")) for p in QUERIES_DIR.rglob("*.sql"))


def migrations() -> list[tuple[int, str]]:
    """(number, name) of queries/schema/NNN_*.sql in order."""
    found = []
    for path in sorted((QUERIES_DIR / "schema").glob("[0-9][0-9][0-9]_*.sql")):
        found.append((int(path.name[:3]), f"schema/{path.stem}"))
    return found


def statements(name: str) -> list[str]:
    """Split a multi-statement file (schema migrations) on semicolons at line ends."""
    text = "\n".join(line for line in load(name).splitlines() if not line.lstrip().startswith("--"))
    return [s.strip() for s in re.split(r";\s*\n", text + "\n") if s.strip()]
