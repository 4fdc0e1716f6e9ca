"""Citizen flow: claim, redeem, cancel, expire, refund — ledger postings, idempotency, audit."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.ledger import Ledger, audit
from jiaxing.schemes.vouchers import service
from jiaxing.schemes.vouchers.models import Voucher

from .helpers import check_invariants, pid


def bal(uow, code):
    with uow() as s:
        return Ledger("vouchers").balance(s, code)


def claim(uow, person, programme="nev", district="南湖区", key=None):
    with uow() as s:
        return service.claim(s, programme=programme, district=district, person_id=pid(person), key=key or f"c-{person}")


def test_setup_is_idempotent_and_funds_pools_from_the_pack(uow):
    with uow() as s:
        out = service.setup(s)
    with uow() as s:
        again = service.setup(s)
    assert out == again
    nev = next(p for p in out["programmes"] if p["code"] == "nev")
    assert nev["clause"] == "嘉政办发〔2022〕47号#一"
    assert nev["window"] == ["2022-09-22", "2022-12-31"]
    budgets = {p["district"]: p["budget_yuan"] for p in nev["pools"]}
    assert budgets["南湖区"] == "22000000.00" and budgets["秀洲区"] == "1000000.00" and budgets["嘉兴港区"] == "0.00"
    app = next(p for p in out["programmes"] if p["code"] == "appliances")
    assert {p["district"]: p["budget_yuan"] for p in app["pools"]}["嘉兴港区"] == "1000000.00"
    assert bal(uow, "pool:nev:海宁市") == 16_000_000_00
    rep = check_invariants(uow)
    assert {n["code"] for n in rep["notes"]} == {"minima_exceed_total"}


def test_claim_reserves_the_top_tier_and_is_idempotent(vdb):
    r = claim(vdb, "p1")
    assert r["status"] == "claimed" and r["reserved_yuan"] == "10000.00" and not r["replayed"]
    assert r["clause"] == "嘉政办发〔2022〕47号#一"
    assert bal(vdb, "pool:nev:南湖区") == 40_000_00 and bal(vdb, "issued:nev:南湖区") == 10_000_00
    again = claim(vdb, "p1")
    assert again["replayed"] and again["voucher_id"] == r["voucher_id"]
    assert bal(vdb, "pool:nev:南湖区") == 40_000_00
    with vdb() as s:
        assert [a.action for a in audit.history(s, entity_type="voucher")] == ["voucher.claimed"]
    check_invariants(vdb)


def test_one_live_voucher_per_person_and_programme(vdb):
    claim(vdb, "p1")
    with pytest.raises(GazetteError) as exc:
        claim(vdb, "p1", district="秀洲区", key="other")
    assert exc.value.code == "already_claimed" and http_status(exc.value) == 409
    claim(vdb, "p1", programme="appliances", key="app-p1")  # another programme is fine
    check_invariants(vdb)


def test_pool_cannot_be_overspent(vdb):
    for i in range(5):
        claim(vdb, f"p{i}")
    with pytest.raises(GazetteError) as exc:
        claim(vdb, "p5")
    assert exc.value.code == "pool_exhausted" and exc.value.details["available_fen"] == 0
    with vdb() as s:
        assert s.execute(select(func.count()).select_from(Voucher)).scalar() == 5
    check_invariants(vdb)


def test_redeem_uses_the_engine_and_returns_the_rest(vdb):
    v = claim(vdb, "p1")
    with vdb() as s:
        r = service.redeem(s, voucher_id=v["voucher_id"], key="r1",
                           purchase={"price_yuan": "250000", "date": "2022-10-08", "new_energy": True})
    assert r["status"] == "redeemed" and r["face_yuan"] == "6000.00"
    assert r["purchase"]["calculation"]["rule"] == "嘉政办发〔2022〕47号#一"
    assert r["purchase"]["calculation"]["tier"] == 2
    assert bal(vdb, "redeemed:nev:南湖区") == 6000_00
    assert bal(vdb, "issued:nev:南湖区") == 0
    assert bal(vdb, "pool:nev:南湖区") == 44_000_00
    with vdb() as s:
        again = service.redeem(s, voucher_id=v["voucher_id"], key="r1",
                               purchase={"price_yuan": "250000", "date": "2022-10-08", "new_energy": True})
    assert again["replayed"] and again["face_yuan"] == "6000.00"
    check_invariants(vdb)


def test_appliance_voucher_tiers_and_energy_label(vdb):
    v = claim(vdb, "p1", programme="appliances")
    with pytest.raises(GazetteError) as exc, vdb() as s:
        service.redeem(s, voucher_id=v["voucher_id"], key="r0", purchase={
            "price_yuan": "5000", "date": "2022-10-08", "category": "refrigerator", "energy_label": 3})
    assert exc.value.code == "not_eligible"
    assert [c["id"] for c in exc.value.details["failed_conditions"]] == ["energy_label"]
    with vdb() as s:
        r = service.redeem(s, voucher_id=v["voucher_id"], key="r1", purchase={
            "price_yuan": "5000", "date": "2022-10-08", "category": "refrigerator", "energy_label": 1})
    assert r["face_yuan"] == "800.00"
    check_invariants(vdb)


def test_cancel_returns_the_reserve_and_allows_a_new_claim(vdb):
    v = claim(vdb, "p1")
    with vdb() as s:
        r = service.cancel(s, voucher_id=v["voucher_id"], key="x1")
    assert r["status"] == "cancelled"
    assert bal(vdb, "pool:nev:南湖区") == 50_000_00
    with pytest.raises(GazetteError) as exc, vdb() as s:
        service.cancel(s, voucher_id=v["voucher_id"], key="x2")
    assert exc.value.code == "voucher_not_cancellable"
    claim(vdb, "p1", key="c-again")
    check_invariants(vdb)


def test_refund_of_a_returned_purchase(vdb):
    v = claim(vdb, "p1")
    with vdb() as s:
        service.redeem(s, voucher_id=v["voucher_id"], key="r1",
                       purchase={"price_yuan": "350000.00", "date": "2022-10-01", "new_energy": True})
    with vdb() as s:
        r = service.refund(s, voucher_id=v["voucher_id"], key="f1", reason="退车")
    assert r["status"] == "refunded"
    assert bal(vdb, "pool:nev:南湖区") == 50_000_00 and bal(vdb, "redeemed:nev:南湖区") == 0
    with pytest.raises(GazetteError) as exc, vdb() as s:
        service.refund(s, voucher_id=v["voucher_id"], key="f2")
    assert exc.value.code == "voucher_not_refundable"
    check_invariants(vdb)


def test_expiry_run_returns_unused_vouchers_once(vdb):
    a = claim(vdb, "p1")
    b = claim(vdb, "p2")
    with vdb() as s:
        service.redeem(s, voucher_id=b["voucher_id"], key="r",
                       purchase={"price_yuan": "150000", "date": "2022-10-08", "new_energy": True})
    with vdb() as s:
        service.set_business_date(s, dt.date(2023, 1, 1))
    run = service.expire(uow=vdb)
    assert run.status == "completed" and run.result["expired"] == 1
    again = service.expire(uow=vdb)
    assert again.already_completed
    with vdb() as s:
        assert service.get_voucher(s, a["voucher_id"])["status"] == "expired"
        assert service.get_voucher(s, b["voucher_id"])["status"] == "redeemed"
    assert bal(vdb, "pool:nev:南湖区") == 50_000_00 - 3000_00
    with pytest.raises(GazetteError) as exc:
        claim(vdb, "p9")
    assert exc.value.code == "window_closed"
    check_invariants(vdb)
