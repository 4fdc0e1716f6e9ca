"""Shared predicates: a condition several rules need, written once and reused.

After PolicyEngine-US, where a predicate (``is_snap_eligible``, ``meets_snap_asset_test``) is one named
variable that every formula needing it reads: here a :class:`Predicate` has one id, one bilingual text
(placeholders allowed, see :mod:`gazette.rules.text_templates`) and one clause, and a rule checks it
with ``r.check(PREDICATE)``. The explanation marks the condition with the predicate it came from, and
the pack's tests refuse the same condition text typed into two rules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Predicate:
    """A named condition written once — its id, its bilingual text (placeholders allowed) and its clause —
    and checked by every rule that needs it (:meth:`Builder.check`). ``test(builder, *args)`` returns the
    three-valued expression; the facts it reads are recorded as the condition's facts."""

    id: str
    zh: str
    en: str
    test: Callable[..., pl.Expr] | None
    reference: str | None = None
    facts: tuple[str, ...] | None = None  # the facts it names when unknown (default: every fact it read)
    comparison: tuple[str, str, Callable[..., int]] | None = None  # (fact, op, bound) for a threshold


def predicate(id: str, *, zh: str, en: str, reference: str | None = None,
              facts: tuple[str, ...] | None = None) -> Callable[[Callable[..., pl.Expr]], Predicate]:
    """Decorator: ``@predicate("covered", zh=…, en=…)`` over ``def covered(r, *args) -> pl.Expr``."""

    def deco(test: Callable[..., pl.Expr]) -> Predicate:
        return Predicate(id, zh, en, test, reference, facts)

    return deco


def fact_predicate(id: str, fact: str, *, zh: str, en: str, reference: str | None = None,
                   this_year: bool = False) -> Predicate:
    """A predicate that is one boolean fact (of the calculation year when ``this_year``)."""
    return Predicate(id, zh, en, lambda r: r.fact(fact, r.year if this_year else None), reference)


def choice_predicate(id: str, fact: str, choices: list | tuple | str, *, zh: str, en: str,
                     reference: str | None = None) -> Predicate:
    """A predicate that a fact is one of ``choices`` — a list, or the id of a list parameter."""

    def test(r) -> pl.Expr:
        allowed = r.param(choices) if isinstance(choices, str) else list(choices)
        return r.fact(fact).is_in(list(allowed))

    return Predicate(id, zh, en, test, reference)


def threshold_predicate(id: str, fact: str, op: str, bound: Callable[..., int], *, zh: str, en: str,
                        reference: str | None = None) -> Predicate:
    """A predicate ``fact op bound(r)`` — a threshold, so a failure explains the nearest passing value."""
    return Predicate(id, zh, en, None, reference, comparison=(fact, op, bound))


@dataclass(frozen=True)
class SharedNote:
    """A note several rules give (how a missing fact is read, what is computed), written once and given
    with ``r.shared_note(NOTE)``; placeholders allowed."""

    id: str
    zh: str
    en: str
