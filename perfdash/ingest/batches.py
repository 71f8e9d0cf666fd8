"""Writing validated files: the preview of what an import would change, the import itself
(all files in one transaction, each file that changes rows a batch), and rollback.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from perfdash.derive import rates
from perfdash.errors import RollbackRefused
from perfdash.ingest.columns import COLUMNS
from perfdash.ingest.readers import Limits
from perfdash.ingest.validate import ParsedFile, parse_all
from perfdash.store.connection import Database, run, run_script


@dataclass
class BatchResult:
    batch_id: int | None           # None when the file changed nothing (no batch recorded)
    file_name: str
    kind: str
    inserted: int
    updated: int
    unchanged: int
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


# -- writing -----------------------------------------------------------------------------

DIFF_QUERY = {kind: f"import/diff_{kind}" for kind in COLUMNS}
APPLY_QUERY = {kind: f"import/apply_{kind}" for kind in COLUMNS}


def _stage(cur, parsed: ParsedFile) -> tuple[int, int, int]:
    cur.register("incoming", parsed.frame)
    try:
        run(cur, DIFF_QUERY[parsed.kind], absent="," + "".join(f"{c}," for c in parsed.absent))
    finally:
        # After a failed statement the transaction is aborted and unregister raises too; the
        # first error is the one to see.
        with contextlib.suppress(duckdb.Error):
            cur.unregister("incoming")
    inserted, updated, unchanged = run(cur, "import/diff_counts").fetchall()[0]
    return int(inserted), int(updated), int(unchanged)


def preview(db: Database, parsed: ParsedFile) -> tuple[tuple[int, int, int], pd.DataFrame]:
    """What importing `parsed` would change: counts and the new / changed rows (nothing written)."""
    cur = db.con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        counts = _stage(cur, parsed)
        changes = run(cur, "import/diff_rows").df()
        cur.execute("ROLLBACK")
        return counts, changes
    finally:
        cur.close()


def import_parsed(db: Database, parsed: list[ParsedFile], *, imported_by: str | None = None,
                  is_demo: bool = False, now: dt.datetime | None = None) -> list[BatchResult]:
    """Write already-validated files in one transaction; each file that changes rows is a batch."""
    now = now or dt.datetime.now().replace(microsecond=0)
    results = []
    with db.transaction() as cur:
        run(cur, "rates/touched")          # the unit-years the refresh recomputes
        for item in parsed:
            inserted, updated, unchanged = _stage(cur, item)
            batch_id = None
            if inserted or updated:
                batch_id = int(run(cur, "import/next_batch_id").fetchall()[0][0])
                run(cur, "import/touched_from_diff")
                run_script(cur, APPLY_QUERY[item.kind], batch_id=batch_id)
                run(cur, "import/insert_batch", batch_id=batch_id, file_name=item.file_name,
                    sha256=item.sha256, kind=item.kind, inserted=inserted, updated=updated,
                    unchanged=unchanged, imported_at=now, imported_by=imported_by, is_demo=is_demo)
            run(cur, "import/drop_diff")
            results.append(BatchResult(batch_id, item.file_name, item.kind, inserted, updated,
                                       unchanged, item.warnings))
        if any(r.changed for r in results):
            changed_years = {int(y) for item, r in zip(parsed, results) if r.changed
                             for y in item.frame["year"].dropna().unique()}
            rates.refresh(cur, db, rates.affected_years(changed_years))
            run(cur, "db/bump_data_version")
        else:
            run_script(cur, "rates/drop_touched")
    return results


def import_files(db: Database, files: list[tuple[str, bytes]], *, imported_by: str | None = None,
                 is_demo: bool = False, limits: Limits | None = None) -> list[BatchResult]:
    """All-or-nothing import of several files (name, bytes)."""
    return import_parsed(db, parse_all(files, limits), imported_by=imported_by, is_demo=is_demo)


def rollback(db: Database, batch_id: int, *, now: dt.datetime | None = None) -> dict:
    """Undo one batch, restoring exactly the rows it replaced."""
    now = now or dt.datetime.now().replace(microsecond=0)
    with db.transaction() as cur:
        found = run(cur, "import/batch", batch_id=batch_id).df()
        if found.empty:
            raise RollbackRefused(f"没有编号为 {batch_id} 的导入批次")
        batch = found.iloc[0].to_dict()
        if batch["status"] != "active":
            raise RollbackRefused(f"批次 {batch_id}（{batch['file_name']}）已经回滚过")
        blockers = [r[0] for r in run(cur, "import/rollback_blockers", batch_id=batch_id).fetchall()]
        if blockers:
            listed = "、".join(str(b) for b in blockers)
            raise RollbackRefused(
                f"批次 {batch_id} 的部分数据已被之后的批次 {listed} 修改，请先回滚批次 {listed}")
        run(cur, "rates/touched")
        run(cur, "import/touched_by_rollback", batch_id=batch_id)
        years = [int(r[0]) for r in run(cur, "rates/touched_years").fetchall()]
        run_script(cur, "import/rollback", batch_id=batch_id, rolled_back_at=now)
        rates.refresh(cur, db, rates.affected_years(years))
        run(cur, "db/bump_data_version")
    return batch
