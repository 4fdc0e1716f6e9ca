"""A simulated year: 3,700 projects (the 扩投资 list of 嘉政办发〔2022〕9号#二) with twelve monthly
investment reports, and the register's tasks with monthly progress reports — loaded through the
commands, then every quarter's lights and every month-end's task statuses compared with an
independent reference written here from the clause text (plain integers, no workbench code)."""

from __future__ import annotations

import calendar
import datetime as dt
import random

import pytest

from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.supervision import queries
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision.commands import ImportProjects, ReportProgress
from jiaxing.schemes.supervision.lights import quarter

N_PROJECTS = 3700
CATEGORIES = ("科技创新", "现代产业", "交通设施", "市政环境", "社会民生")
MONTHS = [f"2022-{m:02d}" for m in range(1, 13)]


def _month_end(month: str) -> dt.date:
    y, m = int(month[:4]), int(month[5:])
    return dt.date(y, m, calendar.monthrange(y, m)[1])


def generate_projects(seed: int = 551):
    rnd = random.Random(seed)
    rows = []
    for i in range(N_PROJECTS):
        annual = rnd.choice([0, rnd.randint(500, 200000)]) if i % 97 == 0 else rnd.randint(500, 200000)
        start_month = rnd.choice([None, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) if i % 5 else 1
        started = dt.date(2022, start_month, rnd.randint(1, 28)) if start_month else None
        pace = rnd.choice([30, 55, 69, 70, 80, 89, 90, 100, 120])  # percent of the time-proportional plan
        months = {}
        if started:
            for m in MONTHS:
                if m >= started.strftime("%Y-%m"):
                    months[m] = max(0, annual * pace // 1200 + rnd.randint(-3, 3))
        fields = {"id": f"SIM-{i:05d}", "name": f"模拟项目{i}", "category": CATEGORIES[i % 5],
                  "level": ("city", "provincial", "national", "list", "list", "list", "list", "list")[i % 8],
                  "district": DISTRICTS[i % len(DISTRICTS)], "owner_unit": "模拟业主", "total_wan": annual * 3,
                  "annual_plan_wan": annual, "planned_start": None, "is_new": i % 3 != 0, "library": "reserve",
                  "on": dt.date(2022, 1, 1)}
        rows.append((i + 2, fields, tuple(sorted(months.items())), started.isoformat() if started else None))
    return rows


def reference_light(completed: int, annual: int, q: int, started: bool) -> str:
    """9号#三.（三）: 投资完成率低于70% 红灯, 70%（含）-90% 黄灯 — against the plan to the quarter's end
    (annual × q/4), compared with integers: completed / (annual·q/4) < 70/100 ⇔ 400·completed < 70·annual·q."""
    if not started or annual == 0:
        return "none"
    if 400 * completed < 70 * annual * q:
        return "red"
    if 400 * completed < 90 * annual * q:
        return "yellow"
    return "green"


def reference_status(task: dict, reports: list[tuple[dt.date, str, int]], day: dt.date) -> str:
    known = [r for r in reports if r[0] <= day]
    last = known[-1] if known else None
    if last and (last[1] == "done" or last[2] == 100):
        return "done"
    deadline = dt.date.fromisoformat(task["deadline"]) if task["deadline"] else None
    if deadline and day > deadline:
        return "overdue"
    if last and last[1] == "blocked":
        return "at_risk"
    starts = dt.date.fromisoformat(task["starts"])
    if deadline is None or deadline <= starts:
        return "on_track"
    total, elapsed = (deadline - starts).days, max(0, (day - starts).days)
    percent = last[2] if last else 0
    # behind by more than 25 points of the time elapsed: percent < 100·elapsed/total − 25
    return "at_risk" if percent * total < 100 * elapsed - 25 * total else "on_track"


@pytest.mark.postgres  # heavy (3,700 projects, ~45,000 rows): runs in the PostgreSQL pass
def test_simulated_year(reg):
    rows = generate_projects()
    res = execute(ImportProjects(idempotency_key="sim-year", actor="sim", rows=tuple(rows)))
    assert res.result["projects"] == N_PROJECTS

    # the tasks: a report at each month end from the month after the task began, by its lead unit
    rnd = random.Random(14)
    with unit_of_work() as s:
        register = [t for t in effective_tasks.register(s, dt.date(2022, 1, 1)) if t["units"]]
    assert len(register) >= 109
    history: dict[str, list[tuple[dt.date, str, int]]] = {}
    with unit_of_work() as s:
        for t in register:
            percent, done = 0, False
            for m in MONTHS:
                day = _month_end(m)
                if day <= dt.date.fromisoformat(t["starts"]) or done or rnd.random() < 0.15:
                    continue
                percent = min(100, percent + rnd.choice([0, 5, 10, 15, 20]))
                status = "done" if percent == 100 else ("blocked" if rnd.random() < 0.05 else "in_progress")
                done = status == "done"
                execute(ReportProgress(idempotency_key=f"sim-{t['id']}-{m}", actor="sim", task_id=t["id"],
                                       unit=t["units"][0], status=status, percent=percent, reported_on=day), s)
                history.setdefault(t["id"], []).append((day, status, percent))

    # lights of every quarter against the reference
    by_id = {f["id"]: (f, dict(months), started) for _, f, months, started in rows}
    seen = set()
    with unit_of_work() as s:
        for q in (1, 2, 3, 4):
            qr = quarter(f"2022Q{q}")
            got = {r["id"]: r["light"] for r in queries.lights(s, qr)}
            assert len(got) == N_PROJECTS
            for pid, (f, months, started) in by_id.items():
                done = sum(v for m, v in months.items() if m <= qr.last_month)
                on_time = started is not None and dt.date.fromisoformat(started) <= qr.end
                expected = reference_light(done, f["annual_plan_wan"], q, on_time)
                assert got[pid] == expected, (pid, q, done, f["annual_plan_wan"])
                seen.add(expected)
    assert seen == {"red", "yellow", "green", "none"}

    # task statuses at every month end (and the day after each deadline) against the reference
    statuses = set()
    days = [_month_end(m) for m in MONTHS] + [dt.date(2023, 1, 1)]
    with unit_of_work() as s:
        for day in days:
            for t in effective_tasks.register(s, day):
                if not t["units"]:
                    continue
                expected = reference_status(t, history.get(t["id"], []), day)
                assert t["status"] == expected, (t["id"], day)
                statuses.add(expected)
    assert statuses == {"on_track", "at_risk", "overdue", "done"}

    # start rates by quarter against the reference (new projects of the provincial and city plans)
    with unit_of_work() as s:
        for q, target in ((1, 30), (2, 80), (3, 100)):
            qr = quarter(f"2022Q{q}")
            pool = [(f, st) for f, _, st in by_id.values() if f["is_new"] and f["level"] in ("provincial", "city")]
            started = sum(1 for _, st in pool if st and dt.date.fromisoformat(st) <= qr.end)
            got = queries.start_rates(s, qr)
            assert (got["new_projects"], got["started"]) == (len(pool), started)
            assert got["met"] == (100 * started >= target * len(pool))
