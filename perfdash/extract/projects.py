"""Projects named in prose, with the budget and spending the text gives for each.

Two shapes are read:
1. "<项目>申请预算金额为 B 万元，实际支出为 A 万元" — one project per clause group (新郑).
2. A list "本次评价项目共N个，分别为<项目> B 万元；…" giving each project's amount, with the
   spending found in the numbered section about that project (“N.<项目>主要任务及完成情况”).
Anything else about a project is left to the reviewer: a project with no stated spending
keeps actual_spend empty and says so in a note.
"""
from __future__ import annotations

import re
from decimal import Decimal

from perfdash.extract.figures import Sentence
from perfdash.extract.text import AMOUNT, NUMBER, YEAR, to_decimal, to_wanyuan, years_in

# "X项目申请预算金额为55.79万元" — the name runs back to the previous break.
_BUDGETED = re.compile(rf"(?P<name>[^，,；;：:。如]{{2,40}}?)(?:申请)?预算(?:金额|资金)?为?(?P<num>{NUMBER})\s*(?P<unit>万元|元)")
_SPENT = re.compile(rf"(?:实际支出|支出|执行数)(?:为)?(?P<num>{NUMBER})\s*(?P<unit>万元|元)")
_ZERO_RATE = re.compile(r"执行率为?0(?![.\d%])")
_PROJECT_NAME_END = re.compile(r"(项目|经费|费用|费|工程|资金)$")
_LIST_START = re.compile(r"(?:评价|自评)?项目共\s*\d+\s*个[，,]?\s*分别为")
_SECTION_TITLE = re.compile(r"^(?:\d+[.、．])?(?P<title>[^，。；]{2,50}?)主要任务及完成情况[。.]?$")
# In a project's own section: the money it got and the money it spent.
_SECTION_BUDGET = re.compile(rf"(?:争取|安排|下达|批复|申请)(?:项目)?(?:资金|预算)(?P<num>{NUMBER})\s*(?P<unit>万元|元)")
_SECTION_SPEND = re.compile(rf"(?:实际支出|资金执行数|执行数)[^，。；]{{0,24}}?(?P<num>{NUMBER})\s*(?P<unit>万元|元)"
                            r"(?P<detail>（其中[^（）]*(?:（[^（）]*）[^（）]*)*）)?")
# A heading above the numbered project sections ends the last of them.
_OUTER_HEADING = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）])")
# An amount this many times its project's budget is a unit typo (元 written as 万元), not spending.
UNIT_TYPO_FACTOR = 100
_PAREN = re.compile(r"[（(][^）)]*[）)]")


def clean_name(name: str, unit_name: str | None) -> str:
    """A project's name without the unit, the place or the year some mentions carry."""
    name = _PAREN.sub("", name).strip()
    name = re.sub(r"^(如|其中|一是|二是|三是|另|此外)", "", name)
    if unit_name:
        name = name.replace(unit_name, "")
        place = re.match(r"[\u4e00-\u9fff]{2,8}?(?:省|市|县|区)", unit_name)
        if place:
            name = re.sub(rf"^(接入)?{place.group()}", "", name)
    name = re.sub(r"^(20\d\d)\s*年度?", "", name)
    return name.strip()


def budgeted_clauses(sentence: Sentence, unit_name: str | None, year: int | None) -> list[dict]:
    """Shape 1: projects each stated with a budget and, usually, their spending."""
    out = []
    for segment in re.split(r"[；;]", sentence.text):
        found = _BUDGETED.search(segment)
        if not found:
            continue
        name = clean_name(found.group("name"), unit_name)
        if not _PROJECT_NAME_END.search(name) or "部门" in name or "单位" in name:
            continue
        rest = segment[found.end():]
        spent = _SPENT.search(rest)
        note = None
        if spent:
            actual = to_wanyuan(to_decimal(spent.group("num")), spent.group("unit"))
        elif _ZERO_RATE.search(rest):
            actual = Decimal(0)
            note = f"项目“{name}”的实际支出按“预算执行率为0”记为 0"
        else:
            actual = None
            note = f"项目“{name}”没有写明实际支出"
        out.append({"year": year, "project_name": name,
                    "budget": to_wanyuan(to_decimal(found.group("num")), found.group("unit")),
                    "actual_spend": actual, "source": segment.strip(), "note": note})
    return out


def listed_projects(sentences: list[Sentence], unit_name: str | None, main_year: int | None) -> list[dict]:
    """Shape 2: the list of evaluated projects, completed from each project's own section."""
    listed: list[dict] = []
    for n, sentence in enumerate(sentences):
        start = _LIST_START.search(sentence.text)
        if not start:
            continue
        items = [sentence.text[start.end():]]
        follow = n + 1
        while follow < len(sentences) and sentences[follow].paragraph == sentence.paragraph:
            items.append(sentences[follow].text)
            follow += 1
        for item in items:
            money = AMOUNT.search(item)
            if not money:
                continue
            raw = item[:money.start()]
            name = clean_name(raw, unit_name)
            if not _PROJECT_NAME_END.search(name):
                continue
            stated_years = years_in(raw)
            listed.append({"year": stated_years[0] if stated_years else main_year, "project_name": name,
                           "budget": to_wanyuan(to_decimal(money.group("num")), money.group("unit")),
                           "actual_spend": None, "source": item.strip(), "note": None})
        break
    if not listed:
        return []
    sections = _project_sections(sentences, unit_name)
    for project in listed:
        body = _matching_section(project["project_name"], sections)
        if body is None:
            project["note"] = f"项目“{project['project_name']}”没有找到对应的说明段落，实际支出未读取"
            continue
        _complete_from_section(project, body)
    return listed


def _project_sections(sentences: list[Sentence], unit_name: str | None) -> list[tuple[str, list[Sentence]]]:
    sections: list[tuple[str, list[Sentence]]] = []
    open_section = False
    for sentence in sentences:
        title = _SECTION_TITLE.match(sentence.text)
        if title:
            sections.append((clean_name(YEAR.sub("", title.group("title")), unit_name), []))
            open_section = True
        elif _OUTER_HEADING.match(sentence.text):
            open_section = False
        elif sections and open_section:
            sections[-1][1].append(sentence)
    return sections


def _matching_section(name: str, sections) -> list[Sentence] | None:
    key = name.replace("专项经费", "").replace("工作经费", "").replace("经费", "").replace("费用", "")
    for title, body in sections:
        bare = title.replace("专项经费", "").replace("工作经费", "").replace("经费", "").replace("费用", "")
        if key and bare and (key in bare or bare in key):
            return body
    return None


def _complete_from_section(project: dict, body: list[Sentence]) -> None:
    notes = []
    for sentence in body:
        for amount in AMOUNT.finditer(sentence.text):
            value = to_wanyuan(to_decimal(amount.group("num")), amount.group("unit"))
            if project["budget"] and value > UNIT_TYPO_FACTOR * project["budget"]:
                notes.append(f"项目“{project['project_name']}”的说明中“{amount.group()}”是项目预算的"
                             f"{int(value / project['budget'])} 倍，疑为“元”误写成“万元”，未采用")
        spent = _SECTION_SPEND.search(sentence.text)
        if spent and project["actual_spend"] is None:
            project["actual_spend"] = to_wanyuan(to_decimal(spent.group("num")), spent.group("unit"))
            project["spend_source"] = sentence.text
            if spent.group("detail"):
                notes.append(f"项目“{project['project_name']}”实际支出"
                             f"{spent.group('num')}{spent.group('unit')}{spent.group('detail')}")
        budget = _SECTION_BUDGET.search(sentence.text)
        if budget:
            stated = to_wanyuan(to_decimal(budget.group("num")), budget.group("unit"))
            if stated != project["budget"]:
                notes.append(f"项目“{project['project_name']}”的预算有两种说法：评价对象清单写"
                             f"{project['budget']}万元，项目说明写{stated}万元（{budget.group()}）；"
                             f"采用项目说明中的预算数，请核对")
                project["list_source"] = project["source"]
                project["budget"] = stated
                project["source"] = sentence.text
    if project["actual_spend"] is None:
        notes.append(f"项目“{project['project_name']}”的说明没有写明实际支出数（只写了拨付或用途），实际支出留空")
    project["note"] = "；".join(notes) or None
