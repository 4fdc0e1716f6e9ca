"""The gazette reader: issues and their contents, a document with clause anchors and status on
a chosen date, relations both ways, and full-text search with facets and highlighted snippets."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from gazette.corpus import service
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from gazette.web.templating import templates

router = APIRouter(include_in_schema=False)

def _on(request: Request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.query_params.get("on", ""))
    except ValueError:
        return dt.date.today()


def _error(request: Request, exc: GazetteError) -> HTMLResponse:
    return templates.TemplateResponse(request, "error.html", {"error": exc}, status_code=exc.status)


@router.get("/", response_class=HTMLResponse)
def home(request: Request):
    with unit_of_work() as session:
        issues = service.list_issues(session)
        documents = service.list_documents(session)
    by_issue: dict[str, list[dict]] = {}
    for d in documents:
        by_issue.setdefault(d["issue"] or "", []).append(d)
    return templates.TemplateResponse(request, "home.html", {"issues": issues, "by_issue": by_issue})


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", category: str | None = None, status: str | None = None):
    on = _on(request)
    result = None
    if q.strip():
        filters = {k: v for k, v in (("category", category), ("status", status)) if v}
        try:
            with unit_of_work() as session:
                result = service.search(session, q, on, filters, 20)
        except GazetteError as exc:
            return _error(request, exc)
    return templates.TemplateResponse(request, "search.html", {"q": q, "result": result, "on": on.isoformat()})


@router.get("/documents/{ident:path}", response_class=HTMLResponse)
def document_page(request: Request, ident: str):
    on = _on(request)
    try:
        with unit_of_work() as session:
            data = service.show(session, ident, on)
    except GazetteError as exc:
        return _error(request, exc)
    return templates.TemplateResponse(request, "document.html", {"doc": data, "on": on.isoformat()})
