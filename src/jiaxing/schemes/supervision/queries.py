"""Read models of the workbench: the dashboard, a unit's tasks and reminders, lights of a quarter,
start rates, plan indicators and a project with its history. Nothing here writes."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette.errors import NotFound
from jiaxing.schemes.supervision import lights as project_lights
from jiaxing.schemes.supervision import params
from jiaxing.schemes.supervision import projects as major_projects
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision.calendar import statistics_due
from jiaxing.schemes.supervision.models import SupInvestment, SupProject, SupReport, SupTask
from jiaxing.schemes.supervision.status import STATUSES, TaskStatus
from jiaxing.schemes.supervision.units import canonical

WAN_PER_YI = 10000


def task_detail(session: Session, task_id: str, on: dt.date) -> dict[str, Any]:
    t = session.get(SupTask, task_id)
    if t is None:
        raise NotFound("任务 task", task_id, field="task_id")
    corr = effective_tasks.corrections(session, [t.id]).get(t.id, [])
    eff = effective_tasks.effective(t, corr)
    reports = session.execute(select(SupReport).where(SupReport.task_id == t.id)
                              .order_by(SupReport.reported_on, SupReport.id)).scalars().all()
    last = next((r for r in reversed(reports) if r.reported_on <= on), None)
    eff["status"] = effective_tasks.status_of(eff, last, on)
    eff["scope_units"] = effective_tasks.task_units(session, t.id)
    eff["reports"] = [effective_tasks.report_dict(r) for r in reports]
    eff["corrections"] = [{"id": c.id, "action": c.action, "values": c.values, "reason": c.reason, "actor": c.actor,
                           "at": c.at.isoformat()} for c in corr]
    return eff


def dashboard(session: Session, on: dt.date) -> dict[str, Any]:
    rows = effective_tasks.register(session, on)
    by_status = Counter(r["status"] for r in rows)
    by_doc: dict[str, Counter] = defaultdict(Counter)
    by_unit: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        by_doc[r["document"]][r["status"]] += 1
        for u in r["scope_units"] or ["（待明确 unassigned）"]:
            by_unit[u][r["status"]] += 1
    overdue = [r for r in rows if r["status"] == TaskStatus.OVERDUE]
    return {"on": on.isoformat(), "tasks": len(rows), "by_status": {s: by_status.get(s, 0) for s in STATUSES},
            "by_document": {d: {s: c.get(s, 0) for s in STATUSES} for d, c in sorted(by_doc.items())},
            "by_unit": {u: {s: c.get(s, 0) for s in STATUSES} for u, c in sorted(by_unit.items())},
            "overdue": [{k: r[k] for k in ("id", "clause", "text", "units", "deadline")} for r in overdue]}


def reminders(session: Session, on: dt.date, unit: str | None = None) -> list[dict[str, Any]]:
    """Reports due (no report yet this month) and overdue tasks, per unit — the digest's lines."""
    month_start = on.replace(day=1)
    out = []
    for r in effective_tasks.register(session, on, unit=unit):
        if r["status"] == TaskStatus.DONE:
            continue
        units = [canonical(unit)] if unit else r["scope_units"]
        last = r["last_report"]
        due = last is None or last["reported_on"] < month_start.isoformat()
        for u in units:
            if r["status"] == TaskStatus.OVERDUE:
                out.append({"unit": u, "kind": "overdue", "task_id": r["id"], "clause": r["clause"],
                            "deadline": r["deadline"], "text": r["text"][:60]})
            elif due:
                out.append({"unit": u, "kind": "report_due", "task_id": r["id"], "clause": r["clause"],
                            "deadline": r["deadline"], "text": r["text"][:60]})
    out.sort(key=lambda x: (x["unit"], x["kind"] != "overdue", x["deadline"] or "9999", x["task_id"]))
    return out


def _cumulative(session: Session, through_month: str, year: int) -> dict[str, int]:
    q = (select(SupInvestment.project_id, func.sum(SupInvestment.amount_wan))
         .where(SupInvestment.month >= f"{year:04d}-01", SupInvestment.month <= through_month)
         .group_by(SupInvestment.project_id))
    return {pid: int(total) for pid, total in session.execute(q)}


def lights(session: Session, qr: project_lights.Quarter, *, district: str | None = None,
           category: str | None = None) -> list[dict[str, Any]]:
    """Each project with its light at the end of ``qr`` (projects not in construction by then: none)."""
    q = select(SupProject).order_by(SupProject.id)
    if district:
        q = q.where(SupProject.district == district)
    if category:
        q = q.where(SupProject.category == category)
    cum = _cumulative(session, qr.last_month, qr.year)
    out = []
    for p in session.execute(q).scalars():
        in_construction = p.started_on is not None and p.started_on <= qr.end and p.library == "construction"
        rate = project_lights.completion_rate(cum.get(p.id, 0), p.annual_plan_wan,
                                              qr.q) if in_construction else None
        out.append({"id": p.id, "name": p.name, "district": p.district, "category": p.category, "level": p.level,
                    "annual_plan_wan": p.annual_plan_wan, "completed_wan": cum.get(p.id, 0),
                    "rate": project_lights.percent(rate), "light": project_lights.light_of(rate, qr.end),
                    "_rate": rate or Fraction(0),
                    "clause": params.reference("lights.red_below")})
    return out


def lights_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by_district: dict[str, Counter] = defaultdict(Counter)
    by_category: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        by_district[r["district"]][r["light"]] += 1
        by_category[r["category"]][r["light"]] += 1
    keys = tuple(project_lights.LIGHTS)
    return {"total": dict(Counter(r["light"] for r in rows)),
            "by_district": {d: {k: c.get(k, 0) for k in keys} for d, c in sorted(by_district.items())},
            "by_category": {d: {k: c.get(k, 0) for k in keys} for d, c in sorted(by_category.items())}}


def start_rates(session: Session, qr: project_lights.Quarter) -> dict[str, Any]:
    rows = [{"level": lv, "is_new": n, "started_on": s, "district": d}
            for lv, n, s, d in session.execute(select(SupProject.level, SupProject.is_new, SupProject.started_on,
                                                      SupProject.district))]
    city = project_lights.start_rate(rows, qr)
    districts = {}
    for d in sorted({r["district"] for r in rows}):
        districts[d] = project_lights.start_rate([r for r in rows if r["district"] == d], qr)
    return {**city, "by_district": districts}


def indicators(session: Session, year: int = 2022) -> dict[str, Any]:
    """The plan's totals and the year's goals (9号#一, #二, #三.（一）) beside what is registered."""
    on = dt.date(year, 12, 31)
    plan = params.value("plan.categories", on)
    city = [major_projects.as_dict(p) for p in session.execute(select(SupProject).where(SupProject.level.in_(
        ("national", "provincial", "city")))).scalars()]
    reg = {c: {"projects": 0, "annual_plan_wan": 0} for c in major_projects.CATEGORIES}
    for p in city:
        reg[p["category"]]["projects"] += 1
        reg[p["category"]]["annual_plan_wan"] += p["annual_plan_wan"]
    reserve_wan = session.scalar(select(func.coalesce(func.sum(SupProject.total_wan), 0))
                                 .where(SupProject.library == "reserve")) or 0
    completed = session.scalar(select(func.coalesce(func.sum(SupInvestment.amount_wan), 0))
                               .where(SupInvestment.month.like(f"{year:04d}-%"))) or 0
    listed = session.scalar(select(func.count()).select_from(SupProject)) or 0
    return {
        "categories": [{"category": c, "plan_projects": plan[c]["projects"],
                        "plan_investment_yi": plan[c]["investment_yi"], "projects": reg[c]["projects"],
                        "annual_plan_wan": reg[c]["annual_plan_wan"]} for c in major_projects.CATEGORIES],
        "plan": {"projects": params.value("plan.projects", on), "investment_yi": params.value("plan.investment_yi", on),
                 "registered_projects": len(city), "clause": params.reference("plan.projects")},
        "expansion_list": {"target": params.value("plan.expansion_list_projects", on), "projects": listed,
                           "clause": params.reference("plan.expansion_list_projects")},
        "reserve": {"target_yi": params.value("plan.reserve_total_yi", on), "total_wan": int(reserve_wan),
                    "met": reserve_wan >= params.value("plan.reserve_total_yi", on) * WAN_PER_YI,
                    "clause": params.reference("plan.reserve_total_yi")},
        "goals": {"fixed_asset_investment_yi": params.value("goals.fixed_asset_investment_yi", on),
                  "reported_completed_wan": int(completed),
                  "growth_ensure": str(params.value("goals.growth_ensure", on)),
                  "growth_strive": str(params.value("goals.growth_strive", on)),
                  "structural_growth": str(params.value("goals.structural_growth", on)),
                  "high_energy_share_max": str(params.value("goals.high_energy_share_max", on)),
                  "clause": params.reference("goals.fixed_asset_investment_yi")},
    }


def project_detail(session: Session, project_id: str) -> dict[str, Any]:
    p = major_projects.get(session, project_id)
    months = session.execute(select(SupInvestment.month, SupInvestment.amount_wan)
                             .where(SupInvestment.project_id == p.id).order_by(SupInvestment.month)).all()
    out = major_projects.as_dict(p)
    out["history"] = major_projects.history(session, p.id)
    out["investments"] = [{"month": m, "amount_wan": a} for m, a in months]
    out["statistics_due"] = statistics_due(p.started_on).isoformat() if p.started_on else None
    return out


def projects(session: Session, *, district: str | None = None, library: str | None = None,
             category: str | None = None, limit: int = 500, offset: int = 0) -> list[dict[str, Any]]:
    q = select(SupProject).order_by(SupProject.id)
    if district:
        q = q.where(SupProject.district == district)
    if library:
        q = q.where(SupProject.library == library)
    if category:
        q = q.where(SupProject.category == category)
    return [major_projects.as_dict(p) for p in session.execute(q.limit(limit).offset(offset)).scalars()]


def statistics_overdue(session: Session, on: dt.date) -> list[dict[str, Any]]:
    """Started projects not entered in statistics by the end of the month after their start."""
    out = []
    for p in session.execute(select(SupProject).where(SupProject.started_on.is_not(None),
                                                      SupProject.stats_entered_month.is_(None))).scalars():
        due = statistics_due(p.started_on)
        if on > due:
            out.append({"id": p.id, "name": p.name, "district": p.district, "started_on": p.started_on.isoformat(),
                        "due": due.isoformat()})
    return out
