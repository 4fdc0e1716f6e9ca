"""REST endpoints for vouchers and enterprise subsidies — thin over the domain services.

Mounted under /api/v1 by the pack. Every state-changing route requires an ``Idempotency-Key``
header (the shared :data:`gazette.api.idempotency.REQUIRED_KEY`) and runs one command of
:mod:`.commands` through the one handler: a repeat from the same caller returns the first result
with ``replayed: true`` and writes nothing; the same key with a different body answers 409
``idempotency_key_reused``. Batch runs are keyed by (run, period) as well: a repeated start
answers the run's first result with ``replayed: true``. Errors are problem+json with stable codes.

Access (docs/access-control.md): set-up, business date and batch runs → city administrator;
a citizen claims, lists and acts on their own vouchers; a district officer reads their own
district only; an auditor reads everything and writes nothing; an enterprise applies for and
confirms its own rewards, which the city administrator reviews, approves and pays. Enforced
here — the domain services know nothing of users.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import bindparam, select
from starlette.concurrency import run_in_threadpool

from gazette import validate
from gazette.api.idempotency import REQUIRED_KEY
from gazette.api.params import RowId
from gazette.auth.audit import log_denial
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.store import aio
from gazette.store.db import unit_of_work
from jiaxing.schemes.vouchers import enterprise as ent
from jiaxing.schemes.vouchers import errors, service
from jiaxing.schemes.vouchers.commands import (
    DeclineOffer,
    LoadEnterprises,
    RejectApplication,
    SetBusinessDate,
    SetUpProgrammes,
    StartReview,
    run,
    run_async,
)
from jiaxing.schemes.vouchers.models import Application, EnterpriseProfile, Voucher
from jiaxing.schemes.vouchers.reconcile import report

router = APIRouter(tags=["vouchers"])

R = Role
ADMIN = require_roles(R.city_admin)
READERS = require_roles(R.district_officer, R.city_admin, R.auditor)
CITIZEN_OR_ADMIN = require_roles(R.citizen, R.city_admin)
ANY_VOUCHER_READER = require_roles(R.citizen, R.district_officer, R.city_admin, R.auditor)
ENTERPRISE_OR_ADMIN = require_roles(R.enterprise, R.city_admin)
APPLICATION_READERS = require_roles(R.enterprise, R.district_officer, R.city_admin, R.auditor)
ENTERPRISE = require_roles(R.enterprise)


class ClaimRequest(BaseModel):
    programme: str = Field(examples=["nev"], description="nev (47号) or appliances (46号)")
    district: str = Field(examples=["南湖区"])
    person_id: str = Field(examples=["330402199001011230"])


class RedeemRequest(BaseModel):
    purchase: dict[str, Any] = Field(
        description="price_yuan (decimal string), date, and the programme's facts "
                    "(nev: new_energy; appliances: category, energy_label); optional invoice",
        examples=[{"price_yuan": "250000.00", "date": "2022-10-08", "new_energy": True}])


class ReasonRequest(BaseModel):
    reason: str | None = None


class RunRequest(BaseModel):
    on: dt.date | None = None


class PaymentRunRequest(BaseModel):
    period: str | None = Field(default=None, description="default: the business date")


class ApplicationRequest(BaseModel):
    enterprise_id: str = Field(examples=["913304001234567890"])
    clause: str = Field(examples=["嘉政办发〔2022〕47号#二"])
    facts: dict[str, Any] = Field(examples=[{"nev_sales_company": True, "nev_show_filed": True,
                                             "nev_show_expense_yuan": "80000"}])
    subject: dict[str, Any] | None = Field(default=None, description="facts of the loan or certification, if the clause needs one")
    evidence: list[str] = Field(default_factory=list)
    on: dt.date | None = None


class RejectRequest(BaseModel):
    reason: str


class BusinessDateRequest(BaseModel):
    date: dt.date


# ------------------------------------------------------------------------------ vouchers


@router.post("/vouchers/setup", summary="Create the programmes and fund every district pool from the policy pack")
def setup(idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    with unit_of_work() as s:
        return run(SetUpProgrammes(idempotency_key=idempotency_key, actor=p.username), s)


@router.post("/vouchers/business-date", summary="Advance the book's business date (营业日)")
def business_date(req: BusinessDateRequest, idempotency_key: str = REQUIRED_KEY,
                  p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    with unit_of_work() as s:
        return run(SetBusinessDate(idempotency_key=idempotency_key, actor=p.username, date=req.date), s)


@router.get("/vouchers/pools", summary="Every district pool: budget, remaining, issued, redeemed")
def pools(programme: str | None = None, p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    """A district officer sees their own district's pools only."""
    with unit_of_work() as s:
        return [row for row in service.pools(s, programme) if p.can_see_district(row["district"])]


@router.get("/vouchers/reconciliation", summary="Reconciliation report per programme and district, with anomalies")
def reconciliation(programme: str | None = None, p: Principal = Depends(READERS)) -> dict[str, Any]:
    """A district officer gets their district's rows and anomalies only (no city-wide totals)."""
    with unit_of_work() as s:
        rep = report(s, programme)
    if p.role == R.district_officer:
        pools = [r for r in rep["pools"] if p.can_see_district(r["district"])]
        anomalies = [a for a in rep["anomalies"] if p.can_see_district(a.get("district"))]
        progs = [{k: v for k, v in prog.items() if k in ("programme", "name", "clause", "window")}
                 for prog in rep["programmes"]]
        rep = {"ok": not anomalies, "programmes": progs, "pools": pools, "anomalies": anomalies, "notes": [],
               "district": p.district}
    return rep


@router.post("/vouchers/claims", summary="Claim a voucher (领券)")
async def claim(req: ClaimRequest, request: Request, idempotency_key: str = REQUIRED_KEY,
                p: Principal = Depends(CITIZEN_OR_ADMIN)) -> dict[str, Any]:
    """A citizen claims for themselves (their own person_id, in the district they choose)."""
    person_id = validate.person_id(req.person_id)
    if p.role == R.citizen and person_id != p.person_id:
        raise await run_in_threadpool(forbid, request, p, "claim for another person", message_zh="只能为本人领券",
                                      message_en="a citizen may claim only for themselves")
    # async: on PostgreSQL one statement awaited on the event loop, its own transaction (hotpath.py) —
    # no worker-thread hop, no batching needed (issue #17)
    return await run_async(service.claim_command(programme=req.programme, district=req.district, person_id=person_id,
                                                 key=idempotency_key, actor=p.username))


@router.post("/vouchers/expiry-runs", summary="Return unused vouchers whose window ended (run keyed by date)")
def expiry_run(req: RunRequest, idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    return _run_summary(service.expire(on=req.on))


def _run_summary(batch_run) -> dict[str, Any]:
    """A run's answer. ``replayed`` follows the commands' rule: true when this start found the run
    already completed and returned its first result."""
    return {"run_id": batch_run.id, "period": batch_run.period, "status": batch_run.status,
            "result": batch_run.result, "already_completed": batch_run.already_completed,
            "replayed": batch_run.already_completed}


@router.get("/vouchers", summary="List vouchers")
def list_vouchers(person_id: str | None = None, programme: str | None = None, district: str | None = None,
                  status: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                  p: Principal = Depends(ANY_VOUCHER_READER)) -> list[dict[str, Any]]:
    """A citizen sees their own vouchers, an officer their district's, admins and auditors all."""
    if person_id is not None:
        person_id = validate.person_id(person_id)
    if p.role == R.citizen:
        if person_id is not None and person_id != p.person_id:
            return []
        person_id = p.person_id or "\x00none"
    elif p.role == R.district_officer:
        if district is not None and district != p.district:
            return []
        district = p.district
    with unit_of_work() as s:
        return service.list_vouchers(s, person_id=person_id, programme=programme, district=district, status=status,
                                     limit=limit)


@router.get("/vouchers/{voucher_id}", summary="One voucher")
def get_voucher(voucher_id: RowId, request: Request, p: Principal = Depends(ANY_VOUCHER_READER)) -> dict[str, Any]:
    with unit_of_work() as s:
        out = service.get_voucher(s, voucher_id)
    _check_voucher(request, p, voucher_id, out["person_id"], out["district"], write=False)
    return out


def _check_voucher(request: Request, p: Principal, voucher_id: int, person_id: str, district: str, *,
                   write: bool) -> None:
    """The owner or the city administrator; officers (read only, own district) and auditors may read.

    Anyone else gets the same 404 as for a voucher that does not exist (logged as a denial), so
    voucher ids cannot be enumerated; an officer or auditor who may read it but not change it gets 403.
    """
    if _owner_or_admin(p, person_id):
        return
    may_read = p.role in (R.district_officer, R.auditor) and p.can_see_district(district)
    if not write and may_read:
        return
    if may_read:
        raise forbid(request, p, f"voucher in {district}")
    log_denial(request, p, "voucher of another person" if p.role == R.citizen else f"voucher in {district}")
    raise errors.voucher_not_found(voucher_id)


def _owner_or_admin(p: Principal, person_id: str) -> bool:
    return p.role == R.city_admin or (p.role == R.citizen and bool(p.person_id) and person_id == p.person_id)


_OWNER = select(Voucher.person_id, Voucher.district).where(Voucher.id == bindparam("vid"))


async def _own_voucher(request: Request, p: Principal, voucher_id: RowId) -> None:
    """Only the owner or the city administrator changes a voucher (:func:`_check_voucher`). The
    voucher's owner is read on the event loop's pool when one is open; a denial (logged) is decided
    in a worker thread. A voucher that does not exist passes: the command answers voucher_not_found."""
    if aio.current() is None:
        return await run_in_threadpool(_own_voucher_in_thread, request, p, voucher_id)
    row = await aio.fetch_one(_OWNER, {"vid": voucher_id})
    if row is None or _owner_or_admin(p, row.person_id):
        return
    await run_in_threadpool(_check_voucher, request, p, voucher_id, row.person_id, row.district, write=True)


def _own_voucher_in_thread(request: Request, p: Principal, voucher_id: RowId) -> None:
    with unit_of_work() as s:
        row = s.execute(_OWNER, {"vid": voucher_id}).first()
    if row is not None:
        _check_voucher(request, p, voucher_id, row.person_id, row.district, write=True)


# Redeem, cancel and refund run as the claim does: on the event loop when its pool is open
# (PostgreSQL, a running server), each its own transaction (hotpath.py).


@router.post("/vouchers/{voucher_id}/redeem", summary="Redeem against a purchase (核销): the engine decides the face value")
async def redeem(voucher_id: RowId, req: RedeemRequest, request: Request, idempotency_key: str = REQUIRED_KEY,
                 p: Principal = Depends(CITIZEN_OR_ADMIN)) -> dict[str, Any]:
    await _own_voucher(request, p, voucher_id)
    return await run_async(service.redeem_command(voucher_id=voucher_id, purchase=req.purchase, key=idempotency_key,
                                                  actor=p.username))


@router.post("/vouchers/{voucher_id}/cancel", summary="Cancel an unused voucher (退券)")
async def cancel(voucher_id: RowId, request: Request, req: ReasonRequest | None = None,
                 idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(CITIZEN_OR_ADMIN)) -> dict[str, Any]:
    await _own_voucher(request, p, voucher_id)
    return await run_async(service.cancel_command(voucher_id=voucher_id, reason=req.reason if req else None,
                                                  key=idempotency_key, actor=p.username))


@router.post("/vouchers/{voucher_id}/refund", summary="A redeemed purchase was returned (退货)")
async def refund(voucher_id: RowId, request: Request, req: ReasonRequest | None = None,
                 idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(CITIZEN_OR_ADMIN)) -> dict[str, Any]:
    await _own_voucher(request, p, voucher_id)
    return await run_async(service.refund_command(voucher_id=voucher_id, reason=req.reason if req else None,
                                                  key=idempotency_key, actor=p.username))


# ------------------------------------------------------------------------------ enterprises


@router.post("/enterprises", summary="Load enterprise data (for 免申即享)", tags=["applications"])
def load_enterprises(records: list[dict[str, Any]], idempotency_key: str = REQUIRED_KEY,
                     p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    with unit_of_work() as s:
        return run(LoadEnterprises(idempotency_key=idempotency_key, actor=p.username, records=records), s)


@router.get("/applications/clauses", summary="Enterprise clauses one can apply for", tags=["applications"])
def clauses() -> list[dict[str, Any]]:
    return [{"clause": rid, "title_zh": r.title_zh, "title_en": r.title_en, "entity": r.entity,
             "award_group": ent.award_group(r)} for rid, r in sorted(ent.clauses().items())]


@router.post("/applications", summary="Apply for one enterprise clause; the engine computes the amount", tags=["applications"])
def submit(req: ApplicationRequest, request: Request, idempotency_key: str = REQUIRED_KEY,
           p: Principal = Depends(ENTERPRISE_OR_ADMIN)) -> dict[str, Any]:
    enterprise_id = validate.enterprise_id(req.enterprise_id)
    if p.role == R.enterprise and enterprise_id != p.enterprise_id:
        raise forbid(request, p, "application for another enterprise", message_zh="只能为本企业申请",
                     message_en="an enterprise may apply only for itself")
    with unit_of_work() as s:
        return ent.submit(s, enterprise_id=enterprise_id, clause=req.clause, facts=req.facts, subject=req.subject,
                          evidence=req.evidence, on=req.on, key=idempotency_key, actor=p.username)


@router.get("/applications", summary="List applications and offers", tags=["applications"])
def list_applications(enterprise_id: str | None = None, status: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                      p: Principal = Depends(APPLICATION_READERS)) -> list[dict[str, Any]]:
    """An enterprise sees its own, an officer those of enterprises in their district, admins and auditors all."""
    if enterprise_id is not None:
        enterprise_id = validate.enterprise_id(enterprise_id)
    if p.role == R.enterprise:
        if enterprise_id is not None and enterprise_id != p.enterprise_id:
            return []
        enterprise_id = p.enterprise_id or "\x00none"
    with unit_of_work() as s:
        rows = ent.list_applications(s, enterprise_id=enterprise_id, status=status,
                                     limit=1000 if p.role == R.district_officer else limit)
        if p.role == R.district_officer:
            districts = _districts(s, {r["enterprise_id"] for r in rows})
            rows = [r for r in rows if p.can_see_district(districts.get(r["enterprise_id"]))][:limit]
        return rows


def _districts(s, enterprise_ids: set[str]) -> dict[str, str | None]:
    if not enterprise_ids:
        return {}
    return dict(s.execute(select(EnterpriseProfile.id, EnterpriseProfile.district)
                          .where(EnterpriseProfile.id.in_(sorted(enterprise_ids)))).all())


def _check_application(request: Request, p: Principal, application_id: RowId, *, write: bool) -> None:
    """The enterprise itself (or, reading: admins, auditors, officers of the enterprise's district)."""
    with unit_of_work() as s:
        a = s.get(Application, application_id)
        if a is None:
            return  # the service answers application_not_found
        eid = a.enterprise_id
        district = _districts(s, {eid}).get(eid) if p.role == R.district_officer else None
    if p.role == R.enterprise and p.enterprise_id and eid == p.enterprise_id:
        return
    may_read = p.role in (R.city_admin, R.auditor) or (p.role == R.district_officer and p.can_see_district(district))
    if not write and may_read:
        return
    reason = "application of another enterprise" if p.role == R.enterprise else f"application of {eid}"
    if may_read:
        raise forbid(request, p, reason)
    log_denial(request, p, reason)  # as for a missing one: ids cannot be enumerated
    raise errors.application_not_found(application_id)


@router.post("/applications/payment-runs", summary="Pay every approved application (run keyed by period)",
             tags=["applications"])
def payment_run(req: PaymentRunRequest, idempotency_key: str = REQUIRED_KEY,
                p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    return _run_summary(ent.payment_run(period=req.period))


@router.post("/applications/no-apply-runs", summary="免申即享: offer every eligible enterprise its reward",
             tags=["applications"])
def no_apply_run(req: RunRequest, idempotency_key: str = REQUIRED_KEY,
                 p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    return _run_summary(ent.no_apply_run(on=req.on))


@router.get("/applications/{application_id}", summary="One application with its explanation", tags=["applications"])
def get_application(application_id: RowId, request: Request,
                    p: Principal = Depends(APPLICATION_READERS)) -> dict[str, Any]:
    _check_application(request, p, application_id, write=False)
    with unit_of_work() as s:
        return ent.get_application(s, application_id)


@router.post("/applications/{application_id}/review", summary="Start the review (受理)", tags=["applications"])
def review(application_id: RowId, idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    with unit_of_work() as s:
        return run(StartReview(idempotency_key=idempotency_key, actor=p.username, application_id=application_id), s)


@router.post("/applications/{application_id}/approve", summary="Approve (核定): the amount becomes payable",
             tags=["applications"])
def approve(application_id: RowId, idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.approve(s, application_id=application_id, key=idempotency_key, actor=p.username)


@router.post("/applications/{application_id}/reject", summary="Reject with a reason (驳回)", tags=["applications"])
def reject(application_id: RowId, req: RejectRequest, idempotency_key: str = REQUIRED_KEY,
           p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    with unit_of_work() as s:
        return run(RejectApplication(idempotency_key=idempotency_key, actor=p.username, application_id=application_id,
                                     reason=req.reason), s)


@router.post("/applications/{application_id}/confirm", summary="免申即享: the enterprise confirms the offer",
             tags=["applications"])
def confirm(application_id: RowId, request: Request, idempotency_key: str = REQUIRED_KEY,
            p: Principal = Depends(ENTERPRISE)) -> dict[str, Any]:
    _check_application(request, p, application_id, write=True)
    with unit_of_work() as s:
        return ent.confirm(s, application_id=application_id, key=idempotency_key, actor=p.username)


@router.post("/applications/{application_id}/decline", summary="免申即享: the enterprise declines the offer",
             tags=["applications"])
def decline(application_id: RowId, request: Request, idempotency_key: str = REQUIRED_KEY,
            p: Principal = Depends(ENTERPRISE)) -> dict[str, Any]:
    _check_application(request, p, application_id, write=True)
    with unit_of_work() as s:
        return run(DeclineOffer(idempotency_key=idempotency_key, actor=p.username, application_id=application_id), s)


@router.post("/applications/{application_id}/pay", summary="Pay one approved application (拨付)", tags=["applications"])
def pay(application_id: RowId, idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(ADMIN)) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.pay(s, application_id=application_id, key=idempotency_key, actor=p.username)
