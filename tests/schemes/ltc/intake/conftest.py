"""Fixtures of the LTC intake tests: a clean database with the intake tables, and small helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from gazette.store.db import unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.ltc import intake_models, models  # noqa: F401 - registers the tables for clean_db
from jiaxing.schemes.ltc import intake_service as SV

OFFICER = "ltc-officer"
TABLES = ("ltc_insured", "ltc_duplicate_enrolments", "ltc_funding_batches", "ltc_funding_lines", "ltc_discovery_rows",
          "ltc_candidates", "ltc_candidate_sources", "ltc_applications", "ltc_experts", "ltc_assessment_forms",
          "ltc_expert_assignments", "ltc_decisions", "ltc_beneficiaries", "ltc_hospital_stays", "ledger_entries",
          "audit_log")
GOOD = {"feeding": 10, "bathing": 5, "grooming": 5, "dressing": 10, "bowels": 10, "bladder": 10, "toilet": 10,
        "transfer": 15, "mobility": 15, "stairs": 10, "aggression": 10, "depression": 10, "compulsion": 10, "money": 10}


def pid(n: int, born: str = "19400101") -> str:
    return example_person_id(n, region="330402", born=born)


def csv_bytes(header: str, *rows: str) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("utf-8")


def roster(*people: tuple[int, str, str], batch: str = "r1", key: str | None = None) -> dict:
    """people: (n, district, scheme)."""
    data = csv_bytes("person_id,name,district,scheme,insured_since",
                     *(f"{pid(n)},测试{n},{d},{sc},2018-01-01" for n, d, sc in people))
    return SV.import_roster(data, "roster.csv", batch, key=key or f"roster-{batch}", actor=OFFICER)


def items(adl: int, social: int = 40) -> dict[str, int]:
    """A form whose daily-living total is ``adl`` (0-100) and social total ``social`` (0-40)."""
    out, left = {}, adl
    for code in ("feeding", "bathing", "grooming", "dressing", "bowels", "bladder", "toilet", "transfer", "mobility",
                 "stairs"):
        out[code] = min(GOOD[code], left)
        left -= out[code]
    left = social
    for code in ("aggression", "depression", "compulsion", "money"):
        out[code] = min(10, left)
        left -= out[code]
    return out


def experts(*specs: tuple[str, str, str, str | None]) -> None:
    """specs: (username, title, unit, district)."""
    for u, title, unit, d in specs:
        SV.add_expert({"username": u, "name": f"专家{u}", "title": title, "unit": unit, "district": d},
                      key=f"expert-{u}", actor=OFFICER)


def counts() -> dict[str, int]:
    with unit_of_work() as s:
        return {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in TABLES}


@pytest.fixture()
def ltc(clean_db):
    return clean_db
