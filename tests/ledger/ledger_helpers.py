"""Helpers for the ledger tests (importable as ``ledger_helpers``)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select

from gazette.ledger import Ledger
from gazette.store.ledger_models import (
    AuditLogRow,
    IdempotencyKeyRow,
    LedgerBalanceRow,
    LedgerEntryRow,
    LedgerLineRow,
)

START = dt.date(2022, 10, 1)


def new_book(uow, *, business_date=START, accounts=()) -> Ledger:
    code = "t-" + uuid.uuid4().hex[:12]
    with uow() as s:
        ledger = Ledger.open_book(s, code, "测试账本", business_date=business_date, actor="tester")
        for acc in accounts:
            ledger.open_account(s, *acc[:3], **(acc[3] if len(acc) > 3 else {}))
    return ledger


STANDARD = (
    ("budget", "财政预算", "equity"),
    ("pool", "区级资金池", "asset", {"programme": "nev", "district": "南湖区"}),
    ("issued", "已发放消费券", "asset"),
    ("paid", "已兑付", "expense"),
    ("bank", "银行存款", "asset"),
    ("member", "个人账户", "liability", {"owner": "person-1"}),
    ("interest", "利息支出", "expense"),
    ("income", "手续费收入", "income"),
    ("clearing", "清算户", "asset", {"allow_negative": True}),
)


def counts(uow) -> dict[str, int]:
    """Row counts of every table the ledger writes (to prove that nothing was written)."""
    with uow() as s:
        out = {
            t.__tablename__: s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (LedgerEntryRow, LedgerLineRow, AuditLogRow, IdempotencyKeyRow)
        }
        out["balance_sum"] = s.execute(
            select(func.coalesce(func.sum(LedgerBalanceRow.balance), 0))
        ).scalar_one()
    return out
