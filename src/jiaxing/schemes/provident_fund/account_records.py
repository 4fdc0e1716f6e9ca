"""One account's rows: finding it (locked), its journal lines, its audit snapshot, its interest accrual.

Shared by the account commands (:mod:`.accounts`), the sanctions (:mod:`.sanctions`) and the views.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette import validate
from gazette.errors import NotFound
from gazette.ledger import audit, clock
from jiaxing.schemes.provident_fund.book import ledger
from jiaxing.schemes.provident_fund.domain import clause, month_label
from jiaxing.schemes.provident_fund.models import Collection, FundAccount, Movement


def account_not_found(person_id: str) -> NotFound:
    missing = NotFound("个人住房公积金账户", person_id, field="person_id", what_en="provident fund account")
    # the fund's own code and wording, which its API has always answered
    missing.code, missing.message_en = "account_not_found", f"no provident fund account for {person_id}"
    return missing


def find_account(session: Session, person_id: str, *, lock: bool = True) -> FundAccount:
    person_id = validate.person_id(person_id)  # the canonical form, as stored
    stmt = select(FundAccount).where(FundAccount.person_id == person_id)
    if lock:
        stmt = stmt.with_for_update()
    account = session.scalar(stmt)
    if account is None:
        raise account_not_found(person_id)
    return account


def last_collected_month(session: Session, account_id: int) -> int | None:
    """The latest month collected or instructed for the account (UNIQUE (account_id, month) index)."""
    return session.scalar(select(func.max(Collection.month)).where(Collection.account_id == account_id))


def accrue(account: FundAccount, rate_index_now: int) -> None:
    """Bring the accrual (积数) up to today before the balance changes (第十四条 自存入之日起计息)."""
    account.accrual += account.balance_fen * max(rate_index_now - account.accrual_idx, 0)
    account.accrual_idx = max(account.accrual_idx, rate_index_now)


def add_movement(session: Session, account: FundAccount, day: dt.date, kind: str, ref: str, *, balance: int = 0,
                 prepaid: int = 0, month: int | None = None, memo: str | None = None) -> None:
    session.add(Movement(account_id=account.id, business_date=day, kind=kind, delta_balance=balance,
                         delta_prepaid=prepaid, month=month, ref=ref, memo=memo))


def snapshot(account: FundAccount) -> dict:
    return {"status": account.status, "seal_reason": account.seal_reason, "balance_fen": account.balance_fen,
            "prepaid_fen": account.prepaid_fen, "prepaid_through": month_label(account.prepaid_through),
            "base_fen": account.base_fen, "rate_bp": account.rate_bp, "monthly_fen": account.monthly_fen,
            "due_from": month_label(account.due_from), "loan_outstanding": account.loan_outstanding}


def record_change(session: Session, account: FundAccount, action: str, before: dict | None, actor: str,
                  day: dt.date) -> None:
    """The audit record of a change to the account (before → after), in the same transaction."""
    account.updated_at = clock.now()
    session.flush()
    audit.record(session, actor=actor, action=action, entity_type="pf_account", entity_id=account.person_id,
                 before=before, after=snapshot(account), business_date=day)


def refund_prepaid(session: Session, account: FundAccount, day: dt.date, why: str, actor: str) -> int:
    """第十六条 third paragraph: prepaid money not yet due goes back to the worker."""
    amount = account.prepaid_fen
    if amount <= 0:
        return 0
    ref = f"refund:{account.id}:{day.isoformat()}:{why}"
    add_movement(session, account, day, "refund", ref, prepaid=-amount, memo="预缴退回")
    ledger(actor).transfer(session, "prepaid", "bank", amount, key=f"pf:{ref}", business_date=day,
                           memo=f"退回预缴 {account.person_id}", data={"clause": clause("第十六条")}, actor=actor)
    account.prepaid_fen = 0
    account.prepaid_through = None
    return amount
