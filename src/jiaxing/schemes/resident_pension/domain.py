"""Pure pieces of the resident pension: clauses, months, parameters, errors, the proposal's rounding.

A month is an integer index ``year * 12 + month - 1`` in storage (so runs compare integers) and
``YYYY-MM`` at the edges.
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import ROUND_CEILING, Decimal
from pathlib import Path

from gazette.errors import GazetteError, InvalidInput
from gazette.rules.parameters import load_parameter_file

DOC = "嘉人社〔2022〕60号"
#: The date 60号 was signed (its closing date line): the 320-yuan standard of 二 became known then,
#: eight months after it took effect — the reason for the back-dated top-up.
SIGNED_60 = dt.date(2022, 9, 6)
BOOK = "resident_pension"
PARAMS_FILE = Path(__file__).resolve().parents[2] / "policies" / "resident_pension" / "parameters.yaml"
FIRST_MONTH = 2021 * 12  # 2021-01: the first month this gazette's standards cover (D13)
LAST_MONTH = 2040 * 12 + 11  # the standard schedule is expanded through 2040-12
ROUND_UNIT_FEN = 10_00  # a proposed standard is rounded UP to whole 10 yuan (docs/resident_pension.md)
# the largest monthly standard an officer may enter or a proposal may reach: far above any real standard,
# and it keeps compounded proposals (up to +100% a year, to 2100) inside the database's 64-bit integers
MAX_STANDARD_FEN = 100_000_00

# Contribution tiers (yuan per year). Only 5,000 is set by the gazette (三, from 2022-09-01, via the
# rules' parameters.yaml); the others come from provincial rules outside the gazette: operator data,
# DEMO values here, labelled demo wherever they are shown.
DEMO_TIERS_FEN = (100_00, 300_00, 500_00, 800_00, 1000_00, 1500_00, 2000_00, 3000_00)
BANKS = {"ABC": "农业银行", "ICBC": "工商银行", "CCB": "建设银行", "BOC": "中国银行", "JXRCB": "嘉兴农商银行"}


def clause(path: str) -> str:
    return f"{DOC}#{path}"


def cited(path: str, **details) -> dict:
    """An error's details naming the clause of the 办法 that refused the request."""
    return {"clause": clause(path), **details}


def month_index(value: str | dt.date) -> int:
    if isinstance(value, dt.date):
        return value.year * 12 + value.month - 1
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def month_label(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def month_start(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


@functools.cache
def params() -> dict:
    return load_parameter_file(PARAMS_FILE, "resident_pension")


def param(pid: str, on: dt.date):
    """The parameter's value on ``on``, or None before it exists."""
    try:
        return params()[f"resident_pension.{pid}"].at(on)[0]
    except GazetteError:  # parameter_undefined: not yet in force on that day
        return None


def basic_pension_history() -> list[tuple[dt.date, int]]:
    """The basic pension of 二 as dated fen values (290 before 2022-01, 320 from 2022-01)."""
    return [(start, int(v)) for start, v in params()["resident_pension.basic_pension"].history if v is not None]


def gazette_tier_fen(on: dt.date) -> int | None:
    v = param("contribution.tier", on)
    return None if v is None else int(v)


def gazette_subsidy_fen(on: dt.date) -> int:
    v = param("contribution.subsidy", on)
    return 0 if v is None else int(v)


def tiers_fen(on: dt.date) -> list[int]:
    extra = gazette_tier_fen(on)
    return sorted(set(DEMO_TIERS_FEN) | ({extra} if extra else set()))


def propose(previous_fen: int, growth_ppm: int) -> int:
    """一: the standard grows by last year's growth of rural per-capita disposable income. The product
    is rounded UP to whole 10 yuan — the reading that reproduces the gazette's own 2022 figure:
    290 × 1.095 = 317.55 → 320 (二)."""
    raw = Decimal(previous_fen) * (Decimal(1_000_000 + growth_ppm) / Decimal(1_000_000))
    proposed = int((raw / ROUND_UNIT_FEN).to_integral_value(rounding=ROUND_CEILING)) * ROUND_UNIT_FEN
    if proposed > MAX_STANDARD_FEN:
        cap = MAX_STANDARD_FEN // 100
        raise InvalidInput(f"测算结果 {proposed // 100} 元超过每月 {cap} 元的上限，请核对增长比例",
                           f"the proposed standard {proposed // 100} yuan is above the {cap} yuan a month limit: "
                           "check the growth", field="growth", code="amount_out_of_range")
    return proposed


def growth_ppm(text: str, field: str = "growth") -> int:
    """A growth rate written ``9.5%``, ``9.5`` (percent) or ``0.095`` → parts per million."""
    from decimal import InvalidOperation

    s = str(text).strip()
    pct = s.endswith("%")
    s = s.rstrip("%").strip()
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise InvalidInput("增长比例格式错误，如 9.5%", "growth must look like 9.5%", field=field,
                           code="invalid_growth") from None
    if not d.is_finite():
        raise InvalidInput("增长比例格式错误，如 9.5%", "growth must look like 9.5%", field=field, code="invalid_growth")
    if pct or abs(d) >= 1:
        d = d / 100
    ppm = d * 1_000_000
    if ppm != ppm.to_integral_value() or not -500_000 <= ppm <= 1_000_000:
        raise InvalidInput("增长比例应在 -50% 至 100% 之间，最多四位小数", "growth must be within -50%..100%, 4 decimals",
                           field=field, code="invalid_growth")
    return int(ppm)
