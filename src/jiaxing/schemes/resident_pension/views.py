"""Read-only views: a pensioner's statement, the officers' payroll dashboard, standards."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gazette.ledger.money import fen_to_yuan
from jiaxing.schemes.resident_pension import domain
from jiaxing.schemes.resident_pension import standards as pension_standards
from jiaxing.schemes.resident_pension.bank import ref
from jiaxing.schemes.resident_pension.models import Contribution, LineStatus, ParticipantStatus
from jiaxing.schemes.resident_pension.participants import get, snapshot

STATUS_ZH = {LineStatus.DUE: "待发", LineStatus.SENT: "已送银行", LineStatus.PAID: "已到账",
             LineStatus.FAILED: "发放失败（下次重发）", LineStatus.CANCELLED: "已撤销"}


def _balance(session: Session, code: str) -> int:
    return int(session.execute(text(
        "SELECT COALESCE(SUM(b.balance), 0) FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id "
        "WHERE a.book_code = :b AND a.code = :c"), {"b": domain.BOOK, "c": code}).scalar())


def statement(session: Session, person_id: str) -> dict:
    """一个参保人的对账单: monthly amounts, top-ups, contributions, the subsidy account, recovery items,
    the next payment."""
    p = get(session, person_id)
    lines = session.execute(text("""
        SELECT id, kind, month, version, months, amount_fen, status FROM rp_lines WHERE participant_id = :p
        ORDER BY month, kind DESC, id"""), {"p": p.id}).all()
    pensions = [{"ref": ref(r[0]), "month": domain.month_label(r[2]), "amount": fen_to_yuan(r[5]), "version": r[3],
                 "status": r[6], "status_zh": STATUS_ZH[r[6]]} for r in lines if r[1] == "pension"]
    topups = [{"ref": ref(r[0]), "run_month": domain.month_label(r[2]), "months": r[4], "amount": fen_to_yuan(r[5]),
               "version": r[3], "status": r[6], "status_zh": STATUS_ZH[r[6]], "clause": domain.clause("二")}
              for r in lines if r[1] == "topup"]
    contributions = [{"year": c.year, "amount": fen_to_yuan(c.amount_fen), "paid_on": c.paid_on.isoformat(),
                      "back_payment": c.back_payment, "subsidy": fen_to_yuan(c.subsidy_fen), "clause": c.clause}
                     for c in session.scalars(select(Contribution).where(Contribution.person_id == p.person_id)
                                              .order_by(Contribution.year))]
    recoveries = [{"month": domain.month_label(r[0]), "amount": fen_to_yuan(r[1]), "status": r[2], "reason": r[3]}
                  for r in session.execute(text("SELECT month, amount_fen, status, reason FROM rp_recoveries "
                                                "WHERE participant_id = :p ORDER BY month"), {"p": p.id})]
    d = pension_standards.today(session)
    nxt = None
    if p.status == ParticipantStatus.RECEIVING:
        last = max((r[2] for r in lines if r[1] == "pension"), default=None)
        m = max(domain.month_index(d) if last is None else last + 1, p.pension_from or 0)
        v = pension_standards.version_on(session, d)
        amount = pension_standards.standard(session, v, m)
        if amount:
            nxt = {"month": domain.month_label(m), "amount": fen_to_yuan(amount), "clause": domain.clause("二")}
    received = sum(r[5] for r in lines if r[6] != LineStatus.CANCELLED)
    return {"participant": snapshot(p), "business_date": d.isoformat(), "pensions": pensions, "topups": topups,
            "topup_total": fen_to_yuan(sum(r[5] for r in lines if r[1] == "topup" and r[6] != LineStatus.CANCELLED)),
            "granted_total": fen_to_yuan(received), "contributions": contributions,
            "personal_account": fen_to_yuan(_balance(session, f"personal:{p.person_id}")),
            "subsidy_account": fen_to_yuan(_balance(session, f"subsidy:{p.person_id}")),
            "recoveries": recoveries, "next_payment": nxt,
            "clauses": [domain.clause("二"), domain.clause("三")]}


def dashboard(session: Session, district: str | None = None, months: int = 12) -> dict:
    """Payroll by district and month (what was granted, paid, failed, pending), newest first."""
    where = "WHERE district = :d" if district else ""
    rows = session.execute(text(f"""
        SELECT district, kind, month, status, COUNT(*), SUM(amount_fen) FROM rp_lines {where}
        GROUP BY district, kind, month, status"""), {"d": district}).all()
    table: dict[tuple[str, str], dict] = {}
    for dist, kind, month, status, n, amount in rows:
        label = domain.month_label(month)
        cell = table.setdefault((label, dist), {"month": label, "district": dist, "people": 0, "pension": 0, "topup": 0,
                                                "paid": 0, "failed": 0, "pending": 0, "cancelled": 0})
        amount = int(amount)
        if status == LineStatus.CANCELLED:
            cell["cancelled"] += amount
            continue
        cell[kind] += amount
        if kind == "pension":
            cell["people"] += int(n)
        cell["paid" if status == LineStatus.PAID else "failed" if status == LineStatus.FAILED else "pending"] += amount
    recent = sorted({k[0] for k in table}, reverse=True)[:months]
    out = [dict(v, **{k: fen_to_yuan(v[k]) for k in ("pension", "topup", "paid", "failed", "pending", "cancelled")},
                pension_fen=v["pension"], topup_fen=v["topup"])
           for k, v in sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True) if k[0] in recent]
    status = dict(session.execute(text(f"SELECT status, COUNT(*) FROM rp_participants {where} GROUP BY status"),
                                  {"d": district}).all())
    return {"district": district, "rows": out, "participants": {k: int(v) for k, v in status.items()},
            "business_date": pension_standards.today(session).isoformat(), "standards": standards(session)}


def standards(session: Session) -> list[dict]:
    return [{"version": v.version, "effective_from": domain.month_label(v.effective_from), "amount": fen_to_yuan(v.amount_fen),
             "published_on": v.published_on.isoformat(),
             "citation": v.citation} for v in pension_standards.versions(session)]


def runs(session: Session, limit: int = 50) -> list[dict]:
    rows = session.execute(text("SELECT run_type, period, status, attempts, result FROM ledger_runs WHERE run_type "
                                "LIKE 'rp.%' ORDER BY id DESC LIMIT :n"), {"n": limit}).all()
    return [{"run_type": r[0], "period": r[1], "status": r[2], "attempts": r[3], "result": r[4]} for r in rows]
