"""Reading the airspace registry: devices, owners, seal history, flights, violations (JSON-ready)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from gazette.ledger.clock import as_shanghai
from jiaxing.schemes.airspace.models import Device, Flight, Owner, SealEvent, Violation
from jiaxing.schemes.airspace.notices import not_found
from jiaxing.schemes.airspace.statuses import DeviceStatus, FlightStatus, ViolationStatus

LIMIT = 500
STATUSES = {"device": tuple(DeviceStatus), "flight": tuple(FlightStatus), "violation": tuple(ViolationStatus)}


def _status(kind: str, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value not in STATUSES[kind]:
        raise InvalidInput(f"状态应为：{'、'.join(STATUSES[kind])}", f"status is one of {', '.join(STATUSES[kind])}",
                           field="status", code="invalid_status")
    return value


def _iso(t) -> str | None:
    return as_shanghai(t).isoformat() if t is not None else None


def owner_json(o: Owner | None) -> dict[str, Any] | None:
    if o is None:
        return None
    return {"id": o.id, "kind": o.kind, "id_number": o.id_number, "name": o.name, "phone": o.phone}


def device_json(d: Device, owner: Owner | None = None) -> dict[str, Any]:
    out = {"id": d.id, "kind": d.kind, "model": d.model, "serial": d.serial, "registration_no": d.registration_no,
           "status": d.status, "sealed": bool(d.sealed), "registrar_unit": d.registrar_unit,
           "co_registrars": list(d.co_registrars or []), "submitted_by": d.submitted_by,
           "registered_by": d.registered_by, "created_at": _iso(d.created_at), "registered_at": _iso(d.registered_at),
           "owner_id": d.owner_id}
    if owner is not None:
        out["owner"] = owner_json(owner)
    return out


def flight_json(f: Flight, d: Device | None = None) -> dict[str, Any]:
    out = {"id": f.id, "notice_id": f.notice_id, "device_id": f.device_id, "purpose": f.purpose,
           "purpose_detail": f.purpose_detail, "pilot": f.pilot, "start": _iso(f.start), "end": _iso(f.end),
           "lat": f.lat, "lon": f.lon, "radius_m": f.radius_m, "status": f.status, "applied_by": f.applied_by,
           "decided_by": f.decided_by, "department": f.department, "basis": f.basis,
           "applied_at": _iso(f.applied_at), "decided_at": _iso(f.decided_at)}
    if d is not None:
        out["device"] = {"id": d.id, "kind": d.kind, "serial": d.serial, "registration_no": d.registration_no,
                         "sealed": bool(d.sealed), "status": d.status}
    return out


def violation_json(v: Violation, d: Device | None = None, o: Owner | None = None) -> dict[str, Any]:
    out = {"id": v.id, "notice_id": v.notice_id, "clause": v.clause, "observed_at": _iso(v.observed_at), "lat": v.lat,
           "lon": v.lon, "distance_m": v.distance_m, "object_kind": v.object_kind, "source": v.source,
           "description": v.description, "device_id": v.device_id, "owner_id": v.owner_id, "status": v.status,
           "department": v.department, "history": list(v.history or []), "recorded_by": v.recorded_by,
           "recorded_at": _iso(v.recorded_at)}
    if d is not None:
        out["device"] = {"id": d.id, "serial": d.serial, "registration_no": d.registration_no}
    if o is not None:
        out["owner"] = owner_json(o)
    return out


def seal_json(e: SealEvent) -> dict[str, Any]:
    return {"id": e.id, "device_id": e.device_id, "action": e.action, "mode": e.mode, "reason": e.reason,
            "place": e.place, "officer": e.officer, "unit": e.unit, "notice_id": e.notice_id, "at": _iso(e.at)}


def find_device(s: Session, ref: str) -> Device | None:
    """A device by serial or registration number (case-insensitive serial)."""
    ref = (ref or "").strip()
    if not ref or len(ref) > 100 or not ref.isprintable():  # no NUL or control bytes reach the database
        return None
    return s.scalar(select(Device).where(or_(Device.serial == ref.upper(), Device.registration_no == ref)))


def approved_flights(s: Session, device: Device | None) -> list[dict[str, Any]]:
    """The approved flights of a device, in the shape :mod:`.check` takes. A sealed device has none:
    sealing overrides an approval given before it."""
    if device is None or device.sealed:
        return []
    rows = s.scalars(select(Flight).where(Flight.device_id == device.id, Flight.status == FlightStatus.APPROVED))
    return [{"id": f.id, "notice_id": f.notice_id, "status": f.status, "start": as_shanghai(f.start),
             "end": as_shanghai(f.end), "lat": f.lat, "lon": f.lon, "radius_m": f.radius_m} for f in rows]


def flights_for_check(s: Session, ref: str | None) -> tuple[Device | None, list[dict[str, Any]]]:
    if not ref:
        return None, []
    d = find_device(s, ref)
    if d is None:
        raise not_found("设备", "device", ref, field="device")
    return d, approved_flights(s, d)


def get_device(s: Session, device_id: int) -> dict[str, Any]:
    d = s.get(Device, device_id)
    if d is None:
        raise not_found("设备", "device", str(device_id), field="device_id")
    out = device_json(d, s.get(Owner, d.owner_id))
    out["seals"] = [seal_json(e) for e in s.scalars(select(SealEvent).where(SealEvent.device_id == d.id)
                                                     .order_by(SealEvent.id))]
    out["flights"] = [flight_json(f) for f in s.scalars(select(Flight).where(Flight.device_id == d.id)
                                                         .order_by(Flight.id))]
    return out


def list_devices(s: Session, *, owner_id_number: str | None = None, status: str | None = None,
                 sealed: bool | None = None, limit: int = LIMIT) -> list[dict[str, Any]]:
    q = select(Device, Owner).join(Owner, Owner.id == Device.owner_id).order_by(Device.id.desc()).limit(limit)
    if owner_id_number is not None:
        q = q.where(Owner.id_number == owner_id_number)
    if _status("device", status):
        q = q.where(Device.status == status)
    if sealed is not None:
        q = q.where(Device.sealed == sealed)
    return [device_json(d, o) for d, o in s.execute(q)]


def list_flights(s: Session, *, status: str | None = None, owner_id_number: str | None = None,
                 notice_id: str | None = None, limit: int = LIMIT) -> list[dict[str, Any]]:
    q = (select(Flight, Device).join(Device, Device.id == Flight.device_id).order_by(Flight.id.desc()).limit(limit))
    if _status("flight", status):
        q = q.where(Flight.status == status)
    if notice_id:
        from jiaxing.schemes.airspace.notices import get_notice

        q = q.where(Flight.notice_id == get_notice(notice_id).id)
    if owner_id_number is not None:
        q = q.join(Owner, Owner.id == Device.owner_id).where(Owner.id_number == owner_id_number)
    return [flight_json(f, d) for f, d in s.execute(q)]


def get_flight(s: Session, flight_id: int) -> dict[str, Any]:
    f = s.get(Flight, flight_id)
    if f is None:
        raise not_found("飞行申请", "flight application", str(flight_id), field="flight_id")
    return flight_json(f, s.get(Device, f.device_id))


def list_violations(s: Session, *, status: str | None = None, limit: int = LIMIT) -> list[dict[str, Any]]:
    q = select(Violation).order_by(Violation.id.desc()).limit(limit)
    if _status("violation", status):
        q = q.where(Violation.status == status)
    out = []
    for v in s.scalars(q):
        d = s.get(Device, v.device_id) if v.device_id else None
        o = s.get(Owner, v.owner_id) if v.owner_id else None
        out.append(violation_json(v, d, o))
    return out


def get_violation(s: Session, violation_id: int) -> dict[str, Any]:
    v = s.get(Violation, violation_id)
    if v is None:
        raise not_found("违规记录", "violation", str(violation_id), field="violation_id")
    d = s.get(Device, v.device_id) if v.device_id else None
    return violation_json(v, d, s.get(Owner, v.owner_id) if v.owner_id else None)
