"""The same report as .txt, .docx and .pdf gives identical records; unreadable files are refused
in plain Chinese, naming the file."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract_docs import CHROMIUM, write_docx, write_pdf, write_scanned_pdf
from perfdash.extract import SCANNED_PDF, ReportUnreadable, extract_file, to_json

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
SEED_FILES = sorted(SEEDS.glob("0*.txt")) if SEEDS.is_dir() else []
needs_seeds = pytest.mark.skipif(not SEED_FILES, reason="shared/seeds/ is not beside the repository")


@pytest.fixture(scope="session")
def seed_documents(tmp_path_factory) -> dict[str, dict[str, Path]]:
    """Each seed report written once per session as .docx and (when Chromium is there) .pdf."""
    out = tmp_path_factory.mktemp("seed_documents")
    documents = {}
    for path in SEED_FILES:
        lines = path.read_text(encoding="utf-8").splitlines()
        documents[path.name] = {"txt": path, "docx": write_docx(lines, out / f"{path.stem}.docx")}
        if CHROMIUM:
            documents[path.name]["pdf"] = write_pdf(lines, out / f"{path.stem}.pdf")
    return documents


def _without_file(records):
    return [{k: v for k, v in r.items() if k != "file"} for r in to_json(records)]


@pytest.mark.parametrize("name", [p.name for p in SEED_FILES])
@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_docx_and_pdf_give_identical_records(seed_documents, name, kind):
    if kind not in seed_documents[name]:
        pytest.skip("chromium is not installed")
    expected = _without_file(extract_file(seed_documents[name]["txt"]))
    assert expected
    assert _without_file(extract_file(seed_documents[name][kind])) == expected


@needs_seeds
def test_gbk_and_bom_text_read_like_utf8(tmp_path):
    text = (SEEDS / "000_64e20a389c8a6fc1.txt").read_text(encoding="utf-8")
    expected = _without_file(extract_file(SEEDS / "000_64e20a389c8a6fc1.txt"))
    for encoding in ("gb18030", "utf-8-sig", "utf-16"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.replace("\u2014", "-").encode(encoding))
        assert _without_file(extract_file(path)) == expected


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_scanned_pdf_is_refused_in_chinese(tmp_path):
    with pytest.raises(ReportUnreadable) as refused:
        extract_file(write_scanned_pdf(tmp_path / "扫描件.pdf"))
    assert SCANNED_PDF in str(refused.value) and "扫描件.pdf" in str(refused.value)


@pytest.mark.parametrize("name,content,message", [
    ("损坏.docx", b"PK\x03\x04 not really a zip", "损坏.docx"),
    ("损坏.pdf", b"%PDF-1.4 garbage", "不是有效的 PDF"),
    ("报告.doc", b"\xd0\xcf\x11\xe0", "另存为 .docx"),
    ("报告.xlsx", b"PK", "不支持的报告格式"),
])
def test_damaged_or_unknown_files_name_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReportUnreadable) as refused:
        extract_file(path)
    assert message in str(refused.value)


@pytest.fixture(scope="session")
def corpus_documents(tmp_path_factory):
    """Every generated corpus report as .docx, and four of them (with tables) as .pdf."""
    from extract_corpus import corpus

    out = tmp_path_factory.mktemp("corpus_documents")
    documents = []
    with_tables = 0
    for name, text, _ in corpus():
        lines = text.splitlines()
        entry = {"name": name, "text": text, "docx": write_docx(lines, out / f"{name}.docx")}
        if CHROMIUM and "\t" in text and with_tables < 4:
            entry["pdf"] = write_pdf(lines, out / f"{name}.pdf")
            with_tables += 1
        documents.append(entry)
    return documents


def test_corpus_reports_give_identical_records_in_every_format(corpus_documents):
    from perfdash.extract import extract_text

    compared = 0
    for entry in corpus_documents:
        expected = _without_file(extract_text(entry["text"], entry["name"]))
        for kind in ("docx", "pdf"):
            if kind in entry:
                assert _without_file(extract_file(entry[kind])) == expected, (entry["name"], kind)
                compared += 1
    assert compared >= 48


@pytest.mark.skipif(not CHROMIUM, reason="chromium is not installed")
def test_a_scanned_page_inside_a_text_pdf_is_noted(tmp_path):
    import pypdfium2 as pdfium

    text_pdf = write_pdf(["某市某局2022年度部门整体支出绩效自评报告", "2022年部门年初预算为100万元。"], tmp_path / "text.pdf")
    scan = write_scanned_pdf(tmp_path / "scan.pdf")
    merged = pdfium.PdfDocument(str(text_pdf))
    merged.import_pages(pdfium.PdfDocument(str(scan)))
    merged.save(str(tmp_path / "merged.pdf"))
    [record] = extract_file(tmp_path / "merged.pdf")
    assert record["figures"]["initial_budget"] == 100
    assert any("第 2 页只有图片" in n for n in record["notes"])


# Word keeps automatic numbering ("一、", "（一）", "1.") out of a paragraph's text.
_NUMBERING = re.compile(r"^\s*(#+\s*)?([一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d{1,2}[.、．](?=\D|20\d\d年)|[①-⑳])\s*")


def _values(records):
    return [(r["unit_name"], r["year"], r["figures"], [(s["dimension"], s["score"]) for s in r["scores"]],
             [(p["project_name"], p["budget"], p["actual_spend"]) for p in r["projects"]],
             [(s["metric"], s["value"]) for s in r["stated_rates"]]) for r in to_json(records)]


@pytest.mark.parametrize("name", [p.name for p in SEED_FILES])
def test_headings_numbered_by_word_give_the_same_figures(tmp_path, name):
    lines = (SEEDS / name).read_text(encoding="utf-8").splitlines()
    unnumbered = [_NUMBERING.sub("", l) if len(l.strip()) < 40 else l for l in lines]
    assert unnumbered != lines
    path = write_docx(unnumbered, tmp_path / f"{name}.docx")
    assert _values(extract_file(path)) == _values(extract_file(SEEDS / name))
