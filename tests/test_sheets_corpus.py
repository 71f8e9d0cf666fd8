"""Every corpus file reads back to the figures it was written from, to the cent (exactly, in
万元), or is refused naming the file, sheet, Excel row and column its answer gives."""
from __future__ import annotations

from decimal import Decimal

import pytest

import sheet_corpus
from perfdash.ingest.sheets import read_tables

CASES = sheet_corpus.cases()
ACCEPTED = [c for c in CASES if c.expect is not None]
REFUSED = [c for c in CASES if c.refuse is not None]
NUMERIC = {"year", "initial_budget", "adjusted_budget", "actual_spend", "carryover", "stated:execution_rate"}


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("sheet_corpus")
    for case in CASES:
        (directory / case.name).write_bytes(case.data)
    return directory


def _read(corpus_dir, case):
    return read_tables((corpus_dir / case.name).read_bytes(), case.name)


def _figures(result) -> dict:
    found = {}
    for table in result.tables:
        ids = table.column_ids
        for row, cells in table.rows:
            record = dict(zip(ids, cells))
            key = (table.sheet, record["unit_name"], record.get("region"), int(record["year"]))
            assert key not in found, f"{key} read twice (row {row})"
            found[key] = {c: (Decimal(v) if c in NUMERIC and v != "" else v) for c, v in record.items()}
    return found


def test_corpus_is_big_enough():
    assert len(CASES) >= 40
    assert len(ACCEPTED) >= 30 and len(REFUSED) >= 15
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda c: c.name)
def test_accepted_file_gives_its_figures(corpus_dir, case):
    result = _read(corpus_dir, case)
    assert not result.problems, "\n".join(map(str, result.problems))
    found = _figures(result)
    if all(k[0] is None for k in case.expect):   # one table: which sheet it is on does not matter
        assert len(result.tables) == 1
        found = {(None,) + k[1:]: v for k, v in found.items()}
    assert set(found) == set(case.expect)
    for key, figures in case.expect.items():
        got = {c: found[key].get(c) for c in figures}
        assert got == figures, key
    notes = [n for t in result.tables for n in t.notes] + result.notes
    for words in case.notes:
        assert any(words in n for n in notes), (words, notes)
    for sheet, row, words in case.skipped_rows:
        table = next(t for t in result.tables if t.sheet == sheet or sheet is None)
        reasons = dict(table.skipped_rows)
        assert row in reasons and words in reasons[row], (row, reasons)
        assert row not in [r for r, _ in table.rows]
    for sheet, words in case.skipped_sheets:
        assert any(s == sheet and words in why for s, why in result.skipped_sheets), result.skipped_sheets


@pytest.mark.parametrize("case", REFUSED, ids=lambda c: c.name)
def test_refused_file_names_where(corpus_dir, case):
    result = _read(corpus_dir, case)
    assert result.refused
    for sheet, row, letter, words in case.refuse:
        hits = [p for p in result.problems if p.row == row and p.letter == letter and words in p.message
                and (sheet is None or p.sheet == sheet)]
        assert hits, (sheet, row, letter, words, [str(p) for p in result.problems])
    for p in result.problems:
        assert p.file == case.name
        assert str(p).startswith(case.name)
        if p.row is not None and p.letter:
            assert f"第 {p.row} 行" in str(p) and f"{p.letter} 列" in str(p)
