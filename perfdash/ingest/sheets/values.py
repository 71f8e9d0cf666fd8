"""Cell values as people type them → exact numbers, or a refusal saying what would be accepted.

Every reader returns a value or raises ValueRefused with one Chinese sentence; nothing is
guessed. Amounts are Decimals (no float rounding between the cell and the stored 万元).

Rules (the ones a reviewer will ask about):
- Text numbers: NFKC first (full-width digits, commas, ￥, parentheses → half-width), spaces
  dropped, ¥/￥ dropped, commas accepted only as thousands separators in groups of three
  ("12,580.40"); "12,58" or "12580,40" (a decimal comma) is refused as ambiguous.
- Accounting negatives "(1,234.00)" and minus signs (-, －, −) are negative numbers; whether a
  negative is allowed is the validator's business (结转结余 may be negative).
- Scientific notation written as text ("1.23457E+11", what Excel puts in a CSV for a long
  number) is refused: the digits it dropped cannot be recovered.
- A unit inside the cell ("12,580.40万元", "125,804元", "1.2亿元") is the cell's own statement.
  Where it agrees with the column's unit the number is read as is. Where it differs, the cell
  is converted by its own unit only when the column's unit was not stated anywhere (the
  万元 default): the cell is then the only statement. When the column's unit was stated (in the
  header or a 单位 line) and the cell says otherwise, two statements contradict each other and
  the cell is refused naming both.
- Years: 2023, "2023", "2023.0", "2023年", "2023年度", "2023 年", "二〇二三年", "二零二三年度"; nothing else
  (no two-digit years, no dates: a date cell in a year column is refused).
- Rates (stated-rate columns): "87.56%" → 0.8756; a number cell Excel formats as a percentage
  holds the fraction already; a plain number is read as percent points only when the header
  says % ("执行率（%）"); a plain number with no % anywhere is refused (0.5 could be 0.5 % or
  50 %).
- Chinese numerals are accepted for years only (一千二百 as an amount is refused: 大写 amounts
  are for cheques, and a typo in one cannot be seen).
- ="001234" and '001234 (how exporters protect leading zeros in a CSV) are the text inside.
- An Excel error (#DIV/0!) or a formula without a result is refused, never read as empty; a
  percentage-formatted cell in an amount column is refused.
- Codes: text kept as written (leading zeros); a number cell as its digits, noted; "101001.0"
  (a code a program exported as a float) refused: "101001" and "101001.0" would be two units.
- Missing: "", "-", "--", "—", "——", "–", "/", "无" (after NFKC, so "－" too).
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from perfdash.ingest.columns import MISSING_TOKENS

#: amount units → factor to 万元
UNIT_FACTORS: dict[str, Decimal] = {
    "元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "万": Decimal(1),
    "亿元": Decimal(10000),
}
CANONICAL_UNIT = {"万": "万元"}


class ValueRefused(ValueError):
    """A cell that cannot be read as the column needs; str() is the Chinese reason."""


class Percent(float):
    """A number cell the workbook formats as a percentage: 0.8756 shown as 87.56%."""


class Uncalculated(str):
    """A formula cell the workbook holds no result for (written by a program, never opened in Excel)."""


class CellError(str):
    """An Excel error result (#DIV/0!, #REF!, #N/A …)."""


class Padded(str):
    """A number cell the workbook formats with leading zeros (格式 000000): its shown text."""


_MINUS = str.maketrans({"−": "-", "—": "-", "–": "-"})
_GROUPED = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")
_FAST = re.compile(r"-?\d+(\.\d+)?")
_PLAIN = re.compile(r"^\d+(\.\d+)?$|^\.\d+$")
_SCIENTIFIC = re.compile(r"^[-+]?\d+(\.\d+)?[eE][-+]?\d+$")
_UNIT_SUFFIX = re.compile(r"^(.*?)(亿元|万元|千元|元|万)$")
_CN_DIGITS = str.maketrans("〇零○一二三四五六七八九", "00012345678" + "9")
_YEAR_TEXT = re.compile(r"^(\d{4})(?:\.0+)?(年度|年)?$")
_FLOAT_CODE = re.compile(r"^(\d+)\.0+$")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def is_missing(value) -> bool:
    if isinstance(value, Uncalculated):
        raise ValueRefused(f"公式「{value}」没有计算结果（文件可能由程序生成、未在 Excel 中保存过），"
                           "请用 Excel 打开并保存后再上传")
    if isinstance(value, CellError):
        raise ValueRefused(f"单元格是 Excel 错误值「{value}」，请修正公式后再上传")
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        if len(stripped) > 4 or stripped[:1].isdigit():   # every mark is at most two characters, plus inner spaces ("— —")
            return False
        return _squeeze(stripped) in MISSING_TOKENS
    return False


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


def _squeeze(text: str) -> str:
    return re.sub(r"\s+", "", nfkc(text).translate(_INVISIBLE))


def number_text(value: Decimal) -> str:
    """A Decimal as plain text without exponent or trailing zeros ("12.5804", "-3", "0")."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _float_decimal(value: float) -> Decimal:
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueRefused("不是有效数字")
    return Decimal(repr(float(value)))


def parse_number(value) -> tuple[Decimal, str | None]:
    """A cell → (number, unit written in the cell or None). Raises ValueRefused."""
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise ValueRefused(f"应为数字，而不是「{value}」")
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, float):
        return _float_decimal(value), None
    raw = str(value)
    if _FAST.fullmatch(raw):   # what most cells are: plain ASCII digits
        return Decimal(raw), None
    text = _unquote(_squeeze(raw)).translate(_MINUS).replace("¥", "").replace("人民币", "")
    unit = None
    found = _UNIT_SUFFIX.match(text)
    if found and found.group(1):
        text, unit = found.group(1), CANONICAL_UNIT.get(found.group(2), found.group(2))
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.startswith("+"):
        text = text[1:]
    text = text.replace("¥", "")
    if _SCIENTIFIC.match(text):
        raise ValueRefused(f"「{raw.strip()}」是科学计数法，可能已丢失末尾数字，请在 Excel 中将该列设为数值或文本后重新导出")
    if "%" in text:
        raise ValueRefused(f"「{raw.strip()}」是百分数，这一列应为金额")
    if "," in text:
        if not _GROUPED.match(text):
            raise ValueRefused(f"「{raw.strip()}」中的逗号无法确定是千位分隔符还是小数点，请写成 12580.40 或 12,580.40")
        text = text.replace(",", "")
    if not _PLAIN.match(text):
        if re.search(r"[一二三四五六七八九十百千万亿壹贰叁肆伍陆柒捌玖拾佰仟]", text):
            raise ValueRefused(f"「{raw.strip()}」是中文大写或汉字数字，请改写为阿拉伯数字")
        raise ValueRefused(f"不是有效数字：「{raw.strip()}」")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueRefused(f"不是有效数字：「{raw.strip()}」") from None
    return (-number if negative else number), unit


def read_amount(value, column_unit: str, unit_stated: bool, unit_where: str = "") -> Decimal | None:
    """An amount cell → 万元 (None when missing).

    column_unit: the unit the column's amounts are in (元 / 千元 / 万元 / 亿元);
    unit_stated: whether the file says so (header or 单位 line) rather than the 万元 default;
    unit_where: where it says so, for the refusal.
    """
    if is_missing(value):
        return None
    if isinstance(value, Percent):
        raise ValueRefused(f"单元格设为百分比格式（显示为 {float(value):.2%}），这一列应为金额")
    number, cell_unit = parse_number(value)
    unit = column_unit
    if cell_unit is not None and cell_unit != column_unit:
        if unit_stated:
            raise ValueRefused(f"单元格写明「{cell_unit}」，而本列单位是{column_unit}（{unit_where}），"
                               "两处单位矛盾，请统一后再导入")
        unit = cell_unit
    return number if unit == "万元" else number * UNIT_FACTORS[unit]


def read_rate(value, header_percent: bool) -> Decimal | None:
    """A stated-rate cell → fraction (87.56 % → 0.8756)."""
    if is_missing(value):
        return None
    if isinstance(value, Percent):
        return _float_decimal(value)
    if isinstance(value, str):
        text = _squeeze(value)
        if text.endswith("%"):
            number, unit = parse_number(text[:-1])
            if unit is None:
                return number / 100
            raise ValueRefused(f"不是有效的比率：「{value.strip()}」")
    number, unit = parse_number(value)
    if unit is not None:
        raise ValueRefused(f"比率列中出现金额「{str(value).strip()}」")
    if header_percent:
        return number / 100
    raise ValueRefused(f"「{str(value).strip()}」没有注明 %，无法确定是百分数还是小数："
                       "请写成 87.56% ，或在列名中注明（%）")


def read_year(value) -> int | None:
    if is_missing(value):
        return None
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime, dt.time)):
        raise ValueRefused(f"年度应为 2023、2023年 或 2023年度 这样的年份，而不是日期「{value}」")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueRefused(f"年度应为整数，而不是「{value}」")
    text = _squeeze(str(value)).translate(_CN_DIGITS)
    found = _YEAR_TEXT.match(text)
    if not found:
        raise ValueRefused(f"年度应为 2023、2023年、2023年度 或 二〇二三年 这样的年份，而不是「{str(value).strip()}」")
    return int(found.group(1))


def read_code(value) -> tuple[str | None, bool]:
    """A 单位编码 cell → (its text, whether Excel stored it as a number).

    Text is kept as written (NFKC, spaces removed): leading zeros stay. A number cell is read
    as its digits ("1234", never "1234.0"); with a zero-padded format (000000) as shown.
    """
    if is_missing(value):
        return None, False
    if isinstance(value, Padded):
        return str(value), False
    if isinstance(value, bool):
        raise ValueRefused(f"单位编码不能是「{value}」")
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value)), True
        raise ValueRefused(f"单位编码「{value}」不是整数，Excel 可能把它当作数字改写了，请将该列设为文本")
    text = _unquote(_squeeze(str(value)))
    if found := _FLOAT_CODE.match(text):
        raise ValueRefused(f"单位编码「{str(value).strip()}」像是被当作数字导出的（应为 {found.group(1)}？），"
                           "请将编码列设为文本后重新导出")
    if _SCIENTIFIC.match(text):
        raise ValueRefused(f"单位编码「{str(value).strip()}」是科学计数法，末尾数字已丢失，请将该列设为文本后重新导出")
    return text, False


_EXCEL_TEXT = re.compile(r'^="(.*)"$')


def _unquote(text: str) -> str:
    """="001234" (how exporters keep leading zeros in a CSV) and '001234 → 001234."""
    if found := _EXCEL_TEXT.match(text):
        return found.group(1)
    return text[1:] if text.startswith("'") else text


def read_text(value) -> str | None:
    """A text cell, stripped; line breaks inside a cell (Alt+Enter) removed."""
    if is_missing(value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    text = str(value)
    if text.startswith(("=\"", "'")):
        text = _unquote(text.strip())
    if "\n" in text or "\r" in text:
        text = re.sub(r"[\r\n]+\s*", "", text)
    return text.strip() or None
