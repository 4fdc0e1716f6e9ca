"""Tables of the supervision workbench (migration 0011).

Money is integer 万元 (the unit the plan's spreadsheets and the 项目表 use; 1亿元 = 10000万元):
project figures never need fen. The extraction (``sup_tasks``) is never updated by an officer:
corrections are rows of ``sup_task_corrections`` beside it, the latest one wins.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base, BigId


class SupTask(Base):
    """One task or target of the register, as extracted from the corpus."""

    __tablename__ = "sup_tasks"
    id: Mapped[str] = mapped_column(String(200), primary_key=True)  # 嘉政办发〔2022〕11号#三.（一）.1@1
    document: Mapped[str] = mapped_column(String(100), index=True)
    clause: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # unit_task | clause_task | document_task
    text: Mapped[str] = mapped_column(Text)
    units: Mapped[list] = mapped_column(JSON)  # lead unit first
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    deadline_text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    deadline_source: Mapped[str | None] = mapped_column(String(200), nullable=True)  # clause it is inherited from
    duration: Mapped[str | None] = mapped_column(String(40), nullable=True)
    targets: Mapped[list] = mapped_column(JSON)  # [{object, value, unit, comparison, text}]
    starts: Mapped[dt.date] = mapped_column(Date)  # the day the task exists (the document's signing date)


class SupTaskUnit(Base):
    """(task, unit) pairs of the effective register — what unit scoping queries."""

    __tablename__ = "sup_task_units"
    task_id: Mapped[str] = mapped_column(ForeignKey("sup_tasks.id"), primary_key=True)
    unit: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    lead: Mapped[bool] = mapped_column(Boolean, default=False)


class SupTaskCorrection(Base):
    """An officer's confirmation or correction, kept beside the extraction."""

    __tablename__ = "sup_task_corrections"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("sup_tasks.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # confirmed | corrected
    values: Mapped[dict] = mapped_column(JSON)  # corrected fields only: units, deadline, targets, text
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SupReport(Base):
    """A responsible unit's progress report on one task."""

    __tablename__ = "sup_reports"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("sup_tasks.id"), index=True)
    unit: Mapped[str] = mapped_column(String(200), index=True)
    status: Mapped[str] = mapped_column(String(20))  # a ReportStatus (status.py)
    percent: Mapped[int] = mapped_column(Integer)  # 0–100
    actual: Mapped[str | None] = mapped_column(String(40), nullable=True)  # exact decimal string
    evidence: Mapped[str | None] = mapped_column(Text, nullable=True)
    evidence_file: Mapped[str | None] = mapped_column(String(300), nullable=True)
    reported_on: Mapped[dt.date] = mapped_column(Date, index=True)
    actor: Mapped[str] = mapped_column(String(100))


class SupProject(Base):
    """A project of the “551” plan or of the 扩投资 list (嘉政办发〔2022〕9号#二)."""

    __tablename__ = "sup_projects"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # the 项目代码 the units use
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(20), index=True)  # 科技创新 … 社会民生
    level: Mapped[str] = mapped_column(String(20))  # national | provincial | city | list
    district: Mapped[str] = mapped_column(String(40), index=True)
    owner_unit: Mapped[str] = mapped_column(String(200))
    total_wan: Mapped[int] = mapped_column(BigInteger)  # 总投资 (万元)
    annual_plan_wan: Mapped[int] = mapped_column(BigInteger)  # 年度计划投资 (万元)
    planned_start: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    is_new: Mapped[bool] = mapped_column(Boolean)  # 新建项目 (vs 续建)
    library: Mapped[str] = mapped_column(String(20), index=True)  # reserve | new | construction
    approval_started_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    started_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    stats_entered_month: Mapped[str | None] = mapped_column(String(7), nullable=True)  # YYYY-MM


class SupProjectMove(Base):
    """One event of a project, and the library move it caused (one row per event)."""

    __tablename__ = "sup_project_moves"
    __table_args__ = (UniqueConstraint("project_id", "event", "on", name="uq_sup_project_moves_event"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("sup_projects.id"), index=True)
    event: Mapped[str] = mapped_column(String(30))  # registered | approval_started | construction_started | …
    on: Mapped[dt.date] = mapped_column(Date)
    from_library: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_library: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    actor: Mapped[str] = mapped_column(String(100))


class SupInvestment(Base):
    """A monthly investment report: 万元 completed in that month."""

    __tablename__ = "sup_investments"
    __table_args__ = (UniqueConstraint("project_id", "month", name="uq_sup_investments_month"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("sup_projects.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    amount_wan: Mapped[int] = mapped_column(BigInteger)
    actor: Mapped[str] = mapped_column(String(100))
