"""Web pages of the care half: the person's statement (``/ltc/care/me``), providers with their stars for
people choosing (``/ltc/care/providers``), the provider's claims (``/ltc/care/provider``) and the
officer's review queue (``/ltc/care/review``). Thin over :mod:`.care.queries` and :mod:`.care.service`;
forms are POSTs with the session's CSRF token and a per-form idempotency key."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gazette.api.problems import http_status
from gazette.auth.principal import Role
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from gazette.web.templating import templates
from jiaxing.web.self_service import csrf, error_view, form_key, new_key, require, see_other

router = APIRouter(include_in_schema=False)
REVIEWERS = (Role.insurance_officer, Role.auditor)


@router.get("/ltc/care/me", response_class=HTMLResponse)
def me(request: Request):
    p = require(request, Role.citizen)
    from jiaxing.schemes.ltc.care import queries

    st = None
    with unit_of_work() as s:
        try:
            st = queries.statement(s, p.person_id or "")
        except GazetteError:
            st = None
    return templates.TemplateResponse(request, "ltc/care/me.html", {"who": p, "st": st})


@router.get("/ltc/care/providers", response_class=HTMLResponse)
def providers(request: Request):
    from jiaxing.schemes.ltc.care import queries

    with unit_of_work() as s:
        rows = queries.providers_for_choosing(s, request.query_params.get("district") or None)
    return templates.TemplateResponse(request, "ltc/care/providers.html", {"providers": rows})


@router.get("/ltc/care/provider", response_class=HTMLResponse)
def provider(request: Request):
    p = require(request, Role.provider_staff)
    from sqlalchemy import text

    from jiaxing.schemes.ltc.care import queries

    with unit_of_work() as s:
        pid = s.execute(text("SELECT id FROM ltc_providers WHERE code = :c"), {"c": p.unit or ""}).scalar()
        v = queries.provider_view(s, int(pid)) if pid is not None else None
    if v is None:
        return templates.TemplateResponse(request, "ltc/care/providers.html", {"providers": []}, status_code=404)
    return templates.TemplateResponse(request, "ltc/care/provider.html", {"who": p, "v": v})


def _review(request: Request, p, *, error: GazetteError | None = None, done: str | None = None, status_code=200):
    from jiaxing.schemes.ltc.care import queries

    district = None if p.role == Role.auditor else p.district
    with unit_of_work() as s:
        q = queries.review_queue(s, district)
    ctx = {"who": p, "q": q, "can_decide": p.role == Role.insurance_officer, "key": new_key(p, "decide"),
           "error": error_view(error) if error else None, "done": done}
    return templates.TemplateResponse(request, "ltc/care/review.html", ctx, status_code=status_code)


@router.get("/ltc/care/review", response_class=HTMLResponse)
def review(request: Request):
    p = require(request, *REVIEWERS)
    done = {"confirmed": "已确认，将在下月结算中核减。Confirmed: it will be deducted next month.",
            "dismissed": "已排除。Dismissed."}.get(request.query_params.get("done") or "")
    return _review(request, p, done=done)


@router.post("/ltc/care/review/decide", response_class=HTMLResponse)
async def decide(request: Request):
    p = require(request, Role.insurance_officer)
    form = await request.form()
    csrf(request, form)
    from jiaxing.schemes.ltc.care import service

    try:
        r = service.decide({"finding_id": str(form.get("finding_id", "")), "decision": str(form.get("decision", "")),
                            "note": str(form.get("note", ""))}, key=form_key(p, form, "decide"), actor=p.username,
                           district=p.district)
    except GazetteError as exc:
        return _review(request, p, error=exc, status_code=http_status(exc))
    return see_other(f"/ltc/care/review?done={r['status']}")
