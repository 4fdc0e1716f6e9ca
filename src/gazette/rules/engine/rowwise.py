"""The row-at-a-time path for one applicant: the same compiled rule expressions, translated once into
plain-Python closures over a dict of facts. A polars query costs a fixed ~0.1 ms and more per
expression; one person's 8 rules or an enterprise's 24 with their what-if probes are then a few
microseconds each. ``tests/rules/test_rowwise.py`` holds this path equal to the frame path on random
situations for every rule of the pack.

The translation reads a polars expression's serialized tree and mirrors polars' semantics: nulls
propagate, ``&``/``|`` and the horizontal all/any are Kleene, a null predicate takes the ``otherwise``
branch, mixed int/float arithmetic and comparisons go through float64. A node it does not know raises
:class:`Unsupported` when the rule is translated, and the caller keeps the frame path for it.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from typing import Any

import polars as pl

Row = dict[str, Any]
Fn = Callable[[Row], Any]


class Unsupported(Exception):
    """A polars construct the row path does not mirror (the frame path is used instead)."""


def translate(expr: pl.Expr) -> Fn:
    """A polars expression → a function of one row (a dict of column → value)."""
    return _node(json.loads(expr.meta.serialize(format="json")))


def literal_value(expr: pl.Expr) -> Any:
    return pl.select(expr.alias("v")).to_series().to_list()[0]


def _node(n: Any) -> Fn:
    if not isinstance(n, dict) or len(n) != 1:
        raise Unsupported(str(n)[:80])
    [(kind, body)] = n.items()
    if kind == "Column":
        return lambda row, c=body: row.get(c)
    if kind == "Alias":
        return _node(body[0])
    if kind == "Literal":
        value = literal_value(pl.Expr.deserialize(io.StringIO(json.dumps(n)), format="json"))
        if isinstance(value, list):
            value = tuple(value)
        return lambda row, v=value: v
    if kind == "BinaryExpr":
        return _binary(body["op"], _node(body["left"]), _node(body["right"]))
    if kind == "Ternary":
        p, t, f = _node(body["predicate"]), _node(body["truthy"]), _node(body["falsy"])
        return lambda row: t(row) if p(row) is True else f(row)
    if kind == "Cast":
        return _cast(_node(body["expr"]), body["dtype"])
    if kind == "Function":
        return _function(body["function"], [_node(i) for i in body["input"]])
    raise Unsupported(kind)


# ---------------------------------------------------------------- binary operators


def _mixed(a: Any, b: Any) -> tuple[Any, Any]:
    # polars casts an int meeting a float to float64 before the operation
    if type(a) is float or type(b) is float:
        return float(a), float(b)
    return a, b


def kleene_and(a, b):
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def kleene_or(a, b):
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def _floordiv(a, b):
    if type(a) is int and type(b) is int:
        return None if b == 0 else a // b
    a, b = float(a), float(b)
    return math.floor(_truediv(a, b)) * 1.0 if b != 0 else _truediv(a, b)


def _truediv(a, b):
    a, b = float(a), float(b)
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


_I64_MIN, _I64_MAX = -(2**63), 2**63 - 1


def wrap_i64(v: Any) -> Any:
    """Int64 arithmetic as polars does it: an int past the 64-bit range wraps around (floats are left alone)."""
    if type(v) is int and not _I64_MIN <= v <= _I64_MAX:
        return (v - _I64_MIN) % 2**64 + _I64_MIN
    return v


_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "Eq": lambda a, b: a == b,
    "NotEq": lambda a, b: a != b,
    "Gt": lambda a, b: a > b,
    "GtEq": lambda a, b: a >= b,
    "Lt": lambda a, b: a < b,
    "LtEq": lambda a, b: a <= b,
    "Plus": lambda a, b: wrap_i64(a + b),
    "Minus": lambda a, b: wrap_i64(a - b),
    "Multiply": lambda a, b: wrap_i64(a * b),
}


def _binary(op: str, left: Fn, right: Fn) -> Fn:
    if op == "And":
        return lambda row: kleene_and(left(row), right(row))
    if op == "Or":
        return lambda row: kleene_or(left(row), right(row))
    if op == "TrueDivide":
        fn = _truediv
    elif op == "FloorDivide":
        fn = _floordiv
    elif op in _OPS:
        base = _OPS[op]

        def fn(a, b, base=base):
            return base(*_mixed(a, b))
    else:
        raise Unsupported(op)

    def run(row):
        a = left(row)
        if a is None:
            return None
        b = right(row)
        return None if b is None else fn(a, b)

    return run


# ---------------------------------------------------------------- casts and functions


def _cast(inner: Fn, dtype: Any) -> Fn:
    name = dtype.get("Literal") if isinstance(dtype, dict) else None
    conv: Callable[[Any], Any]
    if name == "Int64":
        def conv(v):
            if isinstance(v, float):
                if math.isnan(v) or math.isinf(v):
                    raise Unsupported("cast of a non-finite float")
                return int(v)
            if isinstance(v, (int, bool)):
                return int(v)
            raise Unsupported(f"cast {type(v).__name__} to Int64")
    elif name == "Float64":
        def conv(v):
            if isinstance(v, (int, float, bool)):
                return float(v)
            raise Unsupported(f"cast {type(v).__name__} to Float64")
    elif name == "String":
        def conv(v):
            if isinstance(v, str):
                return v
            raise Unsupported(f"cast {type(v).__name__} to String")
    elif name == "Boolean":
        def conv(v):
            if isinstance(v, bool):
                return v
            raise Unsupported(f"cast {type(v).__name__} to Boolean")
    else:
        raise Unsupported(f"cast to {dtype}")
    return lambda row: None if (v := inner(row)) is None else conv(v)


def kleene_all(values):
    out = True
    for v in values:
        if v is False:
            return False
        if v is None:
            out = None
    return out


def kleene_any(values):
    out = False
    for v in values:
        if v is True:
            return True
        if v is None:
            out = None
    return out


def _extreme(pick):
    def fn(values):
        vals = [v for v in values if v is not None]
        if not vals:
            return None
        if any(type(v) is float for v in vals):
            vals = [float(v) for v in vals]
        return pick(vals)
    return fn


def _function(spec: Any, args: list[Fn]) -> Fn:
    if isinstance(spec, dict) and len(spec) == 1:
        [(name, opts)] = spec.items()
    else:
        name, opts = spec, None
    if name == "Boolean":
        return _boolean(opts, args)
    many = None
    if name == "MaxHorizontal":
        many = _extreme(max)
    elif name == "MinHorizontal":
        many = _extreme(min)
    elif name == "SumHorizontal" and opts and opts.get("ignore_nulls"):
        def many(values):
            vals = [v for v in values if v is not None]
            return wrap_i64(sum(vals)) if vals else 0
    elif name == "Coalesce":
        def many(values):
            return next((v for v in values if v is not None), None)
    if many is not None:
        return lambda row: many([a(row) for a in args])
    if name == "FillNull":
        x, fill = args
        return lambda row: v if (v := x(row)) is not None else fill(row)
    if name == "Clip" and opts == {"has_min": True, "has_max": True}:
        x, lo, hi = args

        def clip(row):
            v, a, b = x(row), lo(row), hi(row)
            if v is None or a is None or b is None:
                return None
            if type(v) is float or type(a) is float or type(b) is float:
                v, a, b = float(v), float(a), float(b)
            return min(max(v, a), b)
        return clip
    if name == "Pow" and opts == "Sqrt":
        [x] = args
        return lambda row: None if (v := x(row)) is None else (math.sqrt(v) if v >= 0 else math.nan)
    if name == "Pow" and opts == "Generic":
        base, exp = args

        def power(row):
            b, e = base(row), exp(row)
            if b is None or e is None:
                return None
            if type(b) is int and type(e) is int and e >= 0:
                return wrap_i64(b**e)
            return math.pow(float(b), float(e))
        return power
    if name == "Round" and opts == {"decimals": 0, "mode": "HalfToEven"}:
        [x] = args
        return lambda row: None if (v := x(row)) is None else (float(round(v)) if isinstance(v, float) else v)
    if name == "TemporalExpr" and opts in ("Year", "Month", "Day"):
        [x] = args
        attr = opts.lower()
        return lambda row: None if (v := x(row)) is None else getattr(v, attr)
    if name == "ReplaceStrict" and len(args) in (3, 4):
        x, old, new = args[:3]
        default = args[3] if len(args) == 4 else None

        def replace(row):
            v = x(row)
            if v is None:
                return None
            olds, news = old(row), new(row)
            olds = olds if isinstance(olds, tuple) else (olds,)
            news = news if isinstance(news, tuple) else (news,)
            if v not in olds:
                if default is None:
                    raise Unsupported("replace_strict: a value outside the mapping")
                return default(row)
            return news[olds.index(v)] if len(news) > 1 else news[0]
        return replace
    raise Unsupported(f"function {spec}")


def _boolean(opts: Any, args: list[Fn]) -> Fn:
    if opts == "AllHorizontal":
        return lambda row: kleene_all([a(row) for a in args])
    if opts == "AnyHorizontal":
        return lambda row: kleene_any([a(row) for a in args])
    if opts == "Not":
        [x] = args
        return lambda row: None if (v := x(row)) is None else (not v if isinstance(v, bool) else ~v)
    if opts == "IsNull":
        [x] = args
        return lambda row: x(row) is None
    if opts == "IsNotNull":
        [x] = args
        return lambda row: x(row) is not None
    if isinstance(opts, dict) and "IsIn" in opts and not opts["IsIn"].get("nulls_equal"):
        x, values = args
        return lambda row: None if (v := x(row)) is None else v in values(row)
    raise Unsupported(f"boolean {opts}")
