"""What a file really is, from its bytes (the extension is what someone typed).

zip → xlsx / xlsm / xlsb / ods (or a Word/PowerPoint file, refused); OLE2 → an encrypted
workbook (refused: opening password), an old .xls (read), or another Office file (refused);
text → CSV/TSV (read, with a note when it was named .xlsx); HTML or Excel-2003 XML saved
as .xls by report systems (refused: save as .xlsx); anything else refused. Every refusal is
one Chinese sentence naming the file.
"""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from perfdash.ingest.readers import decode_text

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"
DAMAGED = "文件已损坏或不完整，请重新下载或另存为 .xlsx"


class FileRefused(ValueError):
    """The file as a whole cannot be read; str() is the Chinese reason (file named)."""


@dataclass(frozen=True)
class Sniffed:
    format: str              # xlsx | xls | xlsb | ods | text
    note: str | None = None  # said to the user when the content is not what the name says


def _refuse(name: str, reason: str) -> FileRefused:
    return FileRefused(f"{name}：{reason}")


def _zip_format(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if archive.testzip() is not None:
                raise _refuse(name, DAMAGED)
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace")
                if "spreadsheet" in mimetype:
                    return "ods"
                raise _refuse(name, "这是 OpenDocument 文档而不是表格，请上传 .xlsx 或 CSV")
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, KeyError) as exc:
        if isinstance(exc, FileRefused):
            raise
        raise _refuse(name, DAMAGED) from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "word/document.xml" in names:
        raise _refuse(name, "这是 Word 文档，不是 Excel 工作簿；报告请在“报告提取”中上传，表格请另存为 .xlsx")
    if "ppt/presentation.xml" in names:
        raise _refuse(name, "这是 PowerPoint 演示文稿，不是 Excel 工作簿")
    raise _refuse(name, "这是一个压缩包，不是 Excel 工作簿；请解压后上传其中的 .xlsx 或 CSV 文件")


def _ole2_format(data: bytes, name: str) -> str:
    import msoffcrypto
    import olefile

    try:
        if msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted():
            raise _refuse(name, "工作簿设有打开密码，请取消密码后再上传")
    except FileRefused:
        raise
    except Exception:   # not a format msoffcrypto knows: look at the streams ourselves
        pass
    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir()}
    except Exception:
        raise _refuse(name, DAMAGED) from None
    if "EncryptedPackage" in streams:
        raise _refuse(name, "工作簿设有打开密码，请取消密码后再上传")
    if {"Workbook", "Book"} & streams:
        return "xls"
    if "WordDocument" in streams:
        raise _refuse(name, "这是 Word 文档（.doc），不是 Excel 工作簿")
    raise _refuse(name, "无法识别的 Office 文件，请在 Excel 中另存为 .xlsx 后上传")


def sniff(data: bytes, file_name: str) -> Sniffed:
    name = Path(file_name).name
    suffix = Path(name).suffix.lower()
    if not data or not data.strip():
        raise _refuse(name, "文件为空")
    if data.startswith(ZIP) or data.startswith(b"PK\x05\x06"):
        fmt = _zip_format(data, name)
        note = None
        if suffix in (".csv", ".txt", ".tsv"):
            note = f"{name} 的内容是 Excel 工作簿（扩展名为 {suffix}），已按工作簿读取"
        return Sniffed(fmt, note)
    if data.startswith(OLE2):
        return Sniffed(_ole2_format(data, name))
    if data.startswith(b"%PDF"):
        raise _refuse(name, "这是 PDF 文件，不是表格；报告请在“报告提取”中上传")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        if suffix in (".xlsx", ".xlsm", ".xls"):
            raise _refuse(name, DAMAGED)
        raise _refuse(name, "无法识别的文件格式，请上传 .xlsx、.xls 或 CSV 文件")
    try:
        text = decode_text(data[:65536] if len(data) > 65536 else data)
    except UnicodeDecodeError:
        try:   # the cut may fall inside a character
            text = decode_text(data)
        except UnicodeDecodeError:
            if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
                raise _refuse(name, DAMAGED) from None
            raise _refuse(name, "无法识别文件编码（支持 UTF-8、带 BOM 的 UTF-8、GBK/GB18030）") from None
    head = text.lstrip("\ufeff \t\r\n")[:512].lower()
    if head.startswith(("<html", "<!doctype html", "<table", "<meta")) or "<html" in head[:200]:
        raise _refuse(name, "文件内容是网页（HTML）表格，不是真正的 Excel 工作簿（常见于业务系统导出的 .xls）："
                            "请用 Excel 打开后“另存为”.xlsx 再上传")
    if head.startswith("<?xml") and "spreadsheet" in text[:4096].lower():
        raise _refuse(name, "文件是 Excel 2003 XML 表格，请用 Excel 打开后“另存为”.xlsx 再上传")
    note = None
    if suffix in (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"):
        if any(ord(ch) < 32 and ch not in "\t\r\n\f" for ch in text[:4096]):
            raise _refuse(name, DAMAGED)   # binary bytes, neither a workbook nor text
        note = f"{name} 的扩展名是 {suffix}，但内容是文本（CSV），已按 CSV 读取"
    return Sniffed("text", note)
