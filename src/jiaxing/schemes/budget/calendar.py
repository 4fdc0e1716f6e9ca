"""The budget year's obligations (二、三、五、六), derived from recorded events — never typed in twice.

One record per event (``Event``: what happened, to whom, on which day); every obligation's due
date is computed here from the event that starts it, or from the fixed dates of 二.（三） for the
preparation steps. An obligation is met by the event that completes it. The Laws.Africa Indigo
"timeline" idea: the dates live in the events and in :mod:`params`, nowhere else.

Counting (docs/budget.md): "在 20 日内" / "15 日内" / "30日内" counts calendar days from the day
after the starting event (民法典 第二百零一条: the first day is not counted), so a period of 20
days that starts on 1 March ends on 21 March, and doing it on that day is on time; the next day
is late. A period ending on a weekend or a holiday is not extended (the 办法 counts 日, not 工作日,
and an office that must disclose should not learn of a holiday extension from us).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from jiaxing.schemes.budget import params

FINANCE = "市财政局"  # the subject of the finance bureau's own obligations


class ObligationStatus(StrEnum):
    """An obligation on a date (derived, never stored): done on time, late or outside its window;
    overdue; open."""

    DONE = "done"
    DONE_LATE = "done_late"
    DONE_OUTSIDE_WINDOW = "done_outside_window"
    OVERDUE = "overdue"
    OPEN = "open"


#: Event kinds that may be recorded, with what they mean. (kind: (subject required?, zh, en))
EVENT_KINDS: dict[str, tuple[str, str, str]] = {
    # completions of the preparation steps (二.（三）.1–5)
    **{code: ("department" if per_dept else "none", zh, en) for code, _m, _d, _o, _w, per_dept, _c, zh, en
       in params.PREPARATION_STEPS},
    "budget_approved": ("none", "市人大常委会批准市本级预算", "the city budget approved by the 人大常委会"),
    "department_replied": ("department", "市财政部门向部门批复预算", "finance replied to a department"),
    "units_replied": ("department", "部门向所属单位批复预算", "a department replied to its units"),
    "department_disclosed": ("department", "部门预算向社会公开", "a department's budget disclosed"),
    "budget_disclosed": ("none", "市本级预算向社会公开", "the city budget disclosed"),
    "adjustment_approved": ("label", "预算调整方案经市人大常委会批准", "an adjustment plan approved by the 人大常委会"),
    "adjustment_disclosed": ("label", "预算调整向社会公开", "an adjustment disclosed"),
    "monthly_report": ("reporter", "月度预算执行情况报告", "monthly execution report"),
    "npc_execution_report": ("none", "向市人大常委会报告预算执行情况", "execution report to the 人大常委会"),
    "final_approved": ("none", "市本级决算经批准", "the city final accounts approved"),
    "final_summary_filed": ("none", "区级决算汇总报市人大常委会备案", "district final accounts summarised and filed"),
    "final_disclosed": ("none", "决算向社会公开", "the final accounts disclosed"),
    "district_final_approved": ("district", "区本级决算经批准", "a district's final accounts approved"),
    "district_final_filed": ("district", "区级决算报市政府备案", "a district's final accounts filed with the city"),
}


@dataclass(frozen=True)
class Event:
    kind: str
    on: dt.date
    subject: str = ""
    period: str = ""  # YYYY-MM for a monthly report


@dataclass
class Obligation:
    code: str
    subject: str
    period: str
    due: dt.date
    clause: str
    title_zh: str
    title_en: str
    who: str
    started_by: str = ""  # the event kind that started it ("" = a fixed date)
    started_on: dt.date | None = None
    opens: dt.date | None = None  # the first day it may be done (a window)
    done_on: dt.date | None = None
    status: str = ObligationStatus.OPEN
    overdue: bool = False
    days_late: int = 0
    completed_by: str = ""  # the event kind that meets it
    completed_subject: str = ""  # the subject that event is recorded under ("" for the city's own)
    meta: dict = field(default_factory=dict)

    def json(self) -> dict:
        out = asdict(self)
        for k in ("due", "started_on", "opens", "done_on"):
            out[k] = out[k].isoformat() if out[k] else None
        return out


def within(start: dt.date, days: int) -> dt.date:
    """The last day of a period of ``days`` days starting the day after ``start``."""
    return start + dt.timedelta(days=days)


def month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def _first(events: Iterable[Event], kind: str, subject: str = "", period: str = "") -> Event | None:
    found = [e for e in events if e.kind == kind and e.subject == subject and e.period == period]
    return min(found, key=lambda e: e.on) if found else None


def obligations(year: int, events: Sequence[Event], *, departments: Sequence[str], districts: Sequence[str],
                as_of: dt.date) -> list[Obligation]:
    """Every obligation of budget ``year`` known on ``as_of``, with its status and overdue flag.
    Events dated after ``as_of`` have not happened yet on that day and are ignored."""
    events = [e for e in events if e.on <= as_of]
    out: list[Obligation] = []

    def add(code: str, subject: str, due: dt.date, clause: str, zh: str, en: str, who: str, *,
            completed_by: str, started: Event | None = None, period: str = "", opens: dt.date | None = None,
            done_subject: str | None = None) -> None:
        done_as = subject if done_subject is None else done_subject
        done = _first(events, completed_by, done_as, period)
        ob = Obligation(code=code, subject=subject, period=period, due=due, clause=clause, title_zh=zh, title_en=en,
                        who=who, started_by=started.kind if started else "", started_on=started.on if started else None,
                        opens=opens, done_on=done.on if done else None, completed_by=completed_by,
                        completed_subject=done_as)
        _status(ob, as_of)
        out.append(ob)

    # 二.（三）.1–5: the preparation steps, on fixed dates relative to the budget year
    for code, month, day, offset, _who, per_dept, clause, zh, en in params.PREPARATION_STEPS:
        due = dt.date(year + offset, month, day)
        for subject in (departments if per_dept else [FINANCE]):
            add(code, subject, due, clause, zh, en, subject, completed_by=code,
                done_subject=subject if per_dept else "")

    # 二.（三）.7 and 六.（三）.2–3: replies and disclosure after 人大 approval
    approved = _first(events, "budget_approved")
    if approved:
        add("budget_disclosure", FINANCE, within(approved.on, params.DISCLOSURE_DAYS),
            params.CLAUSE_CITY_DISCLOSURE,
            "市本级预算批准后20日内向社会公开", "disclose the city budget within 20 days of approval", FINANCE,
            completed_by="budget_disclosed", started=approved, done_subject="")
        for dept in departments:
            add("finance_reply", dept, within(approved.on, params.FINANCE_REPLY_DAYS), params.CLAUSE_REPLIES,
                "市财政部门20日内向部门批复预算", "finance replies to the department within 20 days", FINANCE,
                completed_by="department_replied", started=approved)
    for dept in departments:
        replied = _first(events, "department_replied", dept)
        if replied:
            add("unit_reply", dept, within(replied.on, params.UNIT_REPLY_DAYS), params.CLAUSE_REPLIES,
                "部门接到批复后15日内向所属单位批复", "the department replies to its units within 15 days", dept,
                completed_by="units_replied", started=replied)
            add("department_disclosure", dept, within(replied.on, params.DISCLOSURE_DAYS),
                params.CLAUSE_DEPARTMENT_DISCLOSURE,
                "部门预算批复后20日内向社会公开", "the department discloses its budget within 20 days of the reply", dept,
                completed_by="department_disclosed", started=replied)

    # 六.（三）.2: an adjustment approved by the 人大常委会 is disclosed within 20 days
    for e in sorted((e for e in events if e.kind == "adjustment_approved"), key=lambda e: (e.on, e.subject)):
        add("adjustment_disclosure", e.subject, within(e.on, params.DISCLOSURE_DAYS),
            params.CLAUSE_CITY_DISCLOSURE,
            "预算调整批准后20日内向社会公开", "disclose an approved adjustment within 20 days", FINANCE,
            completed_by="adjustment_disclosed", started=e)

    # 三.（二）.4: monthly execution reports, for each month that has ended
    reporters = [*departments, *districts, FINANCE]
    for month in range(1, 13):
        if month_end(year, month) >= as_of:
            break
        period = f"{year}-{month:02d}"
        lag = month + params.MONTHLY_REPORT_LAG_MONTHS
        due = month_end(year + (lag - 1) // 12, (lag - 1) % 12 + 1)
        for who in reporters:
            add("monthly_report", who, due, params.CLAUSE_MONTHLY_REPORTS, f"{period} 月度预算执行情况报告",
                f"execution report for {period}", who, completed_by="monthly_report", period=period)

    # 六.（一）.3: the execution report to the 人大常委会, between June and September
    (om, od), (dm, dd) = params.NPC_EXECUTION_REPORT_WINDOW
    add("npc_execution_report", FINANCE, dt.date(year, dm, dd), params.CLAUSE_NPC_EXECUTION_REPORT,
        "6月至9月向市人大常委会报告预算执行情况", "report execution to the 人大常委会 between June and September",
        FINANCE, completed_by="npc_execution_report", opens=dt.date(year, om, od), done_subject="")

    # 五.（二）.2–3 and 六.（三）.2: final accounts
    final = _first(events, "final_approved")
    if final:
        add("final_summary", FINANCE, within(final.on, params.FINAL_ACCOUNTS_DAYS), params.CLAUSE_CITY_FINAL,
            "市本级决算批准后30日内汇总区级决算报市人大常委会备案",
            "file the districts' final accounts with the 人大常委会 within 30 days", FINANCE,
            completed_by="final_summary_filed", started=final, done_subject="")
        add("final_disclosure", FINANCE, within(final.on, params.DISCLOSURE_DAYS),
            params.CLAUSE_CITY_DISCLOSURE,
            "决算批准后20日内向社会公开", "disclose the final accounts within 20 days of approval", FINANCE,
            completed_by="final_disclosed", started=final, done_subject="")
    for district in districts:
        dfa = _first(events, "district_final_approved", district)
        if dfa:
            add("district_final_filing", district, within(dfa.on, params.FINAL_ACCOUNTS_DAYS),
                params.CLAUSE_DISTRICT_FINAL,
                "区本级决算批准后30日内报市政府备案", "file the district's final accounts within 30 days", district,
                completed_by="district_final_filed", started=dfa)
    return out


def _status(ob: Obligation, as_of: dt.date) -> None:
    if ob.done_on is not None:
        if ob.opens and ob.done_on < ob.opens:
            ob.status = ObligationStatus.DONE_OUTSIDE_WINDOW
        elif ob.done_on > ob.due:
            ob.status, ob.days_late = ObligationStatus.DONE_LATE, (ob.done_on - ob.due).days
        else:
            ob.status = ObligationStatus.DONE
    elif as_of > ob.due:
        ob.status, ob.overdue, ob.days_late = ObligationStatus.OVERDUE, True, (as_of - ob.due).days
    else:
        ob.status = ObligationStatus.OPEN


STATUS_LABELS = {
    ObligationStatus.DONE: "按时完成 Done on time",
    ObligationStatus.DONE_LATE: "逾期完成 Done late",
    ObligationStatus.DONE_OUTSIDE_WINDOW: "不在规定期间内完成 Done outside the window",
    ObligationStatus.OVERDUE: "已逾期 Overdue",
    ObligationStatus.OPEN: "待办 Open",
}
