"""``/api/v1/airspace/…`` — notices, the flight check, the registry, exempt flights, sealing, violations.

Thin over :mod:`.check`, :mod:`.queries` and the commands (run by ``gazette.schemes.handler.execute``).
Access: the notices and ``POST /airspace/check`` are public (anonymous allowed); an owner (citizen or
enterprise) registers their own devices and applies for their own flights; a registrar (公安 / 气象 /
体育) registers, confirms, seals and releases devices and records and hands over violations; an
approver decides flights; an auditor reads everything and writes nothing; the city administrator may
do all. Every state change takes an ``Idempotency-Key`` header (a repeat returns the first result
with ``replayed: true``).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from gazette.api.idempotency import REQUIRED_KEY
from gazette.api.params import RowId
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.errors import Forbidden, InvalidInput
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from jiaxing.schemes.airspace import (
    commands,
    handlers,  # noqa: F401  (registers the command handlers)
    queries,
)
from jiaxing.schemes.airspace.check import check_point, check_track
from jiaxing.schemes.airspace.notices import all_notices, get_notice, known_kinds

router = APIRouter(prefix="/airspace", tags=["airspace"])

R = Role
OWNERS = (R.citizen, R.enterprise)
REGISTRARS = (R.registrar, R.city_admin)
OWNER_OR_REGISTRAR = require_roles(*OWNERS, *REGISTRARS)
REGISTRAR = require_roles(*REGISTRARS)
APPROVER = require_roles(R.approver, R.city_admin)
READER_OR_OWNER = require_roles(*OWNERS, R.registrar, R.approver, R.auditor, R.city_admin)
OFFICIAL_READER = require_roles(R.registrar, R.approver, R.auditor, R.city_admin)



def owner_identity(p: Principal) -> tuple[str, str] | None:
    """(owner_kind, id number) of an owner's login, or None for an official."""
    if p.role == R.citizen:
        if not p.person_id:
            raise Forbidden("您的账户未登记身份证号", "your account has no person id", field="person_id",
                            code="person_required")
        return "person", p.person_id
    if p.role == R.enterprise:
        return "organisation", p.enterprise_id or ""
    return None


def _run(cmd) -> dict[str, Any]:
    out = execute(cmd)
    return {**out.result, "replayed": out.replayed}


# ------------------------------------------------------------------------------ notices and the check


@router.get("/notices", summary="Control notices in force or on file (public)")
def notices() -> list[dict[str, Any]]:
    return [n.summary() for n in all_notices().values()]


@router.get("/notices/{notice_id}", summary="One control notice: zones (GeoJSON), window, objects, exempt purposes")
def notice(notice_id: str) -> dict[str, Any]:
    return get_notice(notice_id).summary()


@router.get("/objects", summary="Object kinds the check knows (other = not listed in any notice)")
def objects() -> dict[str, Any]:
    return known_kinds()


class TrackPoint(BaseModel):
    lat: float = Field(examples=[30.39])
    lon: float = Field(examples=[120.55])
    at: str = Field(examples=["2022-09-12T10:00+08:00"])


class CheckRequest(BaseModel):
    lat: float | None = Field(default=None, examples=[30.39], description="WGS84 latitude (a point check)")
    lon: float | None = Field(default=None, examples=[120.55], description="WGS84 longitude")
    at: str | None = Field(default=None, examples=["2022-09-12T10:00+08:00"],
                           description="ISO 8601; UTC (Z) or +08:00; without an offset: Beijing time")
    object: str = Field(default="drone", examples=["drone"], description="object kind (GET /airspace/objects)")
    device: str | None = Field(default=None, description="serial or registration number: its approved flights count")
    track: list[TrackPoint] | None = Field(default=None, max_length=10_000,
                                           description="a track instead of a point: fixes in time order")


@router.post("/check", summary="Is this flight prohibited, permitted or unknown? (public)")
async def check(req: CheckRequest) -> dict[str, Any]:
    """A point without a device is pure computation (about a millisecond): answered on the event loop,
    with no worker-thread hand-off. A track or a device (a database read) goes to the thread pool."""
    if req.track is None and not req.device:
        return _check(req)
    return await run_in_threadpool(_check, req)


def _check(req: CheckRequest) -> dict[str, Any]:
    flights: list[dict] = []
    kind = req.object
    if req.device:
        with unit_of_work() as s:
            device, flights = queries.flights_for_check(s, req.device)
        kind = device.kind if device is not None else kind
    if req.track is not None:
        return check_track([p.model_dump() for p in req.track], kind, flights=flights)
    missing = [f for f in ("lat", "lon", "at") if getattr(req, f) is None]
    if missing:
        raise InvalidInput(f"缺少字段：{missing[0]}（或给出 track）", f"{missing[0]} is required (or give a track)",
                           field=missing[0], code="invalid_input")
    return check_point(req.lat, req.lon, req.at, kind, flights=flights)


# ------------------------------------------------------------------------------ registry


class DeviceRequest(BaseModel):
    kind: str = Field(examples=["drone"])
    model: str = Field(examples=["DJI Mini 3"])
    serial: str = Field(examples=["1581F5FHB22A0001"])
    owner_kind: Literal["person", "organisation"] | None = Field(default=None, description="registrars only")
    owner_id: str | None = Field(default=None, description="registrars only: 身份证号 or 统一社会信用代码")
    owner_name: str = Field(examples=["张三"])
    owner_phone: str | None = None
    co_registrars: list[str] = Field(default_factory=list, examples=[["气象", "体育"]], description="registrars only")


@router.post("/devices", summary="Register a device (an owner submits; a registrar registers at once) (三)")
def register_device(req: DeviceRequest, p: Principal = Depends(OWNER_OR_REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    own = owner_identity(p)
    if own is not None:
        kind, ident = own
        by_registrar, co = False, ()
    else:
        if not req.owner_kind or not req.owner_id:
            raise InvalidInput("登记人员须填写所有人类型和证件号", "a registrar gives owner_kind and owner_id",
                               field="owner_id" if req.owner_kind else "owner_kind")
        kind, ident, by_registrar, co = req.owner_kind, req.owner_id, True, tuple(req.co_registrars)
    return _run(commands.RegisterDevice(idempotency_key=idempotency_key, actor=p.username, owner_kind=kind,
                                        owner_id=ident, owner_name=req.owner_name,
                                        owner_phone=req.owner_phone, kind=req.kind,
                                        model=req.model, serial=req.serial, by_registrar=by_registrar,
                                        unit=p.unit,
                                        co_registrars=co))


@router.get("/devices", summary="Devices: an owner's own; officials all")
def devices(p: Principal = Depends(READER_OR_OWNER), status: str | None = None, sealed: bool | None = None):
    own = owner_identity(p)
    with unit_of_work() as s:
        return queries.list_devices(s, owner_id_number=own[1] if own else None, status=status, sealed=sealed)


def _own_device(request: Request, p: Principal, device: dict) -> None:
    own = owner_identity(p)
    if own is not None and device["owner"]["id_number"] != own[1]:
        raise forbid(request, p, "airspace device of another owner", message_zh="只能查看本人的设备",
                     message_en="an owner sees their own devices only")


@router.get("/devices/{device_id}", summary="One device with its seal history and flights")
def device(device_id: RowId, request: Request, p: Principal = Depends(READER_OR_OWNER)):
    with unit_of_work() as s:
        d = queries.get_device(s, device_id)
    _own_device(request, p, d)
    return d


class ConfirmRequest(BaseModel):
    co_registrars: list[str] = Field(default_factory=list, examples=[["气象", "体育"]])


@router.post("/devices/{device_id}/confirm", summary="Register an owner's submission (公安, with 气象/体育)")
def confirm(device_id: RowId, req: ConfirmRequest, p: Principal = Depends(REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    return _run(commands.ConfirmRegistration(idempotency_key=idempotency_key, actor=p.username,
                                             device_id=device_id,
                                             unit=p.unit, co_registrars=tuple(req.co_registrars)))


class SealRequest(BaseModel):
    mode: Literal["requested", "direct"] = Field(description="requested: the owner was asked; direct: sealed by the officer")
    reason: str
    place: str
    officer: str | None = Field(default=None, description="default: the caller's name")
    notice_id: str | None = None


@router.post("/devices/{device_id}/seal", summary="Seal a device temporarily (临时封存, 三)")
def seal(device_id: RowId, req: SealRequest, p: Principal = Depends(REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    return _run(commands.SealDevice(idempotency_key=idempotency_key, actor=p.username, device_id=device_id,
                                    mode=req.mode, reason=req.reason, place=req.place,
                                    officer=req.officer or p.display_name,
                                    unit=p.unit, notice_id=req.notice_id))


class ReleaseRequest(BaseModel):
    reason: str
    place: str | None = None
    officer: str | None = None


@router.post("/devices/{device_id}/release", summary="Release a sealed device")
def release(device_id: RowId, req: ReleaseRequest, p: Principal = Depends(REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    return _run(commands.ReleaseDevice(idempotency_key=idempotency_key, actor=p.username, device_id=device_id,
                                       reason=req.reason, place=req.place,
                                       officer=req.officer or p.display_name, unit=p.unit))


# ------------------------------------------------------------------------------ exempt flights


class FlightRequest(BaseModel):
    notice_id: str = Field(examples=["嘉政发〔2022〕17号"])
    device_id: int = Field(ge=1, le=2**63 - 1)
    purpose: str = Field(examples=["broadcast"], description="a purpose the notice lists, or other with purpose_detail")
    purpose_detail: str | None = None
    pilot: str
    start: str = Field(examples=["2022-09-12T09:00+08:00"])
    end: str = Field(examples=["2022-09-12T12:00+08:00"])
    lat: float
    lon: float
    radius_m: float = Field(examples=[300])


@router.post("/flights", summary="Apply for an exempt flight (二)")
def apply_flight(req: FlightRequest, p: Principal = Depends(OWNER_OR_REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    own = owner_identity(p)
    return _run(commands.ApplyFlight(idempotency_key=idempotency_key, actor=p.username,
                                     owner_id=own[1] if own else None,
                                     **req.model_dump()))


@router.get("/flights", summary="Exempt flights: an owner's own; officials all")
def flights(p: Principal = Depends(READER_OR_OWNER), status: str | None = None, notice_id: str | None = None):
    own = owner_identity(p)
    with unit_of_work() as s:
        return queries.list_flights(s, status=status, notice_id=notice_id,
                                    owner_id_number=own[1] if own else None)


class DecisionRequest(BaseModel):
    decision: Literal["approve", "refuse"]
    basis: str = Field(description="the legal basis (依据) of the decision")
    department: str | None = Field(default=None, description="default: the approver's unit")


@router.post("/flights/{flight_id}/decision", summary="Approve or refuse an exempt flight, with its basis")
def decide(flight_id: RowId, req: DecisionRequest, p: Principal = Depends(APPROVER), idempotency_key: str = REQUIRED_KEY):
    return _run(commands.DecideFlight(idempotency_key=idempotency_key, actor=p.username, flight_id=flight_id,
                                      approve=req.decision == "approve", basis=req.basis,
                                      department=req.department or p.unit or "主管部门"))


# ------------------------------------------------------------------------------ violations


class ViolationRequest(BaseModel):
    notice_id: str = Field(examples=["嘉政发〔2022〕17号"])
    at: str
    lat: float
    lon: float
    object: str = "drone"
    source: Literal["report", "check"] = "report"
    description: str | None = None
    device: str | None = Field(default=None, description="serial or registration number, when known")


@router.post("/violations", summary="Record a flight found in a zone during a window (四)")
def record_violation(req: ViolationRequest, p: Principal = Depends(REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    return _run(commands.RecordViolation(idempotency_key=idempotency_key, actor=p.username,
                                         notice_id=req.notice_id,
                                         at=req.at, lat=req.lat, lon=req.lon, object_kind=req.object,
                                         source=req.source,
                                         description=req.description, device=req.device))


@router.get("/violations", summary="Violations and their status")
def violations(p: Principal = Depends(OFFICIAL_READER), status: str | None = None):
    with unit_of_work() as s:
        return queries.list_violations(s, status=status)


class HandOverRequest(BaseModel):
    department: str = Field(examples=["海宁市公安局"])
    note: str | None = None


@router.post("/violations/{violation_id}/handover", summary="Hand a violation to the competent department (四)")
def hand_over(violation_id: RowId, req: HandOverRequest, p: Principal = Depends(REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    return _run(commands.HandOverViolation(idempotency_key=idempotency_key, actor=p.username,
                                           violation_id=violation_id,
                                           department=req.department, note=req.note))


class CloseRequest(BaseModel):
    note: str


@router.post("/violations/{violation_id}/close", summary="Close a violation (the department reported back)")
def close(violation_id: RowId, req: CloseRequest, p: Principal = Depends(REGISTRAR), idempotency_key: str = REQUIRED_KEY):
    return _run(commands.CloseViolation(idempotency_key=idempotency_key, actor=p.username,
                                        violation_id=violation_id,
                                        note=req.note))
