"""64 workers claim, redeem, cancel, refund, apply, approve and pay at once against small pools
(PostgreSQL: SQLite serialises writers and would hide lost updates)."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

from gazette.errors import GazetteError
from jiaxing.schemes.vouchers import enterprise as ent
from jiaxing.schemes.vouchers import service

from .helpers import check_invariants, eid, pid

WORKERS = 64
BUDGETS = {"nev": {"南湖区": 150_000_00, "秀洲区": 50_000_00}, "appliances": {"南湖区": 16_000_00, "嘉兴港区": 6_000_00}}
EXPECTED = {
    "pool_exhausted", "already_claimed", "voucher_not_redeemable", "voucher_not_cancellable", "voucher_not_refundable",
    "already_applied", "application_not_reviewable", "application_not_approvable", "application_not_payable",
    "already_paid", "not_eligible", "voucher_changed",
}
SHOW = "嘉政办发〔2022〕47号#二"
PARK = "嘉政办发〔2022〕47号#三"
TOP = "嘉政办发〔2022〕47号#六"
FACTS = {
    SHOW: {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "30000"},
    PARK: {"nev_park_operator": True, "nev_park_new_companies": {"2022": 1}},
    TOP: {"nev_sales_company": True, "nev_sales_units": {"2022": 1200}, "nev_sales_rank": {"2022": 5}},
}


@pytest.mark.postgres
def test_64_workers_never_overspend_or_pay_twice(db_url, clean_db):
    engine = create_engine(db_url, pool_size=WORKERS + 4, max_overflow=0)
    factory = sessionmaker(bind=engine, expire_on_commit=False)

    from contextlib import contextmanager

    @contextmanager
    def uow():
        s = factory()
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    with uow() as s:
        service.setup(s, budgets=BUDGETS)
    with uow() as s:
        service.set_business_date(s, dt.date(2022, 10, 8))

    barrier = threading.Barrier(WORKERS)
    failures: list[BaseException] = []
    codes: dict[str, int] = {}
    lock = threading.Lock()

    def op(fn, own=False, **kw):
        """``own``: the command is its own transaction (the API's call: autocommit, one statement)."""
        try:
            if own:
                return fn(None, **kw)
            with uow() as s:
                return fn(s, **kw)
        except GazetteError as exc:
            with lock:
                codes[exc.code] = codes.get(exc.code, 0) + 1
            if exc.code not in EXPECTED:
                raise
            return None

    def worker(w: int) -> None:
        rnd = random.Random(w)
        own = w % 2 == 0  # half the workers call as the API does, half in a unit of work of their own
        try:
            barrier.wait()
            for i in range(12):
                person = pid(f"p{rnd.randrange(120)}")
                prog, district = rnd.choice([("nev", "南湖区"), ("nev", "秀洲区"), ("appliances", "南湖区"),
                                             ("appliances", "嘉兴港区")])
                r = op(service.claim, own, programme=prog, district=district, person_id=person, key=f"w{w}-c{i}")
                if r and rnd.random() < 0.5:  # a repeat with the same key replays
                    again = op(service.claim, own, programme=prog, district=district, person_id=person, key=f"w{w}-c{i}")
                    assert again["voucher_id"] == r["voucher_id"] and again["replayed"]
                if r:
                    vid = r["voucher_id"]
                    x = rnd.random()
                    if x < 0.45:
                        purchase = ({"price_yuan": str(rnd.choice([150000, 250000, 320000])), "date": "2022-10-05",
                                     "new_energy": True} if prog == "nev" else
                                    {"price_yuan": str(rnd.choice([2500, 4500, 12000])), "date": "2022-10-05",
                                     "category": "television", "energy_label": 1})
                        red = op(service.redeem, own, voucher_id=vid, purchase=purchase, key=f"w{w}-r{i}")
                        op(service.cancel, own, voucher_id=vid, key=f"w{w}-x{i}")  # races the redemption: refused
                        if red and rnd.random() < 0.3:
                            op(service.refund, own, voucher_id=vid, key=f"w{w}-f{i}")
                    elif x < 0.7:
                        op(service.cancel, own, voucher_id=vid, key=f"w{w}-x{i}")
                clause = rnd.choice([SHOW, PARK, TOP])
                eid_ = eid(f"E{rnd.randrange(8)}")
                a = op(ent.submit, enterprise_id=eid_, clause=clause, facts=FACTS[clause], key=f"w{w}-a{i}")
                if a:
                    aid = a["application_id"]
                    op(ent.start_review, application_id=aid)
                    op(ent.approve, application_id=aid, key=f"w{w}-ap{i}")
                    op(ent.pay, application_id=aid, key=f"w{w}-p{i}")
                    op(ent.pay, application_id=aid, key=f"w{w}-p{i}-dup")  # a second payment is refused
        except BaseException as exc:  # noqa: BLE001
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert not failures, failures[:3]
    assert codes.get("pool_exhausted", 0) > 0 and codes.get("already_claimed", 0) > 0
    assert codes.get("already_applied", 0) > 0
    from functools import partial

    from gazette.store.db import unit_of_work

    rep = check_invariants(partial(unit_of_work, db_url))
    nev = next(r for r in rep["pools"] if r["programme"] == "nev" and r["district"] == "南湖区")
    assert nev["budget_fen"] == 150_000_00
