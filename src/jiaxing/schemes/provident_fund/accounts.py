"""Commands on one worker's account (第八至十八条): open (one, or a batch), prepay, stop, unseal, the
loan flag, the annual adjustment, transfer out. Each is registered with the scheme handler
(:func:`gazette.schemes.handler.handles`): it runs in the command's unit of work, once per (caller,
key), and nothing is written when any rule refuses.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gazette.errors import Conflict, GazetteError, InvalidInput
from gazette.ledger import audit, clock, fen_to_yuan
from gazette.ledger._sql import bulk_insert
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.provident_fund import domain
from jiaxing.schemes.provident_fund.account_records import (
    accrue,
    add_movement,
    find_account,
    last_collected_month,
    record_change,
    refund_prepaid,
    snapshot,
)
from jiaxing.schemes.provident_fund.book import age_limits, ledger, rate_bounds, rounding_unit, today
from jiaxing.schemes.provident_fund.commands import (
    Adjust,
    OpenAccount,
    OpenAccounts,
    Prepay,
    SetLoan,
    Stop,
    TransferOut,
    Unseal,
)
from jiaxing.schemes.provident_fund.domain import cited, clause, month_label
from jiaxing.schemes.provident_fund.models import FundAccount
from jiaxing.schemes.provident_fund.reference_data import bounds, rate_index


def _checked_rate(rate: str, on) -> int:
    """第十二条: the rate as basis points, within the bounds in force."""
    lowest, highest = rate_bounds(on)
    rate_bp = domain.parse_rate(rate)
    if not lowest <= rate_bp <= highest:
        domain.check_rate(rate_bp)
    return rate_bp


def _one_account_per_person(message_zh: str, message_en: str, **details) -> Conflict:
    return cited(Conflict(message_zh, message_en, field="person_id", code="account_exists"), "第十条", **details)


@handles(OpenAccount)
def open_account(ctx: Context, command: OpenAccount) -> dict:
    """Open a worker's account (第八、九、十、十一、十二条)."""
    session, actor = ctx.session, ctx.actor
    day = today(session)
    applicant = domain.Applicant(command.person_id, command.name, command.sex, command.birth_date,
                                 command.flexible_pension, command.stable_residence_income, command.full_capacity)
    domain.check_eligibility(applicant, day, age_limits(day))
    domain.check_base(command.base_fen, bounds(session, day))
    rate_bp = _checked_rate(command.rate, day)
    if session.scalar(select(FundAccount.id).where(FundAccount.person_id == applicant.person_id)) is not None:
        raise _one_account_per_person("每位灵活就业人员只能设立一个住房公积金账户；已有账户的请办理账户转移、合并手续",
                                      "one account per person: an existing account must be transferred or merged")
    transfer_in = command.transfer_in
    if transfer_in is not None:
        amount_in, months_in, through_in = transfer_in
        if amount_in < 0 or months_in < 0 or through_in >= domain.month_index(day):
            raise cited(InvalidInput("转入金额、月数须为非负数，且原账户末次缴存月份须早于本月",
                                     "transfer-in amount and months must be non-negative, its last month before this one",
                                     field="transfer_in", code="invalid_transfer_in"), "第十八条")
    now = clock.now()
    account = FundAccount(
        person_id=applicant.person_id, name=applicant.name, sex=applicant.sex, birth_date=applicant.birth_date,
        status="active", base_fen=command.base_fen, rate_bp=rate_bp,
        monthly_fen=domain.monthly_amount(command.base_fen, rate_bp, rounding_unit(day)), opened_on=day,
        due_from=domain.month_index(day),
        retire_month=domain.retirement_month(applicant.birth_date, applicant.sex, age_limits(day)),
        prepaid_fen=0, balance_fen=0, accrual=0, accrual_idx=rate_index(session, day), loan_outstanding=False,
        carried_months=0, created_at=now, updated_at=now)
    session.add(account)
    try:
        session.flush()
    except IntegrityError:  # a concurrent open of the same person
        raise _one_account_per_person("每位灵活就业人员只能设立一个住房公积金账户", "one account per person") from None
    if transfer_in is not None:
        amount_in, months_in, through_in = transfer_in
        account.carried_months, account.carried_through = months_in, through_in
        if amount_in > 0:
            account.balance_fen = amount_in
            add_movement(session, account, day, "transfer_in", f"transfer_in:{account.id}", balance=amount_in,
                         memo="账户转移合并")
            ledger(actor).transfer(session, "transfer", "members", amount_in, key=f"pf:transfer_in:{account.id}",
                                   business_date=day, memo=f"转入 {account.person_id}",
                                   data={"clause": clause("第十八条")}, actor=actor)
    record_change(session, account, "pf.account.opened", None, actor, day)
    return {"person_id": account.person_id, "account_id": account.id, "monthly_fen": account.monthly_fen,
            "monthly": fen_to_yuan(account.monthly_fen), "first_month": month_label(account.due_from),
            "clause": clause("第十二条")}


@handles(OpenAccounts)
def open_accounts(ctx: Context, command: OpenAccounts) -> dict:
    """Open many accounts at once (batch onboarding): every row is checked by the same rules as
    :func:`open_account`; any failure refuses the whole batch (``details.row``), nothing written.
    Rows are inserted set-based with one audit record."""
    session = ctx.session
    day = today(session)
    limits, base_bounds, unit = age_limits(day), bounds(session, day), rounding_unit(day)
    index_now = rate_index(session, day)
    now = clock.now()
    seen: set[str] = set()
    out = []
    for row_no, (person_id, name, sex, birth, pension, residence, capacity, base_fen, rate) in enumerate(command.rows):
        applicant = domain.Applicant(person_id, name, sex, birth, pension, residence, capacity)
        try:
            domain.check_eligibility(applicant, day, limits)
            domain.check_base(base_fen, base_bounds)
            rate_bp = _checked_rate(rate, day)
            if person_id in seen:
                raise _one_account_per_person("同一人只能设立一个账户", "one account per person")
        except GazetteError as refused:
            refused.details["row"] = row_no
            raise
        seen.add(person_id)
        out.append({"person_id": person_id, "name": name, "sex": sex, "birth_date": birth,
                    "status": "active", "base_fen": base_fen, "rate_bp": rate_bp,
                    "monthly_fen": domain.monthly_amount(base_fen, rate_bp, unit), "opened_on": day,
                    "due_from": domain.month_index(day), "retire_month": domain.retirement_month(birth, sex, limits),
                    "prepaid_fen": 0, "balance_fen": 0, "accrual": 0, "accrual_idx": index_now,
                    "loan_outstanding": False, "carried_months": 0, "created_at": now, "updated_at": now})
    existing = session.scalars(select(FundAccount.person_id).where(FundAccount.person_id.in_(sorted(seen)))).all() \
        if len(seen) <= 30_000 else []
    if existing:
        raise _one_account_per_person(f"已有账户：{existing[0]}", f"an account exists for {existing[0]}",
                                      person_id=existing[0])
    bulk_insert(session, FundAccount.__table__, out)
    audit.record(session, actor=ctx.actor, action="pf.accounts.opened", entity_type="pf_account", entity_id="batch",
                 after={"count": len(out)}, business_date=day)
    return {"opened": len(out)}


@handles(Prepay)
def prepay(ctx: Context, command: Prepay) -> dict:
    """第十三条 预缴: whole months from the next uncovered month to ``through`` (≤ June of the
    current settlement year); no back-payment."""
    session, actor = ctx.session, ctx.actor
    day = today(session)
    account = find_account(session, command.person_id)
    if account.status != "active":
        raise cited(Conflict("账户已封存或转出，不能预缴", "the account is not active", field="person_id",
                             code="account_not_active"), "第十六条")
    start = domain.next_uncovered_month(account.due_from, last_collected_month(session, account.id),
                                        account.prepaid_through)
    through = command.through
    months = domain.prepayment_months(day, start, through, from_month=command.from_month)
    amount = months * account.monthly_fen
    before = snapshot(account)
    ref = f"prepay:{account.id}:{month_label(start)}:{month_label(through)}"
    account.prepaid_fen += amount
    account.prepaid_through = through
    add_movement(session, account, day, "prepay", ref, prepaid=amount,
                 memo=f"预缴 {month_label(start)}–{month_label(through)}")
    entry = ledger(actor).transfer(session, "bank", "prepaid", amount, key=f"pf:{ref}", business_date=day,
                                   memo=f"预缴 {command.person_id}", data={"clause": clause("第十三条")}, actor=actor)
    record_change(session, account, "pf.prepaid", before, actor, day)
    return {"person_id": command.person_id, "from": month_label(start), "through": month_label(through),
            "months": months, "amount_fen": amount, "amount": fen_to_yuan(amount), "entry_id": entry.id,
            "clause": clause("第十三条")}


@handles(Stop)
def stop(ctx: Context, command: Stop) -> dict:
    """第十六条 停止缴存 → 封存 on request; refused while a loan is outstanding; prepaid money refunded."""
    session, actor = ctx.session, ctx.actor
    day = today(session)
    account = find_account(session, command.person_id)
    if account.status != "active":
        raise cited(Conflict("账户不是缴存状态", "the account is not active", field="person_id",
                             code="account_not_active"), "第十六条")
    domain.check_can_stop(account.loan_outstanding)
    before = snapshot(account)
    refunded = refund_prepaid(session, account, day, "stop", actor)
    account.status, account.seal_reason, account.reminded_month = "sealed", "request", None
    record_change(session, account, "pf.account.sealed", before, actor, day)
    return {"person_id": command.person_id, "status": "sealed", "refunded_fen": refunded,
            "refunded": fen_to_yuan(refunded), "clause": clause("第十六条")}


@handles(Unseal)
def unseal(ctx: Context, command: Unseal) -> dict:
    """第十六条 启封: contributions resume from this month; consecutive months restart (第十七条)."""
    session = ctx.session
    day = today(session)
    account = find_account(session, command.person_id)
    if account.status != "sealed":
        raise cited(Conflict("账户未封存", "the account is not sealed", field="person_id", code="account_not_sealed"),
                    "第十六条")
    if account.seal_reason == "retirement" or domain.month_index(day) > account.retire_month:
        raise cited(Conflict("已达到法定退休年龄，不能启封缴存", "past the legal retirement age", field="person_id",
                             code="retired"), "第十六条")
    before = snapshot(account)
    this_month = domain.month_index(day)
    account.status, account.seal_reason, account.reminded_month = "active", None, None
    last = last_collected_month(session, account.id)
    account.due_from = max(this_month, last + 1 if last is not None else this_month)
    account.carried_months, account.carried_through = 0, None
    record_change(session, account, "pf.account.unsealed", before, ctx.actor, day)
    return {"person_id": command.person_id, "status": "active", "first_month": month_label(account.due_from),
            "clause": clause("第十七条")}


@handles(SetLoan)
def set_loan(ctx: Context, command: SetLoan) -> dict:
    """Record whether a housing fund loan is outstanding (from the loan system; 第十六条)."""
    account = find_account(ctx.session, command.person_id)
    before = snapshot(account)
    account.loan_outstanding = bool(command.outstanding)
    record_change(ctx.session, account, "pf.loan.set", before, ctx.actor, today(ctx.session))
    return {"person_id": command.person_id, "loan_outstanding": account.loan_outstanding}


@handles(Adjust)
def adjust(ctx: Context, command: Adjust) -> dict:
    """第十五条: base and rate may change once per annual adjustment (one per settlement year)."""
    session = ctx.session
    day = today(session)
    account = find_account(session, command.person_id)
    year = domain.settlement_year(day)
    if account.last_adjust_year == year:
        raise cited(Conflict("本年度缴存基数调整期间已调整过一次", "already adjusted once this year", field="person_id",
                             code="already_adjusted"), "第十五条")
    if account.prepaid_fen > 0:
        raise cited(Conflict("预缴期间不能调整缴存基数或比例（预缴按原月缴存额计算）",
                             "cannot adjust while prepaid months are pending", field="person_id",
                             code="prepaid_pending"), "第十五条")
    domain.check_base(command.base_fen, bounds(session, day))
    rate_bp = domain.check_rate(domain.parse_rate(command.rate))
    before = snapshot(account)
    account.base_fen, account.rate_bp = command.base_fen, rate_bp
    account.monthly_fen = domain.monthly_amount(command.base_fen, rate_bp, rounding_unit(day))
    account.last_adjust_year = year
    record_change(session, account, "pf.account.adjusted", before, ctx.actor, day)
    return {"person_id": command.person_id, "monthly_fen": account.monthly_fen,
            "monthly": fen_to_yuan(account.monthly_fen), "clause": clause("第十五条")}


@handles(TransferOut)
def transfer_out(ctx: Context, command: TransferOut) -> dict:
    """第十八条: the worker joins an employer — the account is sealed and moved (转移). Interest is
    settled to the day (decision PF7) and prepaid money refunded (第十六条)."""
    session, actor, person_id = ctx.session, ctx.actor, command.person_id
    day = today(session)
    account = find_account(session, person_id)
    if account.status == "transferred":
        raise Conflict("账户已转出", "the account was already transferred", field="person_id",
                       code="account_transferred")
    before = snapshot(account)
    accrue(account, rate_index(session, day))
    interest = domain.interest_fen(account.accrual)
    book = ledger(actor)
    if interest > 0:
        add_movement(session, account, day, "interest", f"interest_out:{account.id}", balance=interest,
                     memo="转出结息")
        book.transfer(session, "interest", "members", interest, key=f"pf:interest_out:{account.id}",
                      business_date=day, memo=f"转出结息 {person_id}", data={"clause": clause("第十四条")}, actor=actor)
    account.balance_fen += interest
    account.accrual = 0
    refunded = refund_prepaid(session, account, day, "transfer", actor)
    amount = account.balance_fen
    if amount > 0:
        add_movement(session, account, day, "transfer_out", f"transfer_out:{account.id}", balance=-amount,
                     memo="转移至单位缴存")
        book.transfer(session, "members", "transfer", amount, key=f"pf:transfer_out:{account.id}",
                      business_date=day, memo=f"转出 {person_id}", data={"clause": clause("第十八条")}, actor=actor)
    account.balance_fen = 0
    account.status, account.seal_reason, account.reminded_month = "transferred", "employment", None
    record_change(session, account, "pf.account.transferred", before, actor, day)
    return {"person_id": person_id, "transferred_fen": amount, "interest_fen": interest,
            "refunded_fen": refunded, "clause": clause("第十八条")}
