"""Tables of the care half of 长期护理保险 (migration 0018).

* ``ltc_catalogue_items`` — the service catalogue (护理服务项目), versioned by date: each item has a
  price in fen, a minimum duration and a category (生活照料 / 医疗护理, 三.（二）.6);
* ``ltc_providers`` / ``ltc_caregivers`` — designated providers (定点护理机构; 失智专区 flag) and
  their certified caregivers (护理员);
* ``ltc_care_plans`` / ``ltc_care_plan_items`` — the care type and provider a beneficiary chose and
  the items of their plan (a plan starts on the 1st of a month: one provider per person per month);
* ``ltc_visits`` / ``ltc_visit_items`` — visits (home: check-in/check-out with time, position and
  face check; institution: one record per day) and the items done, priced when recorded;
* ``ltc_violation_rules`` / ``ltc_findings`` / ``ltc_review_samples`` — the violation rule library
  (三.（四）.12), what the screening flagged and the officer decided, the random review sample;
* ``ltc_settlement_lines`` / ``ltc_deductions`` / ``ltc_claims`` — the monthly settlement
  (一.（二）) per beneficiary, the deductions of confirmed findings, the claim per (provider, month);
* ``ltc_ratings`` — a beneficiary's stars for a visit (三.（二）.7).
* ``ltc_corrections`` — manual corrections of paid claims, each its own ledger entry (migration 0019).

Times of a visit are epoch seconds (integers: durations and overlaps compare exactly on both
backends); ``day`` and ``month`` are the Asia/Shanghai calendar day and ``YYYY-MM``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base
from gazette.store.base import BigId as BIGID

CARE_TYPES = ("elderly_institution", "medical_institution", "home")
CATEGORIES = ("daily_living", "medical_care")


class CatalogueItem(Base):
    __tablename__ = "ltc_catalogue_items"
    __table_args__ = (UniqueConstraint("version", "code", name="uq_ltc_catalogue_items_version_code"),
                      CheckConstraint("category IN ('daily_living', 'medical_care')", name="category_known"),
                      CheckConstraint("unit IN ('visit', 'day')", name="unit_known"))

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    version: Mapped[str] = mapped_column(String(40))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(10))
    price_fen: Mapped[int] = mapped_column(BigInteger)
    min_minutes: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))


class Provider(Base):
    __tablename__ = "ltc_providers"
    __table_args__ = (CheckConstraint("care_type IN ('elderly_institution', 'medical_institution', 'home')",
                                      name="care_type_known"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    district: Mapped[str] = mapped_column(String(30))
    care_type: Mapped[str] = mapped_column(String(20))
    dementia_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    designated_on: Mapped[dt.date] = mapped_column(Date)


class Caregiver(Base):
    __tablename__ = "ltc_caregivers"

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    provider_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str] = mapped_column(String(100))
    certificate: Mapped[str] = mapped_column(String(60), unique=True)


class CarePlan(Base):
    __tablename__ = "ltc_care_plans"
    __table_args__ = (Index("ix_ltc_care_plans_person", "person_id", "starts_on"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18))
    district: Mapped[str] = mapped_column(String(30))
    care_type: Mapped[str] = mapped_column(String(20))
    provider_id: Mapped[int] = mapped_column(BigInteger, index=True)
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class CarePlanItem(Base):
    __tablename__ = "ltc_care_plan_items"

    plan_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(20), primary_key=True)


class Visit(Base):
    __tablename__ = "ltc_visits"
    __table_args__ = (
        CheckConstraint("kind IN ('home', 'day')", name="kind_known"),
        CheckConstraint("checkout_ts IS NULL OR checkout_ts > checkin_ts", name="checkout_after_checkin"),
        Index("ix_ltc_visits_month_provider", "month", "provider_id", "person_id"),
        Index("ix_ltc_visits_caregiver", "caregiver_id", "checkin_ts"),
        Index("ix_ltc_visits_person_day", "person_id", "day"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18))
    district: Mapped[str] = mapped_column(String(30))
    provider_id: Mapped[int] = mapped_column(BigInteger)
    caregiver_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    plan_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(5))
    day: Mapped[dt.date] = mapped_column(Date)
    month: Mapped[str] = mapped_column(String(7))
    checkin_ts: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    checkout_ts: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    lat_udeg: Mapped[int | None] = mapped_column(Integer, nullable=True)
    lon_udeg: Mapped[int | None] = mapped_column(Integer, nullable=True)
    face_ok: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    cost_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    min_minutes: Mapped[int] = mapped_column(Integer, default=0)


class VisitItem(Base):
    __tablename__ = "ltc_visit_items"

    visit_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(20), primary_key=True)
    price_fen: Mapped[int] = mapped_column(BigInteger)
    min_minutes: Mapped[int] = mapped_column(Integer)


class ViolationRule(Base):
    __tablename__ = "ltc_violation_rules"

    id: Mapped[str] = mapped_column(String(10), primary_key=True)
    clause: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(10))
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))


class Finding(Base):
    __tablename__ = "ltc_findings"
    __table_args__ = (
        UniqueConstraint("visit_id", "rule_id", name="uq_ltc_findings_visit_rule"),
        CheckConstraint("status IN ('flagged', 'confirmed', 'dismissed')", name="status_known"),
        Index("ix_ltc_findings_month", "month", "status"),
        Index("ix_ltc_findings_provider", "provider_id", "status"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    visit_id: Mapped[int] = mapped_column(BigInteger)
    rule_id: Mapped[str] = mapped_column(String(10))
    month: Mapped[str] = mapped_column(String(7))
    provider_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[str] = mapped_column(String(18))
    district: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="flagged")
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    settled_month: Mapped[str | None] = mapped_column(String(7), nullable=True)


class ReviewSample(Base):
    __tablename__ = "ltc_review_samples"
    __table_args__ = (UniqueConstraint("month", "visit_id", name="uq_ltc_review_samples_month_visit"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))
    seed: Mapped[int] = mapped_column(BigInteger)
    visit_id: Mapped[int] = mapped_column(BigInteger)


class SettlementLine(Base):
    __tablename__ = "ltc_settlement_lines"
    __table_args__ = (UniqueConstraint("month", "person_id", name="uq_ltc_settlement_lines_month_person"),
                      Index("ix_ltc_settlement_lines_provider", "provider_id", "month"))

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))
    provider_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[str] = mapped_column(String(18))
    district: Mapped[str] = mapped_column(String(30))
    care_type: Mapped[str] = mapped_column(String(20))
    visits: Mapped[int] = mapped_column(Integer)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    cap_fen: Mapped[int] = mapped_column(BigInteger)
    share_bp: Mapped[int] = mapped_column(Integer)
    fund_fen: Mapped[int] = mapped_column(BigInteger)
    personal_fen: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[int] = mapped_column(BigInteger)


class Deduction(Base):
    __tablename__ = "ltc_deductions"
    __table_args__ = (UniqueConstraint("month", "person_id", "care_month", name="uq_ltc_deductions_month_person"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))
    care_month: Mapped[str] = mapped_column(String(7))
    provider_id: Mapped[int] = mapped_column(BigInteger, index=True)
    person_id: Mapped[str] = mapped_column(String(18))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    rules: Mapped[str] = mapped_column(String(200))
    run_id: Mapped[int] = mapped_column(BigInteger)


class Claim(Base):
    __tablename__ = "ltc_claims"
    __table_args__ = (UniqueConstraint("provider_id", "month", name="uq_ltc_claims_provider_month"),
                      CheckConstraint("status IN ('payable', 'paid')", name="status_known"))

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    provider_id: Mapped[int] = mapped_column(BigInteger)
    month: Mapped[str] = mapped_column(String(7))
    lines: Mapped[int] = mapped_column(Integer)
    cost_fen: Mapped[int] = mapped_column(BigInteger)
    fund_fen: Mapped[int] = mapped_column(BigInteger)
    personal_fen: Mapped[int] = mapped_column(BigInteger)
    deduction_fen: Mapped[int] = mapped_column(BigInteger)
    net_fen: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), default="payable")
    paid_in: Mapped[str | None] = mapped_column(String(40), nullable=True)
    run_id: Mapped[int] = mapped_column(BigInteger)


class Rating(Base):
    __tablename__ = "ltc_ratings"
    __table_args__ = (CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    visit_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    person_id: Mapped[str] = mapped_column(String(18))
    provider_id: Mapped[int] = mapped_column(BigInteger, index=True)
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")


class Correction(Base):
    """A manual correction of a paid claim (migration 0019): a new entry beside the paid one, never an edit
    of it. ``amount_fen`` is signed — positive is owed to the provider, negative is recovered from it;
    ``paid_in`` is the payment run (month) that paid or netted it (D-LTC-C3)."""

    __tablename__ = "ltc_corrections"
    __table_args__ = (CheckConstraint("amount_fen <> 0", name="amount_not_zero"),
                      Index("ix_ltc_corrections_provider", "provider_id", "care_month"))

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    provider_id: Mapped[int] = mapped_column(BigInteger)
    care_month: Mapped[str] = mapped_column(String(7))
    district: Mapped[str] = mapped_column(String(30))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    clause: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(100))
    paid_in: Mapped[str | None] = mapped_column(String(7), nullable=True)
