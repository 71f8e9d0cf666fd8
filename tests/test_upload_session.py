"""The upload steps without a browser: check → preview → confirm, and rollback, on a real DuckDB file."""
from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import pytest  # noqa: E402

from ingest_cases import BUDGET_ROWS, PROJECTS_HEADER, PROJECTS_ROWS, budget_csv, csv_bytes, dump  # noqa: E402
from perfdash.derive import open_current  # noqa: E402
from perfdash.errors import Problem  # noqa: E402
from perfdash.ingest import batches, session as session_module  # noqa: E402
from perfdash.ingest.readers import Limits  # noqa: E402
from perfdash.ingest.session import Confirm, Rollback, Stage, UploadSession, digest  # noqa: E402

SEED = HERE.parent / "data" / "seed"
BUDGET = ("01_budget.csv", (SEED / "01_budget.csv").read_bytes())
PROJECTS = ("04_projects.csv", (SEED / "04_projects.csv").read_bytes())
SEED_HEADER = BUDGET[1].decode("utf-8-sig").splitlines()[0]


@pytest.fixture
def db(tmp_path):
    database = open_current(tmp_path / "perfdash.duckdb")
    yield database
    database.close()


@pytest.fixture
def parses(monkeypatch):
    """How many times the session parsed files."""
    calls = []
    real = session_module.parse_all

    def counting(files, limits=None):
        calls.append([name for name, _ in files])
        return real(files, limits)

    monkeypatch.setattr(session_module, "parse_all", counting)
    return calls


def history(db):
    return db.query("import/history")


def checked(db, *files) -> UploadSession:
    upload = UploadSession()
    assert upload.check(list(files), Limits()) is Stage.READY
    upload.preview(db)
    return upload


def test_a_new_session_is_empty_and_has_nothing_to_preview(db):
    upload = UploadSession()
    assert upload.stage is Stage.EMPTY and upload.check([]) is Stage.EMPTY
    assert upload.digest is None and upload.imported is None
    with pytest.raises(RuntimeError, match="nothing to preview"):
        upload.preview(db)
    assert upload.confirm(db, "张三").status is Confirm.NOT_READY


def test_seed_budget_into_an_empty_database_previews_three_new_rows_then_imports_them(db, parses):
    upload = UploadSession()
    assert upload.check([BUDGET]) is Stage.READY
    assert [p.file_name for p in upload.parsed] == ["01_budget.csv"]
    preview = upload.preview(db)
    [file] = preview.files
    assert (file.inserted, file.updated, file.unchanged) == (3, 0, 0)
    assert preview.changes_anything and preview.data_version == db.data_version()
    assert sorted(file.changes["change"]) == ["new", "new", "new"]
    assert history(db).empty                                       # a preview writes nothing

    outcome = upload.confirm(db, "  预算科 张三  ")
    assert outcome.ok and outcome.status is Confirm.IMPORTED
    [result] = outcome.results
    assert (result.file_name, result.kind, result.inserted, result.updated, result.unchanged) == (
        "01_budget.csv", "budget", 3, 0, 0)
    assert upload.stage is Stage.IMPORTED and upload.imported.results == outcome.results
    batch = history(db)
    assert len(batch) == 1
    assert (batch["batch_id"].item(), batch["imported_by"].item(), batch["rows_inserted"].item()) == (
        result.batch_id, "预算科 张三", 3)
    assert parses == [["01_budget.csv"]]


def test_a_second_confirm_is_refused_and_imports_nothing(db):
    upload = checked(db, BUDGET)
    first = upload.confirm(db, "张三")
    assert first.ok
    before = dump(db)
    again = upload.confirm(db, "张三")
    assert again.status is Confirm.ALREADY_IMPORTED and not again.ok
    assert again.results == first.results
    assert dump(db) == before and len(history(db)) == 1


def test_checking_the_same_files_again_does_not_parse_them_again(db, parses):
    upload = UploadSession()
    for _ in range(3):
        assert upload.check([BUDGET, PROJECTS]) is Stage.READY
    assert parses == [["01_budget.csv", "04_projects.csv"]]
    assert upload.digest == digest([BUDGET, PROJECTS])
    assert upload.check([PROJECTS, BUDGET]) is Stage.READY          # another order: another upload
    assert len(parses) == 2
    renamed = ("预算.csv", BUDGET[1])                                 # same bytes, another name
    upload.check([renamed])
    assert len(parses) == 3 and [p.file_name for p in upload.parsed] == ["预算.csv"]


def test_the_import_result_stays_until_other_files_are_chosen(db, parses):
    upload = checked(db, BUDGET)
    assert upload.confirm(db, "张三").ok
    assert upload.check([BUDGET]) is Stage.IMPORTED                  # the same files: no second import
    assert upload.confirm(db, "张三").status is Confirm.ALREADY_IMPORTED
    assert upload.check([]) is Stage.EMPTY and upload.imported is not None   # removed: result still shown
    assert upload.check([BUDGET]) is Stage.IMPORTED
    assert len(parses) == 1                                           # never parsed again
    assert upload.check([PROJECTS]) is Stage.READY and upload.imported is None
    assert len(parses) == 2


def test_a_file_with_errors_shows_each_problem_with_file_row_and_column(db):
    bad = ("坏数据.csv", "\r\n".join([
        SEED_HEADER,
        "2022,T0002,坏数据单位甲,河南省郑州市,市级,政务服务,100,120,,十二,,,,,,,85,良",
        "2022,T0003,,河南省郑州市,市级,政务服务,100,120,,60,,,,,,,85,良",
    ]).encode("gbk"))
    upload = UploadSession()
    assert upload.check([bad, BUDGET]) is Stage.REFUSED
    assert upload.parsed == ()
    assert list(upload.problems) == [
        Problem("坏数据.csv", 2, "实际支出数", "不是有效数字：「十二」"),
        Problem("坏数据.csv", 3, "单位名称", "单位名称为空"),
    ]
    with pytest.raises(RuntimeError):
        upload.preview(db)
    refused = upload.confirm(db, "张三")
    assert refused.status is Confirm.NOT_READY and refused.problems == upload.problems
    assert history(db).empty


def test_files_equal_to_the_database_need_no_import(db):
    assert checked(db, BUDGET).confirm(db, "张三").ok
    upload = checked(db, BUDGET)
    [file] = upload.preview(db).files
    assert (file.inserted, file.updated, file.unchanged) == (0, 0, 3)
    assert upload.confirm(db, "张三").status is Confirm.NOTHING_TO_IMPORT
    assert len(history(db)) == 1


def test_confirm_needs_a_preview_a_name_and_permission(db):
    upload = UploadSession()
    upload.check([BUDGET])
    assert upload.confirm(db, "张三").status is Confirm.NOT_PREVIEWED
    upload.preview(db)
    assert upload.confirm(db, "   ").status is Confirm.NO_IMPORTER
    assert upload.confirm(db, None).status is Confirm.NO_IMPORTER
    asked = []
    denied = upload.confirm(db, "张三", may_write=lambda: asked.append(1) or False)
    assert denied.status is Confirm.NOT_ALLOWED and asked == [1]
    assert history(db).empty and upload.stage is Stage.READY
    assert upload.confirm(db, "张三", may_write=lambda: True).ok


def test_a_database_changed_since_the_preview_asks_for_another_look(db):
    upload = checked(db, BUDGET)
    other = checked(db, ("项目.csv", csv_bytes(PROJECTS_HEADER, PROJECTS_ROWS)))
    assert other.confirm(db, "李四").ok                             # someone else imports meanwhile
    before = dump(db)
    stale = upload.confirm(db, "张三")
    assert stale.status is Confirm.STALE
    assert dump(db) == before
    assert upload.confirm(db, "张三").status is Confirm.NOT_PREVIEWED
    upload.preview(db)
    assert upload.confirm(db, "张三").ok
    assert history(db)["imported_by"].tolist() == ["张三", "李四"]


def test_a_failed_write_leaves_nothing_written_and_says_why(db, monkeypatch):
    new_year = [["2024", *row[1:]] for row in BUDGET_ROWS]
    upload = checked(db, ("好.csv", budget_csv(new_year)), ("项目.csv", csv_bytes(PROJECTS_HEADER, PROJECTS_ROWS)))
    before = dump(db)
    real_stage, calls = batches._stage, []

    def failing_stage(cur, item, *more):
        calls.append(item.file_name)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real_stage(cur, item, *more)

    monkeypatch.setattr(batches, "_stage", failing_stage)
    failed = upload.confirm(db, "张三")
    assert failed.status is Confirm.FAILED and failed.reason == "RuntimeError：disk full"
    assert calls == ["好.csv", "项目.csv"]
    assert dump(db) == before and upload.stage is Stage.READY
    monkeypatch.setattr(batches, "_stage", real_stage)
    done = upload.confirm(db, "张三")                                # the same preview, tried again
    assert done.ok and [(r.inserted, r.updated) for r in done.results] == [(5, 0), (len(PROJECTS_ROWS), 0)]
    assert len(history(db)) == 2


def test_rollback_takes_a_request_an_acknowledgement_and_permission(db):
    imported = checked(db, BUDGET).confirm(db, "张三")
    batch_id = imported.results[0].batch_id
    upload = UploadSession()
    before = dump(db)
    assert upload.confirm_rollback(db, batch_id, acknowledged=True).status is Rollback.NOT_REQUESTED
    upload.request_rollback(batch_id)
    assert upload.rollback_pending == batch_id
    assert upload.confirm_rollback(db, batch_id + 1, acknowledged=True).status is Rollback.NOT_REQUESTED
    assert upload.confirm_rollback(db, batch_id, acknowledged=False).status is Rollback.NOT_ACKNOWLEDGED
    denied = upload.confirm_rollback(db, batch_id, acknowledged=True, may_write=lambda: False)
    assert denied.status is Rollback.NOT_ALLOWED
    upload.cancel_rollback()
    assert upload.rollback_pending is None
    assert upload.confirm_rollback(db, batch_id, acknowledged=True).status is Rollback.NOT_REQUESTED
    assert dump(db) == before and upload.take_rollback_done() is None

    upload.request_rollback(batch_id)
    done = upload.confirm_rollback(db, batch_id, acknowledged=True)
    assert done.ok and done.batch["file_name"] == "01_budget.csv" and done.batch["status"] == "active"
    assert history(db)["status"].tolist() == ["rolled_back"]
    assert db.query("rates/unit_rates", year=2022, region=None, level=None, sector=None).empty
    assert upload.rollback_pending is None
    assert upload.take_rollback_done() == batch_id and upload.take_rollback_done() is None
    after = dump(db)
    assert upload.confirm_rollback(db, batch_id, acknowledged=True).status is Rollback.NOT_REQUESTED

    upload.request_rollback(batch_id)                                # asked again: refused, says why
    refused = upload.confirm_rollback(db, batch_id, acknowledged=True)
    assert refused.status is Rollback.REFUSED
    assert refused.reason == f"批次 {batch_id}（01_budget.csv）已经回滚过"
    assert dump(db) == after and upload.rollback_pending == batch_id


def test_a_failed_rollback_changes_nothing_and_says_why(db, monkeypatch):
    batch_id = checked(db, BUDGET).confirm(db, "张三").results[0].batch_id
    upload = UploadSession()
    upload.request_rollback(batch_id)
    before = dump(db)

    def broken(*args, **kwargs):                                      # after the rows were restored
        raise OSError("磁盘已满")

    monkeypatch.setattr(batches.rates, "refresh", broken)
    failed = upload.confirm_rollback(db, batch_id, acknowledged=True)
    assert failed.status is Rollback.FAILED and failed.reason == "OSError：磁盘已满"
    assert dump(db) == before and upload.rollback_pending == batch_id and upload.take_rollback_done() is None
