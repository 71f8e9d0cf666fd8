"""The file uploader in Chinese and true to our limits.

Streamlit's own dropzone says "Upload", "Drag and drop files here" and "40MB per file • CSV, …"
(its browser-side cap, which we set above ours so that an oversize file gets our Chinese
message). The stylesheet hides that hint, relabels the button, and the caption below states our
cap and the formats we read. The stylesheet is a fixed string: no user data goes into it.
"""
from __future__ import annotations

import streamlit as st

# What the importer reads (perfdash.ingest.parse → sheets): the extensions the browser offers.
UPLOAD_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "ods"]
FORMATS_SHOWN = "CSV、TSV、TXT（逗号/制表符/分号分隔，UTF-8 或 GBK）、XLSX、XLSM、XLS、ODS"

STYLESHEET = """<style>
[data-testid="stFileUploaderDropzoneInstructions"] { display: none !important; }
[data-testid="stFileUploaderDropzone"] button { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button * { display: none !important; }
[data-testid="stFileUploaderDropzone"] button::after { content: "选择文件"; font-size: 0.9rem; }
[data-testid="stFileUploaderDropzone"]::after {
  content: "或把文件拖放到这里"; font-size: 0.9rem; opacity: 0.6; margin-left: 0.75rem; }
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]):not(:has(button)) { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] > div:not([data-testid]):not(:has(button)) *::after {
  content: "松开鼠标即可添加文件"; font-size: 0.9rem; }
</style>"""


def file_uploader(max_mb: float, max_rows: int, key: str):
    """Several files; the browser's cap above ours (max_upload_size), our cap stated in words."""
    st.html(STYLESHEET)
    files = st.file_uploader(
        "选择一个或多个文件", type=UPLOAD_TYPES, accept_multiple_files=True, key=key,
        max_upload_size=max(int(max_mb * 2), int(max_mb) + 1))
    st.caption(f"单个文件不超过 {max_mb:g} MB、{max_rows:,} 行。支持 {FORMATS_SHOWN}；"
               "一个工作簿的每张工作表（如每年一张）都会读取。")
    return files
