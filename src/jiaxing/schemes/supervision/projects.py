"""“551” projects and their three libraries (嘉政办发〔2022〕9号#三, #四.（三）):

储备库 reserve → 新建库 new (储备项目启动审批程序的自动转入新建库) → 在建库 construction (新建项目开工的
自动转入在建库). A project moves only through events, each recorded with the move it caused (one
row per event); its history is those rows in order. Moving backwards needs a recorded reason.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gazette.errors import Conflict, InvalidInput, NotFound
from jiaxing.schemes.supervision.models import SupProject, SupProjectMove

LIBRARIES = ("reserve", "new", "construction")
LIBRARY_LABELS = {"reserve": "储备库 Reserve", "new": "新建库 New projects", "construction": "在建库 Under construction"}
CATEGORIES = ("科技创新", "现代产业", "交通设施", "市政环境", "社会民生")
LEVELS = {"national": "国家重大项目 National", "provincial": "省“4+1”重大项目 Provincial",
          "city": "市“551”重大项目 City", "list": "扩投资清单项目 Expansion list"}
EVENTS = {"registered": "入库登记 Registered", "approval_started": "启动审批 Approval started",
          "construction_started": "开工 Construction started", "stats_entered": "统计入库 Entered in statistics",
          "moved_back": "退回 Moved back"}
CLAUSE = "嘉政办发〔2022〕9号#四.（三）"


def get(session: Session, project_id: str, *, lock: bool = False) -> SupProject:
    q = select(SupProject).where(SupProject.id == project_id)
    if lock:
        q = q.with_for_update()
    p = session.execute(q).scalar_one_or_none()
    if p is None:
        raise NotFound("项目 project", project_id, field="project_id")
    return p


def last_event_date(session: Session, project_id: str) -> dt.date | None:
    return session.scalar(select(SupProjectMove.on).where(SupProjectMove.project_id == project_id)
                          .order_by(SupProjectMove.on.desc(), SupProjectMove.id.desc()).limit(1))


def _move(session: Session, p: SupProject, event: str, on: dt.date, to: str, actor: str,
          reason: str | None = None) -> dict[str, Any]:
    row = SupProjectMove(project_id=p.id, event=event, on=on, from_library=p.library, to_library=to,
                         reason=reason, actor=actor)
    session.add(row)
    before = p.library
    p.library = to
    return {"event": event, "on": on.isoformat(), "from": before, "to": to, "reason": reason}


_ASK = object()


def apply_event(session: Session, p: SupProject, *, event: str, on: dt.date, actor: str, reason: str | None,
                to_library: str | None, month: str | None, last: Any = _ASK) -> list[dict[str, Any]]:
    """The moves ``event`` causes; raises before writing anything when it is not allowed. ``last`` is the
    date of the project's last event when the caller knows it (an import that has just registered it)."""
    if event not in EVENTS or event == "registered":
        raise InvalidInput(f"未知事件：{event}", f"unknown event: {event}", field="event", code="unknown_event")
    if last is _ASK:
        last = last_event_date(session, p.id)
    if last is not None and on < last:
        raise InvalidInput(f"事件日期 {on} 早于项目上一事件（{last}）", f"the event date {on} is before the project's "
                           f"last event ({last})", field="on", code="date_before_last_event")
    if event == "approval_started":
        if p.library != "reserve":
            raise Conflict(f"项目已在{LIBRARY_LABELS[p.library]}，不能再启动审批",
                           f"the project is already in the {p.library} library", field="event", code="wrong_library")
        p.approval_started_on = on
        return [_move(session, p, event, on, "new", actor)]
    if event == "construction_started":
        if p.library == "construction":
            raise Conflict("项目已开工（在建库）", "the project has already started construction", field="event",
                           code="wrong_library")
        moves = []
        if p.library == "reserve":  # 拿地即开工: approval and start on one day, both recorded
            p.approval_started_on = on
            moves.append(_move(session, p, "approval_started", on, "new", actor))
        p.started_on = on
        moves.append(_move(session, p, event, on, "construction", actor))
        return moves
    if event == "stats_entered":
        if p.started_on is None:
            raise Conflict("项目尚未开工，不能统计入库", "a project is entered in statistics only after it starts",
                           field="event", code="not_started")
        m = month or on.strftime("%Y-%m")
        if m < p.started_on.strftime("%Y-%m"):
            raise InvalidInput("统计入库月份早于开工月份", "the statistics month is before the start month",
                               field="month", code="month_before_start")
        p.stats_entered_month = m
        return [_move(session, p, event, on, p.library, actor)]
    # moved_back
    if to_library not in LIBRARIES or LIBRARIES.index(to_library) >= LIBRARIES.index(p.library):
        raise InvalidInput("退回只能退到更早的项目库（储备库或新建库）",
                           "a project can only move back to an earlier library", field="to_library",
                           code="not_backwards")
    if not (reason or "").strip():
        raise InvalidInput("项目退回须填写原因", "moving a project backwards needs a recorded reason", field="reason",
                           code="reason_required")
    if to_library != "construction":
        p.started_on = None
        p.stats_entered_month = None
    if to_library == "reserve":
        p.approval_started_on = None
    return [_move(session, p, event, on, to_library, actor, reason.strip())]


def history(session: Session, project_id: str) -> list[dict[str, Any]]:
    rows = session.execute(select(SupProjectMove).where(SupProjectMove.project_id == project_id)
                           .order_by(SupProjectMove.on, SupProjectMove.id)).scalars()
    return [{"event": r.event, "event_label": EVENTS[r.event], "on": r.on.isoformat(), "from": r.from_library,
             "to": r.to_library, "reason": r.reason, "actor": r.actor} for r in rows]


def library_on(history_rows: list[dict[str, Any]], on: dt.date) -> str | None:
    """The library a project was in on a date, derived from its recorded moves."""
    lib = None
    for r in history_rows:
        if r["on"] <= on.isoformat():
            lib = r["to"]
    return lib


def as_dict(p: SupProject) -> dict[str, Any]:
    return {"id": p.id, "name": p.name, "category": p.category, "level": p.level, "district": p.district,
            "owner_unit": p.owner_unit, "total_wan": p.total_wan, "annual_plan_wan": p.annual_plan_wan,
            "planned_start": p.planned_start.isoformat() if p.planned_start else None, "is_new": p.is_new,
            "library": p.library, "library_label": LIBRARY_LABELS[p.library],
            "approval_started_on": p.approval_started_on.isoformat() if p.approval_started_on else None,
            "started_on": p.started_on.isoformat() if p.started_on else None,
            "stats_entered_month": p.stats_entered_month}
