"""The monthly collection run (月度托收, 第十三条), keyed by ("pf.collection", "YYYY-MM").

For every active account due in the month: a prepaid month is credited (预缴资金按月入账,
第二十条（二）); otherwise a debit instruction (委托收款) is created for the bank, settled later by
the bank result import (:mod:`.bank_import`). Between the 1st and the 10th of the next month.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from jiaxing.schemes.provident_fund import domain
from jiaxing.schemes.provident_fund.book import ledger, today
from jiaxing.schemes.provident_fund.domain import cited, clause, month_label
from jiaxing.schemes.provident_fund.reference_data import rate_index
from jiaxing.schemes.provident_fund.runs import DEFAULT_WIDTH, greatest, run_in_chunks, unit_of_work_factory

# one row per account due in the month, not yet collected or instructed (UNIQUE (account_id, month))
INSTRUCT_OR_CREDIT = """
    INSERT INTO pf_collections (account_id, month, amount_fen, source, status, ref, settled_on, run_id)
    SELECT a.id, :m, a.monthly_fen,
           CASE WHEN a.prepaid_through >= :m THEN 'prepaid' ELSE 'debit' END,
           CASE WHEN a.prepaid_through >= :m THEN 'paid' ELSE 'pending' END,
           :label || CAST(a.id AS VARCHAR(20)),
           CASE WHEN a.prepaid_through >= :m THEN :d ELSE NULL END, :rid
    FROM pf_accounts a
    WHERE a.id >= :lo AND a.id < :hi AND a.status = 'active' AND a.due_from <= :m
      AND NOT EXISTS (SELECT 1 FROM pf_collections x WHERE x.account_id = a.id AND x.month = :m)"""

# the prepaid month moves from prepaid money to the balance (interest accrued up to today first)
CREDIT_PREPAID = """
    UPDATE pf_accounts SET
      accrual = accrual + balance_fen * {greatest}(:c - accrual_idx, 0),
      accrual_idx = {greatest}(accrual_idx, :c),
      balance_fen = balance_fen + monthly_fen,
      prepaid_fen = prepaid_fen - monthly_fen,
      last_paid_month = :m,
      prepaid_through = CASE WHEN prepaid_through = :m THEN NULL ELSE prepaid_through END
    WHERE id >= :lo AND id < :hi AND prepaid_through >= :m
      AND (last_paid_month IS NULL OR last_paid_month < :m)
      AND EXISTS (SELECT 1 FROM pf_collections x WHERE x.month = :m AND x.account_id = pf_accounts.id
                  AND x.source = 'prepaid' AND x.run_id = :rid)"""


def monthly_collection(month: str | int, *, width: int = DEFAULT_WIDTH, uow=None, on_progress=None,
                       actor: str = "system"):
    """Run ``("pf.collection", month)``; see the module doc."""
    uow = unit_of_work_factory(uow)
    month_no = domain.parse_month(month)
    with uow() as session:
        day = today(session)
        if not domain.month_index(day) > month_no:
            raise cited(InvalidInput(f"{month_label(month_no)} 尚未结束，不能托收", f"{month_label(month_no)} is not over",
                                     field="month", code="month_not_over"), "第十三条")
        index_now = rate_index(session, day)

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        p = {"m": month_no, "lo": lo, "hi": lo + width, "d": day, "c": index_now,
             "label": month_label(month_no) + "-", "rid": ctx.run_id}
        rows = session.execute(text(INSTRUCT_OR_CREDIT), p).rowcount
        session.execute(text(CREDIT_PREPAID.format(greatest=greatest(session))), p)
        # the prepaid months this run credited (run_id: the same across attempts of a resumed run)
        total = session.execute(text(
            "SELECT COALESCE(SUM(c.amount_fen), 0) FROM pf_collections c WHERE c.month = :m AND c.source = 'prepaid' "
            "AND c.run_id = :rid AND c.account_id >= :lo AND c.account_id < :hi"), p).scalar()
        if total:
            ledger(actor).transfer(session, "prepaid", "members", int(total), key=ctx.key(lo), business_date=day,
                                   memo=f"预缴资金按月入账 {month_label(month_no)}", run_id=ctx.run_id,
                                   data={"clause": clause("第二十条.（二）")}, actor=actor)
        return {"rows": rows}

    def finalize(session: Session, ctx, totals: dict) -> dict:
        # the whole run's figures, not this attempt's: a resumed run counts what earlier attempts wrote
        rows, amount = session.execute(text("SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM pf_collections "
                                            "WHERE month = :m AND run_id = :rid"),
                                       {"m": month_no, "rid": ctx.run_id}).one()
        return {"rows": int(rows), "amount_fen": int(amount), "rows_this_attempt": totals.get("rows", 0)}

    return run_in_chunks("pf.collection", month_label(month_no), day, width, process, uow=uow,
                         on_progress=on_progress, finalize=finalize)
