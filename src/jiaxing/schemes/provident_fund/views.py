"""Read-only views of the fund: the worker's account, the statement, the exceptions list, the
reconciliation of the sub-ledger with the ledger's control accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gazette.ledger import fen_to_yuan
from jiaxing.schemes.provident_fund import domain, sanctions
from jiaxing.schemes.provident_fund.account_records import find_account, last_collected_month
from jiaxing.schemes.provident_fund.book import ledger, today
from jiaxing.schemes.provident_fund.domain import clause, month_label
from jiaxing.schemes.provident_fund.models import Collection, FundAccount, FundException, Movement
from jiaxing.schemes.provident_fund.reference_data import rate_index


def consecutive(session: Session, acc: FundAccount) -> int:
    rows = session.execute(select(Collection.month, Collection.status).where(
        Collection.account_id == acc.id, Collection.month >= acc.due_from, Collection.status != "pending")).all()
    paid = {r.month: r.status == "paid" for r in rows}
    latest = max(paid) if paid else None
    return domain.consecutive_months(paid, latest, acc.due_from, carried_months=acc.carried_months,
                                carried_through=acc.carried_through)


def view(session: Session, person_id: str) -> dict:
    """The worker's view: balance, prepaid months, next debit, months counting toward a loan."""
    d = today(session)
    acc = find_account(session, person_id, lock=False)
    c = rate_index(session, d)
    accrued = acc.accrual + acc.balance_fen * max(c - acc.accrual_idx, 0)
    nxt = None
    if acc.status == "active":
        nm = domain.next_uncovered_month(acc.due_from, last_collected_month(session, acc.id), acc.prepaid_through)
        if nm <= acc.retire_month:
            nxt = {"month": month_label(nm), "debit_by": (domain.month_start(nm + 1) + dt.timedelta(days=9)).isoformat(),
                   "amount_fen": acc.monthly_fen, "amount": fen_to_yuan(acc.monthly_fen), "clause": clause("第十三条")}
    months = consecutive(session, acc)
    blocks = sanctions.application_blocks(session, acc, d)
    return {
        "person_id": acc.person_id, "name": acc.name, "status": acc.status, "seal_reason": acc.seal_reason,
        "business_date": d.isoformat(),
        "base": fen_to_yuan(acc.base_fen), "rate": f"{acc.rate_bp / 100:g}%", "monthly": fen_to_yuan(acc.monthly_fen),
        "balance_fen": acc.balance_fen, "balance": fen_to_yuan(acc.balance_fen),
        "prepaid_fen": acc.prepaid_fen, "prepaid": fen_to_yuan(acc.prepaid_fen),
        "prepaid_through": month_label(acc.prepaid_through),
        "accrued_interest_fen": domain.interest_fen(accrued), "settlement_year": domain.settlement_year(d),
        "next_debit": nxt,
        "loan": {"consecutive_months": months, "loan_outstanding": acc.loan_outstanding,
                 "preferential_policies": False, "blocked_by": blocks,
                 "clauses": [clause("第二十条.（一）"), clause("第二十条.（二）"), clause("第二十条.（三）"),
                             clause("第二十一条")],
                 "note_zh": "连续缴存月数按月度入账计算（预缴月份到期入账后方计入）；不享受人才安居、中心城市品质提升等优惠政策；"
                            "贷款条件、额度按《嘉兴市住房公积金个人住房贷款管理实施细则》"},
        "reminded_month": month_label(acc.reminded_month),
        "withdrawal": {"blocked_by": [b for b in blocks if b["clause"].endswith("第二十二条")],
                       "clause": clause("第十九条")},
        "sanctions": sanctions.list_for(session, person_id, open_only=True),
    }


def statement(session: Session, person_id: str, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    acc = find_account(session, person_id, lock=False)
    rows = [(mv.business_date, 0, mv.id, mv.kind, mv.delta_balance, mv.delta_prepaid, mv.month, mv.memo)
            for mv in session.scalars(select(Movement).where(Movement.account_id == acc.id))]
    for c in session.scalars(select(Collection).where(Collection.account_id == acc.id, Collection.status == "paid")):
        pre_d = -c.amount_fen if c.source == "prepaid" else 0
        rows.append((c.settled_on, 1, c.id, "prepaid_due" if c.source == "prepaid" else "collection", c.amount_fen,
                     pre_d, c.month, None))
    rows.sort(key=lambda r: r[:3])
    bal = pre = 0
    opening = (0, 0)
    lines = []
    for day, _, _, kind, d_bal, d_pre, month, memo in rows:
        mv = Movement(business_date=day, kind=kind, delta_balance=d_bal, delta_prepaid=d_pre, month=month, memo=memo)
        if start and mv.business_date < start:
            bal += mv.delta_balance
            pre += mv.delta_prepaid
            opening = (bal, pre)
            continue
        if end and mv.business_date > end:
            break
        bal += mv.delta_balance
        pre += mv.delta_prepaid
        lines.append({"date": mv.business_date.isoformat(), "kind": mv.kind, "month": month_label(mv.month),
                      "delta_balance": fen_to_yuan(mv.delta_balance) if mv.delta_balance >= 0 else
                      "-" + fen_to_yuan(-mv.delta_balance),
                      "delta_balance_fen": mv.delta_balance, "delta_prepaid_fen": mv.delta_prepaid,
                      "balance_fen": bal, "balance": fen_to_yuan(bal), "prepaid_fen": pre, "memo": mv.memo})
    return {"person_id": person_id, "opening_balance_fen": opening[0], "opening_prepaid_fen": opening[1],
            "closing_balance_fen": bal, "closing_prepaid_fen": pre, "lines": lines}


def exceptions(session: Session, kind: str | None = None, limit: int = 1000) -> list[dict]:
    q = select(FundException).order_by(FundException.id).limit(limit)
    if kind:
        q = q.where(FundException.kind == kind)
    return [{"source": e.source, "line_no": e.line_no, "ref": e.ref, "kind": e.kind, "detail": e.detail,
             "business_date": e.business_date.isoformat()} for e in session.scalars(q)]


def reconcile(session: Session) -> dict:
    """Sub-ledger vs control accounts, per-account journal vs balances, and the ledger's own checks."""
    book = ledger()
    sums = session.execute(select(func.coalesce(func.sum(FundAccount.balance_fen), 0),
                                  func.coalesce(func.sum(FundAccount.prepaid_fen), 0))).one()
    bad = session.execute(text("""
        SELECT COUNT(*) FROM pf_accounts a LEFT JOIN (
          SELECT account_id, SUM(b) AS b, SUM(p) AS p FROM (
            SELECT account_id, delta_balance AS b, delta_prepaid AS p FROM pf_movements
            UNION ALL
            SELECT account_id, amount_fen, CASE WHEN source = 'prepaid' THEN -amount_fen ELSE 0 END
            FROM pf_collections WHERE status = 'paid') j GROUP BY account_id
        ) m ON m.account_id = a.id
        WHERE a.balance_fen <> COALESCE(m.b, 0) OR a.prepaid_fen <> COALESCE(m.p, 0)""")).scalar()
    orphans = session.execute(text(
        "SELECT (SELECT COUNT(*) FROM pf_movements m WHERE NOT EXISTS (SELECT 1 FROM pf_accounts a WHERE a.id = m.account_id))"
        " + (SELECT COUNT(*) FROM pf_collections c WHERE NOT EXISTS (SELECT 1 FROM pf_accounts a "
        "WHERE a.id = c.account_id))")).scalar()
    members, prepaid = book.balance(session, "members"), book.balance(session, "prepaid")
    ver = book.verify(session)
    tb = book.trial_balance(session)
    ok = (int(sums[0]) == members and int(sums[1]) == prepaid and bad == 0 and orphans == 0 and ver.ok
          and tb.net_fen == 0)
    return {"ok": ok, "sub_ledger_balance_fen": int(sums[0]), "members_fen": members,
            "sub_ledger_prepaid_fen": int(sums[1]), "prepaid_fen": prepaid, "accounts_off_journal": int(bad), "orphan_rows": int(orphans),
            "ledger_verified": ver.ok, "trial_balance_net_fen": tb.net_fen}



def iter_accounts(session: Session) -> Iterable[FundAccount]:
    return session.scalars(select(FundAccount).order_by(FundAccount.id))

