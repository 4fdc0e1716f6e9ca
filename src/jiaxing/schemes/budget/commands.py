"""Commands of the budget scheme: every state change, as a frozen dataclass carried out by handlers.py.

Values are validated and canonicalised (yuan → fen, dates) by the edges before a command is built,
so two spellings of one request hash alike for idempotency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, ClassVar

from gazette.schemes.commands import Command


@dataclass(frozen=True, kw_only=True)
class ImportBudget(Command):
    """Replace a budget year's figures with validated rows; the checks run on every import."""

    scope: ClassVar[str] = "budget.import"
    year: int
    rows: tuple[dict[str, Any], ...]
    source: str = ""


@dataclass(frozen=True, kw_only=True)
class RunChecks(Command):
    scope: ClassVar[str] = "budget.check"
    year: int


@dataclass(frozen=True, kw_only=True)
class RecordEvent(Command):
    """One event of the calendar (an approval, a reply, a disclosure, a report…), recorded once."""

    scope: ClassVar[str] = "budget.event"
    year: int
    kind: str
    on: dt.date
    subject: str = ""
    period: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class FileRequest(Command):
    """A department files an adjustment request for itself or one of its units (四.（四）.1)."""

    scope: ClassVar[str] = "budget.request"
    year: int
    department: str
    unit: str
    title: str
    kind: str
    condition: str
    direction: str
    amount_fen: int
    priority_class: int
    performance: str
    affordability: str
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class RouteRequest(Command):
    """Finance accepts (and routes by kind, onto the reserve list) or refuses a request (四.（三）、（四）、（五）)."""

    scope: ClassVar[str] = "budget.route"
    request_id: int
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class Decide(Command):
    """The next step of a routed request: approve or reject, by the role that step belongs to."""

    scope: ClassVar[str] = "budget.decide"
    request_id: int
    outcome: str  # approve | reject
    on: dt.date
    role: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class SubmitToNPC(Command):
    """Finance submits an adjustment plan to the 人大常委会 (四.（五）.3), by 31 October or with a reason."""

    scope: ClassVar[str] = "budget.npc"
    request_id: int
    on: dt.date
    reason: str = ""
