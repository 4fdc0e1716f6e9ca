"""Tables of the intake half of 长期护理保险（嘉政发〔2022〕21号）(migration 0015).

* ``ltc_population`` — registered population (户籍人口) by district and year: reference data with a
  ``source`` (the denominator of the enrolment rate, 三.（一）.1 "户籍人口参保率…99%以上");
* ``ltc_duplicate_enrolments`` — a person listed by both medical-insurance rosters (重复参保,
  三.（一）.1 "开展重复参保数据清理"), open until an officer clears it;
* ``ltc_funding_batches`` / ``ltc_funding_lines`` — the yearly funding (一.（二）: 120 yuan = 30 personal
  + 90 employee pool or fiscal subsidy), one batch per (year, batch), one line per (year, person);
* ``ltc_discovery_rows`` / ``ltc_candidates`` / ``ltc_candidate_sources`` — lists from other
  departments and the candidates they made (三.（三）.8 要我申请), each traceable to its rows;
* ``ltc_applications`` — applications (online self / agent, desk); at most one open per person
  (a partial unique index);
* ``ltc_experts`` / ``ltc_assessment_forms`` / ``ltc_expert_assignments`` / ``ltc_decisions`` — the
  three-step assessment (镇街信息采集—系统自动初评—县级专家复评, 双盲) and its result notice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base
from gazette.store.base import BigId as BIGID

OPEN_STATUSES = ("submitted", "review")
LIST_KINDS = ("discharge", "disability", "dibao", "death")
TITLES = ("junior", "intermediate", "associate_senior", "senior")  # 初级 / 中级 / 副高 / 正高
OPEN_SQL = "status IN ('submitted', 'review')"


class Population(Base):
    __tablename__ = "ltc_population"

    district: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    registered: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))


class DuplicateEnrolment(Base):
    __tablename__ = "ltc_duplicate_enrolments"
    __table_args__ = (UniqueConstraint("person_id", "other_source", name="uq_ltc_duplicate_enrolments_row"),
                      CheckConstraint("status IN ('open', 'cleared')", name="status_known"))

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18), index=True)
    kept_scheme: Mapped[str] = mapped_column(String(10))
    other_scheme: Mapped[str] = mapped_column(String(10))
    other_source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="open")
    resolution: Mapped[str] = mapped_column(Text, default="")
    cleared_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FundingBatch(Base):
    __tablename__ = "ltc_funding_batches"
    __table_args__ = (UniqueConstraint("year", "batch", name="uq_ltc_funding_batches_year_batch"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)
    batch: Mapped[str] = mapped_column(String(60))
    people: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class FundingLine(Base):
    __tablename__ = "ltc_funding_lines"
    __table_args__ = (UniqueConstraint("year", "person_id", name="uq_ltc_funding_lines_year_person"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    batch_id: Mapped[int] = mapped_column(BIGID, index=True)
    year: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(String(18))
    district: Mapped[str] = mapped_column(String(30))
    scheme: Mapped[str] = mapped_column(String(10))
    personal_fen: Mapped[int] = mapped_column(Integer)
    other_fen: Mapped[int] = mapped_column(Integer)


class DiscoveryRow(Base):
    __tablename__ = "ltc_discovery_rows"
    __table_args__ = (UniqueConstraint("kind", "batch", "row_no", name="uq_ltc_discovery_rows_row"),
                      CheckConstraint("kind IN ('discharge', 'disability', 'dibao', 'death')", name="kind_known"),
                      Index("ix_ltc_discovery_rows_person", "person_id"))

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))
    batch: Mapped[str] = mapped_column(String(60))
    row_no: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[str] = mapped_column(String(18))
    on_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    detail: Mapped[dict] = mapped_column(JSON)


class Candidate(Base):
    __tablename__ = "ltc_candidates"
    __table_args__ = (CheckConstraint("status IN ('open', 'applied', 'closed')", name="status_known"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18), unique=True)
    district: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    reasons: Mapped[list] = mapped_column(JSON)
    found_on: Mapped[dt.date] = mapped_column(Date)
    closed_reason: Mapped[str] = mapped_column(Text, default="")


class CandidateSource(Base):
    __tablename__ = "ltc_candidate_sources"

    candidate_id: Mapped[int] = mapped_column(BIGID, primary_key=True)
    row_id: Mapped[int] = mapped_column(BIGID, primary_key=True)


class Application(Base):
    __tablename__ = "ltc_applications"
    __table_args__ = (
        CheckConstraint("channel IN ('online_self', 'online_agent', 'desk', 'schedule')", name="channel_known"),
        CheckConstraint("status IN ('submitted', 'review', 'decided', 'withdrawn', 'closed')", name="status_known"),
        CheckConstraint("kind IN ('first', 'reassessment')", name="kind_known"),
        # one open application per person (the database enforces it, whatever the edge does)
        Index("uq_ltc_applications_one_open", "person_id", unique=True,
              sqlite_where=text(OPEN_SQL), postgresql_where=text(OPEN_SQL)),
        Index("ix_ltc_applications_district", "district", "applied_on"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18))
    district: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(14), default="first")
    channel: Mapped[str] = mapped_column(String(14))
    submitted_by: Mapped[str] = mapped_column(String(100))
    agent_name: Mapped[str] = mapped_column(String(100), default="")
    agent_relation: Mapped[str] = mapped_column(String(30), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    provider: Mapped[str] = mapped_column(String(100), default="")
    dementia_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    candidate_id: Mapped[int | None] = mapped_column(BIGID, nullable=True)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    applied_on: Mapped[dt.date] = mapped_column(Date)
    decided_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    grade: Mapped[str | None] = mapped_column(String(20), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Expert(Base):
    __tablename__ = "ltc_experts"
    __table_args__ = (CheckConstraint("title IN ('junior', 'intermediate', 'associate_senior', 'senior')",
                                      name="title_known"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(100))
    #: the county-level pool the expert sits in; NULL = the city pool (any district).
    district: Mapped[str | None] = mapped_column(String(30), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class AssessmentForm(Base):
    __tablename__ = "ltc_assessment_forms"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BIGID, unique=True)
    assessor: Mapped[str] = mapped_column(String(100))
    assessor_unit: Mapped[str] = mapped_column(String(100), default="")
    scale_version: Mapped[str] = mapped_column(String(40))
    items: Mapped[dict] = mapped_column(JSON)
    total: Mapped[int] = mapped_column(Integer)
    initial_grade: Mapped[str | None] = mapped_column(String(20), nullable=True)
    collected_on: Mapped[dt.date] = mapped_column(Date)


class ExpertAssignment(Base):
    __tablename__ = "ltc_expert_assignments"
    __table_args__ = (UniqueConstraint("application_id", "expert_id", name="uq_ltc_expert_assignments_once"),
                      UniqueConstraint("application_id", "seat", name="uq_ltc_expert_assignments_seat"),
                      CheckConstraint("seat IN (1, 2, 3)", name="seat_known"))

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BIGID, index=True)
    expert_id: Mapped[int] = mapped_column(BIGID)
    seat: Mapped[int] = mapped_column(Integer)
    seed: Mapped[str] = mapped_column(String(80))
    drawn_by: Mapped[str] = mapped_column(String(100))
    items: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    scored_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class Decision(Base):
    __tablename__ = "ltc_decisions"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BIGID, unique=True)
    person_id: Mapped[str] = mapped_column(String(18), index=True)
    grade: Mapped[str | None] = mapped_column(String(20), nullable=True)
    final_total: Mapped[int] = mapped_column(Integer)
    scale_version: Mapped[str] = mapped_column(String(40))
    reasons: Mapped[list] = mapped_column(JSON)
    decided_on: Mapped[dt.date] = mapped_column(Date)
