"""Reads of the budget scheme: the calendar with due and overdue obligations, the requests and the
reserve list, the decisions of a request, the latest check run, the years on record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gazette.ledger.clock import now
from jiaxing.schemes.budget import calendar as obligation_calendar
from jiaxing.schemes.budget import requests as adjustment_requests
from jiaxing.schemes.budget.handlers import request_json, year_data
from jiaxing.schemes.budget.models import (
    AdjustmentRequest,
    BudgetYear,
    CheckRun,
    Decision,
    Event,
    RequestStatus,
)


def today() -> dt.date:
    return now().date()


def years(session: Session) -> list[int]:
    return list(session.scalars(select(BudgetYear.year).order_by(BudgetYear.year.desc())))


def events(session: Session, year: int) -> list[obligation_calendar.Event]:
    rows = session.scalars(select(Event).where(Event.year == year).order_by(Event.on, Event.id))
    return [obligation_calendar.Event(kind=e.kind, on=e.on, subject=e.subject, period=e.period) for e in rows]


def event_rows(session: Session, year: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(Event).where(Event.year == year).order_by(Event.on, Event.id))
    return [{"id": e.id, "kind": e.kind, "kind_zh": obligation_calendar.EVENT_KINDS[e.kind][1],
             "subject": e.subject,
             "period": e.period, "on": e.on.isoformat(), "note": e.note, "recorded_by": e.recorded_by}
            for e in rows]


def calendar(session: Session, year: int, as_of: dt.date | None = None,
             subject: str | None = None) -> dict[str, Any]:
    """Every obligation of ``year`` on ``as_of`` (default today), optionally of one department."""
    as_of = as_of or today()
    data = year_data(session, year)
    obs = obligation_calendar.obligations(year, events(session, year), departments=data.departments,
                                          districts=data.districts,
                                          as_of=as_of)
    if subject is not None:
        obs = [o for o in obs if o.subject == subject or o.who == subject]
    rows = [o.json() | {"status_label": obligation_calendar.STATUS_LABELS[o.status]} for o in obs]
    counts: dict[str, int] = {}
    for o in obs:
        counts[o.status] = counts.get(o.status, 0) + 1
    return {"year": year, "as_of": as_of.isoformat(), "counts": counts,
            "overdue": sum(o.overdue for o in obs), "obligations": rows}


def requests(session: Session, year: int, department: str | None = None,
             status: str | None = None) -> list[dict[str, Any]]:
    stmt = select(AdjustmentRequest).where(AdjustmentRequest.year == year)
    if department is not None:
        stmt = stmt.where(AdjustmentRequest.department == department)
    if status is not None:
        stmt = stmt.where(AdjustmentRequest.status == status)
    return [request_json(r) for r in session.scalars(stmt.order_by(AdjustmentRequest.id))]


def reserve_list(session: Session, year: int, department: str | None = None) -> list[dict[str, Any]]:
    """四.（四）.3: accepted requests awaiting funds and approval, ranked by priority (二.（二）.2)."""
    stmt = select(AdjustmentRequest).where(AdjustmentRequest.year == year,
                                           AdjustmentRequest.status == RequestStatus.QUEUED)
    rows = sorted(session.scalars(stmt),
                  key=lambda r: adjustment_requests.rank_key(r.priority_class, r.filed_at, r.id))
    out = [request_json(r) | {"rank": i} for i, r in enumerate(rows, start=1)]
    return [r for r in out if department is None or r["department"] == department]


def get_request(session: Session, request_id: int) -> dict[str, Any]:
    from jiaxing.schemes.budget.handlers import _request

    r = _request(session, request_id, lock=False)
    decisions = session.scalars(select(Decision).where(Decision.request_id == r.id).order_by(Decision.id))
    return request_json(r) | {"decisions": [
        {"step": d.step,
         "step_zh": adjustment_requests.STEPS[d.step][1] if d.step in adjustment_requests.STEPS else "受理审核",
         "outcome": d.outcome,
         "on": d.on.isoformat(), "actor": d.actor, "clause": d.clause, "note": d.note,
         "at": d.at.isoformat() if d.at else None} for d in decisions]}


def latest_checks(session: Session, year: int) -> dict[str, Any] | None:
    run = session.scalar(select(CheckRun).where(CheckRun.year == year).order_by(CheckRun.id.desc()).limit(1))
    if run is None:
        return None
    return {"run_id": run.id, "trigger": run.trigger, "ok": run.ok, "checks": run.results, "actor": run.actor,
            "run_at": run.run_at.isoformat()}


def pipeline(session: Session, year: int, department: str | None = None) -> dict[str, int]:
    out = {status: 0 for status in RequestStatus}
    for r in requests(session, year, department):
        out[r["status"]] += 1
    return out
