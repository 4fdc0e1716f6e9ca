"""The resident pension's commands: what an officer, an approver or an import asked for.

Each is a frozen dataclass with its idempotency key and actor (gazette.schemes.commands); values are
validated and canonical before a command is built (see :mod:`.participants`, :mod:`.contributions`,
:mod:`.adjustment` for the functions that carry them out, registered with ``@handles``).
Batch runs (payroll, top-up, bank files) are not commands: they are keyed by (run type, period).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from gazette.schemes.commands import Command
from jiaxing.schemes.resident_pension.models import ParticipantStatus


@dataclass(frozen=True, kw_only=True)
class Enrol(Command):
    scope: ClassVar[str] = "pension.enrol"
    person_id: str
    name: str
    district: str
    enrolled_on: dt.date
    status: str = ParticipantStatus.CONTRIBUTING
    pension_from: str | None = None  # YYYY-MM, for a person already receiving
    bank: str = "JXRCB"
    bank_account: str = ""


@dataclass(frozen=True, kw_only=True)
class ImportRoster(Command):
    scope: ClassVar[str] = "pension.import"
    rows: tuple  # validated Enrol bodies (dicts as sorted tuples), see participants.import_roster


@dataclass(frozen=True, kw_only=True)
class StartPension(Command):
    scope: ClassVar[str] = "pension.start"
    person_id: str
    from_month: str


@dataclass(frozen=True, kw_only=True)
class Suspend(Command):
    scope: ClassVar[str] = "pension.suspend"
    person_id: str
    reason: str = "待遇资格认证未通过"


@dataclass(frozen=True, kw_only=True)
class Restart(Command):
    scope: ClassVar[str] = "pension.restart"
    person_id: str


@dataclass(frozen=True, kw_only=True)
class ReportDeath(Command):
    scope: ClassVar[str] = "pension.death"
    person_id: str
    death_date: dt.date


@dataclass(frozen=True, kw_only=True)
class TransferOut(Command):
    scope: ClassVar[str] = "pension.transfer_out"
    person_id: str
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class Contribute(Command):
    scope: ClassVar[str] = "pension.contribute"
    person_id: str
    year: int
    amount_fen: int
    paid_on: dt.date


@dataclass(frozen=True, kw_only=True)
class ProposeAdjustment(Command):
    scope: ClassVar[str] = "pension.adjust.propose"
    year: int
    rural_income_fen: int
    growth_ppm: int


@dataclass(frozen=True, kw_only=True)
class EditAdjustment(Command):
    scope: ClassVar[str] = "pension.adjust.edit"
    year: int
    amount_fen: int
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class SubmitAdjustment(Command):
    scope: ClassVar[str] = "pension.adjust.submit"
    year: int


@dataclass(frozen=True, kw_only=True)
class ApproveAdjustment(Command):
    scope: ClassVar[str] = "pension.adjust.approve"
    year: int


@dataclass(frozen=True, kw_only=True)
class RejectAdjustment(Command):
    scope: ClassVar[str] = "pension.adjust.reject"
    year: int
    reason: str
