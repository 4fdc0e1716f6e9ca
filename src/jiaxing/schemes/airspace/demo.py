"""Demo users and data of the airspace scheme (called by ``gazette demo`` through jiaxing.demo).

Idempotent: users are created only when missing; every command runs with a fixed idempotency key
under the ``demo`` actor, so a second run replays and writes nothing. Demo people and devices are
made up (check-digit-valid ids from gazette.validate's example generators) and labelled 演示.
"""

from __future__ import annotations

from typing import Any

from gazette.validate import example_enterprise_id, example_person_id
from jiaxing.schemes.airspace.statuses import FlightStatus, ViolationStatus

PASSWORD = "gazette-demo"
OWNER_ID = example_person_id(16, region="330481", born="19880808")  # the `drone-owner` user (海宁市)
OTHER_OWNER = example_person_id(17, region="330481", born="19790312")
TV_STATION = example_enterprise_id(16, prefix="12330400")  # a broadcaster (事业单位)
NOTICE = "嘉政发〔2022〕17号"
SPOT = (30.3939, 120.5450)  # beside the (approximate) seawall line, near 盐官

USERS = (
    {"username": "police", "display_name": "海宁市公安局登记人员", "role": "registrar", "unit": "海宁市公安局"},
    {"username": "flight-approver", "display_name": "观潮节空域审批人", "role": "approver", "unit": "海宁市公安局"},
    {"username": "drone-owner", "display_name": "陈飞（无人机所有人，演示）", "role": "citizen", "district": "海宁市",
     "person_id": OWNER_ID},
)


def _users() -> list[str]:
    from gazette.auth import users as users_service
    from gazette.store.db import unit_of_work

    created = []
    with unit_of_work() as s:
        for spec in USERS:
            if users_service.get_by_username(s, spec["username"]) is None:
                users_service.create_user(s, password=PASSWORD, **spec)
                created.append(spec["username"])
    return created


def demo() -> dict[str, Any]:
    from gazette.schemes.handler import execute
    from jiaxing.schemes.airspace import (
        commands,
        handlers,  # noqa: F401
    )

    def run(cmd) -> dict[str, Any]:
        return execute(cmd).result

    created = _users()
    tv = run(commands.RegisterDevice(idempotency_key="demo-as-dev-1", actor="demo", owner_kind="organisation",
                                     owner_id=TV_STATION, owner_name="嘉兴广播电视台（演示）", kind="drone",
                                     model="DJI Matrice 30（演示）", serial="DEMO-TV-0001", by_registrar=True,
                                     unit="海宁市公安局", co_registrars=("气象", "体育")))
    mine = run(commands.RegisterDevice(idempotency_key="demo-as-dev-2", actor="demo", owner_kind="person",
                                       owner_id=OWNER_ID,
                                       owner_name="陈飞（演示）", kind="drone", model="DJI Mini 3（演示）",
                                       serial="DEMO-MINI-0002", by_registrar=True, unit="海宁市公安局",
                                       co_registrars=("气象",)))
    lantern = run(commands.RegisterDevice(idempotency_key="demo-as-dev-3", actor="demo", owner_kind="person",
                                          owner_id=OTHER_OWNER, owner_name="沈灯（演示）", kind="hot_air_balloon",
                                          model="载人热气球（演示）", serial="DEMO-BALLOON-0003", by_registrar=True,
                                          unit="海宁市公安局", co_registrars=("体育",)))
    approved = run(commands.ApplyFlight(idempotency_key="demo-as-fl-1", actor="demo", notice_id=NOTICE,
                                        device_id=tv["id"],
                                        purpose="broadcast", pilot="李航（演示）", start="2022-09-12T09:00+08:00",
                                        end="2022-09-12T12:00+08:00", lat=SPOT[0], lon=SPOT[1], radius_m=300))
    if approved["status"] == FlightStatus.APPLIED:
        run(commands.DecideFlight(idempotency_key="demo-as-dec-1", actor="demo", flight_id=approved["id"],
                                  approve=True,
                                  basis="观潮节现场指挥部空域使用批复（演示）", department="海宁市公安局"))
    pending = run(commands.ApplyFlight(idempotency_key="demo-as-fl-2", actor="demo", notice_id=NOTICE,
                                       device_id=mine["id"],
                                       purpose="aerial_photography", pilot="陈飞（演示）",
                                       start="2022-09-13T14:00+08:00",
                                       end="2022-09-13T15:00+08:00", lat=30.3905, lon=120.5600, radius_m=200))
    if not lantern["sealed"]:
        run(commands.SealDevice(idempotency_key="demo-as-seal-1", actor="demo", device_id=lantern["id"],
                                mode="requested",
                                reason="观潮节期间不得在海塘 500 米范围内施放（演示）", place="盐官镇派出所", officer="王警官（演示）",
                                unit="海宁市公安局", notice_id=NOTICE))
    violation = run(commands.RecordViolation(idempotency_key="demo-as-vio-1", actor="demo", notice_id=NOTICE,
                                             at="2022-09-11T16:20+08:00", lat=30.3870, lon=120.5800,
                                             object_kind="sky_lantern",
                                             source="report", description="群众举报：海塘边施放孔明灯（演示）"))
    if violation["status"] == ViolationStatus.RECORDED:
        run(commands.HandOverViolation(idempotency_key="demo-as-hand-1", actor="demo",
                                       violation_id=violation["id"],
                                       department="海宁市公安局", note="依法处理（演示）"))
    return {"users_created": created, "devices": 3, "approved_flight": approved["id"],
            "pending_flight": pending["id"], "violation": violation["id"]}
