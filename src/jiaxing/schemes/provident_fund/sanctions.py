"""第七章 法律责任: the two sanctions of the 办法 (第二十二、二十三条).

* 第二十二条 — false or forged documents, false promises or other deception to withdraw or borrow:
  withdrawal and loan applications are restricted "一定期限" (except repaying a loan). The 办法 sets no
  length, so the centre records the end date it decided (PF14).
* 第二十三条 — a borrower who stops paying three months or more and does not put it right after the
  reminder: the loan is recalled within a time limit (限期追回); if it is not recovered by then, the
  loan rate is raised to the commercial rate. The arrears run opens the recall at the moment it seals
  the account for arrears — the same trigger (PF15); the centre records the outcome (PF16).

The loan itself lives in the loan system (第二十一条): these rows are what the fund must remember
and show (a worker's view lists what blocks an application).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from gazette import validate
from gazette.errors import Conflict, InvalidInput
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.provident_fund.account_records import find_account, record_change, snapshot
from jiaxing.schemes.provident_fund.arrears import RECALL_DAYS  # noqa: F401 - the recall period, defined there
from jiaxing.schemes.provident_fund.book import today
from jiaxing.schemes.provident_fund.command_runner import key_or_once, run_command
from jiaxing.schemes.provident_fund.commands import ResolveRecall, Restrict
from jiaxing.schemes.provident_fund.domain import cited, clause
from jiaxing.schemes.provident_fund.models import FundAccount, Sanction


def sanction_json(s: Sanction) -> dict:
    return {"id": s.id, "kind": s.kind, "clause": clause(s.article), "start_date": s.start_date.isoformat(),
            "until_date": s.until_date.isoformat() if s.until_date else None,
            "deadline": s.deadline.isoformat() if s.deadline else None, "reason": s.reason,
            "closed_on": s.closed_on.isoformat() if s.closed_on else None, "outcome": s.outcome}


def _open_of(session: Session, account: FundAccount, kind: str) -> list[Sanction]:
    return list(session.scalars(select(Sanction).where(
        Sanction.account_id == account.id, Sanction.kind == kind, Sanction.closed_on.is_(None)).order_by(Sanction.id)))


def restrict(session: Session, person_id: str, until: dt.date, reason: str, *, key: str | None = None,
             actor: str = "operator") -> dict:
    """第二十二条 — restrict withdrawal and loan applications (repaying a loan stays allowed) through ``until``.
    Recording the same restriction again (same account, day and end) is a repeat: the first one, replayed."""
    result = run_command(Restrict(idempotency_key=key_or_once(key), actor=actor,
                                  person_id=validate.person_id(person_id), until=until,
                                  reason=(reason or "").strip()), session)
    if result.pop("already_recorded", False):
        result["replayed"] = True
    return result


def resolve_recall(session: Session, person_id: str, recovered: bool, *, key: str | None = None,
                   actor: str = "operator") -> dict:
    """第二十三条 — record the outcome of a loan recall: recovered (the loan is closed), or not recovered by
    the deadline (the loan rate is raised to the commercial rate)."""
    return run_command(ResolveRecall(idempotency_key=key_or_once(key), actor=actor,
                                     person_id=validate.person_id(person_id), recovered=bool(recovered)), session)


@handles(Restrict)
def record_restriction(ctx: Context, command: Restrict) -> dict:
    session = ctx.session
    day = today(session)
    until = command.until
    if not isinstance(until, dt.date) or until <= day:
        raise cited(InvalidInput(f"限制期限须晚于营业日 {day.isoformat()}",
                                 f"the restriction must end after the business date {day.isoformat()}",
                                 field="until", code="restriction_until_not_future"), "第二十二条")
    if not command.reason:
        raise cited(InvalidInput("须写明限制原因（如提供虚假证明材料）", "give the reason (e.g. forged documents)",
                                 field="reason", code="reason_required"), "第二十二条")
    account = find_account(session, command.person_id)
    ref = f"restriction:{account.id}:{day.isoformat()}:{until.isoformat()}"
    found = session.scalar(select(Sanction).where(Sanction.ref == ref))
    if found is not None:  # the same restriction recorded again (another key): the first one
        return {**sanction_json(found), "already_recorded": True}
    row = Sanction(account_id=account.id, kind="restriction", article="第二十二条", start_date=day, until_date=until,
                   reason=command.reason[:2000], ref=ref)
    session.add(row)
    record_change(session, account, "pf.sanction.restricted", None, ctx.actor, day)
    return sanction_json(row)


@handles(ResolveRecall)
def record_recall_outcome(ctx: Context, command: ResolveRecall) -> dict:
    session = ctx.session
    day = today(session)
    account = find_account(session, command.person_id)
    recalls = _open_of(session, account, "loan_recall")
    if not recalls:
        raise cited(Conflict("该账户没有待处理的贷款追回", "this account has no open loan recall", field="person_id",
                             code="no_open_recall"), "第二十三条")
    recall = recalls[0]
    before = snapshot(account)
    if command.recovered:
        recall.closed_on, recall.outcome = day, "recovered"
        account.loan_outstanding = False
        record_change(session, account, "pf.sanction.recall_recovered", before, ctx.actor, day)
        return {"recall": sanction_json(recall), "rate_raised": None}
    if day <= recall.deadline:
        raise cited(Conflict(f"追回期限 {recall.deadline.isoformat()} 尚未届满",
                             f"the recall deadline {recall.deadline.isoformat()} has not passed", field="recovered",
                             code="recall_deadline_not_reached"), "第二十三条")
    recall.closed_on, recall.outcome = day, "not_recovered"
    raised = Sanction(account_id=account.id, kind="loan_rate_raised", article="第二十三条", start_date=day,
                      reason="限期未能追回，上调公积金贷款利率至同期商业性个人住房贷款利率", ref=f"rate_raised:{recall.id}")
    session.add(raised)
    session.flush()
    record_change(session, account, "pf.sanction.rate_raised", before, ctx.actor, day)
    return {"recall": sanction_json(recall), "rate_raised": sanction_json(raised)}


def list_for(session: Session, person_id: str, *, open_only: bool = False) -> list[dict]:
    account = find_account(session, person_id, lock=False)
    q = select(Sanction).where(Sanction.account_id == account.id).order_by(Sanction.id)
    if open_only:
        q = q.where(Sanction.closed_on.is_(None))
    return [sanction_json(s) for s in session.scalars(q)]


def application_blocks(session: Session, account: FundAccount, on: dt.date) -> list[dict]:
    """What stops the worker applying to withdraw or borrow on ``on`` (repaying a loan is never blocked)."""
    blocks = []
    for s in _open_of(session, account, "restriction"):
        if s.until_date and s.until_date >= on:
            blocks.append({"clause": clause("第二十二条"), "until": s.until_date.isoformat(),
                           "zh": f"因{s.reason}，{s.until_date.isoformat()} 前限制办理提取、贷款业务（偿还贷款除外）",
                           "en": f"withdrawal and loan applications restricted until {s.until_date.isoformat()} "
                                 "(repaying a loan excepted)"})
    for s in _open_of(session, account, "loan_recall"):
        blocks.append({"clause": clause("第二十三条"), "until": None,
                       "zh": f"贷款期间连续停缴，公积金贷款本息限期（{s.deadline.isoformat()} 前）追回",
                       "en": f"loan recalled for unpaid contributions, to be repaid by {s.deadline.isoformat()}"})
    return blocks
