"""Web pages of the intake half (plain Chinese first, phone-friendly; 长辈版 from the site's toggle).

* ``/ltc/me`` — a citizen: the reminder (要我申请), applying for themself or as an agent for a family
  member, their applications and result notices;
* ``/ltc/desk`` — the medical-insurance officer (and the auditor, read only): the 驾驶舱 with charts and
  CSV, candidates, applications, desk applications, duplicate enrolments, assigning experts;
* ``/ltc/assessor`` — the assessor: applications awaiting 信息采集 and the form;
* ``/ltc/expert`` — the expert: their reviews and the blind scoring form.

Thin over :mod:`.intake_service` and the queries; forms are POSTs with the session's CSRF token and a
per-form idempotency key (a double submit replays).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError
from gazette.ledger import clock
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.ltc import (
    intake_applications,
    intake_assessment,
    intake_dashboard,
    intake_discovery,
    intake_params,
    intake_roster,
    intake_service,
)
from jiaxing.schemes.ltc.intake_models import Expert
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)
DESK = (Role.insurance_officer, Role.city_admin, Role.auditor)
OFFICERS = (Role.insurance_officer, Role.city_admin)


def _f(form, name: str) -> str:
    return str(form.get(name, "")).strip()


def _scale() -> dict:
    return intake_params.scale_on(clock.now().date())


def _form_items(form, scale: dict) -> dict[str, str]:
    return {i["code"]: _f(form, f"item_{i['code']}") for i in scale["items"]}


def _render(request: Request, name: str, ctx: dict[str, Any], error: GazetteError | None = None) -> Response:
    ctx = {**ctx, "error": error_view(error) if error else None, "done": request.query_params.get("done")}
    return templates.TemplateResponse(request, f"ltc/intake/{name}", ctx,
                                      status_code=http_status(error) if error else 200)


# ---------------------------------------------------------------- citizen


def _me(request: Request, p: Principal, error: GazetteError | None = None) -> Response:
    with unit_of_work() as s:
        reminder = intake_discovery.reminder_for(s, p.person_id or "")
        mine = intake_applications.applications(s, person_id=p.person_id or "-")
        filed = [a for a in intake_applications.applications(s) if a["submitted_by"] == p.username and a["person_id"] != p.person_id]
    return _render(request, "me.html", {"who": p, "reminder": reminder, "mine": mine, "filed": filed,
                                        "keys": {"self": new_key(p, "apply"), "agent": new_key(p, "apply")}}, error)


@router.get("/ltc/me", response_class=HTMLResponse)
def me(request: Request):
    return _me(request, require(request, Role.citizen))


@router.post("/ltc/me/apply", response_class=HTMLResponse)
async def me_apply(request: Request):
    p = require(request, Role.citizen)
    form = await request.form()
    csrf(request, form)
    agent = _f(form, "for") == "agent"
    try:
        intake_service.apply({"person_id": _f(form, "person_id") if agent else (p.person_id or ""),
                  "channel": "online_agent" if agent else "online_self", "agent_name": _f(form, "agent_name"),
                  "agent_relation": _f(form, "agent_relation"), "phone": _f(form, "phone"),
                  "provider": _f(form, "provider")}, key=form_key(p, form, "apply"), actor=p.username)
    except GazetteError as exc:
        return _me(request, p, exc)
    return see_other("/ltc/me?done=applied#mine")


# ---------------------------------------------------------------- officer desk and 驾驶舱


def _desk(request: Request, p: Principal, error: GazetteError | None = None) -> Response:
    district = p.district if p.role == Role.insurance_officer else (request.query_params.get("district") or None)
    with unit_of_work() as s:
        dash = intake_dashboard.dashboard(s, district=district)
        cands = intake_discovery.candidates(s, district=district)
        apps = intake_applications.applications(s, district=district, limit=50)
        dups = intake_roster.duplicates(s, district_=district)
        pool = [intake_assessment.expert_view(e) for e in s.scalars(select(Expert).order_by(Expert.id))]
        seats = {a["id"]: intake_assessment.seats(s, a["id"], viewer=p.username, is_expert=False) for a in apps
                 if a["status"] == "review"}
    keys = {w: new_key(p, w) for w in ("desk", "assign")}
    dups = [{**d, "key": new_key(p, "clear")} for d in dups]
    return _render(request, "desk.html", {"who": p, "dash": dash, "charts": intake_dashboard.charts(dash), "cands": cands,
                                          "apps": apps, "dups": dups, "pool": pool, "seats": seats, "keys": keys,
                                          "is_officer": p.role in OFFICERS}, error)


@router.get("/ltc/desk", response_class=HTMLResponse)
def desk(request: Request):
    return _desk(request, require(request, *DESK))


@router.get("/ltc/desk/dashboard.csv")
def desk_csv(request: Request):
    p = require(request, *DESK)
    with unit_of_work() as s:
        body = intake_dashboard.to_csv(intake_dashboard.dashboard(s, district=p.district if p.role == Role.insurance_officer else None))
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ltc-dashboard.csv"'})


async def _desk_act(request: Request, fn) -> Response:
    p = require(request, *OFFICERS)
    form = await request.form()
    csrf(request, form)
    try:
        what = fn(p, form)
    except GazetteError as exc:
        return _desk(request, p, exc)
    return see_other(f"/ltc/desk?done={what}")


@router.post("/ltc/desk/apply", response_class=HTMLResponse)
async def desk_apply(request: Request):
    def act(p, f):
        intake_service.apply({"person_id": _f(f, "person_id"), "channel": "desk", "provider": _f(f, "provider"),
                  "dementia_unit": _f(f, "dementia_unit") == "on", "agent_name": _f(f, "agent_name"),
                  "agent_relation": _f(f, "agent_relation")}, key=form_key(p, f, "desk"), actor=p.username)
        return "applied"
    return await _desk_act(request, act)


@router.post("/ltc/desk/assign", response_class=HTMLResponse)
async def desk_assign(request: Request):
    def act(p, f):
        intake_service.assign(_f(f, "application_id"), _f(f, "expert"), key=form_key(p, f, "assign"), actor=p.username)
        return "assigned"
    return await _desk_act(request, act)


@router.post("/ltc/desk/clear", response_class=HTMLResponse)
async def desk_clear(request: Request):
    def act(p, f):
        intake_service.clear_duplicate(_f(f, "duplicate_id"), _f(f, "keep_scheme"), key=form_key(p, f, "clear"), actor=p.username)
        return "cleared"
    return await _desk_act(request, act)


# ---------------------------------------------------------------- assessor


def _assessor(request: Request, p: Principal, error: GazetteError | None = None) -> Response:
    with unit_of_work() as s:
        waiting = [{**a, "key": new_key(p, "collect")} for a in intake_applications.applications(s, district=p.district,
                                                                                 status="submitted")]
    return _render(request, "assessor.html", {"who": p, "waiting": waiting, "scale": _scale()}, error)


@router.get("/ltc/assessor", response_class=HTMLResponse)
def assessor(request: Request):
    return _assessor(request, require(request, Role.assessor))


@router.post("/ltc/assessor/collect", response_class=HTMLResponse)
async def assessor_collect(request: Request):
    p = require(request, Role.assessor)
    form = await request.form()
    csrf(request, form)
    try:
        intake_service.collect(_f(form, "application_id"), _form_items(form, _scale()), key=form_key(p, form, "collect"),
                   actor=p.username, assessor_unit=p.unit or "")
    except GazetteError as exc:
        return _assessor(request, p, exc)
    return see_other("/ltc/assessor?done=collected")


# ---------------------------------------------------------------- expert (blind)


def _expert(request: Request, p: Principal, error: GazetteError | None = None) -> Response:
    with unit_of_work() as s:
        reviews = intake_assessment.my_reviews(s, p.username)
        todo = [{**r, "key": new_key(p, "score"), "form": intake_assessment.form_view(s, r["application_id"], for_expert=True),
                 "seats": intake_assessment.seats(s, r["application_id"], viewer=p.username, is_expert=True)}
                for r in reviews if not r["scored"] and r["status"] == "review"]
    return _render(request, "expert.html", {"who": p, "reviews": reviews, "todo": todo}, error)


@router.get("/ltc/expert", response_class=HTMLResponse)
def expert(request: Request):
    return _expert(request, require(request, Role.expert))


@router.post("/ltc/expert/score", response_class=HTMLResponse)
async def expert_score(request: Request):
    p = require(request, Role.expert)
    form = await request.form()
    csrf(request, form)
    try:
        scale = intake_params.scale_version(_f(form, "scale_version")) if _f(form, "scale_version") else _scale()
        intake_service.score(_f(form, "application_id"), _form_items(form, scale), key=form_key(p, form, "score"),
                 actor=p.username)
    except GazetteError as exc:
        return _expert(request, p, exc)
    return see_other("/ltc/expert?done=scored")
