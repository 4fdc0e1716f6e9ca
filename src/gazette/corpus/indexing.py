"""What the search index is given for a corpus document — from a parse or from stored rows."""

from __future__ import annotations

from collections.abc import Iterable

from gazette.corpus.model import Document
from gazette.search.index import SearchDocument


def clause_text(heading: str | None, text: str) -> str:
    # A clause's text usually begins with its heading sentence; index it once.
    if heading and text.startswith(heading):
        return text
    return "\n".join(x for x in (heading, text) if x)


def from_parsed(doc: Document) -> SearchDocument:
    return SearchDocument(
        id=doc.id,
        doc_number=doc.doc_number,
        title=doc.title,
        category=doc.category,
        issuer=doc.issuer,
        year=doc.signed.year if doc.signed else (int(doc.issue_id[:4]) if doc.issue_id else None),
        text=doc.text,
        clauses=[(c.id, clause_text(c.heading, c.text)) for c in doc.iter_clauses()],
    )


def from_row(row, clause_rows: Iterable) -> SearchDocument:
    """``row``: a stored document; ``clause_rows``: its stored clauses in order."""
    return SearchDocument(
        id=row.id,
        doc_number=row.doc_number,
        title=row.title,
        category=row.category,
        issuer=row.issuer,
        year=row.signed.year if row.signed else (int(row.issue_id[:4]) if row.issue_id else None),
        text=row.text,
        clauses=[(c.id, clause_text(c.heading, c.text)) for c in clause_rows],
    )
