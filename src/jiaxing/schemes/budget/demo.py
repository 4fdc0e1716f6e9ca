"""Demo data of the budget scheme (``gazette demo``): three users and the 2023 budget year.

Users (password ``gazette-demo``): ``dept-edu`` (预算部门 市教育局), ``finance`` (财政局工作人员),
``approver`` (市政府审批人). The 2023 year has its figures, a calendar in which most steps were
done — some late — and 市卫生健康委's budget disclosure (六.（三）.3) left undone, so the dashboard
shows it overdue; and a few adjustment requests in different states. Every step is a keyed
command or a check-before-write, so running the demo twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiaxing.schemes.budget import commands
from jiaxing.schemes.budget.calendar import FINANCE

YEAR = 2023
EDU, HEALTH, TRANSPORT, CIVIL = "市教育局", "市卫生健康委", "市交通运输局", "市民政局"
USERS = (
    {"username": "dept-edu", "display_name": "市教育局（预算部门）", "role": "department", "unit": EDU},
    {"username": "finance", "display_name": "市财政局工作人员", "role": "finance_officer"},
    {"username": "approver", "display_name": "市政府审批人", "role": "approver"},
)


def rows() -> list[dict[str, str]]:
    out = [
        {"section": "revenue", "item": "税收收入", "amount_yuan": "21500000000"},
        {"section": "revenue", "item": "非税收入", "amount_yuan": "3200000000"},
        {"section": "stabilisation_fund", "amount_yuan": "800000000"},
        {"section": "reserve_fund", "amount_yuan": "500000000"},
        {"section": "turnover_fund", "amount_yuan": "150000000", "approval": "市政府 2023-01-06 同意设置（演示）"},
        {"section": "debt", "item": "general", "amount_yuan": "26000000000", "limit_yuan": "28000000000"},
        {"section": "debt", "item": "special", "amount_yuan": "41000000000", "limit_yuan": "45000000000"},
    ]
    for dept, cls, amount, units in ((EDU, "教育支出", "9800000000", ["嘉兴市第一中学", "嘉兴市实验小学"]),
                                     (HEALTH, "卫生健康支出", "6400000000", ["嘉兴市第一医院"]),
                                     (TRANSPORT, "交通运输支出", "5200000000", ["嘉兴市公路与运输管理中心"]),
                                     (CIVIL, "社会保障和就业支出", "3500000000", ["嘉兴市社会福利院"])):
        out.append({"section": "expenditure", "department": dept, "function_class": cls, "amount_yuan": amount})
        out += [{"section": "unit", "department": dept, "item": u, "amount_yuan": ""} for u in units]
    for district, general, special in (("南湖区", ("600000000", "560000000"), ("300000000", "220000000")),
                                       ("秀洲区", ("500000000", "470000000"), ("250000000", "190000000")),
                                       ("嘉兴经济技术开发区", ("200000000", "186000000"), ("100000000", "75000000"))):
        out.append({"section": "transfer", "district": district, "item": "general", "expected_yuan": general[0],
                    "amount_yuan": general[1], "on_actuals": "否"})
        out.append({"section": "transfer", "district": district, "item": "special", "expected_yuan": special[0],
                    "amount_yuan": special[1], "on_actuals": "否"})
    return out


def events() -> list[tuple[str, str, str, str]]:
    """(kind, on, subject, period) — the year's history."""
    depts = (EDU, HEALTH, TRANSPORT, CIVIL)
    ev = [("deployment", "2022-06-28", "", "")]
    for i, d in enumerate(depts):
        ev += [("units_to_departments", "2022-09-29", d, ""),
               ("departments_to_finance", "2022-10-28" if i != 2 else "2022-11-02", d, ""),  # 交通 late
               ("adjusted_submissions", "2022-12-14", d, "")]
    ev += [("control_figures", "2022-11-29", "", ""), ("city_budget_formed", "2023-01-09", "", ""),
           ("budget_approved", "2023-01-13", "", ""), ("budget_disclosed", "2023-01-30", "", "")]
    for d in depts:
        ev += [("department_replied", "2023-01-31", d, ""), ("units_replied", "2023-02-10", d, "")]
        if d != HEALTH:  # 市卫生健康委 has not disclosed: overdue from 2023-02-21 (六.（三）.3)
            ev.append(("department_disclosed", "2023-02-15", d, ""))
    for month in range(1, 13):
        period = f"{YEAR}-{month:02d}"
        on = (dt.date(YEAR + month // 12, month % 12 + 1, 10)).isoformat()
        for who in (*depts, "南湖区", "秀洲区", "嘉兴经济技术开发区", FINANCE):
            if not (who == "秀洲区" and month == 11):  # one monthly report missing
                ev.append(("monthly_report", on, who, period))
    ev += [("npc_execution_report", "2023-08-29", "", ""), ("adjustment_approved", "2023-10-27", "2023年第一次预算调整", ""),
           ("adjustment_disclosed", "2023-11-08", "2023年第一次预算调整", "")]
    return ev


REQUESTS = (  # (key, department, unit, title, kind, condition, amount, priority, perf, afford, filed, steps)
    ("r1", EDU, "嘉兴市第一中学", "新增学位临时性保障经费", "reserve_fund", "new_temporary_work", "1200000", 1, "良", "可承受",
     "2023-07-03", (("route", "2023-07-05"),)),
    ("r2", HEALTH, HEALTH, "职能划转经费", "reallocation", "function_change", "800000", 3, "优", "可承受",
     "2023-07-10", (("route", "2023-07-11"), ("approve", "2023-07-20"))),
    ("r3", TRANSPORT, "嘉兴市公路与运输管理中心", "养护项目追加", "total_change", "unforeseeable", "5000000", 4, "中", "可承受",
     "2023-08-01", (("route", "2023-08-02"),)),
    ("r4", CIVIL, "嘉兴市社会福利院", "新增编制人员经费", "reallocation", "new_staff", "300000", 1, "良", "可承受",
     "2023-09-01", ()),
)


def run() -> dict[str, Any]:
    from gazette.auth import users as users_service
    from gazette.auth.demo import DEMO_PASSWORD
    from gazette.schemes.handler import execute
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.budget.models import BudgetYear

    created = []
    with unit_of_work() as s:
        for spec in USERS:
            if users_service.get_by_username(s, spec["username"]) is None:
                users_service.create_user(s, password=DEMO_PASSWORD, **spec)
                created.append(spec["username"])
    with unit_of_work() as s:
        fresh = s.get(BudgetYear, YEAR) is None
    if not fresh:
        return {"year": YEAR, "users_created": created, "already_loaded": True}
    actor = "demo"
    with unit_of_work() as s:
        execute(commands.ImportBudget(idempotency_key="demo-import", actor=actor, year=YEAR,
                                      rows=tuple(rows()),
                                      source="演示数据 demo"), s)
        for i, (kind, on, subject, period) in enumerate(events()):
            execute(commands.RecordEvent(idempotency_key=f"demo-event-{i}", actor=actor, year=YEAR, kind=kind,
                                         on=dt.date.fromisoformat(on), subject=subject, period=period), s)
        for key, dept, unit, title, kind, cond, amount, prio, perf, aff, filed, steps in REQUESTS:
            res = execute(commands.FileRequest(idempotency_key=f"demo-{key}", actor=actor, year=YEAR,
                                               department=dept,
                                               unit=unit, title=title, kind=kind, condition=cond,
                                               direction="increase",
                                               amount_fen=int(amount) * 100, priority_class=prio,
                                               performance=perf,
                                               affordability=aff, on=dt.date.fromisoformat(filed)), s).result
            for j, (what, on) in enumerate(steps):
                day = dt.date.fromisoformat(on)
                cmd = (commands.RouteRequest(idempotency_key=f"demo-{key}-{j}", actor=actor, request_id=res["id"], on=day)
                       if what == "route" else
                       commands.Decide(idempotency_key=f"demo-{key}-{j}", actor=actor, request_id=res["id"],
                                       outcome="approve", on=day, role="city_admin"))
                execute(cmd, s)
    return {"year": YEAR, "users_created": created, "events": len(events()), "requests": len(REQUESTS)}
