"""Pages of the city budget: ``/budget/{year}`` — the year's dashboard (checks, calendar with due and
overdue steps, the adjustment pipeline and the reserve list, with finance's and the city's actions)
— and ``/budget/{year}/department`` — a department's page (its obligations, its requests, the form
to file one). Thin: each form is a POST with the session's CSRF token and a per-form idempotency
key, carried out through the scheme's commands; an error is shown on the page, nothing changed.

Who sees what: finance officers, approvers, auditors and city administrators see the dashboard and
any department's page; a department user sees only its own department's page (the dashboard
sends it there); an auditor sees every action hidden and every POST refused.
"""

from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from gazette import validate
from gazette.api.params import RowId
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import Forbidden, GazetteError, NotFound
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from gazette.web import charts
from gazette.web.templating import templates
from jiaxing.schemes.budget import calendar as obligation_calendar
from jiaxing.schemes.budget import commands, handlers, params, queries
from jiaxing.schemes.budget import requests as adjustment_requests
from jiaxing.schemes.budget.calendar import STATUS_LABELS, ObligationStatus
from jiaxing.schemes.budget.models import RequestStatus
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)
CITY = (Role.finance_officer, Role.approver, Role.auditor, Role.city_admin)
ALL = (Role.department, *CITY)
Year = Annotated[int, Path(ge=2000, le=2100)]
STILL_TO_DO = (ObligationStatus.OVERDUE, ObligationStatus.OPEN)
DONE_LATE_OR_OUTSIDE = (ObligationStatus.DONE_LATE, ObligationStatus.DONE_OUTSIDE_WINDOW)
REQUEST_STATUS = {RequestStatus.SUBMITTED: "待受理 Submitted", RequestStatus.REFUSED: "不予受理 Refused",
                  RequestStatus.QUEUED: "储备库待审批 On the reserve list", RequestStatus.APPROVED: "已批准 Approved",
                  RequestStatus.REJECTED: "未批准 Rejected"}
KIND_LABELS = {k: f"{v[1]} {v[2]}" for k, v in params.KINDS.items()}
CONDITION_LABELS = {k: v[1] for k, v in params.CONDITIONS.items()}
STEP_LABELS = {k: f"{v[1]} {v[2]}" for k, v in adjustment_requests.STEPS.items()}


def _as_of(request: Request) -> dt.date:
    raw = request.query_params.get("as_of")
    try:
        return validate.date(raw, "as_of") if raw else queries.today()
    except GazetteError:
        return queries.today()


def _can_decide(p: Principal, r: dict) -> bool:
    if r["status"] != RequestStatus.QUEUED or r["next_step"] == "npc_submission":
        return False
    return p.role == Role.city_admin or adjustment_requests.STEPS[r["next_step"]][0] == p.role.value


def _missing(request: Request, p: Principal, exc: GazetteError):
    """An unknown year or request: the budget page with the error and the years on record."""
    with unit_of_work() as s:
        years = queries.years(s)
    return templates.TemplateResponse(request, "budget_dashboard.html",
                                      {"who": p, "year": None, "years": years, "error": error_view(exc)},
                                      status_code=http_status(exc))


@router.get("/budget", response_class=HTMLResponse)
def index(request: Request):
    p = require(request, *ALL)
    with unit_of_work() as s:
        years = queries.years(s)
    if years:
        return see_other(f"/budget/{years[0]}" + ("/department" if p.role == Role.department else ""))
    return templates.TemplateResponse(request, "budget_dashboard.html", {"who": p, "year": None, "years": []})


def _dashboard(request: Request, p: Principal, year: int, *, error: GazetteError | None = None, status: int = 200):
    as_of = _as_of(request)
    with unit_of_work() as s:
        handlers.get_year(s, year)
        cal = queries.calendar(s, year, as_of)
        checks = queries.latest_checks(s, year)
        reqs = queries.requests(s, year)
        ranked = queries.reserve_list(s, year)
        pipe = queries.pipeline(s, year)
        years = queries.years(s)
    obs = cal["obligations"]
    overdue = [o for o in obs if o["overdue"]]
    upcoming = sorted((o for o in obs if o["status"] == ObligationStatus.OPEN), key=lambda o: o["due"])[:12]
    late = [o for o in obs if o["status"] in DONE_LATE_OR_OUTSIDE]
    chart = charts.column_chart(
        chart_id="budget-obligations", title=f"{year} 年度各项义务状态 Obligations by status",
        desc="按状态统计的预算日历义务数（截至所选日期）；明细见下表。Obligations of the budget calendar by status.",
        categories=[STATUS_LABELS[k].split(" ")[0] for k in STATUS_LABELS],
        series=[charts.Series("件数 Count", [cal["counts"].get(k, 0) for k in STATUS_LABELS])], fmt=str)
    keys = {r["id"]: new_key(p, f"budget-{r['id']}") for r in reqs}
    can_record = p.role in (Role.finance_officer, Role.city_admin)
    for o in (*overdue, *upcoming):
        o["form_key"] = new_key(p, "budget-event") if can_record else ""
    ctx = {"who": p, "year": year, "years": years, "as_of": cal["as_of"], "checks": checks, "overdue": overdue,
           "upcoming": upcoming, "late": late, "counts": cal["counts"], "chart": chart, "requests": reqs,
           "ranked": ranked, "pipeline": pipe, "status_labels": STATUS_LABELS, "request_status": REQUEST_STATUS,
           "kind_labels": KIND_LABELS, "step_labels": STEP_LABELS, "keys": keys,
           "can_route": p.role in (Role.finance_officer, Role.city_admin),
           "can_decide": {r["id"]: _can_decide(p, r) for r in reqs}, "read_only": p.read_only,
           "error": error_view(error) if error else None, "done": request.query_params.get("done"),
           "priority": params.PRIORITY_CLASSES, "can_record": can_record}
    return templates.TemplateResponse(request, "budget_dashboard.html", ctx, status_code=status)


@router.get("/budget/{year}", response_class=HTMLResponse)
def dashboard(request: Request, year: Year):
    p = require(request, *ALL)
    if p.role == Role.department:
        return see_other(f"/budget/{year}/department")
    try:
        return _dashboard(request, p, year)
    except NotFound as exc:
        return _missing(request, p, exc)


def _department_page(request: Request, p: Principal, year: int, name: str | None, *,
                     error: GazetteError | None = None, values: dict | None = None, status: int = 200):
    as_of = _as_of(request)
    with unit_of_work() as s:
        data = handlers.year_data(s, year)
        departments = data.departments
        if name not in departments:
            name = departments[0] if departments and p.role != Role.department else name
        cal = queries.calendar(s, year, as_of, name or "\u0000none")
        reqs = queries.requests(s, year, name or "\u0000none")
        ranked = {r["id"]: r["rank"] for r in queries.reserve_list(s, year)}
    can_record = p.role in (Role.department, Role.city_admin)
    pending = [o for o in cal["obligations"] if o["status"] in STILL_TO_DO]
    for o in pending:
        o["form_key"] = new_key(p, "budget-event") if can_record else ""
    ctx = {"who": p, "year": year, "department": name, "departments": departments, "pending": pending,
           "finished": [o for o in cal["obligations"] if o["status"] not in STILL_TO_DO],
           "can_record": can_record,
           "units": data.units.get(name or "", []), "as_of": cal["as_of"], "obligations": cal["obligations"],
           "overdue": cal["overdue"], "requests": reqs, "ranked": ranked, "status_labels": STATUS_LABELS,
           "request_status": REQUEST_STATUS, "kind_labels": KIND_LABELS, "condition_labels": CONDITION_LABELS,
           "condition_clauses": {k: v[0] for k, v in params.CONDITIONS.items()}, "step_labels": STEP_LABELS,
           "priority": params.PRIORITY_CLASSES, "grades": params.PERFORMANCE_GRADES,
           "affordability": params.AFFORDABILITY,
           "can_file": p.role in (Role.department, Role.city_admin), "form_key": new_key(p, "budget-file"),
           "values": values or {}, "error": error_view(error) if error else None,
           "done": request.query_params.get("done"), "today": queries.today().isoformat(),
           "recorded": request.query_params.get("recorded")}
    return templates.TemplateResponse(request, "budget_department.html", ctx, status_code=status)


@router.get("/budget/{year}/department", response_class=HTMLResponse)
def department_page(request: Request, year: Year):
    p = require(request, *ALL)
    name = p.unit if p.role == Role.department else request.query_params.get("name")
    try:
        return _department_page(request, p, year, name)
    except NotFound as exc:
        return _missing(request, p, exc)


@router.post("/budget/{year}/requests", response_class=HTMLResponse)
async def file_request(request: Request, year: Year):
    p = require(request, Role.department, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    name = p.unit if p.role == Role.department else str(form.get("department", ""))
    values = {k: str(v) for k, v in form.items() if k not in ("csrf_token", "idempotency_key")}
    try:
        cmd = commands.FileRequest(
            idempotency_key=form_key(p, form, "budget-file"), actor=p.username, year=year, department=name or "",
            unit=str(form.get("unit", "")), title=validate.text(form.get("title", ""), "title", max_length=300),
            kind=str(form.get("kind", "")), condition=str(form.get("condition", "")),
            direction=str(form.get("direction", "increase")),
            amount_fen=validate.yuan(str(form.get("amount_yuan", "")).strip(), "amount_yuan", allow_zero=False),
            priority_class=validate.integer(str(form.get("priority_class", "5")), "priority_class", minimum=1,
                                            maximum=5),
            performance=str(form.get("performance", "")), affordability=str(form.get("affordability", "")),
            on=validate.date(str(form.get("on", "")) or queries.today().isoformat(), "on"))
        res = execute(cmd).result
    except GazetteError as exc:
        return _department_page(request, p, year, name, error=exc, values=values, status=http_status(exc))
    q = urllib.parse.urlencode({"done": res["id"], **({"name": name} if p.role != Role.department else {})})
    return see_other(f"/budget/{year}/department?{q}#req-{res['id']}")


@router.post("/budget/{year}/events", response_class=HTMLResponse)
async def record_event(request: Request, year: Year):
    """Mark an obligation met: record the event that completes it (a department only its own)."""
    p = require(request, Role.department, Role.finance_officer, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    kind, subject = str(form.get("kind", "")), str(form.get("subject", ""))
    back = str(form.get("back", ""))
    back = back if back.startswith(f"/budget/{year}") and "//" not in back else f"/budget/{year}"
    try:
        if p.role == Role.department and (subject != p.unit or obligation_calendar.EVENT_KINDS.get(kind, ("",))[0] not in
                                          ("department", "reporter")):
            raise Forbidden("部门只能登记本部门的事项", "a department records only its own events", field="subject")
        execute(commands.RecordEvent(idempotency_key=form_key(p, form, "budget-event"), actor=p.username,
                                     year=year,
                                     kind=kind, subject=subject, period=str(form.get("period", "")),
                                     on=validate.date(str(form.get("on", "")), "on")))
    except GazetteError as exc:
        if back.startswith(f"/budget/{year}/department"):
            return _department_page(request, p, year, p.unit if p.role == Role.department else subject,
                                    error=exc, status=http_status(exc))
        return _dashboard(request, p, year, error=exc, status=http_status(exc))
    sep = "&" if "?" in back else "?"
    return see_other(f"{back}{sep}recorded={urllib.parse.quote(kind)}")


async def _act(request: Request, request_id: int, roles: tuple[Role, ...], build):
    p = require(request, *roles)
    form = await request.form()
    csrf(request, form)
    try:
        with unit_of_work() as s:
            year = queries.get_request(s, request_id)["year"]
    except NotFound as exc:
        return _missing(request, p, exc)
    try:
        on = validate.date(str(form.get("on", "")) or queries.today().isoformat(), "on")
        execute(build(p, form_key(p, form, f"budget-{request_id}"), on, form))
    except GazetteError as exc:
        return _dashboard(request, p, year, error=exc, status=http_status(exc))
    return see_other(f"/budget/{year}?done={request_id}#req-{request_id}")


@router.post("/budget/requests/{request_id}/route", response_class=HTMLResponse)
async def route_request(request: Request, request_id: RowId):
    return await _act(request, request_id, (Role.finance_officer, Role.city_admin),
                      lambda p, key, on, form: commands.RouteRequest(idempotency_key=key, actor=p.username,
                                                                     request_id=request_id, on=on))


@router.post("/budget/requests/{request_id}/decision", response_class=HTMLResponse)
async def decide(request: Request, request_id: RowId):
    return await _act(request, request_id, (Role.finance_officer, Role.approver, Role.city_admin),
                      lambda p, key, on, form: commands.Decide(idempotency_key=key, actor=p.username,
                                                               request_id=request_id,
                                                               outcome=str(form.get("outcome", "")), on=on,
                                                               role=p.role.value,
                                                               note=str(form.get("note", ""))[:2000]))

