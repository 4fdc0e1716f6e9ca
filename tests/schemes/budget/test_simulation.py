"""A simulated budget year — generated departments, units, districts, events and requests, run
through the commands and the database — matches an independent reference written here from the
text of 嘉政发〔2022〕5号: the same obligations, due dates, overdue flags and routing.

The reference does not import the scheme's calendar, params or routing: its dates and periods are
read off the text again (二.（三）.1–7, 三.（二）.4, 五.（二）.2–3, 六.（一）.3, 六.（三）.2–3, 四.（三）,
四.（五）) and computed a different way (day ordinals, explicit month tables).
"""

from __future__ import annotations

import datetime as dt
import random

import pytest

from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from jiaxing.schemes.budget import commands, queries

FIN = "市财政局"
ORD = dt.date.toordinal


def _date(o: int) -> dt.date:
    return dt.date.fromordinal(o)


# ------------------------------------------------------------------ the independent reference
def reference(year, depts, districts, events, as_of):
    """{(code, subject, period): (due, overdue)} from the text, for the generated year."""
    ev = {}
    for kind, on, subject, period in events:
        if on <= as_of:  # what has happened by the day of the view
            ev.setdefault((kind, subject, period), on)
    out = {}

    def ob(code, subject, due, done_key, period="", opens=None):
        done = ev.get(done_key)
        overdue = done is None and as_of > due
        out[(code, subject, period)] = (due, overdue)

    prev = year - 1
    # 二.（三）.1: 6月30日前 deployment; .2: 9月30日 units, 10月30日 departments; .3: 11月30日; .4: 12月15日; .5: 次年1月10日
    ob("deployment", FIN, dt.date(prev, 6, 30), ("deployment", "", ""))
    ob("control_figures", FIN, dt.date(prev, 11, 30), ("control_figures", "", ""))
    ob("city_budget_formed", FIN, dt.date(year, 1, 10), ("city_budget_formed", "", ""))
    for d in depts:
        ob("units_to_departments", d, dt.date(prev, 9, 30), ("units_to_departments", d, ""))
        ob("departments_to_finance", d, dt.date(prev, 10, 30), ("departments_to_finance", d, ""))
        ob("adjusted_submissions", d, dt.date(prev, 12, 15), ("adjusted_submissions", d, ""))
    approved = ev.get(("budget_approved", "", ""))
    if approved:  # 二.（三）.7 在20日内; 六.（三）.2 批准后20日内
        ob("budget_disclosure", FIN, _date(ORD(approved) + 20), ("budget_disclosed", "", ""))
        for d in depts:
            ob("finance_reply", d, _date(ORD(approved) + 20), ("department_replied", d, ""))
    for d in depts:
        replied = ev.get(("department_replied", d, ""))
        if replied:  # 二.（三）.7 15日内; 六.（三）.3 批复后20日内
            ob("unit_reply", d, _date(ORD(replied) + 15), ("units_replied", d, ""))
            ob("department_disclosure", d, _date(ORD(replied) + 20), ("department_disclosed", d, ""))
    last_day = {1: 31, 2: 29 if year % 4 == 0 else 28, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31,
                11: 30, 12: 31}
    for m in range(1, 13):  # 三.（二）.4 每月 — reading: by the end of the following month
        if dt.date(year, m, last_day[m]) >= as_of:
            break
        due = dt.date(year, m + 1, last_day[m + 1]) if m < 12 else dt.date(year + 1, 1, 31)
        for who in (*depts, *districts, FIN):
            ob("monthly_report", who, due, ("monthly_report", who, f"{year}-{m:02d}"), period=f"{year}-{m:02d}")
    ob("npc_execution_report", FIN, dt.date(year, 9, 30), ("npc_execution_report", "", ""))  # 六.（一）.3 6月至9月
    final = ev.get(("final_approved", "", ""))
    if final:  # 五.（二）.3 30日内; 六.（三）.2 20日内
        ob("final_summary", FIN, _date(ORD(final) + 30), ("final_summary_filed", "", ""))
        ob("final_disclosure", FIN, _date(ORD(final) + 20), ("final_disclosed", "", ""))
    for dist in districts:
        dfa = ev.get(("district_final_approved", dist, ""))
        if dfa:  # 五.（二）.2 30日内
            ob("district_final_filing", dist, _date(ORD(dfa) + 30), ("district_final_filed", dist, ""))
    return out


def reference_route(kind, condition, performance, affordability):
    """四.（三） refusal grounds, then 四.（五）.1–3 by kind."""
    if performance not in ("优", "良") or affordability != "可承受" or condition == "none":
        return "refused", []
    return "queued", {"reallocation": ["finance_approval"], "reserve_fund": ["finance_review", "city_approval"],
                      "total_change": ["finance_review", "executive_meeting", "npc_submission", "npc_approval"]}[kind]


# ------------------------------------------------------------------ the generated year
def generate(seed):
    rnd = random.Random(seed)
    year = rnd.choice([2023, 2024, 2025])
    depts = [f"市第{i}局" for i in range(1, rnd.randint(4, 8))]
    districts = rnd.sample(["南湖区", "秀洲区", "嘉兴经济技术开发区", "嘉兴港区"], rnd.randint(1, 4))
    rows = [{"section": "revenue", "item": "税收收入", "amount_yuan": "100000000"},
            {"section": "reserve_fund", "amount_yuan": "1000000"}]
    units = {}
    for d in depts:
        rows.append({"section": "expenditure", "department": d, "function_class": "一般公共服务支出",
                     "amount_yuan": str(rnd.randint(1, 9) * 1000000)})
        units[d] = [f"{d}下属单位{j}" for j in range(rnd.randint(0, 3))]
        rows += [{"section": "unit", "department": d, "item": u, "amount_yuan": ""} for u in units[d]]
    for dist in districts:
        rows.append({"section": "transfer", "district": dist, "item": "general", "expected_yuan": "1000",
                     "amount_yuan": "950"})

    def maybe(base: dt.date, spread=8, p_missing=0.2):
        return None if rnd.random() < p_missing else base + dt.timedelta(days=rnd.randint(-spread, spread))

    ev = []

    def add(kind, on, subject="", period=""):
        if on is not None:
            ev.append((kind, on, subject, period))

    prev = year - 1
    add("deployment", maybe(dt.date(prev, 6, 30)))
    add("control_figures", maybe(dt.date(prev, 11, 30)))
    add("city_budget_formed", maybe(dt.date(year, 1, 10), 5))
    for d in depts:
        add("units_to_departments", maybe(dt.date(prev, 9, 30)), d)
        add("departments_to_finance", maybe(dt.date(prev, 10, 30)), d)
        add("adjusted_submissions", maybe(dt.date(prev, 12, 15)), d)
    approved = maybe(dt.date(year, 1, 20), 10, 0.1)
    add("budget_approved", approved)
    if approved:
        add("budget_disclosed", maybe(approved + dt.timedelta(days=20), 3))
        for d in depts:
            replied = maybe(approved + dt.timedelta(days=18), 4)
            add("department_replied", replied, d)
            if replied:
                add("units_replied", maybe(replied + dt.timedelta(days=15), 2), d)
                add("department_disclosed", maybe(replied + dt.timedelta(days=20), 2), d)
    for m in range(1, 13):
        for who in (*depts, *districts, FIN):
            nxt = dt.date(year + m // 12, m % 12 + 1, 1)
            add("monthly_report", maybe(nxt + dt.timedelta(days=20), 15, 0.1), who, f"{year}-{m:02d}")
    add("npc_execution_report", maybe(dt.date(year, 8, 1), 70, 0.2))
    final = maybe(dt.date(year + 1, 7, 10), 10, 0.3)
    add("final_approved", final)
    if final:
        add("final_summary_filed", maybe(final + dt.timedelta(days=30), 3))
        add("final_disclosed", maybe(final + dt.timedelta(days=20), 3))
    for dist in districts:
        dfa = maybe(dt.date(year + 1, 6, 20), 10, 0.3)
        add("district_final_approved", dfa, dist)
        if dfa:
            add("district_final_filed", maybe(dfa + dt.timedelta(days=30), 3), dist)
    as_of = dt.date(year, 1, 1) + dt.timedelta(days=rnd.randint(-200, 600))
    requests = []
    for _ in range(rnd.randint(3, 9)):
        d = rnd.choice(depts)
        requests.append({"department": d, "unit": rnd.choice(units[d] + [""]), "kind": rnd.choice(
            ["reallocation", "reserve_fund", "total_change"]), "condition": rnd.choice(
            ["new_temporary_work", "function_change", "new_staff", "unforeseeable", "none"]),
            "performance": rnd.choice(["优", "良", "中", "差", ""]), "affordability": rnd.choice(["可承受", "不可承受", ""]),
            "priority_class": rnd.randint(1, 5)})
    return year, depts, districts, rows, ev, as_of, requests


@pytest.mark.parametrize("seed", range(6))
def test_simulated_year_matches_the_reference(clean_db, seed):
    year, depts, districts, rows, ev, as_of, requests = generate(seed)
    with unit_of_work() as s:
        execute(commands.ImportBudget(idempotency_key="sim", actor="sim", year=year, rows=tuple(rows)), s)
        for i, (kind, on, subject, period) in enumerate(ev):
            execute(commands.RecordEvent(idempotency_key=f"e{i}", actor="sim", year=year, kind=kind, on=on,
                                         subject=subject,
                                         period=period), s)
        routed = []
        for i, r in enumerate(requests):
            filed = execute(commands.FileRequest(idempotency_key=f"f{i}", actor="sim", year=year,
                                                 title=f"申请{i}",
                                                 direction="increase", amount_fen=100_00,
                                                 on=dt.date(year, 7, 3), **r), s)
            routed.append(execute(commands.RouteRequest(idempotency_key=f"r{i}", actor="sim",
                                                        request_id=filed.result["id"],
                                                        on=dt.date(year, 7, 4)), s).result)
    with unit_of_work() as s:
        cal = queries.calendar(s, year, as_of)
    got = {(o["code"], o["subject"], o["period"]): (dt.date.fromisoformat(o["due"]), o["overdue"])
           for o in cal["obligations"]}
    want = reference(year, sorted(depts), sorted(districts), ev, as_of)
    assert set(got) == set(want)  # the same obligations
    assert got == want  # the same due dates and overdue flags
    assert len(got) > 10
    for r, res in zip(requests, routed, strict=True):
        status, route = reference_route(r["kind"], r["condition"], r["performance"], r["affordability"])
        assert (res["status"], res["route"] if status == "queued" else []) == (status, route)
        assert res["next_step"] == (route[0] if route else "")


def test_simulations_cover_both_overdue_and_on_time_and_every_kind():
    seen_overdue, seen_kinds, seen_status = set(), set(), set()
    for seed in range(6):
        year, depts, districts, rows, ev, as_of, requests = generate(seed)
        ref = reference(year, sorted(depts), sorted(districts), ev, as_of)
        seen_overdue |= {v[1] for v in ref.values()}
        seen_kinds |= {r["kind"] for r in requests}
        seen_status |= {reference_route(r["kind"], r["condition"], r["performance"], r["affordability"])[0]
                        for r in requests}
    assert seen_overdue == {True, False}
    assert seen_kinds == {"reallocation", "reserve_fund", "total_change"} and seen_status == {"refused", "queued"}
