"""``/api/v1/budget/…``: the city budget (嘉政发〔2022〕5号) — thin over commands, handlers and queries.

Every state-changing route takes an ``Idempotency-Key`` header (a repeat returns the first result
with ``replayed: true``). Access: a ``department`` user (``unit`` = its department) files and reads
its own requests, reads its own calendar and records its own replies, disclosures and reports; a
``finance_officer`` imports, checks, records events, routes requests and takes the finance steps;
an ``approver`` takes the city government's steps; an ``auditor`` reads everything and writes
nothing; a ``city_admin`` does everything.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from pydantic import BaseModel, Field

from gazette import validate
from gazette.api.idempotency import REQUIRED_KEY
from gazette.api.params import RowId
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.errors import PayloadTooLarge
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from jiaxing.schemes.budget import calendar as obligation_calendar
from jiaxing.schemes.budget import commands, handlers, queries
from jiaxing.schemes.budget import data as budget_data

router = APIRouter(prefix="/budget", tags=["budget"])

R = Role
READERS = require_roles(R.department, R.finance_officer, R.approver, R.auditor, R.city_admin)
FINANCE = require_roles(R.finance_officer, R.city_admin)
FILERS = require_roles(R.department, R.finance_officer, R.city_admin)
EVENT_WRITERS = require_roles(R.department, R.finance_officer, R.city_admin)
DECIDERS = require_roles(R.finance_officer, R.approver, R.city_admin)
Year = Annotated[int, Path(ge=2000, le=2100, description="budget year")]
MAX_UPLOAD = 5 * 1024 * 1024



def _run(cmd) -> dict[str, Any]:
    out = execute(cmd)
    return {**out.result, "replayed": out.replayed}


def _own_department(p: Principal) -> str | None:
    """A department user's department (their unit); None for the city-wide roles."""
    return (p.unit or "\u0000none") if p.role == R.department else None


class ImportRequest(BaseModel):
    rows: list[dict[str, Any]] = Field(max_length=20_000, description="one object per row; columns as in docs/budget.md",
                                       examples=[[{"section": "expenditure", "department": "市教育局",
                                                   "function_class": "教育支出", "amount_yuan": "98000000"}]])
    source: str = Field(default="", max_length=300)


class EventRequest(BaseModel):
    kind: str = Field(examples=["budget_approved"], max_length=50)
    on: dt.date
    subject: str = Field(default="", max_length=200)
    period: str = Field(default="", max_length=7)
    note: str = Field(default="", max_length=2000)


class FileRequestBody(BaseModel):
    department: str = Field(default="", max_length=200, description="the department asking (a department user: its own)")
    unit: str = Field(default="", max_length=200, description="the unit asking; blank = the department itself")
    title: str = Field(max_length=300)
    kind: str = Field(examples=["reallocation"], description="reallocation | reserve_fund | total_change")
    condition: str = Field(examples=["new_temporary_work"], description="one of 四.（三）.1–5, or none")
    direction: str = Field(default="increase", description="increase | decrease")
    amount_yuan: str = Field(examples=["120000.00"])
    priority_class: int = Field(default=5, ge=1, le=5, description="二.（二）.2 order: 1 basic livelihood … 5 other")
    performance: str = Field(default="", description="事前绩效评估 优/良/中/差; blank = not assessed")
    affordability: str = Field(default="", description="财政承受能力评估 可承受/不可承受; blank = not assessed")
    on: dt.date | None = None


class RouteBody(BaseModel):
    on: dt.date | None = None


class DecisionBody(BaseModel):
    outcome: str = Field(examples=["approve"], description="approve | reject")
    on: dt.date | None = None
    note: str = Field(default="", max_length=2000)


class NPCBody(BaseModel):
    on: dt.date | None = None
    reason: str = Field(default="", max_length=2000, description="required after 31 October (四.（六）.1)")


@router.get("/years", summary="Budget years on record")
def list_years(p: Principal = Depends(READERS)) -> list[int]:
    with unit_of_work() as s:
        return queries.years(s)


@router.post("/years/{year}/import", summary="Import a year's figures (JSON rows); the checks run on every import")
def import_rows(year: Year, body: ImportRequest, idempotency_key: str = REQUIRED_KEY,
                p: Principal = Depends(FINANCE)) -> dict[str, Any]:
    return _run(commands.ImportBudget(idempotency_key=idempotency_key, actor=p.username, year=year,
                                      rows=tuple(body.rows), source=body.source))


@router.post("/years/{year}/import-file", summary="Import a year's figures from an .xlsx or .csv file")
async def import_file(year: Year, file: Annotated[UploadFile, File()], idempotency_key: str = REQUIRED_KEY,
                      p: Principal = Depends(FINANCE)) -> dict[str, Any]:
    content = await file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise PayloadTooLarge("文件超过 5 MB", "the file is larger than 5 MB", field="file", code="file_too_large")
    rows = budget_data.read_bytes(content, file.filename or "")
    return _run(commands.ImportBudget(idempotency_key=idempotency_key, actor=p.username, year=year,
                                      rows=tuple(rows),
                                      source=(file.filename or "")[:300]))


@router.get("/years/{year}/checks", summary="The latest compliance check run: each check with clause, figures, ✓/✗")
def latest_checks(year: Year, p: Principal = Depends(READERS)) -> dict[str, Any]:
    with unit_of_work() as s:
        handlers.get_year(s, year)
        return queries.latest_checks(s, year) or {"run_id": None, "ok": None, "checks": []}


@router.post("/years/{year}/checks", summary="Run the compliance checks now")
def run_checks(year: Year, idempotency_key: str = REQUIRED_KEY, p: Principal = Depends(FINANCE)) -> dict[str, Any]:
    return _run(commands.RunChecks(idempotency_key=idempotency_key, actor=p.username, year=year))


@router.get("/years/{year}/calendar", summary="Obligations with derived due dates; overdue ones flagged")
def calendar(year: Year, as_of: dt.date | None = None, department: str | None = Query(None, max_length=200),
             p: Principal = Depends(READERS)) -> dict[str, Any]:
    """A department sees its own obligations only."""
    own = _own_department(p)
    if own is not None:
        department = own
    with unit_of_work() as s:
        return queries.calendar(s, year, validate.date(as_of, "as_of") if as_of else None, department)


@router.get("/years/{year}/events", summary="The events recorded for the year")
def list_events(year: Year, p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    own = _own_department(p)
    with unit_of_work() as s:
        handlers.get_year(s, year)
        rows = queries.event_rows(s, year)
    return [e for e in rows if own is None or e["subject"] == own]


@router.post("/years/{year}/events", summary="Record one event of the calendar (approval, reply, disclosure, report…)")
def record_event(year: Year, body: EventRequest, request: Request, idempotency_key: str = REQUIRED_KEY,
                 p: Principal = Depends(EVENT_WRITERS)) -> dict[str, Any]:
    own = _own_department(p)
    if own is not None and (body.subject != own or obligation_calendar.EVENT_KINDS.get(body.kind, ("",))[0] not in ("department",
                                                                                                 "reporter")):
        raise forbid(request, p, "event of another department or of finance",
                     message_zh="部门只能记录本部门的批复、公开和报告", message_en="a department records only its own events")
    return _run(commands.RecordEvent(idempotency_key=idempotency_key, actor=p.username, year=year,
                                     kind=body.kind,
                                     on=validate.date(body.on, "on"), subject=body.subject,
                                     period=body.period,
                                     note=body.note))


@router.post("/years/{year}/requests", summary="File a budget adjustment request (四.（四）.1)")
def file_request(year: Year, body: FileRequestBody, request: Request, idempotency_key: str = REQUIRED_KEY,
                 p: Principal = Depends(FILERS)) -> dict[str, Any]:
    own = _own_department(p)
    department = body.department
    if own is not None:
        if department and department != own:
            raise forbid(request, p, "request for another department", message_zh="只能为本部门及所属单位申请",
                         message_en="a department files only for itself and its units")
        department = own
    cmd = commands.FileRequest(idempotency_key=idempotency_key, actor=p.username, year=year,
                               department=department,
                               unit=body.unit, title=validate.text(body.title, "title", max_length=300),
                               kind=body.kind,
                               condition=body.condition, direction=body.direction,
                               amount_fen=validate.yuan(body.amount_yuan, "amount_yuan", allow_zero=False),
                               priority_class=body.priority_class, performance=body.performance,
                               affordability=body.affordability,
                               on=validate.date(body.on, "on") if body.on else queries.today())
    return _run(cmd)


@router.get("/years/{year}/requests", summary="Adjustment requests (a department sees its own)")
def list_requests(year: Year, status: str | None = Query(None, max_length=20),
                  p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        handlers.get_year(s, year)
        return queries.requests(s, year, _own_department(p), status)


@router.get("/years/{year}/reserve-list", summary="The reserve list ranked by priority (四.（四）.3)")
def reserve_list(year: Year, p: Principal = Depends(READERS)) -> list[dict[str, Any]]:
    with unit_of_work() as s:
        handlers.get_year(s, year)
        return queries.reserve_list(s, year, _own_department(p))


@router.get("/requests/{request_id}", summary="One request with every decision (who, when, clause)")
def get_request(request_id: RowId, request: Request, p: Principal = Depends(READERS)) -> dict[str, Any]:
    with unit_of_work() as s:
        out = queries.get_request(s, request_id)
    own = _own_department(p)
    if own is not None and out["department"] != own:
        raise forbid(request, p, "request of another department")
    return out


@router.post("/requests/{request_id}/route", summary="Finance accepts and routes by kind, or refuses (四.（三）、（五）)")
def route(request_id: RowId, body: RouteBody | None = None, idempotency_key: str = REQUIRED_KEY,
          p: Principal = Depends(FINANCE)) -> dict[str, Any]:
    on = body.on if body and body.on else queries.today()
    return _run(commands.RouteRequest(idempotency_key=idempotency_key, actor=p.username,
                                      request_id=request_id,
                                      on=validate.date(on, "on")))


@router.post("/requests/{request_id}/decision", summary="Approve or reject the next step (barred ≤ 30 June and in December)")
def decide(request_id: RowId, body: DecisionBody, idempotency_key: str = REQUIRED_KEY,
           p: Principal = Depends(DECIDERS)) -> dict[str, Any]:
    return _run(commands.Decide(idempotency_key=idempotency_key, actor=p.username, request_id=request_id,
                                outcome=body.outcome, on=validate.date(body.on or queries.today(), "on"),
                                role=p.role.value,
                                note=body.note))


@router.post("/requests/{request_id}/npc-submission", summary="Submit to the 人大常委会 (after 31 October: a reason)")
def npc_submission(request_id: RowId, body: NPCBody, idempotency_key: str = REQUIRED_KEY,
                   p: Principal = Depends(FINANCE)) -> dict[str, Any]:
    return _run(commands.SubmitToNPC(idempotency_key=idempotency_key, actor=p.username, request_id=request_id,
                                     on=validate.date(body.on or queries.today(), "on"), reason=body.reason))
