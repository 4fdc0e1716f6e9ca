"""Chinese numerals and the clause markers of official documents (一、 （一） 1. （1） 第X章 第X条)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇一二两三四五六七八九十百千"


def cn_to_int(s: str) -> int | None:
    """一 → 1, 十一 → 11, 二十六 → 26, 一百零三 → 103; None when not a Chinese numeral."""
    if not s or any(ch not in _DIGITS and ch not in _UNITS for ch in s):
        return None
    total, current = 0, 0
    for ch in s:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        else:
            unit = _UNITS[ch]
            total += (current or 1) * unit
            current = 0
    return total + current


def int_to_cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    return str(n)


# Rank: a smaller rank is higher in the hierarchy.
@dataclass(frozen=True)
class Marker:
    kind: str  # chapter | article | l1 | l2 | l3 | l4
    rank: int
    label: str  # the path segment: 第一章, 第十三条, 一, （一）, 1, （1）
    number: int
    rest: str  # the text after the marker


_PATTERNS = [
    ("chapter", 0, re.compile(rf"^第([{CN_NUM}]+)章\s*(.*)$")),
    ("article", 1, re.compile(rf"^第([{CN_NUM}]+)条\s*(.*)$")),
    ("l1", 2, re.compile(rf"^([{CN_NUM}]+)[、，]\s*(.*)$")),
    ("l2", 3, re.compile(rf"^（([{CN_NUM}]+)）\s*(.*)$")),
    ("l3", 4, re.compile(r"^(\d{1,2})(?:[.．、](?!\d)|\s+(?=[\u4e00-\u9fff]))\s*(.*)$")),
    ("l4", 5, re.compile(r"^（(\d{1,2})）\s*(.*)$")),
]


def parse_marker(text: str) -> Marker | None:
    for kind, rank, pattern in _PATTERNS:
        m = pattern.match(text)
        if not m:
            continue
        raw, rest = m.group(1), m.group(2)
        if kind in ("l3", "l4"):
            number = int(raw)
        else:
            number = cn_to_int(raw)
            if number is None or number == 0:
                continue
        if kind == "l1" and text[len(raw)] == "，":
            continue  # 一，… is running text, not a heading
        if kind == "chapter":
            label = f"第{raw}章"
        elif kind == "article":
            label = f"第{raw}条"
        elif kind == "l1":
            label = raw
        elif kind == "l2":
            label = f"（{raw}）"
        elif kind == "l3":
            label = str(number)
        else:
            label = f"（{number}）"
        return Marker(kind, rank, label, number, rest)
    return None
