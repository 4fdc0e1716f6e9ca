"""``/api/v1/ltc/care/…`` — the care half over HTTP (thin over :mod:`.care.service` and :mod:`.care.queries`).

Access: provider staff (护理机构工作人员, their own provider in ``Principal.unit``) register caregivers,
choose plans with the person and record institutional days; a caregiver checks in and out; the
medical-insurance officer (医保经办人员, district-scoped) runs settlement, payment and screening and
decides the findings of their district; a citizen reads their own statement and rates their visits;
the auditor reads everything and writes nothing. Every state change takes an ``Idempotency-Key``
header (a repeat returns the first result); runs are keyed by (run, month) besides.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, Field
from sqlalchemy import text

from gazette import validate
from gazette.api.idempotency import REQUIRED_KEY
from gazette.api.params import RowId
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.errors import Forbidden, NotFound
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc.care import catalogue, queries, service, settlement, violations
from jiaxing.schemes.ltc.care import service as care_service

router = APIRouter(prefix="/care")

STAFF = require_roles(Role.provider_staff, Role.insurance_officer)
CAREGIVER = require_roles(Role.caregiver)
OFFICER = require_roles(Role.insurance_officer)
READERS = require_roles(Role.insurance_officer, Role.auditor)
PROVIDER_READERS = require_roles(Role.provider_staff, Role.insurance_officer, Role.auditor)
STATEMENT_READERS = require_roles(Role.citizen, Role.insurance_officer, Role.auditor)
CITIZEN = require_roles(Role.citizen)
Month = Annotated[str, PathParam(min_length=7, max_length=7, description="YYYY-MM")]



def _district(p: Principal) -> str | None:
    return None if p.role in (Role.city_admin, Role.auditor) else p.district


class PlanBody(BaseModel):
    person_id: str = Field(max_length=40)
    provider: str = Field(max_length=40, description="provider code")
    starts_on: str = Field(max_length=10, examples=["2023-01-01"])
    items: list[str] = Field(max_length=60, examples=[["S01", "M01"]])


class CaregiverBody(BaseModel):
    provider: str = Field(max_length=40)
    name: str = Field(max_length=100)
    certificate: str = Field(max_length=60)


class CheckInBody(BaseModel):
    person_id: str = Field(max_length=40)
    at: str = Field(max_length=40, examples=["2023-01-05T09:00"])
    lat: str | None = Field(None, max_length=20, examples=["30.750100"])
    lon: str | None = Field(None, max_length=20, examples=["120.750050"])
    face: str | None = Field(None, max_length=10, description="pass | fail")


class CheckOutBody(BaseModel):
    at: str = Field(max_length=40)
    items: list[str] = Field(max_length=60)


class DayBody(BaseModel):
    person_id: str = Field(max_length=40)
    day: str = Field(max_length=10)
    items: list[str] = Field(max_length=60)


class DecisionBody(BaseModel):
    decision: str = Field(max_length=10, description="confirm | dismiss")
    note: str = Field("", max_length=500)


class CorrectionBody(BaseModel):
    provider: str = Field(max_length=40, description="provider code")
    month: str = Field(max_length=7, description="the care month of the paid claim, YYYY-MM")
    amount: str = Field(max_length=20, description="yuan; positive: owed to the provider, negative: recovered",
                        examples=["-120.50"])
    reason: str = Field(max_length=500)
    clause: str = Field(max_length=100, examples=["嘉政发〔2022〕21号#一.（二）"])


class RatingBody(BaseModel):
    stars: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500)


def _own_provider(request: Request, p: Principal, provider_code: str) -> None:
    if p.role == Role.provider_staff and (p.unit or "") != provider_code:
        raise forbid(request, p, "provider staff of another provider")


@router.get("/catalogue", summary="The service catalogue in force on a date (DEMO catalogue)")
def catalogue_on(on: str = "2023-01-01") -> dict[str, Any]:
    with unit_of_work() as s:
        items = catalogue.items_on(s, validate.date(on, "on"))
    return {"on": on, "note": catalogue.SOURCE, "items": [{"code": c, **{k: v for k, v in i.items() if k != "code"}}
                                                         for c, i in items.items()]}


@router.get("/providers", summary="Designated providers with stars and items, for choosing (三.（二）.7)")
def providers(district: str | None = None) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return queries.providers_for_choosing(s, district)


@router.post("/caregivers", status_code=201, summary="Register a certified caregiver")
def caregiver(body: CaregiverBody, request: Request, key: str = REQUIRED_KEY, p: Principal = Depends(STAFF)) -> dict:
    _own_provider(request, p, body.provider)
    return service.register_caregiver(body.model_dump(), key=key, actor=p.username)


@router.post("/plans", status_code=201, summary="Choose the care type, provider and items of a care plan")
def plan(body: PlanBody, request: Request, key: str = REQUIRED_KEY, p: Principal = Depends(STAFF)) -> dict:
    _own_provider(request, p, body.provider)
    return service.choose_plan(body.model_dump(), key=key, actor=p.username)


@router.post("/visits/checkin", status_code=201, summary="Check in to a home visit (time, position, face check)")
def check_in(body: CheckInBody, key: str = REQUIRED_KEY, p: Principal = Depends(CAREGIVER)) -> dict:
    return service.check_in({**body.model_dump(), "certificate": _certificate(p)}, key=key, actor=p.username)


def _certificate(p: Principal) -> str:
    """The caregiver's certificate, which their account carries as its unit."""
    if not p.unit:
        raise Forbidden("护理员账号未绑定证书编号", "this caregiver account has no certificate", field="unit",
                        code="caregiver_without_certificate")
    return p.unit


@router.post("/visits/{visit_id}/checkout", summary="Check out of a home visit with the items done")
def check_out(visit_id: RowId, body: CheckOutBody, key: str = REQUIRED_KEY, p: Principal = Depends(CAREGIVER)) -> dict:
    return service.check_out({**body.model_dump(), "visit_id": visit_id, "certificate": _certificate(p)}, key=key,
                             actor=p.username)


@router.post("/visits/day", status_code=201, summary="Record a day of institutional care")
def day(body: DayBody, key: str = REQUIRED_KEY, p: Principal = Depends(STAFF)) -> dict:
    return service.record_day(body.model_dump(), key=key, actor=p.username)


@router.post("/visits/{visit_id}/rating", status_code=201, summary="Rate a visit (the person cared for)")
def rating(visit_id: RowId, body: RatingBody, key: str = REQUIRED_KEY, p: Principal = Depends(CITIZEN)) -> dict:
    return service.rate({**body.model_dump(), "visit_id": visit_id, "person_id": p.person_id}, key=key,
                        actor=p.username)


def _summary(run) -> dict:
    return {"run_type": run.run_type, "period": run.period, "status": run.status, "attempts": run.attempts,
            "already_completed": run.already_completed, **(run.result or {})}


@router.post("/settlements/{month}", summary="Settle a month (一.（二）); idempotent per (provider, month)")
def settle(month: Month, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict:
    return _summary(settlement.settle(validate.month(month), actor=p.username))


@router.post("/payments/{month}", summary="Pay the settled claims up to a month")
def pay(month: Month, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict:
    return _summary(settlement.pay(validate.month(month), actor=p.username))


@router.post("/screenings/{month}", summary="Screen a month against the rule library (三.（四）.12)")
def screen(month: Month, key: str = REQUIRED_KEY, seed: int | None = None, p: Principal = Depends(OFFICER)) -> dict:
    return _summary(violations.screen(validate.month(month), seed=seed, actor=p.username))


@router.get("/findings", summary="Findings waiting for review (the officer's district)")
def findings(p: Principal = Depends(READERS)) -> dict:
    with unit_of_work() as s:
        return queries.review_queue(s, _district(p))


@router.post("/findings/{finding_id}/decision", summary="Confirm or dismiss a finding")
def decide(finding_id: RowId, body: DecisionBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict:
    return service.decide({**body.model_dump(), "finding_id": finding_id}, key=key, actor=p.username,
                          district=_district(p))


@router.post("/corrections", status_code=201,
             summary="Correct a paid claim: a new ledger entry, paid or recovered by the next payment (D-LTC-C3)")
def correct(body: CorrectionBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict:
    return care_service.correct(body.model_dump(), key=key, actor=p.username, district=_district(p))


@router.get("/statements/{person_id}", summary="A person's statement: cost, limit, fund, own share")
def statement(person_id: str, request: Request, p: Principal = Depends(STATEMENT_READERS)) -> dict:
    pid = validate.person_id(person_id)
    if p.role == Role.citizen and p.person_id != pid:
        raise forbid(request, p, "another person's statement")
    with unit_of_work() as s:
        out = queries.statement(s, pid)
        if p.role == Role.insurance_officer and p.district:
            d = s.execute(text("SELECT district FROM ltc_beneficiaries WHERE person_id = :p"), {"p": pid}).scalar()
            if d is not None and d != p.district:  # another district's person: as if there were none
                raise NotFound("护理计划或结算记录", pid, field="person_id", what_en="care plan or settlement")
    return out


@router.get("/providers/{provider_id}", summary="A provider's claims, findings and ratings")
def provider(provider_id: RowId, request: Request, p: Principal = Depends(PROVIDER_READERS)) -> dict:
    with unit_of_work() as s:
        out = queries.provider_view(s, provider_id)
    if p.role == Role.provider_staff and (p.unit or "") != out["provider"]["code"]:
        raise forbid(request, p, "another provider's claims")
    return out
