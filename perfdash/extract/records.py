"""Report → records: one per unit and year the report states figures for (DESIGN.md section 5).

Readings of one figure are reconciled here: equal readings give one figure (first source
kept); readings that differ only by rounding give the more precise one with a note; readings
that really differ give no figure and a note naming both. Never a silent pick.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from perfdash.extract import figures, identity, projects, tables
from perfdash.extract.figures import Candidate, Sentence
from perfdash.extract.text import Block, blocks_from_lines, plain, sentences, years_in

FIGURE_KEYS = ["initial_budget", "adjusted_budget", "funds_received", "actual_spend", "carryover",
               "prior_carryover", "sangong_budget", "sangong_actual", "self_score", "grade",
               "evaluation_score", "evaluation_grade"]
FIGURE_LABELS = {"initial_budget": "年初预算数", "adjusted_budget": "调整后预算数", "funds_received": "实际到位资金",
                 "actual_spend": "实际支出数", "carryover": "结转结余", "prior_carryover": "上年结转结余",
                 "sangong_budget": "三公经费预算数", "sangong_actual": "三公经费实际数", "self_score": "自评得分",
                 "grade": "评价等级", "evaluation_score": "外部评价得分", "evaluation_grade": "外部评价等级"}
_TOP_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]")


def document_sentences(blocks: list[Block]) -> list[Sentence]:
    """Sentences in order, each knowing the year its section heading states (if any)."""
    out: list[Sentence] = []
    context: int | None = None
    for paragraph, block in enumerate(blocks):
        if block.is_row:
            out.append(Sentence(block.text, len(out), paragraph, context, is_row=True))
            continue
        if block.heading:
            stated = years_in(block.text)
            if stated:
                context = stated[0]
            elif _TOP_SECTION.match(block.text):
                context = None
        for text in sentences(block.text):
            out.append(Sentence(text, len(out), paragraph, context, heading=block.heading))
    return out


@dataclass
class Findings:
    """Everything read from one report before it is reconciled into records."""

    unit: str | None
    main_year: int | None
    external: bool                                   # the whole report is an evaluator's
    found: list[Candidate] = field(default_factory=list)
    dims: dict = field(default_factory=lambda: defaultdict(list))
    projects: list[dict] = field(default_factory=list)
    notes_by_year: dict = field(default_factory=lambda: defaultdict(list))
    external_at: dict[int, bool] = field(default_factory=dict)   # paragraph → evaluator named in its section


def extract_lines(lines: list[str], file_name: str, reader_notes: list[str] | None = None) -> list[dict]:
    blocks = blocks_from_lines(lines)
    full_text = "\n".join(b.text for b in blocks)
    unit = identity.unit_name(blocks, full_text)
    findings = Findings(unit, identity.main_year(blocks, full_text), identity.is_external_evaluation(blocks, full_text))
    all_sentences = document_sentences(blocks)
    _read_prose(findings, [s for s in all_sentences if not s.is_row])
    _read_tables(findings, blocks, all_sentences)
    doc_notes = ([] if unit else [identity.missing_name_note(full_text)]) + list(reader_notes or [])
    return _assemble(findings, file_name, identity.region(unit, full_text), doc_notes)


def _read_prose(f: Findings, prose: list[Sentence]) -> None:
    score_paragraphs = set()
    section_external = False
    for sentence in prose:
        if sentence.heading:
            section_external = False
        section_external = section_external or bool(figures.EXTERNAL.search(sentence.text))
        f.external_at[sentence.paragraph] = section_external
        f.found += figures.amounts(sentence, f.unit)
        totals = figures.total_scores(sentence, f.external or section_external)
        if totals:
            score_paragraphs.add(sentence.paragraph)
        f.found += totals
        f.found += figures.grades(sentence, f.external or section_external)
        f.found += figures.rates(sentence, f.unit)
        f.projects += projects.budgeted_clauses(sentence, f.unit, figures.figure_year(sentence, "", 0) or f.main_year)
        if re.search(r"收支结余-", sentence.text):
            f.notes_by_year[figures.figure_year(sentence, "", 0)].append(
                f"“{sentence.text}”是收入减支出的差额（赤字），不是年末结转结余，未记为结转结余")
    for paragraph in sorted(score_paragraphs):       # first-level scores sit beside the total
        items, year = [], None
        for sentence in prose:
            if sentence.paragraph == paragraph:
                year = year or figures.figure_year(sentence, "", 0)
                items += figures.dimension_items(sentence)
        if len(items) >= figures.MIN_DIMENSIONS:
            f.dims[year or f.main_year] += items
    f.projects += projects.listed_projects(prose, f.unit, f.main_year)


def _read_tables(f: Findings, blocks: list[Block], all_sentences: list[Sentence]) -> None:
    order = len(all_sentences)
    context_of_block = {s.paragraph: s.context_year for s in all_sentences}
    for unit_line, rows in tables.group_tables(blocks):
        position = next(i for i, b in enumerate(blocks) if b is rows[0])
        year = context_of_block.get(position) or f.main_year
        f.dims[year] += tables.score_rows(rows, order)
        total = tables.score_total(rows)
        if total:
            before = [p for p in f.external_at if p < position]
            evaluator = f.external or (before and f.external_at[max(before)])
            f.found.append(Candidate(year, "evaluation_score" if evaluator else "self_score", total[0], total[1],
                                     order, label="合计"))
        items, project_notes = tables.project_rows(rows, unit_line, year)
        f.projects += items
        budget, budget_notes = tables.budget_rows(rows, unit_line, order)
        form, form_notes = tables.form_rows(rows, unit_line, year, order)
        f.found += budget + form
        f.notes_by_year[year] += project_notes + budget_notes + form_notes
        order += len(rows)


def _assemble(f: Findings, file_name: str, region: str | None, doc_notes: list[str]) -> list[dict]:
    for candidate in f.found:
        if candidate.year is None:
            candidate.year = f.main_year
    _prior_carryover(f.found)
    years = sorted({c.year for c in f.found if c.year} | {y for y, d in f.dims.items() if d and y}
                   | {p["year"] for p in f.projects if p["year"]})
    records = []
    for year in years:
        record = _record(file_name, f.unit, year, [c for c in f.found if c.year == year], f.dims.get(year, []),
                         [p for p in f.projects if p["year"] == year], f.external)
        record["region"] = region
        record["notes"] = doc_notes + f.notes_by_year.get(year, []) + record["notes"]
        if f.unit and region and not re.search(r"省|自治区", region):
            record["notes"].append(f"地区按文中所写记为“{region}”，文中没有写省份")
        records.append(record)
    return records


def _prior_carryover(found: list[Candidate]) -> None:
    """'2022年年底结余A，2021年年底结余B' — B is the prior-year balance of 2022, not a 2021 record."""
    by_sentence = defaultdict(list)
    for c in found:
        if c.key == "carryover":
            by_sentence[c.order].append(c)
    for group in by_sentence.values():
        years = {c.year for c in group}
        for c in group:
            if c.year is not None and c.year + 1 in years:
                c.key, c.year = "prior_carryover", c.year + 1


def _record(file_name, unit, year, found, dims, items, external) -> dict:
    figures_out = {k: None for k in FIGURE_KEYS}
    sources = {k: None for k in FIGURE_KEYS}
    notes: list[str] = []
    for key in FIGURE_KEYS:
        readings = [c for c in found if c.key == key]
        if readings:
            figures_out[key], sources[key] = resolve(key, readings, notes)
    if external and (figures_out["evaluation_score"] is not None or figures_out["evaluation_grade"]):
        notes.append("得分和等级由评价工作组/第三方给出，记为外部评价得分和外部评价等级，不是自评得分")
    if figures_out["grade"] and figures_out["self_score"] is None:
        notes.append(f"报告给出评价等级“{figures_out['grade']}”，但没有给出自评得分")
    record = {"file": file_name, "unit_name": unit, "year": year, "region": None,
              "figures": figures_out, "sources": sources,
              "scores": _scores(dims, figures_out, notes), "projects": _projects(items, notes),
              "stated_rates": _rates([c for c in found if c.key == "rate"], notes), "notes": notes}
    if external and record["scores"]:
        notes.append("一级指标得分属于外部评价，不是自评")
    return record


# 优 and 优秀 are one grade written two ways (财预〔2020〕10号 bands).
_GRADE_WORDS = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差"}


def _same_kind(value):
    return _GRADE_WORDS.get(value, value) if isinstance(value, str) else value


def _rounds_to(precise: Decimal, coarse: Decimal) -> bool:
    exponent = coarse.as_tuple().exponent
    return precise.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_UP) == coarse


def resolve(key: str, readings: list[Candidate], notes: list[str]):
    """One value for a figure, or None with a note when the report says two different things."""
    for c in readings:
        if c.note and c.note not in notes:
            notes.append(c.note)
    values = []
    for c in readings:
        if _same_kind(c.value) not in [_same_kind(v.value) for v in values]:
            values.append(c)
    if len(values) == 1:
        return values[0].value, values[0].source
    label = FIGURE_LABELS[key]
    if all(isinstance(v.value, Decimal) for v in values):
        precise = max(values, key=lambda c: -c.value.as_tuple().exponent)
        if all(_rounds_to(precise.value, v.value) for v in values):
            others = "、".join(plain(v.value) for v in values if v is not precise)
            notes.append(f"{label}在报告中写作 {plain(precise.value)} 和 {others}（只差舍入），采用 {plain(precise.value)}")
            return precise.value, precise.source
    shown = "；".join(f"{plain(v.value) if isinstance(v.value, Decimal) else v.value}（“{v.source}”）" for v in values)
    notes.append(f"{label}在报告中有不同的数：{shown}；未采用，请核对后填写")
    return None, None


def _scores(dims: list[dict], figures_out: dict, notes: list[str]) -> list[dict]:
    merged: dict[str, dict] = {}
    conflicting = set()
    for item in sorted(dims, key=lambda d: d["order"]):
        name = item["dimension"]
        if name not in merged:
            merged[name] = dict(item)
        elif merged[name]["score"] != item["score"]:
            conflicting.add(name)
        elif merged[name]["max_score"] is None:
            merged[name]["max_score"] = item["max_score"]
    for name in conflicting:
        notes.append(f"一级指标“{name}”的得分在报告中前后不一致，未采用")
        del merged[name]
    out = [{"dimension": d["dimension"], "max_score": d["max_score"], "score": d["score"], "source": d["source"]}
           for d in merged.values()]
    total = figures_out["self_score"] if figures_out["self_score"] is not None else figures_out["evaluation_score"]
    if out and total is not None and sum(d["score"] for d in out) != total:
        notes.append(f"一级指标得分合计 {plain(sum(d['score'] for d in out))} 与总分 {plain(total)} 不一致")
    for d in out:
        if d["max_score"] is not None and d["score"] > d["max_score"]:
            notes.append(f"一级指标“{d['dimension']}”得分 {plain(d['score'])} 超过分值 {plain(d['max_score'])}")
    return out


def _projects(items: list[dict], notes: list[str]) -> list[dict]:
    out, seen = [], {}
    for item in items:
        name = item["project_name"]
        if name in seen:
            kept = seen[name]
            if (kept["budget"], kept["actual_spend"]) != (item["budget"], item["actual_spend"]):
                notes.append(f"项目“{name}”在报告中出现两次且金额不同，请核对")
            continue
        if item.get("note") and item["note"] not in notes:
            notes.append(item["note"])
        source = item["source"]
        if item.get("spend_source") and item["spend_source"] != source:
            source = f"{source} …… {item['spend_source']}"
        entry = {"project_name": name, "budget": item["budget"], "actual_spend": item["actual_spend"],
                 "source": source}
        seen[name] = entry
        out.append(entry)
    return out


def _rates(readings: list[Candidate], notes: list[str]) -> list[dict]:
    out = []
    for c in readings:
        metric = c.extra["metric"]
        if any(r["metric"] == metric and r["value"] == c.value for r in out):
            continue
        if any(r["metric"] == metric for r in out):
            notes.append(f"报告对“{c.label}”给出了不同的数，均列出，请核对")
        out.append({"metric": metric, "label": c.label, "value": c.value, "source": c.source})
    return out
