"""Typed results of the rules engine: what a calculation *is*, before anyone writes it down.

Money is integer fen, dates are dates, facts keep their in-memory form (fen, scaled decimals, dates)
with their unit. Yuan strings and sentences are made at the edges (:mod:`gazette.rules.engine.rendering`
for the JSON of ``/calculate``, the CLI and the pages).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """A rule's answer for one member: the same words as the JSON and the batch columns."""

    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    """A condition's answer: Kleene logic, a missing fact makes it unknown (never a default yes)."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"

    @classmethod
    def of(cls, value: bool | None) -> Outcome:
        return cls.PASS if value is True else cls.FAIL if value is False else cls.UNKNOWN


# what a prohibition's status means to a reader (a prohibition "applies" = the act is prohibited)
PROHIBITION_OUTCOME = {Status.ELIGIBLE: "prohibited", Status.INELIGIBLE: "permitted", Status.UNKNOWN: "unknown"}


@dataclass(frozen=True, slots=True)
class Fact:
    """A fact a condition read: its column, its in-memory value (fen for money, an int ×10^scale for a
    decimal, a date …) and its unit (``money``, ``decimal:N`` or ``""``)."""

    column: str
    value: Any
    unit: str


@dataclass(frozen=True, slots=True)
class Threshold:
    """A compared value and its bound (in-memory units); for a failed threshold, the nearest value that
    would pass and, when a probe could tell, the amount it would pay (fen)."""

    label_en: str
    label_zh: str
    value: int | None
    bound: int | None
    op: str
    unit: str
    nearest: int | None = None
    would_qualify_fen: int | None = None


@dataclass(frozen=True, slots=True)
class Validity:
    """The rule's validity window against the calculation date; ``reason`` when outside it."""

    outcome: Outcome
    on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    reason_zh: str | None = None
    reason_en: str | None = None


@dataclass(frozen=True, slots=True)
class Condition:
    id: str
    outcome: Outcome
    text_zh: str
    text_en: str
    facts: tuple[Fact, ...]
    reference: str | None = None
    missing: tuple[str, ...] | None = None  # the facts nobody gave (only for an unknown condition)
    threshold: Threshold | None = None


@dataclass(frozen=True, slots=True)
class ParameterUsed:
    """A parameter as the rule read it: value in memory (fen for money; a scale as (threshold, amount)
    rows), effective date, clauses; ``overridden`` for a what-if value."""

    id: str
    value: Any
    unit: str | None
    threshold_unit: str | None
    is_scale: bool
    effective_from: dt.date
    references: tuple[str, ...]
    overridden: bool = False
    decision: str | None = None
    source: str | None = None
    demo: bool = False


@dataclass(frozen=True, slots=True)
class Tier:
    """The step of a scale the value falls on (1-based ``tier``; None below every step)."""

    param: str
    label_en: str
    label_zh: str
    value: int | None
    unit: str
    tier: int | None
    tiers: int
    threshold: int | None = None
    amount_fen: int | None = None
    next_threshold: int | None = None
    next_amount_fen: int | None = None


@dataclass(frozen=True, slots=True)
class Detail:
    id: str
    text_zh: str
    text_en: str
    value: Any
    unit: str


@dataclass(frozen=True, slots=True)
class Note:
    text_zh: str
    text_en: str


@dataclass(frozen=True, slots=True)
class Excluded:
    """所列奖励条款不得重复享受: another rule of the same exclusive group pays more (``kept``)."""

    kept: str
    group: str


@dataclass(frozen=True, slots=True)
class Amount:
    amount_fen: int | None
    status: Status


ExplanationItem = Validity | Condition | ParameterUsed | Tier | Detail | Note | Excluded | Amount


@dataclass(frozen=True, slots=True)
class RuleResult:
    """One rule for one member of the situation."""

    rule_id: str
    entity_id: str
    entity_type: str
    kind: str
    status: Status
    amount_fen: int | None  # None when the status is unknown or the rule pays no money
    title_zh: str
    title_en: str
    period: str
    references: tuple[str, ...]
    pays_money: bool  # the rule has a unit (an amount in the JSON even when 0)
    explanation: tuple[ExplanationItem, ...] | None = None  # None when not asked for
    missing_facts: tuple[str, ...] = ()

    @property
    def outcome(self) -> str | None:
        """For a prohibition: prohibited / permitted / unknown."""
        return PROHIBITION_OUTCOME[self.status] if self.kind == "prohibition" else None

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return tuple(i for i in self.explanation or () if isinstance(i, Condition))


@dataclass(frozen=True, slots=True)
class Totals:
    benefits_fen: int  # eligible benefits paid, in fen
    eligible: int
    unknown: int


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every rule for every member of a situation on a date, with what-if overrides."""

    on: dt.date
    overrides: dict[str, Any]  # as given (YAML units), for the record
    results: tuple[RuleResult, ...]

    @property
    def totals(self) -> Totals:
        paid = sum(r.amount_fen for r in self.results
                   if r.status is Status.ELIGIBLE and r.kind == "benefit" and r.amount_fen)
        return Totals(paid, sum(1 for r in self.results if r.status is Status.ELIGIBLE),
                      sum(1 for r in self.results if r.status is Status.UNKNOWN))

    def for_rule(self, rule_id: str) -> list[RuleResult]:
        return [r for r in self.results if r.rule_id == rule_id]

    def one(self, rule_id: str, entity_id: str | None = None) -> RuleResult:
        """The result of one rule (for one member when the rule applies to several)."""
        found = [r for r in self.results if r.rule_id == rule_id and (entity_id is None or r.entity_id == entity_id)]
        if len(found) != 1:
            raise LookupError(f"{len(found)} results for {rule_id} {entity_id or ''}".strip())
        return found[0]
