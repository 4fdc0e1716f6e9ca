"""Yearly funding (筹资) — 一.（二）.

"筹资标准为每人每年 120 元，其中个人缴费 30 元，职工医保单位缴费 90 元（暂由职工医保统筹基金划转），
城乡居民医保财政补助 90 元。" A funding batch for a year charges every person insured that year and not
yet funded for it (one line per (year, person), a unique constraint), set-based, and posts one entry
per district on the ``ltc_funding`` book: 借 ``receivable:<district>`` (基金应收) / 贷 ``personal:<district>``
(个人缴费) and ``employee_pool:<district>`` (职工医保统筹基金划转) or ``fiscal:<district>`` (财政补助).

Idempotent per (year, batch): a second run of the same (year, batch) — under any key — returns the
first result and writes nothing. A person with an open 重复参保 is held until it is cleared (their
source of the 90 yuan is not yet known), and reported.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from gazette.ledger import Ledger, clock, credit, debit
from gazette.ledger.money import fen_to_yuan
from gazette.schemes.handler import Context, handles
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.ltc.intake_commands import Fund
from jiaxing.schemes.ltc.intake_models import FundingBatch
from jiaxing.schemes.ltc.intake_params import BOOK, FUNDING_CLAUSE, SOURCE_ZH, funding_fen

OTHER = {"employee": "employee_pool", "resident": "fiscal"}


def ledger(session: Session, actor: str) -> Ledger:
    """The funding book and its accounts (idempotent); its business date brought up to today."""
    today = clock.now().date()
    lg = Ledger.open_book(session, BOOK, "长期护理保险基金筹资", business_date=today, actor=actor)
    if lg.business_date(session) < today:
        lg.advance_business_date(session, today, actor=actor)
    for d in DISTRICTS:
        lg.open_account(session, f"receivable:{d}", f"长护险基金筹资应收（{d}）", "asset", programme="ltc", district=d,
                        actor=actor)
        for src, name in SOURCE_ZH.items():
            lg.open_account(session, f"{src}:{d}", f"{name}（{d}）", "income", programme="ltc", district=d, actor=actor)
    return lg


@handles(Fund)
def _fund(ctx: Context, cmd: Fund) -> dict:
    s = ctx.session
    first = s.scalar(select(FundingBatch).where(FundingBatch.year == cmd.year, FundingBatch.batch == cmd.batch))
    if first is not None:  # idempotent per (year, batch), whatever the key
        return {**first.result, "already": True}
    today = clock.now().date()
    if cmd.year > today.year:
        raise InvalidInput(f"不能为未来年度 {cmd.year} 筹资", f"cannot fund a future year ({cmd.year})", field="year",
                           code="future_year")
    total, personal, other = funding_fen(cmd.year)
    lg = ledger(s, ctx.actor)
    batch = FundingBatch(year=cmd.year, batch=cmd.batch, people=0, result={}, actor=ctx.actor)
    s.add(batch)
    s.flush()
    start, end = dt.date(cmd.year, 1, 1), dt.date(cmd.year, 12, 31)
    params = {"b": batch.id, "y": cmd.year, "p": personal, "o": other, "start": start, "end": end}
    held = s.execute(text(
        "SELECT COUNT(*) FROM ltc_insured i WHERE EXISTS (SELECT 1 FROM ltc_duplicate_enrolments d "
        "WHERE d.person_id = i.person_id AND d.status = 'open') AND i.insured_since <= :end "
        "AND (i.died_on IS NULL OR i.died_on >= :start) AND (i.insured_until IS NULL OR i.insured_until >= :start) "
        "AND NOT EXISTS (SELECT 1 FROM ltc_funding_lines f WHERE f.year = :y AND f.person_id = i.person_id)"),
        params).scalar_one()
    s.execute(text(
        "INSERT INTO ltc_funding_lines (batch_id, year, person_id, district, scheme, personal_fen, other_fen) "
        "SELECT :b, :y, i.person_id, i.district, i.scheme, :p, :o FROM ltc_insured i "
        "WHERE i.insured_since <= :end AND (i.died_on IS NULL OR i.died_on >= :start) "
        "AND (i.insured_until IS NULL OR i.insured_until >= :start) "
        "AND NOT EXISTS (SELECT 1 FROM ltc_duplicate_enrolments d WHERE d.person_id = i.person_id AND d.status = 'open') "
        "AND NOT EXISTS (SELECT 1 FROM ltc_funding_lines f WHERE f.year = :y AND f.person_id = i.person_id)"), params)
    rows = s.execute(text(
        "SELECT district, scheme, COUNT(*), SUM(personal_fen), SUM(other_fen) FROM ltc_funding_lines "
        "WHERE batch_id = :b GROUP BY district, scheme ORDER BY district, scheme"), {"b": batch.id}).all()
    by_district: dict[str, dict] = {}
    sums = {"personal": 0, "employee_pool": 0, "fiscal": 0}
    people = 0
    for d, scheme, n, p_fen, o_fen in rows:
        agg = by_district.setdefault(d, {"people": 0, "personal": 0, "employee_pool": 0, "fiscal": 0})
        agg["people"] += n
        agg["personal"] += int(p_fen)
        agg[OTHER[scheme]] += int(o_fen)
        people += n
    posted_on = min(dt.date(cmd.year, 12, 31), lg.business_date(s))
    for d, agg in by_district.items():
        amount = agg["personal"] + agg["employee_pool"] + agg["fiscal"]
        lines = [debit(f"receivable:{d}", amount)]
        lines += [credit(f"{src}:{d}", agg[src]) for src in sums if agg[src]]
        ctx.post(lg, lines, key=f"ltc.funding:{cmd.year}:{cmd.batch}:{d}", description=f"{cmd.year} 年度长护险筹资（{d}）",
                 business_date=posted_on, data={"clause": FUNDING_CLAUSE, "people": agg["people"]})
        for src in sums:
            sums[src] += agg[src]
    result = {"year": cmd.year, "batch": cmd.batch, "people": people, "held_duplicates": held,
              "per_person": {"total": fen_to_yuan(total), "personal": fen_to_yuan(personal), "other": fen_to_yuan(other)},
              "by_source": {src: fen_to_yuan(v) for src, v in sums.items()},
              "total": fen_to_yuan(sum(sums.values())),
              "by_district": {d: {"people": a["people"], **{k: fen_to_yuan(a[k]) for k in sums}}
                              for d, a in by_district.items()},
              "clause": FUNDING_CLAUSE}
    batch.people, batch.result = people, result
    s.flush()
    ctx.audit("ltc.funded", "ltc_funding_batch", f"{cmd.year}/{cmd.batch}", after=result)
    return {**result, "already": False}


def funding_summary(session: Session, year: int | None = None) -> list[dict]:
    q = "SELECT year, district, scheme, COUNT(*), SUM(personal_fen), SUM(other_fen) FROM ltc_funding_lines"
    q += " WHERE year = :y" if year else ""
    q += " GROUP BY year, district, scheme ORDER BY year, district, scheme"
    return [{"year": y, "district": d, "scheme": sc, "people": n, "personal": fen_to_yuan(int(p)),
             "other": fen_to_yuan(int(o)), "other_source": OTHER[sc]}
            for y, d, sc, n, p, o in session.execute(text(q), {"y": year})]
