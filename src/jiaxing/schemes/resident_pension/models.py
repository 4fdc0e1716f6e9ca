"""Tables of the resident basic pension (城乡居民基本养老保险, 嘉人社〔2022〕60号), migration 0010.

Money lives in the ledger book ``resident_pension``: per-district control accounts for the payroll
(``expense:<district>`` 待遇支出, ``payable:<district>`` 应付待遇, ``bank:<district>`` 支出户,
``recoverable:<district>`` 多发待遇应收) and per-person accounts for contributions
(``personal:<person_id>`` 个人账户, ``subsidy:<person_id>`` 缴费补贴账户). These tables are the
sub-ledger and the state:

* ``rp_participants`` — one row per person, with status and the first pension month.
* ``rp_contributions`` — one row per person and year (``UNIQUE``): a year is paid once.
* ``rp_standard_versions`` / ``rp_standard_months`` — every published schedule of the basic pension
  (a version per publication: the parameters of 60号#二, then each approved adjustment), expanded per
  month, so a run joins instead of looking up dated values row by row.
* ``rp_adjustments`` — the yearly linked adjustment (60号#一): proposal → submitted → approved.
* ``rp_lines`` — payroll lines: ``pension`` (one per person and month, the standard version it was
  paid at) and ``topup`` (one per person and top-up run, the months it covers); bank status.
* ``rp_recoveries`` — money paid for months after a death reported late: recovery items.
* No foreign keys from the growing tables to ``rp_participants`` (written only by INSERT … SELECT
  from it); every growing table carries its district for partitioning.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base, BigId


class ParticipantStatus(StrEnum):
    """Where a participant stands: paying in, drawing the pension, paused, or gone (death, transfer out)."""

    CONTRIBUTING = "contributing"
    RECEIVING = "receiving"
    SUSPENDED = "suspended"
    DECEASED = "deceased"
    TRANSFERRED = "transferred"


class AdjustmentStatus(StrEnum):
    """The linked adjustment (一) on its way to 市政府同意: only an approved one becomes the standard."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class LineStatus(StrEnum):
    """A payment line at the bank: due, sent in a file, paid or failed (resent next file), or cancelled."""

    DUE = "due"
    SENT = "sent"
    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"


class RecoveryStatus(StrEnum):
    """An amount paid after a death reported late, to be recovered (追回)."""

    OPEN = "open"
    RECOVERED = "recovered"
    CLOSED = "closed"


def _status_in(words: type[StrEnum]) -> str:
    # the CHECK text is spelled exactly as the migrations created it, so no migration follows
    return "status IN (" + ", ".join(f"'{word}'" for word in words) + ")"


class Participant(Base):
    __tablename__ = "rp_participants"
    __table_args__ = (
        CheckConstraint(_status_in(ParticipantStatus), name="status_known"),
        Index("ix_rp_participants_status", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(30))
    enrolled_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    pension_from: Mapped[int | None] = mapped_column(Integer, nullable=True)  # month index y*12+m-1
    death_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    death_month: Mapped[int | None] = mapped_column(Integer, nullable=True)  # month index of death_date
    bank: Mapped[str] = mapped_column(String(20))
    bank_account: Mapped[str] = mapped_column(String(40))
    settled_version: Mapped[int] = mapped_column(Integer, default=0)  # standard version its months are topped up to


class Contribution(Base):
    __tablename__ = "rp_contributions"
    __table_args__ = (UniqueConstraint("person_id", "year", name="uq_rp_contributions_person_year"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18))
    district: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    back_payment: Mapped[bool] = mapped_column()
    subsidy_fen: Mapped[int] = mapped_column(BigInteger)
    clause: Mapped[str] = mapped_column(String(100))


class StandardVersion(Base):
    __tablename__ = "rp_standard_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    effective_from: Mapped[int] = mapped_column(Integer)  # month index
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    published_on: Mapped[dt.date] = mapped_column(Date)
    citation: Mapped[str] = mapped_column(Text)
    adjustment_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class StandardMonth(Base):
    __tablename__ = "rp_standard_months"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    month: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class Adjustment(Base):
    __tablename__ = "rp_adjustments"
    __table_args__ = (
        CheckConstraint(_status_in(AdjustmentStatus), name="status_known"),
        UniqueConstraint("year", name="uq_rp_adjustments_year"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    year: Mapped[int] = mapped_column(Integer)  # the year whose standard it sets (from 1 January)
    rural_income_fen: Mapped[int] = mapped_column(BigInteger)  # of year - 1
    growth_ppm: Mapped[int] = mapped_column(Integer)
    previous_fen: Mapped[int] = mapped_column(BigInteger)
    proposed_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    proposed_by: Mapped[str] = mapped_column(String(100))
    submitted_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    approved_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class PayLine(Base):
    __tablename__ = "rp_lines"
    __table_args__ = (
        CheckConstraint("kind IN ('pension', 'topup')", name="kind_known"),
        CheckConstraint(_status_in(LineStatus), name="status_known"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        UniqueConstraint("participant_id", "kind", "month", "version", name="uq_rp_lines_unit"),
        Index("ix_rp_lines_status", "status"),
        Index("ix_rp_lines_run", "run_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    participant_id: Mapped[int] = mapped_column(BigInteger)
    district: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(8))
    month: Mapped[int] = mapped_column(Integer)  # pension: the month paid; topup: the month of the run
    version: Mapped[int] = mapped_column(Integer)
    months: Mapped[int] = mapped_column(Integer)  # months covered (1 for a pension line)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    bank: Mapped[str] = mapped_column(String(20))
    export_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    run_id: Mapped[int] = mapped_column(BigInteger)


class Recovery(Base):
    __tablename__ = "rp_recoveries"
    __table_args__ = (
        CheckConstraint(_status_in(RecoveryStatus), name="status_known"),
        UniqueConstraint("line_id", name="uq_rp_recoveries_line_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    line_id: Mapped[int] = mapped_column(BigInteger)
    participant_id: Mapped[int] = mapped_column(BigInteger)
    district: Mapped[str] = mapped_column(String(30))
    month: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(200))
    created_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
