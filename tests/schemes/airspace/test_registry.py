"""The registry (三), exempt flights (二), sealing (三) and violations (四) through the command handler."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gazette.api.problems import http_status
from gazette.errors import Conflict, GazetteError, InvalidInput, NotFound
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from gazette.store.ledger_models import AuditLogRow
from gazette.validate import example_enterprise_id, example_person_id
from jiaxing.schemes.airspace import (
    commands,
    handlers,  # noqa: F401  (registers the handlers)
    queries,
)
from jiaxing.schemes.airspace.check import check_point
from jiaxing.schemes.airspace.models import Device, Flight, Owner, Violation
from tests.schemes.airspace.helpers import C2, IN_WINDOW, point_at

PERSON = example_person_id(1)
ORG = example_enterprise_id(1)
LAT, LON = point_at(100)


def _count(model) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


def register(key="r1", serial="SN-001", by_registrar=True, owner_id=PERSON, **kw) -> dict:
    cmd = commands.RegisterDevice(idempotency_key=key, actor="officer",
                                  owner_kind=kw.pop("owner_kind", "person"),
                                  owner_id=owner_id, owner_name="王五", kind=kw.pop("kind", "drone"),
                                  model="DJI Mini 3",
                                  serial=serial, by_registrar=by_registrar, unit="海宁市公安局",
                                  co_registrars=kw.pop("co_registrars", ("气象", "体育")), **kw)
    return execute(cmd).result


def apply(device_id: int, key="a1", **kw) -> dict:
    body = {"notice_id": "嘉政发[2022]17号", "device_id": device_id, "purpose": "broadcast", "pilot": "李飞手",
            "start": "2022-09-12T09:00+08:00", "end": "2022-09-12T12:00+08:00", "lat": LAT, "lon": LON,
            "radius_m": 300.0}
    body.update(kw)
    return execute(commands.ApplyFlight(idempotency_key=key, actor="owner", **body)).result


def decide(flight_id: int, approve=True, key="d1") -> dict:
    return execute(commands.DecideFlight(idempotency_key=key, actor="approver", flight_id=flight_id,
                                         approve=approve,
                                         basis="《民用航空法》及观潮节指挥部批复", department="海宁市公安局")).result


def test_register_by_registrar_with_co_registrars_cites_3(clean_db):
    d = register()
    assert d["status"] == "registered" and d["registration_no"] == f"JXKY-{d['id']:06d}"
    assert d["co_registrars"] == ["气象", "体育"] and d["registrar_unit"] == "海宁市公安局"
    assert d["owner"]["id_number"] == PERSON
    again = execute(commands.RegisterDevice(idempotency_key="r1", actor="officer", owner_kind="person",
                                            owner_id=PERSON,
                                            owner_name="王五", kind="drone", model="DJI Mini 3",
                                            serial="SN-001",
                                            by_registrar=True, unit="海宁市公安局", co_registrars=("气象", "体育")))
    assert again.replayed and again.result == d and _count(Device) == 1


def test_owner_submission_then_police_confirm(clean_db):
    d = register(by_registrar=False, owner_kind="organisation", owner_id=ORG)
    assert d["status"] == "submitted" and d["registration_no"] is None
    out = execute(commands.ConfirmRegistration(idempotency_key="c1", actor="officer", device_id=d["id"],
                                               unit="海宁市公安局",
                                               co_registrars=("气象",))).result
    assert out["status"] == "registered" and out["co_registrars"] == ["气象"]


@pytest.mark.parametrize(("kw", "field", "code"), [
    ({"owner_id": "330402199001011235"}, "owner_id", None),  # wrong check digit
    ({"owner_kind": "organisation", "owner_id": "91330400000000000X"}, "owner_id", None),
    ({"kind": "ufo"}, "kind", "unknown_object_kind"),
    ({"co_registrars": ("交通",)}, "co_registrars", "invalid_co_registrar"),
    ({"serial": ""}, "serial", None),
])
def test_bad_registration_names_the_field_writes_nothing(clean_db, kw, field, code):
    with pytest.raises(InvalidInput) as err:
        register(**kw)
    assert err.value.field == field and (code is None or err.value.code == code)
    assert _count(Device) == 0 and _count(Owner) == 0


def test_serial_registered_twice_is_refused(clean_db):
    register()
    with pytest.raises(Conflict) as err:
        register(key="r2", serial="sn-001", owner_id=example_person_id(2))  # serials compare upper-case
    assert (err.value.field, err.value.code) == ("serial", "serial_registered")
    assert _count(Device) == 1 and _count(Owner) == 1


def test_approved_flight_makes_the_check_permitted_cites_2(clean_db):
    d = register()
    f = apply(d["id"])
    assert f["status"] == "applied"
    with unit_of_work() as s:
        assert check_point(LAT, LON, IN_WINDOW, "drone",
                           flights=queries.flights_for_check(s, "SN-001")[1])["outcome"] == \
            "prohibited"
    out = decide(f["id"])
    assert out["status"] == "approved" and out["basis"]
    with unit_of_work() as s:
        flights = queries.flights_for_check(s, d["registration_no"])[1]
    r = check_point(LAT, LON, IN_WINDOW, "drone", flights=flights)
    assert (r["outcome"], r["approved_flight"], r["clause"]) == ("permitted", f["id"], C2)


def test_refusal_keeps_it_prohibited(clean_db):
    d = register()
    f = apply(d["id"])
    assert decide(f["id"], approve=False)["status"] == "refused"
    with pytest.raises(Conflict) as err:
        decide(f["id"], key="d2")
    assert err.value.code == "already_decided"


def test_sealing_blocks_approval_cites_3(clean_db):
    d = register()
    f = apply(d["id"])
    sealed = execute(commands.SealDevice(idempotency_key="s1", actor="officer", device_id=d["id"],
                                         mode="direct",
                                         reason="观潮节期间临时封存", place="盐官镇派出所", officer="警号 012345",
                                         notice_id="嘉政发〔2022〕17号")).result
    assert sealed["sealed"] is True
    audits_before = _count(AuditLogRow)
    with pytest.raises(Conflict) as err:
        decide(f["id"])
    assert (err.value.code, err.value.field) == ("device_sealed", "device_id")
    assert _count(AuditLogRow) == audits_before  # nothing written
    with unit_of_work() as s:
        assert s.get(Flight, f["id"]).status == "applied"
    released = execute(commands.ReleaseDevice(idempotency_key="u1", actor="officer", device_id=d["id"],
                                              reason="活动结束",
                                              officer="警号 012345")).result
    assert released["sealed"] is False
    assert decide(f["id"], key="d3")["status"] == "approved"
    with unit_of_work() as s:
        hist = queries.get_device(s, d["id"])["seals"]
    assert [e["action"] for e in hist] == ["seal", "release"] and hist[0]["place"] == "盐官镇派出所"


def test_sealing_after_approval_withdraws_the_exemption(clean_db):
    d = register()
    decide(apply(d["id"])["id"])
    execute(commands.SealDevice(idempotency_key="s1", actor="officer", device_id=d["id"], mode="requested",
                                reason="要求所有人封存", place="所有人住所", officer="警号 1"))
    with unit_of_work() as s:
        assert queries.flights_for_check(s, "SN-001")[1] == []


@pytest.mark.parametrize(("kw", "field", "code"), [
    ({"end": "2022-09-12T08:00+08:00"}, "end", "window_order"),
    ({"start": "2022-10-01T09:00+08:00", "end": "2022-10-01T10:00+08:00"}, "start", "outside_window"),
    ({"purpose": "fireworks"}, "purpose", "invalid_purpose"),
    ({"purpose": "other"}, "purpose_detail", "invalid_purpose"),
    ({"lat": 120.5, "lon": 30.39}, "lat", "coordinates_swapped"),
    ({"lat": 30.75, "lon": 120.75}, "lat", "outside_zone"),
])
def test_bad_application_names_the_field(clean_db, kw, field, code):
    d = register()
    with pytest.raises(InvalidInput) as err:
        apply(d["id"], **kw)
    assert (err.value.field, err.value.code) == (field, code)
    assert _count(Flight) == 0


def test_other_purpose_with_detail_is_accepted(clean_db):
    d = register()
    f = apply(d["id"], purpose="other", purpose_detail="海塘安全巡检")
    assert f["purpose"] == "other"


def test_owner_cannot_apply_for_someone_elses_device(clean_db):
    d = register()
    with pytest.raises(NotFound):
        apply(d["id"], owner_id=example_person_id(9))


def test_violation_linked_handed_over_closed_cites_4(clean_db):
    d = register()
    v = execute(commands.RecordViolation(idempotency_key="v1", actor="officer", notice_id="嘉政发〔2022〕17号",
                                         at=IN_WINDOW,
                                         lat=LAT, lon=LON, object_kind="drone", source="report",
                                         device="SN-001",
                                         description="群众举报")).result
    assert v["status"] == "recorded" and v["clause"] == C2 and v["device_id"] == d["id"]
    assert v["owner"]["id_number"] == PERSON and "penalty" not in v
    h = execute(commands.HandOverViolation(idempotency_key="h1", actor="officer", violation_id=v["id"],
                                           department="海宁市公安局", note="依《浙江省无人驾驶航空器公共安全管理规定》处理")).result
    assert (h["status"], h["department"]) == ("handed_over", "海宁市公安局")
    c = execute(commands.CloseViolation(idempotency_key="x1", actor="officer", violation_id=v["id"], note="已处理")).result
    assert c["status"] == "closed" and [e["status"] for e in c["history"]] == ["recorded", "handed_over", "closed"]
    with pytest.raises(Conflict):
        execute(commands.HandOverViolation(idempotency_key="h2", actor="officer", violation_id=v["id"], department="气象局"))


def test_violation_outside_the_zone_or_window_is_refused(clean_db):
    far = point_at(800)
    with pytest.raises(Conflict) as err:
        execute(commands.RecordViolation(idempotency_key="v1", actor="officer", notice_id="嘉政发〔2022〕17号",
                                         at=IN_WINDOW,
                                         lat=far[0], lon=far[1], object_kind="drone"))
    assert (err.value.code, err.value.field) == ("not_a_violation", "lat")
    with pytest.raises(Conflict) as err:
        execute(commands.RecordViolation(idempotency_key="v2", actor="officer", notice_id="嘉政发〔2022〕17号",
                                         at="2022-09-16T00:00+08:00", lat=LAT, lon=LON, object_kind="drone"))
    assert err.value.field == "at"
    assert _count(Violation) == 0


def test_unlisted_object_in_zone_is_recorded_as_unknown(clean_db):
    v = execute(commands.RecordViolation(idempotency_key="v1", actor="officer", notice_id="嘉政发〔2022〕17号",
                                         at=IN_WINDOW,
                                         lat=LAT, lon=LON, object_kind="other",
                                         device="NOT-REGISTERED")).result
    assert v["clause"].endswith("#一") and v["device_id"] is None
    assert "NOT-REGISTERED" in v["history"][0]["note"]


def test_every_command_is_audited(clean_db):
    d = register()
    with unit_of_work() as s:
        rows = s.scalars(select(AuditLogRow).where(AuditLogRow.entity_type == "airspace_device")).all()
    assert [r.action for r in rows] == ["airspace.register_device"] and str(rows[0].entity_id) == str(d["id"])


def test_unknown_notice_is_not_found(clean_db):
    d = register()
    with pytest.raises(GazetteError) as err:
        apply(d["id"], notice_id="嘉政发〔2022〕99号")
    assert http_status(err.value) == 404 and err.value.field == "notice"
