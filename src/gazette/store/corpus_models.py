"""Tables of the corpus: sources, issues, documents, clauses, relations and the rest.

Every row belongs to the source it was ingested from, so re-ingesting a source replaces
exactly its rows in one transaction, and an unchanged source is skipped.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base


class SourceRow(Base):
    __tablename__ = "corpus_sources"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # issue id, or the document id for a single document
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    parse: Mapped[dict] = mapped_column(JSON)  # the full parse (as `gazette parse --json`)


class IssueRow(Base):
    __tablename__ = "corpus_issues"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("corpus_sources.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    cumulative_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    published: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    data: Mapped[dict] = mapped_column(JSON)  # sponsor block, toc


class DocumentRow(Base):
    __tablename__ = "corpus_documents"
    id: Mapped[str] = mapped_column(String(300), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("corpus_sources.id", ondelete="CASCADE"), index=True)
    issue_id: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    doc_number: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True)
    title: Mapped[str] = mapped_column(Text)
    issued_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    category: Mapped[str | None] = mapped_column(String(50), nullable=True, index=True)
    issuer: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    signed: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    effective_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    effective_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    page: Mapped[int | None] = mapped_column(Integer, nullable=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON)  # the document as parsed (clauses tree, attachments, validity …)


class ClauseRow(Base):
    __tablename__ = "corpus_clauses"
    id: Mapped[str] = mapped_column(String(400), primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("corpus_documents.id", ondelete="CASCADE"), index=True)
    path: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(String(400), nullable=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
    heading: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    effective_from: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    effective_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    data: Mapped[dict] = mapped_column(JSON)


class RelationRow(Base):
    __tablename__ = "corpus_relations"
    __table_args__ = (UniqueConstraint("type", "source", "target", name="uq_corpus_relations_triple"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("corpus_sources.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(20), index=True)
    source: Mapped[str] = mapped_column(String(300), index=True)
    target: Mapped[str] = mapped_column(String(300), index=True)
    target_title: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence: Mapped[str] = mapped_column(Text)
    effective: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class PersonnelRow(Base):
    __tablename__ = "corpus_personnel"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("corpus_sources.id", ondelete="CASCADE"), index=True)
    issue_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    month: Mapped[str | None] = mapped_column(String(7), nullable=True)
    action: Mapped[str] = mapped_column(String(10))
    person: Mapped[str] = mapped_column(String(50), index=True)
    positions: Mapped[list] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)


class CatalogRow(Base):
    __tablename__ = "corpus_catalog"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("corpus_sources.id", ondelete="CASCADE"), index=True)
    issue_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    catalog: Mapped[str] = mapped_column(String(50))
    doc_number: Mapped[str | None] = mapped_column(String(100), nullable=True, index=True)
    title: Mapped[str] = mapped_column(Text)
    printed: Mapped[bool] = mapped_column(Boolean)
    document_id: Mapped[str | None] = mapped_column(String(300), nullable=True)


class TaskRow(Base):
    __tablename__ = "corpus_tasks"
    id: Mapped[str] = mapped_column(String(420), primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("corpus_sources.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[str] = mapped_column(String(300), index=True)
    clause_id: Mapped[str] = mapped_column(String(400), index=True)
    text: Mapped[str] = mapped_column(Text)
    units: Mapped[list] = mapped_column(JSON)
    deadlines: Mapped[list] = mapped_column(JSON)
    targets: Mapped[list] = mapped_column(JSON)


class SourceVersionRow(Base):
    """Every ingested version of a source, kept (migration 0008): the bytes that were ingested, so a
    replaced issue can be restored (``POST /api/v1/sources/versions/{id}/restore``)."""

    __tablename__ = "corpus_source_versions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(500))
    ingested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # None: ingested before 0008
    parse: Mapped[dict] = mapped_column(JSON)
    forced: Mapped[bool] = mapped_column(Boolean, default=False)
    losses: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # what a forced replacement lost
