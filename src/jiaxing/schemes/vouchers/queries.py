"""Read-only queries for the officials' dashboards (no writes, no locks): pool burn per district,
claims per day, the enterprise-application pipeline. Money stays in integer fen.

A ``district`` argument filters to one district (a district officer's view); ``None`` is the
whole city.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette.errors import GazetteError
from gazette.ledger import Ledger
from jiaxing.schemes.vouchers.enterprise import clauses
from jiaxing.schemes.vouchers.models import (
    APPLICATION_STATUSES,
    VOUCHER_STATUSES,
    Application,
    EnterpriseProfile,
    Voucher,
)
from jiaxing.schemes.vouchers.programmes import BOOK, DISTRICTS, SPECS

KINDS = ("budget", "pool", "issued", "redeemed")


def business_date(session: Session) -> dt.date | None:
    """The voucher book's business date (营业日), or None when the programmes are not set up."""
    try:
        return Ledger(BOOK).business_date(session)
    except GazetteError:
        return None


def pool_rows(session: Session, district: str | None = None, programme: str | None = None) -> list[dict[str, Any]]:
    """One row per (programme, district) pool: budget, remaining, issued (reserved by claimed
    vouchers) and redeemed balances in fen from the ledger, and the vouchers by status."""
    lg = Ledger(BOOK)
    try:
        balances = lg.balances(session, programme=programme, district=district)
    except GazetteError:
        return []
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for acc, bal in balances:
        kind = acc.code.split(":", 1)[0]
        if acc.programme not in SPECS or not acc.district or kind not in KINDS:
            continue
        row = rows.setdefault((acc.programme, acc.district), {
            "programme": acc.programme, "programme_name": SPECS[acc.programme].name,
            "clause": SPECS[acc.programme].budget_rule, "voucher_clause": SPECS[acc.programme].clause,
            "district": acc.district, **{f"{k}_fen": 0 for k in KINDS}, "vouchers": {s: 0 for s in VOUCHER_STATUSES}})
        row[f"{kind}_fen"] = int(bal)
    stmt = select(Voucher.programme, Voucher.district, Voucher.status, func.count()).group_by(
        Voucher.programme, Voucher.district, Voucher.status)
    if district:
        stmt = stmt.where(Voucher.district == district)
    if programme:
        stmt = stmt.where(Voucher.programme == programme)
    for p, d, st, n in session.execute(stmt):
        if (p, d) in rows:
            rows[(p, d)]["vouchers"][st] = int(n)
    order = {d: i for i, d in enumerate(DISTRICTS)}
    return sorted(rows.values(), key=lambda r: (r["programme"], order.get(r["district"], 99), r["district"]))


def claims_per_day(session: Session, district: str | None = None, programme: str | None = None,
                   ) -> list[dict[str, Any]]:
    """Vouchers claimed per business day (and per programme), from the voucher rows."""
    stmt = (select(Voucher.claimed_on, Voucher.programme, func.count())
            .group_by(Voucher.claimed_on, Voucher.programme).order_by(Voucher.claimed_on, Voucher.programme))
    if district:
        stmt = stmt.where(Voucher.district == district)
    if programme:
        stmt = stmt.where(Voucher.programme == programme)
    return [{"day": day, "programme": p, "claims": int(n)} for day, p, n in session.execute(stmt)]


def _applications_stmt(district: str | None):
    stmt = select(Application, EnterpriseProfile.name, EnterpriseProfile.district).outerjoin(
        EnterpriseProfile, EnterpriseProfile.id == Application.enterprise_id)
    if district:
        stmt = stmt.where(EnterpriseProfile.district == district)
    return stmt


def applications(session: Session, district: str | None = None, status: str | None = None,
                 limit: int = 500) -> list[dict[str, Any]]:
    """Applications with the enterprise's name and registered district. A district filter keeps
    only enterprises whose profile (``vch_enterprises.district``) is in that district."""
    stmt = _applications_stmt(district).order_by(Application.id.desc()).limit(max(1, min(limit, 5000)))
    if status:
        stmt = stmt.where(Application.status == status)
    titles = {rid: r.title_zh for rid, r in clauses().items()}
    out = []
    for a, name, d in session.execute(stmt):
        out.append({"application_id": a.id, "enterprise_id": a.enterprise_id, "enterprise_name": name,
                    "district": d, "clause": a.clause, "title_zh": titles.get(a.clause, ""), "period": a.period,
                    "status": a.status, "source": a.source, "on": a.on_date, "amount_fen": int(a.amount_fen),
                    "cap_fen": a.cap_fen, "reason": a.reason})
    return out


def pipeline(session: Session, district: str | None = None) -> dict[str, Any]:
    """Counts and amounts (fen) per status and per clause × status."""
    base = select(Application.status, Application.clause, func.count(), func.coalesce(func.sum(Application.amount_fen), 0))
    if district:
        base = base.join(EnterpriseProfile, EnterpriseProfile.id == Application.enterprise_id).where(
            EnterpriseProfile.district == district)
    base = base.group_by(Application.status, Application.clause)
    by_status = {s: {"status": s, "count": 0, "amount_fen": 0} for s in APPLICATION_STATUSES}
    by_clause: dict[str, dict[str, Any]] = {}
    titles = {rid: r.title_zh for rid, r in clauses().items()}
    for st, clause, n, amount in session.execute(base):
        by_status[st]["count"] += int(n)
        by_status[st]["amount_fen"] += int(amount)
        row = by_clause.setdefault(clause, {"clause": clause, "title_zh": titles.get(clause, ""), "count": 0,
                                            "amount_fen": 0, "by_status": {}})
        row["count"] += int(n)
        row["amount_fen"] += int(amount)
        row["by_status"][st] = int(n)
    return {"by_status": list(by_status.values()), "by_clause": sorted(by_clause.values(), key=lambda r: r["clause"])}
