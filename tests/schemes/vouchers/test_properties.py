"""Hypothesis: random sequences of voucher and application operations keep every invariant, and
the ledger's pool balances always equal a simple model of the operations that succeeded."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.errors import GazetteError
from gazette.ledger import Ledger
from jiaxing.schemes.vouchers import enterprise as ent
from jiaxing.schemes.vouchers import service
from jiaxing.schemes.vouchers.batch import claim_many

from .helpers import check_invariants, eid, pid

POOLS = [("nev", "南湖区"), ("nev", "秀洲区"), ("appliances", "南湖区"), ("appliances", "嘉兴港区")]
MAX = {"nev": 10000_00, "appliances": 2000_00}
PRICES = {"nev": ["99999.99", "200000", "299999.99", "300000", "5"], "appliances": ["1999.99", "2000", "4000", "10000"]}
CLAUSES = {
    "嘉政办发〔2022〕47号#二": {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "30000"},
    "嘉政办发〔2022〕47号#三": {"nev_park_operator": True, "nev_park_new_companies": {"2022": 1}},
    "嘉政办发〔2022〕47号#六": {"nev_sales_company": True, "nev_sales_units": {"2022": 1200}, "nev_sales_rank": {"2022": 5}},
}
EXPECTED = {"pool_exhausted", "already_claimed", "voucher_not_redeemable", "voucher_not_cancellable",
            "voucher_not_refundable", "not_eligible", "already_applied", "application_not_payable"}
_run = itertools.count()

ops = st.lists(st.one_of(
    st.tuples(st.just("claim"), st.integers(0, 3), st.integers(0, 5)),
    st.tuples(st.just("redeem"), st.integers(0, 9), st.integers(0, 4)),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("refund"), st.integers(0, 9)),
    st.tuples(st.just("replay"), st.integers(0, 30)),
    st.tuples(st.just("batch"), st.lists(st.tuples(st.integers(0, 3), st.integers(0, 5)), min_size=1, max_size=4)),
    st.tuples(st.just("apply"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("pay"), st.integers(0, 5)),
), min_size=1, max_size=25)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seq=ops)
def test_random_sequences_keep_the_invariants(vdb, seq):
    n = next(_run)
    lg = Ledger("vouchers")
    with vdb() as s:
        model = {(p, d): {k: lg.balance(s, f"{k}:{p}:{d}") for k in ("pool", "issued", "redeemed")} for p, d in POOLS}
    vouchers: list[dict] = []
    apps: list[int] = []
    done: list[tuple] = []  # (callable, kwargs, result) of successes, for replays

    def call(fn, **kw):
        try:
            with vdb() as s:
                return fn(s, **kw)
        except GazetteError as exc:
            assert exc.code in EXPECTED, exc
            return None

    for i, op in enumerate(seq):
        key = f"h{n}-{i}"
        kind = op[0]
        if kind == "claim":
            p, d = POOLS[op[1]]
            r = call(service.claim, programme=p, district=d, person_id=pid(f"h{n}p{op[2]}"), key=key)
            if r:
                m = model[(p, d)]
                m["pool"] -= MAX[p]
                m["issued"] += MAX[p]
                vouchers.append(r)
                done.append((service.claim, {"programme": p, "district": d, "person_id": pid(f"h{n}p{op[2]}"), "key": key}, r))
        elif kind == "batch":
            reqs = [{"programme": POOLS[a][0], "district": POOLS[a][1], "person_id": pid(f"h{n}p{b}"), "key": f"{key}-{j}"}
                    for j, (a, b) in enumerate(op[1])]
            with vdb() as s:
                res = claim_many(s, reqs)
            for rq, r in zip(reqs, res, strict=True):
                if isinstance(r, GazetteError):
                    assert r.code in EXPECTED | {"idempotency_key_reused"}, r
                elif not r["replayed"]:
                    m = model[(rq["programme"], rq["district"])]
                    m["pool"] -= MAX[rq["programme"]]
                    m["issued"] += MAX[rq["programme"]]
                    vouchers.append(r)
        elif kind in ("redeem", "cancel", "refund") and vouchers:
            v = vouchers[op[1] % len(vouchers)]
            m = model[(v["programme"], v["district"])]
            if kind == "redeem":
                price = PRICES[v["programme"]][op[2] % len(PRICES[v["programme"]])]
                purchase = ({"price_yuan": price, "date": "2022-10-01", "new_energy": True} if v["programme"] == "nev"
                            else {"price_yuan": price, "date": "2022-10-01", "category": "washing_machine",
                                  "energy_label": 2})
                r = call(service.redeem, voucher_id=v["voucher_id"], purchase=purchase, key=key)
                if r:
                    face = int(r["face_yuan"].replace(".", ""))
                    assert 0 < face <= MAX[v["programme"]]
                    m["redeemed"] += face
                    m["pool"] += MAX[v["programme"]] - face
                    m["issued"] -= MAX[v["programme"]]
                    v["face"] = face
            elif kind == "cancel":
                if call(service.cancel, voucher_id=v["voucher_id"], key=key):
                    m["pool"] += MAX[v["programme"]]
                    m["issued"] -= MAX[v["programme"]]
            else:
                if call(service.refund, voucher_id=v["voucher_id"], key=key):
                    m["pool"] += v["face"]
                    m["redeemed"] -= v["face"]
        elif kind == "replay" and done:
            fn, kw, first = done[op[1] % len(done)]
            with vdb() as s:
                again = fn(s, **kw)
            assert again["replayed"] and again["voucher_id"] == first["voucher_id"]
        elif kind == "apply":
            clause = list(CLAUSES)[op[2]]
            r = call(ent.submit, enterprise_id=eid(f"H{n}E{op[1]}"), clause=clause, facts=CLAUSES[clause], key=key)
            if r:
                aid = r["application_id"]
                call(ent.start_review, application_id=aid)
                call(ent.approve, application_id=aid, key=f"{key}-ap")
                apps.append(aid)
        elif kind == "pay" and apps:
            call(ent.pay, application_id=apps[op[1] % len(apps)], key=key)
    with vdb() as s:
        for (p, d), m in model.items():
            for k, want in m.items():
                assert lg.balance(s, f"{k}:{p}:{d}") == want, (p, d, k)
    check_invariants(vdb)
