"""Money and exact decimals: integer fen inside, yuan decimal strings at the edges.

Every amount the engine computes is an integer number of fen (分, 1/100 yuan). Values arrive as
yuan (numbers or decimal strings) and are converted exactly with :class:`decimal.Decimal`; a value
that is not a whole number of fen is rejected rather than silently rounded. Rounding inside a rule
is always explicit 四舍五入 (ROUND_HALF_UP) at a documented unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import polars as pl

from gazette.errors import InvalidInput
from gazette.ledger import money as ledger_money


def to_decimal(value, field: str | None = None) -> Decimal:
    """An exact Decimal from an int, a decimal string, a Decimal or a float (via its shortest repr)."""
    if isinstance(value, bool):
        raise InvalidInput("数值格式不正确", f"expected a number, got a boolean: {value!r}", field=field)
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, float):
        d = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise InvalidInput("数值格式不正确", f"not a number: {value!r}", field=field) from None
    else:
        raise InvalidInput("数值格式不正确", f"not a number: {value!r}", field=field)
    if not d.is_finite():
        raise InvalidInput("数值格式不正确", f"not a finite number: {value!r}", field=field)
    return d


def scaled_int(value, scale: int, field: str | None = None) -> int:
    """``value × 10**scale`` as an exact int; more decimal places than ``scale`` is an error."""
    d = to_decimal(value, field) * (Decimal(10) ** scale)
    if d != d.to_integral_value():
        raise InvalidInput(
            f"小数位数过多（最多 {scale} 位）",
            f"too many decimal places (at most {scale}): {value!r}",
            field=field,
        )
    return int(d)


def yuan_to_fen(value, field: str | None = None) -> int:
    """Yuan (number or decimal string) → integer fen, exactly."""
    return scaled_int(value, 2, field)


def fen_to_yuan(fen: int | None) -> str | None:
    """Integer fen → yuan decimal string with two places ("6000.00")."""
    return None if fen is None else ledger_money.fen_to_yuan(fen)


def fmt_yuan(fen: int) -> str:
    """Human formatting for explanations: 19,500,000 or 19,999,999.50."""
    sign = "-" if fen < 0 else ""
    q, r = divmod(abs(int(fen)), 100)
    return f"{sign}{q:,}" if r == 0 else f"{sign}{q:,}.{r:02d}"


def round_half_up(d: Decimal, exp: Decimal = Decimal(1)) -> Decimal:
    return d.quantize(exp, rounding=ROUND_HALF_UP)


def mul_ratio_half_up(expr: pl.Expr, num: int, den: int) -> pl.Expr:
    """``round_half_up(expr × num / den)`` on non-negative Int64 values, exactly, vectorised."""
    if den <= 0:
        raise ValueError("denominator must be positive")
    return (expr * (2 * num) + den) // (2 * den)


def rate_parts(rate: Decimal) -> tuple[int, int]:
    """A Decimal rate as an exact fraction (numerator, denominator) of ints."""
    num, den = rate.as_integer_ratio()
    return num, den
