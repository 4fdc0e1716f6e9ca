"""The expiry run sends no round trip per voucher (issue 17): the same run at two sizes sends the same
number of SQL statements, and at both sizes every voucher's reserve is back in its pool, entry by entry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from gazette.store.db import unit_of_work
from gazette.store.ledger_models import AuditLogRow, LedgerEntryRow
from jiaxing.schemes.vouchers import service
from jiaxing.schemes.vouchers.models import Voucher
from tests.schemes.provident_fund.test_statement_counts import _empty, counting

from .helpers import check_invariants, pid

BIG = {"nev": {"南湖区": 10_000_000_00, "秀洲区": 10_000_000_00},
       "appliances": {"南湖区": 10_000_000_00, "嘉兴港区": 10_000_000_00}}
PLACES = [("nev", "南湖区"), ("nev", "秀洲区"), ("appliances", "南湖区"), ("appliances", "嘉兴港区")]


def _expire(url: str, vouchers: int) -> tuple[int, dict]:
    _empty(url)
    with unit_of_work(url) as s:
        service.setup(s, business_date=dt.date(2022, 9, 21), budgets=BIG)
    with unit_of_work(url) as s:
        service.set_business_date(s, dt.date(2022, 10, 8))
    for i in range(vouchers):
        programme, district = PLACES[i % len(PLACES)]
        with unit_of_work(url) as s:
            service.claim(s, programme=programme, district=district, person_id=pid(f"x{i}"), key=f"c{i}")
    with unit_of_work(url) as s:
        service.set_business_date(s, dt.date(2023, 1, 1))
    with counting(url) as calls:
        run = service.expire(uow=lambda: unit_of_work(url), chunk_size=1000)
    assert run.status == "completed" and run.result["expired"] == vouchers
    with unit_of_work(url) as s:
        keys = set(s.scalars(select(LedgerEntryRow.idempotency_key).where(
            LedgerEntryRow.idempotency_key.like("voucher:%:expired"))))
        audits = s.scalar(select(func.count()).select_from(AuditLogRow).where(AuditLogRow.action == "voucher.expired"))
        statuses = set(s.scalars(select(Voucher.status)))
    assert len(keys) == vouchers and audits == vouchers and statuses == {"expired"}
    return len(calls), check_invariants(lambda: unit_of_work(url))


def test_the_expiry_run_sends_as_many_statements_for_8_vouchers_as_for_80(clean_db):
    small, _ = _expire(clean_db, 8)
    large, books = _expire(clean_db, 80)
    assert small == large, {"8 vouchers": small, "80 vouchers": large}
    assert books  # the invariants were read
