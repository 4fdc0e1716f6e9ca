"""Our parameters against openfisca-core's reading of the same files: every value on every date.

:func:`compare` walks every parameter of our tree and the same parameter of an openfisca-core
``ParameterNode``: on every date at which any value of either tree starts (and the day before it)
the values must be equal; a scale must have the same type, thresholds and values, and give the same
result on a grid of bases (0, every threshold and one minor unit — a fen — either side).

Equality: ours are exact (ints, minor units for money, Decimals); openfisca-core holds what its
YAML loader gives (Python floats and ints) and computes scales in floating point. A number is equal
when openfisca-core's float, read through its shortest repr, is our exact value (money compared in
major units: 600.0 EUR = 60000 cents). A computed rate-scale result is equal when openfisca-core's
float and our exact rational agree to 6 decimal places of the major unit (well inside float
precision for these magnitudes, well below a fen) — and then our result rounded to the fen is the
correctly rounded one. openfisca-core is imported here only, lazily (a test / ``--check`` tool).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from gazette.rules import scales
from gazette.rules.parameters import Parameter, ParameterUndefined, Scale, minor_digits

_SCALE_TYPES = {"SingleAmountTaxScale": "single_amount", "MarginalAmountTaxScale": "marginal_amount",
                "MarginalRateTaxScale": "marginal_rate", "LinearAverageRateTaxScale": "linear_average_rate"}
_SIX = Decimal("0.000001")


@dataclass
class Comparison:
    parameters: int = 0
    dates: int = 0  # every date at which a value changes, and the day before
    values: int = 0  # (parameter, date) pairs compared
    scale_points: int = 0  # scale evaluations compared
    mismatches: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.mismatches

    def summary(self) -> str:
        state = "all equal" if self.equal else f"{len(self.mismatches)} differences"
        return (f"{self.parameters} parameters × {self.dates} dates ({self.values} values), "
                f"{self.scale_points} scale evaluations: {state}")


def openfisca_tree(path: Path):
    """openfisca-core's own reading of a parameter directory (a ``ParameterNode``)."""
    from openfisca_core.parameters import ParameterNode

    return ParameterNode("", directory_path=str(path))


def _leaves(node, out: dict[str, Any]) -> dict[str, Any]:
    from openfisca_core.parameters import ParameterNode

    for child in node.children.values():
        if isinstance(child, ParameterNode):
            _leaves(child, out)
        else:
            out[child.name] = child
    return out


def _their_dates(obj) -> set[dt.date]:
    if hasattr(obj, "values_list"):
        return {dt.date.fromisoformat(v.instant_str) for v in obj.values_list}
    out: set[dt.date] = set()
    for b in obj.brackets:
        for child in b.children.values():
            out |= _their_dates(child)
    return out


def _exact(x: Any) -> Any:
    """openfisca-core's number (float via its shortest repr) as an exact Decimal; other values as they are."""
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return x
    if hasattr(x, "item") and not isinstance(x, list):  # numpy scalar
        x = x.item()
    if isinstance(x, float):
        return Decimal(repr(x))
    if isinstance(x, int):
        return Decimal(x)
    if isinstance(x, list):
        return [_exact(v) for v in x]
    return x


def _ours_major(v: Any, unit: str | None) -> Any:
    """Our value in the file's unit (minor → major units for money) for comparison."""
    if v is None or isinstance(v, (bool, str)):
        return v
    if isinstance(v, list):
        return [_ours_major(x, unit) for x in v]
    if isinstance(v, (int, Decimal)):
        digits = minor_digits(unit)
        return Decimal(v).scaleb(-digits) if digits is not None else Decimal(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def same(ours: Any, theirs: Any, unit: str | None) -> bool:
    a, b = _ours_major(ours, unit), _exact(theirs)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _value(p: Parameter, on: dt.date) -> Any:
    try:
        return p.value_at(on)[0]
    except ParameterUndefined:
        return None


def change_dates(ours: dict[str, Parameter | Scale], theirs: dict[str, Any]) -> list[dt.date]:
    """Every date at which any value of either tree starts, and the day before each."""
    starts: set[dt.date] = set()
    for p in ours.values():
        starts |= set(p.change_dates())
    for obj in theirs.values():
        starts |= _their_dates(obj)
    return sorted(starts | {d - dt.timedelta(days=1) for d in starts})


def _parts(scale: Scale, on: dt.date) -> list[list[Any]]:
    """The values of the brackets at each threshold, in file order (before they are added up)."""
    out: list[list[Any]] = []
    last = object()
    for t, v in scale.rows_at(on)[0]:
        if out and t == last:
            out[-1].append(v)
        else:
            out.append([v])
        last = t
    return out


def _same_sum(parts: list[Any], theirs: Any, unit: str | None) -> bool:
    """A bracket value; where brackets share a threshold openfisca-core adds their values as floats
    (0.1 + 0.045 = 0.14500000000000002): ours must be the parts whose float sum is theirs."""
    if len(parts) == 1:
        return same(parts[0], theirs, unit)
    total = 0.0
    for v in parts:
        total += float(_ours_major(v, unit))
    return total == float(theirs)


def _compare_scale(ours: Scale, theirs, on: dt.date, res: Comparison) -> None:
    day = on.isoformat()
    tax_scale = theirs(day)
    try:
        ts, vs = scales.brackets_at(ours, on)
    except ParameterUndefined:
        ts, vs = [], []
    if not ts:
        if list(tax_scale.thresholds):
            res.mismatches.append(f"{ours.id} {day}: openfisca-core has brackets, we have none")
        return
    kind = _SCALE_TYPES.get(type(tax_scale).__name__)
    if kind != ours.scale_type:
        res.mismatches.append(f"{ours.id} {day}: type {ours.scale_type} ≠ openfisca-core {kind}")
        return
    their_values = tax_scale.amounts if hasattr(tax_scale, "amounts") else tax_scale.rates
    if not (len(ts) == len(tax_scale.thresholds)
            and all(same(a, b, ours.threshold_unit) for a, b in zip(ts, tax_scale.thresholds, strict=False))
            and all(_same_sum(parts, b, ours.unit)
                    for parts, b in zip(_parts(ours, on), their_values, strict=False))):
        res.mismatches.append(f"{ours.id} {day}: brackets {list(zip(ts, vs, strict=True))} ≠ openfisca-core "
                              f"{list(zip(tax_scale.thresholds, their_values, strict=False))}")
        return
    import numpy

    money = minor_digits(ours.threshold_unit)
    digits = money or 0
    step = 1 if money is not None or all(isinstance(t, int) for t in ts) else Decimal("0.001")
    grid = scales.bases_around(ts, step)
    their = tax_scale.calc(numpy.array([float(Decimal(b).scaleb(-digits)) for b in grid]))
    for base, t in zip(grid, their, strict=True):
        mine = scales.calc(ours, on, base, exact=True)
        res.scale_points += 1
        if kind in ("single_amount", "marginal_amount"):
            ok = same(mine, float(t), ours.unit)
        else:  # a rate scale: a value in the threshold unit
            mine_major = scales.to_decimal(Fraction(mine) / 10**digits)
            ok = Decimal(repr(float(t))).quantize(_SIX) == mine_major.quantize(_SIX)
        if not ok:
            res.mismatches.append(f"{ours.id} {day} base {base}: ours {mine} ≠ openfisca-core {t}")


def compare(ours: dict[str, Parameter | Scale], theirs_root) -> Comparison:
    """Every parameter of ``ours`` against the openfisca-core tree ``theirs_root`` (same ids)."""
    res = Comparison()
    theirs = _leaves(theirs_root, {})
    for pid in sorted(set(theirs) - set(ours)):
        res.mismatches.append(f"{pid}: in openfisca-core's tree only")
    dates = change_dates(ours, theirs)
    res.dates = len(dates)
    for pid, p in ours.items():
        if pid not in theirs:
            res.mismatches.append(f"{pid}: missing from openfisca-core's tree")
            continue
        res.parameters += 1
        obj = theirs[pid]
        for on in dates:
            res.values += 1
            if isinstance(p, Scale):
                if not hasattr(obj, "brackets"):
                    res.mismatches.append(f"{pid}: a scale here, not in openfisca-core")
                    break
                _compare_scale(p, obj, on, res)
            else:
                mine, their = _value(p, on), obj(on.isoformat())
                if not same(mine, their, p.unit):
                    res.mismatches.append(f"{pid} {on}: ours {mine!r} ≠ openfisca-core {their!r}")
    return res
