"""Test documents: a report's lines written as .docx (python-docx) and as a text PDF
(HTML printed by headless Chromium), so every reader is tested on the same content."""
from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _runs(lines: list[str]):
    """Paragraph lines and runs of table rows (lines with two or more tab-separated cells)."""
    table: list[list[str]] = []
    for line in lines:
        cells = line.rstrip().split("\t")
        if len([c for c in cells if c.strip()]) >= 2:
            table.append([c.strip() for c in cells])
            continue
        if table:
            yield "table", table
            table = []
        yield "p", line.strip()
    if table:
        yield "table", table


def write_docx(lines: list[str], path: Path) -> Path:
    import docx

    document = docx.Document()
    for kind, content in _runs(lines):
        if kind == "p":
            if content:
                document.add_paragraph(content)
            continue
        width = max(len(r) for r in content)
        table = document.add_table(rows=len(content), cols=width)
        for i, row in enumerate(content):
            for j in range(width):
                table.cell(i, j).text = row[j] if j < len(row) else ""
    document.save(str(path))
    return path


def html_of(lines: list[str]) -> str:
    body = []
    for kind, content in _runs(lines):
        if kind == "p":
            if content:
                body.append(f"<p>{html.escape(content)}</p>")
            continue
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in content)
        body.append(f"<table>{rows}</table>")
    style = ('body{font-family:"Noto Sans CJK SC";font-size:11pt} p{margin:0.7em 0} '
             "table{border-collapse:collapse;margin:0.7em 0} td{border:1px solid #000;padding:2px 14px}")
    return f'<html><head><meta charset="utf-8"><style>{style}</style></head><body>{"".join(body)}</body></html>'


def print_pdf(html_text: str, path: Path) -> Path:
    source = path.with_suffix(".html")
    source.write_text(html_text, encoding="utf-8")
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={path}", str(source)], check=True, capture_output=True, timeout=120)
    return path


def write_pdf(lines: list[str], path: Path) -> Path:
    return print_pdf(html_of(lines), path)


def write_scanned_pdf(path: Path) -> Path:
    """A PDF with only an image on the page: what a scanner produces."""
    from PIL import Image

    Image.new("RGB", (400, 300), "white").save(str(path), "PDF")
    return path
