"""``/api/v1/fund/…`` — the provident fund over HTTP (thin over :mod:`.service`).

Money in yuan strings at the edge; errors are problem+json (the app's GazetteError handler).
Every state-changing route requires an ``Idempotency-Key`` header. One rule for a repeat: the same
key from the same caller returns the first answer, with the first status and ``replayed: true``,
and writes nothing (commands through :mod:`.command_runner`; batch runs are keyed by (run, period)
as well, and a repeated start answers the run's first result with ``replayed: true``).

Access (docs/access-control.md): the quote is public; a worker opens, reads and acts on their own
account (person_id of their login); the city administrator may act on any account and alone runs
batches, imports bank results and sets reference data; the auditor reads everything and writes
nothing. Enforced here, not in the service.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from gazette.api.idempotency import IdempotencyKey
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.errors import InvalidInput
from gazette.ledger.money import fen_to_yuan, yuan_to_fen
from gazette.store.db import unit_of_work
from gazette.validate import person_id as canonical
from jiaxing.schemes.provident_fund import domain, sanctions, service
from jiaxing.schemes.provident_fund.domain import Applicant, parse_month

router = APIRouter(prefix="/fund", tags=["provident fund"])

ADMIN = require_roles(Role.city_admin)
READERS = require_roles(Role.city_admin, Role.auditor)
OWNER_OR_ADMIN = require_roles(Role.citizen, Role.city_admin)
OWNER_ADMIN_AUDITOR = require_roles(Role.citizen, Role.city_admin, Role.auditor)


Key = IdempotencyKey  # the one required Idempotency-Key of every scheme (gazette.api.idempotency)


def _own(request: Request, p: Principal, person_id: str) -> str:
    """A citizen only for their own person_id; the administrator and (reading) the auditor for anyone.
    Returns the canonical ID number (gazette.validate.person_id): one spelling per person."""
    person_id = canonical(person_id)
    if p.role == Role.citizen and (not p.person_id or person_id != p.person_id):
        raise forbid(request, p, "fund account of another person", message_zh="只能查看或办理本人的公积金账户",
                     message_en="a worker may see or act on their own account only")
    return person_id


def _uow():
    return unit_of_work()


def _fen(value: str, field: str) -> int:
    try:
        return yuan_to_fen(value)
    except Exception:
        raise InvalidInput(f"金额格式错误：{value}", f"malformed amount (yuan): {value}", field=field) from None


class TransferInBody(BaseModel):
    amount: str = Field("0", description="balance moved in (yuan)")
    months: int = Field(0, ge=0, description="consecutive months paid at the previous account")
    through: str = Field(description="last paid month there, YYYY-MM")


class OpenBody(BaseModel):
    person_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    sex: str = Field(description="male | female")
    birth_date: dt.date
    base: str = Field(description="缴存基数 in yuan", examples=["5000.00"])
    rate: str = Field(description="缴存比例: 12, 12% or 0.12", examples=["12"])
    flexible_pension: bool = True
    stable_residence_income: bool = True
    full_capacity: bool = True
    transfer_in: TransferInBody | None = None


class PrepayBody(BaseModel):
    through: str = Field(description="last month prepaid, YYYY-MM (≤ June of the current settlement year)")
    from_month: str | None = None


class AdjustBody(BaseModel):
    base: str
    rate: str


class LoanBody(BaseModel):
    outstanding: bool


class RestrictionBody(BaseModel):
    until: dt.date = Field(description="last restricted day (第二十二条: the centre decides the period)")
    reason: str = Field(min_length=1, max_length=2000, examples=["提供伪造的购房合同申请提取"])


class RecallBody(BaseModel):
    recovered: bool = Field(description="第二十三条: the loan was recovered within the time limit")


class BankFileBody(BaseModel):
    import_id: str = Field(min_length=1, max_length=100)
    content: str = Field(description="CSV lines ref,amount_yuan,ok|failed")


class ReferenceBody(BaseModel):
    kind: str = Field(description="min_wage | avg_wage (value in yuan) | deposit_rate (value in ppm per year)")
    start: dt.date
    value: str
    source: str
    demo: bool = False


@router.get("/quote")
def quote(base: str, rate: str, on: dt.date | None = None) -> dict:
    """月缴存额试算（第十一、十二条）: the monthly amount for a base and a rate, with the bounds."""
    with _uow() as s:
        day = on or service.today(s)
        b = service.bounds(s, day)
    base_fen = domain.check_base(_fen(base, "base"), b)
    rate_bp = domain.check_rate(domain.parse_rate(rate))
    m = domain.monthly_amount(base_fen, rate_bp, service.rounding_unit(day))
    return {"monthly": fen_to_yuan(m), "monthly_fen": m, "base_min": fen_to_yuan(b.min_wage_fen),
            "base_max": fen_to_yuan(b.ceiling_fen), "rate_min": "10%", "rate_max": "24%",
            "clauses": [domain.clause("第十一条"), domain.clause("第十二条")]}


@router.post("/accounts", status_code=201)
def open_account(body: OpenBody, request: Request, p: Annotated[Principal, Depends(OWNER_OR_ADMIN)], key: Key) -> dict:
    pid = _own(request, p, body.person_id)
    moved_in = None
    if body.transfer_in is not None:
        moved_in = service.TransferIn(_fen(body.transfer_in.amount, "transfer_in.amount"), body.transfer_in.months,
                                      parse_month(body.transfer_in.through, "transfer_in.through"))
    applicant = Applicant(pid, body.name, body.sex, body.birth_date, body.flexible_pension,
                          body.stable_residence_income, body.full_capacity)
    with _uow() as s:
        return service.open_account(s, applicant, _fen(body.base, "base"), body.rate, transfer_in=moved_in, key=key,
                                    actor=p.username)


@router.get("/accounts/{person_id}")
def account(person_id: str, request: Request, p: Principal = Depends(OWNER_ADMIN_AUDITOR)) -> dict:
    """The worker's view: balance, prepaid months, next debit, months counting toward a loan."""
    person_id = _own(request, p, person_id)
    with _uow() as s:
        return service.view(s, person_id)


@router.get("/accounts/{person_id}/statement")
def statement(person_id: str, request: Request, start: dt.date | None = None, end: dt.date | None = None,
              p: Principal = Depends(OWNER_ADMIN_AUDITOR)) -> dict:
    person_id = _own(request, p, person_id)
    with _uow() as s:
        return service.statement(s, person_id, start, end)


@router.post("/accounts/{person_id}/prepay")
def prepay(person_id: str, body: PrepayBody, request: Request, p: Annotated[Principal, Depends(OWNER_OR_ADMIN)],
           key: Key) -> dict:
    person_id = _own(request, p, person_id)
    with _uow() as s:
        return service.prepay(s, person_id, body.through, from_month=body.from_month, key=key,
                              actor=p.username)


@router.post("/accounts/{person_id}/stop")
def stop(person_id: str, request: Request, p: Annotated[Principal, Depends(OWNER_OR_ADMIN)], key: Key) -> dict:
    person_id = _own(request, p, person_id)
    with _uow() as s:
        return service.stop(s, person_id, key=key, actor=p.username)


@router.post("/accounts/{person_id}/unseal")
def unseal(person_id: str, request: Request, p: Annotated[Principal, Depends(OWNER_OR_ADMIN)], key: Key) -> dict:
    person_id = _own(request, p, person_id)
    with _uow() as s:
        return service.unseal(s, person_id, key=key, actor=p.username)


@router.post("/accounts/{person_id}/transfer-out")
def transfer_out(person_id: str, request: Request, p: Annotated[Principal, Depends(OWNER_OR_ADMIN)], key: Key) -> dict:
    person_id = _own(request, p, person_id)
    with _uow() as s:
        return service.transfer_out(s, person_id, key=key, actor=p.username)


@router.put("/accounts/{person_id}/loan")
def loan(person_id: str, body: LoanBody, p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    with _uow() as s:
        return service.set_loan(s, person_id, body.outstanding, key=key, actor=p.username)


@router.post("/accounts/{person_id}/restrictions", status_code=201)
def restrict(person_id: str, body: RestrictionBody, p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    """第二十二条 — restrict withdrawal and loan applications (repaying a loan excepted) until a date."""
    with _uow() as s:
        return sanctions.restrict(s, person_id, body.until, body.reason, key=key, actor=p.username)


@router.post("/accounts/{person_id}/loan-recall")
def loan_recall(person_id: str, body: RecallBody, p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    """第二十三条 — the outcome of a loan recall opened by the arrears run (not recovered → raised rate)."""
    with _uow() as s:
        return sanctions.resolve_recall(s, person_id, body.recovered, key=key, actor=p.username)


@router.get("/accounts/{person_id}/sanctions")
def account_sanctions(person_id: str, p: Principal = Depends(READERS)) -> list[dict]:
    with _uow() as s:
        return sanctions.list_for(s, person_id)


@router.post("/accounts/{person_id}/adjust")
def adjust(person_id: str, body: AdjustBody, request: Request, p: Annotated[Principal, Depends(OWNER_OR_ADMIN)],
           key: Key) -> dict:
    person_id = _own(request, p, person_id)
    with _uow() as s:
        return service.adjust(s, person_id, _fen(body.base, "base"), body.rate, key=key, actor=p.username)


@router.post("/runs/collection/{month}")
def run_collection(month: str, p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    return service.run_summary(service.monthly_collection(month))


@router.post("/runs/arrears/{month}")
def run_arrears(month: str, p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    return service.run_summary(service.arrears_run(month))


@router.post("/runs/interest/{year}")
def run_interest(year: Annotated[int, Path(ge=1990, le=2999, description="settlement year")],
                 p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    return service.run_summary(service.interest_run(year))


@router.post("/bank-results")
def bank_results(body: BankFileBody, p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    return service.run_summary(service.import_bank_results(body.import_id, service.parse_bank_file(body.content)))


@router.get("/exceptions")
def exceptions(kind: str | None = None, limit: int = 100, p: Principal = Depends(READERS)) -> list[dict]:
    with _uow() as s:
        return service.exceptions(s, kind, min(max(limit, 1), 10_000))


@router.get("/reconcile")
def reconcile(p: Principal = Depends(READERS)) -> dict:
    with _uow() as s:
        return service.reconcile(s)


@router.get("/reference")
def reference(p: Principal = Depends(READERS)) -> list[dict]:
    with _uow() as s:
        return service.list_reference(s)


@router.put("/reference")
def set_reference(body: ReferenceBody, p: Annotated[Principal, Depends(ADMIN)], key: Key) -> dict:
    if body.kind == "deposit_rate":
        if not body.value.isdigit():
            raise InvalidInput("存款利率以年百万分之一（ppm）的整数表示，如 15000 = 1.50%",
                               "deposit_rate is an integer in ppm per year, e.g. 15000 = 1.50%", field="value")
        value = int(body.value)
    else:
        value = _fen(body.value, "value")
    with _uow() as s:
        return service.set_reference(s, body.kind, body.start, value, body.source, demo=body.demo, key=key,
                                     actor=p.username)
