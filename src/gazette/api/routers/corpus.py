"""Corpus endpoints: issues, documents, clauses, status, relations, search, registers, export.

The gazette is public: every GET is open to anyone. Parsing and ingesting a file are for the
city administrator (docs/access-control.md). The ``/auth`` endpoints ride on this router.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from gazette.api.params import RowId
from gazette.auth.deps import require_roles
from gazette.auth.principal import Role
from gazette.corpus import service
from gazette.errors import InvalidInput
from gazette.store.db import unit_of_work

router = APIRouter(tags=["corpus"])
ADMIN = Depends(require_roles(Role.city_admin))
ADMIN_READ = Depends(require_roles(Role.city_admin, Role.auditor))


def _date(on: str | None) -> dt.date:
    if on is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(on)
    except ValueError as exc:
        raise InvalidInput(f"日期格式应为 YYYY-MM-DD：{on}", f"date must be YYYY-MM-DD: {on}", field="on") from exc


@router.get("/issues")
def list_issues() -> list[dict[str, Any]]:
    with unit_of_work() as session:
        return service.list_issues(session)


@router.get("/documents")
def list_documents() -> list[dict[str, Any]]:
    with unit_of_work() as session:
        return service.list_documents(session)


@router.get("/documents/{ident:path}/status")
def document_status(ident: str, on: str | None = None) -> dict[str, Any]:
    with unit_of_work() as session:
        return service.status(session, ident, _date(on)).to_dict()


@router.get("/documents/{ident:path}/relations")
def document_relations(ident: str) -> dict[str, Any]:
    with unit_of_work() as session:
        return service.relations(session, ident)


@router.get("/documents/{ident:path}/export")
def document_export(ident: str, format: str = Query("json", pattern="^(json|akn)$")) -> Response:
    with unit_of_work() as session:
        text = service.export(session, ident, format)
    media = "application/akn+xml" if format == "akn" else "application/json"
    return Response(content=text, media_type=media)


@router.get("/documents/{ident:path}")
def show_document(ident: str, on: str | None = None) -> dict[str, Any]:
    """A document (文号 in any variant, id or title) or a clause (`文号#path`, `#` encoded as %23)."""
    with unit_of_work() as session:
        return service.show(session, ident, _date(on))


@router.get("/status")
def status(id: str, on: str | None = None) -> dict[str, Any]:
    with unit_of_work() as session:
        return service.status(session, id, _date(on)).to_dict()


@router.get("/relations")
def relations(id: str) -> dict[str, Any]:
    with unit_of_work() as session:
        return service.relations(session, id)


@router.get("/search")
def search(
    q: str = Query(..., min_length=1, max_length=200),
    on: str | None = None,
    category: str | None = None,
    issuer: str | None = None,
    year: int | None = Query(default=None, ge=1, le=9999),
    status: str | None = None,
    limit: int = Query(10, ge=1, le=100),
) -> dict[str, Any]:
    filters = {k: v for k, v in (("category", category), ("issuer", issuer), ("year", year), ("status", status)) if v}
    with unit_of_work() as session:
        return service.search(session, q, _date(on), filters, limit)


@router.get("/personnel")
def personnel(person: str | None = None, month: str | None = None) -> list[dict[str, Any]]:
    with unit_of_work() as session:
        return service.personnel(session, person, month)


@router.get("/catalog")
def catalog(issue: str | None = None) -> list[dict[str, Any]]:
    with unit_of_work() as session:
        return service.catalog(session, issue)


@router.get("/tasks")
def tasks(document: str | None = None, unit: str | None = None) -> list[dict[str, Any]]:
    with unit_of_work() as session:
        return service.tasks(session, document, unit)


@router.post("/parse", dependencies=[ADMIN])
async def parse(file: UploadFile) -> dict[str, Any]:
    """Parse an uploaded gazette file; stores nothing. The parse runs in a worker process within the
    time budget (GAZETTE_PARSE_TIMEOUT_SECONDS); the body is limited to GAZETTE_MAX_UPLOAD_BYTES."""
    from gazette.api import workers

    data = await file.read()
    return Response(content=await workers.parse_json(data, file.filename), media_type="application/json")


@router.post("/ingest", status_code=201, dependencies=[ADMIN])
async def ingest(file: UploadFile, force: bool = Query(False, description="replace even if the stored issue "
                                                                          "would lose documents, clauses or dates")
                 ) -> dict[str, Any]:
    """Parse (in a worker process) and store an uploaded gazette file (one transaction). A replacement
    that would lose stored content is refused (409 ``ingest_would_lose_content``) unless ``force``; the
    replaced version is kept (``GET /api/v1/sources/versions``)."""
    from gazette.api import workers

    data = await file.read()
    filename = file.filename or "upload.txt"

    def store(parsed) -> dict[str, Any]:
        with unit_of_work() as session:
            return service.ingest_bytes(session, data, filename, force=force, parsed=parsed).to_dict()

    try:
        parsed = await workers.parse(data, file.filename)
        return await run_in_threadpool(store, parsed)
    except InvalidInput as exc:  # ingest never refuses a file it cannot read: it says why, stores nothing
        if exc.code not in service.UNREADABLE_CODES:
            raise
        return JSONResponse(service.skipped_report(filename, exc), status_code=200)


@router.get("/sources/versions", dependencies=[ADMIN_READ])
def source_versions(key: str | None = Query(None, max_length=200)) -> list[dict[str, Any]]:
    """Every kept version of the ingested sources (newest first)."""
    from gazette.corpus import repository

    with unit_of_work() as session:
        return repository.versions(session, key)


@router.post("/sources/versions/{version_id}/restore", dependencies=[ADMIN])
def restore_version(version_id: RowId) -> dict[str, Any]:
    """Put a kept version back in place of the current one (itself kept as a version)."""
    with unit_of_work() as session:
        return service.restore(session, version_id).to_dict()
