"""Tables of the airspace scheme (migration 0013): owners, devices, seal events, exempt flights, violations.

Timestamps are stored timezone-aware (PostgreSQL) or as Beijing wall time (SQLite), read back with
:func:`gazette.ledger.clock.as_shanghai`.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base, BigId
from jiaxing.schemes.airspace.statuses import DeviceStatus, FlightStatus, ViolationStatus

TS = DateTime(timezone=True)


def _status_in(words: type[StrEnum]) -> str:
    # the CHECK text is spelled exactly as migration 0013 created it, so no migration follows
    return "status IN (" + ", ".join(f"'{word}'" for word in words) + ")"


class Owner(Base):
    """A device's owner: a person (身份证号) or an organisation (统一社会信用代码)."""

    __tablename__ = "airspace_owners"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))  # person | organisation
    id_number: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(TS)
    __table_args__ = (UniqueConstraint("id_number", name="uq_airspace_owners_id_number"),
                      CheckConstraint("kind IN ('person', 'organisation')", name="kind_known"))


class Device(Base):
    """A drone or airborne object, registered by 公安 with 气象/体育 as co-registrars (三)."""

    __tablename__ = "airspace_devices"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    owner_id: Mapped[int] = mapped_column(BigId, ForeignKey("airspace_owners.id"))
    kind: Mapped[str] = mapped_column(String(40))
    model: Mapped[str] = mapped_column(String(200))
    serial: Mapped[str] = mapped_column(String(100))
    registration_no: Mapped[str | None] = mapped_column(String(40), nullable=True)
    status: Mapped[str] = mapped_column(String(12))  # submitted | registered
    sealed: Mapped[bool] = mapped_column(default=False)
    registrar_unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    co_registrars: Mapped[list] = mapped_column(JSON, default=list)
    submitted_by: Mapped[str] = mapped_column(String(100))
    registered_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(TS)
    registered_at: Mapped[dt.datetime | None] = mapped_column(TS, nullable=True)
    __table_args__ = (UniqueConstraint("serial", name="uq_airspace_devices_serial"),
                      UniqueConstraint("registration_no", name="uq_airspace_devices_registration_no"),
                      CheckConstraint(_status_in(DeviceStatus), name="status_known"),
                      Index("ix_airspace_devices_owner_id", "owner_id"))


class SealEvent(Base):
    """临时封存 and its release: on request (要求) or directly (直接), with reason, place and officer."""

    __tablename__ = "airspace_seal_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    device_id: Mapped[int] = mapped_column(BigId, ForeignKey("airspace_devices.id"))
    action: Mapped[str] = mapped_column(String(10))  # seal | release
    mode: Mapped[str | None] = mapped_column(String(12), nullable=True)  # requested | direct (seal only)
    reason: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    officer: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str | None] = mapped_column(String(200), nullable=True)
    notice_id: Mapped[str | None] = mapped_column(String(60), nullable=True)
    at: Mapped[dt.datetime] = mapped_column(TS)
    __table_args__ = (CheckConstraint("action IN ('seal', 'release')", name="action_known"),
                      Index("ix_airspace_seal_events_device_id", "device_id"))


class Flight(Base):
    """An application for an exempt flight (二: 经依法批准…除外) and its decision with the basis."""

    __tablename__ = "airspace_flights"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(60))
    device_id: Mapped[int] = mapped_column(BigId, ForeignKey("airspace_devices.id"))
    purpose: Mapped[str] = mapped_column(String(40))
    purpose_detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    pilot: Mapped[str] = mapped_column(String(100))
    start: Mapped[dt.datetime] = mapped_column(TS)
    end: Mapped[dt.datetime] = mapped_column(TS)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    radius_m: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(12))  # applied | approved | refused
    applied_by: Mapped[str] = mapped_column(String(100))
    decided_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    basis: Mapped[str | None] = mapped_column(Text, nullable=True)
    applied_at: Mapped[dt.datetime] = mapped_column(TS)
    decided_at: Mapped[dt.datetime | None] = mapped_column(TS, nullable=True)
    __table_args__ = (CheckConstraint(_status_in(FlightStatus), name="status_known"),
                      CheckConstraint('"end" >= start', name="window_ordered"),
                      Index("ix_airspace_flights_device_id", "device_id"))


class Violation(Base):
    """A flight found in a zone (四): recorded, linked to device and owner, handed to a department."""

    __tablename__ = "airspace_violations"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    notice_id: Mapped[str] = mapped_column(String(60))
    clause: Mapped[str] = mapped_column(String(80))
    observed_at: Mapped[dt.datetime] = mapped_column(TS)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float, nullable=True)
    object_kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(12))  # report | check
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    device_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("airspace_devices.id"), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("airspace_owners.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(12))  # recorded | handed_over | closed
    department: Mapped[str | None] = mapped_column(String(200), nullable=True)
    history: Mapped[list] = mapped_column(JSON, default=list)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(TS)
    __table_args__ = (CheckConstraint(_status_in(ViolationStatus), name="status_known"),
                      CheckConstraint("source IN ('report', 'check')", name="source_known"))
