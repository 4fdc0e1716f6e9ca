"""Corpus use cases, shared by the CLI, the API and the web pages: ingest, show, status,
relations, personnel, catalog, tasks, search and export.  Each takes a Session; the caller
owns the transaction (``with unit_of_work() as session``)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from gazette.corpus import repository as repo
from gazette.corpus.docnumber import canonical_id
from gazette.corpus.model import RelationType, Window
from gazette.corpus.validity import RepealInfo, Status, clause_status, document_status
from gazette.errors import GazetteError, InvalidInput, NotFound

INVERSE = {RelationType.issues: RelationType.issued_by, RelationType.interprets: RelationType.interpreted_by,
           RelationType.repeals: RelationType.repealed_by, RelationType.cites: RelationType.cited_by}


def ingest_file(session: Session, path: Path, *, force: bool = False) -> repo.IngestReport:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidInput(f"无法读取文件：{path}", f"cannot read file: {path} ({exc.strerror})", field="file") from exc
    return ingest_bytes(session, data, str(path), force=force)


#: Input the parser cannot read at all (no document in it, empty, binary, a PDF without text…).
#: Ingest never refuses over such a file: the edges report it as skipped, with the reason.
UNREADABLE_CODES = frozenset({"nothing_to_ingest", "empty_input", "binary_input", "pdf_input", "pdf_no_text_layer",
                              "pdf_unreadable", "undecodable_input"})


def skipped_report(filename: str, error: GazetteError) -> dict[str, Any]:
    """What ingest says of a file it could not read: nothing stored, and why (in both languages)."""
    return {"filename": filename, "key": "", "outcome": "skipped", "documents": 0, "clauses": 0, "relations": 0,
            "warnings": [{"code": error.code, "message": error.message_en, "message_zh": error.message_zh}]}


def ingest_bytes(session: Session, data: bytes, filename: str, *, force: bool = False,
                 parsed=None) -> repo.IngestReport:
    """Parse (unless ``parsed`` is given: the API parses in a worker process) and store. A
    replacement that would lose stored documents, clauses or dates is refused unless ``force``."""
    if parsed is None:
        from gazette.corpus.parse import parse_bytes  # here: `gazette show` / `status` need no parser

        parsed = parse_bytes(data, filename=filename)
    result = parsed
    if not result.documents and result.issue is None:
        raise InvalidInput(
            "未在输入中找到公报文件（没有文号行或标题）",
            "no gazette document found in the input (no 文号 line, no title)",
            field="file",
            code="nothing_to_ingest",
        )
    return repo.store_parse(session, result, data, Path(filename).name, force=force)


def restore(session: Session, version_id: int) -> repo.IngestReport:
    """Put a kept version of a source back (a forced ingest of its bytes: it is what was there)."""
    v = repo.version_data(session, version_id)
    if v is None:
        raise NotFound("版本 / version", str(version_id))
    if v.data is None:
        raise InvalidInput("该版本入库早于版本留存，无法恢复（请重新导入原文件）",
                           "this version was ingested before versions were kept: ingest its file again",
                           field="version_id", code="version_not_restorable")
    return ingest_bytes(session, v.data, v.filename, force=True)


# --- identity --------------------------------------------------------------------------------


def resolve(session: Session, ident: str) -> tuple[str, Any]:
    """→ ("document", DocumentRow) | ("clause", ClauseRow) | ("external", id) for a cited-only id."""
    if not ident or not ident.strip():
        raise InvalidInput("请给出文号、条款编号或标题", "give a 文号, a clause id or a title", field="id")
    canon = canonical_id(ident)
    if "#" in canon:
        row = repo.clause(session, canon)
        if row is None:
            doc = repo.find_document(session, canon.split("#", 1)[0])
            if doc is not None:
                row = repo.clause(session, f"{doc.id}#{canon.split('#', 1)[1]}")
        if row is None:
            raise NotFound("条款 / clause", canon)
        return "clause", row
    doc = repo.find_document(session, canon)
    if doc is not None:
        return "document", doc
    if repo.relations_to(session, [canon]):
        return "external", canon
    raise NotFound("文件 / document", canon)


# --- show ------------------------------------------------------------------------------------


def show(session: Session, ident: str, on: dt.date | None = None) -> dict[str, Any]:
    kind, row = resolve(session, ident)
    on = on or dt.date.today()
    if kind == "document":
        out = dict(row.data)
        out["kind"] = "document"
        out["status"] = _document_status(session, row, on).to_dict()
        out["relations"] = relations(session, row.id)
        out["parse_warnings"] = document_warnings(session, row)
        return out
    if kind == "clause":
        doc = repo.find_document(session, row.document_id)
        children = [c for c in repo.clauses_of(session, row.document_id) if c.parent_id == row.id]
        return {
            "kind": "clause",
            "id": row.id,
            "document": row.document_id,
            "doc_number": doc.doc_number if doc else None,
            "document_title": doc.title if doc else None,
            "path": row.path,
            "label": row.label,
            "heading": row.heading,
            "text": row.text,
            "windows": row.data.get("windows", []),
            "children": [c.id for c in children],
            "status": status(session, row.id, on).to_dict(),
        }
    return {
        "kind": "external",
        "id": row,
        "printed": False,
        "status": status(session, row, on).to_dict(),
        "relations": relations(session, row),
    }


# --- status ----------------------------------------------------------------------------------


def _repeals_of(session: Session, ids: list[str]) -> list[RepealInfo]:
    return [
        RepealInfo(by=r.source, on=r.effective, evidence=r.evidence)
        for r in repo.relations_to(session, ids)
        if r.type == RelationType.repeals
    ]


def _document_status(session: Session, row, on: dt.date) -> Status:
    ids = [row.id] + ([row.doc_number] if row.doc_number and row.doc_number != row.id else [])
    evidence = (row.data or {}).get("validity_evidence", {})
    return document_status(row.id, on, row.effective_from, row.effective_until, _repeals_of(session, ids), evidence)


def status(session: Session, ident: str, on: dt.date) -> Status:
    kind, row = resolve(session, ident)
    if kind == "document":
        return _document_status(session, row, on)
    if kind == "clause":
        doc = repo.find_document(session, row.document_id)
        doc_status = _document_status(session, doc, on)
        levels = [row] + repo.clause_ancestors(session, row)
        windows = [[_window(w) for w in level.data.get("windows", [])] for level in levels]
        return clause_status(row.id, on, doc_status, windows)
    return document_status(row, on, None, None, _repeals_of(session, [row]), printed=False)


def _window(w: dict) -> Window:
    return Window(
        effective_from=dt.date.fromisoformat(w["effective_from"]) if w.get("effective_from") else None,
        effective_until=dt.date.fromisoformat(w["effective_until"]) if w.get("effective_until") else None,
        evidence=w.get("evidence", ""),
        scope=w.get("scope"),
        partial=bool(w.get("partial")),
    )


# --- relations -------------------------------------------------------------------------------


def relations(session: Session, ident: str) -> dict[str, Any]:
    kind, row = resolve(session, ident)
    if kind == "clause":  # a clause shares its document's relations
        kind, row = "document", repo.find_document(session, row.document_id)
    if kind == "document":
        ids = [row.id] + ([row.doc_number] if row.doc_number and row.doc_number != row.id else [])
        issued = [f"《{row.issued_title}》"] if row.issued_title else []
        titles = [f"《{row.title}》"]
        me = row.id
    else:
        ids, issued, titles, me = [row], [], [], row
    outgoing = [_rel(r, r.type) for r in repo.relations_from(session, me)]
    incoming = [
        _rel(r, INVERSE.get(r.type, r.type), other=r.source)
        for r in repo.relations_to(session, ids + issued + titles)
        if r.source != me
    ]
    return {"id": me, "outgoing": outgoing, "incoming": incoming}


def _rel(r, label: str, other: str | None = None) -> dict[str, Any]:
    return {
        "type": label,
        "source": r.source,
        "target": r.target,
        "other": other or r.target,
        "target_title": r.target_title,
        "evidence": r.evidence,
        "effective": r.effective.isoformat() if r.effective else None,
    }


# --- registers -------------------------------------------------------------------------------


def personnel(session: Session, person: str | None = None, month: str | None = None) -> list[dict]:
    return [
        {"action": p.action, "person": p.person, "positions": p.positions, "month": p.month, "note": p.note,
         "issue": p.issue_id, "text": p.text}
        for p in repo.personnel(session, person, month)
    ]


def catalog(session: Session, issue_id: str | None = None) -> list[dict]:
    return [
        {"catalog": c.catalog, "doc_number": c.doc_number, "title": c.title, "printed": c.printed,
         "document": c.document_id, "issue": c.issue_id}
        for c in repo.catalog(session, issue_id)
    ]


def tasks(session: Session, document: str | None = None, unit: str | None = None) -> list[dict]:
    doc_id = None
    if document:
        kind, row = resolve(session, document)
        doc_id = row.id if kind == "document" else None
    return [
        {"id": t.id, "document": t.document_id, "clause": t.clause_id, "text": t.text, "units": t.units,
         "deadlines": t.deadlines, "targets": t.targets}
        for t in repo.tasks(session, doc_id, unit)
    ]


def list_issues(session: Session) -> list[dict]:
    return [
        {"id": i.id, "title": i.title, "year": i.year, "number": i.number, "cumulative_number": i.cumulative_number,
         "published": i.published.isoformat() if i.published else None, "toc": i.data.get("toc", []),
         "sponsor": i.data.get("sponsor", {})}
        for i in repo.issues(session)
    ]


def list_documents(session: Session) -> list[dict]:
    return [
        {"id": d.id, "doc_number": d.doc_number, "title": d.title, "category": d.category, "issuer": d.issuer,
         "issue": d.issue_id, "signed": d.signed.isoformat() if d.signed else None, "page": d.page}
        for d in repo.documents(session)
    ]


# --- export ----------------------------------------------------------------------------------


def export(session: Session, ident: str, fmt: str) -> str:
    import json

    from gazette.corpus import akn

    if fmt not in ("json", "akn"):
        raise InvalidInput(f"不支持的导出格式：{fmt}", f"unsupported export format: {fmt} (json or akn)", field="format")
    issue = next((i for i in list_issues(session) if i["id"] == ident.strip()), None)
    if issue is not None:
        docs = [repo.find_document(session, d["id"]).data for d in list_documents(session) if d["issue"] == issue["id"]]
        if fmt == "json":
            return json.dumps({"issue": issue, "documents": docs}, ensure_ascii=False, indent=2)
        return akn.to_string(akn.issue_xml(issue, docs))
    kind, row = resolve(session, ident)
    if kind != "document":
        raise InvalidInput("只能导出整份文件或整期公报", "only a whole document or a whole issue can be exported", field="id")
    data = dict(row.data)
    if fmt == "json":
        data["relations"] = relations(session, row.id)
        return json.dumps(data, ensure_ascii=False, indent=2)
    repeals = [
        {"source": r.source, "effective": r.effective.isoformat() if r.effective else None, "evidence": r.evidence}
        for r in repo.relations_to(session, [row.id] + ([row.doc_number] if row.doc_number else []))
        if r.type == RelationType.repeals
    ]
    publication = next((i for i in list_issues(session) if i["id"] == row.issue_id), None)
    return akn.to_string(akn.document_xml(data, repeals, publication))


# --- search ----------------------------------------------------------------------------------


def search_documents(session: Session) -> list:
    from gazette.corpus.indexing import from_row

    return [from_row(row, repo.clauses_of(session, row.id)) for row in repo.documents(session)]


def search_index(session: Session):
    from gazette.search.index import SearchIndex
    from gazette.settings import get_settings

    index = SearchIndex(get_settings().resolved_search_index_dir())
    fp = repo.fingerprint(session)
    if index.fingerprint() != fp:
        index.rebuild(search_documents(session), fp)
    return index


def search(
    session: Session, query: str, on: dt.date | None = None, filters: dict | None = None, limit: int = 10,
    offset: int = 0,
) -> dict[str, Any]:
    on = on or dt.date.today()
    filters = dict(filters or {})
    wanted_status = filters.pop("status", None)
    if wanted_status and wanted_status not in ("not_yet_in_force", "in_force", "expired", "repealed"):
        raise InvalidInput(f"未知状态：{wanted_status}", f"unknown status: {wanted_status}", field="status")
    index = search_index(session)
    if offset < 0 or limit < 1:
        raise InvalidInput("分页参数无效", "offset must be ≥ 0 and limit ≥ 1", field="offset")
    wanted = limit + offset
    result = index.search(query, limit=max(wanted, 200) if wanted_status else max(wanted, 50), filters=filters or None)
    hits = []
    status_facet: dict[str, int] = {}
    for hit in result.hits:
        row = repo.find_document(session, hit.id)
        st = _document_status(session, row, on).status if row is not None else "in_force"
        status_facet[st] = status_facet.get(st, 0) + 1
        if wanted_status and st != wanted_status:
            continue
        hits.append(
            {"id": hit.id, "doc_number": hit.doc_number, "title": hit.title, "score": round(float(hit.score), 4),
             "snippet": hit.snippet, "clause": hit.clause, "category": hit.category, "issuer": hit.issuer,
             "year": hit.year, "status": st}
        )
    facets = dict(result.facets)
    facets["status"] = status_facet
    return {"query": query, "on": on.isoformat(), "total": len(hits) if wanted_status else result.total,
            "hits": hits[offset:offset + limit], "facets": facets,
            "relaxed": result.relaxed, "suggestions": result.suggestions}


def issue_warnings(session: Session, issue_id: str) -> list[dict[str, str]]:
    """What the parser flagged when it read an issue (TOC entries not reconciled, scrambled text …)."""
    row = next((r for r in repo.issues(session) if r.id == issue_id), None)
    if row is None:
        raise NotFound("公报期次", issue_id)
    source = session.get(repo.SourceRow, row.source_id)
    return [{"code": str(w.get("code")), "message": str(w.get("message"))}
            for w in ((source.parse or {}).get("warnings") or [] if source is not None else [])]


def document_warnings(session: Session, row) -> list[dict[str, str]]:
    """What the parser could not read in a document's source: all of it for a single document,
    the warnings naming the document for an issue."""
    source = session.get(repo.SourceRow, row.source_id)
    found = ((source.parse or {}).get("warnings") or []) if source is not None else []
    single = source is not None and source.kind == "document"
    return [{"code": str(w.get("code")), "message": str(w.get("message"))} for w in found
            if single or row.id in str(w.get("message")) or (row.doc_number and row.doc_number in str(w.get("message")))]
