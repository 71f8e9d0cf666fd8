"""`python -m perfdash …` — the command line (DESIGN.md section 5 is its contract).

Exit status 0 on success, 1 when input is refused or the database cannot be used. Bad input
never prints a traceback: it prints what is wrong, where, and changes nothing.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

import pandas as pd

from perfdash import labels, metrics
from perfdash.config import PROJECT_ROOT
from perfdash.errors import ImportRefused, RollbackRefused, ScaleUnconfirmed, UnitChangesUnconfirmed, UserError

SEED_DIR = PROJECT_ROOT / "data" / "seed"
DEMO_DIR = PROJECT_ROOT / "data" / "demo"
DEMO_IMPORTER = "示例数据（init --demo）"


# -- output helpers ----------------------------------------------------------------------


def _jsonable(value):
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return _jsonable(value.item())
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def records(frame: pd.DataFrame, keys: list[str]) -> list[dict]:
    return [{k: _jsonable(row[k]) for k in keys} for row in frame.to_dict("records")]


def emit(frame: pd.DataFrame, keys: list[str], fmt: str, table_formats: dict[str, str] | None = None) -> None:
    """Print rows as json (exact keys), csv (raw values) or an aligned table (formatted, Chinese)."""
    if fmt == "json":
        json.dump(records(frame, keys), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return
    if fmt == "csv":
        from perfdash.present import tabular   # formula-injection safe, like every file the app writes

        sys.stdout.write(tabular.to_csv_text(frame[keys]))
        return
    shown = frame[keys].copy()
    for key, kind in (table_formats or {}).items():
        shown[key] = shown[key].map(metrics.FORMATTERS[kind])
    shown.columns = [metrics.METRICS[k].label if k in metrics.METRICS else TABLE_HEADERS.get(k, k) for k in keys]
    print_table(shown)


TABLE_HEADERS = {"unit_code": "单位编码", "unit_name": "单位名称", "year": "年度", "batch_id": "批次",
                 "file_name": "文件", "sha256": "SHA-256", "kind": "类型", "rows_inserted": "新增",
                 "rows_updated": "更新", "rows_unchanged": "未变", "imported_at": "导入时间",
                 "status": "状态", "imported_by": "导入人"}


def print_table(shown: pd.DataFrame) -> None:
    """An aligned plain-text table, wide Chinese characters counted as two columns."""
    if shown.empty:
        print("（没有数据）")
        return
    shown = shown.astype(object).where(shown.notna(), "—")
    with pd.option_context("display.unicode.east_asian_width", True, "display.max_rows", None,
                           "display.max_columns", None, "display.width", 250):
        print(shown.to_string(index=False))


# -- commands ----------------------------------------------------------------------------


def _open(args, read_only=False):
    from perfdash.derive import open_current

    return open_current(args.db, read_only=read_only)


def cmd_init(args) -> int:
    from perfdash import ingest

    db = _open(args)
    print(f"数据库已就绪：{db.path}")
    if args.demo and db.scalar("import/user_batch_count"):
        print("数据库中已有导入的本地数据，未载入示例数据（示例数据只用于空数据库）。")
    elif args.demo:
        from perfdash import demo

        demo.ensure_demo_files(DEMO_DIR)
        files = sorted(SEED_DIR.glob("*.csv")) + sorted(DEMO_DIR.glob("*.csv"))
        results = ingest.import_files(db, ingest.read_files(files), imported_by=DEMO_IMPORTER, is_demo=True)
        _print_results(results)
    return 0


def _print_results(results) -> None:
    for r in results:
        batch = f"批次 {r.batch_id}" if r.batch_id else "无变化，未记录批次"
        if r.kind == "unit_map":
            print(f"{r.file_name}: 单位对照新增 {r.inserted} 条，归入现单位的数据 {r.updated} 行，"
                  f"已有对照 {r.unchanged} 条（{batch}）")
        else:
            print(f"{r.file_name}: 新增 {r.inserted} 行，更新 {r.updated} 行，未变 {r.unchanged} 行（{batch}）")
        for warning in r.warnings:
            print(f"  提示：{warning}")
        for line in r.details:
            print(f"  说明：{line}")
        for question in r.unit_changes:
            print(f"  已确认的单位变更：{question}")
        if r.scale is not None:
            print("  已确认按表中数值导入（金额量级存疑，已列入数据核查）")


def cmd_import(args) -> int:
    from perfdash import ingest

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        raise UserError("文件不存在：" + "、".join(missing))
    files = ingest.read_files(args.files)
    parsed = ingest.parse_all(files)   # validate before opening the database for writing
    db = _open(args)
    try:
        results = ingest.import_parsed(db, parsed, imported_by=args.by or os.environ.get("USER"),
                                       accept_unit_changes=args.accept_unit_changes, accept_scale=args.accept_scale)
    except ScaleUnconfirmed as asked:
        print(f"以下 {len(asked.questions)} 个文件的金额量级存疑，数据库未作任何修改：", file=sys.stderr)
        for question in asked.questions:
            print(f"  {question}", file=sys.stderr)
        print("若金额确实如此，加 --accept-scale 重新导入（这些金额会列入数据核查）；否则请改正文件后重新导入",
              file=sys.stderr)
        return 1
    except UnitChangesUnconfirmed as asked:
        print(f"以下 {len(asked.questions)} 处单位变更需要确认，数据库未作任何修改：", file=sys.stderr)
        for question in asked.questions:
            print(f"  {question}", file=sys.stderr)
        print("核对无误后加 --accept-unit-changes 重新导入；若不应变更，请改正文件后重新导入", file=sys.stderr)
        return 1
    _print_results(results)
    return 0


RATE_KEYS = ["unit_code", "unit_name", "year", *metrics.UNIT_RATE_IDS]   # the table: fits a terminal
AMOUNT_KEYS = ["initial_budget", "adjusted_budget", "funds_received", "actual_spend", "carryover",
               "prior_carryover", "sangong_budget", "sangong_actual", "procurement_budget", "procurement_actual"]
# json / csv (DESIGN §5): who, where, the amounts (万元) and every rate (fractions or null)
RATE_EXPORT_KEYS = ["unit_code", "unit_name", "region", "level", "year", *AMOUNT_KEYS, *metrics.UNIT_RATE_IDS]


def cmd_rates(args) -> int:
    db = _open(args, read_only=True)
    filters = dict(year=args.year, region=args.region, level=args.level, sector=args.sector)
    if args.format == "table":
        frame = db.query("rates/unit_rates", **filters)
        emit(frame, RATE_KEYS, args.format, {k: "rate" for k in metrics.UNIT_RATE_IDS})
    else:
        emit(db.query("rates/unit_rates_export", **filters), RATE_EXPORT_KEYS, args.format)
    return 0


HISTORY_KEYS = ["batch_id", "file_name", "sha256", "kind", "rows_inserted", "rows_updated",
                "rows_unchanged", "imported_at", "status"]


def cmd_history(args) -> int:
    db = _open(args, read_only=True)
    frame = db.query("import/history")
    if args.format == "table":
        from perfdash.ingest import KIND_LABEL

        frame = frame.assign(sha256=frame["sha256"].str[:12], kind=frame["kind"].map(KIND_LABEL),
                             status=frame["status"].map(labels.BATCH_STATUS_LABELS))
    emit(frame, HISTORY_KEYS + (["imported_by"] if args.format == "table" else []), args.format)
    return 0


def cmd_rollback(args) -> int:
    from perfdash import ingest

    db = _open(args)
    try:
        batch = ingest.rollback(db, args.batch_id)
    except RollbackRefused as exc:
        raise UserError(str(exc)) from None
    print(f"已回滚批次 {args.batch_id}（{batch['file_name']}），数据恢复到导入之前。")
    return 0


def cmd_outliers(args) -> int:
    from perfdash.derive import outliers

    db = _open(args, read_only=True)
    frame = outliers.flags_for_year(db, args.year, region=args.region, level=args.level, sector=args.sector)
    if args.format == "table":
        print_table(outliers.display_frame(frame))
    else:
        emit(frame, outliers.JSON_KEYS, args.format)
    return 0


def cmd_reconcile(args) -> int:
    from perfdash.derive import reconcile

    db = _open(args, read_only=True)
    frame = reconcile.rows(db, args.year)
    if args.format == "table":
        print_table(reconcile.display_frame(frame))
    else:
        emit(frame, reconcile.JSON_KEYS, args.format)
    return 0


def cmd_export(args) -> int:
    from perfdash.present import export

    db = _open(args, read_only=True)
    written = export.export_pack(db, year=args.year, out_dir=Path(args.out), region=args.region,
                                 level=args.level, sector=args.sector)
    for path in written:
        print(path)
    return 0


def cmd_extract(args) -> int:
    """Figures read from the reports themselves, each with its sentence, for review before import."""
    from perfdash import extract
    from perfdash.extract import output

    records = []
    for report in args.reports:
        records += extract.extract_file(Path(report))
    if args.out:
        for path in output.write_out(records, Path(args.out)):
            print(f"已写出：{path}", file=sys.stderr)
        for r in records:
            if not r["unit_name"]:
                print(f"提示：{r['file']}（{r['year']} 年）没有写明单位名称，文件中单位名称留空，请填写后再导入",
                      file=sys.stderr)
    if args.format == "json":
        json.dump(extract.to_json(records), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(output.table_text(records))
    return 0


def cmd_bench(args) -> int:
    from perfdash import bench

    return bench.main(args)


def cmd_backup(args) -> int:
    from perfdash.store import backup

    db = _open(args, read_only=True)
    print(backup.backup(db, Path(args.out)))
    return 0


def cmd_restore(args) -> int:
    from perfdash.derive import bring_up_to_date
    from perfdash.store import backup

    backup.restore(Path(args.source), args.db, upgrade=bring_up_to_date)
    print("已从备份恢复。")
    return 0


# -- parser ------------------------------------------------------------------------------


def _filters(p) -> None:
    p.add_argument("--region", help="只看该地区")
    p.add_argument("--level", help="只看该层级（省级/市级/县级）")
    p.add_argument("--sector", help="只看该行业")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m perfdash", description="部门整体支出绩效分析")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, handler, help_text):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("--db", help="数据库文件（默认 data/perfdash.duckdb 或 $PERFDASH_DB）")
        p.set_defaults(handler=handler)
        return p

    p = add("init", cmd_init, "创建或升级数据库")
    p.add_argument("--demo", action="store_true", help="载入四份报告的数据和示例数据")

    p = add("import", cmd_import, "导入 CSV/XLSX 文件（全部成功或全部不导入）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--by", help="导入人（记入导入历史）")
    p.add_argument("--accept-unit-changes", action="store_true",
                   help="确认文件中单位的地区/层级变更（及只差开头 0 的单位编码、另一地区的同名单位）；不加则列出这些变更，不导入")
    p.add_argument("--accept-scale", action="store_true",
                   help="确认金额量级存疑的预算文件（约为往年的 10,000 倍等）按表中数值导入，并列入数据核查；不加则说明原因，不导入")

    p = sub.add_parser("extract", help="从自评报告（.txt/.docx/.pdf）中提取数据及其原句")
    p.add_argument("reports", nargs="+", metavar="REPORT")
    p.add_argument("--format", choices=["json", "table"], default="table")
    p.add_argument("--out", metavar="DIR", help="写出可复核、可导入的 CSV 文件（带“来源”列）")
    p.set_defaults(handler=cmd_extract, db=None)

    p = add("rates", cmd_rates, "各单位的各项比率")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    _filters(p)

    p = add("outliers", cmd_outliers, "预警、异常、自评虚高和数据核查")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    _filters(p)

    p = add("reconcile", cmd_reconcile, "报告所列比率与本系统计算结果的核对")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")

    p = add("history", cmd_history, "导入历史")
    p.add_argument("--format", choices=["table", "json"], default="table")

    p = add("rollback", cmd_rollback, "回滚一个导入批次")
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")

    p = add("export", cmd_export, "会议材料：PNG 图表和 PPTX")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--out", required=True, metavar="DIR")
    _filters(p)

    p = add("backup", cmd_backup, "备份数据库（Parquet）")
    p.add_argument("--out", required=True, metavar="DIR")

    p = add("restore", cmd_restore, "从备份恢复数据库")
    p.add_argument("source", metavar="DIR")

    p = sub.add_parser("bench", help="性能基准")
    p.add_argument("--units", type=int, default=2000)
    p.add_argument("--years", type=int, default=5)
    p.add_argument("--projects", type=int, default=None, help="每个单位年度的项目数")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(handler=cmd_bench, db=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except ImportRefused as refused:
        print(f"导入被拒绝，数据库未作任何修改。共 {len(refused.problems)} 个问题：", file=sys.stderr)
        print(refused.report(), file=sys.stderr)
        return 1
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
