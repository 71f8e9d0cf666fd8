"""Concurrent use: readers during imports, two uploads at once, a second process, SIGKILL."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perfdash import ingest
from perfdash.derive import open_current

ROOT = Path(__file__).resolve().parent.parent
READERS = 8
QUERIES_PER_READER = 200
KILL_TRIALS = 20
KILL_ROWS = 10_000

ALL_SCOPE = {"region": None, "level": None, "sector": None}


def budget_frame(n: int, year: int, prefix: str, spend: float = 90.0) -> pd.DataFrame:
    rng = np.random.default_rng(year)
    return pd.DataFrame({
        "年度": year, "单位编码": [f"{prefix}{i:06d}" for i in range(n)],
        "单位名称": [f"并发测试单位{prefix}{i}" for i in range(n)], "地区": "并发测试市", "层级": "县级",
        "行业": "测试", "年初预算数": np.round(rng.random(n) * 1000 + 100, 2), "调整后预算数": 1000,
        "实际支出数": spend,
    })


def gbk_csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode("gbk")


def state(db, year: int) -> tuple:
    """(Σ actual_spend, unit count) of the year from the rate table, read in one query."""
    totals = db.query("rates/weighted_by_group", group_by="all", year_from=year, year_to=year, **ALL_SCOPE)
    if totals.empty:
        return (0.0, 0)
    row = totals.iloc[0]
    return (round(float(row["actual_spend"]), 6), int(row["unit_count"]))


def test_readers_see_old_or_new_figures_never_a_mix(demo_db):
    """8 reader threads × 200 queries while imports and rollbacks commit over and over."""
    year = 2023
    units = demo_db.query("rates/unit_rates", year=year, **ALL_SCOPE)
    units = units[units["unit_code"].notna()]    # the demo units (the seed reports' have no code)
    assert len(units) > 50
    # The same units with every figure changed, plus 40 new units: each commit changes the sum
    # and the count at once.
    changed = pd.DataFrame({
        "年度": year, "单位编码": units["unit_code"], "单位名称": units["unit_name"],
        "地区": units["region"], "层级": units["level"], "行业": units["sector"],
        "调整后预算数": units["budget"], "实际支出数": units["actual_spend"].fillna(0) + 1.0,
    })
    assert changed["单位编码"].notna().all(), "demo units carry codes"
    new_units = budget_frame(40, year, "NEW", spend=7.0)[list(changed.columns)]
    payload = gbk_csv(pd.concat([changed, new_units]))

    parsed = ingest.parse_all([("并发.csv", payload)])
    old = state(demo_db, year)
    results = ingest.import_parsed(demo_db, parsed, imported_by="并发测试")
    new = state(demo_db, year)
    batch_id = results[0].batch_id
    ingest.rollback(demo_db, batch_id)
    assert state(demo_db, year) == old
    assert new[0] == pytest.approx(old[0] + len(units) + 40 * 7.0) and new[1] == old[1] + 40
    allowed = {old, new}

    stop = threading.Event()
    errors: list[str] = []
    mixed: list[tuple] = []
    seen = {"old": 0, "new": 0}
    seen_lock = threading.Lock()
    cycles = [0]

    def writer():
        while not stop.is_set():
            result = ingest.import_parsed(demo_db, parsed, imported_by="并发测试")
            ingest.rollback(demo_db, result[0].batch_id)
            cycles[0] += 1
            time.sleep(0.01)   # let readers in between commits too

    def reader():
        local = {"old": 0, "new": 0}
        for _ in range(QUERIES_PER_READER):
            try:
                figures = state(demo_db, year)
            except Exception as exc:   # an error is a failure of this test, counted, not raised
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            if figures not in allowed:
                mixed.append(figures)
            else:
                local["old" if figures == old else "new"] += 1
        with seen_lock:
            for k in local:
                seen[k] += local[k]

    write_thread = threading.Thread(target=writer)
    readers = [threading.Thread(target=reader) for _ in range(READERS)]
    started = time.perf_counter()
    write_thread.start()
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    stop.set()
    write_thread.join()
    elapsed = time.perf_counter() - started
    print(f"\nreaders: {READERS} × {QUERIES_PER_READER} = {READERS * QUERIES_PER_READER} reads in {elapsed:.1f} s; "
          f"import+rollback cycles committed meanwhile: {cycles[0]}; saw old {seen['old']}, new {seen['new']}; "
          f"mixed {len(mixed)}; errors {len(errors)}")
    assert not errors, errors[:3]
    assert not mixed, mixed[:3]
    assert seen["old"] + seen["new"] == READERS * QUERIES_PER_READER
    assert cycles[0] >= 1
    assert state(demo_db, year) == old


def test_two_uploads_at_once_are_serialised(demo_db):
    files = [("并发A.csv", gbk_csv(budget_frame(300, 2021, "A"))), ("并发B.csv", gbk_csv(budget_frame(300, 2021, "B")))]
    before = state(demo_db, 2021)
    barrier = threading.Barrier(2)
    results, errors = {}, []

    def upload(name, data):
        parsed = ingest.parse_all([(name, data)])
        barrier.wait()
        try:
            results[name] = ingest.import_parsed(demo_db, parsed, imported_by=name)
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=f) for f in files]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    ids = sorted(r[0].batch_id for r in results.values())
    assert ids[1] == ids[0] + 1
    after = state(demo_db, 2021)
    assert after[1] == before[1] + 600
    assert after[0] == pytest.approx(before[0] + 600 * 90.0)
    history = demo_db.query("import/history")
    assert set(history.loc[history["batch_id"].isin(ids), "imported_by"]) == {"并发A.csv", "并发B.csv"}


HOLDER = ("import sys; from perfdash.derive import open_current; db = open_current(sys.argv[1]); "
          "print('ready', flush=True); sys.stdin.read(); db.close()")


def test_cli_import_while_the_dashboard_holds_the_database(demo_db_path, tmp_path):
    good = tmp_path / "新数据.csv"
    good.write_bytes(gbk_csv(budget_frame(5, 2022, "CLI")))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(demo_db_path)], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = subprocess.run([sys.executable, "-m", "perfdash", "import", str(good), "--db", str(demo_db_path)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        print("\nCLI import while held: exit", result.returncode, "|", result.stderr.strip())
        assert result.returncode == 1
        assert "正被另一个程序占用" in result.stderr and f"进程 {holder.pid}" in result.stderr
        assert "数据导入" in result.stderr    # says what to do
        assert "Traceback" not in result.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    db = open_current(demo_db_path)
    try:
        assert not (db.query("import/history")["file_name"] == "新数据.csv").any()
    finally:
        db.close()
    result = subprocess.run([sys.executable, "-m", "perfdash", "import", str(good), "--db", str(demo_db_path)],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "新增 5 行" in result.stdout


def _check_all_or_nothing(path: Path, years: dict[int, str]) -> dict:
    """Open the database (it must open) and check every batch is wholly present or wholly absent:
    batch row present ⇔ exactly KILL_ROWS units (and their rates) for its year, none otherwise."""
    db = open_current(path)
    try:
        history = db.query("import/history")
        totals = db.query("rates/weighted_by_group", group_by="all", year_from=None, year_to=None, **ALL_SCOPE)
        per_year = {int(r.year): (int(r.unit_count), float(r.actual_spend)) for r in totals.itertuples()}
        found = {}
        for year, name in years.items():
            batch = history[history["file_name"] == name]
            present = not batch.empty
            if present:
                assert len(batch) == 1 and batch.iloc[0]["status"] == "active"
                assert batch.iloc[0]["rows_inserted"] == KILL_ROWS
                count, spend = per_year.get(year, (0, 0.0))
                assert count == KILL_ROWS, (name, count)
                assert round(spend, 2) == round(90.0 * KILL_ROWS, 2)
            else:
                assert year not in per_year, (name, per_year.get(year))
            found[year] = present
        assert len(history) == sum(found.values())
        return found
    finally:
        db.close()


def _files_touched(path: Path, baseline: tuple) -> bool:
    return _file_state(path) != baseline


def _file_state(path: Path) -> tuple:
    wal = Path(str(path) + ".wal")
    st = path.stat()
    return (st.st_size, st.st_mtime_ns, wal.exists() and wal.stat().st_size)


def test_sigkill_during_import_leaves_each_batch_all_or_nothing(tmp_path):
    """20 imports killed with SIGKILL at random moments: half anywhere in the run, half shortly
    after the process starts writing the database file (transaction, commit, checkpoint)."""
    path = tmp_path / "kill.duckdb"
    subprocess.run([sys.executable, "-m", "perfdash", "init", "--db", str(path)], cwd=ROOT, check=True,
                   capture_output=True)
    files = {}
    for i in range(KILL_TRIALS + 1):
        year = 2000 + i
        f = tmp_path / f"大文件_{year}.csv"
        f.write_bytes(gbk_csv(budget_frame(KILL_ROWS, year, f"K{year}")))
        files[year] = f

    def start(year):
        return subprocess.Popen([sys.executable, "-m", "perfdash", "import", str(files[year]), "--db", str(path)],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    # An unkilled run first: how long a whole import takes here (the kill window).
    reference_year = 2000 + KILL_TRIALS
    began = time.perf_counter()
    proc = start(reference_year)
    _, err = proc.communicate(timeout=300)
    full = time.perf_counter() - began
    assert proc.returncode == 0, err.decode()
    expected = {reference_year: files[reference_year].name}
    assert _check_all_or_nothing(path, expected) == {reference_year: True}

    rng = random.Random(20261123)
    outcomes = {"killed, batch absent": 0, "killed, batch present": 0, "finished before kill": 0}
    for trial in range(KILL_TRIALS):
        year = 2000 + trial
        baseline = _file_state(path)
        proc = start(year)
        if trial % 2 == 0:
            time.sleep(rng.uniform(0.0, full * 1.1))
        else:
            deadline = time.perf_counter() + full * 3
            while proc.poll() is None and not _files_touched(path, baseline) and time.perf_counter() < deadline:
                time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.2))   # the write window is about 0.1 s unloaded
        finished = proc.poll() is not None
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        expected[year] = files[year].name
        found = _check_all_or_nothing(path, expected)      # raises if anything is half there
        if finished:
            outcomes["finished before kill"] += 1
            assert found[year]
        else:
            outcomes["killed, batch present" if found[year] else "killed, batch absent"] += 1
    print(f"\nSIGKILL: {KILL_TRIALS} trials of {KILL_ROWS:,} rows, full import {full:.2f} s; {outcomes}; "
          "database opened every time; half-written batches: 0")
    assert sum(outcomes.values()) == KILL_TRIALS
