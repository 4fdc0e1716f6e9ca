"""Numeric targets (目标) and deadlines (时限) read out of a task's text, structured.

A target keeps its object, its number, its unit and its comparison::

    新增2个万吨级泊位           → object 万吨级泊位, value 2, unit 个, comparison >=  (新增 = at least)
    “一网通办”率达到95%以上     → object “一网通办”率, value 95, unit %, comparison >=
    共享率达100%                → comparison >=  (达 = reach)
    一网通办率≥95%              → comparison >=
    全年占比控制在13%以下        → comparison <=
    南湖区500万元、秀洲区300万元  → one target per district, each keeps its district as object

A duration (``6个月内审结``, ``30日内``) is a deadline relative to an event, never a count: it is
returned by :func:`durations` and no target is made of it. Values are exact decimal strings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from decimal import Decimal

VERBS = ("达到|达|超过|超|不低于|不少于|不超过|提升至|提高到|提高至|压减至|压缩至|控制在|巩固在|保持在|新增|新建|"
         "建成|培育|完成|实现|引进|扩大到|增加到|突破|确保|力争|累计培育、引进|累计培育|累计")
UNITS = r"%|‰|万?亿元|万元|元|万?(?:个|家|项|人|名|套|次|所|条|座|台|辆|户|件|千瓦|吨|平方米|公里|亩)"
_NUM = r"(\d+(?:\.\d+)?)"
_DURATION = re.compile(r"(\d+|[一二三四五六七八九十两]+)\s*(个月|个工作日|工作日|日|天|年)(?:内|以内)")
_VERB_TARGET = re.compile(rf"({VERBS})\s*([^，。；、（）\d]{{0,12}}?)\s*{_NUM}\s*({UNITS})(以上|以下|以内|及以上)?")
_SYMBOL_TARGET = re.compile(rf"(≥|≤|>=|<=|＞|＜|>|<)\s*{_NUM}\s*({UNITS})")
_DISTRICT = r"[\u4e00-\u9fff]{1,10}?(?:区|县|市)(?:〔[^〕]{1,12}〕|（[^）]{1,12}）)?"
_DISTRICT_AMOUNT = re.compile(
    rf"((?:{_DISTRICT})(?:、{_DISTRICT})*)\s*各?\s*(不少于|不低于|不超过|不高于|最高|最多)?\s*{_NUM}\s*(万?亿元|万元|元)"
)
_ANNOTATION = re.compile(r"〔[^〕]*〕|（[^）]*）")
_BREAK = "，。；：（）"
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_AT_MOST_VERBS = ("不超过", "压减至", "压缩至", "控制在")


@dataclass(frozen=True)
class Target:
    object: str  # what is counted: 万吨级泊位, “一网通办”率, 南湖区
    value: str  # exact decimal string
    unit: str  # % 个 亿元 …
    comparison: str  # >= | <= | > | < | =
    text: str  # the phrase it was read from

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @property
    def number(self) -> Decimal:
        return Decimal(self.value)


def _zh_int(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if s.startswith("十"):
        return 10 + _ZH_DIGITS[s[1]]
    if "十" in s:
        a, _, b = s.partition("十")
        return _ZH_DIGITS[a] * 10 + (_ZH_DIGITS[b] if b else 0)
    return _ZH_DIGITS.get(s, 0)


def durations(text: str) -> list[dict[str, str | None]]:
    """``6个月内审结`` → ``{"text": "6个月内审结", "date": None, "duration": "P6M"}`` (ISO 8601)."""
    out: list[dict[str, str | None]] = []
    for m in _DURATION.finditer(text):
        n = _zh_int(m.group(1))
        unit = m.group(2)
        iso = {"个月": f"P{n}M", "年": f"P{n}Y"}.get(unit, f"P{n}D")
        if "工作日" in unit:
            iso = f"P{n}D(working)"
        end = m.end()
        tail = re.match(r"(?:审结|办结|完成|办理|整改|答复|到位)?", text[end:]).group(0)
        item = {"text": (m.group(0) + tail).strip(), "date": None, "duration": iso}
        if item not in out:
            out.append(item)
    return out


def _duration_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _DURATION.finditer(text)]


def _subject_before(text: str, pos: int, limit: int = 20) -> str:
    start = pos
    while start > 0 and pos - start < limit and text[start - 1] not in _BREAK + "、":
        start -= 1
    subject = text[start:pos].strip()
    # drop leading time phrases and verbs of the subject
    subject = re.sub(r"^(?:到|至|在)?\d{4}年(?:底|年底|末)?(?:前)?", "", subject)
    subject = re.sub(r"^(?:实现|推动|确保|力争|其中)", "", subject)
    return subject.strip()


def _comparison(verb: str, suffix: str | None) -> str:
    if suffix in ("以下", "以内") or verb in _AT_MOST_VERBS:
        return "<="
    if verb in ("超过", "超"):
        return ">" if not suffix else ">="
    return ">="


def _object_after_count(text: str, end: int) -> str:
    """The noun right after a count: 新增2个|万吨级泊位 → 万吨级泊位."""
    m = re.match(r"[^，。；、（）\d和及与]{1,14}", text[end:])
    return m.group(0).strip() if m else ""


def parse_targets(text: str) -> list[Target]:
    out: list[Target] = []
    spans = _duration_spans(text)

    def add(t: Target) -> None:
        if t not in out:
            out.append(t)

    taken: list[tuple[int, int]] = []
    for m in _DISTRICT_AMOUNT.finditer(text):
        # a list of districts with amounts: every district keeps its amount
        if m.start() > 0 and text[m.start() - 1] not in "（，；：。、":
            continue
        verb = m.group(2) or ""
        comparison = ">=" if verb in ("不少于", "不低于") else "<=" if verb else "="
        for name in m.group(1).split("、"):
            add(Target(_ANNOTATION.sub("", name), m.group(3), m.group(4), comparison, m.group(0)))
        taken.append(m.span())
    for m in _VERB_TARGET.finditer(text):
        num_start = m.start(3)
        if any(a <= num_start < b for a, b in spans + taken):
            continue
        verb, between, value, unit, suffix = m.group(1), m.group(2).strip(), m.group(3), m.group(4), m.group(5)
        if unit in ("%", "‰"):
            obj = between or _subject_before(text, m.start())
        elif between:
            obj = between
        else:
            obj = _object_after_count(text, m.end()) or _subject_before(text, m.start())
        phrase_start, phrase_end = m.start(), m.end()
        after = "" if unit in ("%", "‰") or between else _object_after_count(text, m.end())
        phrase_end += len(after)
        if not between and not after:
            phrase_start -= len(_subject_before(text, m.start()))
        add(Target(obj, value, unit, _comparison(verb, suffix), text[max(0, phrase_start):phrase_end].strip()))
    for m in _SYMBOL_TARGET.finditer(text):
        sym = {"≥": ">=", "≤": "<=", "＞": ">", "＜": "<"}.get(m.group(1), m.group(1))
        obj = _subject_before(text, m.start())
        add(Target(obj, m.group(2), m.group(3), sym, (obj + text[m.start():m.end()]).strip()))
    return out


def meets(target: Target, actual: Decimal) -> bool:
    """Whether an actual value meets a target, exactly."""
    v = target.number
    return {">=": actual >= v, "<=": actual <= v, ">": actual > v, "<": actual < v, "=": actual == v}[target.comparison]
