"""Condition, note and detail text with its numbers taken from the parameters in force.

A rule writes ``zh="固定资产投资额 {new_company.investment_threshold}以上"``; when the rule is compiled
for a date (and its what-if overrides) each ``{…}`` is replaced by the value the rule reads, formatted
by the parameter's unit — so an override explains itself with the new number, never the old one.

Placeholders:

* ``{policy.path}`` or ``{path}`` (relative to the rule's policy) — a parameter's value;
* ``{path[0].threshold}`` / ``{path[0].amount}`` — one bracket of a scale;
* ``{name}`` — a value the rule passes in ``values=`` (a year it computed, a list of names);
* ``{…:number}`` — the bare number, without its unit word (``年满 {min_age:number} 周岁``);
* ``{…:until}`` — a datetime that ends a period: midnight is written as 24时 of the day before.

Units: ``currency-CNY`` (held in fen) → ``500万元`` / ``5,000,000 yuan`` (``metadata.per`` adds
``/千瓦时`` / ``/kWh``); ``/1`` rates → ``15%``; counts in a known unit → ``1000辆`` / ``1,000 vehicles``;
``datetime`` → ``2022年9月10日0时`` / ``2022-09-10 00:00``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

MONEY = "currency-CNY"
RATE = "/1"

#: Placeholder grammar: a name (a parameter id or a passed value), an optional bracket, an optional format.
PLACEHOLDER = re.compile(r"\{(?P<name>[A-Za-z_][\w.]*?)(?:\[(?P<index>\d+)\]\.(?P<part>threshold|amount))?"
                         r"(?::(?P<spec>number|until))?\}")

#: unit → (Chinese measure word, English singular, English plural)
COUNT_WORDS: dict[str, tuple[str, str, str]] = {
    "vehicle": ("辆", "vehicle", "vehicles"),
    "year": ("年", "year", "years"),
    "month": ("个月", "month", "months"),
    "day": ("天", "day", "days"),
    "brand": ("个", "brand", "brands"),
    "category": ("种", "category", "categories"),
    "project": ("个", "project", "projects"),
    "rank": ("位", "place", "places"),
    "m": ("米", "m", "m"),
}
PER_WORDS = {"kWh": ("千瓦时", "kWh"), "kW": ("千瓦", "kW")}


def _plain(number: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 5000000, 0.25, 9.5."""
    text = format(number.normalize(), "f")
    return text


def _grouped(number: Decimal) -> str:
    """A decimal with thousands separators: 5,000,000; 0.25."""
    return format(number.normalize(), ",f")


def money_zh(fen: int) -> str:
    """Yuan as the gazette writes them: 500万元, 5亿元, 1.5万元, 2000元, 0.25元."""
    yuan = Decimal(fen) / 100
    if yuan >= 10**8 and yuan % 10**6 == 0:
        return f"{_plain(yuan / 10**8)}亿元"
    if yuan >= 10**4 and yuan % 100 == 0:
        return f"{_plain(yuan / 10**4)}万元"
    return f"{_plain(yuan)}元"


def money_en(fen: int) -> str:
    return f"{_grouped(Decimal(fen) / 100)} yuan"


def percent(rate: Any) -> str:
    return f"{_plain(Decimal(rate) * 100)}%"


def _datetime(value: Any, until: bool) -> tuple[str, str]:
    moment = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    if until and moment.time() == dt.time(0):  # "X日24时" is the end of day X (docs/decisions.md)
        day = moment.date() - dt.timedelta(days=1)
        return f"{day.year}年{day.month}月{day.day}日24时", f"{day.isoformat()} 24:00"
    hour_zh = "零时" if moment.time() == dt.time(0) else f"{moment.hour}时{moment.minute:02d}分"
    return (f"{moment.year}年{moment.month}月{moment.day}日{hour_zh}",
            f"{moment.date().isoformat()} {moment.hour:02d}:{moment.minute:02d}")


def format_value(value: Any, unit: str | None, spec: str | None = None,
                 per: str | None = None) -> tuple[str, str]:
    """(Chinese, English) wording of a parameter value held in memory in ``unit``."""
    if isinstance(value, (list, tuple)):
        pairs = [format_value(v, unit, spec, per) for v in value]
        return "、".join(p[0] for p in pairs), ", ".join(p[1] for p in pairs)
    if unit == "datetime":
        return _datetime(value, spec == "until")
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        return str(value), str(value)
    number = Decimal(value)
    if unit == RATE:
        return (_plain(number), _plain(number)) if spec == "number" else (percent(value), percent(value))
    if unit == MONEY:
        if spec == "number":
            return _plain(number / 100), _grouped(number / 100)
        zh, en = money_zh(int(value)), money_en(int(value))
        if per in PER_WORDS:
            zh, en = f"{zh}/{PER_WORDS[per][0]}", f"{en}/{PER_WORDS[per][1]}"
        return zh, en
    if unit == "grade" and spec != "number":
        return f"{_plain(number)}级", f"grade {_plain(number)}"
    if spec == "number" or unit not in COUNT_WORDS:
        return _plain(number), _grouped(number)
    word_zh, one_en, many_en = COUNT_WORDS[unit]
    return f"{_plain(number)}{word_zh}", f"{_grouped(number)} {one_en if number == 1 else many_en}"


def placeholders(template: str) -> list[re.Match]:
    return list(PLACEHOLDER.finditer(template))


def fill(template: str, lang: str, resolve: Callable[[re.Match], tuple[str, str]]) -> str:
    """``template`` with each placeholder replaced by the ``lang`` ("zh" / "en") half of ``resolve(match)``."""
    index = 0 if lang == "zh" else 1
    return PLACEHOLDER.sub(lambda m: resolve(m)[index], template)
