"""Dates as printed: Arabic (``2023年1月5日``) or Chinese numerals (``二〇二三年一月五日``,
``二○一○年六月三十日``, ``二0一九年``) — with the 〇/○/零/0 variants seen in scans and portal pages.

One pattern with three groups (year, month, day) and one converter, used by the signing-date
line and by the validity readings, so both understand both forms.
"""

from __future__ import annotations

import datetime as dt
import re

_ZERO = "〇○零OＯ0"
_DIGITS = {**{z: 0 for z in _ZERO}, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
YEAR = rf"(\d{{4}}|[{_ZERO}一二三四五六七八九]{{4}})"
MONTH = r"(\d{1,2}|十[一二]?|[一二三四五六七八九])"
DAY = r"(\d{1,2}|三十一?|[二]?十[一二三四五六七八九]?|[一二三四五六七八九])"
DATE = rf"{YEAR}\s*年\s*{MONTH}\s*月\s*{DAY}\s*日"
DATE_RE = re.compile(DATE)


def to_int(s: str) -> int | None:
    """``2023`` / ``二〇二三`` (digit by digit) / ``三十一`` (tens) → int."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if len(s) == 4 and all(ch in _DIGITS or ch.isdigit() for ch in s):  # a year: digit by digit
        return int("".join(str(_DIGITS[ch]) if ch in _DIGITS else ch for ch in s))
    if "十" in s:
        tens, _, units = s.partition("十")
        return (_DIGITS.get(tens, 0) if tens else 1) * 10 + (_DIGITS.get(units, 0) if units else 0)
    return _DIGITS.get(s) if len(s) == 1 else None


def make_date(y: str | int | None, m: str | int | None, d: str | int | None) -> dt.date | None:
    """A date from printed parts, or None when a part is missing or the date does not exist."""
    parts = [p if isinstance(p, int) or p is None else to_int(p) for p in (y, m, d)]
    if any(p is None for p in parts):
        return None
    try:
        return dt.date(*parts)  # type: ignore[arg-type]
    except ValueError:
        return None
