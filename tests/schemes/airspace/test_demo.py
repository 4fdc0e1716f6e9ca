"""`gazette demo`'s airspace part: users, devices, an approved and a pending flight, a sealed device,
a handed-over violation — and a second run changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from gazette.store.db import unit_of_work
from gazette.store.ledger_models import AuditLogRow
from jiaxing.schemes.airspace import queries
from jiaxing.schemes.airspace.check import check_point
from jiaxing.schemes.airspace.demo import SPOT, demo


def _audits() -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(AuditLogRow))


def test_demo_is_idempotent_and_useful(clean_db):
    first = demo()
    assert set(first["users_created"]) == {"police", "flight-approver", "drone-owner"}
    n = _audits()
    again = demo()
    assert again["users_created"] == [] and _audits() == n
    with unit_of_work() as s:
        assert [f["status"] for f in queries.list_flights(s)] == ["applied", "approved"]
        assert [d["sealed"] for d in queries.list_devices(s)] == [True, False, False]
        assert queries.list_violations(s)[0]["status"] == "handed_over"
        flights = queries.flights_for_check(s, "DEMO-TV-0001")[1]
    r = check_point(*SPOT, "2022-09-12T10:00+08:00", "drone", flights=flights)
    assert r["outcome"] == "permitted" and r["approved_flight"] == first["approved_flight"]
