"""Explanation (like openfisca-core's tracer, but for readers): an evaluated row — the ``<rule>|c<k>``
condition columns, thresholds, tiers, details, ``ok`` and ``amount`` — becomes a typed
:class:`~gazette.rules.engine.results.RuleResult`. Failed thresholds get the nearest value that would
pass; :func:`probes` lists them so the caller can evaluate each once and say what it would pay."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from gazette.rules.entities import Entity, split_column
from gazette.rules.parameters import ParameterSet, Scale
from gazette.rules.rule import TierUse

from .compiling import Compiled
from .evaluation import exclusive_groups, status_of
from .results import (
    Amount,
    Condition,
    Detail,
    Excluded,
    ExplanationItem,
    Fact,
    Note,
    Outcome,
    ParameterUsed,
    RuleResult,
    Status,
    Threshold,
    Tier,
    Validity,
)

# the value just past a bound, per comparison: the nearest value that passes
_NEAREST = {">=": lambda t: t, ">": lambda t: t + 1, "<=": lambda t: t, "<": lambda t: t - 1}


@dataclass(frozen=True, slots=True)
class Probe:
    """A failed threshold of one rule on one row: evaluate the row with ``column`` set to ``target``."""

    rule_id: str
    row: int
    condition: int
    column: str
    target: int


def _threshold_values(c: Compiled, k: int, row: dict[str, Any]) -> tuple[Any, Any]:
    th = c.conditions[k].threshold
    rid = c.rule.id
    v = row.get(th.column) if th.column is not None else row.get(f"{rid}|v{k}")
    t = th.const if th.const is not None else row.get(f"{rid}|t{k}")
    return v, t


def probes(c: Compiled, row: dict[str, Any], row_i: int) -> list[Probe]:
    """The failed thresholds of an active rule on a row that a probe can test (a plain fact compared)."""
    out = []
    if not c.active:
        return out
    rid = c.rule.id
    for k, cd in enumerate(c.conditions):
        th = cd.threshold
        if th is None or th.column is None or th.column not in row or row.get(f"{rid}|c{k}") is not False:
            continue
        v, t = _threshold_values(c, k, row)
        if v is not None and t is not None:
            out.append(Probe(rid, row_i, k, th.column, _NEAREST[th.op](t)))
    return out


class Explainer:
    def __init__(self, entities: dict[str, Entity], params: ParameterSet):
        self.entities = entities
        self.params = params
        self._units: dict[tuple[str, str], str] = {}

    def fact_unit(self, ent: Entity, col: str) -> str:
        key = (ent.name, col)
        unit = self._units.get(key)
        if unit is None:
            e, c = ent, col
            if "." in c:
                link, c = c.split(".", 1)
                e = self.entities[ent.variable(link).target]
            var = e.variable(split_column(c)[0])
            unit = "money" if var and var.type == "money" else (
                f"decimal:{var.scale}" if var and var.type == "decimal" else "")
            self._units[key] = unit
        return unit

    def result(self, c: Compiled, row: dict[str, Any], explain: bool, on: dt.date,
               siblings: list[Compiled] | None = None, would: dict[tuple[str, int, int], int | None] | None = None,
               row_i: int = 0) -> RuleResult:
        """The typed result of rule ``c`` on an evaluated ``row``. ``siblings``: the entity's compiled rules
        (to name the rule an exclusive group kept); ``would``: probe amounts by (rule, row, condition)."""
        r = c.rule
        rid = r.id
        fen = row.get(f"{rid}|amount")
        status = status_of(r, row.get(f"{rid}|ok"), fen)
        if status is Status.UNKNOWN:
            fen = None
        items: tuple[ExplanationItem, ...] | None = None
        missing: list[str] = []
        if explain:
            built = self._items(c, row, on, status, fen, missing, siblings or [], would or {}, row_i)
            items = tuple(built)
        return RuleResult(
            rule_id=rid, entity_id=row["_id"], entity_type=r.entity, kind=r.kind, status=status,
            amount_fen=fen if r.unit else None, title_zh=r.title_zh, title_en=r.title_en, period=r.period,
            references=tuple(r.references), pays_money=bool(r.unit), explanation=items,
            missing_facts=tuple(missing) if status is Status.UNKNOWN else (),
        )

    def _items(self, c: Compiled, row: dict, on: dt.date, status: Status, fen: int | None, missing: list[str],
               siblings: list[Compiled], would: dict, row_i: int) -> list[ExplanationItem]:
        r = c.rule
        rid = r.id
        out: list[ExplanationItem] = []
        if not c.active:
            out.append(Validity(Outcome.FAIL, on, r.valid_from, r.valid_to, *c.inactive_reason))
        else:
            ent = self.entities[r.entity]
            b = c.builder
            out.append(Validity(Outcome.PASS, on, r.valid_from, r.valid_to))
            for k, cd in enumerate(c.conditions):
                st = Outcome.of(row.get(f"{rid}|c{k}"))
                facts = tuple(Fact(f, row.get(f), self.fact_unit(ent, f)) for f in cd.facts)
                miss = None
                if st is Outcome.UNKNOWN:
                    miss = tuple(f for f in cd.facts if row.get(f) is None)
                    missing += [m for m in miss if m not in missing]
                th = None
                if cd.threshold is not None:
                    t = cd.threshold
                    v, bound = _threshold_values(c, k, row)
                    nearest = None
                    if st is Outcome.FAIL and v is not None and bound is not None:
                        nearest = _NEAREST[t.op](bound)
                    th = Threshold(t.label_en, t.label_zh, v, bound, t.op, t.unit, nearest, would.get((rid, row_i, k)))
                out.append(Condition(cd.id, st, cd.zh, cd.en, facts, cd.reference, miss, th))
            for pu in b.params_used.values():
                p = self.params.get(pu.id)
                is_scale = isinstance(p, Scale)
                out.append(ParameterUsed(
                    pu.id, pu.value, p.amount_unit if is_scale else p.unit, p.threshold_unit if is_scale else None,
                    is_scale, pu.start, tuple(pu.references), pu.overridden, pu.decision, pu.source, pu.demo))
            for k, t in enumerate(b.tiers):
                out.append(self._tier(t, row.get(t.column) if t.column is not None else row.get(f"{rid}|tv{k}")))
            for k, d in enumerate(b.details):
                out.append(Detail(d.id, d.zh, d.en, row.get(f"{rid}|d{k}"), d.unit))
            for zh, en in b.notes:
                out.append(Note(zh, en))
            ex = row.get(f"{rid}|excluded_by")
            if ex is not None:
                out.append(Excluded(exclusive_groups(siblings)[r.exclusive_group][ex], r.exclusive_group))
        if r.unit:
            out.append(Amount(fen, status))
        return out

    @staticmethod
    def _tier(t: TierUse, v: Any) -> Tier:
        if v is None:
            return Tier(t.param, t.label_en, t.label_zh, None, t.unit, None, len(t.rows))
        idx = None
        for i, (th, _a) in enumerate(t.rows):
            if v >= th:
                idx = i
        nxt = 0 if idx is None else idx + 1
        return Tier(t.param, t.label_en, t.label_zh, v, t.unit, None if idx is None else idx + 1, len(t.rows),
                    None if idx is None else t.rows[idx][0], None if idx is None else t.rows[idx][1],
                    t.rows[nxt][0] if nxt < len(t.rows) else None, t.rows[nxt][1] if nxt < len(t.rows) else None)
