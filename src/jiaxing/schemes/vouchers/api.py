"""REST endpoints for vouchers and enterprise subsidies — thin over the domain services.

Mounted under /api/v1 by the pack. Money commands need an ``Idempotency-Key`` header: a repeat
returns the first result (``replayed: true``); the same key with a different body answers 409
``idempotency_key_reused``. Errors are problem+json with stable codes.
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query
from pydantic import BaseModel, Field

from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.vouchers import enterprise as ent
from jiaxing.schemes.vouchers import service
from jiaxing.schemes.vouchers.reconcile import report

router = APIRouter(tags=["vouchers"])
Key = Annotated[str | None, Header(alias="Idempotency-Key", description="idempotency key of this money command")]


def _key(key: str | None) -> str:
    if not key:
        raise GazetteError("idempotency_key_required", "资金操作必须提供 Idempotency-Key 请求头",
                           "money commands need an Idempotency-Key header", "Idempotency-Key", 422)
    return key


class ClaimRequest(BaseModel):
    programme: str = Field(examples=["nev"], description="nev (47号) or appliances (46号)")
    district: str = Field(examples=["南湖区"])
    person_id: str = Field(examples=["330402199001011234"])


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
def setup() -> dict[str, Any]:
    with unit_of_work() as s:
        return service.setup(s)


@router.post("/vouchers/business-date", summary="Advance the book's business date (营业日)")
def business_date(req: BusinessDateRequest) -> dict[str, Any]:
    with unit_of_work() as s:
        return {"business_date": service.set_business_date(s, req.date, actor="operator").isoformat()}


@router.get("/vouchers/pools", summary="Every district pool: budget, remaining, issued, redeemed")
def pools(programme: str | None = None) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return service.pools(s, programme)


@router.get("/vouchers/reconciliation", summary="Reconciliation report per programme and district, with anomalies")
def reconciliation(programme: str | None = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return report(s, programme)


_batcher = None
_batcher_lock = threading.Lock()


def _claims():
    """Concurrent claim requests share transactions (group commit, see batch.py): one pool lock per
    batch instead of one per claim. Each request still gets exactly the result ``claim`` would give."""
    global _batcher
    with _batcher_lock:
        if _batcher is None:
            from jiaxing.schemes.vouchers.batch import ClaimBatcher

            _batcher = ClaimBatcher(unit_of_work)
        return _batcher


@router.post("/vouchers/claims", summary="Claim a voucher (领券)")
def claim(req: ClaimRequest, idempotency_key: Key = None) -> dict[str, Any]:
    return _claims().claim(programme=req.programme, district=req.district, person_id=req.person_id,
                           key=_key(idempotency_key))


@router.post("/vouchers/expiry-runs", summary="Return unused vouchers whose window ended (run keyed by date)")
def expiry_run(req: RunRequest) -> dict[str, Any]:
    run = service.expire(on=req.on)
    return {"run_id": run.id, "period": run.period, "status": run.status, "result": run.result,
            "already_completed": run.already_completed}


@router.get("/vouchers", summary="List vouchers")
def list_vouchers(person_id: str | None = None, programme: str | None = None, district: str | None = None,
                  status: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return service.list_vouchers(s, person_id=person_id, programme=programme, district=district, status=status,
                                     limit=limit)


@router.get("/vouchers/{voucher_id}", summary="One voucher")
def get_voucher(voucher_id: int) -> dict[str, Any]:
    with unit_of_work() as s:
        return service.get_voucher(s, voucher_id)


@router.post("/vouchers/{voucher_id}/redeem", summary="Redeem against a purchase (核销): the engine decides the face value")
def redeem(voucher_id: int, req: RedeemRequest, idempotency_key: Key = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return service.redeem(s, voucher_id=voucher_id, purchase=req.purchase, key=_key(idempotency_key))


@router.post("/vouchers/{voucher_id}/cancel", summary="Cancel an unused voucher (退券)")
def cancel(voucher_id: int, req: ReasonRequest | None = None, idempotency_key: Key = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return service.cancel(s, voucher_id=voucher_id, reason=req.reason if req else None, key=_key(idempotency_key))


@router.post("/vouchers/{voucher_id}/refund", summary="A redeemed purchase was returned (退货)")
def refund(voucher_id: int, req: ReasonRequest | None = None, idempotency_key: Key = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return service.refund(s, voucher_id=voucher_id, reason=req.reason if req else None, key=_key(idempotency_key))


# ------------------------------------------------------------------------------ enterprises


@router.post("/enterprises", summary="Load enterprise data (for 免申即享)", tags=["applications"])
def load_enterprises(records: list[dict[str, Any]]) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.load_enterprises(s, records, actor="operator")


@router.get("/applications/clauses", summary="Enterprise clauses one can apply for", tags=["applications"])
def clauses() -> list[dict[str, Any]]:
    return [{"clause": rid, "title_zh": r.title_zh, "title_en": r.title_en, "entity": r.entity,
             "award_group": ent.award_group(r)} for rid, r in sorted(ent.clauses().items())]


@router.post("/applications", summary="Apply for one enterprise clause; the engine computes the amount", tags=["applications"])
def submit(req: ApplicationRequest, idempotency_key: Key = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.submit(s, enterprise_id=req.enterprise_id, clause=req.clause, facts=req.facts, subject=req.subject,
                          evidence=req.evidence, on=req.on, key=_key(idempotency_key))


@router.get("/applications", summary="List applications and offers", tags=["applications"])
def list_applications(enterprise_id: str | None = None, status: str | None = None,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return ent.list_applications(s, enterprise_id=enterprise_id, status=status, limit=limit)


@router.post("/applications/payment-runs", summary="Pay every approved application (run keyed by period)",
             tags=["applications"])
def payment_run(req: PaymentRunRequest) -> dict[str, Any]:
    run = ent.payment_run(period=req.period)
    return {"run_id": run.id, "period": run.period, "status": run.status, "result": run.result,
            "already_completed": run.already_completed}


@router.post("/applications/no-apply-runs", summary="免申即享: offer every eligible enterprise its reward",
             tags=["applications"])
def no_apply_run(req: RunRequest) -> dict[str, Any]:
    run = ent.no_apply_run(on=req.on)
    return {"run_id": run.id, "period": run.period, "status": run.status, "result": run.result,
            "already_completed": run.already_completed}


@router.get("/applications/{application_id}", summary="One application with its explanation", tags=["applications"])
def get_application(application_id: int) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.get_application(s, application_id)


@router.post("/applications/{application_id}/review", summary="Start the review (受理)", tags=["applications"])
def review(application_id: int) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.start_review(s, application_id=application_id)


@router.post("/applications/{application_id}/approve", summary="Approve (核定): the amount becomes payable",
             tags=["applications"])
def approve(application_id: int, idempotency_key: Key = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.approve(s, application_id=application_id, key=_key(idempotency_key))


@router.post("/applications/{application_id}/reject", summary="Reject with a reason (驳回)", tags=["applications"])
def reject(application_id: int, req: RejectRequest) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.reject(s, application_id=application_id, reason=req.reason)


@router.post("/applications/{application_id}/confirm", summary="免申即享: the enterprise confirms the offer",
             tags=["applications"])
def confirm(application_id: int, idempotency_key: Key = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.confirm(s, application_id=application_id, key=_key(idempotency_key))


@router.post("/applications/{application_id}/decline", summary="免申即享: the enterprise declines the offer",
             tags=["applications"])
def decline(application_id: int) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.decline(s, application_id=application_id)


@router.post("/applications/{application_id}/pay", summary="Pay one approved application (拨付)", tags=["applications"])
def pay(application_id: int, idempotency_key: Key = None) -> dict[str, Any]:
    with unit_of_work() as s:
        return ent.pay(s, application_id=application_id, key=_key(idempotency_key))
