"""Use cases shared by the CLI, the API and the pages: raw input → validated command → ``execute``.

Who may do what is decided at the edge (API guards, page guards); the domain still refuses a unit's
report on a task that is not its own (``not_your_task``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazette import validate
from gazette.schemes.handler import execute
from jiaxing.schemes.supervision import (
    handlers,  # noqa: F401  (registers the handlers)
    validation,
)
from jiaxing.schemes.supervision.commands import (
    ConfirmTask,
    CorrectTask,
    RecordProjectEvent,
    RegisterProject,
    ReportInvestment,
    ReportProgress,
    SyncRegister,
)
from jiaxing.schemes.supervision.status import ReportStatus


def _out(outcome) -> dict[str, Any]:
    return {**outcome.result, "replayed": outcome.replayed}


def sync(*, key: str, actor: str, entries: tuple = (), session=None) -> dict[str, Any]:
    return _out(execute(SyncRegister(idempotency_key=key, actor=actor, entries=entries), session))


def report(raw: dict[str, Any], *, unit: str, key: str, actor: str, officer: bool = False,
           session=None) -> dict[str, Any]:
    cmd = ReportProgress(
        idempotency_key=key, actor=actor, officer=officer,
        task_id=validation.text(raw.get("task_id"), "task_id", max_length=200),
        unit=validation.text(unit, "unit", max_length=200),
        status=validation.report_status(raw.get("status", ReportStatus.IN_PROGRESS)),
        percent=validation.percent(raw.get("percent")),
        reported_on=validate.date(raw.get("reported_on") or raw.get("date"), "reported_on"),
        actual=validation.decimal_text(raw.get("actual"), "actual"),
        evidence=validation.text(raw.get("evidence"), "evidence", max_length=2000, required=False),
        evidence_file=validation.text(raw.get("evidence_file"), "evidence_file", max_length=300,
                                      required=False))
    return _out(execute(cmd, session))


def confirm(task_id: str, *, key: str, actor: str, note: str | None = None) -> dict[str, Any]:
    return _out(execute(ConfirmTask(idempotency_key=key, actor=actor,
                                    task_id=validation.text(task_id, "task_id", max_length=200),
                                    note=validation.text(note, "note", max_length=500, required=False))))


def correct(task_id: str, raw: dict[str, Any], *, key: str, actor: str) -> dict[str, Any]:
    units = raw.get("units")
    if isinstance(units, str):
        units = [u for u in units.replace("，", "、").replace(",", "、").split("、")]
    if units is not None:
        units = tuple(validation.text(u, "units", max_length=200) for u in units)
        if not units:
            units = None
    targets = raw.get("targets")
    if targets is not None:
        targets = tuple({"object": validation.text(t.get("object"), "targets.object", max_length=100),
                         "value": validation.decimal_text(t.get("value"), "targets.value") or "0",
                         "unit": validation.text(t.get("unit") or "", "targets.unit", max_length=20,
                                                 required=False) or "",
                         "comparison": t.get("comparison") if t.get("comparison") in (">=", "<=", ">", "<", "=")
                         else ">=", "text": str(t.get("text") or "")[:200]} for t in targets)
    cmd = CorrectTask(idempotency_key=key, actor=actor,
                      task_id=validation.text(task_id, "task_id", max_length=200),
                      reason=validation.text(raw.get("reason"), "reason", max_length=500),
                      units=units,
                      deadline=validate.date(raw["deadline"], "deadline") if raw.get("deadline") else None,
                      targets=targets,
                      text=validation.text(raw.get("text"), "text", max_length=4000, required=False))
    return _out(execute(cmd))


def register_project(raw: dict[str, Any], *, key: str, actor: str, session=None) -> dict[str, Any]:
    return _out(execute(RegisterProject(idempotency_key=key, actor=actor, **validation.project(raw)), session))


def project_event(project_id: str, raw: dict[str, Any], *, key: str, actor: str, session=None) -> dict[str, Any]:
    month = raw.get("month")
    cmd = RecordProjectEvent(idempotency_key=key, actor=actor,
                             project_id=validation.text(project_id, "project_id", max_length=40),
                             event=validation.text(raw.get("event"), "event", max_length=30),
                             on=validate.date(raw.get("on"), "on"),
                             reason=validation.text(raw.get("reason"), "reason", max_length=500,
                                                    required=False),
                             to_library=validation.text(raw.get("to_library"), "to_library", max_length=20,
                                                        required=False),
                             month=validate.month(month, "month") if month else None)
    return _out(execute(cmd, session))


def report_investment(project_id: str, month: str, amount_wan: object, *, key: str, actor: str,
                      session=None) -> dict[str, Any]:
    cmd = ReportInvestment(idempotency_key=key, actor=actor,
                           project_id=validation.text(project_id, "project_id", max_length=40),
                           month=validate.month(month, "month"),
                           amount_wan=validation.wan(amount_wan, "amount_wan"))
    return _out(execute(cmd, session))


def today() -> dt.date:
    from gazette.ledger import clock

    return clock.now().date()
