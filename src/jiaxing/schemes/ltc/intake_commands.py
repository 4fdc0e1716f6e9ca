"""Commands of the intake half: what an officer, an assessor, an expert, an applicant or an import asked for.

Each is a frozen dataclass with its idempotency key and actor (gazette.schemes.commands); values are
validated and canonical before a command is built (see :mod:`.intake_service`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from gazette.schemes.commands import Command


@dataclass(frozen=True, kw_only=True)
class ImportRoster(Command):
    scope: ClassVar[str] = "ltc.roster.import"
    batch: str
    rows: tuple  # raw rows as sorted (column, text) tuples; validated row by row in the handler


@dataclass(frozen=True, kw_only=True)
class ClearDuplicate(Command):
    scope: ClassVar[str] = "ltc.duplicate.clear"
    duplicate_id: int
    keep_scheme: str
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class SetPopulation(Command):
    scope: ClassVar[str] = "ltc.population.set"
    district: str
    year: int
    registered: int
    source: str


@dataclass(frozen=True, kw_only=True)
class Fund(Command):
    scope: ClassVar[str] = "ltc.funding"
    year: int
    batch: str


@dataclass(frozen=True, kw_only=True)
class ImportList(Command):
    scope: ClassVar[str] = "ltc.discovery.import"
    kind: str  # discharge | disability | dibao | death
    batch: str
    rows: tuple


@dataclass(frozen=True, kw_only=True)
class Discover(Command):
    scope: ClassVar[str] = "ltc.discovery.run"
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class Apply(Command):
    scope: ClassVar[str] = "ltc.apply"
    person_id: str
    channel: str  # online_self | online_agent | desk | schedule
    applied_on: dt.date
    kind: str = "first"
    agent_name: str = ""
    agent_relation: str = ""
    phone: str = ""
    provider: str = ""
    dementia_unit: bool = False


@dataclass(frozen=True, kw_only=True)
class Withdraw(Command):
    scope: ClassVar[str] = "ltc.withdraw"
    application_id: int


@dataclass(frozen=True, kw_only=True)
class AddExpert(Command):
    scope: ClassVar[str] = "ltc.expert.add"
    username: str
    name: str
    title: str
    unit: str
    district: str | None = None


@dataclass(frozen=True, kw_only=True)
class Collect(Command):
    """镇街信息采集 by an assessor; the system scores it (初评) and draws the experts."""

    scope: ClassVar[str] = "ltc.assess.collect"
    application_id: int
    items: tuple  # (code, points) pairs
    assessor_unit: str
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class AssignExpert(Command):
    scope: ClassVar[str] = "ltc.assess.assign"
    application_id: int
    expert: str  # username


@dataclass(frozen=True, kw_only=True)
class Score(Command):
    """县级专家复评: one expert's blind score."""

    scope: ClassVar[str] = "ltc.assess.score"
    application_id: int
    items: tuple
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class ScheduleReassessments(Command):
    scope: ClassVar[str] = "ltc.reassess.schedule"
    on: dt.date
