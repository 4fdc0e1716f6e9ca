"""Demo data of the supervision workbench (called from jiaxing.demo): users, the register, a
correction, a report and 45 demo projects (名称带“（演示）”) with monthly investment to 2022-09.

Idempotent: every step is a keyed command (a repeat replays) or checks before it writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiaxing.districts import DISTRICTS
from jiaxing.schemes.supervision.status import ReportStatus

USERS = (
    {"username": "unit-haiguan", "display_name": "嘉兴海关（填报）", "role": "unit_reporter", "unit": "嘉兴海关"},
    {"username": "unit-shujuban", "display_name": "市政务数据办（填报）", "role": "unit_reporter", "unit": "市政务数据办"},
    {"username": "supervisor", "display_name": "市政府督查室", "role": "supervision_officer"},
)
DEMO_TASK = "嘉政办发〔2022〕11号#三.（二）.7@1"  # 新增2个万吨级泊位 (责任单位：嘉兴海关 …)
CATEGORIES = ("科技创新", "现代产业", "交通设施", "市政环境", "社会民生")


def demo_projects(n: int = 45) -> list[tuple[dict[str, Any], dict[str, int], str | None]]:
    """Deterministic demo projects: a third each in reserve, new and under construction."""
    out = []
    for i in range(n):
        district = DISTRICTS[i % len(DISTRICTS)]
        category = CATEGORIES[i % len(CATEGORIES)]
        annual = 8000 + (i * 1370) % 30000
        library = ("construction", "new", "reserve")[i % 3]
        fields = {"id": f"DEMO-{i + 1:03d}", "name": f"{district}{category}示范项目{i + 1}（演示）", "category": category,
                  "level": ("city", "provincial", "national", "list")[i % 4], "district": district,
                  "owner_unit": f"{district}发展改革局", "total_wan": annual * 4, "annual_plan_wan": annual,
                  "planned_start": dt.date(2022, 1 + i % 9, 15), "is_new": i % 2 == 0,
                  "library": "new" if library == "new" else "reserve",
                  "on": dt.date(2022, 1, 1)}
        started = None
        months: dict[str, int] = {}
        if library == "construction":
            started = dt.date(2022, 1 + i % 3, 10).isoformat()
            pace = (50, 75, 85, 95, 110)[i % 5]  # percent of the pro-rata plan: red, yellow and green lights
            for m in range(int(started[5:7]), 10):
                months[f"2022-{m:02d}"] = annual * pace // 1200
        out.append((fields, months, started))
    return out


def run() -> dict[str, Any]:
    from gazette.auth import users as users_service
    from gazette.auth.demo import DEMO_PASSWORD
    from gazette.errors import GazetteError
    from gazette.schemes.handler import execute
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.supervision import register, service
    from jiaxing.schemes.supervision.commands import ImportProjects
    from jiaxing.schemes.supervision.models import SupProject

    created = []
    with unit_of_work() as s:
        for spec in USERS:
            if users_service.get_by_username(s, spec["username"]) is None:
                users_service.create_user(s, password=DEMO_PASSWORD, **spec)
                created.append(spec["username"])
    entries = tuple(register.from_pack())
    sync = service.sync(key=f"demo-sync-{len(entries)}", actor="demo", entries=entries)
    service.correct("嘉政办发〔2022〕9号#四.（三）@c", {"units": ["市发展改革委", "市政务数据办"],
                                                   "reason": "据“551”投资目标任务分解表（附件1）明确责任单位（演示）"},
                    key="demo-correct-1", actor="supervisor")
    service.report({"task_id": DEMO_TASK, "status": ReportStatus.IN_PROGRESS, "percent": 60,
                    "reported_on": "2022-09-30",
                    "actual": "1", "evidence": "乍浦港区1个万吨级泊位已交工验收（演示）"}, unit="嘉兴海关",
                   key="demo-report-1", actor="unit-haiguan")
    with unit_of_work() as s:
        have = s.get(SupProject, "DEMO-001") is not None
    projects = 0
    if not have:
        rows = tuple((n, f, tuple(sorted(m.items())), st) for n, (f, m, st) in enumerate(demo_projects(), start=2))
        try:
            projects = execute(ImportProjects(idempotency_key="demo-projects-v1", actor="demo", rows=rows)
                               ).result["projects"]
        except GazetteError:  # pragma: no cover - demo projects exist under other codes
            projects = 0
    return {"users_created": created, "register": sync, "projects_added": projects}
