"""The budget scheme's command handlers: each runs in one transaction with its audit record
(who, when, what before → after); a domain error rolls the whole command back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette import validate
from gazette.errors import Conflict, Forbidden, InvalidInput, NotFound
from gazette.ledger.clock import now
from gazette.schemes.handler import Context, handles
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.budget import calendar as obligation_calendar
from jiaxing.schemes.budget import data as budget_data
from jiaxing.schemes.budget import params
from jiaxing.schemes.budget import requests as adjustment_requests
from jiaxing.schemes.budget.checks import BudgetData, run_checks
from jiaxing.schemes.budget.commands import (
    Decide,
    FileRequest,
    ImportBudget,
    RecordEvent,
    RouteRequest,
    RunChecks,
    SubmitToNPC,
)
from jiaxing.schemes.budget.models import (
    AdjustmentRequest,
    BudgetYear,
    CheckRun,
    Decision,
    DecisionOutcome,
    Event,
    RequestStatus,
)


def get_year(session: Session, year: int) -> BudgetYear:
    row = session.get(BudgetYear, year)
    if row is None:
        raise NotFound("预算年度 budget year", str(year), field="year")
    return row


def year_data(session: Session, year: int) -> BudgetData:
    return budget_data.from_json(get_year(session, year).data)


def _store_checks(ctx: Context, year: int, data: BudgetData, trigger: str) -> dict[str, Any]:
    results = [r.json() for r in run_checks(data)]
    ok = all(r["passed"] for r in results)
    run = CheckRun(year=year, trigger=trigger, ok=ok, results=results, actor=ctx.actor, run_at=now())
    ctx.session.add(run)
    ctx.session.flush()
    return {"run_id": run.id, "ok": ok, "checks": results}


@handles(ImportBudget)
def import_budget(ctx: Context, cmd: ImportBudget) -> dict[str, Any]:
    data = budget_data.parse(list(cmd.rows))  # raises import_rejected before anything is written
    row = ctx.session.get(BudgetYear, cmd.year)
    before = budget_data.summary(budget_data.from_json(row.data)) if row else None
    if row is None:
        row = BudgetYear(year=cmd.year)
        ctx.session.add(row)
    row.data, row.source, row.imported_by, row.imported_at = budget_data.to_json(data), cmd.source[:300], ctx.actor, now()
    ctx.session.flush()
    checks = _store_checks(ctx, cmd.year, data, "import")
    ctx.audit("budget.import", "budget_year", cmd.year, before=before, after=budget_data.summary(data))
    return {"year": cmd.year, "summary": budget_data.summary(data), "departments": data.departments,
            "districts": data.districts, **checks}


@handles(RunChecks)
def check(ctx: Context, cmd: RunChecks) -> dict[str, Any]:
    data = year_data(ctx.session, cmd.year)
    out = _store_checks(ctx, cmd.year, data, "on_demand")
    ctx.audit("budget.check", "budget_year", cmd.year, after={"run_id": out["run_id"], "ok": out["ok"]})
    return {"year": cmd.year, **out}


@handles(RecordEvent)
def record_event(ctx: Context, cmd: RecordEvent) -> dict[str, Any]:
    data = year_data(ctx.session, cmd.year)
    if cmd.kind not in obligation_calendar.EVENT_KINDS:
        raise InvalidInput(f"未知的事件类型：{cmd.kind}", f"unknown event kind: {cmd.kind}", field="kind",
                           code="unknown_event_kind")
    needs = obligation_calendar.EVENT_KINDS[cmd.kind][0]
    subject, period = cmd.subject.strip(), cmd.period.strip()
    allowed = {"department": data.departments, "district": DISTRICTS,
               "reporter": [*data.departments, *DISTRICTS, obligation_calendar.FINANCE]}.get(needs)
    if needs == "none" and subject:
        raise InvalidInput("该事件不针对具体部门，subject 应为空", "this event has no subject", field="subject",
                           code="unexpected_subject")
    if allowed is not None and subject not in allowed:
        raise InvalidInput(f"subject 应为本年度的部门或县（市、区）：{subject or '（空）'}",
                           f"subject must be one of this year's {needs}s: {subject or '(blank)'}", field="subject",
                           code="unknown_subject")
    if needs == "label":
        subject = validate.text(subject, "subject", max_length=200)
    if needs == "reporter":
        if not (len(period) == 7 and period[:4] == str(cmd.year) and period[5:].isdigit() and 1 <= int(period[5:]) <= 12):
            raise InvalidInput(f"period 应为 {cmd.year}-01 至 {cmd.year}-12", f"period must be a month of {cmd.year}",
                               field="period", code="invalid_period")
    elif period:
        raise InvalidInput("只有月度报告有 period", "only a monthly report has a period", field="period",
                           code="unexpected_period")
    if not dt.date(cmd.year - 1, 1, 1) <= cmd.on <= dt.date(cmd.year + 2, 12, 31):
        raise InvalidInput(f"日期应在 {cmd.year - 1} 至 {cmd.year + 2} 年之间", "the date is far from the budget year",
                           field="on", code="date_out_of_range")
    exists = ctx.session.scalar(select(Event).where(Event.year == cmd.year, Event.kind == cmd.kind,
                                                    Event.subject == subject, Event.period == period))
    if exists is not None:
        raise Conflict(f"该事件已记录（{exists.on}）", f"this event is already recorded ({exists.on})", field="kind",
                       code="event_already_recorded")
    note = validate.text(cmd.note, "note", max_length=2000, min_length=0)
    ev = Event(year=cmd.year, kind=cmd.kind, subject=subject, period=period, on=cmd.on, note=note,
               recorded_by=ctx.actor, recorded_at=now())
    ctx.session.add(ev)
    ctx.session.flush()
    after = {"kind": cmd.kind, "subject": subject, "period": period, "on": cmd.on.isoformat()}
    ctx.audit("budget.event", "budget_event", ev.id, after=after)
    return {"event_id": ev.id, "year": cmd.year, **after}


def request_json(r: AdjustmentRequest) -> dict[str, Any]:
    from gazette.ledger.money import fen_to_yuan

    return {"id": r.id, "year": r.year, "department": r.department, "unit": r.unit, "title": r.title, "kind": r.kind,
            "kind_clause": params.KINDS[r.kind][0], "condition": r.condition,
            "condition_clause": params.CONDITIONS.get(r.condition, (params.CLAUSE_CONDITIONS,))[0],
            "direction": r.direction,
            "amount": fen_to_yuan(r.amount_fen), "amount_fen": r.amount_fen, "priority_class": r.priority_class,
            "performance": r.performance, "affordability": r.affordability, "status": r.status,
            "next_step": r.next_step, "route": list(adjustment_requests.route(r.kind)),
            "authority": adjustment_requests.AUTHORITY[r.kind],
            "reasons": r.reasons, "filed_by": r.filed_by, "filed_on": r.filed_on.isoformat(),
            "npc_submitted_on": r.npc_submitted_on.isoformat() if r.npc_submitted_on else None,
            "npc_late_reason": r.npc_late_reason}


@handles(FileRequest)
def file_request(ctx: Context, cmd: FileRequest) -> dict[str, Any]:
    data = year_data(ctx.session, cmd.year)
    title = validate.text(cmd.title, "title", max_length=300)
    dept, unit = cmd.department.strip(), cmd.unit.strip() or cmd.department.strip()
    if not dept:
        raise InvalidInput("预算调整须由主管部门提出，不得越级申请", "a request goes through its department: no skipping levels",
                           field="department", code="skipped_department")
    if dept not in data.departments:
        raise InvalidInput(f"本年度预算中没有该部门：{dept}", f"no such department in this year's budget: {dept}",
                           field="department", code="unknown_department")
    if unit != dept and unit not in data.units.get(dept, []):
        owner = next((d for d, us in data.units.items() if unit in us), None)
        raise InvalidInput(
            f"{unit} 不是 {dept} 的所属单位" + (f"（属于 {owner}），须经其主管部门申请" if owner else ""),
            f"{unit} is not a unit of {dept}" + (f" (it belongs to {owner}): it applies through its own department"
                                                 if owner else ""),
            field="unit", code="skipped_department")
    _one_of(cmd.kind, params.KINDS, "kind")
    _one_of(cmd.condition, [*params.CONDITIONS, "none"], "condition")
    _one_of(cmd.direction, ("increase", "decrease"), "direction")
    _one_of(cmd.performance, (*params.PERFORMANCE_GRADES, ""), "performance")
    _one_of(cmd.affordability, (*params.AFFORDABILITY, ""), "affordability")
    if cmd.condition == "project_cancelled" and cmd.direction != "decrease":
        raise InvalidInput("项目不再实施只能调减预算（四.（三）.4）", "a cancelled project can only decrease the budget",
                           field="direction", code="direction_mismatch")
    if not 1 <= cmd.priority_class <= 5:
        raise InvalidInput("优先级应为 1—5（二.（二）.2）", "priority class must be 1–5", field="priority_class",
                           code="out_of_range")
    if cmd.amount_fen <= 0:
        raise InvalidInput("金额应大于零", "the amount must be positive", field="amount", code="amount_out_of_range")
    r = AdjustmentRequest(year=cmd.year, department=dept, unit=unit, title=title, kind=cmd.kind,
                          condition=cmd.condition, direction=cmd.direction, amount_fen=cmd.amount_fen,
                          priority_class=cmd.priority_class, performance=cmd.performance,
                          affordability=cmd.affordability, status=RequestStatus.SUBMITTED, next_step="",
                          reasons=[],
                          filed_by=ctx.actor, filed_on=cmd.on, filed_at=now(), npc_late_reason="")
    ctx.session.add(r)
    ctx.session.flush()
    out = request_json(r)
    ctx.audit("budget.request.file", "budget_request", r.id, after=out)
    return out


def _one_of(value: str, allowed, field: str) -> None:
    if value not in allowed:
        raise InvalidInput(f"{field} 取值无效：{value}", f"{field} must be one of {', '.join(map(str, allowed))}",
                           field=field, code=f"invalid_{field}")


def _request(session: Session, request_id: int, *, lock: bool = True) -> AdjustmentRequest:
    stmt = select(AdjustmentRequest).where(AdjustmentRequest.id == request_id)
    r = session.scalar(stmt.with_for_update() if lock else stmt)
    if r is None:
        raise NotFound("调整申请 adjustment request", str(request_id), field="request_id")
    return r


def _decision(ctx: Context, r: AdjustmentRequest, step: str, outcome: DecisionOutcome, on: dt.date,
              clause: str,
              note: str = "") -> None:
    ctx.session.add(Decision(request_id=r.id, step=step, outcome=outcome, on=on, actor=ctx.actor, clause=clause,
                             note=validate.text(note, "note", max_length=2000, min_length=0), at=now()))


def _not_before_filing(r: AdjustmentRequest, on: dt.date) -> None:
    if on < r.filed_on:
        raise InvalidInput("决定日期不能早于申请日期", "a decision cannot predate the request", field="on",
                           code="date_before_request")


@handles(RouteRequest)
def route_request(ctx: Context, cmd: RouteRequest) -> dict[str, Any]:
    r = _request(ctx.session, cmd.request_id)
    if r.status != RequestStatus.SUBMITTED:
        raise Conflict(f"申请已处理（{r.status}）", f"the request was already handled ({r.status})", field="request_id",
                       code="request_not_submitted")
    _not_before_filing(r, cmd.on)
    before = request_json(r)
    reasons = adjustment_requests.refusal_reasons(adjustment_requests.Facts(r.kind, r.condition, r.performance, r.affordability))
    if reasons:
        r.status, r.reasons = RequestStatus.REFUSED, reasons
        _decision(ctx, r, "acceptance", DecisionOutcome.REFUSED, cmd.on, params.CLAUSE_CONDITIONS,
                  "；".join(x["zh"] for x in reasons))
    else:
        r.status, r.next_step = RequestStatus.QUEUED, adjustment_requests.route(r.kind)[0]
        _decision(ctx, r, "acceptance", DecisionOutcome.ACCEPTED, cmd.on, params.KINDS[r.kind][0],
                  f"纳入财政预算储备项目库（{params.CLAUSE_RESERVE_LIST}），按 {adjustment_requests.AUTHORITY[r.kind]} 审批")
    ctx.session.flush()
    out = request_json(r)
    ctx.audit("budget.request.route", "budget_request", r.id, before=before, after=out)
    return out


@handles(Decide)
def decide(ctx: Context, cmd: Decide) -> dict[str, Any]:
    r = _request(ctx.session, cmd.request_id)
    if r.status != RequestStatus.QUEUED:
        raise Conflict(f"申请不在审批中（{r.status}）", f"the request is not awaiting a decision ({r.status})",
                       field="request_id", code="request_not_queued")
    step = r.next_step
    who, zh, en, clause, barred = adjustment_requests.STEPS[step]
    if step == "npc_submission":
        raise Conflict("下一步是提请市人大常委会审查，请使用提交操作", "the next step is the submission to the 人大常委会",
                       field="request_id", code="use_npc_submission")
    if cmd.role not in (who, "city_admin"):
        raise Forbidden(f"此步骤（{zh}）须由其他角色办理", f"this step ({en}) belongs to {who}", field="role",
                        code="wrong_role_for_step", details={"step": step, "role_needed": who})
    _one_of(cmd.outcome, ("approve", "reject"), "outcome")
    _not_before_filing(r, cmd.on)
    if cmd.outcome == "approve" and barred and adjustment_requests.approval_barred(cmd.on):
        raise InvalidInput(f"{cmd.on} 不在审批期内：6月底前和12月份不审批市级部门预算调整（{params.CLAUSE_TIMING}）",
                           f"{cmd.on} is closed for approvals: none up to 30 June nor in December ({params.CLAUSE_TIMING})",
                           field="on", code="approval_window_closed")
    before = request_json(r)
    if cmd.outcome == "reject":
        r.status, r.next_step = RequestStatus.REJECTED, ""
        _decision(ctx, r, step, DecisionOutcome.REJECTED, cmd.on, clause, cmd.note)
    else:
        steps = adjustment_requests.route(r.kind)
        nxt = steps.index(step) + 1
        r.next_step = steps[nxt] if nxt < len(steps) else ""
        r.status = RequestStatus.QUEUED if r.next_step else RequestStatus.APPROVED
        _decision(ctx, r, step, DecisionOutcome.APPROVED, cmd.on, clause, cmd.note)
    ctx.session.flush()
    out = request_json(r)
    ctx.audit("budget.request.decide", "budget_request", r.id, before=before, after=out)
    return out


@handles(SubmitToNPC)
def submit_to_npc(ctx: Context, cmd: SubmitToNPC) -> dict[str, Any]:
    r = _request(ctx.session, cmd.request_id)
    if r.status != RequestStatus.QUEUED or r.next_step != "npc_submission":
        raise Conflict("该申请当前不能提请市人大常委会审查", "the request is not ready for the 人大常委会",
                       field="request_id", code="not_ready_for_npc")
    _not_before_filing(r, cmd.on)
    reason = validate.text(cmd.reason, "reason", max_length=2000, min_length=0)
    if adjustment_requests.npc_submission_late(cmd.on, r.year) and not reason:
        raise InvalidInput(f"10月底后提请市人大常委会审查须记录原因（{params.CLAUSE_TIMING}）",
                           f"after 31 October a submission to the 人大常委会 needs a recorded reason ({params.CLAUSE_TIMING})",
                           field="reason", code="npc_submission_needs_reason")
    before = request_json(r)
    r.npc_submitted_on, r.npc_late_reason, r.next_step = cmd.on, reason[:2000], "npc_approval"
    _decision(ctx, r, "npc_submission", DecisionOutcome.SUBMITTED, cmd.on, params.CLAUSE_TIMING, reason)
    ctx.session.flush()
    out = request_json(r)
    ctx.audit("budget.request.npc", "budget_request", r.id, before=before, after=out)
    return out


def count_requests(session: Session, year: int) -> int:
    return session.scalar(select(func.count()).select_from(AdjustmentRequest).where(AdjustmentRequest.year == year))
