"""The effective register: the extraction with the officers' corrections laid over it, and each
task's derived status on a date. Read-only helpers shared by handlers, queries and imports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jiaxing.schemes.supervision.models import SupReport, SupTask, SupTaskCorrection, SupTaskUnit
from jiaxing.schemes.supervision.status import LastReport, derive

FIELDS = ("units", "deadline", "targets", "text")


def extraction(t: SupTask) -> dict[str, Any]:
    return {"id": t.id, "document": t.document, "clause": t.clause, "kind": t.kind, "text": t.text,
            "units": list(t.units), "deadline": t.deadline.isoformat() if t.deadline else None,
            "deadline_text": t.deadline_text, "deadline_source": t.deadline_source, "duration": t.duration,
            "targets": list(t.targets), "starts": t.starts.isoformat()}


def corrections(session: Session, task_ids: list[str] | None = None) -> dict[str, list[SupTaskCorrection]]:
    q = select(SupTaskCorrection).order_by(SupTaskCorrection.id)
    if task_ids is not None:
        q = q.where(SupTaskCorrection.task_id.in_(task_ids))
    out: dict[str, list[SupTaskCorrection]] = {}
    for c in session.execute(q).scalars():
        out.setdefault(c.task_id, []).append(c)
    return out


def effective(t: SupTask, corr: list[SupTaskCorrection]) -> dict[str, Any]:
    """The extraction, each corrected field replaced by its latest correction; the extraction stays
    visible under ``extracted``."""
    base = extraction(t)
    eff = dict(base)
    eff["corrected_fields"] = []
    eff["confirmed"] = None
    for c in corr:
        if c.action == "confirmed":
            eff["confirmed"] = {"by": c.actor, "at": c.at.isoformat()}
            continue
        for k in FIELDS:
            if k in c.values:
                eff[k] = c.values[k]
                if k not in eff["corrected_fields"]:
                    eff["corrected_fields"].append(k)
        eff["confirmed"] = {"by": c.actor, "at": c.at.isoformat()}
    if "deadline" in eff["corrected_fields"]:
        eff["deadline_text"], eff["deadline_source"] = "督查人员更正 corrected by an officer", None
    eff["extracted"] = {k: base[k] for k in FIELDS}
    return eff


def last_reports(session: Session, on: dt.date | None = None,
                 task_ids: list[str] | None = None) -> dict[str, SupReport]:
    """The last report of each task (by date, then id) on or before ``on``."""
    q = select(SupReport)
    if on is not None:
        q = q.where(SupReport.reported_on <= on)
    if task_ids is not None:
        q = q.where(SupReport.task_id.in_(task_ids))
    out: dict[str, SupReport] = {}
    for r in session.execute(q.order_by(SupReport.reported_on, SupReport.id)).scalars():
        out[r.task_id] = r
    return out


def status_of(eff: dict[str, Any], last: SupReport | None, on: dt.date) -> str:
    deadline = dt.date.fromisoformat(eff["deadline"]) if eff["deadline"] else None
    lr = LastReport(last.status, last.percent, last.reported_on) if last is not None else None
    return derive(on=on, starts=dt.date.fromisoformat(eff["starts"]), deadline=deadline, last=lr)


def register(session: Session, on: dt.date, *, unit: str | None = None, document: str | None = None
             ) -> list[dict[str, Any]]:
    """Every task (of ``unit`` / ``document``) with its effective fields, last report and status on ``on``."""
    q = select(SupTask).order_by(SupTask.document, SupTask.id)
    if document:
        q = q.where(SupTask.document == document)
    if unit is not None:
        from jiaxing.schemes.supervision.units import canonical

        q = q.where(SupTask.id.in_(select(SupTaskUnit.task_id).where(SupTaskUnit.unit == canonical(unit))))
    tasks = list(session.execute(q).scalars())
    ids = [t.id for t in tasks] if (unit is not None or document) else None
    corr = corrections(session, ids)
    lasts = last_reports(session, on, ids)
    scoped = scope_units(session, ids)
    out = []
    for t in tasks:
        eff = effective(t, corr.get(t.id, []))
        eff["scope_units"] = scoped.get(t.id, [])
        last = lasts.get(t.id)
        eff["last_report"] = report_dict(last) if last else None
        eff["status"] = status_of(eff, last, on)
        out.append(eff)
    return out


def report_dict(r: SupReport) -> dict[str, Any]:
    return {"id": r.id, "task_id": r.task_id, "unit": r.unit, "status": r.status, "percent": r.percent,
            "actual": r.actual, "evidence": r.evidence, "evidence_file": r.evidence_file,
            "reported_on": r.reported_on.isoformat(), "actor": r.actor}


def scope_units(session: Session, task_ids: list[str] | None = None) -> dict[str, list[str]]:
    q = select(SupTaskUnit.task_id, SupTaskUnit.unit).order_by(SupTaskUnit.task_id, SupTaskUnit.lead.desc(),
                                                              SupTaskUnit.unit)
    if task_ids is not None:
        q = q.where(SupTaskUnit.task_id.in_(task_ids))
    out: dict[str, list[str]] = {}
    for tid, unit in session.execute(q):
        out.setdefault(tid, []).append(unit)
    return out


def task_units(session: Session, task_id: str) -> list[str]:
    """The canonical units that see and report the task (see :mod:`.units`)."""
    return list(session.scalars(select(SupTaskUnit.unit).where(SupTaskUnit.task_id == task_id)
                                .order_by(SupTaskUnit.lead.desc(), SupTaskUnit.unit)))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SupTask)) or 0
