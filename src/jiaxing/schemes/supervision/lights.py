"""Quarterly lights, start rates and the 红旗 / 蜗牛 rankings of 嘉政办发〔2022〕9号#三.（二）（三）.

Completion rate (投资完成率) of a project in construction at the end of quarter q: the investment
reported for January–end of q divided by the plan for that time, the annual plan × q/4 (reading:
“每季对标投资计划” — the plan is met in time order, 按时序推进; docs/supervision.md). Exact
fractions throughout; the thresholds come from parameters.yaml:

* rate < 70% → red; 70% (inclusive) ≤ rate < 90% → yellow; ≥ 90% → green (no light).

Start rate (开工率) of quarter q: among the new projects (新建项目) of the provincial “4+1” and the
city “551” plans, the share started by the end of q; targets 30% (Q1), 80% (Q2), 100% (Q3 on).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from gazette.errors import InvalidInput
from jiaxing.schemes.supervision import params

LIGHTS = {"red": "红灯 Red", "yellow": "黄灯 Yellow", "green": "绿（未亮灯） Green", "none": "不参与亮灯 Not lit"}
START_RATE_LEVELS = ("provincial", "city")  # 省“4+1”、市“551”


@dataclass(frozen=True)
class Quarter:
    year: int
    q: int

    @property
    def end(self) -> dt.date:
        m = self.q * 3
        return (dt.date(self.year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))

    @property
    def last_month(self) -> str:
        return f"{self.year:04d}-{self.q * 3:02d}"

    def __str__(self) -> str:
        return f"{self.year}Q{self.q}"


def quarter(value: object, field: str = "quarter") -> Quarter:
    m = re.fullmatch(r"\s*(\d{4})\s*[-_ ]?\s*[Qq]([1-4])\s*", str(value or ""))
    if not m or not 2000 <= int(m.group(1)) <= 2100:
        raise InvalidInput(f"季度格式应为 2022Q2：{value}", f"a quarter is written 2022Q2: {value}", field=field,
                           code="invalid_quarter")
    return Quarter(int(m.group(1)), int(m.group(2)))


def completion_rate(cumulative_wan: int, annual_plan_wan: int, q: int) -> Fraction | None:
    if annual_plan_wan <= 0:
        return None
    return Fraction(cumulative_wan * 4, annual_plan_wan * q)


def light_of(rate: Fraction | None, on: dt.date) -> str:
    if rate is None:
        return "none"
    red = Fraction(params.value("lights.red_below", on))
    yellow = Fraction(params.value("lights.yellow_below", on))
    if rate < red:
        return "red"
    if rate < yellow:
        return "yellow"
    return "green"


def percent(rate: Fraction | None) -> str | None:
    """A rate as a percentage with two decimals, 四舍五入 (display only)."""
    if rate is None:
        return None
    d = Decimal(rate.numerator) * 100 / Decimal(rate.denominator)
    return str(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def start_target(qr: Quarter) -> Fraction:
    key = {1: "start_rate.q1", 2: "start_rate.q2"}.get(qr.q, "start_rate.q3")
    return Fraction(params.value(key, qr.end))


def start_rate(projects: Iterable[dict], qr: Quarter) -> dict:
    """``projects``: dicts with level, is_new, started_on (date or None)."""
    pool = [p for p in projects if p["is_new"] and p["level"] in START_RATE_LEVELS]
    started = sum(1 for p in pool if p["started_on"] is not None and p["started_on"] <= qr.end)
    rate = Fraction(started, len(pool)) if pool else None
    target = start_target(qr)
    return {"quarter": str(qr), "new_projects": len(pool), "started": started, "rate": percent(rate),
            "target": percent(target), "met": rate is not None and rate >= target,
            "clause": params.reference("start_rate.q1")}


def rankings(rows: list[dict], n: int = 10) -> dict[str, list[dict]]:
    """红旗: the green projects with the highest rates; 蜗牛: the red ones with the lowest (ties by id)."""
    green = sorted((r for r in rows if r["light"] == "green"), key=lambda r: (-r["_rate"], r["id"]))
    red = sorted((r for r in rows if r["light"] == "red"), key=lambda r: (r["_rate"], r["id"]))
    strip = lambda rs: [{k: v for k, v in r.items() if not k.startswith("_")} for r in rs[:n]]  # noqa: E731
    return {"red_flag": strip(green), "snail": strip(red)}
