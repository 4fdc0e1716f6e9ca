"""The functions that carry out the supervision commands (one per command, via ``@handles``).

Each runs inside ``execute``'s unit of work with idempotency scoped to the caller and its audit
record in the same transaction; a domain error rolls everything back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, select

from gazette.errors import Conflict, Forbidden, GazetteError, InvalidInput, NotFound
from gazette.ledger import clock
from gazette.schemes.handler import Context, handles
from jiaxing.schemes.supervision import projects as major_projects
from jiaxing.schemes.supervision import register as task_register
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision import units as responsible_units
from jiaxing.schemes.supervision.commands import (
    ConfirmTask,
    CorrectTask,
    ImportProjects,
    RecordProjectEvent,
    RegisterProject,
    ReportInvestment,
    ReportProgress,
    SyncRegister,
)
from jiaxing.schemes.supervision.models import (
    SupInvestment,
    SupProject,
    SupProjectMove,
    SupReport,
    SupTask,
    SupTaskCorrection,
    SupTaskUnit,
)
from jiaxing.schemes.supervision.status import ReportStatus
from jiaxing.schemes.supervision.validation import REPORT_STATUSES


class NotYourTask(Forbidden):
    def __init__(self, task_id: str, unit: str):
        super().__init__(code="not_your_task", message_zh=f"{unit}不是任务 {task_id} 的责任单位，不能填报",
                         message_en=f"{unit} is not a responsible unit of task {task_id}", field="task_id")


def _set_units(session, task_id: str, units: list[str]) -> None:
    session.execute(delete(SupTaskUnit).where(SupTaskUnit.task_id == task_id))
    for i, u in enumerate(responsible_units.scope(units)):
        session.add(SupTaskUnit(task_id=task_id, unit=u, lead=i == 0))


@handles(SyncRegister)
def _sync(ctx: Context, cmd: SyncRegister) -> dict[str, Any]:
    s = ctx.session
    entries = [dict(e) for e in cmd.entries] if cmd.entries else task_register.from_pack()
    have = {t.id: t for t in s.execute(select(SupTask)).scalars()}
    corrected_units = {c.task_id for cs in effective_tasks.corrections(s).values() for c in cs if "units" in c.values}
    added = refreshed = 0
    for e in entries:
        fields = {k: e[k] for k in ("document", "clause", "kind", "text", "units", "deadline", "deadline_text",
                                    "deadline_source", "duration", "targets", "starts")}
        for k in ("deadline", "starts"):
            if isinstance(fields[k], str):
                fields[k] = dt.date.fromisoformat(fields[k])
        t = have.get(e["id"])
        if t is None:
            s.add(SupTask(id=e["id"], **fields))
            added += 1
        elif any(getattr(t, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(t, k, v)
            refreshed += 1
        else:
            continue
        s.flush()
        if e["id"] not in corrected_units:
            _set_units(s, e["id"], list(e["units"]))
    result = {"entries": len(entries), "added": added, "refreshed": refreshed}
    ctx.audit("supervision.sync", "sup_register", "corpus", after=result)
    return result


def _task(s, task_id: str) -> SupTask:
    t = s.get(SupTask, task_id)
    if t is None:
        raise NotFound("任务 task", task_id, field="task_id")
    return t


@handles(ConfirmTask)
def _confirm(ctx: Context, cmd: ConfirmTask) -> dict[str, Any]:
    t = _task(ctx.session, cmd.task_id)
    c = SupTaskCorrection(task_id=t.id, action="confirmed", values={}, reason=cmd.note, actor=ctx.actor,
                          at=clock.now())
    ctx.session.add(c)
    ctx.session.flush()
    ctx.audit("supervision.confirm", "sup_task", t.id, after={"note": cmd.note})
    return {"task_id": t.id, "correction_id": c.id, "action": "confirmed"}


@handles(CorrectTask)
def _correct(ctx: Context, cmd: CorrectTask) -> dict[str, Any]:
    s = ctx.session
    t = _task(s, cmd.task_id)
    values: dict[str, Any] = {}
    if cmd.units is not None:
        values["units"] = list(cmd.units)
    if cmd.deadline is not None:
        values["deadline"] = cmd.deadline.isoformat()
    if cmd.targets is not None:
        values["targets"] = [dict(x) for x in cmd.targets]
    if cmd.text is not None:
        values["text"] = cmd.text
    if not values:
        raise InvalidInput("更正至少要改一项（责任单位、期限、目标或内容）",
                           "a correction changes at least one field (units, deadline, targets, text)", field="values",
                           code="empty_correction")
    before = effective_tasks.effective(t, effective_tasks.corrections(s, [t.id]).get(t.id, []))
    c = SupTaskCorrection(task_id=t.id, action="corrected", values=values, reason=cmd.reason, actor=ctx.actor,
                          at=clock.now())
    s.add(c)
    s.flush()
    if "units" in values:
        _set_units(s, t.id, values["units"])
    ctx.audit("supervision.correct", "sup_task", t.id, before={k: before[k] for k in values}, after=values)
    return {"task_id": t.id, "correction_id": c.id, "action": "corrected", "values": values}


@handles(ReportProgress)
def _report(ctx: Context, cmd: ReportProgress) -> dict[str, Any]:
    s = ctx.session
    t = _task(s, cmd.task_id)
    if responsible_units.canonical(cmd.unit) not in effective_tasks.task_units(s, t.id):
        raise NotYourTask(t.id, cmd.unit)
    if cmd.status not in REPORT_STATUSES:
        raise InvalidInput("状态应为 in_progress、done 或 blocked", "unknown status", field="status",
                           code="invalid_status")
    if not 0 <= cmd.percent <= 100:
        raise InvalidInput("完成百分比应在 0 至 100 之间", "percent must be between 0 and 100", field="percent",
                           code="percent_out_of_range")
    if cmd.status == ReportStatus.DONE and cmd.percent != 100:
        raise InvalidInput("已完成的任务完成百分比应为 100", "a done task is 100 percent", field="percent",
                           code="done_needs_100")
    if cmd.reported_on < t.starts:
        raise InvalidInput(f"填报日期 {cmd.reported_on} 早于任务产生之日（{t.starts}，发文日期）",
                           f"the report date {cmd.reported_on} is before the task exists ({t.starts})",
                           field="reported_on", code="date_before_task")
    r = SupReport(task_id=t.id, unit=responsible_units.canonical(cmd.unit), status=cmd.status,
                  percent=cmd.percent, actual=cmd.actual,
                  evidence=cmd.evidence, evidence_file=cmd.evidence_file, reported_on=cmd.reported_on,
                  actor=ctx.actor)
    s.add(r)
    s.flush()
    ctx.audit("supervision.report", "sup_task", t.id, after=effective_tasks.report_dict(r),
              business_date=cmd.reported_on)
    return {"report_id": r.id, **effective_tasks.report_dict(r)}


def _create_project(ctx: Context, cmd: RegisterProject, *, checked: bool = False, audit: bool = True,
                    move: bool = True) -> SupProject:
    s = ctx.session
    if not checked and s.get(SupProject, cmd.id) is not None:
        raise Conflict(f"项目代码已存在：{cmd.id}", f"the project code exists: {cmd.id}", field="id",
                       code="project_exists")
    p = SupProject(id=cmd.id, name=cmd.name, category=cmd.category, level=cmd.level, district=cmd.district,
                   owner_unit=cmd.owner_unit, total_wan=cmd.total_wan, annual_plan_wan=cmd.annual_plan_wan,
                   planned_start=cmd.planned_start, is_new=cmd.is_new, library=cmd.library)
    if cmd.library == "construction":
        p.started_on = cmd.on  # a continuing project enters 在建库 as it is registered
    s.add(p)
    if move:
        s.add(_registered(ctx, p, cmd.on))
    if audit:
        ctx.audit("supervision.project", "sup_project", p.id, after=major_projects.as_dict(p),
                  business_date=cmd.on)
    return p


def _registered(ctx: Context, p: SupProject, on: dt.date) -> SupProjectMove:
    return SupProjectMove(project_id=p.id, event="registered", on=on, from_library=None, to_library=p.library,
                          actor=ctx.actor)


def _register_project(ctx: Context, cmd: RegisterProject) -> dict[str, Any]:
    p = _create_project(ctx, cmd)
    ctx.session.flush()
    return major_projects.as_dict(p)


handles(RegisterProject)(_register_project)


@handles(RecordProjectEvent)
def _event(ctx: Context, cmd: RecordProjectEvent) -> dict[str, Any]:
    s = ctx.session
    p = major_projects.get(s, cmd.project_id, lock=True)
    before = major_projects.as_dict(p)
    moves = major_projects.apply_event(s, p, event=cmd.event, on=cmd.on, actor=ctx.actor, reason=cmd.reason,
                                       to_library=cmd.to_library, month=cmd.month)
    s.flush()
    ctx.audit(f"supervision.{cmd.event}", "sup_project", p.id, before=before,
              after=major_projects.as_dict(p), business_date=cmd.on)
    return {"project": major_projects.as_dict(p), "moves": moves}


def _investment(ctx: Context, project_id: str, month: str, amount_wan: int) -> dict[str, Any]:
    s = ctx.session
    p = major_projects.get(s, project_id)
    if p.library != "construction" and amount_wan > 0:
        raise Conflict("只有在建库项目可以填报完成投资", "only projects under construction report investment",
                       field="project_id", code="not_under_construction")
    if p.started_on is not None and month < p.started_on.strftime("%Y-%m"):
        raise InvalidInput("填报月份早于开工月份", "the month is before the project started", field="month",
                           code="month_before_start")
    row = s.execute(select(SupInvestment).where(SupInvestment.project_id == p.id, SupInvestment.month == month)
                    ).scalar_one_or_none()
    before = row.amount_wan if row else None
    if row is None:
        s.add(SupInvestment(project_id=p.id, month=month, amount_wan=amount_wan, actor=ctx.actor))
    else:
        row.amount_wan, row.actor = amount_wan, ctx.actor
    return {"project_id": p.id, "month": month, "amount_wan": amount_wan, "before": before}


@handles(ReportInvestment)
def _report_investment(ctx: Context, cmd: ReportInvestment) -> dict[str, Any]:
    res = _investment(ctx, cmd.project_id, cmd.month, cmd.amount_wan)
    ctx.audit("supervision.investment", "sup_project", cmd.project_id, before=res["before"], after=cmd.amount_wan)
    return res


@handles(ImportProjects)
def _import(ctx: Context, cmd: ImportProjects) -> dict[str, Any]:
    s = ctx.session
    rows = list(cmd.rows)
    ids = [fields["id"] for _, fields, _, _ in rows]
    taken: set[str] = set()
    for i in range(0, len(ids), 500):
        taken |= set(s.scalars(select(SupProject.id).where(SupProject.id.in_(ids[i:i + 500]))))
    for row, fields, _, _ in rows:
        if fields["id"] in taken:
            raise Conflict(f"项目代码已存在：{fields['id']}", f"the project code exists: {fields['id']}", field="id",
                           code="project_exists", details={"row": row})
    # two batches: the projects, then what refers to them (moves, months) — nothing is read back
    created = []
    for row, fields, reported, started in rows:
        on = dt.date.fromisoformat(fields["on"]) if isinstance(fields["on"], str) else fields["on"]
        planned = fields.get("planned_start")
        rp = RegisterProject(idempotency_key="import", actor=ctx.actor, **{
            **fields, "on": on, "planned_start": dt.date.fromisoformat(planned) if isinstance(planned, str) else planned})
        created.append((row, _create_project(ctx, rp, checked=True, audit=False, move=False), on, reported, started))
    s.flush()
    registered = months = 0
    with s.no_autoflush:
        for row, p, on, reported, started in created:
            try:
                months += _import_row(ctx, p, on, reported, started)
            except GazetteError as e:
                e.details = {**e.details, "row": row}
                raise
            registered += 1
    s.flush()
    result = {"projects": registered, "monthly_reports": months}
    # one audit record for the import: every project it registered, with its library
    ctx.audit("supervision.import", "sup_projects", "import",
              after={**result, "registered": {f["id"]: f["library"] for _, f, _, _ in rows}})
    return result


def _import_row(ctx: Context, p: SupProject, on: dt.date, reported: tuple, started: str | None) -> int:
    s = ctx.session
    s.add(_registered(ctx, p, on))
    if started:
        if p.library != "construction":
            major_projects.apply_event(s, p, event="construction_started",
                                       on=dt.date.fromisoformat(str(started)),
                                       actor=ctx.actor, reason=None, to_library=None, month=None, last=on)
        else:
            p.started_on = dt.date.fromisoformat(str(started))
    start_month = p.started_on.strftime("%Y-%m") if p.started_on else None
    for month, amount in sorted(dict(reported).items()):  # a new project has no months yet: add them directly
        if int(amount) > 0 and p.library != "construction":
            raise Conflict("只有在建库项目可以填报完成投资", "only projects under construction report investment",
                           field=month, code="not_under_construction")
        if start_month and month < start_month:
            raise InvalidInput("填报月份早于开工月份", "the month is before the project started", field=month,
                               code="month_before_start")
        s.add(SupInvestment(project_id=p.id, month=month, amount_wan=int(amount), actor=ctx.actor))
    return len(dict(reported))
