"""One applicant, row by row: the compiled rules of an entity evaluated on a dict of facts with the
closures of :mod:`.rowwise`, giving the same ``<rule>|…`` values the frame path's query gives for that
row (conditions, thresholds, tiers, details, ``ok``, ``amount``, exclusive groups), so the explanation
reads either alike."""

from __future__ import annotations

from dataclasses import dataclass

from .compiling import Compiled
from .evaluation import exclusive_groups
from .rowwise import Fn, Row, Unsupported, kleene_all, kleene_and, literal_value, translate

_MEMO = "row"


@dataclass(frozen=True, slots=True)
class RowRule:
    """A compiled rule as plain-Python closures, ready for one row."""

    lets: tuple[tuple[str, Fn], ...]
    conditions: tuple[Fn, ...]
    amount: Fn | None
    helpers: tuple[tuple[str, Fn], ...]  # threshold values and bounds, tier values, details: explain only


def row_rule(c: Compiled) -> RowRule | None:
    """The rule's row form, translated once and kept with the compiled rule; None when a construct of the
    rule has no row form (the frame path then serves it)."""
    if _MEMO not in c.memo:
        try:
            c.memo[_MEMO] = _translate(c)
        except Unsupported:
            c.memo[_MEMO] = None
    return c.memo[_MEMO]


def _translate(c: Compiled) -> RowRule:
    if not c.active:
        return RowRule((), (), None, ())
    rid, b = c.rule.id, c.builder
    amount = None
    if c.amount is not None:
        if c.amount.meta.is_literal():
            const = literal_value(c.amount)
            amount = lambda row: const  # noqa: E731
        else:
            amount = translate(c.amount)
    helpers: list[tuple[str, Fn]] = []
    for k, cd in enumerate(c.conditions):
        th = cd.threshold
        if th is not None:
            if th.column is None:
                helpers.append((f"{rid}|v{k}", translate(th.value)))
            if th.const is None:
                helpers.append((f"{rid}|t{k}", translate(th.threshold)))
    helpers += [(f"{rid}|tv{k}", translate(t.value)) for k, t in enumerate(b.tiers) if t.column is None]
    helpers += [(f"{rid}|d{k}", translate(d.expr)) for k, d in enumerate(b.details)]
    return RowRule(tuple((col, translate(e)) for col, e in b.lets), tuple(translate(cd.expr) for cd in c.conditions),
                   amount, tuple(helpers))


def translatable(compiled: list[Compiled]) -> bool:
    return all(row_rule(c) is not None for c in compiled)


def evaluate_row(compiled: list[Compiled], row: Row, explain: bool) -> Row:
    """Add every rule's columns to ``row`` (in place; also returned) — what the frame path's query and
    :meth:`~.evaluation.FrameEvaluator.finish` give for this row."""
    for c in compiled:
        rid = c.rule.id
        if not c.active:
            row[f"{rid}|ok"] = False
            row[f"{rid}|amount"] = 0 if c.rule.unit else None
            continue
        rr = row_rule(c)
        for col, fn in rr.lets:
            row[col] = fn(row)
        conds = [fn(row) for fn in rr.conditions]
        ok = kleene_all(conds)
        if explain:
            for k, v in enumerate(conds):
                row[f"{rid}|c{k}"] = v
            for col, fn in rr.helpers:
                row[col] = fn(row)
        row[f"{rid}|ok"] = ok
        if rr.amount is None:
            row[f"{rid}|amount"] = None
        else:
            # the frame path computes the amount for every row and keeps it where ok: the same here
            raw = rr.amount(row)
            row[f"{rid}|amount"] = raw if ok is True else 0
    for g, rids in exclusive_groups(compiled).items():
        _exclusive(g, rids, row, explain)
    return row


def _exclusive(group: str, rids: list[str], row: Row, explain: bool) -> None:
    """所列奖励条款不得重复享受: only where two or more rules pay, the highest amount (first on ties) stays."""
    if explain:
        for r in rids:
            row[f"{r}|excluded_by"] = None
    amounts = [row[f"{r}|amount"] for r in rids]
    if sum(1 for a in amounts if a is not None and a > 0) < 2:
        return
    best = max(a for a in amounts if a is not None)
    winner = None if best <= 0 else next(i for i, a in enumerate(amounts) if a is not None and a == best)
    for i, r in enumerate(rids):
        a = amounts[i]
        positive = None if a is None else a > 0
        differs = None if winner is None else winner != i
        excluded = kleene_and(positive, differs)
        not_excluded = None if excluded is None else not excluded
        row[f"{r}|ok"] = kleene_and(row[f"{r}|ok"], not_excluded)
        row[f"{r}|amount"] = 0 if excluded is True else a
        if explain:
            row[f"{r}|excluded_by"] = winner if excluded is True else None


def linked_columns(needed: set[str], row: Row, entity, members: dict[str, dict[str, Row]]) -> None:
    """Linked facts (``buyer.district``) read from the linked member's row, as the frame path's join does."""
    for col in needed:
        if "." in col and col not in row:
            link, var = col.split(".", 1)
            lv = entity.variable(link)
            target = members.get(lv.target, {}).get(row.get(link)) if lv is not None else None
            row[col] = target.get(var) if target is not None else None


__all__ = ["RowRule", "Unsupported", "evaluate_row", "linked_columns", "row_rule", "translatable"]
