"""``/api/v1/ltc/…`` routes of the intake half (thin over the scheme's commands and queries).

Access: the medical-insurance officer (医保经办人员, scoped to their district when they have one)
imports rosters and lists, funds, clears duplicates, runs discovery, takes desk applications and
assigns experts; the assessor (评估员) records the form; the expert (评估专家) scores blind; a citizen
applies for themself or as an agent, and reads their reminder and applications; the auditor reads
everything and writes nothing. Every state-changing route takes an ``Idempotency-Key`` header.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from gazette import validate
from gazette.api.idempotency import REQUIRED_KEY
from gazette.api.params import RowId
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.errors import InvalidInput, NotFound
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import (
    intake_applications,
    intake_assessment,
    intake_dashboard,
    intake_discovery,
    intake_roster,
    intake_service,
)
from jiaxing.schemes.ltc.intake_models import Expert

router = APIRouter(tags=["long-term care: intake"])

OFFICER = require_roles(Role.insurance_officer, Role.city_admin)
READERS = require_roles(Role.insurance_officer, Role.city_admin, Role.auditor)
APPLICANTS = require_roles(Role.citizen, Role.insurance_officer)
ASSESSOR = require_roles(Role.assessor)
EXPERT = require_roles(Role.expert)
CASE_READERS = require_roles(Role.citizen, Role.insurance_officer, Role.city_admin, Role.auditor, Role.assessor, Role.expert)



def scope(p: Principal) -> str | None:
    """The district an officer or assessor is scoped to (None: the whole city)."""
    return p.district if p.role in (Role.insurance_officer, Role.assessor) else None


def check_case(request: Request, p: Principal, app: dict) -> None:
    """Who may read one application: its district's staff, the person, the agent who filed it, its experts."""
    if p.role in (Role.city_admin, Role.auditor):
        return
    if p.role in (Role.insurance_officer, Role.assessor) and (p.district is None or p.district == app["district"]):
        return
    if p.role == Role.citizen and (p.person_id == app["person_id"] or p.username == app["submitted_by"]):
        return
    if p.role == Role.expert:
        with unit_of_work() as s:
            if any(r["application_id"] == app["id"] for r in intake_assessment.my_reviews(s, p.username)):
                return
    forbid(request, p, "ltc application of another person or district")
    raise NotFound("长护险申请", app["id"], field="application_id", what_en="LTC application")


def _case(request: Request, p: Principal, application_id: int) -> dict:
    with unit_of_work() as s:
        app = intake_applications.application_view(s, intake_applications.get(s, application_id))
    check_case(request, p, app)
    return app


class FundBody(BaseModel):
    year: int = Field(ge=2017, le=2100)
    batch: str = Field(min_length=1, max_length=60, examples=["2023-main"])


class PopulationBody(BaseModel):
    district: str = Field(max_length=30, examples=["南湖区"])
    year: int = Field(ge=2017, le=2100)
    registered: int = Field(ge=1, le=100_000_000)
    source: str = Field(min_length=1, max_length=200)


class ClearBody(BaseModel):
    keep_scheme: str = Field(description="employee | resident")
    note: str = Field("", max_length=500)


class DateBody(BaseModel):
    on: dt.date | None = None


class ApplyBody(BaseModel):
    person_id: str = Field(max_length=40)
    channel: str = Field(description="online_self | online_agent | desk")
    kind: str = Field("first", description="first | reassessment")
    agent_name: str = Field("", max_length=100)
    agent_relation: str = Field("", max_length=30)
    phone: str = Field("", max_length=20)
    provider: str = Field("", max_length=100, description="the designated provider the person uses or chooses")
    dementia_unit: bool = False
    applied_on: dt.date | None = None


class ItemsBody(BaseModel):
    items: dict[str, Any] = Field(description="item code → points, every item of the scale")
    on: dt.date | None = None
    assessor_unit: str = Field("", max_length=100)


class AssignBody(BaseModel):
    expert: str = Field(min_length=1, max_length=100)


class ExpertBody(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100)
    title: str = Field(description="junior | intermediate | associate_senior | senior")
    unit: str = Field(min_length=1, max_length=100)
    district: str | None = Field(None, max_length=30)


# ---------------------------------------------------------------- reading


@router.get("/dashboard", summary="驾驶舱: enrolment, applications, waiting times, beneficiaries (三.（四）.11)")
def dashboard(district: str | None = None, p: Principal = Depends(READERS)) -> dict[str, Any]:
    with unit_of_work() as s:
        return intake_dashboard.dashboard(s, district=scope(p) or district)


@router.get("/dashboard.csv", summary="驾驶舱 as CSV", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "the 驾驶舱 figures as CSV"}})
def dashboard_csv(district: str | None = None, p: Principal = Depends(READERS)) -> Response:
    with unit_of_work() as s:
        body = intake_dashboard.to_csv(intake_dashboard.dashboard(s, district=scope(p) or district))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ltc-dashboard.csv"'})


@router.get("/duplicates", summary="重复参保 awaiting clearing")
def duplicates(p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return intake_roster.duplicates(s, district_=scope(p))


@router.get("/candidates", summary="要我申请: candidates found by discovery, with their source rows")
def candidates(p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return intake_discovery.candidates(s, district=scope(p))


@router.get("/reminders/me", summary="My reminder (要我申请), if any")
def my_reminder(p: Principal = Depends(require_roles(Role.citizen, Role.auditor))) -> dict[str, Any]:
    with unit_of_work() as s:
        return {"reminder": intake_discovery.reminder_for(s, p.person_id or "")}


@router.get("/applications", summary="Applications (staff: their district; a citizen: their own and those they filed)")
def applications(status: str | None = None, p: Principal = Depends(CASE_READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        if p.role == Role.citizen:
            mine = intake_applications.applications(s, person_id=p.person_id or "-")
            filed = [a for a in intake_applications.applications(s, status=status) if a["submitted_by"] == p.username]
            return list({a["id"]: a for a in mine + filed}.values())
        if p.role == Role.expert:
            return intake_assessment.my_reviews(s, p.username)
        return intake_applications.applications(s, district=scope(p), status=status)


@router.get("/applications/{application_id}", summary="One application with its result notice")
def application(request: Request, application_id: RowId, p: Principal = Depends(CASE_READERS)) -> dict[str, Any]:
    return _case(request, p, application_id)


@router.get("/applications/{application_id}/assessment",
            summary="The form and the expert seats — blind: no score shows until every seat has scored")
def assessment(request: Request, application_id: RowId, p: Principal = Depends(CASE_READERS)) -> dict[str, Any]:
    _case(request, p, application_id)
    is_expert = p.role == Role.expert
    with unit_of_work() as s:
        return {"form": intake_assessment.form_view(s, application_id, for_expert=is_expert or p.role == Role.citizen),
                "seats": intake_assessment.seats(s, application_id, viewer=p.username, is_expert=is_expert or p.role == Role.citizen)}


@router.get("/experts", summary="The expert pool")
def experts(p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        return [intake_assessment.expert_view(e) for e in s.scalars(select(Expert).order_by(Expert.id))]


# ---------------------------------------------------------------- officer: roster, funding, lists


@router.post("/roster", summary="Import a medical-insurance roster (CSV/XLSX): every row or none")
async def roster(file: UploadFile, batch: Annotated[str, Form(max_length=60)], key: str = REQUIRED_KEY,
                 p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.import_roster(await file.read(), file.filename or "roster.csv", batch, key=key, actor=p.username)


@router.post("/duplicates/{duplicate_id}/clear", summary="Clear a 重复参保: keep one scheme")
def clear(duplicate_id: RowId, body: ClearBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.clear_duplicate(duplicate_id, body.keep_scheme, key=key, actor=p.username, note=body.note)


@router.post("/population", summary="Registered population of a district (the enrolment rate's denominator)")
def population(body: PopulationBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.set_population(body.district, body.year, body.registered, body.source, key=key, actor=p.username)


@router.post("/funding", summary="Yearly funding (120 = 30 + 90), idempotent per (year, batch)")
def funding(body: FundBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.fund(body.year, body.batch, key=key, actor=p.username)


@router.post("/lists/{kind}", summary="Import a list from another department: discharge | disability | dibao | death")
async def import_list(kind: str, file: UploadFile, batch: Annotated[str, Form(max_length=60)], key: str = REQUIRED_KEY,
                      p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.import_list(kind, await file.read(), file.filename or "list.csv", batch, key=key, actor=p.username)


@router.post("/discover", summary="Match the lists to the insured: candidates with a reminder (要我申请)")
def discover(body: DateBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.discover(body.on, key=key, actor=p.username)


@router.post("/reassessments/schedule", summary="Open the reassessments that are due")
def schedule(body: DateBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.schedule(body.on, key=key, actor=p.username)


@router.post("/experts", summary="Add an expert to the pool")
def add_expert(body: ExpertBody, key: str = REQUIRED_KEY, p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    return intake_service.add_expert(body.model_dump(), key=key, actor=p.username)


# ---------------------------------------------------------------- applications and assessment


@router.post("/applications", summary="Apply: online (self or agent) or at a desk")
def apply(request: Request, body: ApplyBody, key: str = REQUIRED_KEY, p: Principal = Depends(APPLICANTS)) -> dict[str, Any]:
    pid = validate.person_id(body.person_id)
    if p.role == Role.citizen:
        if body.channel == "desk" or (body.channel == "online_self" and pid != p.person_id):
            raise forbid(request, p, "ltc application for another person without agent details",
                         message_zh="本人申请只能为自己办理；为家人办理请选择“家属代办”",
                         message_en="apply for yourself, or as an agent for a family member")
    else:
        if body.channel != "desk":
            raise InvalidInput("窗口受理请选择 desk 渠道", "an officer takes desk applications", field="channel")
        with unit_of_work() as s:
            district = intake_applications.insured(s, pid).district
        if p.district and p.district != district:
            forbid(request, p, "ltc desk application in another district")
            raise NotFound("长护险参保人员", pid, field="person_id", what_en="insured person")
    return intake_service.apply({**body.model_dump(), "person_id": pid}, key=key, actor=p.username)


@router.post("/applications/{application_id}/withdraw", summary="Withdraw an open application")
def withdraw(request: Request, application_id: RowId, key: str = REQUIRED_KEY,
             p: Principal = Depends(APPLICANTS)) -> dict[str, Any]:
    _case(request, p, application_id)
    return intake_service.withdraw(application_id, key=key, actor=p.username)


@router.post("/applications/{application_id}/form", summary="镇街信息采集: the assessor's form; 初评 and the draw follow")
def collect(request: Request, application_id: RowId, body: ItemsBody, key: str = REQUIRED_KEY,
            p: Principal = Depends(ASSESSOR)) -> dict[str, Any]:
    _case(request, p, application_id)
    return intake_service.collect(application_id, body.items, key=key, actor=p.username,
                      assessor_unit=body.assessor_unit or p.unit or "", on=body.on)


@router.post("/applications/{application_id}/experts", summary="Assign an expert by hand (never one twice)")
def assign(request: Request, application_id: RowId, body: AssignBody, key: str = REQUIRED_KEY,
           p: Principal = Depends(OFFICER)) -> dict[str, Any]:
    _case(request, p, application_id)
    return intake_service.assign(application_id, body.expert, key=key, actor=p.username)


@router.post("/applications/{application_id}/score", summary="县级专家复评: one expert's blind score")
def score(application_id: RowId, body: ItemsBody, key: str = REQUIRED_KEY, p: Principal = Depends(EXPERT)) -> dict[str, Any]:
    out = intake_service.score(application_id, body.items, key=key, actor=p.username, on=body.on)
    if out.get("next") != "decided":
        return out
    return {k: v for k, v in out.items() if k != "decision"} | {"decided": True}
