"""Put a generated world into the database in bulk (COPY on PostgreSQL, executemany on SQLite)."""

from __future__ import annotations

import operator

from sqlalchemy import text

from jiaxing.schemes.ltc.care import catalogue, violations
from jiaxing.schemes.ltc.care.models import (
    Caregiver,
    CarePlan,
    CarePlanItem,
    Provider,
    Visit,
    VisitItem,
)
from jiaxing.schemes.ltc.models import Beneficiary, HospitalStay, Insured


def copy_rows(session, table, rows: list[dict]) -> None:
    if not rows:
        return
    cols = [c.name for c in table.columns if c.name in rows[0]]
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.driver_connection
        values = operator.itemgetter(*cols)  # one C call per row instead of a list built in Python
        with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(values(r))
    else:
        session.execute(table.insert(), [{c: r[c] for c in cols} for r in rows])


def load_static(session, w) -> None:
    catalogue.load_demo(session)
    violations.load_rules(session)
    copy_rows(session, Provider.__table__, w.providers)
    copy_rows(session, Caregiver.__table__, w.caregivers)
    copy_rows(session, Insured.__table__, w.insured)
    copy_rows(session, Beneficiary.__table__, [
        {"person_id": r["person_id"], "district": r["district"], "grade": "severe_1",
         "starts_on": r["insured_since"], "ends_on": None, "decided_by": "sim"} for r in w.insured])
    copy_rows(session, CarePlan.__table__, [{k: v for k, v in p.items() if k not in ("heavy", "items")}
                                            for p in w.plans])
    copy_rows(session, CarePlanItem.__table__, w.plan_items)


def load_month(session, w, month: str) -> None:
    copy_rows(session, Visit.__table__, w.by_month.get(month, []))
    copy_rows(session, VisitItem.__table__, w.items_by_month.get(month, []))


def load_deaths_and_stays(session, w, month: str) -> None:
    """The health department's lists up to ``month``: deaths and stays become known as they happen."""
    for r in w.insured:
        if r["died_on"] is not None and r["died_on"].isoformat()[:7] == month:
            session.execute(text("UPDATE ltc_insured SET died_on = :d WHERE person_id = :p"),
                            {"d": r["died_on"], "p": r["person_id"]})
    copy_rows(session, HospitalStay.__table__, [s for s in w.stays if s["admitted_on"].isoformat()[:7] == month
                                                or (s["discharged_on"] and s["discharged_on"].isoformat()[:7] == month
                                                    and s["admitted_on"].isoformat()[:7] != month)])


def fix_sequences(session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    for t in ("ltc_providers", "ltc_caregivers", "ltc_care_plans", "ltc_visits"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), "
                             f"COALESCE((SELECT MAX(id) FROM {t}), 0) + 1, false)"))
