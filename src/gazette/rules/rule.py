"""Declaring rules: one vectorised expression per clause, with its conditions laid out.

A pack's ``rules.py`` declares rules with :func:`rule`::

    @rule(id="嘉政办发〔2022〕47号#一", entity="vehicle_purchase", title_zh="新能源汽车消费券",
          valid=("2022-09-22", "2022-12-31"), event_date="date")
    def nev_voucher(r):
        r.is_true("new_energy", "new_energy", zh="新能源汽车", en="a new-energy vehicle")
        tier = r.scale("voucher.tiers", "price_yuan")
        r.amount(least(tier, r.fact("price_yuan")))

The function is called once per (date, what-if overrides) with a :class:`Builder`; it records
conditions (polars boolean expressions, three-valued: a null fact makes a condition *unknown*), the
parameters it reads (with their effective date and clause), tiers and the amount expression. The
same compiled expressions evaluate one applicant (with an explanation) or millions of rows.

A rule's id is the clause it implements (``<文号>#<path>``); where one clause holds several
computable provisions the id takes a suffix after ``/`` (``嘉政办发〔2022〕47号#四/scale``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import polars as pl

from gazette.errors import GazetteError
from gazette.rules.entities import Entity, column_name
from gazette.rules.money import mul_ratio_half_up
from gazette.rules.parameters import ParameterSet, Scale

KINDS = ("benefit", "transfer", "limit", "obligation", "contribution", "prohibition", "reference")


@dataclass
class Rule:
    id: str
    entity: str
    title_zh: str
    title_en: str
    fn: Callable[[Builder], None]
    references: list[str]
    valid_from: dt.date
    valid_to: dt.date | None
    kind: str = "benefit"
    unit: str | None = "CNY"
    period: str = "once"  # what one amount covers: once, month, year
    event_date: str | None = None
    exclusive_group: str | None = None
    policy: str = ""
    on_window: bool = True  # False: the window applies to the event (e.g. a flight), not the calculation date

    @property
    def clause(self) -> str:
        return self.id.split("/", 1)[0]

    def in_window(self, d: dt.date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d <= self.valid_to)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "entity": self.entity,
            "title_zh": self.title_zh,
            "title_en": self.title_en,
            "kind": self.kind,
            "unit": self.unit,
            "period": self.period,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "references": self.references,
            "policy": self.policy,
            "exclusive_group": self.exclusive_group,
        }


def _d(x) -> dt.date | None:
    if x is None or isinstance(x, dt.date):
        return x
    return dt.date.fromisoformat(str(x))


def rule(
    *,
    id: str,
    entity: str,
    title_zh: str,
    title_en: str = "",
    valid: tuple[Any, Any],
    references: list[str] | None = None,
    kind: str = "benefit",
    unit: str | None = "CNY",
    period: str = "once",
    event_date: str | None = None,
    exclusive_group: str | None = None,
    on_window: bool = True,
) -> Callable[[Callable[[Builder], None]], Rule]:
    if kind not in KINDS:
        raise ValueError(f"unknown rule kind {kind}")

    def deco(fn: Callable[[Builder], None]) -> Rule:
        refs = list(references or [])
        clause = id.split("/", 1)[0]
        if clause not in refs:
            refs.insert(0, clause)
        return Rule(
            id=id, entity=entity, title_zh=title_zh, title_en=title_en, fn=fn, references=refs,
            valid_from=_d(valid[0]), valid_to=_d(valid[1]), kind=kind, unit=unit, period=period,
            event_date=event_date, exclusive_group=exclusive_group, on_window=on_window,
        )

    return deco


# ---------------------------------------------------------------- expression helpers


def least(a: pl.Expr, b: pl.Expr | int) -> pl.Expr:
    """The smaller of two values; null if either is null (a cap never hides a missing fact)."""
    b = b if isinstance(b, pl.Expr) else pl.lit(b, dtype=pl.Int64)
    return pl.when(a <= b).then(a).otherwise(b)


def greatest(a: pl.Expr, b: pl.Expr | int) -> pl.Expr:
    b = b if isinstance(b, pl.Expr) else pl.lit(b, dtype=pl.Int64)
    return pl.when(a >= b).then(a).otherwise(b)


def times_rate(expr: pl.Expr, rate: Decimal) -> pl.Expr:
    """``expr × rate`` rounded half up (四舍五入) to the unit of ``expr`` — exact integer arithmetic."""
    num, den = rate.as_integer_ratio()
    return mul_ratio_half_up(expr, num, den)


def lit_int(v: int | None) -> pl.Expr:
    return pl.lit(v, dtype=pl.Int64)


# ---------------------------------------------------------------- builder


@dataclass
class Threshold:
    column: str | None  # the fact compared, when it is a plain column (enables "would qualify for")
    label_en: str
    label_zh: str
    value: pl.Expr  # the fact side
    threshold: pl.Expr  # the bound
    op: str  # ">=", ">", "<=", "<"
    unit: str  # "money", "int", "decimal:N"
    const: int | None = None  # the bound when it is a constant (no column needed to explain it)


@dataclass
class Cond:
    id: str
    zh: str
    en: str
    expr: pl.Expr
    facts: list[str]
    threshold: Threshold | None = None
    reference: str | None = None


@dataclass
class ParamUse:
    id: str
    value: Any
    start: dt.date
    unit: str | None
    references: list[str]
    overridden: bool = False
    decision: str | None = None
    source: str | None = None
    demo: bool = False


@dataclass
class TierUse:
    param: str
    column: str | None
    label_en: str
    label_zh: str
    value: pl.Expr
    rows: list[tuple[int, int]]
    unit: str


@dataclass
class Detail:
    id: str
    zh: str
    en: str
    expr: pl.Expr
    unit: str  # "money", "int", "decimal:N", "str", "bool", "date"


class Builder:
    """What a rule function sees: facts as polars expressions, parameters at the date, recorders."""

    def __init__(self, rule: Rule, on: dt.date, params: ParameterSet, overrides: dict[str, Any],
                 entity: Entity, entities: dict[str, Entity]):
        self.rule = rule
        self.on = on
        # parameters are read on the calculation date, clamped into the window for event-windowed rules
        self.param_date = on
        if not rule.on_window:
            self.param_date = max(on, rule.valid_from)
            if rule.valid_to is not None:
                self.param_date = min(self.param_date, rule.valid_to)
        self.year = on.year
        self._params = params
        self._overrides = overrides
        self.entity = entity
        self._entities = entities
        self.conditions: list[Cond] = []
        self.params_used: dict[str, ParamUse] = {}
        self.tiers: list[TierUse] = []
        self.details: list[Detail] = []
        self.columns: set[str] = set()
        self.amount_expr: pl.Expr | None = None
        self.notes: list[tuple[str, str]] = []
        self.lets: list[tuple[str, pl.Expr]] = []

    # -- facts
    def _resolve(self, name: str):
        if "." in name:
            link, var = name.split(".", 1)
            lv = self.entity.variable(link)
            if lv is None or lv.type != "ref":
                raise GazetteError("bad_rule", f"规则 {self.rule.id} 引用了未知关联 {link}",
                                   f"rule {self.rule.id}: unknown link {link}", status=500)
            target = self._entities[lv.target]
            v = target.variable(var)
        else:
            v = self.entity.variable(name)
        if v is None:
            raise GazetteError("bad_rule", f"规则 {self.rule.id} 引用了未声明的变量 {name}",
                               f"rule {self.rule.id}: undeclared variable {name} on {self.entity.name}", status=500)
        return v

    def col(self, name: str, year: int | None = None) -> str:
        v = self._resolve(name)
        if v.period == "year" and year is None:
            raise GazetteError("bad_rule", f"变量 {name} 按年取值", f"{name} is yearly: give a year", status=500)
        c = column_name(name, year if v.period == "year" else None)
        self.columns.add(c)
        return c

    def fact(self, name: str, year: int | None = None) -> pl.Expr:
        """A fact as an expression; yearly facts need ``year`` (e.g. ``r.year - 1``)."""
        return pl.col(self.col(name, year))

    def unit_of(self, name: str) -> str:
        v = self._resolve(name)
        if v.type == "money":
            return "money"
        if v.type == "decimal":
            return f"decimal:{v.scale}"
        return v.type

    def label(self, name: str, year: int | None = None) -> tuple[str, str]:
        v = self._resolve(name)
        suffix = f" {year}" if year is not None else ""
        return (v.description_en or name) + suffix, v.description_zh + (f"（{year}年）" if year else "")

    # -- parameters
    def param(self, pid: str) -> Any:
        full = pid if pid in self._params else f"{self.rule.policy}.{pid}"
        p = self._params.get(full)
        if full in self._overrides:
            value, start, over = self._overrides[full], self.on, True
        else:
            value, start = p.at(self.param_date)
            over = False
        meta = p.metadata or {}
        self.params_used[full] = ParamUse(
            id=full, value=value, start=start, unit=p.unit if not isinstance(p, Scale) else p.amount_unit,
            references=p.references, overridden=over, decision=meta.get("decision"), source=meta.get("source"),
            demo=bool(meta.get("demo")),
        )
        return value

    def scale(self, pid: str, value: str | pl.Expr, *, year: int | None = None, label: tuple[str, str] | None = None,
              unit: str = "money") -> pl.Expr:
        """Step scale (single_amount): the amount of the highest bracket whose threshold ≤ value; 0 below all."""
        rows = self.param(pid)
        full = pid if pid in self._params else f"{self.rule.policy}.{pid}"
        column = None
        if isinstance(value, str):
            column = self.col(value, year)
            label = label or self.label(value, year)
            unit = self.unit_of(value)
            value = pl.col(column)
        label = label or ("value", "数值")
        expr = lit_int(0)
        for t, a in rows:  # ascending: the last matching bracket wins
            expr = pl.when(value >= t).then(lit_int(a)).otherwise(expr)
        expr = pl.when(value.is_null()).then(lit_int(None)).otherwise(expr)
        self.tiers.append(TierUse(full, column, label[0], label[1], value, list(rows), unit))
        return expr

    # -- conditions
    def require(self, cid: str, expr: pl.Expr, *, zh: str, en: str, facts: list[str] | None = None,
                reference: str | None = None) -> pl.Expr:
        self.conditions.append(Cond(cid, zh, en, expr, list(facts or []), None, reference))
        return expr

    def is_true(self, cid: str, fact: str, *, zh: str, en: str, year: int | None = None,
                reference: str | None = None) -> pl.Expr:
        c = self.col(fact, year)
        return self.require(cid, pl.col(c), zh=zh, en=en, facts=[c], reference=reference)  # a nullable bool already

    def is_false(self, cid: str, fact: str, *, zh: str, en: str, year: int | None = None,
                 reference: str | None = None) -> pl.Expr:
        c = self.col(fact, year)
        return self.require(cid, pl.col(c).not_(), zh=zh, en=en, facts=[c], reference=reference)

    def one_of(self, cid: str, fact: str, values, *, zh: str, en: str, reference: str | None = None) -> pl.Expr:
        c = self.col(fact)
        return self.require(cid, pl.col(c).is_in(list(values)), zh=zh, en=en, facts=[c], reference=reference)

    def compare(self, cid: str, fact: str | pl.Expr, op: str, threshold: int | pl.Expr, *, zh: str, en: str,
                year: int | None = None, facts: list[str] | None = None, label: tuple[str, str] | None = None,
                unit: str | None = None, reference: str | None = None) -> pl.Expr:
        """A threshold condition ``fact op threshold``; a failure explains the nearest qualifying value."""
        column = None
        if isinstance(fact, str):
            column = self.col(fact, year)
            label = label or self.label(fact, year)
            unit = unit or self.unit_of(fact)
            value = pl.col(column)
            facts = [column, *(facts or [])]
        else:
            value = fact
        t = threshold if isinstance(threshold, pl.Expr) else lit_int(threshold)
        expr = {">=": value >= t, ">": value > t, "<=": value <= t, "<": value < t}[op]
        label = label or ("value", "数值")
        th = Threshold(column, label[0], label[1], value, t, op, unit or "int",
                       None if isinstance(threshold, pl.Expr) else int(threshold))
        self.conditions.append(Cond(cid, zh, en, expr, list(facts or []), th, reference))
        return expr

    def at_least(self, cid, fact, threshold, **kw) -> pl.Expr:
        return self.compare(cid, fact, ">=", threshold, **kw)

    def more_than(self, cid, fact, threshold, **kw) -> pl.Expr:
        return self.compare(cid, fact, ">", threshold, **kw)

    def at_most(self, cid, fact, threshold, **kw) -> pl.Expr:
        return self.compare(cid, fact, "<=", threshold, **kw)

    def less_than(self, cid, fact, threshold, **kw) -> pl.Expr:
        return self.compare(cid, fact, "<", threshold, **kw)

    def let(self, name: str, expr: pl.Expr) -> pl.Expr:
        """An intermediate value computed once (its own column) and reused by conditions and the amount."""
        col = f"{self.rule.id}|let:{name}"
        self.lets.append((col, expr))
        return pl.col(col)

    # -- outputs
    def detail(self, did: str, expr: pl.Expr, *, zh: str, en: str, unit: str = "money") -> pl.Expr:
        self.details.append(Detail(did, zh, en, expr, unit))
        return expr

    def note(self, zh: str, en: str) -> None:
        self.notes.append((zh, en))

    def amount(self, expr: pl.Expr) -> None:
        self.amount_expr = expr if expr.meta.is_literal() else expr.cast(pl.Int64)
