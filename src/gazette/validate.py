"""One validator per kind of value, shared by the CLI, the API, the pages and the schemes.

Each takes what a person typed (or a client sent), canonicalises it and returns the canonical
form, or raises :class:`~gazette.errors.InvalidInput` naming the field. Store only what these
return, so that a unique constraint sees one spelling per value.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal, InvalidOperation

from gazette.errors import InvalidInput

# --------------------------------------------------------------------------- 居民身份证号码

#: Weights and check characters of GB 11643-1999 (ISO 7064 MOD 11-2).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _fold(value: object) -> str:
    """Full-width → half-width (NFKC), surrounding white space removed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def id_check_digit(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def person_id(value: object, field: str = "person_id") -> str:
    """A resident identity number (居民身份证号码, 18 characters) in canonical form.

    Accepts full-width digits, surrounding spaces and a lower-case ``x``; checks the length, the
    date of birth and the check digit.
    """
    if value is None or isinstance(value, bool) or not isinstance(value, str | int):
        raise _bad_id(value, field, "请填写 18 位居民身份证号码", "an 18-character resident ID number is required")
    text = _fold(value).upper()
    if len(text) != 18 or not text[:17].isascii() or not text[:17].isdigit() or text[17] not in "0123456789X":
        raise _bad_id(value, field, "身份证号码应为 18 位：17 位数字加 1 位数字或 X",
                      "an ID number is 18 characters: 17 digits and a digit or X")
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise _bad_id(value, field, "身份证号码中的出生日期不存在", "the date of birth in the ID number does not exist") from None
    if born.year < 1900 or born > dt.date.today():
        raise _bad_id(value, field, "身份证号码中的出生日期不合理", "the date of birth in the ID number is out of range")
    if id_check_digit(text[:17]) != text[17]:
        raise _bad_id(value, field, "身份证号码校验位不正确，请核对", "the ID number's check digit is wrong: please check it")
    return text


def birth_date(canonical_person_id: str) -> dt.date:
    """The date of birth written in a canonical ID number."""
    s = canonical_person_id
    return dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))


def sex(canonical_person_id: str) -> str:
    """``"male"`` or ``"female"`` from the 17th character (odd = male)."""
    return "male" if int(canonical_person_id[16]) % 2 else "female"


def _bad_id(value: object, field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(zh, en, field=field, code="invalid_person_id")


# --------------------------------------------------------------------------- 统一社会信用代码

_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31]


def enterprise_id(value: object, field: str = "enterprise_id") -> str:
    """A unified social credit code (统一社会信用代码, GB 32100-2015, 18 characters) in canonical form."""
    if not isinstance(value, str):
        raise InvalidInput("请填写 18 位统一社会信用代码", "an 18-character unified social credit code is required",
                           field=field, code="invalid_enterprise_id")
    text = _fold(value).upper()
    if len(text) != 18 or any(c not in _USCC_CHARS for c in text):
        raise InvalidInput("统一社会信用代码应为 18 位数字或大写字母（不含 I、O、Z、S、V）",
                           "a credit code is 18 digits or capital letters (no I, O, Z, S, V)",
                           field=field, code="invalid_enterprise_id")
    if uscc_check_char(text[:17]) != text[17]:
        raise InvalidInput("统一社会信用代码校验位不正确，请核对", "the credit code's check character is wrong",
                           field=field, code="invalid_enterprise_id")
    return text


# --------------------------------------------------------------------------- money and numbers

#: The largest amount of money accepted at an edge: 10^15 fen (10 万亿 yuan), as the ledger's bound.
MAX_YUAN = Decimal(10**13)
_MAX_TEXT = 40  # characters of a decimal string: more is never a real amount


def yuan(value: object, field: str = "amount", *, minimum: Decimal | int = 0,
         maximum: Decimal | int = MAX_YUAN, allow_zero: bool = True) -> int:
    """An amount of yuan as a person writes it (``"250000"``, ``"1,234.50"``, ``１２３``) → integer fen.

    Refuses floats (use strings), more than two decimals, exponents, NaN/infinity, values outside
    ``[minimum, maximum]`` yuan, and strings too long to be an amount.
    """
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        raise _bad_money(value, field, "请以数字字符串填写金额（元）", "give the amount in yuan as a decimal string")
    text = _fold(value).replace(",", "").replace("，", "")
    if not text or len(text) > _MAX_TEXT or any(c in text for c in "eEnN_ ") or text.endswith("."):
        raise _bad_money(value, field, "金额格式不正确", "the amount is not a decimal number of yuan")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _bad_money(value, field, "金额格式不正确", "the amount is not a decimal number of yuan") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise _bad_money(value, field, "金额最多保留两位小数", "an amount has at most two decimals")
    if amount < Decimal(minimum) or amount > Decimal(maximum) or (not allow_zero and amount == 0):
        low = "0" if allow_zero and Decimal(minimum) == 0 else f"{minimum}"
        raise InvalidInput(f"金额应在 {low} 至 {maximum} 元之间", f"the amount must be between {low} and {maximum} yuan",
                           field=field, code="amount_out_of_range")
    return int(amount * 100)


def _bad_money(value: object, field: str, zh: str, en: str) -> InvalidInput:
    return InvalidInput(zh, en, field=field, code="invalid_amount")


def integer(value: object, field: str, *, minimum: int, maximum: int) -> int:
    """A whole number within ``[minimum, maximum]``; ``"12"`` is accepted, ``"1.0"``, ``True`` and 2**70 are not."""
    if isinstance(value, bool) or isinstance(value, float) or value is None:
        raise InvalidInput("应为整数", "must be a whole number", field=field, code="invalid_integer")
    if isinstance(value, str):
        text = _fold(value)
        if not text or len(text) > 20 or not (text.isdigit() or (text[0] == "-" and text[1:].isdigit())):
            raise InvalidInput("应为整数", "must be a whole number", field=field, code="invalid_integer")
        value = int(text)
    if not isinstance(value, int):
        raise InvalidInput("应为整数", "must be a whole number", field=field, code="invalid_integer")
    if not minimum <= value <= maximum:
        raise InvalidInput(f"应在 {minimum} 至 {maximum} 之间", f"must be between {minimum} and {maximum}",
                           field=field, code="out_of_range")
    return value


# --------------------------------------------------------------------------- dates

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def date(value: object, field: str = "date", *, earliest: dt.date = EARLIEST, latest: dt.date = LATEST) -> dt.date:
    """An ISO date (``YYYY-MM-DD``, full-width digits accepted) within ``[earliest, latest]``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        text = _fold(value) if isinstance(value, str) else ""
        try:
            value = dt.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            value = None
        if value is None:
            raise InvalidInput("日期格式应为 YYYY-MM-DD", "a date is written YYYY-MM-DD", field=field, code="invalid_date")
    if not earliest <= value <= latest:
        raise InvalidInput(f"日期应在 {earliest} 至 {latest} 之间", f"the date must be between {earliest} and {latest}",
                           field=field, code="date_out_of_range")
    return value


def month(value: object, field: str = "month") -> str:
    """A calendar month ``YYYY-MM`` (canonical form), 1900-01 to 2100-12."""
    text = _fold(value) if isinstance(value, str) else ""
    if len(text) != 7 or text[4] != "-" or not (text[:4].isdigit() and text[5:].isdigit()) or not 1 <= int(text[5:]) <= 12:
        raise InvalidInput("月份格式应为 YYYY-MM", "a month is written YYYY-MM", field=field, code="invalid_month")
    date(f"{text}-01", field)
    return text


# --------------------------------------------------------------------------- numbers of the rules engine

#: The documented range of every number a situation may hold (docs/security.md): a magnitude of at
#: most 10^15 after scaling (10 万亿 yuan in fen, or 10^15 of a count) — far inside int64, so that
#: sums and products of a few such values in the engine cannot overflow its Int64 columns.
MAX_SCALED = 10**15
MAX_NUMBER_TEXT = 40  # characters of a number written as text


def decimal_number(value: object, field: str, *, maximum: Decimal | int = MAX_SCALED) -> Decimal:
    """A finite number with ``|x| ≤ maximum``, as an exact Decimal.

    Accepts an int, a finite float (via its shortest repr), a Decimal, or a decimal string of at most
    40 characters (full-width digits and thousands separators folded); refuses booleans, exponents
    in text (``"1e400"``), NaN/infinity and anything out of range — before any arithmetic can overflow.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidInput("应为数字", "must be a number", field=field)
    if isinstance(value, int):
        if abs(value) > maximum:  # checked before any Decimal arithmetic: 2**70 is refused as it is
            raise _out_of_range(field, maximum)
        d = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or abs(value) > maximum:
            raise _out_of_range(field, maximum)
        d = Decimal(repr(value))
    elif isinstance(value, Decimal):
        d = value
    elif isinstance(value, str):
        text = _fold(value).replace(",", "").replace("，", "")
        if (not text or len(text) > MAX_NUMBER_TEXT or any(c in text for c in "eEnN_ ")
                or text.endswith(".") or text.startswith(".")):
            raise InvalidInput("数字格式不正确", f"not a plain decimal number: {value[:50]!r}", field=field)
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise InvalidInput("数字格式不正确", f"not a number: {value[:50]!r}", field=field) from None
    else:
        raise InvalidInput("应为数字", "must be a number", field=field)
    if not d.is_finite() or d.adjusted() > 18 or abs(d) > maximum:
        raise _out_of_range(field, maximum)
    return d


def scaled_number(value: object, field: str, *, scale: int, maximum: int = MAX_SCALED) -> int:
    """``value × 10**scale`` as an exact int within ``[-maximum, maximum]`` (the input as
    :func:`decimal_number` takes it); more decimal places than ``scale`` is refused, not rounded."""
    d = decimal_number(value, field, maximum=Decimal(maximum).scaleb(-scale))
    scaled = d.scaleb(scale)
    if scaled != scaled.to_integral_value():
        raise InvalidInput(f"小数位数过多（最多 {scale} 位）", f"too many decimal places (at most {scale})",
                           field=field)
    return int(scaled)


def _out_of_range(field: str, maximum: Decimal | int) -> InvalidInput:
    bound = Decimal(maximum).normalize()
    return InvalidInput(f"数值超出允许范围（绝对值不超过 {bound:f}）", f"the number is out of range (|x| ≤ {bound:f})",
                        field=field, code="out_of_range")


def whole_number(value: object, field: str, *, maximum: int = MAX_SCALED) -> int:
    """An integer as JSON or text (``12``, ``"12"``); ``1.0``, ``"1.0"``, ``True`` and 2**70 are refused."""
    if isinstance(value, float) or (isinstance(value, str) and "." in value):
        raise InvalidInput("应为整数", f"expected a whole number, got {str(value)[:50]!r}", field=field)
    return scaled_number(value, field, scale=0, maximum=maximum)


def text(value: object, field: str, *, max_length: int, min_length: int = 1) -> str:
    """A line of text: surrounding space removed, no control characters, ``min_length``–``max_length`` long."""
    if not isinstance(value, str):
        raise InvalidInput("应为文本", "must be text", field=field, code="invalid_text")
    out = value.strip()
    if not min_length <= len(out) <= max_length or any(unicodedata.category(c) == "Cc" for c in out):
        raise InvalidInput(f"应为 {min_length}–{max_length} 个字符且不含控制字符",
                           f"must be {min_length}–{max_length} characters without control characters",
                           field=field, code="invalid_text")
    return out


# --------------------------------------------------------------------------- synthetic ids (demo data, tests)


def example_person_id(n: int, *, region: str = "330402", born: str = "19900101") -> str:
    """A valid (check-digit-correct) but made-up ID number: ``region`` + ``born`` + a sequence.

    ``n`` runs over 0–999,999: the sequence is ``n % 1000`` and every thousand moves the birth date
    one day on, so distinct ``n`` give distinct ids. For demo data and tests only.
    """
    day = dt.date(int(born[:4]), int(born[4:6]), int(born[6:8])) + dt.timedelta(days=n // 1000)
    first17 = f"{region}{day:%Y%m%d}{n % 1000:03d}"
    return first17 + id_check_digit(first17)


def example_enterprise_id(n: int, *, prefix: str = "91330400") -> str:
    """A valid but made-up unified social credit code ``prefix`` + a 9-digit sequence + check char."""
    first17 = f"{prefix}{n:09d}"[:17]
    return first17 + uscc_check_char(first17)
