"""The policy finder's flow through its questions (``finder_questions``): which steps apply, the
answers in the query string, short links, validation.

Every answer travels in the query string (GET forms), so each page of the flow is a shareable URL and
the browser's back / forward work. A step is shown when its ``when`` holds for the answers so far;
its fields are validated when a later step (or the result) is asked for — the first invalid step is
shown again with bilingual messages.
"""

from __future__ import annotations

import base64
import datetime as dt
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode

from jiaxing.web.finder_questions import KNOWN, MULTI, STEPS, Answers, Field, Step

MAX_YUAN = Decimal("100000000000")  # 1,000 亿元: a bound far above any real figure, far below int64 fen overflow
MIN_DATE, MAX_DATE = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


# ---------------------------------------------------------------- answers in the query string


ALIASES = {"nev_district": "district", "app_district": "district"}  # links made before one district question


def answers_from(items: list[tuple[str, str]]) -> Answers:
    """Query items → answers (known keys only; multi fields as lists; blanks dropped)."""
    out: Answers = {}
    for k, v in items:
        if k in ALIASES and not any(x == ALIASES[k] for x, _ in items):
            k = ALIASES[k]
        if k not in KNOWN:
            continue
        v = "".join(ch for ch in v if ch >= " ").strip()[:100]  # no control characters
        if k in MULTI:
            lst = out.setdefault(k, [])
            if v and v not in lst and isinstance(lst, list):
                lst.append(v)
        elif v:
            out[k] = v
    return {k: v for k, v in out.items() if v}


def flow(a: Answers) -> list[Step]:
    """The steps that apply to these answers, in order (it grows as answers arrive)."""
    return [s for s in STEPS if s.when(a)]


def flow_known(a: Answers) -> bool:
    """Whether the answers so far fix the whole flow (so "第 2 步，共 4 步" can be said)."""
    who = a.get("who")
    return who == "worker" or (who == "citizen" and bool(a.get("buy"))) or (who == "enterprise" and bool(a.get("kinds")))


def in_flow(a: Answers) -> Answers:
    """Only the answers the flow asks for (a permalink drops what another persona's steps left behind)."""
    names = {f.name for s in flow(a) for f in s.fields}
    return {k: v for k, v in a.items() if k in names}


def query(a: Answers, **extra: str) -> str:
    """The canonical query string of the answers (flow order), for links and permalinks."""
    items: list[tuple[str, str]] = []
    seen = set()
    for s in STEPS:
        for f in s.fields:
            if f.name in seen or f.name not in a:
                continue
            seen.add(f.name)
            v = a[f.name]
            items += [(f.name, x) for x in v] if isinstance(v, list) else [(f.name, v)]
    items += [(k, v) for k, v in extra.items() if v]
    return urlencode(items)


def hidden_items(a: Answers, exclude: set[str]) -> list[tuple[str, str]]:
    """Answers that the current form does not ask, as hidden inputs (so nothing is lost)."""
    return [(k, v) for k, v in parse_qsl(query({k: v for k, v in a.items() if k not in exclude}))]


# A short link: each answer as <field code><US><value> joined by <RS> (field codes are base-36 positions in
# the flow, values raw UTF-8), deflated when that is shorter, then base64url. Nothing is stored.
_CODES = {name: i for i, name in enumerate(dict.fromkeys(f.name for s in STEPS for f in s.fields))}
_NAMES = {i: name for name, i in _CODES.items()}
_US, _RS = "\x1f", "\x1e"


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    return digits[n] if n < 36 else digits[n // 36] + digits[n % 36]


def encode_slug(a: Answers) -> str:
    parts = []
    for name, value in parse_qsl(query(in_flow(a))):
        parts.append(f"{_b36(_CODES[name])}{_US}{value}")
    raw = _RS.join(parts).encode()
    packed = zlib.compress(raw, 9)
    data = b"z" + packed if len(packed) < len(raw) else b"r" + raw
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def decode_slug(slug: str) -> Answers | None:
    """A short link back to its answers; None when it is not one of ours (no exception reaches a page)."""
    if len(slug) > 2000:
        return None
    try:
        data = base64.urlsafe_b64decode(slug + "=" * (-len(slug) % 4))
        if data[:1] == b"z":
            d = zlib.decompressobj()
            raw = d.decompress(data[1:], 8192)
            if d.unconsumed_tail:
                return None
        elif data[:1] == b"r":
            raw = data[1:]
        else:
            return None
        items = []
        for part in raw.decode().split(_RS):
            code, sep, value = part.partition(_US)
            if not sep or int(code, 36) not in _NAMES:
                return None
            items.append((_NAMES[int(code, 36)], value))
        return answers_from(items) or None
    except (ValueError, zlib.error, UnicodeDecodeError):
        return None


# ---------------------------------------------------------------- validation


@dataclass
class Problem:
    field: str
    zh: str
    en: str


def _money(v: str, f: Field) -> tuple[Decimal | None, Problem | None]:
    text = v.replace(",", "").replace("，", "").replace("元", "").strip()
    try:
        d = Decimal(text)
    except InvalidOperation:
        return None, Problem(f.name, f"{f.zh}：请输入金额（元），如 250000", f"{f.en}: enter an amount in yuan, e.g. 250000")
    if not d.is_finite():
        return None, Problem(f.name, f"{f.zh}：请输入金额（元）", f"{f.en}: enter an amount in yuan")
    if d < 0:
        return None, Problem(f.name, f"{f.zh}：金额不能为负数", f"{f.en}: the amount cannot be negative")
    if d > MAX_YUAN:
        return None, Problem(f.name, f"{f.zh}：金额过大", f"{f.en}: the amount is too large")
    if f.positive and d == 0:
        return None, Problem(f.name, f"{f.zh}：价格为 0，请重新填写实际支付的价格",
                             f"{f.en}: a price of 0 — please enter the price you paid")
    if d != d.quantize(Decimal("0.01")):
        return None, Problem(f.name, f"{f.zh}：最多两位小数（分）", f"{f.en}: at most two decimal places (fen)")
    return d.quantize(Decimal("0.01")), None


def _decimal(v: str, f: Field) -> tuple[Decimal | None, Problem | None]:
    try:
        d = Decimal(v.replace(",", ""))
    except InvalidOperation:
        return None, Problem(f.name, f"{f.zh}：请输入数字", f"{f.en}: enter a number")
    if not d.is_finite() or d < 0 or d > 10**9:
        return None, Problem(f.name, f"{f.zh}：请输入 0 至 1,000,000,000 之间的数字", f"{f.en}: enter a number from 0 to 10^9")
    if d != d.quantize(Decimal("0.001")):
        return None, Problem(f.name, f"{f.zh}：最多三位小数", f"{f.en}: at most three decimal places")
    return d, None


def _rate(v: str, f: Field) -> tuple[int | None, Problem | None]:
    """A rate → basis points: "12", "12%" and "0.12" are all 12% (a number above 1 is a percentage)."""
    raw = v.strip().replace("％", "%")
    pct = raw.endswith("%")
    try:
        d = Decimal(raw.rstrip("%").strip())
    except InvalidOperation:
        return None, Problem(f.name, f"{f.zh}：请输入比例，如 12 或 12%", f"{f.en}: enter a rate, e.g. 12 or 12%")
    if not d.is_finite() or d <= 0:
        return None, Problem(f.name, f"{f.zh}：比例应大于 0", f"{f.en}: the rate must be above 0")
    if not pct and d <= 1:
        d *= 100
    bp = d * 100
    if bp != bp.to_integral_value():
        return None, Problem(f.name, f"{f.zh}：最多保留两位小数（百分数）", f"{f.en}: at most two decimals of a percent")
    if bp > 10000:
        return None, Problem(f.name, f"{f.zh}：比例不能超过 100%", f"{f.en}: the rate cannot exceed 100%")
    return int(bp), None


def check_field(f: Field, v: str | list[str] | None) -> tuple[object, Problem | None]:
    """(clean value, problem). A blank optional field is (None, None)."""
    if v is None or v == "" or v == []:
        if f.required:
            return None, Problem(f.name, f"请填写：{f.zh}", f"required: {f.en}")
        return None, None
    if f.kind == "multi":
        allowed = {c[0] for c in f.choices}
        vals = v if isinstance(v, list) else [v]
        bad = [x for x in vals if x not in allowed]
        if bad:
            return None, Problem(f.name, f"{f.zh}：无效选项 {bad[0]}", f"{f.en}: invalid choice {bad[0]}")
        return vals, None
    assert isinstance(v, str)
    if f.kind in ("choice", "bool"):
        if v not in {c[0] for c in f.choices}:
            return None, Problem(f.name, f"{f.zh}：请从列表中选择", f"{f.en}: choose one of the options")
        return (v == "1") if f.kind == "bool" else v, None
    if f.kind == "money":
        return _money(v, f)
    if f.kind == "decimal":
        return _decimal(v, f)
    if f.kind == "date":
        try:
            d = dt.date.fromisoformat(v)
        except ValueError:
            return None, Problem(f.name, f"{f.zh}：日期格式应为 YYYY-MM-DD，如 2022-10-08",
                                 f"{f.en}: expected a date YYYY-MM-DD, e.g. 2022-10-08")
        if not MIN_DATE <= d <= MAX_DATE:
            return None, Problem(f.name, f"{f.zh}：日期应在 1900-01-01 至 2100-12-31 之间",
                                 f"{f.en}: the date must be between 1900-01-01 and 2100-12-31")
        return d, None
    if f.kind == "int":
        try:
            n = int(v)
        except ValueError:
            return None, Problem(f.name, f"{f.zh}：请输入整数", f"{f.en}: enter a whole number")
        if (f.lo is not None and n < f.lo) or (f.hi is not None and n > f.hi):
            return None, Problem(f.name, f"{f.zh}：应在 {f.lo} 至 {f.hi} 之间", f"{f.en}: must be from {f.lo} to {f.hi}")
        return n, None
    if f.kind == "rate":
        return _rate(v, f)
    raise AssertionError(f.kind)


def check_step(step: Step, a: Answers) -> tuple[dict[str, object], list[Problem]]:
    clean: dict[str, object] = {}
    problems: list[Problem] = []
    for f in step.fields:
        if f.required_if is not None and f.required_if(a) and not a.get(f.name):
            problems.append(Problem(f.name, f"请填写：{f.zh}", f"required: {f.en}"))
            continue
        value, p = check_field(f, a.get(f.name))
        if p:
            problems.append(p)
        elif value is not None:
            clean[f.name] = value
    return clean, problems


def check_all(a: Answers) -> tuple[dict[str, object], Step | None, list[Problem]]:
    """Validate every step of the flow: (clean values, first invalid step, its problems)."""
    clean: dict[str, object] = {}
    for step in flow(a):
        values, problems = check_step(step, a)
        if problems:
            return clean, step, problems
        clean.update(values)
    return clean, None, []


def step_of(name: str | None, a: Answers) -> str | None:
    """The step (in this flow) that asks the question ``name``."""
    for s in flow(a):
        if any(f.name == name for f in s.fields):
            return s.id
    return None

