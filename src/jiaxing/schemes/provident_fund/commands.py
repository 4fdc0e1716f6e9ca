"""The provident fund's commands: every state change a worker, the centre or the operator asks for.

Each is a frozen dataclass carrying its idempotency key and actor (gazette.schemes.commands),
with values already validated and canonical (person ids by gazette.validate, months as month
indexes, money in fen). :mod:`.handlers` registers the functions that carry them out; the edges
build them through :mod:`.service`. Batch runs are not commands: they are keyed by (run type, period)
in ``ledger_runs`` (:mod:`.runs`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from gazette.schemes.commands import Command


@dataclass(frozen=True, kw_only=True)
class SetUp(Command):
    scope: ClassVar[str] = "pf.setup"
    business_date: dt.date


@dataclass(frozen=True, kw_only=True)
class AdvanceBusinessDate(Command):
    scope: ClassVar[str] = "pf.advance"
    to: dt.date


@dataclass(frozen=True, kw_only=True)
class SetReference(Command):
    scope: ClassVar[str] = "pf.reference"
    kind: str
    start: dt.date
    value: int
    source: str
    demo: bool = False


@dataclass(frozen=True, kw_only=True)
class OpenAccount(Command):
    """第八至十二条. ``transfer_in``: (amount_fen, months paid there, last month paid there) — 第十、十八条."""

    scope: ClassVar[str] = "pf.open"
    person_id: str
    name: str
    sex: str
    birth_date: dt.date
    flexible_pension: bool = True
    stable_residence_income: bool = True
    full_capacity: bool = True
    base_fen: int
    rate: str
    transfer_in: tuple[int, int, int] | None = None


@dataclass(frozen=True, kw_only=True)
class OpenAccounts(Command):
    """Batch onboarding: rows of (person_id, name, sex, birth date, flexible_pension, stable_residence_income,
    full_capacity, base_fen, rate); any refused row refuses the whole batch."""

    scope: ClassVar[str] = "pf.open_many"
    rows: tuple


@dataclass(frozen=True, kw_only=True)
class Prepay(Command):
    scope: ClassVar[str] = "pf.prepay"
    person_id: str
    through: int
    from_month: int | None = None


@dataclass(frozen=True, kw_only=True)
class Stop(Command):
    scope: ClassVar[str] = "pf.stop"
    person_id: str
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class Unseal(Command):
    scope: ClassVar[str] = "pf.unseal"
    person_id: str


@dataclass(frozen=True, kw_only=True)
class SetLoan(Command):
    scope: ClassVar[str] = "pf.loan"
    person_id: str
    outstanding: bool


@dataclass(frozen=True, kw_only=True)
class Adjust(Command):
    scope: ClassVar[str] = "pf.adjust"
    person_id: str
    base_fen: int
    rate: str


@dataclass(frozen=True, kw_only=True)
class TransferOut(Command):
    scope: ClassVar[str] = "pf.transfer_out"
    person_id: str


@dataclass(frozen=True, kw_only=True)
class Restrict(Command):
    """第二十二条."""

    scope: ClassVar[str] = "pf.restrict"
    person_id: str
    until: dt.date
    reason: str


@dataclass(frozen=True, kw_only=True)
class ResolveRecall(Command):
    """第二十三条."""

    scope: ClassVar[str] = "pf.recall"
    person_id: str
    recovered: bool
