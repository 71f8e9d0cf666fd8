"""Figures in prose: budget amounts, scores, grades and stated rates, each with its sentence.

Every figure is found as a number with its unit ("2538.07 万元", "87.56%", "99.68 分") whose
clause ends in a known label ("年初预算为"). Numbers without a label, changes ("增加…万元"),
targets ("≥90%") and figures about a single project are not figures of the unit: they are
skipped, never guessed at.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from perfdash.extract.text import (AMOUNT, DATE_YEAR, NUMBER, PERCENT, TARGET, TARGET_AFTER, YEAR,
                                   date_years_in, to_decimal, to_wanyuan, years_in)


@dataclass
class Sentence:
    text: str
    order: int                 # position in the document
    paragraph: int             # sentences of one paragraph share this
    context_year: int | None   # the year of the section it sits in, if the heading said one
    is_row: bool = False
    heading: bool = False      # the sentence is a section heading


@dataclass
class Candidate:
    """One reading of a figure; several readings of one field are reconciled later."""

    year: int | None
    key: str
    value: object
    source: str
    order: int
    note: str | None = None
    label: str = ""
    extra: dict | None = None


# A clause ends at these; a label and its number sit in one clause.
_CLAUSE_BREAK = re.compile(r"[，,；;：:。（(）)]")
# Words between a label and its number that carry no meaning ("年初预算为 2538.07 万元").
_FILLER = re.compile(r"(?:为|是|达到|达|共计|合计|总计|：|:|万元|元|\s)+$")
_QUOTES = str.maketrans("", "", "“”\"'‘’「」『』")
# A change, a component or a forecast is not the figure itself ("增加预算资金 28014.2 万元").
_NOT_A_LEVEL = re.compile(r"增加|减少|追加|调减|调增|增长|下降|上升|比上年|较上年|比\d{4}|较\d{4}|剩余|"
                          r"差额|超支|节约|预计|人均|平均|每人|每年|每月|其中|约|近|逾|超过|不足")
# An approximate amount ("500万元左右", "500余万元" never matches AMOUNT at all).
_APPROXIMATE_AFTER = re.compile(r"^\s*(左右|上下|以上|以下|以内)")
# Figures of a project, not of the unit: the sentence speaks of a project or a named fund.
_PROJECT_WORDS = re.compile(r"项目|专项|经费|费用|工程")
_SANGONG = re.compile(r"“?三公”?经费")
# Words that say a figure belongs to the unit as a whole.
_UNIT_WORDS = r"部门|单位|我局|本局|全局|整体|本级"

# Parts of the budget (基本支出, 人员支出 …) are not the unit's total.
_NOT_A_PART = r"(?<!基本)(?<!项目)(?<!人员)(?<!公用)(?<!经费)"
# Last year's figure quoted beside this year's ("上年实际支出…") belongs to no record here.
_LAST_YEAR = re.compile(r"上年|去年|上一年|前一年|同期")
# Amount labels, most specific first; each must end the clause just before the number.
AMOUNT_LABELS: list[tuple[str, str]] = [
    ("prior_carryover", r"(?:上年度?|上一年度?|年初)(?:年末|年底|末|底)?结转和?结余(?:资金|总额|数|金额)?|"
                        r"上年度?(?:年末|年底|末|底)结余"),
    ("carryover", r"(?<!收支)(?<!项目)(?:年末|年底|期末|本年度?末?)?结转和?结余(?:资金|总额|数|金额)?|"
                  r"(?:年末|年底|期末)结余(?:资金)?"),
    ("sangong_actual", r"三公(?:经费)?(?:实际)?(?:执行|支出)数?|三公(?:经费)?实际数?"),
    ("sangong_budget", r"三公(?:经费)?预算(?:数|金额)?"),
    ("funds_received", r"(?:实际)?到位(?:资金|金额|数)?|资金到位(?:数|金额)?|(?<!预算)收入总额"),
    ("actual_spend", r"实际支出(?:数|总额|金额|预算)?|(?:预算|全年|实际|累计|资金)+执行(?:数|金额)|"
                     rf"{_NOT_A_PART}(?<!预算)支出总额|决算支出数?|实际使用资金"),
    ("initial_budget", r"年初(?:部门)?预算(?:资金|数|金额|总额|批复数)?|年初批复的?预算数?|预算支出(?:总额)?|"
                       rf"{_NOT_A_PART}支出预算(?:总额|数)?"),
    ("adjusted_budget", r"调整后?的?预算(?:数|资金|总额)?|全年总?预算(?:资金)?(?:总额|数)?|预算调整后数?|"
                        r"批复的?预算总额|预算总额"),
]
_AMOUNT_LABEL_RES = [(key, re.compile(rf"(?:{pattern})$")) for key, pattern in AMOUNT_LABELS]
# Labels whose reading is a judgement the reviewer should see.
LABEL_NOTES = {
    "收入总额": "“收入总额”（决算收入）记为实际到位资金",
    "预算总额": "报告只给出一个预算总额，未区分年初与调整后，记为调整后预算数（全年预算数），年初预算数留空",
}

# A total score: "整体绩效自评得分 99.68 分", "综合得分 83.69 分", "整体自评得分为88分".
TOTAL_SCORE = re.compile(
    rf"(?P<label>(?:整体|综合|最终|总)[^，,；;。：:\d]{{0,8}}?得分|自评得分|评价得分|总分)(?:为|是|[:：])?(?P<num>{NUMBER})分")
# One first-level score: "部门决策满分 10 分，实得 8.6 分" or "投入管理指标得分24分".
DIMENSION_ITEM = re.compile(
    rf"(?P<name>[^\s，,；;、：:。（）()\d%“”]{{2,16}}?)(?:(?:满分|分值为?)(?P<max>{NUMBER})分[，,]?(?:实得|得分为?|得)"
    rf"|得分为?|得)?(?P<score>{NUMBER})分")
_NOT_A_DIMENSION = re.compile(r"整体|综合|总分|合计|最终|自评|评价|评分|指标\d|分别|满分|分值|扣|减|加|失|丢|"
                               r"较|比|提高|下降|增加|减少|以上|以下|共")
# A first-level breakdown names at least this many dimensions; one "…N分" alone is something else.
MIN_DIMENSIONS = 2
_DIMENSION_SUFFIX = re.compile(r"(?:指标|情况|率)$")
# A grade: "属于“优”", "评价等级为“良”", "绩效级别评定为“良”", "自评为“优秀”".
GRADE = re.compile(r"(?:等级|级别)(?:评定)?为?|评定为|属于|自评为|评为|结果为")
_GRADE_WORD = re.compile(r"^[:：]?[“\"「『]?(优秀|良好|中等|较差|优|良|中|差)(?=[”\"」』，,。；;\s]|$)")
# Who gave a score other than the unit itself.
EXTERNAL = re.compile(r"评价工作组|评价组|第三方|财政评价|财政重点评价|重点评价|再评价|专家组|评审组")

# Stated rates: label as printed → rate id of DESIGN section 2.
RATE_IDS: list[tuple[str, str]] = [
    ("procurement_execution_rate", r"政府采购执行率|采购执行率"),
    ("carryover_change_rate", r"结转结余变动率|结余变动率"),
    ("execution_rate", r"预算执行率|资金执行率|支出执行率|执行率"),
    ("adjustment_rate", r"预算调整率|调整率"),
    ("carryover_rate", r"结转结余率|结余率|结转率"),
    ("sangong_control_rate", r"三公经费控制率|三公控制率"),
    ("funds_arrival_rate", r"资金到位率|到位率"),
]
_RATE_LABEL = re.compile(r"([\u4e00-\u9fff“”]{1,14}率)$")
_BUDGET_WORDS = re.compile(r"预算|资金|支出|结余|结转|经费|采购")
# A rate label none of section 2 maps to is kept only when short enough to be a label at all.
MAX_UNMAPPED_LABEL = 8


def clause_prefix(text: str, start: int, floor: int = 0) -> tuple[str, int]:
    """The clause before position `start`: from the last break (or `floor`) to it."""
    begin = floor
    for match in _CLAUSE_BREAK.finditer(text, floor, start):
        begin = match.end()
    return text[begin:start], begin


def figure_year(sentence: Sentence, clause: str, upto: int) -> int | None:
    """The clause's own year, else the sentence's first year, else its section's year."""
    own = years_in(clause)
    if own:
        return own[-1]
    before = sentence.text[:upto]
    stated = years_in(before) or years_in(sentence.text)
    if stated:
        return stated[0]
    if sentence.context_year:
        return sentence.context_year
    dated = date_years_in(sentence.text)
    return dated[0] if dated else None


def _is_unit_level(sentence: str, clause: str, unit_name: str | None) -> bool:
    """A sentence about a project or a named fund speaks for the unit only when it says so.

    "部门培训项目经费实际支出" is a project's spending even though it says 部门: a project word in
    the clause itself always wins.
    """
    if _PROJECT_WORDS.search(_SANGONG.sub("", clause)):
        return False
    if not _PROJECT_WORDS.search(_SANGONG.sub("", sentence)):
        return True
    markers = _UNIT_WORDS + (f"|{re.escape(unit_name)}" if unit_name else "")
    return bool(re.search(markers, clause))


def amounts(sentence: Sentence, unit_name: str | None) -> list[Candidate]:
    out = []
    previous_end = 0
    for match in AMOUNT.finditer(sentence.text):
        clause, begin = clause_prefix(sentence.text, match.start(), previous_end)
        previous_end = match.end()
        bare = _FILLER.sub("", YEAR.sub("", DATE_YEAR.sub("", clause))).translate(_QUOTES)
        if not bare or _NOT_A_LEVEL.search(clause) or TARGET.search(clause):
            continue
        if _APPROXIMATE_AFTER.match(sentence.text[match.end():]):
            continue
        for key, label in _AMOUNT_LABEL_RES:
            found = label.search(bare)
            if not found:
                continue
            if not _is_unit_level(sentence.text, clause, unit_name):
                break
            if key != "prior_carryover" and _LAST_YEAR.search(clause):
                break
            value = to_wanyuan(to_decimal(match.group("num")), match.group("unit"))
            if value < 0:
                break
            note = next((n for word, n in LABEL_NOTES.items() if found.group().endswith(word)), None)
            year = figure_year(sentence, clause, match.start())
            out.append(Candidate(year, key, value, sentence.text, sentence.order, note, found.group()))
            break
    return out


def total_scores(sentence: Sentence, external_report: bool) -> list[Candidate]:
    out = []
    for match in TOTAL_SCORE.finditer(sentence.text):
        value = to_decimal(match.group("num"))
        if not Decimal(0) <= value <= Decimal(100):
            continue
        key = score_kind(sentence.text, external_report)
        year = figure_year(sentence, match.group("label"), match.start())
        out.append(Candidate(year, key, value, sentence.text, sentence.order, label=match.group("label")))
    return out


def score_kind(text: str, external_report: bool) -> str:
    if "自评" in text and not EXTERNAL.search(text):
        return "self_score"
    return "evaluation_score" if external_report or EXTERNAL.search(text) else "self_score"


def dimension_items(sentence: Sentence) -> list[dict]:
    """First-level scores named in a sentence (only called for a total-score paragraph)."""
    items = []
    for match in DIMENSION_ITEM.finditer(sentence.text):
        name = match.group("name")
        name = re.sub(r"^(其中|分别为|包括)", "", name)
        if len(name) < 2 or _NOT_A_DIMENSION.search(name) or TOTAL_SCORE.match(match.group()):
            continue
        short = _DIMENSION_SUFFIX.sub("", name)
        items.append({"dimension": short if len(short) >= 2 else name,
                      "max_score": to_decimal(match.group("max")) if match.group("max") else None,
                      "score": to_decimal(match.group("score")), "source": sentence.text,
                      "order": sentence.order})
    return items


# Grading rules ("90分（含）以上评定为“优”") state the scale, not this unit's grade.
_GRADE_SCALE = re.compile(r"以上|以下|划分为|分为[“\"]?[优良中差]|标准|（含）|\(含\)|≥|≤|<|>|不足|低于")


def grades(sentence: Sentence, external_report: bool) -> list[Candidate]:
    out = []
    if _GRADE_SCALE.search(sentence.text):
        return out
    for trigger in GRADE.finditer(sentence.text):
        word = _GRADE_WORD.match(sentence.text[trigger.end():])
        if not word:
            continue
        key = "grade" if score_kind(sentence.text, external_report) == "self_score" else "evaluation_grade"
        year = figure_year(sentence, "", trigger.start())
        out.append(Candidate(year, key, word.group(1), sentence.text, sentence.order, label=trigger.group()))
    return out


def rates(sentence: Sentence, unit_name: str | None) -> list[Candidate]:
    out = []
    previous_end = 0
    for match in PERCENT.finditer(sentence.text):
        clause, _ = clause_prefix(sentence.text, match.start(), previous_end)
        previous_end = match.end()
        if TARGET.search(clause) or TARGET_AFTER.match(sentence.text[match.end():]):
            continue
        bare = re.sub(r"(?:为|是|达到|达|：|:|\s)+$", "", clause)
        found = _RATE_LABEL.search(bare)
        if not found:
            continue
        label = found.group(1).translate(_QUOTES)
        metric = _rate_id(label, sentence.text)
        if metric is None:
            continue
        if not _is_unit_level(sentence.text, clause, unit_name) or "项目" in clause:
            continue
        value = to_decimal(match.group("num")) / Decimal(100)
        year = figure_year(sentence, clause, match.start())
        out.append(Candidate(year, "rate", value.normalize(), sentence.text, sentence.order,
                             label=label, extra={"metric": metric}))
    return out


def _rate_id(label: str, sentence: str) -> str | None:
    if label == "控制率" and "三公" in sentence:
        return "sangong_control_rate"
    for metric, pattern in RATE_IDS:
        if re.search(rf"(?:{pattern})$", label):
            return metric
    if _BUDGET_WORDS.search(label) and len(label) <= MAX_UNMAPPED_LABEL:
        return label
    return None
