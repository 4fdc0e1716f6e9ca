"""The voucher and application endpoints; bad input answers problem+json and writes nothing.

Each test runs twice on PostgreSQL: with clients whose requests use the worker-thread path (no
lifespan: the synchronous engine), and as a running server does (lifespan: the event loop's own
pool, :mod:`gazette.store.aio`, carries the token lookups and the claims). The answers must not
differ."""

from __future__ import annotations

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gazette.api.app import create_app
from gazette.auth.testing import bearer
from gazette.store.ledger_models import AuditLogRow, IdempotencyKeyRow, LedgerEntryRow
from gazette.validate import example_enterprise_id
from jiaxing.schemes.vouchers.models import Application, Voucher

E1, E2 = example_enterprise_id(1), example_enterprise_id(2)
OTHER = "330402199202022227"  # another valid ID number
NEV = {"programme": "nev", "district": "南湖区", "person_id": "330402199001011230"}
CAR = {"price_yuan": "250000.00", "date": "2022-10-08", "new_energy": True}


@pytest.fixture(scope="module", params=["worker-thread", pytest.param("event-loop", marks=pytest.mark.postgres)])
def clients(request, db_url):
    """Two clients (administrator, citizen): without the app's lifespan, or inside it."""
    made = [TestClient(create_app(), raise_server_exceptions=False) for _ in range(2)]
    if request.param == "worker-thread":
        yield made
        return
    with made[0], made[1]:
        from gazette.store import aio

        assert all(c.portal.call(aio.current) is not None for c in made)  # the lifespan opened the pools
        yield made


@pytest.fixture()
def client(vdb, clients):
    """The city administrator's client (bearer token); citizen flows run as the citizen below."""
    c = clients[0]
    c.headers.update(bearer())
    return c


@pytest.fixture()
def citizen(vdb, clients):
    c = clients[1]
    c.headers.update(bearer("test-citizen", "citizen", person_id=NEV["person_id"], district="南湖区"))
    return c


def counts(uow) -> tuple:
    with uow() as s:
        return tuple(s.execute(select(func.count()).select_from(t)).scalar()
                     for t in (Voucher, Application, LedgerEntryRow, IdempotencyKeyRow, AuditLogRow))


def h(key: str) -> dict:
    return {"Idempotency-Key": key}


def test_claim_redeem_flow_over_http(client, citizen, vdb):
    r = citizen.post("/api/v1/vouchers/claims", json=NEV, headers=h("c1"))
    assert r.status_code == 200, r.text
    vid = r.json()["voucher_id"]
    assert citizen.post("/api/v1/vouchers/claims", json=NEV, headers=h("c1")).json()["replayed"] is True
    r = citizen.post(f"/api/v1/vouchers/{vid}/redeem", json={"purchase": CAR}, headers=h("r1"))
    assert r.status_code == 200 and r.json()["face_yuan"] == "6000.00"
    assert citizen.get(f"/api/v1/vouchers/{vid}").json()["status"] == "redeemed"
    pools = client.get("/api/v1/vouchers/pools", params={"programme": "nev"}).json()
    nanhu = next(p for p in pools if p["district"] == "南湖区")
    assert nanhu == {"programme": "nev", "district": "南湖区", "budget_yuan": "50000.00", "pool_yuan": "44000.00",
                     "issued_yuan": "0.00", "redeemed_yuan": "6000.00"}
    rep = client.get("/api/v1/vouchers/reconciliation").json()
    assert rep["ok"] is True and rep["trial_balance_net_fen"] == 0
    nev = next(p for p in rep["programmes"] if p["programme"] == "nev")
    assert nev["city_share"]["clause"] == "嘉政办发〔2022〕47号#十一"
    assert nev["city_share"]["districts"]["南湖区"] == "1200.00"  # 20% of 6000


def test_application_flow_over_http(client):
    body = {"enterprise_id": E1, "clause": "嘉政办发〔2022〕47号#二",
            "facts": {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "80000"}}
    r = client.post("/api/v1/applications", json=body, headers=h("a1"))
    assert r.status_code == 200, r.text
    aid = r.json()["application_id"]
    assert client.post(f"/api/v1/applications/{aid}/review", headers=h("rv1")).json()["status"] == "under_review"
    assert client.post(f"/api/v1/applications/{aid}/approve", headers=h("ap1")).json()["status"] == "approved"
    assert client.post(f"/api/v1/applications/{aid}/pay", headers=h("p1")).json()["status"] == "paid"
    again = client.post(f"/api/v1/applications/{aid}/pay", headers=h("p2"))
    assert again.status_code == 409 and again.json()["code"] == "application_not_payable"
    dup = client.post("/api/v1/applications", json=body, headers=h("a2"))
    assert dup.status_code == 409 and dup.json()["code"] == "already_applied"  # paid once per clause
    other = client.post("/api/v1/applications", json={**body, "enterprise_id": E2,
                                                      "facts": {**body["facts"], "nev_show_filed": False}},
                        headers=h("a3"))
    assert other.status_code == 422 and other.json()["code"] == "not_eligible"
    assert other.json()["details"]["failed_conditions"][0]["id"] == "filed"


BAD = [
    ("claims", {**NEV, "district": "火星区"}, 422, "unknown_district", "district"),
    ("claims", {**NEV, "programme": "food"}, 422, "unknown_programme", "programme"),
    ("claims", {**NEV, "person_id": "x" * 100}, 422, "invalid_person_id", "person_id"),
    ("claims", {**NEV, "person_id": "330402199001011234"}, 422, "invalid_person_id", "person_id"),  # check digit
    ("claims", {**NEV, "person_id": "1.0"}, 422, "invalid_person_id", "person_id"),
    ("claims", {"programme": "nev"}, 422, "invalid_request", "district"),
    ("redeem", {"purchase": {**CAR, "price_yuan": "-5"}}, 422, "invalid_price", "purchase.price_yuan"),
    ("redeem", {"purchase": {**CAR, "price_yuan": "1e12"}}, 422, "invalid_price", "purchase.price_yuan"),
    ("redeem", {"purchase": {**CAR, "price_yuan": "abc"}}, 422, "invalid_price", "purchase.price_yuan"),
    ("redeem", {"purchase": {**CAR, "price_yuan": "100.001"}}, 422, "invalid_price", "purchase.price_yuan"),
    ("redeem", {"purchase": {**CAR, "date": "2023-01-05"}}, 422, "window_closed", "purchase.date"),
    ("redeem", {"purchase": {**CAR, "date": "2022-09-01"}}, 422, "window_closed", "purchase.date"),
    ("redeem", {"purchase": {**CAR, "date": "2022-13-01"}}, 422, "invalid_date", "purchase.date"),
    ("redeem", {"purchase": {**CAR, "new_energy": False}}, 422, "not_eligible", "purchase"),
    ("redeem", {"purchase": {**CAR, "colour": "red"}}, 422, "invalid_purchase", "purchase.colour"),
]


@pytest.mark.parametrize(("kind", "body", "status", "code", "field"), BAD)
def test_bad_input_is_a_problem_and_writes_nothing(client, vdb, kind, body, status, code, field):
    vid = client.post("/api/v1/vouchers/claims", json=NEV, headers=h("setup")).json()["voucher_id"]
    before = counts(vdb)
    url = "/api/v1/vouchers/claims" if kind == "claims" else f"/api/v1/vouchers/{vid}/redeem"
    r = client.post(url, json=body, headers=h("bad"))
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    p = r.json()
    assert p["code"] == code and p["field"] == field and p["message_zh"] and p["message_en"]
    assert counts(vdb) == before


def test_malformed_json_missing_key_and_reused_key(client, vdb):
    before = counts(vdb)
    r = client.post("/api/v1/vouchers/claims", content=b'{"programme": "nev", ', headers={
        **h("m"), "content-type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"
    r = client.post("/api/v1/vouchers/claims", json=NEV)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    assert counts(vdb) == before
    assert client.post("/api/v1/vouchers/claims", json=NEV, headers=h("k")).status_code == 200
    mid = counts(vdb)
    r = client.post("/api/v1/vouchers/claims", json={**NEV, "district": "秀洲区"}, headers=h("k"))
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_reused"
    assert counts(vdb) == mid
    r = client.get("/api/v1/vouchers/999999")
    assert r.status_code == 404 and r.json()["code"] == "voucher_not_found"


def test_a_citizen_acts_only_for_themselves(client, citizen, vdb):
    before = counts(vdb)
    other = citizen.post("/api/v1/vouchers/claims", json={**NEV, "person_id": OTHER}, headers=h("x"))
    assert other.status_code == 403 and other.json()["code"] == "forbidden"
    assert counts(vdb) == before
    vid = client.post("/api/v1/vouchers/claims", json={**NEV, "person_id": OTHER},
                      headers=h("adm")).json()["voucher_id"]
    # another person's voucher is answered exactly as a missing one (no enumeration of ids)
    missing = citizen.get("/api/v1/vouchers/999999")
    seen = citizen.get(f"/api/v1/vouchers/{vid}")
    assert seen.status_code == missing.status_code == 404 and seen.json()["code"] == "voucher_not_found"
    assert citizen.post(f"/api/v1/vouchers/{vid}/cancel", headers=h("c")).status_code == 404
    assert client.get(f"/api/v1/vouchers/{vid}").json()["status"] == "claimed"  # untouched
    assert citizen.get("/api/v1/vouchers", params={"person_id": OTHER}).json() == []
    assert citizen.get("/api/v1/vouchers/pools").status_code == 403


@pytest.mark.postgres
def test_a_token_claim_as_a_server_answers_it_uses_no_worker_thread(vdb, monkeypatch):
    """Inside the lifespan the token's caller and the claim are awaited on the event loop's pool."""
    hops: list[str] = []
    real = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):
        hops.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    with TestClient(create_app(), raise_server_exceptions=False) as c:
        c.headers.update(bearer())
        monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
        r = c.post("/api/v1/vouchers/claims", json=NEV, headers=h("loop-1"))
        assert r.status_code == 200 and r.json()["status"] == "claimed", r.text
        assert hops == []
        again = c.post("/api/v1/vouchers/claims", json={**NEV, "district": "秀洲区"}, headers=h("loop-2"))
        assert again.status_code == 409 and again.json()["code"] == "already_claimed" and hops == []
        vid = r.json()["voucher_id"]
        redeemed = c.post(f"/api/v1/vouchers/{vid}/redeem", json={"purchase": CAR}, headers=h("loop-3"))
        assert redeemed.status_code == 200 and redeemed.json()["face_yuan"] == "6000.00", redeemed.text
        refunded = c.post(f"/api/v1/vouchers/{vid}/refund", headers=h("loop-4"))
        assert refunded.status_code == 200 and refunded.json()["status"] == "refunded", refunded.text
        vid2 = c.post("/api/v1/vouchers/claims", json=NEV, headers=h("loop-5")).json()["voucher_id"]
        cancelled = c.post(f"/api/v1/vouchers/{vid2}/cancel", headers=h("loop-6"))
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.text
        assert hops == []  # the owner's read and each command awaited on the loop
        c.get("/api/v1/vouchers/pools")  # a synchronous route: the counter does see its hop
        assert hops
