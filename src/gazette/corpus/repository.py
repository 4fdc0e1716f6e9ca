"""The corpus repository: store a parse, and read documents, clauses, relations and registers.

Every write happens inside the caller's unit of work (one transaction per ingest), and each
source's rows are replaced as a whole, so an ingest either lands completely or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from gazette.corpus.model import ParseResult
from gazette.store.corpus_models import (
    CatalogRow,
    ClauseRow,
    DocumentRow,
    IssueRow,
    PersonnelRow,
    RelationRow,
    SourceRow,
    SourceVersionRow,
    TaskRow,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


@dataclass
class IngestReport:
    filename: str
    key: str
    outcome: str  # created | replaced | unchanged
    documents: int = 0
    clauses: int = 0
    relations: int = 0
    warnings: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return self.__dict__.copy()


def source_key(result: ParseResult) -> str | None:
    if result.issue is not None:
        return f"issue:{result.issue.id}"
    if result.documents:
        return f"document:{result.documents[0].id}"
    return None


def losses(session: Session, existing: SourceRow, result: ParseResult) -> dict[str, list[str]]:
    """What replacing ``existing`` with ``result`` would lose: documents, clauses, and dates that are
    set now and would become empty (the issue's publication date, a document's dates)."""
    old_docs = {d.id: d for d in session.scalars(select(DocumentRow).where(DocumentRow.source_id == existing.id))}
    new_docs = {d.id: d for d in result.documents}
    old_clauses = set(session.scalars(select(ClauseRow.id).where(ClauseRow.document_id.in_(list(old_docs)))))
    new_clauses = {c.id for d in result.documents for c, _ in _walk(d.clauses, None)}
    dates = []
    old_issue = session.scalar(select(IssueRow).where(IssueRow.source_id == existing.id))
    if old_issue is not None and old_issue.published is not None and (
            result.issue is None or result.issue.published is None):
        dates.append(f"{old_issue.id}: published")
    for did, old in old_docs.items():
        new = new_docs.get(did)
        if new is None:
            continue
        for attr in ("signed", "effective_from", "effective_until"):
            if getattr(old, attr) is not None and getattr(new, attr, None) is None:
                dates.append(f"{did}: {attr}")
    return {"documents": sorted(set(old_docs) - set(new_docs)), "clauses": sorted(old_clauses - new_clauses),
            "dates": dates}


def store_parse(session: Session, result: ParseResult, data: bytes, filename: str, *,
                force: bool = False) -> IngestReport:
    """Store a parse, replacing the source's earlier version (if any) as a whole.

    A replacement that would lose documents, clauses or dates of the stored version is refused
    (409 ``ingest_would_lose_content``, with the losses) unless ``force``; every version ingested is
    kept in ``corpus_source_versions`` so a replaced one can be restored.
    """
    key = source_key(result)
    sha = hashlib.sha256(data).hexdigest()
    report = IngestReport(filename=filename, key=key or "", outcome="created", warnings=[w.to_dict() for w in result.warnings])
    existing = session.scalar(select(SourceRow).where(SourceRow.key == key))
    if existing is not None and existing.sha256 == sha:
        report.outcome = "unchanged"
        report.documents = len(result.documents)
        return report
    lost = losses(session, existing, result) if existing is not None else {}
    if any(lost.values()) and not force:
        from gazette.errors import Conflict

        n = {k: len(v) for k, v in lost.items()}
        raise Conflict(
            f"新文件将丢失已入库内容（文件 {n['documents']} 件、条款 {n['clauses']} 条、日期 {n['dates']} 项），"
            "已拒绝；确认无误请强制导入（--force）",
            f"the new file would lose stored content ({n['documents']} documents, {n['clauses']} clauses, "
            f"{n['dates']} dates): refused; ingest with force to replace anyway",
            field="file", code="ingest_would_lose_content",
            details={k: v[:50] for k, v in lost.items()} | {"counts": n, "key": key})
    session.add(SourceVersionRow(key=key or "", sha256=sha, filename=filename[:500], ingested_at=dt.datetime.now(SHANGHAI),
                                 data=data, parse=result.to_dict(), forced=bool(force and any(lost.values())),
                                 losses=lost if any(lost.values()) else None))
    if existing is not None:
        _delete_source(session, existing.id)
        session.delete(existing)
        session.flush()
        report.outcome = "replaced"
    source = SourceRow(
        key=key,
        sha256=sha,
        filename=filename,
        kind="issue" if result.issue else "document",
        ingested_at=dt.datetime.now(SHANGHAI),
        parse=result.to_dict(),
    )
    session.add(source)
    session.flush()
    issue_id = result.issue.id if result.issue else None
    if result.issue:
        session.add(
            IssueRow(
                id=result.issue.id,
                source_id=source.id,
                title=result.issue.title,
                year=result.issue.year,
                number=result.issue.number,
                cumulative_number=result.issue.cumulative_number,
                published=result.issue.published,
                data={"sponsor": result.issue.sponsor, "toc": [t.to_dict() for t in result.toc]},
            )
        )
    stored_docs: set[str] = set()
    for position, doc in enumerate(result.documents):
        clash = session.get(DocumentRow, doc.id)
        if clash is None and doc.doc_number:
            clash = session.scalar(select(DocumentRow).where(DocumentRow.doc_number == doc.doc_number))
        if clash is not None:
            report.warnings.append(
                {"code": "already_in_corpus", "message": f"{doc.id} is already in the corpus from another source; kept the earlier copy"}
            )
            continue
        stored_docs.add(doc.id)
        session.add(
            DocumentRow(
                id=doc.id,
                source_id=source.id,
                issue_id=issue_id,
                doc_number=doc.doc_number,
                title=doc.title,
                issued_title=doc.issued_title,
                category=doc.category,
                issuer=doc.issuer,
                signed=doc.signed,
                effective_from=doc.effective_from,
                effective_until=doc.effective_until,
                page=doc.page,
                position=position,
                text=doc.text,
                data=doc.to_dict(),
            )
        )
        report.documents += 1
    session.flush()
    for doc in result.documents:
        if doc.id not in stored_docs:
            continue
        position = 0
        for clause, parent in _walk(doc.clauses, None):
            session.add(
                ClauseRow(
                    id=clause.id,
                    document_id=doc.id,
                    path=clause.path,
                    parent_id=parent,
                    position=position,
                    label=clause.label,
                    heading=clause.heading,
                    text=clause.text,
                    effective_from=min((w.effective_from for w in clause.windows if w.effective_from and not w.partial), default=None),
                    effective_until=min((w.effective_until for w in clause.windows if w.effective_until and not w.partial), default=None),
                    data={"windows": [w.to_dict() for w in clause.windows], "kind": clause.kind, "span": list(clause.span) if clause.span else None},
                )
            )
            position += 1
            report.clauses += 1
    seen_relations = {
        (r.type, r.source, r.target)
        for r in session.execute(select(RelationRow.type, RelationRow.source, RelationRow.target))
    }
    for rel in result.relations:
        if rel.source not in stored_docs or (rel.type, rel.source, rel.target) in seen_relations:
            continue
        seen_relations.add((rel.type, rel.source, rel.target))
        session.add(
            RelationRow(
                source_id=source.id,
                type=rel.type,
                source=rel.source,
                target=rel.target,
                target_title=rel.target_title,
                evidence=rel.evidence,
                effective=rel.effective,
            )
        )
        report.relations += 1
    for p in result.personnel:
        session.add(
            PersonnelRow(
                source_id=source.id, issue_id=issue_id, month=p.month, action=p.action, person=p.person,
                positions=p.positions, note=p.note, text=p.text,
            )
        )
    for c in result.catalog:
        session.add(
            CatalogRow(
                source_id=source.id, issue_id=issue_id, catalog=c.catalog, doc_number=c.doc_number, title=c.title,
                printed=c.printed, document_id=c.document,
            )
        )
    for t in result.tasks:
        if t.document not in stored_docs:
            continue
        session.add(
            TaskRow(
                id=t.id, source_id=source.id, document_id=t.document, clause_id=t.clause, text=t.text,
                units=t.units, deadlines=t.deadlines, targets=t.targets,
            )
        )
    session.flush()
    return report


def _walk(clauses, parent):
    for c in clauses:
        yield c, parent
        yield from _walk(c.children, c.id)


def _delete_source(session: Session, source_id: int) -> None:
    doc_ids = select(DocumentRow.id).where(DocumentRow.source_id == source_id)
    session.execute(delete(ClauseRow).where(ClauseRow.document_id.in_(doc_ids)))
    for table in (TaskRow, RelationRow, PersonnelRow, CatalogRow, DocumentRow, IssueRow):
        session.execute(delete(table).where(table.source_id == source_id))


# --- reading ---------------------------------------------------------------------------------


def find_document(session: Session, ident: str) -> DocumentRow | None:
    row = session.get(DocumentRow, ident)
    if row is not None:
        return row
    row = session.scalar(select(DocumentRow).where(DocumentRow.doc_number == ident))
    if row is not None:
        return row
    title = ident.strip().removeprefix("《").removesuffix("》")
    return session.scalar(
        select(DocumentRow).where(or_(DocumentRow.title == title, DocumentRow.issued_title == title)).order_by(DocumentRow.id)
    )


def clause(session: Session, clause_id: str) -> ClauseRow | None:
    return session.get(ClauseRow, clause_id)


def clause_ancestors(session: Session, row: ClauseRow) -> list[ClauseRow]:
    out = []
    parent = row.parent_id
    while parent:
        p = session.get(ClauseRow, parent)
        if p is None:
            break
        out.append(p)
        parent = p.parent_id
    return out


def clauses_of(session: Session, document_id: str) -> list[ClauseRow]:
    return list(session.scalars(select(ClauseRow).where(ClauseRow.document_id == document_id).order_by(ClauseRow.position)))


def relations_from(session: Session, ident: str) -> list[RelationRow]:
    return list(session.scalars(select(RelationRow).where(RelationRow.source == ident).order_by(RelationRow.id)))


def relations_to(session: Session, idents: list[str]) -> list[RelationRow]:
    return list(session.scalars(select(RelationRow).where(RelationRow.target.in_(idents)).order_by(RelationRow.id)))


def documents(session: Session) -> list[DocumentRow]:
    return list(session.scalars(select(DocumentRow).order_by(DocumentRow.issue_id, DocumentRow.position)))


def issues(session: Session) -> list[IssueRow]:
    return list(session.scalars(select(IssueRow).order_by(IssueRow.year, IssueRow.number)))


def personnel(session: Session, person: str | None = None, month: str | None = None) -> list[PersonnelRow]:
    q = select(PersonnelRow).order_by(PersonnelRow.month, PersonnelRow.id)
    if person:
        q = q.where(PersonnelRow.person == person)
    if month:
        q = q.where(PersonnelRow.month == month)
    return list(session.scalars(q))


def catalog(session: Session, issue_id: str | None = None) -> list[CatalogRow]:
    q = select(CatalogRow).order_by(CatalogRow.id)
    if issue_id:
        q = q.where(CatalogRow.issue_id == issue_id)
    return list(session.scalars(q))


def tasks(session: Session, document_id: str | None = None, unit: str | None = None) -> list[TaskRow]:
    q = select(TaskRow).order_by(TaskRow.id)
    if document_id:
        q = q.where(TaskRow.document_id == document_id)
    rows = list(session.scalars(q))
    if unit:
        rows = [r for r in rows if any(unit in u for u in r.units)]
    return rows


def fingerprint(session: Session) -> str:
    """What the corpus is made of: changes whenever a source is added, replaced or removed."""
    shas = sorted(session.scalars(select(SourceRow.sha256)))
    count = session.scalar(select(func.count()).select_from(DocumentRow)) or 0
    return hashlib.sha256(("|".join(shas) + f"#{count}").encode()).hexdigest()


def versions(session: Session, key: str | None = None) -> list[dict]:
    """The kept versions (newest first), without their bytes."""
    q = select(SourceVersionRow).order_by(SourceVersionRow.id.desc())
    if key:
        q = q.where(SourceVersionRow.key == key)
    current = dict(session.execute(select(SourceRow.key, SourceRow.sha256)).all())
    return [{"version_id": v.id, "key": v.key, "sha256": v.sha256, "filename": v.filename,
             "ingested_at": v.ingested_at.isoformat(), "restorable": v.data is not None, "forced": v.forced,
             "losses": v.losses, "current": current.get(v.key) == v.sha256}
            for v in session.scalars(q.limit(500))]


def version_data(session: Session, version_id: int) -> SourceVersionRow | None:
    return session.get(SourceVersionRow, version_id)
