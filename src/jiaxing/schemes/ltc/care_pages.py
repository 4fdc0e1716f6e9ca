"""Web pages of the care half: the person's statement (``/ltc/care/me``), providers with their stars for
people choosing (``/ltc/care/providers``), the provider's claims (``/ltc/care/provider``) and the
officer's review queue (``/ltc/care/review``). Thin over :mod:`.care.queries` and :mod:`.care.service`;
forms are POSTs with the session's CSRF token and a per-form idempotency key. The daily work (plan,
visits) is in :mod:`.care_work_pages`, the officer's month in :mod:`.care_month_pages`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from gazette.api.problems import http_status
from gazette.auth.principal import Principal, Role
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.schemes.ltc.care import queries, service
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)
REVIEWERS = (Role.insurance_officer, Role.auditor)


@router.get("/ltc/care/me", response_class=HTMLResponse)
def me(request: Request):
    viewer = require(request, Role.citizen)
    with unit_of_work() as session:
        try:
            statement = queries.statement(session, viewer.person_id or "")
        except GazetteError:  # no plan and no settlement yet: the page says so
            statement = None
    return templates.TemplateResponse(request, "ltc/care/me.html", {"who": viewer, "st": statement})


@router.get("/ltc/care/providers", response_class=HTMLResponse)
def providers(request: Request):
    with unit_of_work() as session:
        rows = queries.providers_for_choosing(session, request.query_params.get("district") or None)
    return templates.TemplateResponse(request, "ltc/care/providers.html", {"providers": rows})


@router.get("/ltc/care/provider", response_class=HTMLResponse)
def provider(request: Request):
    viewer = require(request, Role.provider_staff)
    with unit_of_work() as session:
        provider_id = session.execute(text("SELECT id FROM ltc_providers WHERE code = :code"),
                                      {"code": viewer.unit or ""}).scalar()
        view = queries.provider_view(session, int(provider_id)) if provider_id is not None else None
    if view is None:
        return templates.TemplateResponse(request, "ltc/care/providers.html", {"providers": []}, status_code=404)
    return templates.TemplateResponse(request, "ltc/care/provider.html", {"who": viewer, "v": view})


def _review(request: Request, viewer: Principal, *, error: GazetteError | None = None, done: str | None = None,
            status_code: int = 200):
    district = None if viewer.role == Role.auditor else viewer.district
    with unit_of_work() as session:
        queue = queries.review_queue(session, district)
    context = {"who": viewer, "q": queue, "can_decide": viewer.role == Role.insurance_officer,
               "key": new_key(viewer, "decide"), "error": error_view(error) if error else None, "done": done}
    return templates.TemplateResponse(request, "ltc/care/review.html", context, status_code=status_code)


@router.get("/ltc/care/review", response_class=HTMLResponse)
def review(request: Request):
    viewer = require(request, *REVIEWERS)
    done = {"confirmed": "已确认，将在下月结算中核减。Confirmed: it will be deducted next month.",
            "dismissed": "已排除。Dismissed."}.get(request.query_params.get("done") or "")
    return _review(request, viewer, done=done)


@router.post("/ltc/care/review/decide", response_class=HTMLResponse)
async def decide(request: Request):
    viewer = require(request, Role.insurance_officer)
    form = await request.form()
    csrf(request, form)
    try:
        result = service.decide({"finding_id": str(form.get("finding_id", "")),
                                 "decision": str(form.get("decision", "")), "note": str(form.get("note", ""))},
                                key=form_key(viewer, form, "decide"), actor=viewer.username,
                                district=viewer.district)
    except GazetteError as exc:
        return _review(request, viewer, error=exc, status_code=http_status(exc))
    return see_other(f"/ltc/care/review?done={result['status']}")
