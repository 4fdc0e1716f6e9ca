"""Pages of the supervision workbench under /supervision (Jinja, extending base.html; no script).

* ``/supervision`` — the city dashboard (officer, admin, auditor): tasks by status, document and unit,
  the overdue list, project lights by district and category for a quarter, the plan's indicators;
  a unit reporter is sent to its own page.
* ``/supervision/unit`` — a unit's tasks, reminders and report forms (unit reporter; the office
  roles with ``?unit=``).
* ``/supervision/tasks/{id}`` — one task: extraction, corrections, reports, the report form.
* ``/supervision/projects/{id}`` — one project with its history of moves and monthly investment.

``?on=YYYY-MM-DD`` derives statuses on another day (default today).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gazette import validate
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.auth.web import forbidden_page
from gazette.errors import Forbidden, GazetteError
from gazette.store.db import unit_of_work
from gazette.web import charts
from gazette.web.templating import templates
from jiaxing.schemes.supervision import lights as project_lights
from jiaxing.schemes.supervision import queries, service, spreadsheets
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision.projects import EVENTS, LEVELS, LIBRARY_LABELS
from jiaxing.schemes.supervision.status import LABELS, STATUSES, TaskStatus
from jiaxing.schemes.supervision.units import canonical
from jiaxing.schemes.supervision.validation import REPORT_STATUSES
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)

OFFICE = (Role.supervision_officer, Role.city_admin, Role.auditor)
ALL = (Role.unit_reporter, *OFFICE)
STATUS_BADGE = {TaskStatus.ON_TRACK: "ok", TaskStatus.AT_RISK: "warn", TaskStatus.OVERDUE: "bad",
                TaskStatus.DONE: "info"}
LIGHT_BADGE = {"red": "bad", "yellow": "warn", "green": "ok", "none": "info"}
DOC_SHORT = {"嘉政发〔2022〕18号": "数字政府 18号", "嘉政办发〔2022〕11号": "营商环境 11号",
             "嘉政办发〔2022〕49号": "知识产权 49号", "嘉政办发〔2022〕13号": "火灾隐患整改 13号",
             "嘉政办发〔2022〕14号": "重大行政决策 14号", "嘉政办发〔2022〕9号": "“551”重大项目 9号"}


def _on(request: Request):
    v = request.query_params.get("on")
    try:
        return validate.date(v, "on") if v else service.today()
    except GazetteError:
        return service.today()


def _ctx(request: Request, p: Principal, **kw: Any) -> dict[str, Any]:
    on = kw.pop("on", None) or _on(request)
    return {"who": p, "on": on.isoformat(), "status_labels": LABELS, "status_badge": STATUS_BADGE,
            "light_labels": project_lights.LIGHTS, "light_badge": LIGHT_BADGE,
            "library_labels": LIBRARY_LABELS,
            "level_labels": LEVELS, "event_labels": EVENTS, "report_statuses": REPORT_STATUSES,
            "doc_short": DOC_SHORT, "is_office": p.role in OFFICE, "can_act": p.role in (Role.supervision_officer,
                                                                                         Role.city_admin),
            "quote": lambda s: urllib.parse.quote(str(s), safe=""), **kw}


@router.get("/supervision", response_class=HTMLResponse)
def dashboard(request: Request):
    p = require(request, *ALL)
    if p.role == Role.unit_reporter:
        return see_other("/supervision/unit")
    on = _on(request)
    try:
        qr = project_lights.quarter(request.query_params.get("quarter") or f"{on.year}Q{(on.month - 1) // 3 + 1}")
    except GazetteError:
        qr = project_lights.quarter(f"{on.year}Q{(on.month - 1) // 3 + 1}")
    with unit_of_work() as s:
        dash = queries.dashboard(s, on)
        rows = queries.lights(s, qr)
        starts = queries.start_rates(s, qr)
        ind = queries.indicators(s, qr.year)
    summary = queries.lights_summary(rows)
    ranks = project_lights.rankings(rows, 5)
    docs = list(dash["by_document"])
    status_chart = charts.bar_chart(
        chart_id="sup-status", title="各文件任务状态 Tasks by document and status",
        desc="每个文件的任务按状态计数 Tasks of each document by status",
        categories=[DOC_SHORT.get(d, d) for d in docs],
        series=[charts.Series(LABELS[st], [dash["by_document"][d][st] for d in docs], LABELS[st].split()[0])
                for st in (TaskStatus.OVERDUE, TaskStatus.AT_RISK, TaskStatus.ON_TRACK, TaskStatus.DONE)])
    dists = list(summary["by_district"])
    light_chart = charts.bar_chart(
        chart_id="sup-lights", title=f"{qr} 各地区项目亮灯 Lights by district",
        desc="红灯、黄灯项目数 Projects with red and yellow lights by district", categories=dists,
        series=[charts.Series(project_lights.LIGHTS[k], [summary["by_district"][d][k] for d in dists], project_lights.LIGHTS[k].split()[0])
                for k in ("red", "yellow", "green")])
    ctx = _ctx(request, p, on=on, dash=dash, quarter=str(qr), summary=summary, ranks=ranks, starts=starts,
               indicators=ind, status_chart=status_chart, light_chart=light_chart, statuses=STATUSES)
    return templates.TemplateResponse(request, "supervision_dashboard.html", ctx)


def _unit_scope(request: Request, p: Principal) -> str | None:
    if p.role == Role.unit_reporter:
        return p.unit or "\u0000none"
    return request.query_params.get("unit") or None


@router.get("/supervision/unit", response_class=HTMLResponse)
def unit_page(request: Request):
    p = require(request, *ALL)
    unit = _unit_scope(request, p)
    on = _on(request)
    with unit_of_work() as s:
        rows = effective_tasks.register(s, on, unit=unit) if unit else []
        due = queries.reminders(s, on, unit) if unit else []
    ctx = _ctx(request, p, on=on, unit=unit if unit != "\u0000none" else None, tasks=rows, reminders=due,
               counts={st: sum(1 for r in rows if r["status"] == st) for st in STATUSES})
    return templates.TemplateResponse(request, "supervision_unit.html", ctx)


def _task_page(request: Request, p: Principal, task_id: str, *, error: GazetteError | None = None,
               done: str | None = None, on_text: str | None = None) -> HTMLResponse:
    on = _on(request)
    if on_text:
        try:
            on = validate.date(on_text, "on")
        except GazetteError:
            pass
    with unit_of_work() as s:
        d = queries.task_detail(s, task_id[:200], on)
    if p.role == Role.unit_reporter and canonical(p.unit or "") not in d["scope_units"]:
        return forbidden_page(request, Forbidden("只能查看本单位的任务", "a unit sees its own tasks only"))
    can_report = (p.role == Role.unit_reporter) or (p.role in (Role.supervision_officer, Role.city_admin)
                                                    and bool(d["scope_units"]))
    ctx = _ctx(request, p, on=on, task=d, error=error_view(error) if error else None, done=done,
               can_report=can_report, form_key=new_key(p, "sup-report"), correct_key=new_key(p, "sup-correct"))
    return templates.TemplateResponse(request, "supervision_task.html", ctx,
                                      status_code=http_status(error) if error else 200)


@router.get("/supervision/tasks/{task_id}", response_class=HTMLResponse)
def task_page(request: Request, task_id: str):
    p = require(request, *ALL)
    try:
        return _task_page(request, p, task_id, done=request.query_params.get("done"))
    except GazetteError as exc:
        return templates.TemplateResponse(request, "officials_error.html", {"error": error_view(exc)},
                                          status_code=http_status(exc))


@router.post("/supervision/tasks/{task_id}/report", response_class=HTMLResponse)
async def report(request: Request, task_id: str):
    p = require(request, Role.unit_reporter, Role.supervision_officer, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(p, form, "sup-report")
        unit = p.unit if p.role == Role.unit_reporter else str(form.get("unit") or "")
        service.report({"task_id": task_id, "status": form.get("status"), "percent": form.get("percent"),
                        "reported_on": form.get("reported_on"), "actual": form.get("actual") or None,
                        "evidence": form.get("evidence") or None}, unit=unit or "", key=key, actor=p.username,
                       officer=p.role != Role.unit_reporter)
    except GazetteError as exc:
        try:
            return _task_page(request, p, task_id, error=exc, on_text=str(form.get("on") or ""))
        except GazetteError as exc2:
            return templates.TemplateResponse(request, "officials_error.html", {"error": error_view(exc2)},
                                              status_code=http_status(exc2))
    back = urllib.parse.urlencode({"done": "report", "on": str(form.get("on") or "")[:10]})
    return see_other(f"/supervision/tasks/{urllib.parse.quote(task_id, safe='')}?{back}")


@router.post("/supervision/tasks/{task_id}/correct", response_class=HTMLResponse)
async def correct(request: Request, task_id: str):
    """An officer confirms the extraction or corrects units / deadline (kept beside the extraction)."""
    p = require(request, Role.supervision_officer, Role.city_admin)
    form = await request.form()
    csrf(request, form)
    try:
        key = form_key(p, form, "sup-correct")
        if form.get("action") == "confirm":
            service.confirm(task_id, key=key, actor=p.username, note=str(form.get("reason") or "") or None)
        else:
            service.correct(task_id, {"units": str(form.get("units") or "").strip() or None,
                                      "deadline": str(form.get("deadline") or "").strip() or None,
                                      "reason": str(form.get("reason") or "")}, key=key, actor=p.username)
    except GazetteError as exc:
        try:
            return _task_page(request, p, task_id, error=exc, on_text=str(form.get("on") or ""))
        except GazetteError as exc2:
            return templates.TemplateResponse(request, "officials_error.html", {"error": error_view(exc2)},
                                              status_code=http_status(exc2))
    back = urllib.parse.urlencode({"done": "correct", "on": str(form.get("on") or "")[:10]})
    return see_other(f"/supervision/tasks/{urllib.parse.quote(task_id, safe='')}?{back}")


@router.get("/supervision/projects/{project_id}", response_class=HTMLResponse)
def project_page(request: Request, project_id: str):
    p = require(request, *OFFICE)
    try:
        with unit_of_work() as s:
            d = queries.project_detail(s, project_id[:40])
    except GazetteError as exc:
        return templates.TemplateResponse(request, "officials_error.html", {"error": error_view(exc)},
                                          status_code=http_status(exc))
    chart = charts.column_chart(
        chart_id="sup-project", title="月度完成投资（万元） Monthly investment (10,000 yuan)",
        desc="每月完成投资 Investment completed each month", categories=[m["month"] for m in d["investments"]],
        series=[charts.Series("完成投资 Completed", [m["amount_wan"] for m in d["investments"]])])
    return templates.TemplateResponse(request, "supervision_project.html", _ctx(request, p, project=d, chart=chart))


@router.get("/supervision/tasks.csv")
def tasks_csv(request: Request) -> Response:
    p = require(request, *ALL)
    unit = _unit_scope(request, p)
    with unit_of_work() as s:
        rows = spreadsheets.task_rows(effective_tasks.register(s, _on(request), unit=unit))
    return Response(spreadsheets.to_csv(spreadsheets.TASK_HEADER, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="supervision-tasks.csv"',
                             "Cache-Control": "no-store"})
