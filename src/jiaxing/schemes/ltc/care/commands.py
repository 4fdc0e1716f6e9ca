"""Commands of the care half: what provider staff, a caregiver, an officer or a beneficiary asked for.

Frozen dataclasses with their idempotency key and actor (gazette.schemes.commands), values validated
and canonical before they are built; carried out by :mod:`.handlers`. Runs (settle, pay, screen) are
keyed by (run type, month) instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from gazette.schemes.commands import Command


@dataclass(frozen=True, kw_only=True)
class RegisterProvider(Command):
    scope: ClassVar[str] = "ltc.provider"
    code: str
    name: str
    district: str
    care_type: str
    dementia_unit: bool = False
    designated_on: dt.date


@dataclass(frozen=True, kw_only=True)
class RegisterCaregiver(Command):
    scope: ClassVar[str] = "ltc.caregiver"
    provider_code: str
    name: str
    certificate: str


@dataclass(frozen=True, kw_only=True)
class ChoosePlan(Command):
    scope: ClassVar[str] = "ltc.plan"
    person_id: str
    provider_code: str
    starts_on: dt.date
    items: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class CheckIn(Command):
    scope: ClassVar[str] = "ltc.checkin"
    certificate: str
    person_id: str
    at: dt.datetime
    lat_udeg: int | None = None
    lon_udeg: int | None = None
    face_ok: bool | None = None


@dataclass(frozen=True, kw_only=True)
class CheckOut(Command):
    scope: ClassVar[str] = "ltc.checkout"
    visit_id: int
    at: dt.datetime
    items: tuple[str, ...]
    #: The caregiver checking out (their certificate): only the one who checked in may close the visit.
    #: None for an operator's correction from the CLI.
    certificate: str | None = None


@dataclass(frozen=True, kw_only=True)
class RecordDay(Command):
    scope: ClassVar[str] = "ltc.day"
    person_id: str
    day: dt.date
    items: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class DecideFinding(Command):
    scope: ClassVar[str] = "ltc.finding"
    finding_id: int
    decision: str  # confirmed | dismissed
    note: str = ""
    district: str | None = None  # the officer's district (None: city-wide)


@dataclass(frozen=True, kw_only=True)
class RateVisit(Command):
    scope: ClassVar[str] = "ltc.rate"
    visit_id: int
    person_id: str
    stars: int
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class CorrectPaidClaim(Command):
    """An officer's correction of a provider's paid claim for ``month``: a new ledger entry beside the
    paid one (never an edit), paid or recovered by the next payment run (D-LTC-C3)."""

    scope: ClassVar[str] = "ltc.correction"
    provider_code: str
    month: str  # the care month of the paid claim, YYYY-MM
    amount_fen: int  # positive: owed to the provider; negative: recovered from it
    reason: str
    clause: str
    district: str | None = None  # the officer's district (None: city-wide)
