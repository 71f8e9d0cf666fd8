"""Reports per second for .docx and .pdf (a printed measure, not a timed test).

`python -m perfdash.extract.bench [REPORT.txt ...]` writes each report once as .docx
(python-docx) and as a text PDF (headless Chromium, if installed), then extracts every file
`--rounds` times. With no reports given it uses the four published ones in ../shared/seeds/.
`measure()` returns the numbers so perfdash/bench.py can include them later.
"""
from __future__ import annotations

import argparse
import html
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from perfdash.config import PROJECT_ROOT
from perfdash.extract import extract_file

DEFAULT_REPORTS = PROJECT_ROOT.parent / "shared" / "seeds"


def _docx(lines: list[str], path: Path) -> Path:
    import docx

    document = docx.Document()
    for line in lines:
        cells = [c.strip() for c in line.split("\t")]
        if len([c for c in cells if c]) >= 2:
            table = document.add_table(rows=1, cols=len(cells))
            for j, cell in enumerate(cells):
                table.cell(0, j).text = cell
        elif line.strip():
            document.add_paragraph(line.strip())
    document.save(str(path))
    return path


def _pdf(lines: list[str], path: Path, chromium: str) -> Path:
    body = "".join(f"<p>{html.escape(l.strip())}</p>" for l in lines if l.strip())
    source = path.with_suffix(".html")
    source.write_text(f'<html><head><meta charset="utf-8"></head><body style="font-family:Noto Sans CJK SC">'
                      f"{body}</body></html>", encoding="utf-8")
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--print-to-pdf={path}", str(source)], check=True, capture_output=True, timeout=120)
    return path


def measure(reports: list[Path], rounds: int = 5) -> dict[str, float]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        files: dict[str, list[Path]] = {"txt": list(reports), "docx": [], "pdf": []}
        for report in reports:
            lines = Path(report).read_text(encoding="utf-8").splitlines()
            files["docx"].append(_docx(lines, Path(tmp) / f"{Path(report).stem}.docx"))
            if chromium:
                files["pdf"].append(_pdf(lines, Path(tmp) / f"{Path(report).stem}.pdf", chromium))
        for kind, paths in files.items():
            if not paths:
                continue
            start = time.perf_counter()
            for _ in range(rounds):
                for path in paths:
                    extract_file(path)
            results[kind] = rounds * len(paths) / (time.perf_counter() - start)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m perfdash.extract.bench", description="报告提取速度")
    parser.add_argument("reports", nargs="*", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    reports = args.reports or sorted(DEFAULT_REPORTS.glob("*.txt"))
    reports = [r for r in reports if r.name != "README.md"]
    if not reports:
        print("没有可测的报告（给出 .txt 报告文件）")
        return 1
    for kind, rate in measure(reports, args.rounds).items():
        print(f"{kind}: {rate:.1f} 份/秒（{len(reports)} 份报告 × {args.rounds} 轮）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
