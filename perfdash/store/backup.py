"""Backup and restore of the whole database.

A backup is a directory written by DuckDB's EXPORT DATABASE (schema.sql, load.sql, one Parquet
file per table) plus `manifest.json` (row count of every table, for checking a restore). The
upload page offers the same thing as one ZIP file before a rollback.

Restore builds a new database file from the backup next to the target, checks every table's
row count against the manifest, then swaps it in with one atomic rename. It refuses while
another process (the dashboard) holds the target, and keeps the replaced file as
`<name>.before-restore-<time>.duckdb`.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import duckdb

from perfdash.store import sql
from perfdash.store.connection import Database, DatabaseBusyError, explain_lock_error

MANIFEST = "manifest.json"
MAX_ZIP_UNCOMPRESSED = 20 * 1024 ** 3      # a backup ZIP larger than this when unpacked is refused


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message says why (Chinese)."""


def sql_string_literal(path: Path) -> str:
    """A path as a SQL string literal for EXPORT / IMPORT DATABASE.

    Those statements take a literal, not a bound parameter, so the path is pasted: it is made
    absolute, refused if it holds characters no sane path has (NUL, line breaks), and every
    single quote is doubled, which is the only escape a standard SQL string literal needs.
    """
    text = str(Path(path).resolve())
    if any(ch in text for ch in ("\x00", "\n", "\r")):
        raise BackupError(f"路径中含有不允许的字符：{text!r}")
    return "'" + text.replace("'", "''") + "'"


def _statement(name: str, directory: Path) -> str:
    return sql.load(name).replace("{directory}", sql_string_literal(directory))


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    cur = con.cursor()
    try:
        return _counts(cur)
    finally:
        cur.close()


def _counts(cur: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row count of every table (names from the catalogue; the relation API quotes them)."""
    names = [r[0] for r in cur.execute(sql.load("backup/table_names")).fetchall()]
    return {n: int(cur.table(n).count("*").fetchall()[0][0]) for n in names}


def _export(con: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, int]:
    """EXPORT DATABASE and the counts, both inside one transaction (one consistent snapshot)."""
    cur = con.cursor()
    try:
        cur.execute("BEGIN TRANSACTION")
        try:
            cur.execute(_statement("backup/export_database", directory))
            counts = _counts(cur)
        finally:
            cur.execute("COMMIT")
        return counts
    finally:
        cur.close()


def backup(db: Database, out: Path) -> Path:
    """Write a backup into a new directory inside `out`; returns that directory.

    The directory appears complete or not at all (written under a temporary name, then renamed).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = out / f"perfdash-backup-{stamp}"
    n = 1
    while target.exists():
        n += 1
        target = out / f"perfdash-backup-{stamp}-{n}"
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=out))
    try:
        counts = _export(db.con, partial)
        manifest = {"format": 1, "created_at": dt.datetime.now().isoformat(timespec="seconds"),
                    "source": str(db.path), "duckdb": duckdb.__version__, "tables": counts}
        (partial / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        os.replace(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return target


def backup_zip_bytes(db: Database) -> bytes:
    """The whole backup as one ZIP (for a browser download); nothing left on disk."""
    with tempfile.TemporaryDirectory(prefix="perfdash-backup-") as tmp:
        directory = backup(db, Path(tmp))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(directory.rglob("*")):
                if path.is_file():
                    archive.write(path, f"{directory.name}/{path.relative_to(directory).as_posix()}")
        return buffer.getvalue()


# -- restore -----------------------------------------------------------------------------


def _unpack(zip_path: Path, into: Path) -> None:
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = archive.infolist()
            if sum(m.file_size for m in members) > MAX_ZIP_UNCOMPRESSED:
                raise BackupError(f"{zip_path.name} 解压后过大，不像是本系统的备份")
            root = into.resolve()
            for member in members:
                dest = (into / member.filename).resolve()
                if root not in dest.parents and dest != root:
                    raise BackupError(f"{zip_path.name} 中的路径「{member.filename}」不安全，已拒绝")
            archive.extractall(into)
    except zipfile.BadZipFile:
        raise BackupError(f"{zip_path.name} 不是有效的 ZIP 文件") from None


def _backup_dir(source: Path) -> Path:
    """The directory holding schema.sql and load.sql: `source` itself or its only subdirectory."""
    if (source / "schema.sql").is_file() and (source / "load.sql").is_file():
        return source
    subdirs = [p for p in source.iterdir() if p.is_dir()]
    if len(subdirs) == 1:
        return _backup_dir(subdirs[0])
    raise BackupError(f"{source} 不是本系统的备份（缺少 schema.sql / load.sql）")


def _build(backup_dir: Path, new_path: Path, upgrade) -> None:
    """A new database file from the backup, checked table by table against the manifest."""
    expected = None
    manifest = backup_dir / MANIFEST
    if manifest.is_file():
        expected = json.loads(manifest.read_text(encoding="utf-8")).get("tables")
    con = duckdb.connect(str(new_path))
    try:
        try:
            con.execute(_statement("backup/import_database", backup_dir))
        except duckdb.Error as exc:
            raise BackupError(f"备份无法导入（{type(exc).__name__}：{exc}）") from None
        if expected is not None:
            found = table_counts(con)
            if found != expected:
                differ = sorted(k for k in set(found) | set(expected) if found.get(k) != expected.get(k))
                raise BackupError("备份不完整，以下表的行数与备份清单不符：" + "、".join(differ))
        con.execute("CHECKPOINT")
    finally:
        con.close()
    # Bring the schema up to date (a backup may predate a migration) and the rates fresh.
    if upgrade is not None:
        upgrade(new_path)


def _hold(target: Path) -> duckdb.DuckDBPyConnection | None:
    """Make sure no other process writes `target`, then hold a read-only connection on it.

    A read-write open flushes (checkpoints) any pending WAL and fails with a lock error while
    another process holds the file; the read-only connection kept afterwards stops any writer
    from opening the old file until the swap is done.
    """
    if not target.exists():
        return None
    try:
        duckdb.connect(str(target)).close()
        return duckdb.connect(str(target), read_only=True)
    except duckdb.IOException as exc:
        raise DatabaseBusyError(explain_lock_error(target, exc)) from None


def restore(source: Path, db_arg=None, *, upgrade=None) -> Path:
    """Replace the database with the backup at `source` (a backup directory or its ZIP).

    `upgrade(path)` brings the restored file up to date before it replaces the old one (the
    caller passes perfdash.derive.bring_up_to_date; the store does not know derived tables).
    Returns the database path. The old file is kept as <stem>.before-restore-<time>.duckdb.
    """
    from perfdash.config import db_path

    source = Path(source)
    target = Path(db_path(db_arg)).resolve()
    if not source.exists():
        raise BackupError(f"备份不存在：{source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=target.parent) as tmp:
        tmp = Path(tmp)
        if source.is_file():
            _unpack(source, tmp / "unpacked")
            backup_dir = _backup_dir(tmp / "unpacked")
        else:
            backup_dir = _backup_dir(source)
        new_path = tmp / target.name
        _build(backup_dir, new_path, upgrade)
        held = _hold(target)
        try:
            if held is not None:
                stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                shutil.copy2(target, target.with_name(f"{target.stem}.before-restore-{stamp}{target.suffix}"))
            os.replace(new_path, target)    # atomic on one file system: old or new, never half
        finally:
            if held is not None:
                held.close()
    return target
