"""The airspace API: the public check (17号 一、二), roles, idempotency, problem+json naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gazette.api.app import create_app
from gazette.auth.testing import bearer
from gazette.validate import example_enterprise_id, example_person_id
from tests.schemes.airspace.helpers import C1, C2, C3, IN_WINDOW, point_at

PERSON = example_person_id(3)
LAT, LON = point_at(100)


@pytest.fixture(scope="module")
def client(module_db):
    return TestClient(create_app(), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def users(module_db):
    return {"owner": bearer("as-owner", "citizen", person_id=PERSON),
            "org": bearer("as-org", "enterprise", enterprise_id=example_enterprise_id(3)),
            "registrar": bearer("as-registrar", "registrar", unit="海宁市公安局"),
            "approver": bearer("as-approver", "approver", unit="海宁市公安局"),
            "auditor": bearer("as-auditor", "auditor")}


def test_issue_example_is_prohibited_anonymously(client):
    r = client.post("/api/v1/airspace/check", json={"lat": 30.39, "lon": 120.55, "at": "2022-09-12T10:00+08:00",
                                                    "object": "drone"})
    assert r.status_code == 200
    body = r.json()
    assert (body["outcome"], body["clause"]) == ("prohibited", C2)
    assert body["distance_m"] < 500 and body["window"]["end"] == "2022-09-16T00:00:00+08:00"


def test_utc_input_at_the_end_of_the_window(client):
    def outcome(at):
        return client.post("/api/v1/airspace/check", json={"lat": LAT, "lon": LON, "at": at}).json()["outcome"]

    assert outcome("2022-09-15T15:59:59Z") == "prohibited"
    assert outcome("2022-09-15T16:00:00Z") == "permitted"


def test_bad_input_is_problem_json_naming_the_field(client):
    r = client.post("/api/v1/airspace/check", json={"lat": 120.55, "lon": 30.39, "at": IN_WINDOW})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert (r.json()["field"], r.json()["code"]) == ("lat", "coordinates_swapped")
    r = client.post("/api/v1/airspace/check", json={"lat": LAT, "lon": LON, "at": IN_WINDOW, "object": "kite"})
    assert r.json()["field"] == "object"
    r = client.post("/api/v1/airspace/check", json={"object": "drone", "track": [
        {"lat": LAT, "lon": LON, "at": "2022-09-12T10:00+08:00"}, {"lat": LAT, "lon": LON, "at": "2022-09-12T09:00+08:00"}]})
    assert (r.status_code, r.json()["field"]) == (422, "track[1].at")


def test_other_object_is_unknown(client):
    r = client.post("/api/v1/airspace/check", json={"lat": LAT, "lon": LON, "at": IN_WINDOW, "object": "other"})
    assert (r.json()["outcome"], r.json()["clause"]) == ("unknown", C1)


def test_notices_are_public(client):
    n = client.get("/api/v1/airspace/notices").json()
    assert n[0]["id"] == "嘉政发〔2022〕17号" and n[0]["clauses"]["registry"] == C3
    assert n[0]["zones"][0]["approximate"] is True and n[0]["zones"][0]["geometry"]["type"] == "LineString"


def test_owner_registers_registrar_confirms_approver_approves_check_permits(client, users):
    dev = {"kind": "drone", "model": "DJI Mini 3", "serial": "api-sn-1", "owner_name": "王五"}
    r = client.post("/api/v1/airspace/devices", json=dev, headers={**users["owner"], "Idempotency-Key": "k1"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "submitted" and d["owner"]["id_number"] == PERSON and d["replayed"] is False
    again = client.post("/api/v1/airspace/devices", json=dev, headers={**users["owner"], "Idempotency-Key": "k1"})
    assert again.json()["replayed"] is True and again.json()["id"] == d["id"]
    twice = client.post("/api/v1/airspace/devices", json=dev, headers={**users["org"], "Idempotency-Key": "k2"})
    assert (twice.status_code, twice.json()["field"]) == (409, "serial")
    no_key = client.post("/api/v1/airspace/devices", json={**dev, "serial": "x"}, headers=users["owner"])
    assert no_key.status_code == 422 and no_key.json()["field"] == "Idempotency-Key"

    c = client.post(f"/api/v1/airspace/devices/{d['id']}/confirm", json={"co_registrars": ["气象", "体育"]},
                    headers={**users["registrar"], "Idempotency-Key": "c1"})
    assert c.json()["status"] == "registered" and c.json()["registrar_unit"] == "海宁市公安局"
    f = client.post("/api/v1/airspace/flights", headers={**users["owner"], "Idempotency-Key": "f1"}, json={
        "notice_id": "嘉政发〔2022〕17号", "device_id": d["id"], "purpose": "aerial_photography", "pilot": "王五",
        "start": "2022-09-12T09:00+08:00", "end": "2022-09-12T11:00+08:00", "lat": LAT, "lon": LON, "radius_m": 300})
    assert f.status_code == 200, f.text
    fid = f.json()["id"]
    denied = client.post(f"/api/v1/airspace/flights/{fid}/decision", json={"decision": "approve", "basis": "x"},
                         headers={**users["owner"], "Idempotency-Key": "x"})
    assert denied.status_code == 403
    ok = client.post(f"/api/v1/airspace/flights/{fid}/decision",
                     json={"decision": "approve", "basis": "观潮节指挥部批复"},
                     headers={**users["approver"], "Idempotency-Key": "a1"})
    assert ok.json()["status"] == "approved" and ok.json()["department"] == "海宁市公安局"
    chk = client.post("/api/v1/airspace/check", json={"lat": LAT, "lon": LON, "at": IN_WINDOW, "device": "API-SN-1"})
    assert (chk.json()["outcome"], chk.json()["approved_flight"]) == ("permitted", fid)
    # owners see only their own; the auditor reads everything but writes nothing
    assert client.get("/api/v1/airspace/devices", headers=users["org"]).json() == []
    assert "API-SN-1" in {d["serial"] for d in client.get("/api/v1/airspace/devices", headers=users["auditor"]).json()}
    assert client.get(f"/api/v1/airspace/devices/{d['id']}", headers=users["org"]).status_code == 403
    seal = {"mode": "direct", "reason": "r", "place": "p"}
    assert client.post(f"/api/v1/airspace/devices/{d['id']}/seal", json=seal,
                       headers={**users["auditor"], "Idempotency-Key": "s"}).status_code == 403


def test_sealed_device_cannot_be_approved_over_http(client, users):
    h = {**users["registrar"], "Idempotency-Key": "sealed-r1"}
    d = client.post("/api/v1/airspace/devices", headers=h, json={
        "kind": "hot_air_balloon", "model": "Cameron", "serial": "B-1", "owner_kind": "person", "owner_id": PERSON,
        "owner_name": "王五", "co_registrars": ["体育"]}).json()
    f = client.post("/api/v1/airspace/flights", headers={**users["registrar"], "Idempotency-Key": "sealed-f1"}, json={
        "notice_id": "嘉政发〔2022〕17号", "device_id": d["id"], "purpose": "broadcast", "pilot": "p",
        "start": "2022-09-12T09:00+08:00", "end": "2022-09-12T11:00+08:00", "lat": LAT, "lon": LON, "radius_m": 300}).json()
    s = client.post(f"/api/v1/airspace/devices/{d['id']}/seal", headers={**users["registrar"], "Idempotency-Key": "sealed-s1"},
                    json={"mode": "requested", "reason": "观潮节临时封存", "place": "盐官"})
    assert s.json()["sealed"] is True
    r = client.post(f"/api/v1/airspace/flights/{f['id']}/decision", json={"decision": "approve", "basis": "b"},
                    headers={**users["approver"], "Idempotency-Key": "sealed-a1"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (409, "device_sealed", "device_id")


def test_violation_over_http(client, users):
    h = {**users["registrar"], "Idempotency-Key": "v1"}
    v = client.post("/api/v1/airspace/violations", headers=h, json={
        "notice_id": "嘉政发〔2022〕17号", "at": IN_WINDOW, "lat": LAT, "lon": LON, "object": "sky_lantern"})
    assert v.status_code == 200 and v.json()["clause"] == C2
    hv = client.post(f"/api/v1/airspace/violations/{v.json()['id']}/handover", json={"department": "海宁市公安局"},
                     headers={**users["registrar"], "Idempotency-Key": "h1"})
    assert hv.json()["status"] == "handed_over"
    assert client.get("/api/v1/airspace/violations", headers=users["owner"]).status_code == 403
    assert client.get("/api/v1/airspace/violations", headers=users["auditor"]).json()[0]["status"] == "handed_over"
