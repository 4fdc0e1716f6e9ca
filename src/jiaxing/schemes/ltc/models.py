"""The LTC tables both halves of the scheme read (migration 0014).

* ``ltc_insured`` — one row per insured person (参保人员), from the medical-insurance roster
  (一.（二）: everyone insured for basic medical insurance is insured for LTC). ``scheme`` is the
  medical insurance they came from — ``employee`` (职工医保) or ``resident`` (城乡居民医保) — which
  decides who pays the 90 yuan beside the person's 30. ``died_on`` comes from imported death data.
* ``ltc_hospital_stays`` — hospital stays imported from the health department's lists (三.（三）.8):
  used by discovery (diagnoses) and by screening (a home visit while the person is in hospital).
* ``ltc_beneficiaries`` — people whose assessment decided a grade (重度一级/二级/三级, 重度失智):
  the care half plans, visits and settles only for them. ``ends_on`` closes the benefit (death,
  reassessment below 重度, moving away).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base
from gazette.store.base import BigId as BIGID

SCHEMES = ("employee", "resident")
GRADES = ("severe_1", "severe_2", "severe_3", "severe_dementia")


class Insured(Base):
    __tablename__ = "ltc_insured"
    __table_args__ = (
        CheckConstraint("scheme IN ('employee', 'resident')", name="scheme_known"),
        Index("ix_ltc_insured_district", "district"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(30))
    scheme: Mapped[str] = mapped_column(String(10))
    insured_since: Mapped[dt.date] = mapped_column(Date)
    insured_until: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    address: Mapped[str] = mapped_column(Text, default="")
    #: WGS84 position of the home address, in micro-degrees (integers: the geofence check is exact).
    home_lat_udeg: Mapped[int | None] = mapped_column(nullable=True)
    home_lon_udeg: Mapped[int | None] = mapped_column(nullable=True)
    died_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: the import batch and row this person came from (every fact traceable to its source row).
    source: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class HospitalStay(Base):
    __tablename__ = "ltc_hospital_stays"
    __table_args__ = (
        CheckConstraint("discharged_on IS NULL OR discharged_on >= admitted_on", name="discharge_after_admission"),
        UniqueConstraint("person_id", "admitted_on", "hospital", name="uq_ltc_hospital_stays_one_stay_per_admission"),
        Index("ix_ltc_hospital_stays_person", "person_id", "admitted_on"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18))
    hospital: Mapped[str] = mapped_column(String(100))
    admitted_on: Mapped[dt.date] = mapped_column(Date)
    discharged_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    diagnosis: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(200), default="")


class Beneficiary(Base):
    __tablename__ = "ltc_beneficiaries"
    __table_args__ = (
        CheckConstraint("grade IN ('severe_1', 'severe_2', 'severe_3', 'severe_dementia')", name="grade_known"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        Index("ix_ltc_beneficiaries_district", "district"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(18), unique=True)
    district: Mapped[str] = mapped_column(String(30))
    grade: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    #: what decided the grade: an assessment id of the assessment half, or an import reference.
    decided_by: Mapped[str] = mapped_column(String(100), default="")
