"""perfdash bench at a small scale: the report's shape, every page measured, the scale as asked
(not the speed — that is BENCHMARKS.md's business). Plus the pieces the bench relies on: the
synthetic data looks like the demo set, and Database.query's fast DataFrame hand-off gives
exactly what DuckDB's own `.df()` gives."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from perfdash import synth
from perfdash.store import sql

ROOT = Path(__file__).resolve().parent.parent
UNITS, YEARS = 2000, 5


def page_files() -> set[str]:
    """The page files dashboard.py registers, read independently of perfdash.bench."""
    text = (ROOT / "dashboard.py").read_text(encoding="utf-8")
    return set(re.findall(r"st\.Page\(\s*[\"']([^\"']+\.py)[\"']", text))


@pytest.fixture(scope="module")
def report() -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "perfdash", "bench", "--units", str(UNITS), "--years", str(YEARS),
         "--format", "json"],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )
    assert out.returncode == 0, out.stderr[-4000:]
    return json.loads(out.stdout)      # stdout is pure JSON: no progress bars, no logging


def test_report_has_exactly_the_documented_keys(report):
    assert set(report) == {"scale", "import", "queries", "pages", "new_unit_profile", "rss_mb", "load"}
    assert set(report["new_unit_profile"]) == {"units", "data_p50_ms", "data_p95_ms", "raw_p50_ms",
                                               "page_p50_ms", "page_p95_ms"}
    assert set(report["load"]) == {"start", "end"}
    assert all(len(report["load"][k]) == 3 for k in ("start", "end"))
    assert set(report["scale"]) == {"units", "years", "unit_years", "projects"}
    assert set(report["import"]) == {"rows_per_s", "raw_rows_per_s", "ratio"}
    for page, q in report["queries"].items():
        assert set(q) == {"p50_ms", "p95_ms", "cold_ms", "raw_p50_ms", "ratio"}, page
    for page, p in report["pages"].items():
        assert set(p) == {"warm_ms", "cold_ms"}, page


def test_every_number_is_positive(report):
    numbers = [*report["import"].values(), report["rss_mb"]]
    for section in ("queries", "pages"):
        for entry in report[section].values():
            numbers.extend(entry.values())
    assert all(isinstance(n, (int, float)) and n > 0 for n in numbers), numbers
    for q in report["queries"].values():
        assert q["p95_ms"] >= q["p50_ms"]
        assert q["ratio"] == pytest.approx(q["p50_ms"] / q["raw_p50_ms"], rel=0.01, abs=0.002)
    i = report["import"]
    assert i["ratio"] == pytest.approx(i["rows_per_s"] / i["raw_rows_per_s"], rel=0.01, abs=0.002)
    profile = report["new_unit_profile"]
    assert profile["units"] == 20                      # the bench's 2,000 units give 20 never opened
    assert all(profile[k] > 0 for k in ("data_p50_ms", "data_p95_ms", "raw_p50_ms", "page_p50_ms", "page_p95_ms"))
    assert profile["data_p95_ms"] >= profile["data_p50_ms"] and profile["page_p95_ms"] >= profile["page_p50_ms"]


def test_every_page_in_dashboard_was_measured(report):
    pages = page_files()
    assert pages, "dashboard.py registers no pages?"
    assert set(report["pages"]) == pages
    assert set(report["queries"]) == pages


def test_scale_is_what_was_asked(report):
    assert report["scale"]["units"] == UNITS
    assert report["scale"]["years"] == YEARS
    assert report["scale"]["unit_years"] == UNITS * YEARS
    assert report["scale"]["projects"] == UNITS * YEARS * synth.DEFAULT_PROJECTS


# -- the synthetic data ------------------------------------------------------------------


def test_province_tables_look_like_the_demo_set():
    scale = synth.Scale(units=600, years=3, projects=4)
    tables = synth.province_tables(scale)
    budget = tables["budget"].to_pandas()
    assert len(budget) == 600 * 3
    assert budget.groupby("单位编码")["年度"].nunique().eq(3).all()
    assert budget["地区"].nunique() >= 3
    assert set(budget["层级"]) == {"市级", "县级"}
    assert budget["行业"].nunique() >= 6
    execution = budget["实际支出数"] / budget["调整后预算数"]
    assert ((execution >= 0.88) & (execution <= 0.99)).mean() > 0.8      # mostly 88–99 %
    assert (execution < 0.85).sum() > 0                                   # a few problem units
    scores = tables["scores"].to_pandas()
    sums = scores.groupby(["单位编码", "年度"])["得分"].sum().round(2)
    expected = budget.set_index(["单位编码", "年度"])["自评得分"].round(2)
    assert (sums.reindex(expected.index) - expected).abs().max() < 0.011
    assert len(tables["projects"]) == 600 * 3 * 4


def test_sql_generator_writes_the_asked_scale(tmp_path):
    from perfdash.derive import open_current

    scale = synth.Scale(units=700, years=3, projects=5)
    db = open_current(tmp_path / "n.duckdb")
    try:
        counts = synth.generate_in_database(db, scale)
        assert counts == {"budget": 2100, "score": 2100 * 4, "project": 2100 * 5}
        rates = db.query("rates/unit_rates", year=scale.last_year, region=None, level=None, sector=None)
        assert len(rates) == 700
        assert rates["region"].nunique() >= 3 and rates["sector"].nunique() >= 6
        assert rates["execution_rate"].between(0.88, 0.995).mean() > 0.8
        history = db.query("import/history")
        assert history["rows_inserted"].tolist() == [2100]
    finally:
        db.close()


# -- Database.query's DataFrame hand-off ---------------------------------------------------


def _default_params(db) -> dict:
    key, year = db.rows("bench/sample_units", n=1)[0]
    return dict(year=year, region=None, level=None, sector=None, unit_key=key, unit_keys=[key],
                group_by="region", metric="execution_rate", ascending=True, limit=10, year_from=None,
                year_to=None, key="data_version")


def test_query_frames_are_exactly_duckdbs_df(tmp_path):
    """Every read query that can run with plain parameters: same columns, dtypes and values as
    `.execute(...).df()` (strings, nullable ints, DECIMAL, TIMESTAMP, empty results)."""
    from perfdash import ingest
    from perfdash.derive import open_current

    db = open_current(tmp_path / "q.duckdb")
    try:
        seed = sorted((ROOT / "data" / "seed").glob("*.csv"))
        ingest.import_files(db, ingest.read_files(seed))
        synth.generate_in_database(db, synth.Scale(units=300, years=3, projects=3))
        params = _default_params(db)
        compared = 0
        for name in sql.all_names():
            body = "\n".join(l for l in sql.load(name).splitlines() if not l.lstrip().startswith("--"))
            if not body.lstrip().upper().startswith(("SELECT", "WITH")) or "nextval" in body:
                continue
            if any(p not in params for p in sql.parameters(name)):
                continue
            bound = {p: params[p] for p in sql.parameters(name)}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    expected = db.cursor().execute(sql.load(name), sql.bind(name, bound)).df()
                except Exception:      # needs a table this database lacks (e.g. import staging)
                    continue
            pd.testing.assert_frame_equal(db.query(name, **bound), expected, check_exact=True, obj=name)
            compared += 1
        assert compared >= 10
        empty = db.query("rates/unit_rates", year=1999, region=None, level=None, sector=None)
        assert empty.empty and list(empty.columns)[:3] == ["unit_key", "unit_code", "unit_name"]
    finally:
        db.close()


# -- ui.data's result cache ----------------------------------------------------------------


def test_result_cache_hands_out_copies_the_caller_may_change():
    from ui.data import _ResultCache

    cache = _ResultCache(max_bytes=10 * 1024 * 1024, max_entries=10)
    computed = []

    def compute():
        computed.append(1)
        return pd.DataFrame({"unit_name": ["甲", "乙"], "rate": [0.5, 0.9]})

    first = cache.get(("k",), 1, compute)
    first.loc[0, "rate"] = 99.0                 # in place, as a careless page might
    first["extra"] = 1
    first.iloc[1, 0] = "丙"
    second = cache.get(("k",), 1, compute)
    assert computed == [1]                      # a hit, not a recomputation
    assert second["rate"].tolist() == [0.5, 0.9] and list(second.columns) == ["unit_name", "rate"]
    cache.get(("k",), 2, compute)               # the data version moved: recomputed
    assert computed == [1, 1]


def test_result_cache_is_bounded_and_drops_the_least_recently_used():
    from ui.data import _ResultCache

    frame = pd.DataFrame({"x": range(10_000)})            # 80 kB
    size = int(frame.memory_usage(index=True, deep=True).sum())
    cache = _ResultCache(max_bytes=3 * size, max_entries=100)
    calls = []

    def compute(key):
        def make():
            calls.append(key)
            return frame
        return make

    for key in ("a", "b", "c"):
        cache.get((key,), 1, compute(key))
    cache.get(("a",), 1, compute("a"))                    # a is now the most recent
    cache.get(("d",), 1, compute("d"))                    # over budget: b goes
    cache.get(("a",), 1, compute("a"))
    cache.get(("b",), 1, compute("b"))
    assert calls == ["a", "b", "c", "d", "b"]
    assert cache._bytes <= 3 * size


TYPED_ROWS = """
SELECT * FROM (VALUES
    ('甲', 1::INTEGER, 2::BIGINT, 3::INTEGER, 1.5::DOUBLE, 294.204448::DECIMAL(18,6), true, true,
     TIMESTAMP '2024-01-02 03:04:05', DATE '2024-01-02', 'x', 1::TINYINT, [1, 2], 7::UBIGINT, 0.1::FLOAT,
     CAST(99.68 AS DECIMAL(6,2)), NULL::INTEGER, NULL),
    ('乙', 2, 3, NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)
) t(s, i, b, inull, d, dec, bo, bonull, ts, dt, snull, ti, lst, ub, f, score, allnull, nothing)
"""


@pytest.mark.parametrize("where", ["", "WHERE s = '甲'", "WHERE s = '乙'", "WHERE s = '无'"])
def test_to_frame_matches_df_for_every_column_type(where):
    import duckdb

    from perfdash.store.connection import to_frame

    con = duckdb.connect()
    text = f"SELECT * FROM ({TYPED_ROWS}) {where}"     # test-only SQL on an in-memory database
    expected = con.sql(text).df()
    got = to_frame(con, con.sql(text).to_arrow_table())
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


def test_data_version_is_remembered_until_a_write(tmp_path, monkeypatch):
    from perfdash import ingest
    from perfdash.derive import open_current
    from perfdash.store.connection import Database

    db = open_current(tmp_path / "v.duckdb")
    try:
        before = db.data_version()
        asked = []
        original = Database.scalar
        monkeypatch.setattr(Database, "scalar", lambda self, name, **p: asked.append(name) or original(self, name, **p))
        assert db.data_version() == before and asked == []          # remembered: no query
        seed = sorted((ROOT / "data" / "seed").glob("*budget*.csv"))[:1]
        ingest.import_files(db, ingest.read_files(seed))
        assert db.data_version() == before + 1                        # the import's bump is seen
        assert asked == ["db/data_version"]
        with pytest.raises(RuntimeError):                             # a failed write: still fresh
            with db.transaction():
                raise RuntimeError("boom")
        assert db.data_version() == before + 1
    finally:
        db.close()


def test_a_page_runs_repeated_data_calls_are_replayed_once():
    from perfdash import bench

    calls = [("query", "pages/unit_list", {"year": None, "limit": 500}),
             ("query", "pages/unit_labels", {"unit_keys": ["a"], "year": None}),
             ("query", "pages/unit_list", {"limit": 500, "year": None}),      # the same call: the cache answers
             ("query", "pages/unit_list", {"year": 2023, "limit": 500}),
             ("query", "pages/unit_labels", {"unit_keys": ["b"], "year": None}),
             ("call", "perfdash.derive.reconcile.rows", {"year": 2023, "unit_key": "a"}),
             ("query", "pages/unit_labels", {"unit_keys": ["a"], "year": None})]
    assert bench._distinct(calls) == [calls[0], calls[1], calls[3], calls[4], calls[5]]
