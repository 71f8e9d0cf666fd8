"""`python -m perfdash bench` — how fast perfdash is at province and national scale, measured
against raw DuckDB doing the same work.

One run:

1. **data** — `--units` × `--years` unit-years (+ `--projects` per unit-year) in a temporary
   DuckDB file (perfdash.synth): up to 50,000 units as per-year upload CSVs through the real
   importer; above that (national) generated in DuckDB, the import measured on 20,000 × 1 year.
2. **import** — `ingest.import_files` on those CSVs (read, parse, validate, diff, write, rate
   refresh) in rows/s, beside DuckDB's own `read_csv` into a table on the same files.
3. **record** — every page in dashboard.py's PAGES runs once through AppTest with
   `ui.data.RECORDER` on: the exact data calls (query or core function + parameters) of each.
4. **queries** — per page, those calls replayed through our layer (SQL loading, binding,
   DataFrame hand-off, Python): cold (database just opened) and warm p50/p95, beside a bare
   DuckDB cursor running the same SQL into Arrow (`raw_p50_ms`; core functions: traced SQL).
5. **pages** — each page's full server-side run (dashboard.py + page) through AppTest: warm
   (median of runs, caches filled), cold (caches cleared: the first click after an import).
   Then the profile of PROFILE_UNITS units never opened before (page run and data calls).
6. **memory** — peak RSS of this process (import and generation run in a child: this is the
   serving side); the table adds the child's peak RSS and the load average at start and end.

PERFDASH_BENCH_DIR=<dir> keeps the data set there and reuses it (national generation is slow);
the import is then measured into a scratch database, since re-importing it would change nothing.

The one core module that imports Streamlit and ui/ (inside functions, steps 3 and 5), to measure
the pages as a user meets them; tests/test_layering.py enforces that nothing else may.
"""
from __future__ import annotations

import ast
import concurrent.futures
import gc
import importlib
import json
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from perfdash import synth
from perfdash.bench_report import print_table, report
from perfdash.store import sql
from perfdash.store.connection import connect_config
from perfdash.config import PROJECT_ROOT

ENTRY = PROJECT_ROOT / "dashboard.py"
IMPORT_SAMPLE_UNITS = 20_000          # national scale: the import is measured on this many units
IMPORT_SAMPLE_YEARS = 1
PAGE_TIMEOUT_S = 900
WARM_PAGE_RUNS = 5
WARM_PAGE_BUDGET_S = 30.0              # a page slower than this gets fewer warm runs
QUERY_SAMPLES = 25                     # warm replays per page (fewer when a replay is slow)
QUERY_BUDGET_S = 4.0                   # …but at most about this long per page and layer
MAX_FILE_BYTES = 4 * 1024 ** 3         # the bench's files are bigger than a staff upload
PROFILE_PAGE = "app_pages/unit_profile.py"
PROFILE_UNITS = 20                     # units whose profile is opened for the first time


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- pages --------------------------------------------------------------------------------


def discover_pages(entry: Path = ENTRY) -> list[str]:
    """The page files registered in dashboard.py's PAGES (st.Page("app_pages/x.py", …)), in order;
    the pages/ directory when none is found."""
    found: list[str] = []
    for node in ast.walk(ast.parse(entry.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Page"
                and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            if node.args[0].value not in found:
                found.append(node.args[0].value)
    if not found:
        found = sorted(f"app_pages/{p.name}" for p in (entry.parent / "app_pages").glob("*.py"))
    return found


# -- 1 + 2: data and import (child process) ------------------------------------------------


def _import_phase(units: int, years: int, projects: int, workdir: str, db_path: str) -> dict:
    """Generate the data set into db_path and measure the importer against DuckDB's read_csv."""
    import duckdb

    from perfdash import ingest
    from perfdash.derive import open_current

    scale = synth.Scale(units, years, projects)
    workdir_p = Path(workdir)
    sample, target = scale, Path(db_path)
    if scale.national:
        sample = synth.Scale(min(units, IMPORT_SAMPLE_UNITS), min(years, IMPORT_SAMPLE_YEARS), projects)
    if scale.national or target.exists():   # a kept data set: importing into it would change nothing
        target = workdir_p / "import_measure.duckdb"
        _remove_database(target)

    started = time.perf_counter()
    files = synth.write_province_csvs(sample, workdir_p / "csv")
    csv_s = time.perf_counter() - started

    db = open_current(target)
    limits = ingest.Limits(max_bytes=MAX_FILE_BYTES, max_rows=10 ** 9)
    rows = 0
    import_s = 0.0
    for year_files in files:               # one upload per year: budget + scores + projects
        t0 = time.perf_counter()
        results = ingest.import_files(db, ingest.read_files(year_files), imported_by="perfdash bench",
                                      limits=limits)
        import_s += time.perf_counter() - t0
        rows += sum(r.inserted + r.updated + r.unchanged for r in results)
    db.close()

    raw = duckdb.connect(str(workdir_p / "raw_import.duckdb"))
    raw_s = 0.0
    raw_rows = 0
    for path in (p for year_files in files for p in year_files):
        t0 = time.perf_counter()
        raw.execute(sql.load("bench/raw_read_csv"), {"path": str(path)})
        raw_s += time.perf_counter() - t0
        raw_rows += raw.execute(sql.load("bench/raw_count")).fetchall()[0][0]
    raw.close()
    shutil.rmtree(workdir_p / "csv", ignore_errors=True)
    if target != Path(db_path):
        _remove_database(target)

    generate_s = 0.0
    if scale.national and not Path(db_path).exists():   # PERFDASH_BENCH_DIR keeps one between runs
        t0 = time.perf_counter()
        db = open_current(db_path)
        synth.generate_in_database(db, scale)
        db.close()
        generate_s = time.perf_counter() - t0
    return {"rows": rows, "seconds": import_s, "raw_rows": raw_rows, "raw_seconds": raw_s,
            "sample_units": sample.units, "sample_years": sample.years, "csv_seconds": csv_s,
            "generate_seconds": generate_s, "rss_mb": rss_mb()}


def _remove_database(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def run_import_phase(scale: synth.Scale, workdir: Path, db_path: Path) -> dict:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(_import_phase, scale.units, scale.years, scale.projects, str(workdir),
                           str(db_path)).result()


# -- 3: recording the calls each page makes ------------------------------------------------


@dataclass
class PageRun:
    calls: list[tuple[str, str, dict]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warm_ms: float = 0.0
    cold_ms: float = 0.0
    new_unit_ms: list[float] = field(default_factory=list)   # the profile, once per unit never opened


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _new_app():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ENTRY), default_timeout=PAGE_TIMEOUT_S)
    at.run()
    return at


def _errors(at) -> list[str]:
    return [str(getattr(e, "message", e)) for e in at.exception]


def _clear_data_caches() -> None:
    import streamlit as st

    from ui import data

    data.clear_caches()
    st.cache_data.clear()


def _run_page(at, page: str) -> float:
    t0 = time.perf_counter()
    try:
        at.switch_page(page).run()
    except Exception as exc:       # AppTest's own timeout, or the app failing to start
        log(f"{page}: the run did not complete: {exc}")
    return (time.perf_counter() - t0) * 1000


def record_and_time_pages(pages: list[str]) -> dict[str, PageRun]:
    """Each page: one recorded run (the exact data calls), then cold and warm timed runs."""
    runs = _record_and_time(pages)
    _close_streamlit_db()
    return runs


def _record_and_time(pages: list[str]) -> dict[str, PageRun]:
    import streamlit as st

    from ui import data

    st.cache_data.clear()
    st.cache_resource.clear()
    at = _new_app()
    runs: dict[str, PageRun] = {}
    for page in pages:
        run = runs[page] = PageRun()
        data.RECORDER = []
        try:
            first = _run_page(at, page)
        finally:
            run.calls, data.RECORDER = _distinct(data.RECORDER), None
        log(f"recorded {page}: {len(run.calls)} data calls, first run {first:.0f} ms, "
            f"peak RSS so far {rss_mb():,.0f} MB")
        run.errors = _errors(at)
        for error in run.errors:
            log(f"{page}: the page raised: {error.splitlines()[0][:200]}")
    for page in pages:
        run = runs[page]
        _clear_data_caches()
        run.cold_ms = _run_page(at, page)
        warm = [_run_page(at, page)]
        while len(warm) < WARM_PAGE_RUNS and sum(warm) < WARM_PAGE_BUDGET_S * 1000:
            warm.append(_run_page(at, page))
        run.warm_ms = statistics.median(warm)
        for error in _errors(at):
            if error not in run.errors:
                run.errors.append(error)
                log(f"{page}: a timed run raised: {error.splitlines()[0][:200]}")
        log(f"page {page}: cold {run.cold_ms:.0f} ms, warm {run.warm_ms:.0f} ms, {len(run.calls)} data calls, "
            f"peak RSS so far {rss_mb():,.0f} MB")
    if PROFILE_PAGE in runs:
        runs[PROFILE_PAGE].new_unit_ms = _profile_new_units(at, data.db())
    return runs


def _distinct(calls: list) -> list:
    """A page run's calls without repeats: the app answers a repeat from its result cache."""
    first: dict[tuple, tuple] = {}
    for call in calls:
        first.setdefault(_call_key(call), call)
    return list(first.values())                         # dicts keep the order of first arrival


def _call_key(call) -> tuple:
    kind, name, params = call
    return kind, name, repr(sorted(params.items()))    # list parameters are not hashable


def _profile_new_units(at, db) -> list[float]:
    """Open the unit profile for units never opened before, as a click from a chart does."""
    times = []
    for unit_key, _year in db.rows("bench/sample_units", n=PROFILE_UNITS + 1)[1:]:   # the first was recorded
        at.session_state["profile_unit"] = unit_key
        times.append(_run_page(at, PROFILE_PAGE))
    if times:
        log(f"unit profile, {len(times)} units never opened: p50 {_p(times, 0.5):.0f} ms, "
            f"p95 {_p(times, 0.95):.0f} ms")
    return times


def _close_streamlit_db() -> None:
    import streamlit as st

    from ui import data

    try:
        data.db().close()
    except Exception:   # already closed
        pass
    _clear_data_caches()
    st.cache_resource.clear()
    gc.collect()


# -- 4: replaying the calls: our layer and raw DuckDB --------------------------------------


def _resolve(qualified: str):
    module, _, function = qualified.rpartition(".")
    return getattr(importlib.import_module(module), function)


class _Trace:
    """Records the (query name, bound parameters) of every named query run while active."""

    def __init__(self):
        self.seen: list[tuple[str, dict]] = []
        self._original = sql.bind

    def __enter__(self):
        def bind(name, params):
            bound = self._original(name, params)
            self.seen.append((name, bound))
            return bound

        sql.bind = bind
        return self

    def __exit__(self, *exc):
        sql.bind = self._original


def _ours(db, calls) -> None:
    for kind, name, params in calls:
        if kind == "query":
            db.query(name, **params)
        else:
            _resolve(name)(db, **params)


def _raw_statements(db, calls) -> list[tuple[str, dict]]:
    """The SQL text and parameters raw DuckDB runs for the same calls."""
    statements = []
    for kind, name, params in calls:
        if kind == "query":
            statements.append((sql.load(name), sql.bind(name, params)))
        else:
            with _Trace() as trace:
                _resolve(name)(db, **params)
            statements.extend((sql.load(n), p) for n, p in trace.seen)
    return statements


def _samples(fn) -> list[float]:
    """Up to QUERY_SAMPLES timings; stop after QUERY_BUDGET_S with at least 3 (one or two when
    a single call already takes seconds)."""
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < QUERY_SAMPLES:
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
        if elapsed > QUERY_BUDGET_S and (len(times) >= 3 or elapsed > 2 * QUERY_BUDGET_S):
            break
    return times


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def replay_queries(db_path: Path, runs: dict[str, PageRun]) -> dict[str, dict]:
    import duckdb

    from perfdash.store.connection import Database

    out = {}
    for page, run in runs.items():
        calls = [c for c in run.calls if c[0] == "query" or _importable(c[1])]
        # cold: a freshly opened database (DuckDB's buffer pool empty) and no loaded SQL text
        gc.collect()
        for cached in (sql.load, sql.parameters):
            cached.cache_clear()
        db = Database(db_path)
        t0 = time.perf_counter()
        _ours(db, calls)
        cold = (time.perf_counter() - t0) * 1000
        ours = _samples(lambda: _ours(db, calls))
        statements = _raw_statements(db, calls)
        db.close()

        raw_con = duckdb.connect(str(db_path), config=connect_config())
        cur = raw_con.cursor()

        def raw():
            for text, params in statements:
                cur.execute(text, params).to_arrow_table()

        raw()                                 # same footing as ours: warm
        raw_times = _samples(raw)
        cur.close()
        raw_con.close()
        p50, raw_p50 = _p(ours, 0.5), _p(raw_times, 0.5)
        out[page] = {"p50_ms": p50, "p95_ms": _p(ours, 0.95), "cold_ms": cold, "raw_p50_ms": raw_p50,
                     "ratio": p50 / raw_p50 if raw_p50 > 0 else float("inf")}
        log(f"queries {page}: {len(calls)} calls, p50 {p50:.1f} ms, raw {raw_p50:.1f} ms, cold {cold:.1f} ms")
    return out


def replay_profile_units(db_path: Path, run: PageRun) -> dict | None:
    """The unit profile's data calls for units never queried before: each replay a different
    unit (its unit_key / unit_keys parameters swapped), so nothing is served from a cache."""
    import duckdb

    from perfdash.store.connection import Database

    if not run.calls:
        return None
    recorded = next((p["unit_key"] for _, _, p in run.calls if "unit_key" in p), None)
    db = Database(db_path)
    # not the units whose page _profile_new_units opened: their rows would be in DuckDB's cache
    opened = PROFILE_UNITS + 1
    units = [key for key, _ in db.rows("bench/sample_units", n=opened + PROFILE_UNITS)[opened:] if key != recorded]

    def for_unit(key):
        swapped = []
        for kind, name, params in run.calls:
            params = dict(params)
            if "unit_key" in params:
                params["unit_key"] = key
            if "unit_keys" in params and params["unit_keys"] == [recorded]:
                params["unit_keys"] = [key]
            swapped.append((kind, name, params))
        return [c for c in swapped if c[0] == "query" or _importable(c[1])]

    ours, statements = [], []
    for key in units:
        calls = for_unit(key)
        t0 = time.perf_counter()
        _ours(db, calls)
        ours.append((time.perf_counter() - t0) * 1000)
        statements.append(_raw_statements(db, calls))
    db.close()
    raw_con = duckdb.connect(str(db_path), config=connect_config())
    cur = raw_con.cursor()
    raw = []
    for unit_statements in statements:
        t0 = time.perf_counter()
        for text, params in unit_statements:
            cur.execute(text, params).to_arrow_table()
        raw.append((time.perf_counter() - t0) * 1000)
    cur.close()
    raw_con.close()
    out = {"units": len(units), "data_p50_ms": _p(ours, 0.5), "data_p95_ms": _p(ours, 0.95),
           "raw_p50_ms": _p(raw, 0.5)}
    if run.new_unit_ms:
        out.update(page_p50_ms=_p(run.new_unit_ms, 0.5), page_p95_ms=_p(run.new_unit_ms, 0.95))
    log(f"unit profile data, {len(units)} units never queried: p50 {out['data_p50_ms']:.1f} ms, "
        f"p95 {out['data_p95_ms']:.1f} ms, raw p50 {out['raw_p50_ms']:.1f} ms")
    return out


def _importable(qualified: str) -> bool:
    try:
        _resolve(qualified)
        return True
    except (ImportError, AttributeError):
        log(f"cannot replay {qualified}: not importable outside its page")
        return False


def call_breakdown(db_path: Path, runs: dict[str, PageRun], top: int = 12) -> list[dict]:
    """The slowest distinct data calls (ours vs raw, rows returned), for the table report."""
    import duckdb

    from perfdash.store.connection import Database

    seen: dict[tuple, tuple] = {}
    for page, run in runs.items():
        for call in run.calls:
            seen.setdefault(_call_key(call), (page, *call))
    db = Database(db_path)
    raw_con = duckdb.connect(str(db_path), config=connect_config())
    cur = raw_con.cursor()
    rows = []
    for page, kind, name, params in seen.values():
        if kind == "call" and not _importable(name):
            continue
        calls = [(kind, name, params)]
        statements = _raw_statements(db, calls)
        ours = _samples(lambda: _ours(db, calls))
        raw = _samples(lambda: [cur.execute(t, p).to_arrow_table() for t, p in statements])
        result = db.query(name, **params) if kind == "query" else _resolve(name)(db, **params)
        n = len(result) if hasattr(result, "__len__") else 1
        shown = ", ".join(f"{k}={v}" for k, v in params.items() if v is not None)[:60]
        rows.append({"page": page, "call": name, "params": shown, "rows": n,
                     "ours_ms": _p(ours, 0.5), "raw_ms": _p(raw, 0.5)})
    cur.close()
    raw_con.close()
    db.close()
    rows.sort(key=lambda r: -r["ours_ms"])
    return rows[:top]


# -- entry ---------------------------------------------------------------------------------


def main(args) -> int:
    projects = args.projects if args.projects is not None else synth.DEFAULT_PROJECTS
    if args.units < 1 or args.years < 1 or projects < 0:
        print("错误：--units 和 --years 至少为 1，--projects 不能为负数", file=sys.stderr)
        return 1
    scale = synth.Scale(args.units, args.years, projects)
    if str(PROJECT_ROOT) not in sys.path:       # ui/ and pages/ import as top-level packages
        sys.path.insert(0, str(PROJECT_ROOT))
    pages = discover_pages()
    for page in pages:
        if not (ENTRY.parent / page).is_file():
            log(f"{page} is listed in dashboard.py but does not exist: the app will fail to start")
    load_at_start = load_average()
    keep = os.environ.get("PERFDASH_BENCH_DIR")
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="perfdash-bench-"))
    db_path = workdir / "bench.duckdb"
    saved_env = os.environ.get("PERFDASH_DB")
    try:
        log(f"{scale.units:,} units × {scale.years} years, {scale.projects} projects per unit-year "
            f"({'national: generated in DuckDB' if scale.national else 'province: CSV through the importer'})")
        t0 = time.perf_counter()
        imported = run_import_phase(scale, workdir, db_path)
        log(f"data ready in {time.perf_counter() - t0:.1f} s (import {imported['seconds']:.1f} s for "
            f"{imported['rows']:,} rows, raw read_csv {imported['raw_seconds']:.1f} s)")

        os.environ["PERFDASH_DB"] = str(db_path)
        counts = _counts(db_path)
        runs = record_and_time_pages(pages)
        queries = replay_queries(db_path, runs)
        profile = replay_profile_units(db_path, runs[PROFILE_PAGE]) if PROFILE_PAGE in runs else None
        breakdown = call_breakdown(db_path, runs) if args.format == "table" else []
        result = report(scale, counts, imported, queries, runs, rss_mb(), profile,
                        {"start": load_at_start, "end": load_average()})
        if args.format == "json":
            json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
        else:
            print_table(result, imported, breakdown, {p: r.errors for p, r in runs.items()})
        return 0
    finally:
        if saved_env is None:
            os.environ.pop("PERFDASH_DB", None)
        else:
            os.environ["PERFDASH_DB"] = saved_env
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _counts(db_path: Path) -> dict:
    from perfdash.store.connection import Database

    db = Database(db_path, read_only=True)
    try:
        row = db.query("bench/scale").iloc[0]
        return {"unit_years": int(row["unit_years"]), "projects": int(row["projects"])}
    finally:
        db.close()
