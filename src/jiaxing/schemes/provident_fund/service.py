"""The provident fund's entry points for the edges (API, CLI, pages, demo): raw values in, validated
and canonical (gazette.validate, :mod:`.domain`), a command built and run through the one handler
(:mod:`.command_runner`) — or a batch run, or a read.

Where things live: :mod:`.book` (ledger book, parameters, business date), :mod:`.reference_data`,
:mod:`.accounts` (the account commands), :mod:`.collection`, :mod:`.bank_import`, :mod:`.arrears`,
:mod:`.annual_runs` (the runs), :mod:`.views` (reads), :mod:`.sanctions` (第二十二、二十三条).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gazette import validate
from jiaxing.schemes.provident_fund import (
    commands,
    domain,
    handlers,  # noqa: F401 - registers the command functions
)
from jiaxing.schemes.provident_fund.account_records import find_account, last_collected_month
from jiaxing.schemes.provident_fund.annual_runs import base_floor_run, interest_run
from jiaxing.schemes.provident_fund.arrears import arrears_run
from jiaxing.schemes.provident_fund.bank_import import import_bank_results, parse_bank_file
from jiaxing.schemes.provident_fund.book import (
    BOOK,
    age_limits,
    base_multiple,
    ledger,
    policy_params,
    rate_bounds,
    rounding_unit,
    today,
)
from jiaxing.schemes.provident_fund.collection import monthly_collection
from jiaxing.schemes.provident_fund.command_runner import key_or_once, run_command
from jiaxing.schemes.provident_fund.reference_data import (
    bounds,
    list_reference,
    rate_index,
    reference_at,
    reference_history,
)
from jiaxing.schemes.provident_fund.runs import DEFAULT_WIDTH, run_summary
from jiaxing.schemes.provident_fund.views import (
    consecutive,
    exceptions,
    iter_accounts,
    reconcile,
    statement,
    view,
)

__all__ = [
    "BOOK", "DEFAULT_WIDTH", "TransferIn", "adjust", "advance", "age_limits", "arrears_run", "base_floor_run",
    "base_multiple", "bounds", "consecutive", "exceptions", "import_bank_results", "interest_run", "iter_accounts",
    "ledger", "list_reference", "monthly_collection", "open_account", "open_accounts", "parse_bank_file",
    "pay_month", "policy_params", "prepay", "rate_bounds", "rate_index", "reconcile", "reference_at",
    "reference_history", "rounding_unit", "run_summary", "set_loan", "set_reference", "setup", "statement", "stop",
    "today", "transfer_out", "unseal", "view",
]


@dataclass(frozen=True)
class TransferIn:
    """An existing employer or custody account moved into this one (第十条, 第十八条)."""

    amount_fen: int
    months: int  # consecutive months paid at the previous account
    through: int  # month index of the last paid month there


def setup(session: Session, business_date: dt.date, *, key: str | None = None, actor: str = "system") -> dict:
    """Open the book, its control accounts and the demo reference data (idempotent)."""
    return run_command(commands.SetUp(idempotency_key=key_or_once(key), actor=actor, business_date=business_date),
                       session)


def advance(session: Session, to: dt.date, *, key: str | None = None, actor: str = "operator") -> dt.date:
    """Move the business date forward (never backwards)."""
    result = run_command(commands.AdvanceBusinessDate(idempotency_key=key_or_once(key), actor=actor, to=to), session)
    return dt.date.fromisoformat(result["business_date"])


def set_reference(session: Session, kind: str, start: dt.date, value: int, source: str, *, demo: bool = False,
                  key: str | None = None, actor: str = "operator") -> dict:
    return run_command(commands.SetReference(idempotency_key=key_or_once(key), actor=actor, kind=kind, start=start,
                                             value=value, source=source, demo=demo), session)


def open_account(session: Session, applicant: domain.Applicant, base_fen: int, rate: str | int, *,
                 transfer_in: TransferIn | None = None, key: str | None = None, actor: str = "operator") -> dict:
    """Open a worker's account (第八、九、十、十一、十二条). Nothing is written when any rule fails."""
    applicant = dataclasses.replace(applicant, person_id=validate.person_id(applicant.person_id))
    moved_in = None if transfer_in is None else (transfer_in.amount_fen, transfer_in.months, transfer_in.through)
    return run_command(commands.OpenAccount(
        idempotency_key=key_or_once(key), actor=actor, person_id=applicant.person_id, name=applicant.name,
        sex=applicant.sex, birth_date=applicant.birth_date, flexible_pension=applicant.flexible_pension,
        stable_residence_income=applicant.stable_residence_income, full_capacity=applicant.full_capacity,
        base_fen=base_fen, rate=str(rate), transfer_in=moved_in), session)


def open_accounts(session: Session, rows: Sequence[tuple[domain.Applicant, int, str | int]], *, key: str | None = None,
                  actor: str = "operator") -> dict:
    """Open many accounts at once; any refused row (``details.row``) refuses the batch, nothing written."""
    flat = tuple((a.person_id, a.name, a.sex, a.birth_date, a.flexible_pension, a.stable_residence_income,
                  a.full_capacity, base_fen, str(rate)) for a, base_fen, rate in rows)
    return run_command(commands.OpenAccounts(idempotency_key=key_or_once(key), actor=actor, rows=flat), session)


def prepay(session: Session, person_id: str, through: str | int, *, from_month: str | int | None = None,
           key: str | None = None, actor: str = "operator") -> dict:
    """第十三条 预缴: whole months from the next uncovered month to ``through``; no back-payment."""
    return run_command(commands.Prepay(
        idempotency_key=key_or_once(key), actor=actor, person_id=validate.person_id(person_id),
        through=domain.parse_month(through, "through"),
        from_month=None if from_month is None else domain.parse_month(from_month, "from_month")), session)


def pay_month(session: Session, person_id: str, month: str | int, *, key: str | None = None,
              actor: str = "operator") -> dict:
    """An explicit payment for one month: only the next uncovered month may be paid (as a one-month
    prepayment); an earlier month is a back-payment, refused by 第十三条."""
    month_no = domain.parse_month(month)
    account = find_account(session, person_id, lock=False)
    domain.check_not_back_payment(month_no, domain.next_uncovered_month(
        account.due_from, last_collected_month(session, account.id), account.prepaid_through))
    return prepay(session, person_id, month_no, from_month=month_no, key=key, actor=actor)


def stop(session: Session, person_id: str, *, key: str | None = None, actor: str = "operator") -> dict:
    """第十六条 停止缴存 → 封存 on request; refused while a loan is outstanding; prepaid money refunded."""
    return run_command(commands.Stop(idempotency_key=key_or_once(key), actor=actor,
                                     person_id=validate.person_id(person_id), on=today(session)), session)


def unseal(session: Session, person_id: str, *, key: str | None = None, actor: str = "operator") -> dict:
    return run_command(commands.Unseal(idempotency_key=key_or_once(key), actor=actor,
                                       person_id=validate.person_id(person_id)), session)


def set_loan(session: Session, person_id: str, outstanding: bool, *, key: str | None = None,
             actor: str = "operator") -> dict:
    return run_command(commands.SetLoan(idempotency_key=key_or_once(key), actor=actor,
                                        person_id=validate.person_id(person_id), outstanding=bool(outstanding)),
                       session)


def adjust(session: Session, person_id: str, base_fen: int, rate: str | int, *, key: str | None = None,
           actor: str = "operator") -> dict:
    return run_command(commands.Adjust(idempotency_key=key_or_once(key), actor=actor,
                                       person_id=validate.person_id(person_id), base_fen=base_fen, rate=str(rate)),
                       session)


def transfer_out(session: Session, person_id: str, *, key: str | None = None, actor: str = "operator") -> dict:
    return run_command(commands.TransferOut(idempotency_key=key_or_once(key), actor=actor,
                                            person_id=validate.person_id(person_id)), session)
