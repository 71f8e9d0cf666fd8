"""Who and when a report is about: unit name, region, main year, self- or external evaluation.

The name is taken only from the report's title lines (or a signature), never from the body
at large: a body names many bodies (the finance bureau that asked for the report, …), and
picking the most frequent one would put another unit's name on these figures.
"""
from __future__ import annotations

import re
from collections import Counter

from perfdash.extract.text import Block, without_citations, years_in

# A government body's name: a place, then its name, ending in an organ word.
ORGAN = re.compile(
    r"(?P<name>(?P<place>[\u4e00-\u9fff]{2,8}?(?:省|自治区|市|自治州|州|盟|地区|县|自治县|区|旗))"
    r"[\u4e00-\u9fff“”]{1,24}?(?:局|办公室|委员会|中心|厅|院|所|站|馆|队|会|处|委|办))"
    r"(?!机关|关于)")
# Title words that follow the name in a report's title.
_TITLE_TAIL = re.compile(r"(部门)?(整体)?(支出)?(绩效)?(自评|评价)")
# Bodies that sign a report only when they are someone else (the requester, a government).
_NOT_THE_UNIT = re.compile(r"财政局|财政厅|人民政府|委员会办公室$|^中共")
PROVINCES = ("北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 "
             "海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门").split()
# A province cited as the unit's own authority ("河南省财政厅", "甘肃省委").
_PROVINCE_AUTHORITY = re.compile(r"(" + "|".join(PROVINCES) + r")(?:省|市|自治区)?(?:财政厅|人民政府|委|政府)")
_CITY_AUTHORITY = re.compile(r"([\u4e00-\u9fff]{2,4}市)(?:委|人民政府|财政局|政务服务办公室关于)")
# The head of a report: the lines before its first section (一、…).
_FIRST_SECTION = re.compile(r"^(一[、.．]|[（(]一[)）])")


def head_lines(blocks: list[Block]) -> list[str]:
    head = []
    for block in blocks[:12]:
        if _FIRST_SECTION.match(block.text):
            break
        head.append(block.text)
    return head


def unit_name(blocks: list[Block], full_text: str) -> str | None:
    """The unit named in the title (or signature) and named again in the body."""
    head = head_lines(blocks)
    candidates = []
    for line in head:
        # Only title lines: an addressee (区财政局：) or a sentence (根据…的通知，…) names other bodies.
        if line.endswith(("：", ":")) or re.search(r"[。，,；;]", line) or len(line) > 60:
            continue
        title = re.sub(r"(20\d\d)\s*年度?", "", line).replace(" ", "")
        title = re.sub(r"^(附件\d*[:：]?|关于)", "", title)
        title = _TITLE_TAIL.split(title)[0] if _TITLE_TAIL.search(title) else title
        candidates += [_best_variant(match.group("name"), full_text) for match in ORGAN.finditer(title)]
    signature = [b.text for b in blocks[-3:] if ORGAN.fullmatch(b.text.strip())]
    candidates += [s.strip() for s in signature if not _NOT_THE_UNIT.search(s)]
    for name in candidates:
        if full_text.count(name) >= 2 or name in signature:
            return name
    return candidates[0] if candidates else None


def _best_variant(name: str, full_text: str) -> str:
    """The name without words that crept in before the place ("关于…", "中共…"): of the tails that
    are still a body's name, the one the text repeats most (the longest on a tie)."""
    variants = [name[i:] for i in range(len(name)) if ORGAN.fullmatch(name[i:])]
    return max(variants, key=lambda v: (full_text.count(v), len(v)))


def region(name: str | None, full_text: str) -> str | None:
    """Province and city as the text states them (the unit's own place, or the city above it)."""
    if not name:
        return None
    place = ORGAN.match(name)
    if not place:
        return None
    place = place.group("place")
    provinces = Counter(m.group(1) for m in _PROVINCE_AUTHORITY.finditer(full_text))
    province = None
    if len(provinces) == 1:
        only = next(iter(provinces))
        province = only + ("自治区" if only in ("内蒙古", "广西", "西藏", "宁夏", "新疆") else "省")
    city = None
    above = re.search(rf"([\u4e00-\u9fff]{{2,4}}市){re.escape(place)}", full_text)
    if above and above.group(1) != place:
        city = above.group(1)
    elif place.endswith("市"):
        city = place
    else:
        cities = Counter(m.group(1) for m in _CITY_AUTHORITY.finditer(full_text.replace("中共", "，"))
                         if m.group(1) != place)
        city = cities.most_common(1)[0][0] if cities else None
    if city and province and city.startswith(province):
        return city
    parts = [p for p in (province, city) if p]
    return "".join(parts) or None


def main_year(blocks: list[Block], full_text: str) -> int | None:
    """The year in the title, else the year most written as 20XX年度, else the most written year."""
    for line in head_lines(blocks):
        found = years_in(line)
        if found:
            return found[0]
    counted = Counter(int(y) for y in re.findall(r"(20\d\d)\s*年度", without_citations(full_text)))
    if not counted:
        counted = Counter(years_in(full_text))
    return counted.most_common(1)[0][0] if counted else None


def is_external_evaluation(blocks: list[Block], full_text: str) -> bool:
    """A report written by an evaluator (评价工作组, 第三方) rather than the unit itself."""
    title = "".join(head_lines(blocks))
    if "自评" in title:
        return False
    return "评价报告" in title or bool(re.search(r"评价工作组|第三方评价机构|第三方机构评价", full_text))


def missing_name_note(full_text: str) -> str:
    """What the text says about an unnamed unit, so the reviewer can fill the name in."""
    note = "报告没有写明单位名称（通篇称“我单位/我局”），单位名称留空，请人工填写"
    requester = re.search(r"([\u4e00-\u9fff]{2,6}[市县区])财政局关于开展(20\d\d)年度(市级|县级|区级|省级)", full_text)
    if requester:
        note += (f"；文中依据{requester.group(1)}财政局关于{requester.group(2)}年度{requester.group(3)}"
                 f"自评的通知开展自评，应为{requester.group(1)}的{requester.group(3)}单位")
    return note
