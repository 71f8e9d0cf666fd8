"""Whole-year uploads, as the benchmark makes them, and their rollback leave every derived table
as a full rebuild writes it (the checks of tests/test_unit_tables.py; a file of its own so that
the suite's workers share the slow comparisons)."""
from __future__ import annotations

import pandas as pd

from perfdash import ingest
from tests.test_unit_tables import DERIVED, assert_as_rebuilt, check_pages, snapshot


def test_whole_year_imports_and_their_rollback_keep_every_figure(tmp_path):
    """Uploads as the benchmark makes them — every unit of a year in one budget, scores and
    projects file — take the whole-year paths of the scoped refresh (most units touched); a
    second upload changing every unit's figures of an earlier year, and its rollback, leave the
    derived tables as a full rebuild writes them and as they were."""
    import pyarrow.compute as pc
    import pyarrow.csv as pa_csv

    from perfdash import synth
    from perfdash.derive import open_current

    years = synth.write_province_csvs(synth.Scale(60, 3, 3), tmp_path / "csv")
    db = open_current(tmp_path / "province.duckdb")
    try:
        for files in years:
            results = ingest.import_files(db, ingest.read_files(files))
            assert all(r.changed for r in results)
        check_pages(db)
        assert_as_rebuilt(db)
        before = snapshot(db)

        budget, scores, projects = years[1]
        changed = []
        for path, column in ((budget, "实际支出数"), (projects, "预算数")):
            table = pa_csv.read_csv(path)
            at = table.schema.get_field_index(column)
            table = table.set_column(at, column, pc.add(table[column], 1.25))
            changed.append((path.name, _csv_bytes(table)))
        results = ingest.import_files(db, changed)
        assert [r.updated for r in results] == [60, 180]
        check_pages(db)
        assert_as_rebuilt(db)

        for r in reversed(results):
            ingest.rollback(db, r.batch_id)
        check_pages(db)
        after = snapshot(db)
        for table in DERIVED:
            pd.testing.assert_frame_equal(after[table], before[table], check_dtype=False, obj=table)
        assert_as_rebuilt(db)
    finally:
        db.close()


def _csv_bytes(table) -> bytes:
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    sink = pa.BufferOutputStream()
    pa_csv.write_csv(table, sink, pa_csv.WriteOptions(quoting_style="none"))
    return sink.getvalue().to_pybytes()
