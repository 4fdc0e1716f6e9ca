"""``/api/v1/pension/…`` — the resident basic pension over HTTP (thin over the scheme).

Access: the pension officer (社保经办人员) enrols, records contributions and deaths, proposes and
submits adjustments and runs payroll, top-up and bank files; the approver (审批人, the 市政府同意
step) approves or rejects adjustments; a citizen reads their own statement; the auditor reads
everything and writes nothing. Every state-changing route takes an ``Idempotency-Key`` header
(commands replay the first result; runs are keyed by (run, period) as well).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, UploadFile
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from gazette import validate
from gazette.api.idempotency import REQUIRED_KEY
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.store.db import unit_of_work
from jiaxing.schemes.resident_pension import adjustment, service, views
from jiaxing.schemes.resident_pension import bank as bank_files
from jiaxing.schemes.resident_pension import payroll as payroll_runs
from jiaxing.schemes.resident_pension import standards as pension_standards
from jiaxing.schemes.resident_pension.models import ParticipantStatus

router = APIRouter(prefix="/pension", tags=["resident pension"])

OFFICER = require_roles(Role.pension_officer)
APPROVER = require_roles(Role.approver)
READERS = require_roles(Role.pension_officer, Role.approver, Role.auditor)
STATEMENT_READERS = require_roles(Role.citizen, Role.pension_officer, Role.auditor)
PersonId = Annotated[str, PathParam(min_length=1, max_length=40, description="身份证号码")]
Year = Annotated[int, PathParam(ge=2023, le=2100)]
Month = Annotated[str, PathParam(min_length=7, max_length=7, description="YYYY-MM")]



class EnrolBody(BaseModel):
    person_id: str = Field(max_length=40, examples=["330402195501010012"])
    name: str = Field(max_length=100)
    district: str = Field(max_length=30, examples=["南湖区"])
    enrolled_on: dt.date
    status: str = Field(ParticipantStatus.CONTRIBUTING, description="contributing | receiving")
    pension_from: str | None = Field(None, description="YYYY-MM, for a person receiving")
    bank: str = Field("JXRCB", max_length=20)
    bank_account: str = Field(max_length=40)


class ContributionBody(BaseModel):
    person_id: str = Field(max_length=40)
    year: int = Field(ge=2009, le=2100)
    amount: str = Field(max_length=40, description="yuan", examples=["5000"])
    paid_on: dt.date


class StartBody(BaseModel):
    from_month: str = Field(max_length=7, examples=["2022-01"])


class DeathBody(BaseModel):
    death_date: dt.date


class ProposeBody(BaseModel):
    year: int = Field(ge=2023, le=2100, description="the year whose standard is set")
    rural_income: str = Field(max_length=40, description="last year's rural per-capita disposable income (yuan)")
    growth: str = Field(max_length=20, examples=["9.5%"])


class EditBody(BaseModel):
    amount: str = Field(max_length=40)
    note: str = Field("", max_length=2000)


class RejectBody(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class DateBody(BaseModel):
    date: dt.date


class ExportBody(BaseModel):
    export_id: str = Field(min_length=1, max_length=60, examples=["2022-09"])


class ImportBody(BaseModel):
    import_id: str = Field(min_length=1, max_length=60)
    content: str = Field(max_length=50_000_000, description="CSV: ref,amount_yuan,ok|failed")


# ---------------------------------------------------------------- reading


@router.get("/standards", summary="Published standards (二) and adjustments (一)")
def standards(p: Principal = Depends(READERS)) -> dict[str, Any]:
    with unit_of_work() as s:
        return {"standards": views.standards(s), "adjustments": adjustment.listing(s)}


@router.get("/dashboard", summary="Payroll by district and month")
def dashboard(district: str | None = None, p: Principal = Depends(READERS)) -> dict[str, Any]:
    with unit_of_work() as s:
        return views.dashboard(s, district)


@router.get("/runs", summary="Payroll, top-up and bank runs")
def runs(p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return views.runs(s)


@router.get("/reconciliation", summary="paid + failed + pending = payroll; the ledger agrees")
def reconciliation(p: Principal = Depends(READERS)) -> dict[str, Any]:
    with unit_of_work() as s:
        return bank_files.reconcile(s)


@router.get("/bank/exceptions", summary="Failed payments awaiting the next export")
def exceptions(p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return bank_files.exceptions(s)


@router.get("/statements/{person_id}", summary="A pensioner's statement (a citizen: their own only)")
def statement(request: Request, person_id: PersonId, p: Principal = Depends(STATEMENT_READERS)) -> dict[str, Any]:
    pid = validate.person_id(person_id)
    if p.role == Role.citizen and pid != p.person_id:
        raise forbid(request, p, "pension statement of another person", message_zh="只能查看本人的养老金对账单",
                     message_en="a citizen may see their own statement only")
    with unit_of_work() as s:
        return views.statement(s, pid)


# ---------------------------------------------------------------- officer: people and money


@router.post("/business-date", summary="Advance the business date (营业日)")
def business_date(body: DateBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    with unit_of_work() as s:
        return {"business_date": pension_standards.advance(s, body.date, actor=p.username).isoformat()}


@router.post("/participants", summary="Enrol one participant")
def enrol(body: EnrolBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.enrol(body.model_dump(), key=key, actor=p.username)


@router.post("/participants/import", summary="Import a roster (CSV or XLSX), all rows or none")
async def import_roster(file: UploadFile, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    data = await file.read()
    return service.import_roster(data, file.filename or "roster.csv", key=key, actor=p.username)


@router.post("/participants/{person_id}/start", summary="Start receiving the pension")
def start(person_id: PersonId, body: StartBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.start(person_id, body.from_month, key=key, actor=p.username)


@router.post("/participants/{person_id}/suspend", summary="Suspend payment")
def suspend(person_id: PersonId, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.suspend(person_id, key=key, actor=p.username)


@router.post("/participants/{person_id}/restart", summary="Restart payment")
def restart(person_id: PersonId, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.restart(person_id, key=key, actor=p.username)


@router.post("/participants/{person_id}/death", summary="Record a death (later months paid become recovery items)")
def death(person_id: PersonId, body: DeathBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.death(person_id, body.death_date, key=key, actor=p.username)


@router.post("/contributions", summary="Record a year's contribution (三: 900 subsidy for 5,000 from 2022-09-01)")
def contribute(body: ContributionBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.contribute(body.person_id, body.year, body.amount, body.paid_on, key=key, actor=p.username)


@router.post("/payroll/{month}", summary="Run a month's payroll (二), once per month")
def payroll(month: Month, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return payroll_runs.summary(payroll_runs.payroll(validate.month(month), actor=p.username))


@router.post("/topup", summary="Top up months paid below the newest standard; a rerun pays 0")
def topup(key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return payroll_runs.summary(payroll_runs.topup(actor=p.username))


@router.post("/bank/exports", summary="Bank payment files, one per bank with a trailer")
def bank_export(body: ExportBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    run = bank_files.export(body.export_id, actor=p.username)
    with unit_of_work() as s:
        return {**(run.result or {}), "files": bank_files.files(s, body.export_id),
                "already_completed": run.already_completed}


@router.post("/bank/imports", summary="Import a bank result file (unknown or duplicate rows reject it)")
def bank_import(body: ImportBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    run = bank_files.import_results(body.import_id, body.content, actor=p.username)
    return {**(run.result or {}), "already_completed": run.already_completed}


# ---------------------------------------------------------------- the linked adjustment (一)


@router.post("/adjustments", summary="Propose next year's standard from income growth (一)")
def propose(body: ProposeBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.propose(body.year, body.rural_income, body.growth, key=key, actor=p.username)


@router.post("/adjustments/{year}/edit", summary="Edit the amount of a draft")
def edit(year: Year, body: EditBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.edit(year, body.amount, key=key, actor=p.username, note=body.note)


@router.post("/adjustments/{year}/submit", summary="Submit for approval (报请市政府同意)")
def submit(year: Year, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return service.submit(year, key=key, actor=p.username)


@router.post("/adjustments/{year}/approve", summary="Approve (市政府同意): it becomes the dated standard")
def approve(year: Year, key: str = REQUIRED_KEY, p: Principal = Depends(APPROVER)) -> dict[str, Any]:
    return service.approve(year, key=key, actor=p.username)


@router.post("/adjustments/{year}/reject", summary="Reject back to the officer")
def reject(year: Year, body: RejectBody, key: str = REQUIRED_KEY, p: Principal = Depends(APPROVER)) -> dict[str, Any]:
    return service.reject(year, body.reason, key=key, actor=p.username)
