"""``/api/v1/supervision/…`` — the workbench over HTTP (thin over :mod:`.service` and :mod:`.queries`).

Access (docs/supervision.md): a ``unit_reporter`` sees and reports only the tasks of its own unit
(``Principal.unit``); a ``supervision_officer`` and the ``city_admin`` see everything, confirm and
correct tasks, and run projects; the ``auditor`` reads everything and writes nothing. Writes require an
``Idempotency-Key`` header (:mod:`gazette.api.idempotency`: a repeat returns the first answer).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from gazette import validate
from gazette.api.idempotency import REQUIRED_KEY
from gazette.auth.deps import forbid, require_roles
from gazette.auth.principal import Principal, Role
from gazette.errors import InvalidInput
from gazette.store.db import unit_of_work
from jiaxing.schemes.supervision import calendar as reporting_calendar
from jiaxing.schemes.supervision import lights as project_lights
from jiaxing.schemes.supervision import queries, service, spreadsheets
from jiaxing.schemes.supervision import register as task_register
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision.service import today
from jiaxing.schemes.supervision.status import ReportStatus
from jiaxing.schemes.supervision.units import canonical

router = APIRouter(prefix="/supervision", tags=["supervision"])

READERS = require_roles(Role.unit_reporter, Role.supervision_officer, Role.city_admin, Role.auditor)
OFFICE_READERS = require_roles(Role.supervision_officer, Role.city_admin, Role.auditor)
OFFICERS = require_roles(Role.supervision_officer, Role.city_admin)
REPORTERS = require_roles(Role.unit_reporter, Role.supervision_officer, Role.city_admin)
On = Annotated[str | None, Query(max_length=20, description="YYYY-MM-DD (default today)")]
MAX_UPLOAD = 5 * 1024 * 1024


def _uow():
    return unit_of_work()


def _on(value: str | None):
    return validate.date(value, "on") if value else today()



def _unit_of(request: Request, p: Principal, asked: str | None = None) -> str | None:
    """A unit reporter is always scoped to its own unit; the office roles see any (or all)."""
    if p.role == Role.unit_reporter:
        if not p.unit:
            raise forbid(request, p, "unit reporter without a unit", message_zh="账号未绑定责任单位",
                         message_en="this account has no unit")
        if asked and asked != p.unit:
            raise forbid(request, p, "another unit's tasks", message_zh="只能查看本单位的任务",
                         message_en="a unit sees its own tasks only")
        return p.unit
    return asked


class ReportBody(BaseModel):
    status: str = Field(ReportStatus.IN_PROGRESS, description=" | ".join(ReportStatus),
                        examples=["in_progress"])
    percent: int = Field(description="0–100", examples=[40])
    reported_on: str = Field(description="YYYY-MM-DD", examples=["2022-06-30"])
    actual: str | None = Field(None, description="the indicator's actual value, a decimal string", examples=["1"])
    evidence: str | None = Field(None, max_length=2000, examples=["1个万吨级泊位已交工验收"])
    evidence_file: str | None = Field(None, max_length=300, description="a file name or link of the evidence")
    unit: str | None = Field(None, max_length=200, description="officers only: the unit reported for")


class CorrectionBody(BaseModel):
    reason: str = Field(max_length=500, examples=["据责任分解清单更正"])
    units: list[str] | None = Field(None, max_length=50, description="lead unit first")
    deadline: str | None = Field(None, description="YYYY-MM-DD")
    targets: list[dict[str, Any]] | None = Field(None, max_length=50)
    text: str | None = Field(None, max_length=4000)


class ConfirmBody(BaseModel):
    note: str | None = Field(None, max_length=500)


class ProjectBody(BaseModel):
    id: str = Field(max_length=40, examples=["JX2022-001"])
    name: str = Field(max_length=300)
    category: str = Field(examples=["现代产业"])
    level: str = Field(examples=["city"], description="national | provincial | city | list")
    district: str = Field(examples=["南湖区"])
    owner_unit: str = Field(max_length=200)
    total_wan: int = Field(ge=0, le=10**9, description="总投资 (万元)")
    annual_plan_wan: int = Field(ge=0, le=10**9, description="年度计划投资 (万元)")
    planned_start: str | None = None
    is_new: bool = True
    library: str = Field("reserve", description="reserve | new | construction")
    on: str = Field(description="registration date YYYY-MM-DD", examples=["2022-01-01"])


class EventBody(BaseModel):
    event: str = Field(description="approval_started | construction_started | stats_entered | moved_back")
    on: str = Field(examples=["2022-03-15"])
    reason: str | None = Field(None, max_length=500)
    to_library: str | None = None
    month: str | None = None


class InvestmentBody(BaseModel):
    amount_wan: int = Field(ge=0, le=10**9, description="万元 completed in the month")


@router.get("/tasks", summary="The task register with statuses (a unit reporter: its own tasks)")
def tasks(request: Request, p: Principal = Depends(READERS), unit: str | None = Query(None, max_length=200),
          document: str | None = Query(None, max_length=100), status: str | None = Query(None, max_length=20),
          on: On = None) -> list[dict[str, Any]]:
    with _uow() as s:
        rows = effective_tasks.register(s, _on(on), unit=_unit_of(request, p, unit), document=document)
    return [r for r in rows if not status or r["status"] == status]


@router.get("/tasks/{task_id}", summary="One task: extraction, corrections, reports, status")
def task(request: Request, task_id: str, p: Principal = Depends(READERS), on: On = None) -> dict[str, Any]:
    with _uow() as s:
        d = queries.task_detail(s, task_id[:200], _on(on))
    unit = _unit_of(request, p)
    if unit is not None and canonical(unit) not in d["scope_units"]:
        raise forbid(request, p, "another unit's task", message_zh="只能查看本单位的任务",
                     message_en="a unit sees its own tasks only")
    return d


@router.post("/tasks/{task_id}/reports", status_code=201, summary="A progress report (a unit reporter: own tasks)")
def report(request: Request, task_id: str, body: ReportBody, p: Principal = Depends(REPORTERS),
           key: str = REQUIRED_KEY) -> dict[str, Any]:
    if p.role == Role.unit_reporter:
        unit = _unit_of(request, p, body.unit)
    elif not body.unit:
        raise InvalidInput("督查人员代为填报时须写明责任单位", "an officer reporting for a unit names it", field="unit")
    else:
        unit = body.unit
    return service.report({**body.model_dump(), "task_id": task_id}, unit=unit, key=key, actor=p.username,
                          officer=p.role != Role.unit_reporter)


@router.post("/tasks/{task_id}/confirm", summary="Confirm the extraction as it is")
def confirm(task_id: str, body: ConfirmBody, p: Principal = Depends(OFFICERS), key: str = REQUIRED_KEY) -> dict[str, Any]:
    return service.confirm(task_id, key=key, actor=p.username, note=body.note)


@router.post("/tasks/{task_id}/corrections", status_code=201, summary="Correct a task (kept beside the extraction)")
def correct(task_id: str, body: CorrectionBody, p: Principal = Depends(OFFICERS), key: str = REQUIRED_KEY) -> dict[str, Any]:
    return service.correct(task_id, body.model_dump(), key=key, actor=p.username)


@router.post("/sync", summary="Load or refresh the register from the ingested gazettes")
def sync(p: Principal = Depends(OFFICERS), key: str = REQUIRED_KEY) -> dict[str, Any]:
    return service.sync(key=key, actor=p.username, entries=tuple(task_register.from_pack()))


@router.get("/dashboard", summary="Tasks by status, unit and document; the overdue list")
def dashboard(p: Principal = Depends(OFFICE_READERS), on: On = None) -> dict[str, Any]:
    with _uow() as s:
        return queries.dashboard(s, _on(on))


@router.get("/reminders", summary="Reports due and overdue tasks (a unit reporter: its own)")
def reminders(request: Request, p: Principal = Depends(READERS), unit: str | None = Query(None, max_length=200),
              on: On = None) -> list[dict[str, Any]]:
    with _uow() as s:
        return queries.reminders(s, _on(on), _unit_of(request, p, unit))


@router.get("/projects", summary="Projects (filters: district, library, category)")
def projects(p: Principal = Depends(OFFICE_READERS), district: str | None = Query(None, max_length=40),
             library: str | None = Query(None, max_length=20), category: str | None = Query(None, max_length=20),
             limit: int = Query(500, ge=1, le=5000), offset: int = Query(0, ge=0, le=10**7)) -> list[dict[str, Any]]:
    with _uow() as s:
        return queries.projects(s, district=district, library=library, category=category, limit=limit, offset=offset)


@router.post("/projects", status_code=201, summary="Register a project in a library")
def register_project(body: ProjectBody, p: Principal = Depends(OFFICERS), key: str = REQUIRED_KEY) -> dict[str, Any]:
    return service.register_project(body.model_dump(), key=key, actor=p.username)


@router.get("/projects/{project_id}", summary="A project with its recorded moves and monthly investment")
def project(project_id: str, p: Principal = Depends(OFFICE_READERS)) -> dict[str, Any]:
    with _uow() as s:
        return queries.project_detail(s, project_id[:40])


@router.post("/projects/{project_id}/events", summary="Record an event; the library move follows and is recorded")
def project_event(project_id: str, body: EventBody, p: Principal = Depends(OFFICERS), key: str = REQUIRED_KEY
                  ) -> dict[str, Any]:
    return service.project_event(project_id, body.model_dump(), key=key, actor=p.username)


@router.put("/projects/{project_id}/investments/{month}", summary="The investment completed in a month (万元)")
def investment(project_id: str, month: str, body: InvestmentBody, p: Principal = Depends(OFFICERS),
               key: str = REQUIRED_KEY) -> dict[str, Any]:
    return service.report_investment(project_id, month, body.amount_wan, key=key, actor=p.username)


@router.get("/lights", summary="Each project's light for a quarter, the summary, start rate and rankings")
def lights(p: Principal = Depends(OFFICE_READERS), quarter: str = Query(max_length=10, examples=["2022Q2"]),
           district: str | None = Query(None, max_length=40), category: str | None = Query(None, max_length=20)
           ) -> dict[str, Any]:
    qr = project_lights.quarter(quarter)
    with _uow() as s:
        rows = queries.lights(s, qr, district=district, category=category)
        starts = queries.start_rates(s, qr)
    ranks = project_lights.rankings(rows)
    return {"quarter": str(qr), "projects": [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows],
            "summary": queries.lights_summary(rows), "start_rate": starts, **ranks}


@router.get("/calendar", summary="The notices about a month (10th, 20th, 5th of the next month)")
def calendar(p: Principal = Depends(OFFICE_READERS), month: str = Query(max_length=10, examples=["2022-01"])
             ) -> dict[str, Any]:
    rows = reporting_calendar.notices(month)
    with _uow() as s:
        late = queries.statistics_overdue(s, validate.date(rows[-1]["date"], "month"))
    return {"notices": rows, "statistics_overdue": late}


@router.get("/indicators", summary="Plan totals, reserve and the year's goals beside what is registered")
def indicators(p: Principal = Depends(OFFICE_READERS), year: int = Query(2022, ge=2000, le=2100)) -> dict[str, Any]:
    with _uow() as s:
        return queries.indicators(s, year)


async def _read_upload(file: UploadFile) -> bytes:
    data = await file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise InvalidInput("文件超过 5 MB", "the file is larger than 5 MB", field="file", code="file_too_large")
    return data


@router.post("/imports/projects", summary="Import a project XLSX (all rows or none)")
async def import_projects(file: UploadFile, p: Principal = Depends(OFFICERS), key: str = REQUIRED_KEY,
                          on: str = Query("2022-01-01", max_length=10)) -> dict[str, Any]:
    data = await _read_upload(file)
    return spreadsheets.import_projects(data, key=key, actor=p.username, on=validate.date(on, "on"))


@router.post("/imports/reports", summary="Import progress reports XLSX (a unit reporter: its own unit)")
async def import_reports(request: Request, file: UploadFile, p: Principal = Depends(REPORTERS),
                         key: str = REQUIRED_KEY) -> dict[str, Any]:
    data = await _read_upload(file)
    unit = _unit_of(request, p) if p.role == Role.unit_reporter else None
    return spreadsheets.import_reports(data, key=key, actor=p.username, unit=unit)


@router.get("/exports/{what}", summary="tasks.csv, tasks.xlsx, lights.csv, lights.xlsx (UTF-8 with BOM for CSV)")
def export(request: Request, what: str, p: Principal = Depends(READERS), quarter: str | None = Query(None, max_length=10),
           on: On = None) -> Response:
    name, _, ext = what.partition(".")
    if name not in ("tasks", "lights") or ext not in ("csv", "xlsx"):
        raise InvalidInput("可导出 tasks.csv、tasks.xlsx、lights.csv、lights.xlsx",
                           "export tasks.csv, tasks.xlsx, lights.csv or lights.xlsx", field="what")
    with _uow() as s:
        if name == "tasks":
            header, rows = spreadsheets.TASK_HEADER, spreadsheets.task_rows(
                effective_tasks.register(s, _on(on), unit=_unit_of(request, p)))
        else:
            if p.role == Role.unit_reporter:
                raise forbid(request, p, "lights are for the office",
                             (Role.supervision_officer, Role.city_admin, Role.auditor))
            header, rows = spreadsheets.LIGHT_HEADER, spreadsheets.light_rows(queries.lights(s, project_lights.quarter(quarter or "")))
    if ext == "csv":
        return Response(spreadsheets.to_csv(header, rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{what}"', "Cache-Control": "no-store"})
    return Response(spreadsheets.to_xlsx(header, rows, name),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{what}"', "Cache-Control": "no-store"})
