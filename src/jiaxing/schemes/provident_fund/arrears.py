"""The arrears run (欠缴催收、封存, 第十六、十七、二十三条), keyed by ("pf.arrears", "YYYY-MM"), after the
month's bank results:

* instructions still without a bank result → ``missing_result`` exceptions, counted as unpaid;
* 3 consecutive unpaid months → reminder (催收); still unpaid the month after → sealed (``arrears``,
  decision PF3: "连续欠缴三个月的，经公积金管理部门催收无效后可封存");
* the month of the retirement birthday → sealed (``retirement``, 第十六条 second paragraph);
* prepaid money of sealed accounts is refunded (第十六条);
* an account sealed for arrears while a loan is outstanding also gets a loan recall (第二十三条, PF15).

**The rule lives here, in SQL** (``UNPAID_STREAK``, ``REMIND``, ``SEAL``): one statement decides every
account of a chunk into a temporary table of actions, and the writes read that table.
tests/schemes/provident_fund/reference_rules.py holds a plain-Python reference of the same rule, and
tests/schemes/provident_fund/test_rules_sql.py evaluates these expressions against it on both databases.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from jiaxing.schemes.provident_fund import domain
from jiaxing.schemes.provident_fund.book import ledger, today
from jiaxing.schemes.provident_fund.domain import cited, clause, month_label
from jiaxing.schemes.provident_fund.runs import (
    DEFAULT_WIDTH,
    greatest,
    is_postgres,
    run_in_chunks,
    unit_of_work_factory,
)

# 第二十三条 "限期追回" names no period: the arrears run's default, which the operator may change per run.
RECALL_DAYS = 30

# Consecutive unpaid months ending at :m (months before due_from do not count), over an account ``a``.
UNPAID_STREAK = "(:m - {greatest}(COALESCE(a.last_paid_month, -1), a.due_from - 1))"
# 第十七条: three unpaid months and no reminder yet → remind; reminded in an earlier month and still
# three or more → the reminder was ineffective: seal. (``reminded`` is the reminder month in force.)
REMIND = "(reminded IS NULL AND {streak} >= 3)"
SEAL = "(reminded IS NOT NULL AND reminded < :m AND {streak} >= 3)"

# A reminder is spent once a later month was paid.
REMINDER_IN_FORCE = "CASE WHEN a.last_paid_month > a.reminded_month THEN NULL ELSE a.reminded_month END"


def rule_sql(session: Session) -> tuple[str, str]:
    """(remind, seal) as SQL conditions over ``a`` (pf_accounts) and ``reminded``."""
    streak = UNPAID_STREAK.format(greatest=greatest(session))
    return REMIND.format(streak=streak), SEAL.format(streak=streak)


def _decide(session: Session) -> str:
    """One row per account of the chunk that something happens to: remind? sealed, and why?"""
    remind, seal = rule_sql(session)
    return f"""
    INSERT INTO pf_arrears_actions (account_id, remind, seal_reason, prepaid_fen, loan_outstanding)
    SELECT id, remind, CASE WHEN seal THEN 'arrears' WHEN retire_month <= :m THEN 'retirement' END,
           prepaid_fen, loan_outstanding
    FROM (SELECT a.id, a.retire_month, a.prepaid_fen, a.loan_outstanding,
                 CASE WHEN x.id IS NOT NULL THEN {remind} ELSE FALSE END AS remind,
                 CASE WHEN x.id IS NOT NULL THEN {seal} ELSE FALSE END AS seal
          FROM (SELECT a.*, {REMINDER_IN_FORCE} AS reminded FROM pf_accounts a
                WHERE a.id >= :lo AND a.id < :hi AND a.status = 'active') a
          LEFT JOIN pf_collections x ON x.account_id = a.id AND x.month = :m) d
    WHERE remind OR seal OR retire_month <= :m"""


def _statements(session: Session) -> list[tuple[str, bool]]:
    """The chunk's writes in order, (SQL, needs the recall parameters)."""
    event = "'{kind}:' || CAST(t.account_id AS VARCHAR(20)) || ':' || :ml"
    return [
        # bank lines that never came: an exception each, and the month counts as unpaid
        ("""INSERT INTO pf_exceptions (source, line_no, ref, kind, detail, business_date)
            SELECT :src, 0, c.ref, 'missing_result', 'no bank result before the arrears run', :d
            FROM pf_collections c WHERE c.month = :m AND c.status = 'pending'
              AND c.account_id >= :lo AND c.account_id < :hi""", False),
        ("""UPDATE pf_collections SET status = 'failed', reason = 'no_result', settled_on = :d
            WHERE month = :m AND status = 'pending' AND account_id >= :lo AND account_id < :hi""", False),
        (_decide(session), False),
        (f"""INSERT INTO pf_sanctions (account_id, kind, article, start_date, deadline, reason, ref)
            SELECT t.account_id, 'loan_recall', '第二十三条', :d, :deadline,
                   '贷款期间连续停缴三个月及以上，经催缴仍未整改', {event.format(kind='recall')}
            FROM pf_arrears_actions t WHERE t.seal_reason = 'arrears' AND t.loan_outstanding = :yes
              AND NOT EXISTS (SELECT 1 FROM pf_sanctions r WHERE r.account_id = t.account_id
                              AND r.kind = 'loan_recall' AND r.closed_on IS NULL)""", True),
        # events in the order a reader expects: sealed for arrears, reminded, sealed at retirement
        (f"""INSERT INTO pf_events (account_id, business_date, event, month, detail, ref)
            SELECT t.account_id, :d, 'sealed', :m, 'arrears', {event.format(kind='sealed')}
            FROM pf_arrears_actions t WHERE t.seal_reason = 'arrears'""", False),
        (f"""INSERT INTO pf_events (account_id, business_date, event, month, detail, ref)
            SELECT t.account_id, :d, 'reminded', :m, 'arrears', {event.format(kind='reminded')}
            FROM pf_arrears_actions t WHERE t.remind""", False),
        (f"""INSERT INTO pf_events (account_id, business_date, event, month, detail, ref)
            SELECT t.account_id, :d, 'sealed', :m, 'retirement', {event.format(kind='sealed')}
            FROM pf_arrears_actions t WHERE t.seal_reason = 'retirement'""", False),
        (f"""INSERT INTO pf_movements (account_id, business_date, kind, delta_balance, delta_prepaid, month, ref)
            SELECT t.account_id, :d, 'refund', 0, -t.prepaid_fen, :m, {event.format(kind='refund')}
            FROM pf_arrears_actions t WHERE t.seal_reason IS NOT NULL AND t.prepaid_fen > 0""", False),
        # a spent reminder is cleared on every account of the chunk, sealed or not
        ("""UPDATE pf_accounts SET reminded_month = NULL
            WHERE id >= :lo AND id < :hi AND reminded_month IS NOT NULL AND last_paid_month > reminded_month""",
         False),
        ("""UPDATE pf_accounts SET reminded_month = :m
            WHERE id IN (SELECT t.account_id FROM pf_arrears_actions t WHERE t.remind AND t.seal_reason IS NULL)""",
         False),
        ("""UPDATE pf_accounts SET status = 'sealed',
              seal_reason = (SELECT t.seal_reason FROM pf_arrears_actions t WHERE t.account_id = pf_accounts.id),
              prepaid_fen = 0, prepaid_through = NULL, reminded_month = NULL
            WHERE id IN (SELECT t.account_id FROM pf_arrears_actions t WHERE t.seal_reason IS NOT NULL)""", False),
    ]


def _create_actions(session: Session) -> None:
    columns = ("(account_id BIGINT PRIMARY KEY, remind BOOLEAN NOT NULL, seal_reason VARCHAR(20), "
               "prepaid_fen BIGINT NOT NULL, loan_outstanding BOOLEAN NOT NULL)")
    if is_postgres(session):
        session.execute(text(f"CREATE TEMP TABLE pf_arrears_actions {columns} ON COMMIT DROP"))
    else:
        session.execute(text("DROP TABLE IF EXISTS temp.pf_arrears_actions"))
        session.execute(text(f"CREATE TEMP TABLE pf_arrears_actions {columns}"))


def arrears_run(month: str | int, *, width: int = DEFAULT_WIDTH, uow=None, on_progress=None, actor: str = "system",
                recall_days: int | None = None):
    """Run ``("pf.arrears", month)``; a loan recall is due ``recall_days`` after the business date."""
    uow = unit_of_work_factory(uow)
    month_no = domain.parse_month(month)
    recall_days = RECALL_DAYS if recall_days is None else recall_days
    if not isinstance(recall_days, int) or isinstance(recall_days, bool) or not 1 <= recall_days <= 366:
        raise cited(InvalidInput("追回期限天数应在 1–366 之间", "recall_days must be 1–366", field="recall_days",
                                 code="bad_recall_days"), "第二十三条")
    with uow() as session:
        day = today(session)
        if not domain.month_index(day) > month_no:
            raise InvalidInput(f"{month_label(month_no)} 尚未结束", f"{month_label(month_no)} is not over",
                               field="month", code="month_not_over")
    label = month_label(month_no)

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        params = {"m": month_no, "ml": label, "lo": lo, "hi": lo + width, "d": day, "src": f"pf.arrears:{label}"}
        recall = {**params, "yes": True, "deadline": day + dt.timedelta(days=recall_days)}
        _create_actions(session)
        for sql, needs_recall in _statements(session):
            session.execute(text(sql), recall if needs_recall else params)
        refunded = int(session.execute(text(
            "SELECT COALESCE(SUM(prepaid_fen), 0) FROM pf_arrears_actions WHERE seal_reason IS NOT NULL")).scalar())
        if not is_postgres(session):
            session.execute(text("DROP TABLE temp.pf_arrears_actions"))
        if refunded:
            ledger(actor).transfer(session, "prepaid", "bank", refunded, key=ctx.key(lo), business_date=day,
                                   memo=f"封存退回预缴 {label}", run_id=ctx.run_id,
                                   data={"clause": clause("第十六条")}, actor=actor)
        return {"refunded_fen": refunded}

    def finalize(session: Session, ctx, totals) -> dict:
        rows = session.execute(text("SELECT event, detail, COUNT(*) FROM pf_events WHERE month = :m "
                                    "AND event IN ('reminded', 'sealed') GROUP BY event, detail"), {"m": month_no}).all()
        return {f"{event}_{detail}": count for event, detail, count in rows}

    return run_in_chunks("pf.arrears", label, day, width, process, uow=uow, on_progress=on_progress,
                         finalize=finalize)
