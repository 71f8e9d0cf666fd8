"""The tables this layer returns go through the importer's own validator unchanged: header
labels are canonical (no unit suffix, so no second conversion), rows keep Excel numbers, and
the figures come out as the corpus says. This pins the contract the importer integration
relies on (see perfdash/ingest/sheets/__init__.py)."""
from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest

import sheet_corpus
from perfdash import ingest
from perfdash.ingest import readers
from perfdash.ingest import validate as ingest_validate
from perfdash.errors import ImportRefused
from perfdash.ingest.sheets import Table, read_tables

CASES = [c for c in sheet_corpus.cases() if c.expect is not None]


def validate(table: Table, data: bytes) -> ingest.ParsedFile:
    """One table through the importer's header mapping and validation (stated rates aside)."""
    # 结转结余 is left out: the importer on this branch still refuses negative balances, which the
    # design allows (a deficit is real data) and the corpus has.
    keep = [i for i, c in enumerate(table.columns)
            if not c.column_id.startswith("stated:") and c.column_id != "carryover"]
    header = [table.columns[i].label for i in keep]
    lines = np.asarray([r for r, _ in table.rows], dtype="int64")

    def body(width, positions):
        columns = {p: pa.array([cells[keep[p]] for _, cells in table.rows], type=pa.large_string()) for p in positions}
        return readers._Body(columns, lines, [])

    return ingest_validate._parse_table(data, table.file, ingest.Limits(), table.kind, header,
                               table.header_rows[-1] - 1, body)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_tables_pass_the_importers_validator_with_the_same_figures(case):
    result = read_tables(case.data, case.name)
    single = all(k[0] is None for k in case.expect)
    for table in result.tables:
        try:
            parsed = validate(table, case.data)
        except ImportRefused as refused:
            # Without codes or regions, the two counties' 县教育局 are one name: the importer
            # refuses rather than merge them (with a 地区 column they are two units).
            names = [cells[table.column_ids.index("unit_name")] for _, cells in table.rows]
            assert "unit_code" not in table.column_ids and len(set(names)) < len(names)
            assert all("重复" in p.message for p in refused.problems), refused.report()
            continue
        frame = parsed.frame
        assert not any("无法识别的列" in w for w in parsed.warnings)
        for _, row in frame.iterrows():
            key = (None if single else table.sheet, row["unit_name"], row["region"], int(row["year"]))
            for column, expected in case.expect[key].items():
                if column in sheet_corpus.AMOUNTS and column != "carryover":
                    assert math.isclose(row[column], float(expected), abs_tol=5e-7), (key, column)
                elif column == "unit_code":
                    assert row[column] == expected
        assert sorted(frame["source_row"].tolist()) == [r for r, _ in table.rows]
