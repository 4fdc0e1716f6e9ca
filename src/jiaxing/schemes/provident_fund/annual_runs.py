"""The two yearly runs: interest on 30 June (结息, 第十四条) and the base floor at the annual adjustment
(第十五条), each keyed by (run type, settlement year) and set-based per chunk of account ids.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from jiaxing.schemes.provident_fund import domain
from jiaxing.schemes.provident_fund.book import ledger, rounding_unit, today
from jiaxing.schemes.provident_fund.domain import cited, clause
from jiaxing.schemes.provident_fund.reference_data import rate_index, reference_at
from jiaxing.schemes.provident_fund.runs import DEFAULT_WIDTH, greatest, run_in_chunks, unit_of_work_factory


def interest_run(year: int, *, width: int = DEFAULT_WIDTH, uow=None, on_progress=None, actor: str = "system"):
    """第十四条 — settle a year's interest on 30 June (run ``("pf.interest", "YYYY")``): the accrual
    (积数) of every account brought to the end of 30 June, × 1/360 of the annual rate, 四舍五入 to
    the fen, credited to the account. Must run on the business date 30 June."""
    uow = unit_of_work_factory(uow)
    with uow() as session:
        day = today(session)
        if day != domain.settlement_day(year):
            raise cited(InvalidInput(f"结息须在 {year}-06-30 营业日运行",
                                     f"interest for {year} is settled on the business date {year}-06-30",
                                     field="year", code="not_settlement_day"), "第十四条")
        index_after = rate_index(session, day + dt.timedelta(days=1))

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        p = {"lo": lo, "hi": lo + width, "c": index_after, "d": day, "den": domain.INTEREST_DENOMINATOR,
             "y": str(year)}
        accrual = f"(accrual + balance_fen * {greatest(session)}(:c - accrual_idx, 0))"
        interest = f"((2 * {accrual} + :den) / (2 * :den))"  # 四舍五入 to the fen
        due = "id >= :lo AND id < :hi AND accrual_idx < :c"
        session.execute(text(f"""
            INSERT INTO pf_movements (account_id, business_date, kind, delta_balance, delta_prepaid, month, ref)
            SELECT id, :d, 'interest', {interest}, 0, NULL, 'interest:' || :y || ':' || CAST(id AS VARCHAR(20))
            FROM pf_accounts WHERE {due} AND {interest} > 0"""), p)
        session.execute(text(f"""
            UPDATE pf_accounts SET balance_fen = balance_fen + {interest}, accrual = 0, accrual_idx = :c
            WHERE {due}"""), p)
        amount = session.execute(text(
            "SELECT COALESCE(SUM(delta_balance), 0) FROM pf_movements WHERE kind = 'interest' "
            "AND business_date = :d AND account_id >= :lo AND account_id < :hi AND ref LIKE 'interest:%'"), p).scalar()
        if amount:
            ledger(actor).transfer(session, "interest", "members", int(amount), key=ctx.key(lo), business_date=day,
                                   memo=f"{year} 年度结息", run_id=ctx.run_id, data={"clause": clause("第十四条")},
                                   actor=actor)
        return {"interest_fen": int(amount)}

    return run_in_chunks("pf.interest", str(year), day, width, process, uow=uow, on_progress=on_progress)


def base_floor_run(year: int, *, width: int = DEFAULT_WIDTH, uow=None, actor: str = "system"):
    """第十五条 — at the annual adjustment, every base below the minimum monthly wage in force is
    raised to it (and the monthly amount recomputed, 四舍五入 to the yuan). Run ``("pf.base_floor", year)``."""
    uow = unit_of_work_factory(uow)
    with uow() as session:
        day = today(session)
        floor = reference_at(session, "min_wage", day)
        unit = rounding_unit(day)

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        p = {"lo": lo, "hi": lo + width, "f": floor, "den": 10_000 * unit, "u": unit, "d": day, "y": str(year)}
        below = "id >= :lo AND id < :hi AND status = 'active' AND base_fen < :f AND prepaid_fen = 0"
        session.execute(text(f"""
            INSERT INTO pf_events (account_id, business_date, event, month, detail, ref)
            SELECT id, :d, 'base_raised', NULL, CAST(base_fen AS VARCHAR(20)), 'base_raised:' || :y || ':' ||
              CAST(id AS VARCHAR(20)) FROM pf_accounts WHERE {below}"""), p)
        raised = session.execute(text(f"""
            UPDATE pf_accounts SET base_fen = :f,
              monthly_fen = ((2 * CAST(:f AS BIGINT) * rate_bp + :den) / (2 * :den)) * :u
            WHERE {below}"""), p).rowcount
        return {"raised": raised}

    return run_in_chunks("pf.base_floor", str(year), day, width, process, uow=uow, extra={"floor": floor})
