"""Web pages of the care half's daily work (嘉政发〔2022〕21号):

* ``/ltc/care/plan`` — provider staff (or the medical-insurance officer), with the person: the care type
  and the provider (providers with their stars and items, 三.（二）.7), the items from the dated DEMO
  service catalogue (三.（二）.6), the start date; the plan once chosen;
* ``/ltc/care/visits`` — a phone page: a caregiver checks in (time, position, face check) and out (the
  items done) for the day's people under home care; provider staff record a day of institutional care.

Thin over :mod:`.care.service` (the same commands as the API and the CLI) and :mod:`.care.catalogue`;
the few reads the pages need and the care half does not offer (the viewer's provider, the day's people,
an open visit) are here. Forms are POSTs with the session's CSRF token and a per-form idempotency key
(a double submit replays); a refused command is shown next to its field and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette import validate
from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import Conflict, Forbidden, GazetteError, InvalidInput
from gazette.ledger import clock
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.ltc.care import catalogue, handlers, service
from jiaxing.schemes.ltc.care import params as care_params
from jiaxing.schemes.ltc.care import queries as care_queries
from jiaxing.schemes.ltc.care.models import CARE_TYPES
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)

PLANNERS = (Role.provider_staff, Role.insurance_officer)
VISIT_ROLES = (Role.caregiver, Role.provider_staff)
UNIT_ZH = {"visit": "次", "day": "日"}
FACE_CHOICES = (("pass", "通过 Passed"), ("fail", "未通过 Failed"), ("", "未做 Not done"))


def _field(form, name: str) -> str:
    return str(form.get(name, "")).strip()


def _today() -> dt.date:
    return clock.now().date()


def _first_of_next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


# ---------------------------------------------------------------- reads the pages need


def _provider_by_code(session: Session, code: str) -> dict[str, Any] | None:
    row = session.execute(text("SELECT id, code, name, district, care_type FROM ltc_providers WHERE code = :code"),
                          {"code": code}).mappings().first()
    return dict(row) if row else None


def _caregiver(session: Session, certificate: str) -> dict[str, Any] | None:
    row = session.execute(text(
        "SELECT c.id, c.name, c.certificate, pr.id AS provider_id, pr.code AS provider_code, pr.name AS provider_name, "
        "pr.care_type FROM ltc_caregivers c JOIN ltc_providers pr ON pr.id = c.provider_id "
        "WHERE c.certificate = :cert"), {"cert": certificate}).mappings().first()
    return dict(row) if row else None


def _no_provider() -> Forbidden:
    return Forbidden("您的账号未关联定点护理机构或护理员证书，请联系管理员",
                     "your account is not linked to a designated provider or a caregiver certificate: ask the "
                     "administrator", field="unit", code="no_provider")


def _catalogue(session: Session, on: dt.date) -> list[dict[str, Any]]:
    """The catalogue in force on ``on``, for a form: price in fen, minimum duration, category in words."""
    return [{**item, "category_zh": catalogue.CATEGORY_ZH[item["category"]], "unit_zh": UNIT_ZH[item["unit"]]}
            for item in catalogue.items_on(session, on).values()]


def _plan_items(session: Session, plan_id: int, on: dt.date) -> list[dict[str, Any]]:
    codes = session.execute(text("SELECT item_code FROM ltc_care_plan_items WHERE plan_id = :plan ORDER BY item_code"),
                            {"plan": plan_id}).scalars().all()
    in_force = catalogue.items_on(session, on)
    return [{"code": code, "name": in_force[code]["name"] if code in in_force else code,
             "price_fen": in_force[code]["price_fen"] if code in in_force else None} for code in codes]


def _plan(session: Session, plan_id: int) -> dict[str, Any] | None:
    row = session.execute(text(
        "SELECT p.id, p.person_id, p.care_type, p.starts_on, p.district, pr.code AS provider_code, "
        "pr.name AS provider_name, i.name AS person_name FROM ltc_care_plans p JOIN ltc_providers pr "
        "ON pr.id = p.provider_id LEFT JOIN ltc_insured i ON i.person_id = p.person_id WHERE p.id = :plan"),
        {"plan": plan_id}).mappings().first()
    if row is None:
        return None
    starts_on = row["starts_on"] if isinstance(row["starts_on"], dt.date) else dt.date.fromisoformat(row["starts_on"])
    return {**row, "starts_on": starts_on, "care_type_zh": care_params.CARE_TYPE_ZH[row["care_type"]],
            "items": _plan_items(session, plan_id, starts_on)}


def _people_on(session: Session, provider_id: int, day: dt.date) -> list[dict[str, Any]]:
    """The people whose plan with this provider is in force on ``day`` and whose benefit covers it."""
    rows = session.execute(text(
        "SELECT p.id AS plan_id, p.person_id, p.care_type, i.name, i.address, "
        "(SELECT COUNT(*) FROM ltc_visits v WHERE v.person_id = p.person_id AND v.day = :day AND v.done) AS done_today "
        "FROM ltc_care_plans p JOIN ltc_beneficiaries b ON b.person_id = p.person_id "
        "LEFT JOIN ltc_insured i ON i.person_id = p.person_id "
        "WHERE p.provider_id = :provider AND p.starts_on <= :day AND (p.ends_on IS NULL OR p.ends_on >= :day) "
        "AND b.starts_on <= :day AND (b.ends_on IS NULL OR b.ends_on >= :day) ORDER BY p.person_id"),
        {"provider": provider_id, "day": day}).mappings().all()
    return [{**row, "care_type_zh": care_params.CARE_TYPE_ZH[row["care_type"]], "done_today": int(row["done_today"]),
             "items": _plan_items(session, row["plan_id"], day)} for row in rows]


def _open_visits(session: Session, caregiver_id: int) -> list[dict[str, Any]]:
    rows = session.execute(text(
        "SELECT v.id, v.person_id, v.day, v.plan_id, v.checkin_ts, i.name FROM ltc_visits v "
        "LEFT JOIN ltc_insured i ON i.person_id = v.person_id WHERE v.caregiver_id = :cg AND NOT v.done "
        "ORDER BY v.checkin_ts"), {"cg": caregiver_id}).mappings().all()
    out = []
    for row in rows:
        day = row["day"] if isinstance(row["day"], dt.date) else dt.date.fromisoformat(row["day"])
        checked_in = dt.datetime.fromtimestamp(row["checkin_ts"], handlers.SH)
        out.append({**row, "day": day, "checked_in": checked_in.strftime("%Y-%m-%d %H:%M"),
                    "items": _plan_items(session, row["plan_id"], day)})
    return out


def _visit_result(session: Session, visit_id: int, provider_id: int, caregiver_id: int | None) -> dict[str, Any] | None:
    """A visit of this caregiver (for staff: of their provider) to show after a form."""
    row = session.execute(text(
        "SELECT v.id, v.person_id, v.kind, v.day, v.checkin_ts, v.checkout_ts, v.cost_fen, v.caregiver_id, "
        "v.provider_id FROM ltc_visits v WHERE v.id = :visit"), {"visit": visit_id}).mappings().first()
    if row is None or row["provider_id"] != provider_id or (caregiver_id is not None and
                                                            row["caregiver_id"] != caregiver_id):
        return None
    minutes = (row["checkout_ts"] - row["checkin_ts"]) // 60 if row["checkout_ts"] and row["checkin_ts"] else None
    return {**row, "minutes": minutes}


# ---------------------------------------------------------------- care plan


def _planner_scope(session: Session, viewer: Principal) -> tuple[dict[str, Any] | None, str | None]:
    """Provider staff plan with their own provider (its district's providers shown); an officer, their district."""
    if viewer.role == Role.provider_staff:
        own = _provider_by_code(session, viewer.unit or "")
        if own is None:
            raise _no_provider()
        return own, own["district"]
    return None, viewer.district


def _plan_page(request: Request, viewer: Principal, *, values: dict[str, Any] | None = None,
               error: GazetteError | None = None, plan_id: int | None = None) -> HTMLResponse:
    query = request.query_params
    values = dict(values or {})
    date_error = None
    try:
        starts_on = validate.date(values.get("starts_on") or query.get("starts_on") or
                                  _first_of_next_month(_today()).isoformat(), "starts_on")
    except GazetteError as exc:
        date_error, starts_on = exc, _first_of_next_month(_today())
    care_type = values.get("care_type") or query.get("care_type") or ""
    care_type = care_type if care_type in CARE_TYPES else ""
    with unit_of_work() as session:
        try:
            own, district = _planner_scope(session, viewer)
        except GazetteError as exc:
            own, district, error = None, viewer.district, error or exc
        providers = care_queries.providers_for_choosing(session, district)
        kinds = {row.id: row for row in session.execute(text("SELECT id, code, care_type FROM ltc_providers"))}
        items = _catalogue(session, starts_on)
        plan = _plan(session, plan_id) if plan_id else None
    providers = [{**row, "code": kinds[row["id"]].code} for row in providers
                 if not care_type or kinds[row["id"]].care_type == care_type]
    if plan is not None and not ((own and plan["provider_code"] == own["code"]) or
                                 (own is None and plan["district"] == viewer.district)):
        plan = None  # another provider's (or district's) plan: as if there were none
    values.setdefault("starts_on", starts_on.isoformat())
    values.setdefault("provider", own["code"] if own else "")
    error = error or date_error
    context = {"who": viewer, "own": own, "providers": providers, "care_types": care_params.CARE_TYPE_ZH,
               "care_type": care_type, "catalogue": items, "starts_on": starts_on, "values": values,
               "chosen": set(values.get("items") or []), "plan": plan, "key": new_key(viewer, "careplan"),
               "error": error_view(error) if error else None, "catalogue_note": catalogue.SOURCE,
               "catalogue_clause": catalogue.CLAUSE, "rating_clause": care_params.RATING_CLAUSE}
    return templates.TemplateResponse(request, "ltc/care/plan.html", context,
                                      status_code=http_status(error) if error else 200)


@router.get("/ltc/care/plan", response_class=HTMLResponse)
def plan_page(request: Request):
    viewer = require(request, *PLANNERS)
    raw = request.query_params.get("plan", "")
    return _plan_page(request, viewer, plan_id=int(raw) if raw.isdigit() and len(raw) < 18 else None)


@router.post("/ltc/care/plan", response_class=HTMLResponse)
async def choose_plan(request: Request):
    viewer = require(request, *PLANNERS)
    form = await request.form()
    csrf(request, form)
    values = {name: _field(form, name) for name in ("person_id", "provider", "care_type", "starts_on")}
    values["items"] = [str(code) for code in form.getlist("items")]
    try:
        key = form_key(viewer, form, "careplan")
        with unit_of_work() as session:
            own, _ = _planner_scope(session, viewer)
            chosen = _provider_by_code(session, values["provider"]) if values["provider"] else None
        if not values["provider"]:
            raise InvalidInput("请选择护理机构", "choose a provider", field="provider", code="provider_required")
        if own is not None and values["provider"] != own["code"]:
            raise Forbidden("请由所选机构的工作人员登记护理计划", "the chosen provider's own staff record the plan",
                            field="provider", code="other_provider")
        if chosen is not None and values["care_type"] and chosen["care_type"] != values["care_type"]:
            raise InvalidInput(f"所选机构提供{care_params.CARE_TYPE_ZH[chosen['care_type']]}，与所选护理方式不符",
                               "the chosen provider does not offer the chosen care type", field="provider",
                               code="care_type_mismatch")
        result = service.choose_plan({"person_id": values["person_id"], "provider": values["provider"],
                                      "starts_on": values["starts_on"], "items": values["items"]},
                                     key=key, actor=viewer.username)
    except GazetteError as exc:
        return _plan_page(request, viewer, values=values, error=exc)
    return see_other(f"/ltc/care/plan?plan={result['plan_id']}")


# ---------------------------------------------------------------- visits


def _visit_scope(session: Session, viewer: Principal) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """(the caregiver, or None for staff; the provider) of the viewer."""
    if viewer.role == Role.caregiver:
        caregiver = _caregiver(session, viewer.unit or "")
        if caregiver is None:
            raise _no_provider()
        return caregiver, {"id": caregiver["provider_id"], "code": caregiver["provider_code"],
                           "name": caregiver["provider_name"], "care_type": caregiver["care_type"]}
    own = _provider_by_code(session, viewer.unit or "")
    if own is None:
        raise _no_provider()
    return None, own


def _visits_page(request: Request, viewer: Principal, *, error: GazetteError | None = None, form_id: str = "",
                 values: dict[str, Any] | None = None, day: dt.date | None = None) -> HTMLResponse:
    query = request.query_params
    if day is None:
        try:
            day = validate.date(query.get("day") or _today().isoformat(), "day")
        except GazetteError:
            day = _today()
    done, result = query.get("done", ""), None
    with unit_of_work() as session:
        try:
            caregiver, provider = _visit_scope(session, viewer)
        except GazetteError as exc:
            caregiver, provider, error = None, None, error or exc
        people = _people_on(session, provider["id"], day) if provider else []
        open_visits = _open_visits(session, caregiver["id"]) if caregiver else []
        raw = query.get("visit", "")
        if done and provider and raw.isdigit() and len(raw) < 18:
            result = _visit_result(session, int(raw), provider["id"], caregiver["id"] if caregiver else None)
    context = {"who": viewer, "caregiver": caregiver, "provider": provider, "day": day, "people": people,
               "open_visits": open_visits, "done": done if result else "", "result": result,
               "face_choices": FACE_CHOICES, "values": values or {}, "form_id": form_id,
               "default_time": f"{day.isoformat()}T{clock.now().strftime('%H:%M')}",
               "keys": {"in": new_key(viewer, "carein"), "out": new_key(viewer, "careout"),
                        "day": new_key(viewer, "careday")},
               "error": error_view(error) if error else None, "clause": care_params.BENEFIT_CLAUSE}
    return templates.TemplateResponse(request, "ltc/care/visits.html", context,
                                      status_code=http_status(error) if error else 200)


def _values(form) -> dict[str, Any]:
    values = {name: _field(form, name) for name in ("person_id", "at", "lat", "lon", "face", "visit_id", "day")}
    values["items"] = [str(code) for code in form.getlist("items")]
    return values


def _day_of(values: dict[str, Any]) -> dt.date | None:
    try:
        return service.moment(values.get("at")).date() if values.get("at") else None
    except GazetteError:
        return None


@router.get("/ltc/care/visits", response_class=HTMLResponse)
def visits_page(request: Request):
    return _visits_page(request, require(request, *VISIT_ROLES))


@router.post("/ltc/care/visits/checkin", response_class=HTMLResponse)
async def check_in(request: Request):
    viewer = require(request, Role.caregiver)
    form = await request.form()
    csrf(request, form)
    values, form_id = _values(form), _field(form, "form_id")[:40]
    try:
        key = form_key(viewer, form, "carein")
        if not viewer.unit:
            raise _no_provider()
        result = service.check_in({"certificate": viewer.unit, "person_id": values["person_id"], "at": values["at"],
                                   "lat": values["lat"], "lon": values["lon"], "face": values["face"]},
                                  key=key, actor=viewer.username)
    except GazetteError as exc:
        return _visits_page(request, viewer, error=exc, form_id=form_id, values=values, day=_day_of(values))
    return see_other(f"/ltc/care/visits?day={result['day']}&done=in&visit={result['visit_id']}")


@router.post("/ltc/care/visits/checkout", response_class=HTMLResponse)
async def check_out(request: Request):
    viewer = require(request, Role.caregiver)
    form = await request.form()
    csrf(request, form)
    values = _values(form)
    form_id = f"out-{values['visit_id'][:18]}"
    try:
        key = form_key(viewer, form, "careout")
        if not viewer.unit:
            raise _no_provider()
        # the command itself refuses another caregiver's visit (as if there were none)
        result = service.check_out({"visit_id": values["visit_id"], "at": values["at"], "items": values["items"],
                                    "certificate": viewer.unit}, key=key, actor=viewer.username)
    except GazetteError as exc:
        return _visits_page(request, viewer, error=exc, form_id=form_id, values=values, day=_day_of(values))
    return see_other(f"/ltc/care/visits?day={values['at'][:10]}&done=out&visit={result['visit_id']}")


@router.post("/ltc/care/visits/day", response_class=HTMLResponse)
async def record_day(request: Request):
    viewer = require(request, Role.provider_staff)
    form = await request.form()
    csrf(request, form)
    values = _values(form)
    form_id = f"day-{values['person_id'][:18]}"
    day = None
    try:
        key = form_key(viewer, form, "careday")
        person_id = validate.person_id(values["person_id"])
        day = validate.date(values["day"], "day")
        with unit_of_work() as session:
            _, own = _visit_scope(session, viewer)
            plan = handlers.plan_on(session, person_id, day)
        if plan is None or plan.provider_id != own["id"]:
            raise Conflict(f"{person_id} 在 {day} 没有本机构的护理计划", f"{person_id} has no care plan with this "
                           f"provider on {day}", field="person_id", code="no_care_plan")
        result = service.record_day({"person_id": person_id, "day": day.isoformat(), "items": values["items"]},
                                    key=key, actor=viewer.username)
    except GazetteError as exc:
        return _visits_page(request, viewer, error=exc, form_id=form_id, values=values, day=day)
    return see_other(f"/ltc/care/visits?day={day.isoformat()}&done=day&visit={result['visit_id']}")
