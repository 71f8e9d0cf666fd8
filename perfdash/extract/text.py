"""Text plumbing shared by every reader: one line model, paragraph joining, sentences, numbers.

Every format is reduced to the same list of lines (a table row is its cells joined by tabs,
as the .txt reports already are), so .txt, .docx and .pdf go through one extractor and give
the same records.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

# Full-width digits and signs are written by many Chinese word processors; the regexes below
# are written for ASCII ones. Punctuation such as ，（ is kept: it is part of the source sentence.
_WIDTH = str.maketrans("０１２３４５６７８９．％－＋", "0123456789.%-+")

# Spaces beside a Chinese character carry no meaning ("2022 年", "2538.07 万元") and PDFs
# place them differently from the .txt; they are dropped so every format gives one sentence.
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f]) +| +(?=[^\x00-\x7f])")
# A line that opens a section: 一、 （一） (1) 1. 1、 ① 第一章 附件 or a markdown heading
# ("2.2021年度收支情况" is a heading, "2.5万元…" is not).
HEADING = re.compile(
    r"^(#+\s*|[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|"
    r"\d{1,2}[.、．](?!\d{1,3}(?:\.\d+)?\s*(?:万元|元|%|分))|"
    r"[①-⑳⑴-⒇]|第[一二三四五六七八九十]+[章节部分]|附件)")
# A line ends a sentence (or introduces a list) with one of these; otherwise it may be wrapped.
_CLOSED = re.compile(r"[。；;！!？?：:）)”」]$")
# A title or heading ends with one of these words: it is never the first half of a sentence.
_TITLE_END = re.compile(r"(报告|总结|报表|情况|目标|任务|说明|分析|措施|建议|结论|附件\d*|[表]\d*)$")
MAX_HEADING = 40
MAX_UNNUMBERED_HEADING = 25
# Shorter lines without closing punctuation are titles or labels, never a wrapped sentence.
MIN_WRAPPED_LINE = 15
# Sentence ends: 。；！？ and their ASCII forms.
_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])")


# Some PDFs encode common characters as their radical forms (⻔ for 门, ⾦ for 金), which would
# make a label such as 部门 or 资金 silently fail to match. Kangxi radicals have NFKC forms;
# the CJK Radicals Supplement ones used as simplified characters are mapped here.
_RADICALS = {chr(c): unicodedata.normalize("NFKC", chr(c)) for c in range(0x2F00, 0x2FD6)}
_RADICALS.update(zip("⻔⻓⻅⻋⻢⻛⻜⻬⻝⻩⻆⻄⻉⻚⻨⻤⻮⻰⻯⻣⻖⻌⺠⺟⻘⻥", "门长见车马风飞齐食黄角西贝页麦鬼龟龙齿钅阝辶民母青鱼"))
_RADICAL_TABLE = str.maketrans(_RADICALS)


def clean_line(line: str) -> str:
    """One physical line, normalised: digits half-width, markdown emphasis and heading marks gone."""
    line = line.replace("\ufeff", "").replace("\u3000", " ").replace("\xa0", " ").translate(_WIDTH)
    line = line.translate(_RADICAL_TABLE)
    line = line.replace("**", "")
    line = re.sub(r"^\s*#+\s*", "", line)
    line = re.sub(r"^\s*\[bookmark:[^\]]*\]\s*", "", line)
    line = _CJK_SPACE.sub("", line)
    return line.rstrip()


def cells_of(line: str) -> list[str]:
    return [c.strip() for c in line.split("\t") if c.strip()]


@dataclass
class Block:
    """A paragraph (text) or a table row (cells), in document order."""

    text: str
    cells: list[str] = field(default_factory=list)
    heading: bool = False

    @property
    def is_row(self) -> bool:
        return bool(self.cells)


def blocks_from_lines(lines: list[str]) -> list[Block]:
    """Paragraphs and table rows; a paragraph wrapped over several lines is joined back."""
    blocks: list[Block] = []
    for raw in lines:
        line = clean_line(raw)
        cells = cells_of(line)
        if not cells:
            blocks.append(Block(""))          # a blank line: ends a paragraph, kept as a marker
            continue
        if len(cells) >= 2:
            blocks.append(Block(" | ".join(cells), cells))
            continue
        text = cells[0]
        previous = _last_text(blocks)
        is_title = previous is not None and previous is next(b for b in blocks if b.text)
        if previous is not None and not is_title and _continues(previous.text, text):
            previous.text += text
            continue
        blocks.append(Block(text, heading=is_heading(text)))
    return [b for b in blocks if b.text]


def is_heading(text: str) -> bool:
    """A numbered heading, or a short line without sentence punctuation (Word keeps automatic
    numbering such as "一、" or "1." out of the paragraph's text)."""
    if HEADING.match(text) and len(text) < MAX_HEADING:
        return True
    return len(text) <= MAX_UNNUMBERED_HEADING and not re.search(r"[。；;，,！!？?]", text)


def _last_text(blocks: list[Block]) -> Block | None:
    """The last paragraph, looking past blank lines (a page break inside a sentence)."""
    for block in reversed(blocks):
        if block.is_row:
            return None
        if block.text:
            return block
    return None


def _continues(previous: str, line: str) -> bool:
    if _CLOSED.search(previous) or len(previous) < MIN_WRAPPED_LINE or _TITLE_END.search(previous):
        return False
    if HEADING.match(previous) and len(previous) < 40:
        return False
    return not HEADING.match(line)


def sentences(text: str) -> list[str]:
    """A paragraph split after 。；！？ — the unit a figure's source is quoted in."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


# -- numbers -------------------------------------------------------------------------------

# A decimal number, optionally with thousands separators; never part of a longer number.
NUMBER = r"(?<![\d.,])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])|(?<![\d.,])-?\d+(?:\.\d+)?(?![\d])"
# An amount: a number with its money unit, e.g. "2538.07 万元", "3245338.61元", "1.2亿元".
AMOUNT = re.compile(rf"(?P<num>{NUMBER})\s*(?P<unit>亿元|万元|元)")
# A percentage as printed: "87.56%" (not "$\geq 90\%$", whose backslash keeps it out).
PERCENT = re.compile(rf"(?P<num>{NUMBER})\s*%")
# A score: "99.68 分", "得88分".
POINTS = re.compile(rf"(?P<num>{NUMBER})\s*分(?![之钟])")
# A year: 2022年 / 2022 年度 — and whether it is part of a date (2021年12月31日).
YEAR = re.compile(r"(?<!\d)(20\d\d)\s*年(度)?(?!\s*\d+\s*月)")
DATE_YEAR = re.compile(r"(?<!\d)(20\d\d)\s*年\s*\d+\s*月")
# Words that make the figure next to them a target or a bound, not a result.
TARGET = re.compile(r"(≥|≤|>|<|=|＞|＜|\\geq|\\leq|不低于|不高于|不少于|不超过|大于|小于|低于|高于|控制在|目标值?)\s*$")
TARGET_AFTER = re.compile(r"^\s*(以上|以下|以内)")


def to_decimal(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def to_wanyuan(number: Decimal, unit: str) -> Decimal:
    """元 → 万元 exactly (3245338.61 元 → 324.533861 万元); 亿元 × 10000; 万元 unchanged."""
    value = {"元": number / Decimal(10000), "亿元": number * Decimal(10000)}.get(unit, number)
    return value.normalize() if value != value.to_integral() else value.quantize(Decimal(1))


def plain(value: Decimal) -> str:
    """A decimal written without exponent or trailing zeros: 260.85, 6, 0.8756."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


# A document's title (《…2023年度…通知》) or number (〔2023〕381号) names a year that is not the figure's.
_CITED = re.compile(r"《[^》]*》|[〔\[［][^〕\]］]*[〕\]］]|[（(]20\d\d[)）]")


def without_citations(text: str) -> str:
    return _CITED.sub("", text)


def years_in(text: str) -> list[int]:
    return [int(m.group(1)) for m in YEAR.finditer(without_citations(text))]


def date_years_in(text: str) -> list[int]:
    return [int(m.group(1)) for m in DATE_YEAR.finditer(without_citations(text))]
