"""Fixtures of the resident pension tests: a set-up book on a clean database, and small helpers."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from gazette.store.db import unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.resident_pension import (
    models,  # noqa: F401 - registers the tables for clean_db
    service,
)
from jiaxing.schemes.resident_pension import standards as pension_standards

START = dt.date(2021, 1, 1)
OFFICER = "officer-p"


@pytest.fixture()
def pension(clean_db):
    with unit_of_work(clean_db) as s:
        pension_standards.setup(s, START)
    return clean_db


def pid(n: int, born: str = "19550101") -> str:
    return example_person_id(n, region="330402", born=born)


def enrol(n: int, *, receiving_from: str | None = "2021-01", district: str = "南湖区", bank: str = "JXRCB") -> str:
    p = pid(n)
    service.enrol({"person_id": p, "name": f"测试{n}", "district": district, "enrolled_on": "2015-01-01",
                   "status": "receiving" if receiving_from else "contributing",
                   "pension_from": receiving_from,
                   "bank": bank, "bank_account": f"6228{n:012d}"}, key=f"enrol-{n}", actor=OFFICER)
    return p


def advance(to: dt.date | str) -> None:
    to = dt.date.fromisoformat(to) if isinstance(to, str) else to
    with unit_of_work() as s:
        if to > pension_standards.today(s):
            pension_standards.advance(s, to)


def counts() -> dict[str, int]:
    tables = ("rp_participants", "rp_contributions", "rp_lines", "rp_recoveries", "rp_adjustments",
              "rp_standard_versions", "ledger_entries", "ledger_lines", "audit_log", "idempotency_keys", "ledger_runs")
    with unit_of_work() as s:
        return {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}
