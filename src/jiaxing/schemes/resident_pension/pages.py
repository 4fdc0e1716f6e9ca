"""Pages of the resident pension: a pensioner's statement (``/pension/me``) and the officers' desk
(``/officials/pension``: payroll by district and month with a chart, runs, the linked adjustment
from proposal to approval). Thin over the scheme; forms are POSTs with the session's CSRF token and,
for commands, a per-form idempotency key (a double submit replays)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from gazette import validate
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError, InvalidInput
from gazette.store.db import unit_of_work
from gazette.web import charts
from gazette.web.templating import templates
from jiaxing.schemes.resident_pension import adjustment, service, views
from jiaxing.schemes.resident_pension import bank as bank_files
from jiaxing.schemes.resident_pension import payroll as payroll_runs
from jiaxing.schemes.resident_pension import standards as pension_standards
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)
DESK = (Role.pension_officer, Role.approver, Role.auditor)
DONE = {"proposed": "已测算 Proposed", "edited": "已修改 Edited", "submitted": "已报送 Submitted",
        "approved": "已批准，成为发放标准 Approved: it is now the standard", "rejected": "已退回 Rejected",
        "payroll": "已发放 Payroll run", "topup": "补发已运行 Top-up run", "advanced": "营业日已推进 Date advanced",
        "exported": "代发文件已生成 Bank files made"}


@router.get("/pension/me", response_class=HTMLResponse)
def me(request: Request):
    p = require(request, Role.citizen)
    st, missing = None, False
    with unit_of_work() as s:
        try:
            st = views.statement(s, p.person_id or "")
        except GazetteError:
            missing = True
    return templates.TemplateResponse(request, "pension_me.html", {"who": p, "st": st, "missing": missing})


def _desk(request: Request, p: Principal, *, error: GazetteError | None = None, status_code: int = 200,
          done: str | None = None) -> Response:
    with unit_of_work() as s:
        dash = views.dashboard(s)
        adjustments = adjustment.listing(s)
        rec = bank_files.reconcile(s)
        exceptions = bank_files.exceptions(s, limit=50)
        runs = views.runs(s, limit=12)
    months: dict[str, list[int]] = {}
    for r in dash["rows"]:
        m = months.setdefault(r["month"], [0, 0])
        m[0] += r["pension_fen"]
        m[1] += r["topup_fen"]
    cats = sorted(months)[-12:]
    chart = charts.column_chart(chart_id="pension-months", title="每月发放 Paid per month",
                                desc="每月基础养老金与补发金额（元）", categories=cats,
                                series=[charts.Series("基础养老金 Pension", [months[c][0] for c in cats], "发放"),
                                        charts.Series("补发 Top-up", [months[c][1] for c in cats], "补发")],
                                fmt=charts.short_yuan)
    keys = {w: new_key(p, w) for w in ("propose", "edit", "submit", "approve", "reject")}
    ctx: dict[str, Any] = {"who": p, "dash": dash, "adjustments": adjustments, "rec": rec, "exceptions": exceptions,
                           "runs": runs, "chart": chart, "keys": keys, "error": error_view(error) if error else None,
                           "done": DONE.get(done or ""), "is_officer": p.role == Role.pension_officer,
                           "is_approver": p.role == Role.approver}
    return templates.TemplateResponse(request, "pension_office.html", ctx, status_code=status_code)


@router.get("/officials/pension", response_class=HTMLResponse)
def desk(request: Request):
    p = require(request, *DESK)
    return _desk(request, p, done=request.query_params.get("done"))


async def _act(request: Request, roles: tuple[Role, ...], what: str, fn) -> Response:
    p = require(request, *roles)
    form = await request.form()
    csrf(request, form)
    try:
        fn(p, form)
    except GazetteError as exc:
        return _desk(request, p, error=exc, status_code=http_status(exc))
    return see_other(f"/officials/pension?done={what}#adjust")


def _f(form, name: str) -> str:
    return str(form.get(name, "")).strip()


@router.post("/officials/pension/propose", response_class=HTMLResponse)
async def propose(request: Request):
    return await _act(request, (Role.pension_officer,), "proposed", lambda p, f: service.propose(
        _f(f, "year"), _f(f, "rural_income"), _f(f, "growth"), key=form_key(p, f, "propose"), actor=p.username))


@router.post("/officials/pension/edit", response_class=HTMLResponse)
async def edit(request: Request):
    return await _act(request, (Role.pension_officer,), "edited", lambda p, f: service.edit(
        _f(f, "year"), _f(f, "amount"), key=form_key(p, f, "edit"), actor=p.username, note=_f(f, "note")))


@router.post("/officials/pension/submit", response_class=HTMLResponse)
async def submit(request: Request):
    return await _act(request, (Role.pension_officer,), "submitted", lambda p, f: service.submit(
        _f(f, "year"), key=form_key(p, f, "submit"), actor=p.username))


@router.post("/officials/pension/approve", response_class=HTMLResponse)
async def approve(request: Request):
    return await _act(request, (Role.approver,), "approved", lambda p, f: service.approve(
        _f(f, "year"), key=form_key(p, f, "approve"), actor=p.username))


@router.post("/officials/pension/reject", response_class=HTMLResponse)
async def reject(request: Request):
    return await _act(request, (Role.approver,), "rejected", lambda p, f: service.reject(
        _f(f, "year"), _f(f, "reason"), key=form_key(p, f, "reject"), actor=p.username))


@router.post("/officials/pension/advance", response_class=HTMLResponse)
async def advance(request: Request):
    def act(p, f):
        with unit_of_work() as s:
            pension_standards.advance(s, validate.date(_f(f, "date"), "date"), actor=p.username)

    return await _act(request, (Role.pension_officer,), "advanced", act)


@router.post("/officials/pension/payroll", response_class=HTMLResponse)
async def payroll(request: Request):
    return await _act(request, (Role.pension_officer,), "payroll",
                      lambda p, f: payroll_runs.payroll(validate.month(_f(f, "month")), actor=p.username))


@router.post("/officials/pension/topup", response_class=HTMLResponse)
async def topup(request: Request):
    return await _act(request, (Role.pension_officer,), "topup",
                      lambda p, f: payroll_runs.topup(actor=p.username))


@router.post("/officials/pension/export", response_class=HTMLResponse)
async def export(request: Request):
    def act(p, f):
        eid = _f(f, "export_id")
        if not eid:
            raise InvalidInput("请填写代发批次号", "an export id is required", field="export_id", code="invalid_id")
        bank_files.export(eid, actor=p.username)

    return await _act(request, (Role.pension_officer,), "exported", act)
