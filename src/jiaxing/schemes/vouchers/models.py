"""Tables of the voucher and enterprise-subsidy service (created by migration 0003).

Money lives in the ledger (book ``vouchers``); these tables hold the scheme's own state and the
database constraints that make the scheme rules hold even under concurrency:

* ``vch_vouchers``: a partial unique index allows one *live* voucher (claimed or redeemed) per
  person and programme (decision V1 in docs/vouchers.md);
* ``vch_applications``: a partial unique index allows one live application per enterprise,
  award group (the clause, or its 不得重复享受 exclusive group) and period;
* ``vch_payments``: one payment per application, per (enterprise, clause, period) and per
  (enterprise, award group, period) — "no enterprise paid twice for one clause", enforced by the
  database; ``CHECK (amount_fen <= cap_fen)`` where the clause has a per-enterprise cap.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base
from gazette.store.base import BigId as BIGID

VOUCHER_STATUSES = ("claimed", "redeemed", "cancelled", "expired", "refunded")
LIVE_VOUCHER = "status IN ('claimed', 'redeemed')"
APPLICATION_STATUSES = ("offered", "submitted", "under_review", "approved", "rejected", "declined", "paid")
LIVE_APPLICATION = "status NOT IN ('rejected', 'declined')"


class Programme(Base):
    """A voucher programme (消费券项目): one per gazette document, e.g. ``nev`` = 47号#一."""

    __tablename__ = "vch_programmes"

    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    clause: Mapped[str] = mapped_column(String(200))  # the voucher rule id, e.g. 嘉政办发〔2022〕47号#一
    entity: Mapped[str] = mapped_column(String(50))  # vehicle_purchase / appliance_purchase
    window_start: Mapped[dt.date] = mapped_column(Date)
    window_end: Mapped[dt.date] = mapped_column(Date)
    max_face_fen: Mapped[int] = mapped_column(BigInteger)  # reserved at claim: the top tier
    per_person_limit: Mapped[int] = mapped_column(Integer, default=1)
    total_budget_fen: Mapped[int] = mapped_column(BigInteger)  # 全市统筹 as stated in the text
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Pool(Base):
    """A district pool (区县资金池) of a programme; the money itself is in the ledger."""

    __tablename__ = "vch_pools"
    __table_args__ = (UniqueConstraint("programme", "district", name="uq_vch_pools_programme_district"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    programme: Mapped[str] = mapped_column(String(50))
    district: Mapped[str] = mapped_column(String(100))
    budget_fen: Mapped[int] = mapped_column(BigInteger)  # initial funding from the policy pack
    clause: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Voucher(Base):
    """One consumption voucher (消费券) held by one person."""

    __tablename__ = "vch_vouchers"
    __table_args__ = (
        CheckConstraint(f"status IN {VOUCHER_STATUSES!r}", name="status_known"),
        CheckConstraint("reserved_fen > 0", name="reserved_positive"),
        CheckConstraint("face_fen IS NULL OR (face_fen > 0 AND face_fen <= reserved_fen)", name="face_within_reserved"),
        Index(
            "uq_vch_vouchers_live_person",
            "programme",
            "person_id",
            unique=True,
            postgresql_where=text(LIVE_VOUCHER),
            sqlite_where=text(LIVE_VOUCHER),
        ),
        Index("ix_vch_vouchers_status_expiry", "status", "expires_on"),
        Index("ix_vch_vouchers_pool", "programme", "district"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    programme: Mapped[str] = mapped_column(String(50))
    district: Mapped[str] = mapped_column(String(100))
    person_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    reserved_fen: Mapped[int] = mapped_column(BigInteger)
    face_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    clause: Mapped[str] = mapped_column(String(200))
    claimed_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date] = mapped_column(Date)
    purchase: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class EnterpriseProfile(Base):
    """Enterprise data held by the administration (for 免申即享, no application needed)."""

    __tablename__ = "vch_enterprises"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str | None] = mapped_column(String(100), nullable=True)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Application(Base):
    """An enterprise's application (申请) for one clause, or a 免申即享 offer."""

    __tablename__ = "vch_applications"
    __table_args__ = (
        CheckConstraint(f"status IN {APPLICATION_STATUSES!r}", name="status_known"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("cap_fen IS NULL OR amount_fen <= cap_fen", name="within_cap"),
        CheckConstraint("source IN ('application', 'no_apply')", name="source_known"),
        Index(
            "uq_vch_applications_live_award",
            "enterprise_id",
            "award_group",
            "period",
            unique=True,
            postgresql_where=text(LIVE_APPLICATION),
            sqlite_where=text(LIVE_APPLICATION),
        ),
        Index("ix_vch_applications_status", "status"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    enterprise_id: Mapped[str] = mapped_column(String(64))
    clause: Mapped[str] = mapped_column(String(200))
    award_group: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(20))
    on_date: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    cap_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    subject: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    explanation: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Payment(Base):
    """A payment (拨付) of an approved application — at most one per enterprise, clause and period."""

    __tablename__ = "vch_payments"
    __table_args__ = (
        UniqueConstraint("application_id", name="uq_vch_payments_application_id"),
        UniqueConstraint("enterprise_id", "clause", "period", name="uq_vch_payments_enterprise_clause_period"),
        UniqueConstraint("enterprise_id", "award_group", "period", name="uq_vch_payments_enterprise_group_period"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        CheckConstraint("cap_fen IS NULL OR amount_fen <= cap_fen", name="within_cap"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    application_id: Mapped[int] = mapped_column(BIGID)
    enterprise_id: Mapped[str] = mapped_column(String(64))
    clause: Mapped[str] = mapped_column(String(200))
    award_group: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(20))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    cap_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    entry_key: Mapped[str] = mapped_column(String(200))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


__all__ = ["Application", "EnterpriseProfile", "Payment", "Pool", "Programme", "Voucher"]
