"""Read-only queries for the officials' fund dashboard: collections per month, arrears and sealed
accounts, and the account totals. No writes; money in integer fen.

The fund (嘉公积金〔2022〕9号) is run by the city's housing provident fund centre and its
accounts carry no district, so these queries are city-wide.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gazette.errors import GazetteError
from gazette.ledger import Ledger
from jiaxing.schemes.provident_fund.domain import clause, month_label
from jiaxing.schemes.provident_fund.models import Collection, FundAccount
from jiaxing.schemes.provident_fund.service import BOOK

SEAL_LABELS = {
    "request": "本人申请停缴 stopped on request",
    "retirement": "达到法定退休年龄 retirement age",
    "arrears": "连续欠缴催收无效 arrears",
    "employment": "转入单位缴存 moved to an employer",
}


def business_date(session: Session) -> dt.date | None:
    try:
        return Ledger(BOOK).business_date(session)
    except GazetteError:
        return None


def totals(session: Session) -> dict[str, Any]:
    """Accounts by state and the money held (balance, prepaid), in fen."""
    rows = session.execute(select(FundAccount.status, func.count(), func.coalesce(func.sum(FundAccount.balance_fen), 0),
                                  func.coalesce(func.sum(FundAccount.prepaid_fen), 0))
                           .group_by(FundAccount.status)).all()
    by = {s: {"status": s, "count": 0, "balance_fen": 0, "prepaid_fen": 0} for s in ("active", "sealed", "transferred")}
    for st, n, bal, pre in rows:
        by[st] = {"status": st, "count": int(n), "balance_fen": int(bal), "prepaid_fen": int(pre)}
    reminded = session.scalar(select(func.count()).select_from(FundAccount).where(
        FundAccount.status == "active", FundAccount.reminded_month.is_not(None))) or 0
    return {"by_status": list(by.values()), "accounts": sum(r["count"] for r in by.values()),
            "balance_fen": sum(r["balance_fen"] for r in by.values()),
            "prepaid_fen": sum(r["prepaid_fen"] for r in by.values()), "reminded": int(reminded)}


def collections_per_month(session: Session) -> list[dict[str, Any]]:
    """Per month: months paid by debit and from prepayment, failed, pending — counts and fen
    (第十三条)."""
    paid = Collection.status == "paid"
    stmt = (select(Collection.month,
                   func.sum(case((paid & (Collection.source == "debit"), 1), else_=0)),
                   func.sum(case((paid & (Collection.source == "debit"), Collection.amount_fen), else_=0)),
                   func.sum(case((paid & (Collection.source == "prepaid"), 1), else_=0)),
                   func.sum(case((paid & (Collection.source == "prepaid"), Collection.amount_fen), else_=0)),
                   func.sum(case((Collection.status == "failed", 1), else_=0)),
                   func.sum(case((Collection.status == "failed", Collection.amount_fen), else_=0)),
                   func.sum(case((Collection.status == "pending", 1), else_=0)),
                   func.sum(case((Collection.status == "pending", Collection.amount_fen), else_=0)))
            .group_by(Collection.month).order_by(Collection.month))
    out = []
    for m, nd, fd, npre, fpre, nf, ff, npend, fpend in session.execute(stmt):
        out.append({"month": month_label(m), "debit_count": int(nd or 0), "debit_fen": int(fd or 0),
                    "prepaid_count": int(npre or 0), "prepaid_fen": int(fpre or 0),
                    "collected_fen": int(fd or 0) + int(fpre or 0),
                    "failed_count": int(nf or 0), "failed_fen": int(ff or 0),
                    "pending_count": int(npend or 0), "pending_fen": int(fpend or 0),
                    "clause": clause("第十三条")})
    return out


def arrears(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    """Active accounts with a failed (unpaid) month not followed by a paid one, or under a reminder
    (催收, 第十七条): person, months unpaid, the reminder month."""
    failed = (select(Collection.account_id, func.count().label("n"), func.max(Collection.month).label("last_failed"),
                     func.sum(Collection.amount_fen).label("fen"))
              .where(Collection.status == "failed").group_by(Collection.account_id).subquery())
    last_paid = (select(Collection.account_id, func.max(Collection.month).label("last_paid"))
                 .where(Collection.status == "paid").group_by(Collection.account_id).subquery())
    stmt = (select(FundAccount, failed.c.n, failed.c.last_failed, failed.c.fen, last_paid.c.last_paid)
            .join(failed, failed.c.account_id == FundAccount.id)
            .outerjoin(last_paid, last_paid.c.account_id == FundAccount.id)
            .where(FundAccount.status == "active")
            .order_by(FundAccount.id).limit(limit))
    out = []
    for acc, n, last_failed, fen, lp in session.execute(stmt):
        if lp is not None and lp > last_failed and acc.reminded_month is None:
            continue  # paid again since: no arrears now
        out.append({"person_id": acc.person_id, "name": acc.name, "failed_months": int(n),
                    "last_failed": month_label(last_failed), "failed_fen": int(fen or 0),
                    "reminded_month": month_label(acc.reminded_month), "clause": clause("第十七条")})
    return out


def sealed(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    stmt = (select(FundAccount).where(FundAccount.status == "sealed").order_by(FundAccount.id).limit(limit))
    return [{"person_id": a.person_id, "name": a.name, "seal_reason": a.seal_reason,
             "reason_label": SEAL_LABELS.get(a.seal_reason or "", a.seal_reason or ""),
             "balance_fen": int(a.balance_fen), "updated_at": a.updated_at,
             "clause": clause("第十七条") if a.seal_reason == "arrears" else clause("第十六条")}
            for a in session.scalars(stmt)]
