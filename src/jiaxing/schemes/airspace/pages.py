"""Web pages of the airspace scheme: the public map and check (/airspace), an owner's page
(/airspace/me), the registrar's registry (/airspace/registry) and the approver's queue
(/airspace/approvals). Thin: every form runs one command through ``execute``; a refused command is
shown on the page with the field and writes nothing. Forms are POSTs with the session's CSRF token
and an idempotency key per rendered form (a double submit replays)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gazette.api.params import RowId
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError, InvalidInput
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.airspace import commands, handlers, queries
from jiaxing.schemes.airspace.api import owner_identity
from jiaxing.schemes.airspace.check import check_point
from jiaxing.schemes.airspace.notices import all_notices, get_notice, known_kinds
from jiaxing.schemes.airspace.statuses import DeviceStatus, FlightStatus, ViolationStatus
from jiaxing.schemes.airspace.svgmap import render
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)

OWNER_ROLES = (Role.citizen, Role.enterprise)
REGISTRY_ROLES = (Role.registrar, Role.auditor, Role.city_admin)
APPROVAL_ROLES = (Role.approver, Role.auditor, Role.city_admin)
OUTCOME = {"prohibited": "禁止飞行 Prohibited", "permitted": "允许 Permitted", "unknown": "无法确定 Unknown"}
DEVICE_STATUS = {DeviceStatus.SUBMITTED: "待公安登记 Awaiting registration",
                 DeviceStatus.REGISTERED: "已登记 Registered"}
FLIGHT_STATUS = {FlightStatus.APPLIED: "待审批 Pending", FlightStatus.APPROVED: "已批准 Approved",
                 FlightStatus.REFUSED: "不予批准 Refused"}
VIOLATION_STATUS = {ViolationStatus.RECORDED: "已记录 Recorded", ViolationStatus.HANDED_OVER: "已移交 Handed over",
                    ViolationStatus.CLOSED: "已办结 Closed"}
SEAL_MODE = {"requested": "要求封存 Owner asked to seal", "direct": "直接封存 Sealed by the officer"}


def _labels() -> dict[str, Any]:
    return {"kinds": known_kinds(), "outcome_labels": OUTCOME, "device_status": DEVICE_STATUS,
            "flight_status": FLIGHT_STATUS, "violation_status": VIOLATION_STATUS, "seal_modes": SEAL_MODE,
            "co_registrars": handlers.co_registrar_units(), "notices": list(all_notices().values())}


def _render(request: Request, name: str, ctx: dict[str, Any], error: GazetteError | None = None,
            status: int = 200) -> HTMLResponse:
    ctx = {**_labels(), **ctx, "error": error_view(error) if error else None}
    return templates.TemplateResponse(request, name, ctx, status_code=http_status(error) if error else status)


def _form(form) -> dict[str, str]:
    return {k: str(v).strip() for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}


def _float(values: dict[str, str], field: str) -> float:
    try:
        return float(values.get(field, ""))
    except ValueError:
        raise InvalidInput(f"请填写数字：{field}", f"a number is required: {field}", field=field) from None


def _int(values: dict[str, str], field: str) -> int:
    raw = values.get(field, "")
    if not raw.isdigit() or len(raw) > 18:
        raise InvalidInput("请选择设备", "choose a device", field=field)
    return int(raw)


# ------------------------------------------------------------------------------ public map and check


@router.get("/airspace", response_class=HTMLResponse)
def map_page(request: Request):
    q = request.query_params
    notices = list(all_notices().values())
    try:
        notice = get_notice(q["notice"]) if q.get("notice") else notices[0]
    except GazetteError:
        notice = notices[0]
    result = error = None
    values = {k: q.get(k, "") for k in ("lat", "lon", "at", "object", "device")}
    if q.get("lat") or q.get("lon") or q.get("at"):
        try:
            flights = []
            kind = values["object"] or "drone"
            if values["device"]:
                with unit_of_work() as s:
                    d, flights = queries.flights_for_check(s, values["device"])
                kind = d.kind
            result = check_point(values["lat"], values["lon"], values["at"], kind, flights=flights)
        except GazetteError as exc:
            error = exc
    with unit_of_work() as s:
        approved = queries.list_flights(s, status=FlightStatus.APPROVED, notice_id=notice.id)
    point = {**result, "lat": result["lat"], "lon": result["lon"]} if result else None
    svg = render(notice, approved, point)
    return _render(request, "airspace_map.html", {"notice": notice, "svg": svg, "approved": approved,
                                                  "result": result, "values": values}, error)


# ------------------------------------------------------------------------------ owner


def _owner_ctx(p: Principal) -> dict[str, Any]:
    own = owner_identity(p)
    with unit_of_work() as s:
        devices = queries.list_devices(s, owner_id_number=own[1])
        flights = queries.list_flights(s, owner_id_number=own[1])
    return {"who": p, "owner_kind": own[0], "owner_id": own[1], "devices": devices, "flights": flights,
            "device_key": new_key(p, "asdev"), "flight_key": new_key(p, "asfl")}


@router.get("/airspace/me", response_class=HTMLResponse)
def owner_page(request: Request):
    p = require(request, *OWNER_ROLES)
    return _render(request, "airspace_owner.html", {**_owner_ctx(p), "values": {}, "done": request.query_params.get("done")})


@router.post("/airspace/me/devices", response_class=HTMLResponse)
async def owner_register(request: Request):
    p = require(request, *OWNER_ROLES)
    form = await request.form()
    csrf(request, form)
    v = _form(form)
    try:
        kind, ident = owner_identity(p)
        execute(commands.RegisterDevice(idempotency_key=form_key(p, form, "asdev"), actor=p.username,
                                        owner_kind=kind,
                                        owner_id=ident, owner_name=v.get("owner_name") or p.display_name,
                                        owner_phone=v.get("owner_phone") or None, kind=v.get("kind", ""),
                                        model=v.get("model", ""), serial=v.get("serial", "")))
    except GazetteError as exc:
        return _render(request, "airspace_owner.html", {**_owner_ctx(p), "values": v, "done": None}, exc)
    return see_other("/airspace/me?done=device")


@router.post("/airspace/me/flights", response_class=HTMLResponse)
async def owner_apply(request: Request):
    p = require(request, *OWNER_ROLES)
    form = await request.form()
    csrf(request, form)
    v = _form(form)
    try:
        _, ident = owner_identity(p)
        execute(commands.ApplyFlight(idempotency_key=form_key(p, form, "asfl"), actor=p.username,
                                     owner_id=ident,
                                     notice_id=v.get("notice_id", ""), device_id=_int(v, "device_id"),
                                     purpose=v.get("purpose", ""),
                                     purpose_detail=v.get("purpose_detail") or None,
                                     pilot=v.get("pilot", ""), start=v.get("start", ""), end=v.get("end", ""),
                                     lat=_float(v, "lat"), lon=_float(v, "lon"),
                                     radius_m=_float(v, "radius_m")))
    except GazetteError as exc:
        return _render(request, "airspace_owner.html", {**_owner_ctx(p), "values": v, "done": None}, exc)
    return see_other("/airspace/me?done=flight")


# ------------------------------------------------------------------------------ registrar


def _registry_ctx(p: Principal) -> dict[str, Any]:
    with unit_of_work() as s:
        devices = queries.list_devices(s)
        violations = queries.list_violations(s)
    for d in devices:
        d["keys"] = {a: new_key(p, f"as{a}{d['id']}") for a in ("confirm", "seal", "release")}
    for x in violations:
        x["keys"] = {a: new_key(p, f"as{a}{x['id']}") for a in ("handover", "close")}
    return {"who": p, "devices": devices, "violations": violations, "can_write": not p.read_only,
            "register_key": new_key(p, "asreg"), "violation_key": new_key(p, "asvio")}


@router.get("/airspace/registry", response_class=HTMLResponse)
def registry_page(request: Request):
    p = require(request, *REGISTRY_ROLES)
    return _render(request, "airspace_registry.html", {**_registry_ctx(p), "values": {},
                                                       "done": request.query_params.get("done")})


def _registrar_command(p: Principal, action: str, target: int | None, v: dict[str, str], form):
    key = lambda what: form_key(p, form, what)  # noqa: E731
    if action == "register":
        return commands.RegisterDevice(idempotency_key=key("asreg"), actor=p.username,
                                       owner_kind=v.get("owner_kind", ""),
                                       owner_id=v.get("owner_id", ""), owner_name=v.get("owner_name", ""),
                                       owner_phone=v.get("owner_phone") or None, kind=v.get("kind", ""),
                                       model=v.get("model", ""), serial=v.get("serial", ""),
                                       by_registrar=True, unit=p.unit,
                                       co_registrars=tuple(form.getlist("co_registrars")))
    if action == "confirm":
        return commands.ConfirmRegistration(idempotency_key=key(f"asconfirm{target}"), actor=p.username,
                                            device_id=target,
                                            unit=p.unit, co_registrars=tuple(form.getlist("co_registrars")))
    if action == "seal":
        return commands.SealDevice(idempotency_key=key(f"asseal{target}"), actor=p.username, device_id=target,
                                   mode=v.get("mode", ""), reason=v.get("reason", ""),
                                   place=v.get("place", ""),
                                   officer=v.get("officer") or p.display_name, unit=p.unit,
                                   notice_id=v.get("notice_id") or None)
    if action == "release":
        return commands.ReleaseDevice(idempotency_key=key(f"asrelease{target}"), actor=p.username,
                                      device_id=target,
                                      reason=v.get("reason", ""), officer=v.get("officer") or p.display_name,
                                      unit=p.unit)
    if action == "violation":
        return commands.RecordViolation(idempotency_key=key("asvio"), actor=p.username,
                                        notice_id=v.get("notice_id", ""),
                                        at=v.get("at", ""), lat=_float(v, "lat"), lon=_float(v, "lon"),
                                        object_kind=v.get("object", "drone"),
                                        source=v.get("source", "report"),
                                        description=v.get("description") or None,
                                        device=v.get("device") or None)
    if action == "handover":
        return commands.HandOverViolation(idempotency_key=key(f"ashandover{target}"), actor=p.username,
                                          violation_id=target,
                                          department=v.get("department", ""), note=v.get("note") or None)
    return commands.CloseViolation(idempotency_key=key(f"asclose{target}"), actor=p.username,
                                   violation_id=target,
                                   note=v.get("note", ""))


async def _registrar_post(request: Request, action: str, target: int | None = None):
    p = require(request, Role.registrar, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    v = _form(form)
    try:
        execute(_registrar_command(p, action, target, v, form))
    except GazetteError as exc:
        return _render(request, "airspace_registry.html", {**_registry_ctx(p), "values": {**v, "action": action,
                                                                                          "target": target},
                                                           "done": None}, exc)
    return see_other(f"/airspace/registry?done={action}")


@router.post("/airspace/registry/devices", response_class=HTMLResponse)
async def registry_register(request: Request):
    return await _registrar_post(request, "register")


@router.post("/airspace/registry/devices/{device_id}/confirm", response_class=HTMLResponse)
async def registry_confirm(request: Request, device_id: RowId):
    return await _registrar_post(request, "confirm", device_id)


@router.post("/airspace/registry/devices/{device_id}/seal", response_class=HTMLResponse)
async def registry_seal(request: Request, device_id: RowId):
    return await _registrar_post(request, "seal", device_id)


@router.post("/airspace/registry/devices/{device_id}/release", response_class=HTMLResponse)
async def registry_release(request: Request, device_id: RowId):
    return await _registrar_post(request, "release", device_id)


@router.post("/airspace/registry/violations", response_class=HTMLResponse)
async def registry_violation(request: Request):
    return await _registrar_post(request, "violation")


@router.post("/airspace/registry/violations/{violation_id}/handover", response_class=HTMLResponse)
async def registry_handover(request: Request, violation_id: RowId):
    return await _registrar_post(request, "handover", violation_id)


@router.post("/airspace/registry/violations/{violation_id}/close", response_class=HTMLResponse)
async def registry_close(request: Request, violation_id: RowId):
    return await _registrar_post(request, "close", violation_id)


# ------------------------------------------------------------------------------ approver


def _approvals_ctx(p: Principal) -> dict[str, Any]:
    with unit_of_work() as s:
        pending = queries.list_flights(s, status=FlightStatus.APPLIED)
        decided = [f for f in queries.list_flights(s) if f["status"] != FlightStatus.APPLIED][:50]
    for f in pending:
        f["key"] = new_key(p, f"asdecide{f['id']}")
    return {"who": p, "pending": pending, "decided": decided, "can_write": not p.read_only}


@router.get("/airspace/approvals", response_class=HTMLResponse)
def approvals_page(request: Request):
    p = require(request, *APPROVAL_ROLES)
    return _render(request, "airspace_approvals.html", {**_approvals_ctx(p), "values": {},
                                                        "done": request.query_params.get("done")})


@router.post("/airspace/approvals/{flight_id}", response_class=HTMLResponse)
async def approvals_decide(request: Request, flight_id: RowId):
    p = require(request, Role.approver, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    v = _form(form)
    try:
        if v.get("decision") not in ("approve", "refuse"):
            raise InvalidInput("请选择批准或不予批准", "choose approve or refuse", field="decision")
        out = execute(commands.DecideFlight(idempotency_key=form_key(p, form, f"asdecide{flight_id}"),
                                            actor=p.username,
                                            flight_id=flight_id, approve=v["decision"] == "approve",
                                            basis=v.get("basis", ""),
                                            department=v.get("department") or p.unit or "主管部门"))
    except GazetteError as exc:
        return _render(request, "airspace_approvals.html", {**_approvals_ctx(p), "values": {**v, "flight": flight_id},
                                                            "done": None}, exc)
    return see_other(f"/airspace/approvals?done={out.result['status']}&flight={flight_id}")
