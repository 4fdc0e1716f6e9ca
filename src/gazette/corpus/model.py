"""The corpus domain model: plain dataclasses, free of any framework.

Vocabulary (after Laws.Africa's Indigo): an *issue* of the gazette prints *documents*; a
document has a *clause* tree with stable ids, *relations* to other documents (issues,
interprets, repeals, cites) each with the sentence that states it, and dated *validity*
(commencement, expiry, clause windows, repeal) from which its status on any date follows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any


@dataclass
class Warning_:
    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass
class TocEntry:
    title: str
    page: int | None
    section: str | None
    doc_number: str | None = None
    found: bool = False
    document: str | None = None  # the id of the document (or section) it was reconciled with

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Issue:
    id: str  # e.g. 2022-10
    title: str
    year: int
    number: int
    cumulative_number: int | None
    published: dt.date | None
    sponsor: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "number": self.number,
            "cumulative_number": self.cumulative_number,
            "published": _d(self.published),
            "sponsor": self.sponsor,
        }


@dataclass
class Window:
    """A validity window on a clause: from / until (both inclusive), with the text saying so."""

    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    evidence: str = ""
    scope: str | None = None  # when only part of the clause is meant (e.g. 贷款贴息 within 九)
    partial: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "effective_from": _d(self.effective_from),
            "effective_until": _d(self.effective_until),
            "evidence": self.evidence,
            "scope": self.scope,
            "partial": self.partial,
        }


@dataclass
class Clause:
    id: str
    path: str
    label: str
    kind: str
    heading: str | None
    text: str
    span: tuple[int, int] | None = None
    children: list[Clause] = field(default_factory=list)
    windows: list[Window] = field(default_factory=list)

    def iter(self) -> Iterator[Clause]:
        yield self
        for child in self.children:
            yield from child.iter()

    def full_text(self) -> str:
        parts = [self.text] + [c.full_text() for c in self.children]
        return "\n".join(p for p in parts if p)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "path": self.path,
            "label": self.label,
            "kind": self.kind,
            "heading": self.heading,
            "text": self.text,
        }
        if self.windows:
            out["windows"] = [w.to_dict() for w in self.windows]
        if self.span:
            out["span"] = list(self.span)
        out["children"] = [c.to_dict() for c in self.children]
        return out


@dataclass
class Attachment:
    number: int | None
    title: str
    omitted: bool  # marked 略 in the gazette
    location: str | None  # where the omitted text can be found

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Document:
    id: str
    doc_number: str | None
    title: str
    category: str | None
    issuer: str | None
    issuers: list[str]
    addressees: list[str]
    signed: dt.date | None
    effective_from: dt.date | None = None
    effective_until: dt.date | None = None
    issued_title: str | None = None  # the 方案/政策/办法 a 印发 notice carries
    preamble: list[str] = field(default_factory=list)
    notice_text: list[str] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    validity_evidence: dict[str, str] = field(default_factory=dict)
    page: int | None = None
    issue_id: str | None = None
    span: tuple[int, int] | None = None
    text: str = ""
    scrambled: bool = False
    notes: list[str] = field(default_factory=list)
    # (paragraph text, id of the clause it belongs to or None): where evidence sentences come from
    paragraphs: list[tuple[str, str | None]] = field(default_factory=list, repr=False)

    def iter_clauses(self) -> Iterator[Clause]:
        for c in self.clauses:
            yield from c.iter()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_number": self.doc_number,
            "title": self.title,
            "category": self.category,
            "issuer": self.issuer,
            "issuers": self.issuers,
            "addressees": self.addressees,
            "signed": _d(self.signed),
            "effective_from": _d(self.effective_from),
            "effective_until": _d(self.effective_until),
            "validity_evidence": self.validity_evidence,
            "issued_title": self.issued_title,
            "issue": self.issue_id,
            "page": self.page,
            "preamble": self.preamble,
            "notice_text": self.notice_text,
            "clauses": [c.to_dict() for c in self.clauses],
            "attachments": [a.to_dict() for a in self.attachments],
            "scrambled": self.scrambled,
            "notes": self.notes,
            "span": list(self.span) if self.span else None,
        }


class RelationType(StrEnum):
    """How one document relates to another, as found in its text; each has its inverse."""

    issues = "issues"  # 印发/转发
    interprets = "interprets"  # 解读
    repeals = "repeals"  # 废止
    cites = "cites"  # 引用
    issued_by = "issued_by"
    interpreted_by = "interpreted_by"
    repealed_by = "repealed_by"
    cited_by = "cited_by"


@dataclass
class Relation:
    type: str  # a RelationType: issues | interprets | repeals | cites
    source: str
    target: str
    evidence: str
    target_title: str | None = None
    effective: dt.date | None = None  # for repeals: the day the repeal takes effect

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "source": self.source,
            "target": self.target,
            "target_title": self.target_title,
            "evidence": self.evidence,
            "effective": _d(self.effective),
        }


@dataclass
class Personnel:
    action: str  # appoint | remove
    person: str
    positions: list[str]
    month: str | None
    note: str | None
    text: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class CatalogEntry:
    catalog: str
    doc_number: str | None
    title: str
    printed: bool = False
    document: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Task:
    id: str
    document: str
    clause: str
    text: str
    units: list[str]
    deadlines: list[dict[str, str | None]]
    targets: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ParseResult:
    issue: Issue | None
    toc: list[TocEntry]
    documents: list[Document]
    relations: list[Relation]
    personnel: list[Personnel]
    catalog: list[CatalogEntry]
    tasks: list[Task]
    warnings: list[Warning_]
    source_notes: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)

    def all_clause_ids(self) -> set[str]:
        return {c.id for d in self.documents for c in d.iter_clauses()}

    def document(self, ident: str) -> Document | None:
        return next((d for d in self.documents if d.id == ident or d.doc_number == ident), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "issue": None
            if self.issue is None
            else {
                "year": self.issue.year,
                "number": self.issue.number,
                "cumulative_number": self.issue.cumulative_number,
                "published": _d(self.issue.published),
                "id": self.issue.id,
                "title": self.issue.title,
                "sponsor": self.issue.sponsor,
            },
            "toc": [t.to_dict() for t in self.toc],
            "documents": [d.to_dict() for d in self.documents],
            "relations": [r.to_dict() for r in self.relations],
            "personnel": [p.to_dict() for p in self.personnel],
            "catalog": [c.to_dict() for c in self.catalog],
            "tasks": [t.to_dict() for t in self.tasks],
            "warnings": [w.to_dict() for w in self.warnings],
            "notes": self.source_notes,
            "metadata": self.metadata,
        }


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
