"""Money is integer fen (分). Yuan (元) appear only as decimal strings at the edges."""

from __future__ import annotations

import numbers
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from gazette.ledger.errors import InvalidAmount

#: The largest amount one line may carry: 10^15 fen = 10 万亿 yuan. Anything larger is a typo,
#: and the bound keeps every sum far inside int64.
MAX_AMOUNT_FEN = 10**15

CURRENCY = "CNY"


def check_amount(value: object, field: str = "amount_fen") -> int:
    """Return ``value`` as an int if it is a positive integer number of fen within bounds, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InvalidAmount(value, field, "type")
    value = int(value)  # numpy / polars integers become plain ints
    if value <= 0:
        raise InvalidAmount(value, field, "positive")
    if value > MAX_AMOUNT_FEN:
        raise InvalidAmount(value, field, "too_large")
    return value


def yuan_to_fen(value: str | int | Decimal, field: str = "amount") -> int:
    """Exact conversion of a yuan amount (``"1234.5"``, ``"1234.50"``, ``1234``) to fen.

    More than two decimal places is an error, not a rounding: the caller rounds explicitly
    with :func:`round_fen` at the unit the rule documents.
    """
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidAmount(value, field, "yuan")
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise InvalidAmount(value, field, "yuan") from None
    if not amount.is_finite():
        raise InvalidAmount(value, field, "yuan")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise InvalidAmount(value, field, "yuan")
    result = int(fen)
    if abs(result) > MAX_AMOUNT_FEN:
        raise InvalidAmount(value, field, "too_large")
    return result


def fen_to_yuan(fen: int, *, grouping: bool = False) -> str:
    """``123456`` → ``"1234.56"`` (``"1,234.56"`` with ``grouping``); negative amounts keep their sign."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{cents:02d}" if grouping else f"{sign}{whole}.{cents:02d}"


def round_fen(value: Decimal | int, unit_fen: int = 1) -> int:
    """Round a fen amount computed in Decimal to a multiple of ``unit_fen``, 四舍五入 (ROUND_HALF_UP)."""
    units = (Decimal(value) / unit_fen).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return int(units) * unit_fen
