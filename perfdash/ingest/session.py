"""The upload page's steps as plain Python: check → preview → confirm, and a rollback's two steps.

One UploadSession per browser session (the page keeps it in st.session_state, ui/upload_state).
Its stage:

    EMPTY     no files chosen
    REFUSED   the files were checked and have problems: nothing can be written
    READY     every file passed; preview(db) says what confirm(db, name) would change
    IMPORTED  these very files were imported; the result is kept until other files are chosen

Checking the same files again (same names and bytes) does not parse them again; a preview is
computed again only when the database changed since (its data version); confirming twice
imports once; a confirm or rollback that fails writes nothing and says why. Whoever may
write is decided by the caller: `may_write` is asked right before every write.
"""
from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from typing import Callable

import pandas as pd

from perfdash.errors import (
    ImportRefused, Problem, RollbackRefused, ScaleQuestion, ScaleUnconfirmed, UnitChangesUnconfirmed, UnitQuestion,
)
from perfdash.ingest.batches import BatchResult, import_parsed
from perfdash.ingest.batches import resolve as resolve_units
from perfdash.ingest.batches import preview as preview_changes
from perfdash.ingest.batches import rollback as rollback_batch
from perfdash.ingest.readers import Limits
from perfdash.ingest.parse import parse_all
from perfdash.ingest.validate import ParsedFile
from perfdash.store.connection import Database


def digest(files: list[tuple[str, bytes]]) -> str:
    """One key for a set of uploaded files: their names and the sha256 of their bytes."""
    h = hashlib.sha256()
    for name, payload in files:
        h.update(name.encode("utf-8") + b"\0" + hashlib.sha256(payload).digest())
    return h.hexdigest()


def _always() -> bool:
    return True


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}：{exc}"


class Stage(enum.Enum):
    EMPTY = "empty"
    REFUSED = "refused"
    READY = "ready"
    IMPORTED = "imported"


@dataclass(frozen=True)
class FilePreview:
    """What importing one checked file would change (nothing written)."""
    file: ParsedFile
    inserted: int
    updated: int
    unchanged: int
    changes: pd.DataFrame        # the new and the changed rows, column "change" = new | changed


@dataclass(frozen=True)
class Preview:
    data_version: int            # the database's data version the preview was computed on
    files: tuple[FilePreview, ...]
    # Stored units the import would change (地区 / 层级, a code differing only by leading zeros):
    # confirm imports only with accept_unit_changes.
    questions: tuple[UnitQuestion, ...] = ()
    # Budget files whose amounts look read at the wrong scale (元 as 万元): confirm imports them as
    # read only with accept_scale (they are then listed among the data questions).
    scale: tuple[ScaleQuestion, ...] = ()

    @property
    def changes_anything(self) -> bool:
        return any(f.inserted or f.updated for f in self.files)


@dataclass(frozen=True)
class Imported:
    digest: str                  # of the files imported
    results: tuple[BatchResult, ...]


class Confirm(enum.Enum):
    IMPORTED = "imported"
    NOT_READY = "not_ready"                  # no files checked, or they have problems
    ALREADY_IMPORTED = "already_imported"    # these files were imported already
    NOT_PREVIEWED = "not_previewed"          # confirm only what was previewed
    NOTHING_TO_IMPORT = "nothing_to_import"  # the files equal the database
    NO_IMPORTER = "no_importer"              # the history records who imported
    NOT_ALLOWED = "not_allowed"              # may_write() said no
    UNIT_CHANGES = "unit_changes"            # the preview's unit changes were not confirmed
    SCALE = "scale"                          # amounts at a doubtful scale were not confirmed
    STALE = "stale"                          # the database changed since the preview: look again
    REFUSED = "refused"                      # the importer refused the files (problems)
    FAILED = "failed"                        # the database failed; nothing was written


@dataclass(frozen=True)
class ConfirmResult:
    status: Confirm
    results: tuple[BatchResult, ...] = ()
    problems: tuple[Problem, ...] = ()
    reason: str = ""             # FAILED: "<error type>：<message>"
    questions: tuple[UnitQuestion, ...] = ()   # UNIT_CHANGES: what needs confirming
    scale: tuple[ScaleQuestion, ...] = ()      # SCALE: the files whose amounts need confirming

    @property
    def ok(self) -> bool:
        return self.status is Confirm.IMPORTED


class Rollback(enum.Enum):
    DONE = "done"
    NOT_REQUESTED = "not_requested"          # step 1 (request_rollback) was not taken for this batch
    NOT_ACKNOWLEDGED = "not_acknowledged"
    NOT_ALLOWED = "not_allowed"
    REFUSED = "refused"                      # RollbackRefused: the reason says why
    FAILED = "failed"                        # the database failed; nothing was changed


@dataclass(frozen=True)
class RollbackResult:
    status: Rollback
    batch_id: int
    reason: str = ""             # REFUSED: the refusal; FAILED: "<error type>：<message>"
    batch: dict | None = None    # DONE: the batch as it was before the rollback

    @property
    def ok(self) -> bool:
        return self.status is Rollback.DONE


class UploadSession:
    """The files of one upload, what checking them found, their preview, the last import, and a
    rollback under way. Changed only through its methods."""

    def __init__(self) -> None:
        self._digest: str | None = None           # of the files last checked
        self._parsed: tuple[ParsedFile, ...] = ()
        self._problems: tuple[Problem, ...] = ()
        self._preview: Preview | None = None
        self._imported: Imported | None = None
        self._rollback_pending: int | None = None
        self._rollback_done: int | None = None

    # -- what the session holds ------------------------------------------------------------

    @property
    def stage(self) -> Stage:
        if self._digest is None:
            return Stage.EMPTY
        if self._imported is not None and self._imported.digest == self._digest:
            return Stage.IMPORTED
        return Stage.REFUSED if self._problems else Stage.READY

    @property
    def digest(self) -> str | None:
        return self._digest

    @property
    def parsed(self) -> tuple[ParsedFile, ...]:
        """The checked files (READY only)."""
        return self._parsed

    @property
    def problems(self) -> tuple[Problem, ...]:
        """Every problem of every file (REFUSED only)."""
        return self._problems

    @property
    def imported(self) -> Imported | None:
        """The last import, kept while its files (or none) are chosen."""
        return self._imported

    # -- check, preview, confirm -----------------------------------------------------------

    def check(self, files: list[tuple[str, bytes]], limits: Limits | None = None) -> Stage:
        """The files now chosen (name, bytes). Parsed once per distinct set of files; choosing
        other files forgets the last import's result, choosing none keeps it on show."""
        if not files:
            self._forget_check()
            return self.stage
        key = digest(files)
        if self._imported is not None and self._imported.digest != key:
            self._imported = None
        if key == self._digest:
            return self.stage
        self._forget_check()
        if self._imported is None:
            try:
                self._parsed = tuple(parse_all(files, limits))
            except ImportRefused as refused:
                self._problems = tuple(refused.problems)
        self._digest = key
        return self.stage

    def preview(self, db: Database) -> Preview:
        """What confirming would change, computed again only after the database changed. A budget
        file whose amounts look read at the wrong scale (10,000× the stored figures, or a median
        no department has) is previewed as read and asked about (`Preview.scale`); a problem
        only the stored data shows (a name two units have) turns the upload REFUSED: the returned
        preview is then empty and `problems` says why."""
        if self.stage is not Stage.READY:
            raise RuntimeError(f"nothing to preview: the upload is {self.stage.value}")
        version = db.data_version()
        if self._preview is None or self._preview.data_version != version:
            files, in_turn, each = [], [], []
            try:
                # Rows naming a unit by name alone settled first (a name two units have is refused).
                # Several files: the scale asked as the import asks it, each after the ones before.
                settled, questions = resolve_units(db, list(self._parsed), scale=in_turn)
                for item in settled:
                    (inserted, updated, unchanged), changes = preview_changes(db, item, scale=each)
                    files.append(FilePreview(item, inserted, updated, unchanged, changes))
                scale = in_turn if len(settled) > 1 else each
            except ImportRefused as refused:   # checked against the stored data
                self._parsed, self._problems = (), tuple(refused.problems)
                return Preview(version, ())
            self._preview = Preview(version, tuple(files), tuple(questions), tuple(scale))
        return self._preview

    def confirm(self, db: Database, imported_by: str | None,
                may_write: Callable[[], bool] = _always, *,
                accept_unit_changes: bool = False, accept_scale: bool = False) -> ConfirmResult:
        """Import the previewed files, all or none, if nothing changed since the preview. When the
        preview asks about stored units' 地区 / 层级 (or codes), only with accept_unit_changes;
        when it asks about the scale of amounts, only with accept_scale."""
        stage = self.stage
        if stage is Stage.IMPORTED:
            return ConfirmResult(Confirm.ALREADY_IMPORTED, self._imported.results)
        if stage is not Stage.READY:
            return ConfirmResult(Confirm.NOT_READY, problems=self._problems)
        if self._preview is None:
            return ConfirmResult(Confirm.NOT_PREVIEWED)
        if not self._preview.changes_anything:
            return ConfirmResult(Confirm.NOTHING_TO_IMPORT)
        if self._preview.scale and not accept_scale:
            return ConfirmResult(Confirm.SCALE, scale=self._preview.scale)
        if self._preview.questions and not accept_unit_changes:
            return ConfirmResult(Confirm.UNIT_CHANGES, questions=self._preview.questions)
        name = (imported_by or "").strip()
        if not name:
            return ConfirmResult(Confirm.NO_IMPORTER)
        if not may_write():
            return ConfirmResult(Confirm.NOT_ALLOWED)
        if db.data_version() != self._preview.data_version:
            self._preview = None
            return ConfirmResult(Confirm.STALE)
        try:
            results = tuple(import_parsed(db, list(self._parsed), imported_by=name,
                                          accept_unit_changes=accept_unit_changes, accept_scale=accept_scale))
        except UnitChangesUnconfirmed as asked:   # the files together ask more than each did
            self._preview = None
            return ConfirmResult(Confirm.UNIT_CHANGES, questions=tuple(asked.questions))
        except ScaleUnconfirmed as asked:         # a file compared with the one before it
            self._preview = None
            return ConfirmResult(Confirm.SCALE, scale=tuple(asked.questions))
        except ImportRefused as refused:
            return ConfirmResult(Confirm.REFUSED, problems=tuple(refused.problems))
        except Exception as exc:   # DatabaseBusyError, a DuckDB error: nothing was written
            return ConfirmResult(Confirm.FAILED, reason=_reason(exc))
        self._imported = Imported(self._digest, results)
        self._parsed, self._preview = (), None
        return ConfirmResult(Confirm.IMPORTED, results)

    def _forget_check(self) -> None:
        self._digest, self._parsed, self._problems, self._preview = None, (), (), None

    # -- rollback: request, then confirm -------------------------------------------------

    @property
    def rollback_pending(self) -> int | None:
        """The batch whose rollback was requested and awaits confirmation."""
        return self._rollback_pending

    def request_rollback(self, batch_id: int) -> None:
        self._rollback_pending = int(batch_id)

    def cancel_rollback(self) -> None:
        self._rollback_pending = None

    def confirm_rollback(self, db: Database, batch_id: int, *, acknowledged: bool,
                         may_write: Callable[[], bool] = _always) -> RollbackResult:
        """Roll back the requested batch; only after request_rollback(batch_id) and acknowledged."""
        batch_id = int(batch_id)
        if self._rollback_pending != batch_id:
            return RollbackResult(Rollback.NOT_REQUESTED, batch_id)
        if not acknowledged:
            return RollbackResult(Rollback.NOT_ACKNOWLEDGED, batch_id)
        if not may_write():
            return RollbackResult(Rollback.NOT_ALLOWED, batch_id)
        try:
            batch = rollback_batch(db, batch_id)
        except RollbackRefused as exc:
            return RollbackResult(Rollback.REFUSED, batch_id, str(exc))
        except Exception as exc:   # DatabaseBusyError, a DuckDB error: nothing was changed
            return RollbackResult(Rollback.FAILED, batch_id, _reason(exc))
        self._rollback_pending, self._rollback_done = None, batch_id
        return RollbackResult(Rollback.DONE, batch_id, batch=batch)

    def take_rollback_done(self) -> int | None:
        """The batch just rolled back, once (to say so after the page is drawn again)."""
        done, self._rollback_done = self._rollback_done, None
        return done
