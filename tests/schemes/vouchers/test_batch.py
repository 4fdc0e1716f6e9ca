"""Group commit: claim_many gives, request by request, exactly what claim would; the batcher
under 64 concurrent clients never overspends (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading
from functools import partial

import pytest

from gazette.errors import GazetteError
from gazette.ledger import Ledger, audit
from gazette.store.db import unit_of_work
from jiaxing.schemes.vouchers import service
from jiaxing.schemes.vouchers.batch import ClaimBatcher, claim_many

from .helpers import check_invariants, pid


def req(person, key, district="南湖区", programme="nev"):
    return {"programme": programme, "district": district, "person_id": pid(person), "key": key}


def codes(results):
    return [r.code if isinstance(r, GazetteError) else ("replayed" if r["replayed"] else "ok") for r in results]


def test_claim_many_matches_claim_request_by_request(vdb):
    with vdb() as s:
        first = service.claim(s, programme="nev", district="南湖区", person_id=pid("p0"), key="k0", actor="clerk")
    batch = [  # all sent by one caller (the keys are scoped to the caller)
        req("p1", "k1"),
        req("p0", "k0"),                      # replay of a key first used by claim()
        req("p0", "k-new"),                   # p0 already holds a voucher
        req("p2", "k2"), req("p2", "k2b"),    # the same person twice in the batch
        req("p3", "k3"), req("p3", "k3"),     # the same key twice, same body
        req("p4", "k3"),                      # the same key, another body
        req("p5", "k5", district="火星区"),
        req("p6", "k6"), req("p7", "k7"),     # the pool (5 vouchers) runs out at p7
    ]
    with vdb() as s:
        out = claim_many(s, batch, actor="clerk")
    assert codes(out) == ["ok", "replayed", "already_claimed", "ok", "already_claimed", "ok", "replayed",
                          "idempotency_key_reused", "unknown_district", "ok", "pool_exhausted"]
    assert out[1]["voucher_id"] == first["voucher_id"]
    with vdb() as s:
        again = service.claim(s, programme="nev", district="南湖区", person_id=pid("p1"), key="k1", actor="clerk")
        assert again["replayed"] and again["voucher_id"] == out[0]["voucher_id"]
        assert Ledger("vouchers").balance(s, "pool:nev:南湖区") == 0
        assert len(audit.history(s, action="voucher.claimed")) == 5
    with vdb() as s:  # the refused keys were not recorded: they may be retried
        retry = claim_many(s, [req("p7", "k7", district="秀洲区")], actor="clerk")
    assert codes(retry) == ["ok"]
    with vdb() as s:  # another caller's "k3" is their own key: neither blocked nor a replay of the clerk's
        mine = claim_many(s, [{**req("p8", "k3", district="秀洲区"), "actor": "someone-else"}])
    assert codes(mine) == ["ok"] and mine[0]["person_id"] == pid("p8")
    with vdb() as s:
        v = service.redeem(s, voucher_id=out[0]["voucher_id"], key="r", purchase={
            "price_yuan": "250000", "date": "2022-10-08", "new_energy": True})
    assert v["face_yuan"] == "6000.00"
    check_invariants(vdb)


@pytest.mark.postgres
def test_batcher_with_64_clients_never_overspends(clean_db):
    uow = partial(unit_of_work, clean_db)
    with uow() as s:
        service.setup(s, budgets={"nev": {"南湖区": 300 * 10_000_00}}, programmes=("nev",))
    with uow() as s:
        service.set_business_date(s, dt.date(2022, 10, 8))
    batcher = ClaimBatcher(uow)
    errors: list = []
    ok = []
    lock = threading.Lock()

    def client(w):
        for i in range(8):
            try:
                r = batcher.claim(programme="nev", district="南湖区", person_id=pid(f"p{(w * 8 + i) % 400}"), key=f"w{w}-{i}")
                with lock:
                    ok.append(r["voucher_id"])
                if i % 3 == 0:  # a retry of the same request replays
                    assert batcher.claim(programme="nev", district="南湖区", person_id=pid(f"p{(w * 8 + i) % 400}"),
                                         key=f"w{w}-{i}")["replayed"]
                if i % 4 == 0:  # direct claims race the batches
                    with uow() as s:
                        service.claim(s, programme="nev", district="南湖区", person_id=pid(f"d{w}-{i}"), key=f"d{w}-{i}")
            except GazetteError as exc:
                if exc.code not in ("pool_exhausted", "already_claimed"):
                    errors.append(exc)
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=client, args=(w,)) for w in range(64)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    batcher.close()
    assert not errors, errors[:3]
    rep = check_invariants(uow)
    pool = next(r for r in rep["pools"] if r["district"] == "南湖区" and r["programme"] == "nev")
    assert pool["pool_fen"] == 0 and pool["issued_fen"] == 300 * 10_000_00
