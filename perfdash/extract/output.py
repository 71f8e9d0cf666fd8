"""What `extract` writes: a Chinese table for the terminal, and upload files for review.

`--out DIR` writes the upload formats of DESIGN.md section 1 (headers as in data/seed/), each
row with a 来源 column quoting the sentence(s) it came from, plus the stated rates:

* 01_预算执行数据.csv — 年度, 单位编码, 单位名称, 地区, 层级, 行业, the amounts (万元), 自评得分,
  评价等级, 外部评价得分, 外部评价等级, 来源 ("字段：句子" per figure, one per line)
* 02_一级指标得分.csv — 年度, 单位编码, 单位名称, 一级指标, 分值 (blank when the report gives
  none), 得分, 评分类别 (评价 when the report's total is an evaluation score and it states no
  self-score, else 自评), 来源
* 03_项目支出数据.csv — 年度, 单位编码, 单位名称, 项目名称, 项目类别, 预算数, 实际支出数, 来源
* 04_报告所列比率.csv — 年度, 单位名称, 比率 (the label as printed — 预算执行率, 结余率, 控制率 —
  which the importer maps to a rate id of DESIGN section 2), 报告所列值 (a fraction: 87.56% →
  0.8756), 来源
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from perfdash.present import tabular
from perfdash.extract.records import FIGURE_KEYS, FIGURE_LABELS
from perfdash.extract.text import plain

BUDGET_HEADERS = ["年度", "单位编码", "单位名称", "地区", "层级", "行业"] + [FIGURE_LABELS[k] for k in FIGURE_KEYS] + ["来源"]
SCORE_HEADERS = ["年度", "单位编码", "单位名称", "一级指标", "分值", "得分", "评分类别", "来源"]
PROJECT_HEADERS = ["年度", "单位编码", "单位名称", "项目名称", "项目类别", "预算数", "实际支出数", "来源"]
RATE_HEADERS = ["年度", "单位名称", "比率", "报告所列值", "来源"]
FILES = {"budget": "01_预算执行数据.csv", "scores": "02_一级指标得分.csv",
         "projects": "03_项目支出数据.csv", "rates": "04_报告所列比率.csv"}


def _cell(value) -> str:
    if value is None:
        return ""
    return plain(value) if isinstance(value, Decimal) else str(value)


def _percent(value) -> str:
    """A stated rate as the importer takes it: with its % sign (0.7934 → 79.34%), since a bare 0.79
    could be read as 0.79 % or 79 %; text a reviewer typed is passed on as typed."""
    if value is None or isinstance(value, str):
        return value or ""
    return plain(Decimal(str(value)) * 100) + "%"


def _budget_source(record: dict) -> str:
    """Each distinct sentence once, with the figures it gave."""
    by_sentence: dict[str, list[str]] = {}
    for key in FIGURE_KEYS:
        source = record["sources"][key]
        if source:
            by_sentence.setdefault(source, []).append(FIGURE_LABELS[key])
    return "\n".join(f"{'、'.join(labels)}：{source}" for source, labels in by_sentence.items())


def frames(records: list[dict]) -> dict[str, pd.DataFrame]:
    budget, scores, projects, rates = [], [], [], []
    for r in records:
        name = r["unit_name"] or ""
        if any(r["figures"][k] is not None for k in FIGURE_KEYS):
            budget.append([str(r["year"]), "", name, r["region"] or "", "", ""]
                          + [_cell(r["figures"][k]) for k in FIGURE_KEYS] + [_budget_source(r)])
        score_of = ("评价" if r["figures"].get("evaluation_score") is not None
                    and r["figures"].get("self_score") is None else "自评")
        for s in r["scores"]:
            scores.append([str(r["year"]), "", name, s["dimension"], _cell(s["max_score"]), _cell(s["score"]),
                           score_of, s["source"]])
        for p in r["projects"]:
            projects.append([str(r["year"]), "", name, p["project_name"], "", _cell(p["budget"]),
                             _cell(p["actual_spend"]), p["source"]])
        for s in r["stated_rates"]:
            rates.append([str(r["year"]), name, s["label"] or s["metric"], _percent(s["value"]), s["source"]])
    return {"budget": pd.DataFrame(budget, columns=BUDGET_HEADERS, dtype=object),
            "scores": pd.DataFrame(scores, columns=SCORE_HEADERS, dtype=object),
            "projects": pd.DataFrame(projects, columns=PROJECT_HEADERS, dtype=object),
            "rates": pd.DataFrame(rates, columns=RATE_HEADERS, dtype=object)}


def write_out(records: list[dict], out_dir: Path) -> list[Path]:
    """The four review files (UTF-8 with BOM, formula-safe), written even when empty."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, frame in frames(records).items():
        path = out_dir / FILES[kind]
        path.write_bytes(tabular.to_csv_bytes(frame))
        written.append(path)
    return written


def _short(text: str | None, width: int = 48) -> str:
    if not text:
        return "—"
    return text if len(text) <= width else text[: width - 1] + "…"


def _table(rows: list[list], headers: list[str]) -> str:
    frame = pd.DataFrame(rows, columns=headers, dtype=object)
    with pd.option_context("display.unicode.east_asian_width", True, "display.max_rows", None,
                           "display.max_columns", None, "display.width", 250, "display.max_colwidth", 60):
        return frame.to_string(index=False)


def table_text(records: list[dict]) -> str:
    """Every record as a block of Chinese tables: figures, scores, projects, rates, notes."""
    if not records:
        return "（报告中没有找到可提取的数据）"
    parts = []
    for r in records:
        parts.append(f"【{r['file']}】单位名称：{r['unit_name'] or '（报告未写明）'}  年度：{r['year']}  "
                     f"地区：{r['region'] or '—'}")
        rows = [[FIGURE_LABELS[k], _cell(r["figures"][k]), _short(r["sources"][k])]
                for k in FIGURE_KEYS if r["figures"][k] is not None]
        parts.append(_table(rows, ["数据项", "数值（万元/分）", "来源"]) if rows else "（没有金额和得分）")
        if r["scores"]:
            parts.append(_table([[s["dimension"], _cell(s["max_score"]) or "—", _cell(s["score"]), _short(s["source"])]
                                 for s in r["scores"]], ["一级指标", "分值", "得分", "来源"]))
        if r["projects"]:
            parts.append(_table([[p["project_name"], _cell(p["budget"]), _cell(p["actual_spend"]) or "—",
                                  _short(p["source"])] for p in r["projects"]],
                                ["项目名称", "预算数（万元）", "实际支出数（万元）", "来源"]))
        if r["stated_rates"]:
            parts.append(_table([[s["label"], s["metric"], f"{s['value'] * 100:.2f}%", _short(s["source"])]
                                 for s in r["stated_rates"]], ["报告所列比率", "口径", "数值", "来源"]))
        for note in r["notes"]:
            parts.append(f"  提示：{note}")
        parts.append("")
    return "\n".join(parts)
