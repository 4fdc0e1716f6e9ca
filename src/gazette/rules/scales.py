"""Scales evaluated as openfisca-core evaluates them — exactly.

openfisca-core builds a tax scale per date from the brackets that have both a threshold and a value
on that date, adding the values of brackets with the same threshold (``add_bracket``), and computes
in binary floating point. Here the same definitions are computed with exact rationals
(:class:`fractions.Fraction`; the loaded values are ints and Decimals, never floats):

* ``single_amount`` — the amount of the highest bracket whose threshold ≤ base; 0 below every
  threshold (``numpy.digitize(..., right=False)``). This is the step scale of the Jiaxing pack.
* ``marginal_amount`` — the sum of the amounts of the brackets whose threshold < base.
* ``marginal_rate`` — Σ rateₖ × max(min(base, thresholdₖ₊₁) − thresholdₖ, 0), the last bracket open.
* ``linear_average_rate`` — base × the average rate interpolated linearly between the thresholds
  around the base; as in openfisca-core, 0 outside [first threshold, last threshold) (a single
  bracket: base × its rate).

Units: the base is in the scale's ``threshold_unit`` as held in memory (integer minor units — fen —
for money). An amount scale returns the amount as held (fen for ``currency-CNY``), exactly. A rate
scale returns a value in the threshold unit: with ``exact=True`` the exact :class:`Fraction`;
otherwise, for a money threshold unit, an integer number of minor units rounded once, at the end,
四舍五入 (ROUND_HALF_UP: half a fen goes away from zero), and for any other unit a Decimal (exact
when it terminates, else 28 significant digits).
"""

from __future__ import annotations

import bisect
import datetime as dt
from decimal import Decimal, localcontext
from fractions import Fraction
from typing import Any

from gazette.errors import Misconfigured
from gazette.rules.parameters import Scale, minor_digits

Number = int | Decimal | Fraction


def brackets_at(scale: Scale, on: dt.date) -> tuple[list[Any], list[Any]]:
    """(thresholds, values) on ``on``, ascending, same thresholds merged by adding their values
    (openfisca-core's ``add_bracket``). Raises ParameterUndefined when no bracket is defined."""
    rows, _ = scale.rows_at(on)
    thresholds: list[Any] = []
    values: list[Any] = []
    for t, v in rows:
        if thresholds and thresholds[-1] == t:
            values[-1] = values[-1] + v
        else:
            thresholds.append(t)
            values.append(v)
    return thresholds, values


def single_amount(thresholds: list, amounts: list, base: Number) -> Any:
    i = bisect.bisect_right(thresholds, base)
    return amounts[i - 1] if i else 0


def marginal_amount(thresholds: list, amounts: list, base: Number) -> Any:
    return sum((a for t, a in zip(thresholds, amounts, strict=True) if base > t), 0)


def marginal_rate(thresholds: list, rates: list, base: Number) -> Fraction:
    b = Fraction(base)
    total = Fraction(0)
    for k, (t, r) in enumerate(zip(thresholds, rates, strict=True)):
        upper = Fraction(thresholds[k + 1]) if k + 1 < len(thresholds) else None
        top = b if upper is None else min(b, upper)
        seg = top - Fraction(t)
        if seg > 0:
            total += Fraction(r) * seg
    return total


def linear_average_rate(thresholds: list, rates: list, base: Number) -> Fraction:
    b = Fraction(base)
    if len(rates) == 1:
        return b * Fraction(rates[0])
    for k in range(len(thresholds) - 1):
        lo, hi = Fraction(thresholds[k]), Fraction(thresholds[k + 1])
        if lo <= b < hi:
            r0, r1 = Fraction(rates[k]), Fraction(rates[k + 1])
            return b * (r0 + (b - lo) * (r1 - r0) / (hi - lo))
    return Fraction(0)


_EVAL = {"single_amount": single_amount, "marginal_amount": marginal_amount, "marginal_rate": marginal_rate,
         "linear_average_rate": linear_average_rate}


def round_half_up(x: Fraction) -> int:
    """四舍五入 to an integer: half goes away from zero (Decimal's ROUND_HALF_UP)."""
    n = (abs(x.numerator) * 2 + x.denominator) // (2 * x.denominator)
    return -n if x < 0 else n


def to_decimal(x: Fraction) -> Decimal:
    """Exact when the fraction terminates in base 10, else 28 significant digits."""
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:
        with localcontext() as ctx:
            ctx.prec = 200
            return (Decimal(x.numerator) / Decimal(x.denominator)).normalize()
    return Decimal(x.numerator) / Decimal(x.denominator)


def calc(scale: Scale, on: dt.date, base: Number, *, exact: bool = False) -> Any:
    """The scale on ``on`` applied to ``base`` (in the threshold unit as held: fen for CNY)."""
    if isinstance(base, float):
        raise Misconfigured("阶梯计算的基数须为精确数值", "a scale base must be exact (int or Decimal)", code="float_base")
    thresholds, values = brackets_at(scale, on)
    kind = scale.scale_type
    out = _EVAL[kind](thresholds, values, base)
    if kind in ("single_amount", "marginal_amount") or exact:
        return out
    if minor_digits(scale.threshold_unit) is not None:
        return round_half_up(out)
    return to_decimal(out)


def bases_around(thresholds: list, step: int = 1) -> list[int | Decimal]:
    """A grid of bases: 0, every threshold and one ``step`` (a fen for money) either side of it."""
    grid = {0}
    for t in thresholds:
        grid |= {t - step, t, t + step}
    return sorted(grid)
