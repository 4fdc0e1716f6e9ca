"""Carrying out the airspace commands: one function per command, in the caller's unit of work, with
its audit record (gazette.schemes.handler). Every check happens before the first write; a refusal
raises and rolls back, so nothing is written."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gazette import validate
from gazette.errors import Conflict, InvalidInput
from gazette.ledger.clock import now
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.airspace import commands, queries
from jiaxing.schemes.airspace.check import check_coords, check_point, parse_time
from jiaxing.schemes.airspace.models import Device, Flight, Owner, SealEvent, Violation
from jiaxing.schemes.airspace.notices import SHANGHAI, all_notices, check_kind, get_notice, not_found
from jiaxing.schemes.airspace.statuses import DeviceStatus, FlightStatus, ViolationStatus

MAX_RADIUS_M = 20_000


def co_registrar_units() -> list[str]:
    units: list[str] = []
    for n in all_notices().values():
        for u in n.departments.get("co_registrars") or []:
            if u not in units:
                units.append(str(u))
    return units


def _co_registrars(values: tuple[str, ...]) -> list[str]:
    allowed = co_registrar_units()
    out = []
    for v in values:
        if v not in allowed:
            raise InvalidInput(f"会同登记部门应为：{'、'.join(allowed)}", f"co-registrars are among: {', '.join(allowed)}",
                               field="co_registrars", code="invalid_co_registrar")
        if v not in out:
            out.append(v)
    return out


def _text(value: Any, field: str, max_length: int = 200) -> str:
    return validate.text(value, field, max_length=max_length)


def _owner_id(kind: str, value: str) -> str:
    if kind == "person":
        return validate.person_id(value, "owner_id")
    if kind == "organisation":
        return validate.enterprise_id(value, "owner_id")
    raise InvalidInput("所有人类型应为 person（个人）或 organisation（单位）", "owner_kind is person or organisation",
                       field="owner_kind", code="invalid_owner_kind")


def _device(session, device_id: int, lock: bool = True) -> Device:
    stmt = select(Device).where(Device.id == device_id)
    d = session.scalar(stmt.with_for_update() if lock else stmt)
    if d is None:
        raise not_found("设备", "device", str(device_id), field="device_id")
    return d


def _serial_taken(serial: str) -> Conflict:
    return Conflict(f"序列号已登记：{serial}", f"serial already registered: {serial}", field="serial",
                    code="serial_registered")


@handles(commands.RegisterDevice)
def register_device(ctx: Context, cmd: commands.RegisterDevice) -> dict[str, Any]:
    s = ctx.session
    owner_id = _owner_id(cmd.owner_kind, cmd.owner_id)
    name = _text(cmd.owner_name, "owner_name", 200)
    phone = _text(cmd.owner_phone, "owner_phone", 32) if cmd.owner_phone else None
    kind = check_kind(cmd.kind, "kind")
    model = _text(cmd.model, "model", 200)
    serial = _text(cmd.serial, "serial", 100).upper()
    co = _co_registrars(cmd.co_registrars) if cmd.by_registrar else []
    if s.scalar(select(Device.id).where(Device.serial == serial)) is not None:
        raise _serial_taken(serial)
    owner = s.scalar(select(Owner).where(Owner.id_number == owner_id))
    t = now()
    if owner is None:
        owner = Owner(kind=cmd.owner_kind, id_number=owner_id, name=name, phone=phone, created_at=t)
        try:
            with s.begin_nested():
                s.add(owner)
                s.flush()
        except IntegrityError:  # the same owner registered concurrently: nothing written, try again
            raise Conflict("该所有人正在被同时登记，请重试", "the owner is being registered concurrently: retry",
                           field="owner_id", code="concurrent_registration") from None
    elif owner.kind != cmd.owner_kind:
        raise InvalidInput("所有人类型与已登记的不一致", "owner_kind differs from the registered owner", field="owner_kind",
                           code="invalid_owner_kind")
    d = Device(owner_id=owner.id, kind=kind, model=model, serial=serial, status=DeviceStatus.SUBMITTED,
               sealed=False,
               co_registrars=[], submitted_by=ctx.actor, created_at=t)
    try:
        with s.begin_nested():  # a savepoint: a lost race leaves the transaction usable for the rollback
            s.add(d)
            s.flush()
    except IntegrityError:  # a concurrent registration of the same serial won the unique constraint
        raise _serial_taken(serial) from None
    if cmd.by_registrar:
        _register(d, ctx.actor, cmd.unit, co, t)
    ctx.audit("airspace.register_device", "airspace_device", d.id, after=queries.device_json(d, owner))
    return queries.device_json(d, owner)


def _register(d: Device, actor: str, unit: str | None, co: list[str], t) -> None:
    d.status = DeviceStatus.REGISTERED
    d.registration_no = f"JXKY-{d.id:06d}"
    d.registered_by = actor
    d.registrar_unit = unit or "公安机关"
    d.co_registrars = co
    d.registered_at = t


@handles(commands.ConfirmRegistration)
def confirm_registration(ctx: Context, cmd: commands.ConfirmRegistration) -> dict[str, Any]:
    s = ctx.session
    co = _co_registrars(cmd.co_registrars)
    d = _device(s, cmd.device_id)
    if d.status == DeviceStatus.REGISTERED:
        raise Conflict(f"设备已登记（{d.registration_no}）", f"the device is already registered ({d.registration_no})",
                       field="device_id", code="already_registered")
    before = queries.device_json(d)
    _register(d, ctx.actor, cmd.unit, co, now())
    after = queries.device_json(d, s.get(Owner, d.owner_id))
    ctx.audit("airspace.confirm_registration", "airspace_device", d.id, before=before, after=after)
    return after


def _seal_event(ctx: Context, d: Device, action: str, **kw) -> SealEvent:
    ev = SealEvent(device_id=d.id, action=action, officer=kw["officer"], reason=kw["reason"], place=kw.get("place"),
                   mode=kw.get("mode"), unit=kw.get("unit"), notice_id=kw.get("notice_id"), at=now())
    ctx.session.add(ev)
    return ev


@handles(commands.SealDevice)
def seal_device(ctx: Context, cmd: commands.SealDevice) -> dict[str, Any]:
    s = ctx.session
    if cmd.mode not in ("requested", "direct"):
        raise InvalidInput("封存方式应为 requested（要求封存）或 direct（直接封存）", "mode is requested or direct",
                           field="mode", code="invalid_seal_mode")
    reason, place = _text(cmd.reason, "reason", 2000), _text(cmd.place, "place", 200)
    officer = _text(cmd.officer, "officer", 100)
    notice_id = get_notice(cmd.notice_id).id if cmd.notice_id else None
    d = _device(s, cmd.device_id)
    if d.sealed:
        raise Conflict("设备已处于封存状态", "the device is already sealed", field="device_id", code="already_sealed")
    before = queries.device_json(d)
    d.sealed = True
    _seal_event(ctx, d, "seal", officer=officer, reason=reason, place=place, mode=cmd.mode, unit=cmd.unit,
                notice_id=notice_id)
    s.flush()
    after = queries.device_json(d, s.get(Owner, d.owner_id))
    ctx.audit("airspace.seal_device", "airspace_device", d.id, before=before, after=after)
    return after


@handles(commands.ReleaseDevice)
def release_device(ctx: Context, cmd: commands.ReleaseDevice) -> dict[str, Any]:
    s = ctx.session
    reason, officer = _text(cmd.reason, "reason", 2000), _text(cmd.officer, "officer", 100)
    place = _text(cmd.place, "place", 200) if cmd.place else None
    d = _device(s, cmd.device_id)
    if not d.sealed:
        raise Conflict("设备未封存", "the device is not sealed", field="device_id", code="not_sealed")
    before = queries.device_json(d)
    d.sealed = False
    _seal_event(ctx, d, "release", officer=officer, reason=reason, place=place, unit=cmd.unit)
    s.flush()
    after = queries.device_json(d, s.get(Owner, d.owner_id))
    ctx.audit("airspace.release_device", "airspace_device", d.id, before=before, after=after)
    return after


@handles(commands.ApplyFlight)
def apply_flight(ctx: Context, cmd: commands.ApplyFlight) -> dict[str, Any]:
    s = ctx.session
    notice = get_notice(cmd.notice_id)
    purpose = (cmd.purpose or "").strip()
    if purpose != "other" and purpose not in notice.purposes:
        raise InvalidInput(f"用途应为：{'、'.join(notice.purposes)} 或 other", f"purpose is one of {', '.join(notice.purposes)} "
                           "or other", field="purpose", code="invalid_purpose")
    detail = _text(cmd.purpose_detail, "purpose_detail", 2000) if cmd.purpose_detail else None
    if purpose == "other" and not detail:
        raise InvalidInput("用途为“其他”时须说明具体活动", "describe the activity when the purpose is other",
                           field="purpose_detail", code="invalid_purpose")
    pilot = _text(cmd.pilot, "pilot", 100)
    start, end = parse_time(cmd.start, "start"), parse_time(cmd.end, "end")
    if end < start:
        raise InvalidInput("飞行结束时间早于开始时间", "the flight ends before it starts", field="end", code="window_order")
    if not (start < notice.end and end >= notice.start):
        raise InvalidInput("飞行时段不在通告管控时段内，无需审批", "the flight is outside the notice's window: no approval "
                           "is needed", field="start", code="outside_window")
    lat, lon = check_coords(cmd.lat, cmd.lon)
    if not 0 < float(cmd.radius_m) <= MAX_RADIUS_M:
        raise InvalidInput(f"飞行半径应在 0–{MAX_RADIUS_M} 米", f"radius_m is within 0–{MAX_RADIUS_M} m", field="radius_m",
                           code="invalid_radius")
    margin = min(float(z.distances([lon], [lat])[0]) - z.buffer_m for z in notice.zones)
    if margin > float(cmd.radius_m):
        raise InvalidInput("飞行区域不在管控区域内，无需审批", "the flight area is outside the control zone: no approval "
                           "is needed", field="lat", code="outside_zone")
    d = _device(s, cmd.device_id, lock=False)
    owner = s.get(Owner, d.owner_id)
    if cmd.owner_id is not None and owner.id_number != cmd.owner_id:
        raise not_found("设备", "device", str(cmd.device_id), field="device_id")  # someone else's device: as if absent
    f = Flight(notice_id=notice.id, device_id=d.id, purpose=purpose, purpose_detail=detail, pilot=pilot,
               start=start.astimezone(SHANGHAI), end=end.astimezone(SHANGHAI), lat=lat, lon=lon,
               radius_m=float(cmd.radius_m), status=FlightStatus.APPLIED, applied_by=ctx.actor,
               applied_at=now())
    s.add(f)
    s.flush()
    out = queries.flight_json(f, d)
    ctx.audit("airspace.apply_flight", "airspace_flight", f.id, after=out)
    return out


@handles(commands.DecideFlight)
def decide_flight(ctx: Context, cmd: commands.DecideFlight) -> dict[str, Any]:
    s = ctx.session
    basis, department = _text(cmd.basis, "basis", 2000), _text(cmd.department, "department", 200)
    f = s.scalar(select(Flight).where(Flight.id == cmd.flight_id).with_for_update())
    if f is None:
        raise not_found("飞行申请", "flight application", str(cmd.flight_id), field="flight_id")
    if f.status != FlightStatus.APPLIED:
        raise Conflict("该申请已有决定", "the application is already decided", field="flight_id", code="already_decided")
    d = _device(s, f.device_id)  # lock the device: a seal racing an approval waits for it
    if cmd.approve:
        if d.sealed:
            raise Conflict("设备已被临时封存，不能批准飞行（嘉政发〔2022〕17号 三）",
                           "the device is sealed: a flight cannot be approved", field="device_id", code="device_sealed")
        if d.status != DeviceStatus.REGISTERED:
            raise Conflict("设备尚未经公安机关登记，不能批准飞行", "the device is not registered by the police yet",
                           field="device_id", code="device_not_registered")
    before = queries.flight_json(f, d)
    f.status = FlightStatus.APPROVED if cmd.approve else FlightStatus.REFUSED
    f.basis, f.department, f.decided_by, f.decided_at = basis, department, ctx.actor, now()
    s.flush()
    after = queries.flight_json(f, d)
    ctx.audit("airspace.decide_flight", "airspace_flight", f.id, before=before, after=after)
    return after


@handles(commands.RecordViolation)
def record_violation(ctx: Context, cmd: commands.RecordViolation) -> dict[str, Any]:
    s = ctx.session
    notice = get_notice(cmd.notice_id)
    if cmd.source not in ("report", "check"):
        raise InvalidInput("来源应为 report（举报/巡查）或 check（检查）", "source is report or check", field="source",
                           code="invalid_source")
    description = _text(cmd.description, "description", 2000) if cmd.description else None
    device = owner = None
    history: list[dict] = []
    if cmd.device:
        device = queries.find_device(s, cmd.device)
        if device is None:
            history.append({"note": f"报告的设备未登记：{cmd.device}", "at": now().isoformat()})
        else:
            owner = s.get(Owner, device.owner_id)
    kind = device.kind if device is not None else check_kind(cmd.object_kind, "object_kind")
    res = check_point(cmd.lat, cmd.lon, cmd.at, kind, notices=[notice],
                      flights=queries.approved_flights(s, device) if device is not None else ())
    if res["outcome"] == "permitted":
        raise Conflict(f"该飞行不违反本通告：{res['reason_zh']}", f"not a breach of this notice: {res['reason_en']}",
                       field="lat" if res["reason"] == "outside_zone" else "at", code="not_a_violation",
                       details={"check": {k: res[k] for k in ("outcome", "clause", "distance_m", "reason")}})
    at = parse_time(cmd.at)
    v = Violation(notice_id=notice.id, clause=res["clause"], observed_at=at.astimezone(SHANGHAI), lat=res["lat"],
                  lon=res["lon"], distance_m=res["distance_m"], object_kind=kind, source=cmd.source,
                  description=description, device_id=device.id if device else None,
                  owner_id=owner.id if owner else None, status=ViolationStatus.RECORDED,
                  history=history + [{"status": ViolationStatus.RECORDED, "by": ctx.actor,
                                      "at": now().isoformat(),
                                      "outcome": res["outcome"]}], recorded_by=ctx.actor, recorded_at=now())
    s.add(v)
    s.flush()
    out = queries.violation_json(v, device, owner)
    ctx.audit("airspace.record_violation", "airspace_violation", v.id, after=out)
    return out


def _violation(s, violation_id: int) -> Violation:
    v = s.scalar(select(Violation).where(Violation.id == violation_id).with_for_update())
    if v is None:
        raise not_found("违规记录", "violation", str(violation_id), field="violation_id")
    return v


@handles(commands.HandOverViolation)
def hand_over_violation(ctx: Context, cmd: commands.HandOverViolation) -> dict[str, Any]:
    s = ctx.session
    department = _text(cmd.department, "department", 200)
    note = _text(cmd.note, "note", 2000) if cmd.note else None
    v = _violation(s, cmd.violation_id)
    if v.status == ViolationStatus.CLOSED:
        raise Conflict("违规记录已办结", "the violation is closed", field="violation_id", code="violation_closed")
    before = queries.violation_json(v)
    v.status, v.department = ViolationStatus.HANDED_OVER, department
    v.history = [*v.history, {"status": ViolationStatus.HANDED_OVER, "department": department, "note": note,
                              "by": ctx.actor,
                              "at": now().isoformat()}]
    s.flush()
    after = queries.violation_json(v)
    ctx.audit("airspace.hand_over_violation", "airspace_violation", v.id, before=before, after=after)
    return after


@handles(commands.CloseViolation)
def close_violation(ctx: Context, cmd: commands.CloseViolation) -> dict[str, Any]:
    s = ctx.session
    note = _text(cmd.note, "note", 2000)
    v = _violation(s, cmd.violation_id)
    if v.status == ViolationStatus.CLOSED:
        raise Conflict("违规记录已办结", "the violation is closed", field="violation_id", code="violation_closed")
    before = queries.violation_json(v)
    v.status = ViolationStatus.CLOSED
    v.history = [*v.history,
                 {"status": ViolationStatus.CLOSED, "note": note, "by": ctx.actor, "at": now().isoformat()}]
    s.flush()
    after = queries.violation_json(v)
    ctx.audit("airspace.close_violation", "airspace_violation", v.id, before=before, after=after)
    return after
