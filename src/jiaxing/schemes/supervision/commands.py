"""The state changes of the supervision workbench, as commands (run by :mod:`.handlers` via
``gazette.schemes.handler.execute``). Values are validated before a command is built (see
:mod:`.validation`), so two spellings of one request hash alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from gazette.schemes.commands import Command


@dataclass(frozen=True, kw_only=True)
class SyncRegister(Command):
    """Load the register from the corpus: new entries are added, extracted fields refreshed; officers'
    corrections and reports are never touched."""

    scope: ClassVar[str] = "supervision.sync"
    entries: tuple = ()  # empty: the shipped gazettes


@dataclass(frozen=True, kw_only=True)
class ConfirmTask(Command):
    scope: ClassVar[str] = "supervision.confirm"
    task_id: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class CorrectTask(Command):
    """An officer's correction, kept beside the extraction. ``None`` = keep the field as it is."""

    scope: ClassVar[str] = "supervision.correct"
    task_id: str
    reason: str
    units: tuple[str, ...] | None = None
    deadline: dt.date | None = None
    targets: tuple | None = None  # ({object, value, unit, comparison, text}, …)
    text: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReportProgress(Command):
    scope: ClassVar[str] = "supervision.report"
    task_id: str
    unit: str  # the reporting unit: a unit reporter's own
    status: str  # a ReportStatus
    percent: int
    reported_on: dt.date
    actual: str | None = None  # exact decimal string, the indicator's actual value
    evidence: str | None = None
    evidence_file: str | None = None
    officer: bool = False  # an officer reporting on a unit's behalf (the unit must be the task's)


@dataclass(frozen=True, kw_only=True)
class RegisterProject(Command):
    scope: ClassVar[str] = "supervision.project"
    id: str
    name: str
    category: str
    level: str
    district: str
    owner_unit: str
    total_wan: int
    annual_plan_wan: int
    planned_start: dt.date | None
    is_new: bool
    library: str  # reserve | new | construction
    on: dt.date


@dataclass(frozen=True, kw_only=True)
class RecordProjectEvent(Command):
    """approval_started (储备库→新建库), construction_started (新建库→在建库), stats_entered, moved_back."""

    scope: ClassVar[str] = "supervision.event"
    project_id: str
    event: str
    on: dt.date
    reason: str | None = None
    to_library: str | None = None  # moved_back only
    month: str | None = None  # stats_entered: YYYY-MM


@dataclass(frozen=True, kw_only=True)
class ReportInvestment(Command):
    scope: ClassVar[str] = "supervision.investment"
    project_id: str
    month: str
    amount_wan: int


@dataclass(frozen=True, kw_only=True)
class ImportProjects(Command):
    """A validated spreadsheet: every row registered (and its reported months) in one transaction."""

    scope: ClassVar[str] = "supervision.import"
    rows: tuple  # (RegisterProject fields as dict, {month: amount_wan}, started_on or None)
