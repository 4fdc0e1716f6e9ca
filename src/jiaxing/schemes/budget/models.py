"""Tables of the city budget scheme (migration 0012): a budget year's imported figures, the check
runs, the events of its calendar, the adjustment requests and every decision on them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
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


class RequestStatus(StrEnum):
    """An adjustment request (四): submitted; refused at acceptance; queued on the reserve list for funds and
    approval (next_step says by whom); approved or rejected."""

    SUBMITTED = "submitted"
    REFUSED = "refused"
    QUEUED = "queued"
    APPROVED = "approved"
    REJECTED = "rejected"



class DecisionOutcome(StrEnum):
    """What one step decided on a request: accepted or refused (受理), approved or rejected, submitted
    to the 人大."""

    ACCEPTED = "accepted"
    REFUSED = "refused"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUBMITTED = "submitted"


class BudgetYear(Base):
    """One budget year (预算年度): its imported figures (``data``, integer fen) and when they came in."""

    __tablename__ = "budget_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(300), default="")
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CheckRun(Base):
    """One run of the compliance checks (on import or on demand), with every result."""

    __tablename__ = "budget_check_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("budget_years.year"))
    trigger: Mapped[str] = mapped_column(String(20))  # import | on_demand
    ok: Mapped[bool] = mapped_column(Boolean)
    results: Mapped[list] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(100))
    run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Event(Base):
    """One event of the budget calendar; obligations are derived from these (calendar.py)."""

    __tablename__ = "budget_events"
    __table_args__ = (UniqueConstraint("year", "kind", "subject", "period", name="uq_budget_events_once"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("budget_years.year"))
    kind: Mapped[str] = mapped_column(String(50))
    subject: Mapped[str] = mapped_column(String(200), default="")
    period: Mapped[str] = mapped_column(String(7), default="")
    on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AdjustmentRequest(Base):
    """A department's budget adjustment request (部门预算调整申请, 四.（三）—（六）)."""

    __tablename__ = "budget_requests"
    __table_args__ = (
        # spelled exactly as the migration created it, so no migration follows
        CheckConstraint("status IN (" + ", ".join(f"'{word}'" for word in RequestStatus) + ")",
                        name="status_known"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("priority_class BETWEEN 1 AND 5", name="priority_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(ForeignKey("budget_years.year"))
    department: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    condition: Mapped[str] = mapped_column(String(30))
    direction: Mapped[str] = mapped_column(String(10))  # increase | decrease
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    priority_class: Mapped[int] = mapped_column(Integer)
    performance: Mapped[str] = mapped_column(String(10), default="")
    affordability: Mapped[str] = mapped_column(String(10), default="")
    status: Mapped[str] = mapped_column(String(20))
    next_step: Mapped[str] = mapped_column(String(30), default="")
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    filed_by: Mapped[str] = mapped_column(String(100))
    filed_on: Mapped[dt.date] = mapped_column(Date)
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    npc_submitted_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    npc_late_reason: Mapped[str] = mapped_column(Text, default="")


class Decision(Base):
    """Every decision on a request: who, when, which step, the outcome and the clause."""

    __tablename__ = "budget_decisions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("budget_requests.id"))
    step: Mapped[str] = mapped_column(String(30))
    outcome: Mapped[str] = mapped_column(String(20))  # a DecisionOutcome
    on: Mapped[dt.date] = mapped_column(Date)
    actor: Mapped[str] = mapped_column(String(100))
    clause: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
