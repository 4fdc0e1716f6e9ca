"""Declaring rules: one vectorised expression per clause, with its conditions laid out.

A pack's ``rules.py`` declares rules with :func:`rule`::

    @rule(id="嘉政办发〔2022〕47号#四", entity="enterprise", title_zh="新设立新能源汽车销售公司固定资产投资补助",
          valid=("2022-09-22", "2024-12-31"))
    def new_company_investment(r):
        r.check(NEW_NEV_SALES_COMPANY)       # a shared predicate: one name, one text, one clause
        r.at_least("investment", "nev_fixed_investment_yuan", r.param("new_company.investment_threshold"),
                   zh="固定资产投资额{new_company.investment_threshold}以上",    # → 500万元, or the override
                   en="fixed investment of at least {new_company.investment_threshold}")
        r.amount(least(times_rate(r.fact("nev_fixed_investment_yuan"), r.param("new_company.investment_rate")),
                       r.param("new_company.investment_cap")))

The function is called once per (date, what-if overrides) with a :class:`Builder`; it records
conditions (polars boolean expressions, three-valued: a null fact makes a condition *unknown*), the
parameters it reads (with their effective date and clause), tiers and the amount expression. The
same compiled expressions evaluate one applicant (with an explanation) or millions of rows.

Text is written once, with its numbers as placeholders (:mod:`gazette.rules.text_templates`): the
builder renders every condition, note and detail from the parameter values in force — overrides
included — so the engine reads text that is already right for the date and the what-if. Every rendered
text is kept with its template in :attr:`Builder.texts` (the pack's tests scan the templates).

A condition several rules share is a :class:`~gazette.rules.predicates.Predicate` — one name, one
text, one clause — checked with :meth:`Builder.check` (after PolicyEngine-US, where a predicate is one
named variable that every formula needing it reads); a shared note is given with
:meth:`Builder.shared_note`.

A rule's ``valid=`` copies the window of its clause as the corpus reads it (the pack's tests hold the
two equal, exceptions listed with their reasons).

A rule's id is the clause it implements (``<文号>#<path>``); where one clause holds several
computable provisions the id takes a suffix after ``/`` (``嘉政办发〔2022〕47号#四/scale``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import polars as pl

from gazette.errors import Misconfigured
from gazette.rules.entities import Entity, column_name
from gazette.rules.money import mul_ratio_half_up
from gazette.rules.parameters import ParameterSet, Scale
from gazette.rules.text_templates import fill, format_value

if TYPE_CHECKING:
    from gazette.rules.predicates import Predicate, SharedNote

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


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


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
            valid_from=_as_date(valid[0]), valid_to=_as_date(valid[1]), kind=kind, unit=unit, period=period,
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
    zh: str  # rendered for the date and overrides the rule was compiled with
    en: str
    expr: pl.Expr
    facts: list[str]
    threshold: Threshold | None = None
    reference: str | None = None
    predicate: str | None = None  # the shared predicate it comes from, if any


@dataclass(frozen=True)
class Wording:
    """One rendered text of a compiled rule, beside the template it came from."""

    kind: str  # condition, note, detail
    id: str | None
    template_zh: str
    template_en: str
    zh: str
    en: str
    predicate: str | None = None


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
        self.texts: list[Wording] = []
        self._facts_read: list[str] = []  # every column read, in order (a predicate's facts are a slice)
        self._checking: str | None = None  # the shared predicate being checked, if any

    # -- facts
    def _resolve(self, name: str):
        if "." in name:
            link, var = name.split(".", 1)
            lv = self.entity.variable(link)
            if lv is None or lv.type != "ref":
                raise Misconfigured(f"规则 {self.rule.id} 引用了未知关联 {link}",
                                    f"rule {self.rule.id}: unknown link {link}", code="bad_rule")
            target = self._entities[lv.target]
            v = target.variable(var)
        else:
            v = self.entity.variable(name)
        if v is None:
            raise Misconfigured(f"规则 {self.rule.id} 引用了未声明的变量 {name}",
                                f"rule {self.rule.id}: undeclared variable {name} on {self.entity.name}", code="bad_rule")
        return v

    def col(self, name: str, year: int | None = None) -> str:
        v = self._resolve(name)
        if v.period == "year" and year is None:
            raise Misconfigured(f"变量 {name} 按年取值", f"{name} is yearly: give a year", code="bad_rule")
        column = column_name(name, year if v.period == "year" else None)
        self.columns.add(column)
        self._facts_read.append(column)
        return column

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
    def _full_id(self, pid: str) -> str:
        return pid if pid in self._params else f"{self.rule.policy}.{pid}"

    def param(self, pid: str) -> Any:
        full = self._full_id(pid)
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
        full = self._full_id(pid)
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

    # -- text
    def _placeholder(self, match, values: dict[str, Any]) -> tuple[str, str]:
        name, spec = match.group("name"), match.group("spec")
        if name in values:  # a value the rule computed (a year, a list of names): written as it is
            value = values[name]
            if isinstance(value, (list, tuple)):
                return "、".join(map(str, value)), ", ".join(map(str, value))
            return str(value), str(value)
        value = self.param(name)
        parameter = self._params.get(self._full_id(name))
        meta = parameter.metadata or {}
        if match.group("index") is not None:
            threshold, amount = value[int(match.group("index"))]
            if match.group("part") == "threshold":
                return format_value(threshold, parameter.threshold_unit, spec)
            return format_value(amount, parameter.amount_unit, spec)
        return format_value(value, parameter.unit, spec, meta.get("per"))

    def words(self, kind: str, text_id: str | None, zh: str, en: str, values: dict[str, Any] | None = None,
              predicate: str | None = None) -> tuple[str, str]:
        """``zh`` / ``en`` with their placeholders filled from the parameters in force (and ``values``)."""
        seen: dict[str, tuple[str, str]] = {}

        def resolve(match) -> tuple[str, str]:
            if match.group(0) not in seen:
                seen[match.group(0)] = self._placeholder(match, values or {})
            return seen[match.group(0)]

        rendered = fill(zh, "zh", resolve), fill(en, "en", resolve)
        self.texts.append(Wording(kind, text_id, zh, en, rendered[0], rendered[1], predicate or self._checking))
        return rendered

    # -- conditions
    def require(self, cid: str, expr: pl.Expr, *, zh: str, en: str, facts: list[str] | None = None,
                reference: str | None = None, values: dict[str, Any] | None = None,
                predicate: str | None = None) -> pl.Expr:
        zh, en = self.words("condition", cid, zh, en, values, predicate)
        self.conditions.append(Cond(cid, zh, en, expr, list(facts or []), None, reference, predicate))
        return expr

    def check(self, shared: Predicate, *args, reference: str | None = None,
              values: dict[str, Any] | None = None) -> pl.Expr:
        """A shared predicate as one of this rule's conditions (``reference`` overrides its clause)."""
        reference = reference or shared.reference
        if shared.comparison is not None:
            fact, op, bound = shared.comparison
            return self.compare(shared.id, fact, op, bound(self, *args), zh=shared.zh, en=shared.en,
                                reference=reference, values=values, predicate=shared.id)
        start, outer = len(self._facts_read), self._checking
        self._checking = shared.id  # a note the predicate gives is the predicate's, written once with it
        try:
            expr = shared.test(self, *args)
        finally:
            self._checking = outer
        facts = list(shared.facts) if shared.facts is not None else list(dict.fromkeys(self._facts_read[start:]))
        return self.require(shared.id, expr, zh=shared.zh, en=shared.en, facts=facts, reference=reference,
                            values=values, predicate=shared.id)

    def is_true(self, cid: str, fact: str, *, zh: str, en: str, year: int | None = None,
                reference: str | None = None, values: dict[str, Any] | None = None) -> pl.Expr:
        column = self.col(fact, year)
        return self.require(cid, pl.col(column), zh=zh, en=en, facts=[column], reference=reference,
                            values=values)  # a nullable bool already

    def is_false(self, cid: str, fact: str, *, zh: str, en: str, year: int | None = None,
                 reference: str | None = None, values: dict[str, Any] | None = None) -> pl.Expr:
        column = self.col(fact, year)
        return self.require(cid, pl.col(column).not_(), zh=zh, en=en, facts=[column], reference=reference,
                            values=values)

    def one_of(self, cid: str, fact: str, choices, *, zh: str, en: str, reference: str | None = None,
               values: dict[str, Any] | None = None) -> pl.Expr:
        column = self.col(fact)
        return self.require(cid, pl.col(column).is_in(list(choices)), zh=zh, en=en, facts=[column],
                            reference=reference, values=values)

    def compare(self, cid: str, fact: str | pl.Expr, op: str, threshold: int | pl.Expr, *, zh: str, en: str,
                year: int | None = None, facts: list[str] | None = None, label: tuple[str, str] | None = None,
                unit: str | None = None, reference: str | None = None,
                values: dict[str, Any] | None = None, predicate: str | None = None) -> pl.Expr:
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
        bound_expr = threshold if isinstance(threshold, pl.Expr) else lit_int(threshold)
        expr = {">=": value >= bound_expr, ">": value > bound_expr, "<=": value <= bound_expr,
                "<": value < bound_expr}[op]
        label = label or ("value", "数值")
        bound = Threshold(column, label[0], label[1], value, bound_expr, op, unit or "int",
                          None if isinstance(threshold, pl.Expr) else int(threshold))
        zh, en = self.words("condition", cid, zh, en, values, predicate)
        self.conditions.append(Cond(cid, zh, en, expr, list(facts or []), bound, reference, predicate))
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
    def detail(self, did: str, expr: pl.Expr, *, zh: str, en: str, unit: str = "money",
               values: dict[str, Any] | None = None) -> pl.Expr:
        zh, en = self.words("detail", did, zh, en, values)
        self.details.append(Detail(did, zh, en, expr, unit))
        return expr

    def note(self, zh: str, en: str, values: dict[str, Any] | None = None) -> None:
        self.notes.append(self.words("note", None, zh, en, values))

    def shared_note(self, shared: SharedNote, values: dict[str, Any] | None = None) -> None:
        self.notes.append(self.words("note", shared.id, shared.zh, shared.en, values, shared.id))

    def amount(self, expr: pl.Expr) -> None:
        self.amount_expr = expr if expr.meta.is_literal() else expr.cast(pl.Int64)
