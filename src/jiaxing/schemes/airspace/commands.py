"""The airspace scheme's state changes, as commands (frozen dataclasses carried out by :mod:`.handlers`).

Times are ISO 8601 strings (an offset, or Beijing time without one); the handler validates every
value and names the failing field; a refused command writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from gazette.schemes.commands import Command


@dataclass(frozen=True, kw_only=True)
class RegisterDevice(Command):
    """信息登记 (三). By an owner (status ``submitted``) or a registrar (``registered`` at once)."""

    scope: ClassVar[str] = "airspace.register_device"
    owner_kind: str  # person | organisation
    owner_id: str  # 身份证号 or 统一社会信用代码
    owner_name: str
    owner_phone: str | None = None
    kind: str
    model: str
    serial: str
    by_registrar: bool = False
    unit: str | None = None  # the registering 公安 unit
    co_registrars: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ConfirmRegistration(Command):
    """The 公安 registers an owner's submission, with 气象/体育 as co-registrars."""

    scope: ClassVar[str] = "airspace.confirm_registration"
    device_id: int
    unit: str | None = None
    co_registrars: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class SealDevice(Command):
    """临时封存 (三): ``requested`` (the owner was asked to seal it) or ``direct`` (sealed by the officer)."""

    scope: ClassVar[str] = "airspace.seal_device"
    device_id: int
    mode: str
    reason: str
    place: str
    officer: str
    unit: str | None = None
    notice_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ReleaseDevice(Command):
    scope: ClassVar[str] = "airspace.release_device"
    device_id: int
    reason: str
    officer: str
    place: str | None = None
    unit: str | None = None


@dataclass(frozen=True, kw_only=True)
class ApplyFlight(Command):
    """An application for an exempt flight (二: 经依法批准用于…的除外) in a zone during the window."""

    scope: ClassVar[str] = "airspace.apply_flight"
    notice_id: str
    device_id: int
    purpose: str
    purpose_detail: str | None = None
    pilot: str
    start: str
    end: str
    lat: float
    lon: float
    radius_m: float
    owner_id: str | None = None  # when set (an owner applying), the device must be theirs


@dataclass(frozen=True, kw_only=True)
class DecideFlight(Command):
    """Approval or refusal by the competent department, with its basis (依据)."""

    scope: ClassVar[str] = "airspace.decide_flight"
    flight_id: int
    approve: bool
    basis: str
    department: str


@dataclass(frozen=True, kw_only=True)
class RecordViolation(Command):
    """A flight found in a zone during a window (四), from a report or a check."""

    scope: ClassVar[str] = "airspace.record_violation"
    notice_id: str
    at: str
    lat: float
    lon: float
    object_kind: str
    source: str = "report"
    description: str | None = None
    device: str | None = None  # serial or registration number, when known


@dataclass(frozen=True, kw_only=True)
class HandOverViolation(Command):
    """移交主管部门 (四): the department that penalises under its own law; no penalty is computed here."""

    scope: ClassVar[str] = "airspace.hand_over_violation"
    violation_id: int
    department: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True)
class CloseViolation(Command):
    scope: ClassVar[str] = "airspace.close_violation"
    violation_id: int
    note: str
