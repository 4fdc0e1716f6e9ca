"""Services of the flexible-worker provident fund: commands on one account and set-based batch runs.

Design (docs/provident_fund.md):

* The ledger book ``provident_fund`` holds *control accounts*: ``bank`` (归集账户, asset),
  ``members`` (个人账户, liability, guarded), ``prepaid`` (预缴, liability, guarded), ``interest``
  (利息支出, expense) and ``transfer`` (转移清算, asset that may go negative).
* The per-account sub-ledger is ``pf_accounts`` (balances) + ``pf_movements`` (journal). A
  single-account command posts its own ledger entry; a batch run posts **one aggregated entry per
  chunk** (a fixed range of account ids) and writes the per-account rows set-based
  (``INSERT … SELECT``, ``UPDATE … FROM``) in the same transaction. ``reconcile`` proves
  Σ sub-ledger = control account.
* Batch runs go through :func:`gazette.ledger.execute_run`, keyed by (run type, period); the units
  are id ranges fixed by the run's ``width`` parameter, each range one transaction whose
  statements only touch rows not yet processed, so a crashed run resumes to the clean state.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from gazette import validate
from gazette.ledger import Ledger, audit, clock, execute_run, fen_to_yuan, idempotent
from gazette.ledger._sql import bulk_insert
from gazette.ledger.errors import UnknownBook
from gazette.rules.parameters import load_parameter_file
from jiaxing.schemes.provident_fund import domain as D
from jiaxing.schemes.provident_fund.domain import FundError, clause, month_label
from jiaxing.schemes.provident_fund.models import (
    BankLine,
    Collection,
    FundAccount,
    FundException,
    Movement,
    ReferenceValue,
)

BOOK = "provident_fund"
CONTROL = {
    "bank": ("受托银行归集账户存款", "asset", False),
    "members": ("灵活就业人员个人账户", "liability", False),
    "prepaid": ("预缴住房公积金", "liability", False),
    "interest": ("个人账户利息支出", "expense", False),
    "transfer": ("账户转移清算", "asset", True),
}
DEFAULT_WIDTH = 20_000  # account ids per batch-run chunk (one transaction each)
PARAMS_FILE = Path(__file__).resolve().parents[2] / "policies" / "provident_fund" / "parameters.yaml"

# Reference data from outside the gazette. The wage figures come from the rules engine's
# parameters.yaml (labelled demo there); the deposit rate is a demo value too.
DEMO_DEPOSIT_RATE = (
    dt.date(2016, 2, 21), 15_000,
    "中国人民银行：职工住房公积金账户存款利率统一按一年期定期存款基准利率 1.50% 执行（2016-02-21 起）；"
    "示例值（demo），运营方须按中国人民银行公布值加载",
)
REFERENCE_KINDS = {
    "min_wage": ("最低月工资标准", "fen", "第十一条"),
    "avg_wage": ("上一年度全市职工月平均工资", "fen", "第十一条"),
    "deposit_rate": ("住房公积金账户存款年利率", "ppm", "第十四条"),
}


@functools.cache
def policy_params() -> dict:
    """The rules engine's parameters of this 办法 (dated, cited)."""
    return load_parameter_file(PARAMS_FILE, "provident_fund")


def _param(pid: str, on: dt.date):
    return policy_params()[f"provident_fund.{pid}"].at(max(on, D.IN_FORCE))[0]


def age_limits(on: dt.date) -> D.AgeLimits:
    return D.AgeLimits(int(_param("eligibility.min_age", on)), int(_param("eligibility.max_age_male", on)),
                       int(_param("eligibility.max_age_female", on)))


def rate_bounds(on: dt.date) -> tuple[int, int]:
    return int(_param("rate.min", on) * 10_000), int(_param("rate.max", on) * 10_000)


def rounding_unit(on: dt.date) -> int:
    return int(_param("rounding_unit", on))


def base_multiple(on: dt.date) -> int:
    return int(_param("base.max_multiple", on))


def ledger(actor: str = "system") -> Ledger:
    return Ledger(BOOK, actor=actor)


# ---------------------------------------------------------------- setup and reference data


def setup(session: Session, business_date: dt.date, *, actor: str = "system") -> dict:
    """Open the book, its control accounts and the demo reference data (idempotent)."""
    lg = Ledger.open_book(session, BOOK, "灵活就业人员住房公积金", business_date=business_date, actor=actor)
    for code, (name, typ, neg) in CONTROL.items():
        lg.open_account(session, code, name, typ, programme="provident_fund", allow_negative=neg, actor=actor)
    seeded = []
    for kind, pid in (("min_wage", "base.min_wage"), ("avg_wage", "base.average_monthly_wage")):
        if not _has_reference(session, kind):
            p = policy_params()[f"provident_fund.{pid}"]
            for start, value in p.history:
                set_reference(session, kind, start, int(value), str(p.metadata.get("source", "parameters.yaml")),
                              demo=bool(p.metadata.get("demo")), actor=actor)
            seeded.append(kind)
    if not _has_reference(session, "deposit_rate"):
        start, ppm, source = DEMO_DEPOSIT_RATE
        set_reference(session, "deposit_rate", start, ppm, source, demo=True, actor=actor)
        seeded.append("deposit_rate")
    return {"book": BOOK, "business_date": lg.business_date(session).isoformat(), "seeded": seeded}


def _has_reference(session: Session, kind: str) -> bool:
    return session.scalar(select(func.count()).select_from(ReferenceValue).where(ReferenceValue.kind == kind)) > 0


def set_reference(session: Session, kind: str, start: dt.date, value: int, source: str, *, demo: bool = False,
                  actor: str = "operator") -> dict:
    """Load one dated reference value (the operator's job: real values replace the demo ones)."""
    if kind not in REFERENCE_KINDS:
        raise FundError("unknown_reference_kind", f"未知参考数据：{kind}", f"unknown reference data: {kind}",
                        field="kind", kinds=sorted(REFERENCE_KINDS))
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise FundError("invalid_reference_value", "参考数据取值须为正数", "a reference value must be positive",
                        field="value")
    if not source or not str(source).strip():
        raise FundError("reference_source_required", "参考数据须注明来源", "reference data needs a source",
                        field="source")
    row = session.scalar(select(ReferenceValue).where(ReferenceValue.kind == kind, ReferenceValue.start == start))
    before = None if row is None else {"value": row.value, "source": row.source, "demo": row.demo}
    if row is None:
        row = ReferenceValue(kind=kind, start=start, value=value, source=source, demo=demo)
        session.add(row)
    else:
        row.value, row.source, row.demo = value, source, demo
    session.flush()
    audit.record(session, actor=actor, action="pf.reference.set", entity_type="pf_reference",
                 entity_id=f"{kind}@{start.isoformat()}", before=before,
                 after={"value": value, "source": source, "demo": demo})
    return {"kind": kind, "start": start.isoformat(), "value": value, "source": source, "demo": demo}


def reference_history(session: Session, kind: str) -> list[tuple[dt.date, int]]:
    rows = session.execute(select(ReferenceValue.start, ReferenceValue.value).where(ReferenceValue.kind == kind)
                           .order_by(ReferenceValue.start)).all()
    return [(r.start, int(r.value)) for r in rows]


def reference_at(session: Session, kind: str, on: dt.date) -> int:
    value = None
    for start, v in reference_history(session, kind):
        if start <= on:
            value = v
    if value is None:
        zh, _, art = REFERENCE_KINDS[kind]
        raise FundError("reference_missing", f"缺少 {on.isoformat()} 适用的{zh}（参考数据）",
                        f"no {kind} reference value for {on.isoformat()}", field=kind, article=art)
    return value


def list_reference(session: Session) -> list[dict]:
    rows = session.scalars(select(ReferenceValue).order_by(ReferenceValue.kind, ReferenceValue.start)).all()
    return [{"kind": r.kind, "label": REFERENCE_KINDS[r.kind][0], "start": r.start.isoformat(), "value": r.value,
             "unit": REFERENCE_KINDS[r.kind][1], "source": r.source, "demo": r.demo,
             "clause": clause(REFERENCE_KINDS[r.kind][2])} for r in rows]


def bounds(session: Session, on: dt.date) -> D.BaseBounds:
    return D.BaseBounds(reference_at(session, "min_wage", on), reference_at(session, "avg_wage", on),
                        base_multiple(on))


def rate_index(session: Session, on: dt.date) -> int:
    return D.rate_index(on, reference_history(session, "deposit_rate"))


def today(session: Session) -> dt.date:
    try:
        return ledger().business_date(session)
    except UnknownBook:
        raise FundError("fund_not_set_up", "公积金账本尚未初始化（gazette fund init）",
                        "the provident fund is not set up (run `gazette fund init`)", status=409) from None


def advance(session: Session, to: dt.date, *, actor: str = "operator") -> dt.date:
    return ledger(actor).advance_business_date(session, to, actor=actor)


# ---------------------------------------------------------------- helpers


def _now() -> dt.datetime:
    return clock.now()


def _account(session: Session, person_id: str, *, lock: bool = True) -> FundAccount:
    person_id = validate.person_id(person_id)  # the canonical form, as stored
    stmt = select(FundAccount).where(FundAccount.person_id == person_id)
    if lock:
        stmt = stmt.with_for_update()
    acc = session.scalar(stmt)
    if acc is None:
        raise FundError("account_not_found", f"未找到个人住房公积金账户：{person_id}",
                        f"no provident fund account for {person_id}", field="person_id", status=404)
    return acc


def _last_row(session: Session, account_id: int) -> int | None:
    """The latest month collected or instructed for the account (UNIQUE (account_id, month) index)."""
    return session.scalar(select(func.max(Collection.month)).where(Collection.account_id == account_id))


def _accrue(acc: FundAccount, c_now: int) -> None:
    """Bring the accrual (积数) up to today before the balance changes (第十四条 自存入之日起计息)."""
    acc.accrual += acc.balance_fen * max(c_now - acc.accrual_idx, 0)
    acc.accrual_idx = max(acc.accrual_idx, c_now)


def _move(session: Session, acc: FundAccount, d: dt.date, kind: str, ref: str, *, balance: int = 0,
          prepaid: int = 0, month: int | None = None, memo: str | None = None) -> None:
    session.add(Movement(account_id=acc.id, business_date=d, kind=kind, delta_balance=balance,
                         delta_prepaid=prepaid, month=month, ref=ref, memo=memo))


def _snapshot(acc: FundAccount) -> dict:
    return {"status": acc.status, "seal_reason": acc.seal_reason, "balance_fen": acc.balance_fen,
            "prepaid_fen": acc.prepaid_fen, "prepaid_through": month_label(acc.prepaid_through),
            "base_fen": acc.base_fen, "rate_bp": acc.rate_bp, "monthly_fen": acc.monthly_fen,
            "due_from": month_label(acc.due_from), "loan_outstanding": acc.loan_outstanding}


def _record(session: Session, acc: FundAccount, action: str, before: dict | None, actor: str, d: dt.date) -> None:
    acc.updated_at = _now()
    session.flush()
    audit.record(session, actor=actor, action=action, entity_type="pf_account", entity_id=acc.person_id,
                 before=before, after=_snapshot(acc), business_date=d)


def _maybe_idempotent(session: Session, scope: str, key: str | None, body: dict, act: Callable[[], dict],
                      actor: str = "operator") -> dict:
    if key is None:
        return act()
    # keys are scoped to the caller: one user's key never blocks nor reveals another's
    scoped = f"{scope}@{actor}"
    if len(scoped) > 100:
        scoped = f"{scope}@sha256:{hashlib.sha256(actor.encode()).hexdigest()[:40]}"
    res = idempotent(session, scoped, key, body, act)
    out = dict(res.result)
    out["replayed"] = res.replayed
    return out


def _refund_prepaid(session: Session, acc: FundAccount, d: dt.date, why: str, actor: str) -> int:
    """第十六条 third paragraph: prepaid money not yet due goes back to the worker."""
    amount = acc.prepaid_fen
    if amount <= 0:
        return 0
    ref = f"refund:{acc.id}:{d.isoformat()}:{why}"
    _move(session, acc, d, "refund", ref, prepaid=-amount, memo="预缴退回")
    ledger(actor).transfer(session, "prepaid", "bank", amount, key=f"pf:{ref}", business_date=d,
                           memo=f"退回预缴 {acc.person_id}", data={"clause": clause("第十六条")}, actor=actor)
    acc.prepaid_fen = 0
    acc.prepaid_through = None
    return amount


# ---------------------------------------------------------------- commands on one account


@dataclass(frozen=True)
class TransferIn:
    """An existing employer or custody account moved into this one (第十条, 第十八条)."""

    amount_fen: int
    months: int  # consecutive months paid at the previous account
    through: int  # month index of the last paid month there


def open_account(session: Session, applicant: D.Applicant, base_fen: int, rate: str | int, *,
                 transfer_in: TransferIn | None = None, key: str | None = None, actor: str = "operator") -> dict:
    """Open a worker's account (第八、九、十、十一、十二条). Nothing is written when any rule fails."""
    applicant = dataclasses.replace(applicant, person_id=validate.person_id(applicant.person_id))
    d = today(session)
    body = {"person_id": applicant.person_id, "name": applicant.name, "sex": applicant.sex,
            "birth_date": applicant.birth_date, "base_fen": base_fen, "rate": str(rate),
            "transfer_in": None if transfer_in is None else vars(transfer_in)}

    def act() -> dict:
        D.check_eligibility(applicant, d, age_limits(d))
        D.check_base(base_fen, bounds(session, d))
        lo, hi = rate_bounds(d)
        rate_bp = D.parse_rate(rate)
        if not lo <= rate_bp <= hi:
            D.check_rate(rate_bp)
        if session.scalar(select(FundAccount.id).where(FundAccount.person_id == applicant.person_id)) is not None:
            raise FundError("account_exists", "每位灵活就业人员只能设立一个住房公积金账户；已有账户的请办理账户转移、合并手续",
                            "one account per person: an existing account must be transferred or merged",
                            field="person_id", status=409, article="第十条")
        if transfer_in is not None and (transfer_in.amount_fen < 0 or transfer_in.months < 0
                                        or transfer_in.through >= D.month_index(d)):
            raise FundError("invalid_transfer_in", "转入金额、月数须为非负数，且原账户末次缴存月份须早于本月",
                            "transfer-in amount and months must be non-negative, its last month before this one",
                            field="transfer_in", article="第十八条")
        now = _now()
        acc = FundAccount(
            person_id=applicant.person_id, name=applicant.name, sex=applicant.sex, birth_date=applicant.birth_date,
            status="active", base_fen=base_fen, rate_bp=rate_bp,
            monthly_fen=D.monthly_amount(base_fen, rate_bp, rounding_unit(d)), opened_on=d,
            due_from=D.month_index(d), retire_month=D.retirement_month(applicant.birth_date, applicant.sex,
                                                                      age_limits(d)),
            prepaid_fen=0, balance_fen=0, accrual=0, accrual_idx=rate_index(session, d), loan_outstanding=False,
            carried_months=0, created_at=now, updated_at=now)
        session.add(acc)
        try:
            session.flush()
        except IntegrityError:  # a concurrent open of the same person
            raise FundError("account_exists", "每位灵活就业人员只能设立一个住房公积金账户",
                            "one account per person", field="person_id", status=409, article="第十条") from None
        if transfer_in is not None:
            acc.carried_months, acc.carried_through = transfer_in.months, transfer_in.through
            if transfer_in.amount_fen > 0:
                acc.balance_fen = transfer_in.amount_fen
                _move(session, acc, d, "transfer_in", f"transfer_in:{acc.id}", balance=transfer_in.amount_fen,
                      memo="账户转移合并")
                ledger(actor).transfer(session, "transfer", "members", transfer_in.amount_fen,
                                       key=f"pf:transfer_in:{acc.id}", business_date=d,
                                       memo=f"转入 {acc.person_id}", data={"clause": clause("第十八条")}, actor=actor)
        _record(session, acc, "pf.account.opened", None, actor, d)
        return {"person_id": acc.person_id, "account_id": acc.id, "monthly_fen": acc.monthly_fen,
                "monthly": fen_to_yuan(acc.monthly_fen), "first_month": month_label(acc.due_from),
                "clause": clause("第十二条")}

    return _maybe_idempotent(session, "pf.open", key, body, act, actor)


def open_accounts(session: Session, rows: Sequence[tuple[D.Applicant, int, str | int]], *,
                  actor: str = "operator") -> dict:
    """Open many accounts at once (batch onboarding): every row is checked by the same rules as
    :func:`open_account`; any failure refuses the whole batch (``details.row``), nothing written.
    Rows are inserted set-based with one audit record."""
    d = today(session)
    limits, bnd, (lo, hi), unit = age_limits(d), bounds(session, d), rate_bounds(d), rounding_unit(d)
    c = rate_index(session, d)
    now = _now()
    seen: set[str] = set()
    out = []
    for i, (a, base_fen, rate) in enumerate(rows):
        try:
            D.check_eligibility(a, d, limits)
            D.check_base(base_fen, bnd)
            rate_bp = D.parse_rate(rate)
            if not lo <= rate_bp <= hi:
                D.check_rate(rate_bp)
            if a.person_id in seen:
                raise FundError("account_exists", "同一人只能设立一个账户", "one account per person", field="person_id",
                                status=409, article="第十条")
        except FundError as e:
            e.details["row"] = i
            raise
        seen.add(a.person_id)
        out.append({"person_id": a.person_id, "name": a.name, "sex": a.sex, "birth_date": a.birth_date,
                    "status": "active", "base_fen": base_fen, "rate_bp": rate_bp,
                    "monthly_fen": D.monthly_amount(base_fen, rate_bp, unit), "opened_on": d,
                    "due_from": D.month_index(d), "retire_month": D.retirement_month(a.birth_date, a.sex, limits),
                    "prepaid_fen": 0, "balance_fen": 0, "accrual": 0, "accrual_idx": c, "loan_outstanding": False,
                    "carried_months": 0, "created_at": now, "updated_at": now})
    existing = session.scalars(select(FundAccount.person_id).where(FundAccount.person_id.in_(sorted(seen)))).all() \
        if len(seen) <= 30_000 else []
    if existing:
        raise FundError("account_exists", f"已有账户：{existing[0]}", f"an account exists for {existing[0]}",
                        field="person_id", status=409, article="第十条", person_id=existing[0])
    bulk_insert(session, FundAccount.__table__, out)
    audit.record(session, actor=actor, action="pf.accounts.opened", entity_type="pf_account", entity_id="batch",
                 after={"count": len(out)}, business_date=d)
    return {"opened": len(out)}


def prepay(session: Session, person_id: str, through: str | int, *, from_month: str | int | None = None,
           key: str | None = None, actor: str = "operator") -> dict:
    """第十三条 预缴: whole months from the next uncovered month to ``through`` (≤ June of the
    current settlement year); no back-payment."""
    d = today(session)
    t = D.parse_month(through, "through")
    f = None if from_month is None else D.parse_month(from_month, "from_month")
    body = {"person_id": person_id, "through": t, "from_month": f}

    def act() -> dict:
        acc = _account(session, person_id)
        if acc.status != "active":
            raise FundError("account_not_active", "账户已封存或转出，不能预缴", "the account is not active",
                            status=409, field="person_id", article="第十六条")
        start = D.next_uncovered_month(acc.due_from, _last_row(session, acc.id), acc.prepaid_through)
        n = D.prepayment_months(d, start, t, from_month=f)
        amount = n * acc.monthly_fen
        before = _snapshot(acc)
        ref = f"prepay:{acc.id}:{month_label(start)}:{month_label(t)}"
        acc.prepaid_fen += amount
        acc.prepaid_through = t
        _move(session, acc, d, "prepay", ref, prepaid=amount, memo=f"预缴 {month_label(start)}–{month_label(t)}")
        e = ledger(actor).transfer(session, "bank", "prepaid", amount, key=f"pf:{ref}", business_date=d,
                                   memo=f"预缴 {person_id}", data={"clause": clause("第十三条")}, actor=actor)
        _record(session, acc, "pf.prepaid", before, actor, d)
        return {"person_id": person_id, "from": month_label(start), "through": month_label(t), "months": n,
                "amount_fen": amount, "amount": fen_to_yuan(amount), "entry_id": e.id, "clause": clause("第十三条")}

    return _maybe_idempotent(session, "pf.prepay", key, body, act, actor)


def pay_month(session: Session, person_id: str, month: str | int, *, actor: str = "operator") -> dict:
    """An explicit payment for one month: only the next uncovered month may be paid (as a one-month
    prepayment); an earlier month is a back-payment, refused by 第十三条."""
    m = D.parse_month(month)
    acc = _account(session, person_id)
    start = D.next_uncovered_month(acc.due_from, _last_row(session, acc.id), acc.prepaid_through)
    D.check_not_back_payment(m, start)
    return prepay(session, person_id, m, from_month=m, actor=actor)


def stop(session: Session, person_id: str, *, key: str | None = None, actor: str = "operator") -> dict:
    """第十六条 停止缴存 → 封存 on request; refused while a loan is outstanding; prepaid money refunded."""
    d = today(session)

    def act() -> dict:
        acc = _account(session, person_id)
        if acc.status != "active":
            raise FundError("account_not_active", "账户不是缴存状态", "the account is not active", status=409,
                            field="person_id", article="第十六条")
        D.check_can_stop(acc.loan_outstanding)
        before = _snapshot(acc)
        refunded = _refund_prepaid(session, acc, d, "stop", actor)
        acc.status, acc.seal_reason, acc.reminded_month = "sealed", "request", None
        _record(session, acc, "pf.account.sealed", before, actor, d)
        return {"person_id": person_id, "status": "sealed", "refunded_fen": refunded,
                "refunded": fen_to_yuan(refunded), "clause": clause("第十六条")}

    return _maybe_idempotent(session, "pf.stop", key, {"person_id": person_id, "on": d}, act, actor)


def unseal(session: Session, person_id: str, *, actor: str = "operator") -> dict:
    """第十六条 启封: contributions resume from this month; consecutive months restart (第十七条)."""
    d = today(session)
    acc = _account(session, person_id)
    if acc.status != "sealed":
        raise FundError("account_not_sealed", "账户未封存", "the account is not sealed", status=409,
                        field="person_id", article="第十六条")
    if acc.seal_reason == "retirement" or D.month_index(d) > acc.retire_month:
        raise FundError("retired", "已达到法定退休年龄，不能启封缴存", "past the legal retirement age", status=409,
                        field="person_id", article="第十六条")
    before = _snapshot(acc)
    m = D.month_index(d)
    acc.status, acc.seal_reason, acc.reminded_month = "active", None, None
    last = _last_row(session, acc.id)
    acc.due_from = max(m, last + 1 if last is not None else m)
    acc.carried_months, acc.carried_through = 0, None
    _record(session, acc, "pf.account.unsealed", before, actor, d)
    return {"person_id": person_id, "status": "active", "first_month": month_label(acc.due_from),
            "clause": clause("第十七条")}


def set_loan(session: Session, person_id: str, outstanding: bool, *, actor: str = "operator") -> dict:
    """Record whether a housing fund loan is outstanding (from the loan system; 第十六条)."""
    d = today(session)
    acc = _account(session, person_id)
    before = _snapshot(acc)
    acc.loan_outstanding = bool(outstanding)
    _record(session, acc, "pf.loan.set", before, actor, d)
    return {"person_id": person_id, "loan_outstanding": acc.loan_outstanding}


def adjust(session: Session, person_id: str, base_fen: int, rate: str | int, *, actor: str = "operator") -> dict:
    """第十五条: base and rate may change once per annual adjustment (one per settlement year)."""
    d = today(session)
    acc = _account(session, person_id)
    year = D.settlement_year(d)
    if acc.last_adjust_year == year:
        raise FundError("already_adjusted", "本年度缴存基数调整期间已调整过一次", "already adjusted once this year",
                        status=409, field="person_id", article="第十五条")
    if acc.prepaid_fen > 0:
        raise FundError("prepaid_pending", "预缴期间不能调整缴存基数或比例（预缴按原月缴存额计算）",
                        "cannot adjust while prepaid months are pending", status=409, field="person_id",
                        article="第十五条")
    D.check_base(base_fen, bounds(session, d))
    rate_bp = D.check_rate(D.parse_rate(rate))
    before = _snapshot(acc)
    acc.base_fen, acc.rate_bp = base_fen, rate_bp
    acc.monthly_fen = D.monthly_amount(base_fen, rate_bp, rounding_unit(d))
    acc.last_adjust_year = year
    _record(session, acc, "pf.account.adjusted", before, actor, d)
    return {"person_id": person_id, "monthly_fen": acc.monthly_fen, "monthly": fen_to_yuan(acc.monthly_fen),
            "clause": clause("第十五条")}


def transfer_out(session: Session, person_id: str, *, key: str | None = None, actor: str = "operator") -> dict:
    """第十八条: the worker joins an employer — the account is sealed and moved (转移). Interest is
    settled to the day (decision PF7) and prepaid money refunded (第十六条)."""
    d = today(session)

    def act() -> dict:
        acc = _account(session, person_id)
        if acc.status == "transferred":
            raise FundError("account_transferred", "账户已转出", "the account was already transferred", status=409,
                            field="person_id")
        before = _snapshot(acc)
        c = rate_index(session, d)
        _accrue(acc, c)
        interest = D.interest_fen(acc.accrual)
        lg = ledger(actor)
        if interest > 0:
            _move(session, acc, d, "interest", f"interest_out:{acc.id}", balance=interest, memo="转出结息")
            lg.transfer(session, "interest", "members", interest, key=f"pf:interest_out:{acc.id}", business_date=d,
                        memo=f"转出结息 {person_id}", data={"clause": clause("第十四条")}, actor=actor)
        acc.balance_fen += interest
        acc.accrual = 0
        refunded = _refund_prepaid(session, acc, d, "transfer", actor)
        amount = acc.balance_fen
        if amount > 0:
            _move(session, acc, d, "transfer_out", f"transfer_out:{acc.id}", balance=-amount, memo="转移至单位缴存")
            lg.transfer(session, "members", "transfer", amount, key=f"pf:transfer_out:{acc.id}", business_date=d,
                        memo=f"转出 {person_id}", data={"clause": clause("第十八条")}, actor=actor)
        acc.balance_fen = 0
        acc.status, acc.seal_reason, acc.reminded_month = "transferred", "employment", None
        _record(session, acc, "pf.account.transferred", before, actor, d)
        return {"person_id": person_id, "transferred_fen": amount, "interest_fen": interest,
                "refunded_fen": refunded, "clause": clause("第十八条")}

    return _maybe_idempotent(session, "pf.transfer_out", key, {"person_id": person_id}, act, actor)


# ---------------------------------------------------------------- batch runs (set-based SQL)


def _greatest(session: Session) -> str:
    return "GREATEST" if session.get_bind().dialect.name == "postgresql" else "MAX"


def _ranges(session: Session, width: int) -> list[int]:
    """Chunk starts: multiples of ``width`` from the lowest account id (accounts are never deleted, so
    a resumed run cuts the same ranges) to the highest."""
    lo, hi = session.execute(select(func.min(FundAccount.id), func.max(FundAccount.id))).one()
    if hi is None:
        return []
    return list(range(lo // width * width, hi + 1, width))


def _run(run_type: str, period: str, business_date: dt.date, width: int, process, *, uow=None,
         on_progress=None, extra: dict | None = None, finalize=None):
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    params = {"width": width, **(extra or {})}

    def units() -> list[int]:
        with uow() as s:
            return _ranges(s, width)

    return execute_run(run_type, period, units, process, uow=uow, chunk_size=1, business_date=business_date,
                       params=params, on_progress=on_progress, finalize=finalize)


def _check_run_date(session: Session, d: dt.date) -> None:
    if d != today(session):
        raise FundError("business_date_mismatch", f"批处理须在营业日 {today(session).isoformat()} 运行",
                        f"batch runs use the business date {today(session).isoformat()}", field="business_date")


def monthly_collection(month: str | int, *, width: int = DEFAULT_WIDTH, uow=None, on_progress=None,
                       actor: str = "system"):
    """第十三条 — for every active account due in ``month``: a prepaid month is credited (预缴资金按月
    入账, 第二十条（二）); otherwise a debit instruction (委托收款) is created for the bank, settled
    by :func:`import_bank_results`. Run ``("pf.collection", "YYYY-MM")``, between the 1st and the 10th
    of the next month."""
    from gazette.store.db import unit_of_work

    m = D.parse_month(month)
    with (uow or unit_of_work)() as s:
        d = today(s)
        if not D.month_index(d) > m:
            raise FundError("month_not_over", f"{month_label(m)} 尚未结束，不能托收", f"{month_label(m)} is not over",
                            field="month", article="第十三条")
        c = rate_index(s, d)
    g = None

    def process(session: Session, chunk: list[int], ctx) -> dict:
        nonlocal g
        g = g or _greatest(session)
        lo = chunk[0]
        p = {"m": m, "lo": lo, "hi": lo + width, "d": d, "c": c, "label": month_label(m) + "-", "rid": ctx.run_id}
        due = ("a.id >= :lo AND a.id < :hi AND a.status = 'active' AND a.due_from <= :m AND NOT EXISTS "
               "(SELECT 1 FROM pf_collections x WHERE x.account_id = a.id AND x.month = :m)")
        n = session.execute(text(f"""
            INSERT INTO pf_collections (account_id, month, amount_fen, source, status, ref, settled_on, run_id)
            SELECT a.id, :m, a.monthly_fen,
                   CASE WHEN a.prepaid_through >= :m THEN 'prepaid' ELSE 'debit' END,
                   CASE WHEN a.prepaid_through >= :m THEN 'paid' ELSE 'pending' END,
                   :label || CAST(a.id AS VARCHAR(20)),
                   CASE WHEN a.prepaid_through >= :m THEN :d ELSE NULL END, :rid
            FROM pf_accounts a WHERE {due}"""), p).rowcount
        session.execute(text(f"""
            UPDATE pf_accounts SET
              accrual = accrual + balance_fen * {g}(:c - accrual_idx, 0),
              accrual_idx = {g}(accrual_idx, :c),
              balance_fen = balance_fen + monthly_fen,
              prepaid_fen = prepaid_fen - monthly_fen,
              last_paid_month = :m,
              prepaid_through = CASE WHEN prepaid_through = :m THEN NULL ELSE prepaid_through END
            WHERE id >= :lo AND id < :hi AND prepaid_through >= :m
              AND (last_paid_month IS NULL OR last_paid_month < :m)
              AND EXISTS (SELECT 1 FROM pf_collections x WHERE x.month = :m AND x.account_id = pf_accounts.id
                          AND x.source = 'prepaid' AND x.run_id = :rid)"""), p)
        # the prepaid months this run credited (run_id: the same across attempts of a resumed run)
        where = ("c.month = :m AND c.source = 'prepaid' AND c.run_id = :rid AND c.account_id >= :lo "
                 "AND c.account_id < :hi")
        total = session.execute(text(f"SELECT COALESCE(SUM(c.amount_fen), 0) FROM pf_collections c WHERE {where}"),
                                p).scalar()
        if total:
            ledger(actor).transfer(session, "prepaid", "members", int(total), key=ctx.key(lo), business_date=d,
                                   memo=f"预缴资金按月入账 {month_label(m)}", run_id=ctx.run_id,
                                   data={"clause": clause("第二十条.（二）")}, actor=actor)
        return {"rows": n}

    def finalize(session: Session, ctx, totals: dict) -> dict:
        # the whole run's figures, not this attempt's: a resumed run counts what earlier attempts wrote
        n, fen = session.execute(text("SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM pf_collections "
                                      "WHERE month = :m AND run_id = :rid"), {"m": m, "rid": ctx.run_id}).one()
        return {"rows": int(n), "amount_fen": int(fen), "rows_this_attempt": totals.get("rows", 0)}

    return _run("pf.collection", month_label(m), d, width, process, uow=uow, on_progress=on_progress,
                finalize=finalize)


def parse_bank_file(textdata: str) -> list[tuple[str, int, str]]:
    """A bank result file: CSV lines ``ref,amount_yuan,result`` (result ``ok`` or ``failed``); a header
    line starting with ``ref`` and blank lines are ignored. A malformed line is an error (nothing written)."""
    from gazette.ledger.money import yuan_to_fen

    out = []
    for no, line in enumerate(textdata.splitlines(), 1):
        line = line.strip()
        if not line or line.lower().startswith("ref"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3 or parts[2] not in ("ok", "failed") or not parts[0]:
            raise FundError("bad_bank_file", f"银行回盘文件第 {no} 行格式错误", f"bank result file line {no} is malformed",
                            field="file", line=no)
        try:
            out.append((parts[0], yuan_to_fen(parts[1]), parts[2]))
        except Exception:
            raise FundError("bad_bank_file", f"银行回盘文件第 {no} 行金额错误", f"bank result file line {no}: bad amount",
                            field="file", line=no) from None
    return out


def import_bank_results(import_id: str, lines: Sequence[tuple[str, int, str]], *, uow=None,
                        actor: str = "system"):
    """Settle debit instructions from a bank result file (受托银行回盘), once per ``import_id``.

    Duplicates (a reference twice in the file, or already settled), unknown references and amount
    mismatches go to the exceptions list and change nothing; instructions without a result are
    reported as ``missing_result`` by the arrears run."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    digest = hashlib.sha256(repr(list(lines)).encode()).hexdigest()[:16]
    with uow() as s:
        d = today(s)
        c = rate_index(s, d)

    def process(session: Session, chunk, ctx) -> dict:
        g = _greatest(session)
        _insert_lines(session, import_id, lines)
        p = {"imp": import_id, "d": d, "c": c}
        if len(lines) >= 100_000 and session.get_bind().dialect.name == "postgresql":
            session.execute(text("ANALYZE pf_bank_lines"))  # fresh statistics for the joins below
        # the debits this import settled, found through its own first lines (no index on import_id needed)
        mine = ("(SELECT account_id, month FROM pf_bank_lines WHERE import_id = :imp AND NOT dup "
                "AND account_id IS NOT NULL) r JOIN pf_collections c ON c.account_id = r.account_id "
                "AND c.month = r.month AND c.import_id = :imp")
        session.execute(text("""
            INSERT INTO pf_exceptions (source, line_no, ref, kind, detail, business_date)
            SELECT l.import_id, l.line_no, l.ref,
              CASE WHEN l.dup THEN 'duplicate'
                   WHEN c.id IS NULL THEN 'unknown_reference'
                   WHEN c.status <> 'pending' THEN 'already_settled'
                   ELSE 'amount_mismatch' END,
              CASE WHEN c.id IS NULL THEN NULL ELSE 'expected ' || CAST(c.amount_fen AS VARCHAR(20)) END, :d
            FROM pf_bank_lines l LEFT JOIN pf_collections c ON c.account_id = l.account_id AND c.month = l.month
            WHERE l.import_id = :imp AND (l.dup OR c.id IS NULL OR c.status <> 'pending'
                                          OR c.amount_fen <> l.amount_fen)"""), p)
        settle = """
            UPDATE pf_collections SET
              status = CASE WHEN l.result = 'ok' THEN 'paid' ELSE 'failed' END,
              reason = CASE WHEN l.result = 'ok' THEN NULL ELSE 'debit_failed' END,
              settled_on = :d, import_id = :imp
            FROM (SELECT b.account_id, b.month, b.amount_fen, b.result FROM pf_bank_lines b
                  WHERE b.import_id = :imp AND NOT b.dup) l
            WHERE pf_collections.account_id = l.account_id AND pf_collections.month = l.month
              AND pf_collections.status = 'pending'
              AND l.amount_fen = pf_collections.amount_fen"""
        credit = f"""
            UPDATE pf_accounts SET
              accrual = accrual + balance_fen * {g}(:c - accrual_idx, 0),
              accrual_idx = {g}(accrual_idx, :c),
              balance_fen = balance_fen + s.total,
              last_paid_month = {g}(COALESCE(last_paid_month, -1), s.m)
            FROM (SELECT c.account_id, SUM(c.amount_fen) AS total, MAX(c.month) AS m FROM {{settled}}
                  WHERE c.status = 'paid' GROUP BY c.account_id) s
            WHERE pf_accounts.id = s.account_id"""
        if session.get_bind().dialect.name == "postgresql":
            # one statement: the settled debits feed the account update and the counts (no re-join)
            rows = session.execute(text(f"""
                WITH upd AS ({settle}
                  RETURNING pf_collections.account_id, pf_collections.month, pf_collections.amount_fen,
                            pf_collections.status),
                acc AS ({credit.format(settled="upd c")} RETURNING 1)
                SELECT status, COUNT(*), SUM(amount_fen) FROM upd GROUP BY status"""), p).all()
        else:
            session.execute(text(settle), p)
            session.execute(text(credit.format(settled=mine)), p)
            rows = session.execute(text(f"SELECT c.status, COUNT(*), SUM(c.amount_fen) FROM {mine} "
                                        "GROUP BY c.status"), p).all()
        counts, sums = {}, {}
        for status, n, amount in rows:
            counts[status], sums[status] = n, int(amount or 0)
        total = sums.get("paid", 0)
        exc = session.execute(text("SELECT COUNT(*) FROM pf_exceptions WHERE source = :imp"), p).scalar()
        if total:
            ledger(actor).transfer(session, "bank", "members", int(total), key=ctx.key("paid"), business_date=d,
                                   memo=f"委托收款到账 {import_id}", run_id=ctx.run_id,
                                   data={"clause": clause("第十三条")}, actor=actor)
        return {"lines": len(lines), "paid": counts.get("paid", 0), "failed": counts.get("failed", 0),
                "exceptions": exc, "paid_fen": int(total)}

    return execute_run("pf.bank_import", import_id, [import_id], process, uow=uow, chunk_size=1,
                       business_date=d, params={"lines": len(lines), "digest": digest})


def _ref_key(ref: str) -> tuple[int | None, int | None]:
    """A debit reference ``YYYY-MM-<account id>`` → (account_id, month); anything else → (None, None)."""
    if len(ref) > 8 and ref[4] == "-" and ref[7] == "-":
        y, mo, acct = ref[:4], ref[5:7], ref[8:]
        if y.isdigit() and mo.isdigit() and acct.isdigit() and 1 <= int(mo) <= 12 and len(acct) <= 18:
            return int(acct), int(y) * 12 + int(mo) - 1
    return None, None


def _insert_lines(session: Session, import_id: str, lines: Sequence[tuple[str, int, str]]) -> None:
    """Bank lines: ``COPY`` on PostgreSQL (the fastest bulk path), an executemany elsewhere."""
    if not lines:
        return
    seen: set = set()

    def rows():
        # a line is a duplicate when its debit (account, month) — or its raw reference — came earlier
        for i, (r, a, res) in enumerate(lines, 1):
            acct, month = _ref_key(r)
            key = (acct, month) if acct is not None else r
            dup = key in seen
            seen.add(key)
            yield (import_id, i, r, a, res, acct, month, dup)

    cols = ("import_id", "line_no", "ref", "amount_fen", "result", "account_id", "month", "dup")
    if session.get_bind().dialect.name != "postgresql":
        bulk_insert(session, BankLine.__table__, [dict(zip(cols, t, strict=True)) for t in rows()],
                    conflict=["import_id", "line_no"])
        return
    dbapi = session.connection().connection.driver_connection
    with dbapi.cursor() as cur:
        with cur.copy(f"COPY pf_bank_lines ({', '.join(cols)}) FROM STDIN") as copy:
            for t in rows():
                copy.write_row(t)


def _seal_set(session: Session, cond: str, p: dict, reason: str, event: str, g: str) -> None:
    """Seal every account matching ``cond`` (alias ``a``) set-based: event rows, prepaid refunds, state."""
    session.execute(text(f"""
        INSERT INTO pf_events (account_id, business_date, event, month, detail, ref)
        SELECT a.id, :d, '{event}', :m, '{reason}', '{event}:' || CAST(a.id AS VARCHAR(20)) || ':' || :ml
        FROM pf_accounts a WHERE {cond}"""), p)
    session.execute(text(f"""
        INSERT INTO pf_movements (account_id, business_date, kind, delta_balance, delta_prepaid, month, ref)
        SELECT a.id, :d, 'refund', 0, -a.prepaid_fen, :m, 'refund:' || CAST(a.id AS VARCHAR(20)) || ':' || :ml
        FROM pf_accounts a WHERE {cond} AND a.prepaid_fen > 0"""), p)
    session.execute(text(f"""
        UPDATE pf_accounts SET status = 'sealed', seal_reason = '{reason}', prepaid_fen = 0, prepaid_through = NULL,
          reminded_month = NULL
        WHERE id IN (SELECT a.id FROM pf_accounts a WHERE {cond})"""), p)


def arrears_run(month: str | int, *, width: int = DEFAULT_WIDTH, uow=None, on_progress=None, actor: str = "system",
                recall_days: int | None = None):
    """第十七条 and 第十六条 second paragraph, for ``month`` after its bank results:

    * instructions still without a bank result → ``missing_result`` exceptions, counted as unpaid;
    * 3 consecutive unpaid months → reminder (催收); still unpaid the month after → sealed (``arrears``);
    * the month of the retirement birthday → sealed (``retirement``);
    * prepaid money of sealed accounts is refunded (第十六条);
    * an account sealed for arrears while a loan is outstanding also gets a loan recall (第二十三条, PF15),
      due ``recall_days`` after the business date. Run ``("pf.arrears", "YYYY-MM")``."""
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund.sanctions import RECALL_DAYS

    m = D.parse_month(month)
    recall_days = RECALL_DAYS if recall_days is None else recall_days
    if not isinstance(recall_days, int) or not 1 <= recall_days <= 366:
        raise FundError("bad_recall_days", "追回期限天数应在 1–366 之间", "recall_days must be 1–366",
                        field="recall_days", article="第二十三条")
    with (uow or unit_of_work)() as s:
        d = today(s)
        if not D.month_index(d) > m:
            raise FundError("month_not_over", f"{month_label(m)} 尚未结束", f"{month_label(m)} is not over", field="month")

    def process(session: Session, chunk: list[int], ctx) -> dict:
        g = _greatest(session)
        lo = chunk[0]
        p = {"m": m, "ml": month_label(m), "lo": lo, "hi": lo + width, "d": d, "src": f"pf.arrears:{month_label(m)}"}
        rng = "a.id >= :lo AND a.id < :hi"
        crng = "c.account_id >= :lo AND c.account_id < :hi"
        session.execute(text(f"""
            INSERT INTO pf_exceptions (source, line_no, ref, kind, detail, business_date)
            SELECT :src, 0, c.ref, 'missing_result', 'no bank result before the arrears run', :d
            FROM pf_collections c WHERE c.month = :m AND c.status = 'pending' AND {crng}"""), p)
        session.execute(text("""
            UPDATE pf_collections SET status = 'failed', reason = 'no_result', settled_on = :d
            WHERE month = :m AND status = 'pending' AND account_id >= :lo AND account_id < :hi"""), p)
        session.execute(text("""
            UPDATE pf_accounts SET reminded_month = NULL
            WHERE id >= :lo AND id < :hi AND reminded_month IS NOT NULL AND last_paid_month > reminded_month"""), p)
        streak = f"(:m - {g}(COALESCE(a.last_paid_month, -1), a.due_from - 1)) >= 3"
        active = (f"{rng} AND a.status = 'active' AND EXISTS (SELECT 1 FROM pf_collections x "
                  "WHERE x.account_id = a.id AND x.month = :m)")
        seal = f"{active} AND a.reminded_month IS NOT NULL AND a.reminded_month < :m AND {streak}"
        refund_before = session.execute(text(f"SELECT COALESCE(SUM(a.prepaid_fen), 0) FROM pf_accounts a "
                                             f"WHERE ({seal}) OR ({rng} AND a.status = 'active' "
                                             f"AND a.retire_month <= :m)"), p).scalar()
        recall = (f"{seal} AND a.loan_outstanding = :yes AND NOT EXISTS (SELECT 1 FROM pf_sanctions r "
                  "WHERE r.account_id = a.id AND r.kind = 'loan_recall' AND r.closed_on IS NULL)")
        session.execute(text(f"""
            INSERT INTO pf_sanctions (account_id, kind, article, start_date, deadline, reason, ref)
            SELECT a.id, 'loan_recall', '第二十三条', :d, :deadline, '贷款期间连续停缴三个月及以上，经催缴仍未整改',
              'recall:' || CAST(a.id AS VARCHAR(20)) || ':' || :ml
            FROM pf_accounts a WHERE {recall}"""), {**p, "yes": True, "deadline": d + dt.timedelta(days=recall_days)})
        _seal_set(session, seal, p, "arrears", "sealed", g)
        remind = f"{active} AND a.reminded_month IS NULL AND {streak}"
        session.execute(text(f"""
            INSERT INTO pf_events (account_id, business_date, event, month, detail, ref)
            SELECT a.id, :d, 'reminded', :m, 'arrears', 'reminded:' || CAST(a.id AS VARCHAR(20)) || ':' || :ml
            FROM pf_accounts a WHERE {remind}"""), p)
        session.execute(text(f"UPDATE pf_accounts SET reminded_month = :m "
                             f"WHERE id IN (SELECT a.id FROM pf_accounts a WHERE {remind})"), p)
        retire = f"{rng} AND a.status = 'active' AND a.retire_month <= :m"
        _seal_set(session, retire, p, "retirement", "sealed", g)
        if refund_before:
            ledger(actor).transfer(session, "prepaid", "bank", int(refund_before), key=ctx.key(lo), business_date=d,
                                   memo=f"封存退回预缴 {month_label(m)}", run_id=ctx.run_id,
                                   data={"clause": clause("第十六条")}, actor=actor)
        return {"refunded_fen": int(refund_before)}

    def fin(session: Session, ctx, totals) -> dict:
        rows = session.execute(text("SELECT event, detail, COUNT(*) FROM pf_events WHERE month = :m "
                                    "AND event IN ('reminded', 'sealed') GROUP BY event, detail"), {"m": m}).all()
        return {f"{e}_{r}": n for e, r, n in rows}

    return execute_run("pf.arrears", month_label(m), lambda: _units(uow, width), process, uow=uow or unit_of_work,
               chunk_size=1, business_date=d, params={"width": width}, finalize=fin, on_progress=on_progress)


def _units(uow, width: int) -> list[int]:
    from gazette.store.db import unit_of_work

    with (uow or unit_of_work)() as s:
        return _ranges(s, width)


def interest_run(year: int, *, width: int = DEFAULT_WIDTH, uow=None, on_progress=None, actor: str = "system"):
    """第十四条 — settle a year's interest on 30 June (run ``("pf.interest", "YYYY")``): the accrual
    (积数) of every account brought to the end of 30 June, × 1/360 of the annual rate, 四舍五入 to
    the fen, credited to the account. Must run on the business date 30 June."""
    from gazette.store.db import unit_of_work

    with (uow or unit_of_work)() as s:
        d = today(s)
        if d != D.settlement_day(year):
            raise FundError("not_settlement_day", f"结息须在 {year}-06-30 营业日运行",
                            f"interest for {year} is settled on the business date {year}-06-30", field="year",
                            article="第十四条")
        c = rate_index(s, d + dt.timedelta(days=1))

    def process(session: Session, chunk: list[int], ctx) -> dict:
        g = _greatest(session)
        lo = chunk[0]
        p = {"lo": lo, "hi": lo + width, "c": c, "d": d, "den": D.INTEREST_DENOMINATOR, "y": str(year)}
        total = f"(accrual + balance_fen * {g}(:c - accrual_idx, 0))"
        interest = f"((2 * {total} + :den) / (2 * :den))"
        cond = "id >= :lo AND id < :hi AND accrual_idx < :c"
        session.execute(text(f"""
            INSERT INTO pf_movements (account_id, business_date, kind, delta_balance, delta_prepaid, month, ref)
            SELECT id, :d, 'interest', {interest}, 0, NULL, 'interest:' || :y || ':' || CAST(id AS VARCHAR(20))
            FROM pf_accounts WHERE {cond} AND {interest} > 0"""), p)
        session.execute(text(f"""
            UPDATE pf_accounts SET balance_fen = balance_fen + {interest}, accrual = 0, accrual_idx = :c
            WHERE {cond}"""), p)
        amount = session.execute(text("SELECT COALESCE(SUM(delta_balance), 0) FROM pf_movements WHERE kind = 'interest' "
                                      "AND business_date = :d AND account_id >= :lo AND account_id < :hi "
                                      "AND ref LIKE 'interest:%'"), p).scalar()
        if amount:
            ledger(actor).transfer(session, "interest", "members", int(amount), key=ctx.key(lo), business_date=d,
                                   memo=f"{year} 年度结息", run_id=ctx.run_id, data={"clause": clause("第十四条")},
                                   actor=actor)
        return {"interest_fen": int(amount)}

    return _run("pf.interest", str(year), d, width, process, uow=uow, on_progress=on_progress)


def base_floor_run(year: int, *, width: int = DEFAULT_WIDTH, uow=None, actor: str = "system"):
    """第十五条 — at the annual adjustment, every base below the minimum monthly wage in force is
    raised to it (and the monthly amount recomputed, 四舍五入 to the yuan). Run ``("pf.base_floor", year)``."""
    from gazette.store.db import unit_of_work

    with (uow or unit_of_work)() as s:
        d = today(s)
        floor = reference_at(s, "min_wage", d)
        unit = rounding_unit(d)

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        p = {"lo": lo, "hi": lo + width, "f": floor, "den": 10_000 * unit, "u": unit, "d": d, "y": str(year)}
        cond = "id >= :lo AND id < :hi AND status = 'active' AND base_fen < :f AND prepaid_fen = 0"
        session.execute(text(f"""
            INSERT INTO pf_events (account_id, business_date, event, month, detail, ref)
            SELECT id, :d, 'base_raised', NULL, CAST(base_fen AS VARCHAR(20)), 'base_raised:' || :y || ':' ||
              CAST(id AS VARCHAR(20)) FROM pf_accounts WHERE {cond}"""), p)
        n = session.execute(text(f"""
            UPDATE pf_accounts SET base_fen = :f, monthly_fen = ((2 * CAST(:f AS BIGINT) * rate_bp + :den) / (2 * :den)) * :u
            WHERE {cond}"""), p).rowcount
        return {"raised": n}

    return _run("pf.base_floor", str(year), d, width, process, uow=uow, extra={"floor": floor})


# ---------------------------------------------------------------- worker view and reports


def consecutive(session: Session, acc: FundAccount) -> int:
    rows = session.execute(select(Collection.month, Collection.status).where(
        Collection.account_id == acc.id, Collection.month >= acc.due_from, Collection.status != "pending")).all()
    paid = {r.month: r.status == "paid" for r in rows}
    latest = max(paid) if paid else None
    return D.consecutive_months(paid, latest, acc.due_from, carried_months=acc.carried_months,
                                carried_through=acc.carried_through)


def view(session: Session, person_id: str) -> dict:
    """The worker's view: balance, prepaid months, next debit, months counting toward a loan."""
    d = today(session)
    acc = _account(session, person_id, lock=False)
    c = rate_index(session, d)
    accrued = acc.accrual + acc.balance_fen * max(c - acc.accrual_idx, 0)
    nxt = None
    if acc.status == "active":
        nm = D.next_uncovered_month(acc.due_from, _last_row(session, acc.id), acc.prepaid_through)
        if nm <= acc.retire_month:
            nxt = {"month": month_label(nm), "debit_by": (D.month_start(nm + 1) + dt.timedelta(days=9)).isoformat(),
                   "amount_fen": acc.monthly_fen, "amount": fen_to_yuan(acc.monthly_fen), "clause": clause("第十三条")}
    months = consecutive(session, acc)
    from jiaxing.schemes.provident_fund import sanctions

    blocks = sanctions.application_blocks(session, acc, d)
    return {
        "person_id": acc.person_id, "name": acc.name, "status": acc.status, "seal_reason": acc.seal_reason,
        "business_date": d.isoformat(),
        "base": fen_to_yuan(acc.base_fen), "rate": f"{acc.rate_bp / 100:g}%", "monthly": fen_to_yuan(acc.monthly_fen),
        "balance_fen": acc.balance_fen, "balance": fen_to_yuan(acc.balance_fen),
        "prepaid_fen": acc.prepaid_fen, "prepaid": fen_to_yuan(acc.prepaid_fen),
        "prepaid_through": month_label(acc.prepaid_through),
        "accrued_interest_fen": D.interest_fen(accrued), "settlement_year": D.settlement_year(d),
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
    acc = _account(session, person_id, lock=False)
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
    lg = ledger()
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
    members, prepaid = lg.balance(session, "members"), lg.balance(session, "prepaid")
    ver = lg.verify(session)
    tb = lg.trial_balance(session)
    ok = (int(sums[0]) == members and int(sums[1]) == prepaid and bad == 0 and orphans == 0 and ver.ok
          and tb.net_fen == 0)
    return {"ok": ok, "sub_ledger_balance_fen": int(sums[0]), "members_fen": members,
            "sub_ledger_prepaid_fen": int(sums[1]), "prepaid_fen": prepaid, "accounts_off_journal": int(bad), "orphan_rows": int(orphans),
            "ledger_verified": ver.ok, "trial_balance_net_fen": tb.net_fen}


def run_summary(run) -> dict:
    return {"run_type": run.run_type, "period": run.period, "status": run.status, "attempts": run.attempts,
            "already_completed": run.already_completed, "result": run.result}


def iter_accounts(session: Session) -> Iterable[FundAccount]:
    return session.scalars(select(FundAccount).order_by(FundAccount.id))

