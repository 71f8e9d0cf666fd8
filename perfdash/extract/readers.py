"""Readers: a report file (.txt, .docx, text .pdf) → lines in document order.

A table row comes out as its cells joined by tabs, like the published .txt reports, so one
extractor reads every format. Anything unreadable is refused with a message naming the file.
"""
from __future__ import annotations

import statistics
from pathlib import Path

from perfdash.errors import UserError

SUPPORTED = (".txt", ".docx", ".pdf")
SCANNED_PDF = "该 PDF 没有文字层（可能是扫描件），无法读取，请提供 Word 版或文字版 PDF"
# A self-evaluation report is a few hundred kilobytes; anything this large is something else.
MAX_REPORT_BYTES = 50 * 1024 * 1024
# Old binary Office files (and password-protected new ones) start with these bytes.
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
# Characters a page needs before it counts as having a text layer (page numbers alone do not).
MIN_TEXT_CHARS = 20


class ReportUnreadable(UserError):
    """The file cannot be read as a report; the message names the file and says why."""


def read_lines(path: Path) -> list[str]:
    return read_report(path)[0]


def read_report(path: Path) -> tuple[list[str], list[str]]:
    """The report's lines, and what the reader could not read (e.g. a scanned page in a text PDF)."""
    path = Path(path)
    if not path.is_file():
        raise ReportUnreadable(f"文件不存在：{path}")
    if path.stat().st_size > MAX_REPORT_BYTES:
        raise ReportUnreadable(f"{path.name}：文件超过 {MAX_REPORT_BYTES // (1024 * 1024)} MB，不像一份自评报告")
    suffix = path.suffix.lower()
    with open(path, "rb") as f:
        magic = f.read(8)
    if suffix in (".docx", ".pdf") and magic.startswith(OLE2_MAGIC):
        raise ReportUnreadable(f"{path.name}：是旧版 Word（.doc）或设置了打开密码的文件，请另存为无密码的 .docx 后再读取")
    if suffix == ".txt":
        return decode_text(path.read_bytes(), path.name).splitlines(), []
    if suffix == ".docx":
        return _docx_lines(path), []
    if suffix == ".pdf":
        return _pdf_lines(path)
    if suffix == ".doc":
        raise ReportUnreadable(f"{path.name}：是旧版 Word（.doc）文件，请另存为 .docx 后再读取")
    raise ReportUnreadable(f"{path.name}：不支持的报告格式（支持 .txt、.docx、.pdf）")


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) first, then GB18030 (a superset of GBK), as Chinese Windows writes;
    UTF-16 when its byte-order mark says so (Notepad's "Unicode")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ReportUnreadable(f"{name}：UTF-16 文本已损坏，无法读取") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            return text
    raise ReportUnreadable(f"{name}：无法识别文字编码（不是 UTF-8 或 GBK），请另存为 UTF-8 文本")


# -- .docx -------------------------------------------------------------------------------


def _docx_lines(path: Path) -> list[str]:
    """Paragraphs and tables in the order they appear (python-docx keeps them in two lists)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise ReportUnreadable(f"{path.name}：不是有效的 Word（.docx）文件，可能已损坏或只是改了扩展名") from exc
    except Exception as exc:   # zipfile.BadZipFile, lxml errors: a damaged download
        raise ReportUnreadable(f"{path.name}：Word 文件已损坏，无法打开（{type(exc).__name__}）") from exc
    lines: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            lines.extend(Paragraph(child, document).text.split("\n"))
        elif tag == "tbl":
            lines.extend(_table_rows(Table(child, document)))
            lines.append("")
    return lines


def _table_rows(table) -> list[str]:
    rows = []
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:             # a merged cell is returned once per grid column
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(cell.text.replace("\n", "").replace("\t", " ").strip())
        rows.append("\t".join(cells) if len([c for c in cells if c]) >= 2 else " ".join(cells))
    return rows


# -- .pdf --------------------------------------------------------------------------------


def _pdf_lines(path: Path) -> tuple[list[str], list[str]]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ReportUnreadable(f"{path.name}：PDF 有打开密码，请提供无密码的文件") from exc
        raise ReportUnreadable(f"{path.name}：不是有效的 PDF 文件，可能已损坏") from exc
    try:
        lines: list[str] = []
        image_pages = []
        for index in range(len(document)):
            page = document[index]
            page_lines = _page_lines(page)
            if sum(len(l.strip()) for l in page_lines) < MIN_TEXT_CHARS and _has_image(page):
                image_pages.append(index + 1)
            lines.extend(page_lines)
    finally:
        document.close()
    if sum(len(l.strip()) for l in lines) < MIN_TEXT_CHARS:
        raise ReportUnreadable(f"{path.name}：{SCANNED_PDF}")
    notes = [f"PDF 第 {'、'.join(map(str, image_pages))} 页只有图片（可能是扫描页），其中的内容没有读取，请对照原件核对"] \
        if image_pages else []
    return lines, notes


def _has_image(page) -> bool:
    import pypdfium2.raw as pdfium_c

    return any(obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects())


def _page_lines(page) -> list[str]:
    """Visual lines of one page, re-joined where a paragraph wrapped at the right margin.

    Each line is rebuilt from character boxes: a wide horizontal gap becomes a tab (a table
    cell boundary), a line that reaches the right margin with little space below it continues
    on the next line, anything else ends a paragraph.
    """
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
        count = min(textpage.count_chars(), len(text))
        visual = []              # [text, left, right, bottom, top, char height]
        current, boxes = [], []
        for i in range(count + 1):
            ch = text[i] if i < count else "\n"
            if ch in "\r\n":
                if current:
                    visual.append(_line(current, boxes))
                current, boxes = [], []
                continue
            current.append(ch)
            boxes.append(textpage.get_charbox(i))
    finally:
        textpage.close()
    visual = [v for v in visual if v[0].strip()]
    if not visual:
        return []
    right_margin = max(v[2] for v in visual)
    height = statistics.median(v[5] for v in visual) or 10.0
    lines: list[str] = []
    for n, (line, _left, right, bottom, _top, _h, _lead) in enumerate(visual):
        nxt = visual[n + 1] if n + 1 < len(visual) else None
        # Wrapped: the next line's first word (a number cannot be split) would not have fitted here.
        wrapped = ("\t" not in line and nxt is not None and "\t" not in nxt[0]
                   and right + nxt[6] + 0.5 * height >= right_margin - 1.5 * height
                   and bottom - nxt[4] < 0.6 * height)
        if lines and lines[-1].endswith("\x00"):
            lines[-1] = lines[-1][:-1] + line
        else:
            lines.append(line)
        if wrapped:
            lines[-1] += "\x00"
    return [l.rstrip("\x00") for l in lines]


# Full-width punctuation draws a small mark inside a whole em: the blank beside it is no cell gap.
_WIDE_PUNCTUATION = set("，。；：、！？（）“”‘’《》【】「」『』．％") | {chr(c) for c in range(0xFF10, 0xFF1A)}
# A gap wider than this many character heights between two glyphs separates table cells.
CELL_GAP = 0.9


def _line(chars: list[str], boxes: list[tuple]) -> list:
    """One visual line: its text (cell gaps as tabs) and its box."""
    inked = [b for c, b in zip(chars, boxes) if not c.isspace()]
    chars_inked = [c for c in chars if not c.isspace()]
    height = statistics.median(b[3] - b[1] for b in inked) if inked else 10.0
    out, last_right = [], None
    for ch, box in zip(chars, boxes):
        if ch.isspace():
            continue
        if last_right is not None:
            gap = box[0] - last_right
            punctuation = ch in _WIDE_PUNCTUATION or (out and out[-1] in _WIDE_PUNCTUATION)
            if gap > CELL_GAP * height * (2 if punctuation else 1):
                out.append("\t")
            elif gap > 0.25 * height and out and out[-1].isascii() and ch.isascii():
                out.append(" ")
        out.append(ch)
        last_right = box[2]
    left = min((b[0] for b in inked), default=0.0)
    right = max((b[2] for b in inked), default=0.0)
    bottom = min((b[1] for b in inked), default=0.0)
    top = max((b[3] for b in inked), default=0.0)
    # Width of the leading word: an unbreakable run of digits/letters and the character after it.
    lead_end = 0
    while lead_end < len(inked) - 1 and chars_inked[lead_end].isascii():
        lead_end += 1
    lead = (inked[lead_end][2] - left) if inked else 0.0
    return ["".join(out), left, right, bottom, top, height, lead]
