"""Demo data of the care half (``gazette demo``), idempotent.

Users (password ``gazette-demo``): ``care-provider`` (护理机构工作人员 of 南湖区演示居家护理站),
``care-worker`` (护理员, certificate CG-DEMO-01), ``care-officer`` (医保经办人员, 南湖区) and
``care-elder`` (a beneficiary's own account, 南湖区). Three demo beneficiaries (names marked 演示) with
care plans from 2023-01 at a home-care station and an elderly-care institution (失智专区); visits of
January–March 2023 recorded through the commands; January and February settled, paid and screened;
one January finding confirmed (deducted in February), February's findings left for the officer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazette.validate import example_person_id

PEOPLE = [(example_person_id(n, region="330402", born="19380101"), name, grade)
          for n, name, grade in ((901, "沈阿婆（演示）", "severe_1"), (902, "钱阿公（演示）", "severe_2"),
                                 (903, "孙奶奶（演示）", "severe_dementia"))]
ELDER = PEOPLE[0][0]
HOME, INST = "JX-HOME-DEMO", "JX-ELDER-DEMO"
USERS = (
    {"username": "care-provider", "display_name": "南湖区演示居家护理站工作人员", "role": "provider_staff", "unit": HOME},
    {"username": "care-worker", "display_name": "李护理员（演示）", "role": "caregiver", "unit": "CG-DEMO-01"},
    {"username": "care-officer", "display_name": "南湖区医保经办人员（演示）", "role": "insurance_officer",
     "district": "南湖区"},
    {"username": "care-elder", "display_name": "沈阿婆（演示）", "role": "citizen", "district": "南湖区",
     "person_id": ELDER},
)
HOME_POS = (30_752_000, 120_755_000)


def run() -> dict[str, Any]:
    from sqlalchemy import text

    from gazette.auth import users as users_service
    from gazette.auth.demo import DEMO_PASSWORD
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.ltc.care import service, settlement, violations

    with unit_of_work() as s:
        for spec in USERS:
            if users_service.get_by_username(s, spec["username"]) is None:
                users_service.create_user(s, password=DEMO_PASSWORD, **spec)
        service.setup(s)
        from gazette.ledger import get_run

        done = get_run(s, "ltc.settle", "2023-02")
        if done is not None and done.completed:
            return {"already": True, "users": [u["username"] for u in USERS]}
        for pid, name, grade in PEOPLE:
            if s.execute(text("SELECT 1 FROM ltc_insured WHERE person_id = :p"), {"p": pid}).first() is None:
                s.execute(text("INSERT INTO ltc_insured (person_id, name, district, scheme, insured_since, address, "
                               "home_lat_udeg, home_lon_udeg, source, created_at) VALUES (:p, :n, '南湖区', 'resident', "
                               "'2017-06-01', '南湖区演示路 1 号', :lat, :lon, 'care demo', :now)"),
                          {"p": pid, "n": name, "lat": HOME_POS[0], "lon": HOME_POS[1], "now": dt.datetime.now(dt.UTC)})
            if s.execute(text("SELECT 1 FROM ltc_beneficiaries WHERE person_id = :p"), {"p": pid}).first() is None:
                s.execute(text("INSERT INTO ltc_beneficiaries (person_id, district, grade, starts_on, decided_by) "
                               "VALUES (:p, '南湖区', :g, '2022-12-01', 'care demo')"), {"p": pid, "g": grade})
    k = "demo-care-"
    for code, name, ct, dem in ((HOME, "南湖区演示居家护理站", "home", False),
                                (INST, "南湖区演示颐养院（失智专区）", "elderly_institution", True)):
        _quiet(service.register_provider, {"code": code, "name": name, "district": "南湖区", "care_type": ct,
                                           "dementia_unit": dem, "designated_on": "2022-01-01"}, key=k + code)
    for cert, name in (("CG-DEMO-01", "李护理员（演示）"), ("CG-DEMO-02", "周护理员（演示）")):
        _quiet(service.register_caregiver, {"provider": HOME, "name": name, "certificate": cert}, key=k + cert)
    service.choose_plan({"person_id": PEOPLE[0][0], "provider": HOME, "starts_on": "2023-01-01",
                         "items": ["S01", "S03", "M01", "M08"]}, key=k + "plan1", actor="demo")
    service.choose_plan({"person_id": PEOPLE[1][0], "provider": HOME, "starts_on": "2023-01-01",
                         "items": ["S02", "S06", "M02"]}, key=k + "plan2", actor="demo")
    service.choose_plan({"person_id": PEOPLE[2][0], "provider": INST, "starts_on": "2023-01-01",
                         "items": ["D01", "M08"]}, key=k + "plan3", actor="demo")
    for month in (1, 2, 3):
        for d in range(2, 28, 3):
            day = f"2023-{month:02d}-{d:02d}"
            for i, (pid, items, cert) in enumerate(((PEOPLE[0][0], ["S01", "M01"], "CG-DEMO-01"),
                                                    (PEOPLE[1][0], ["S02", "M02"], "CG-DEMO-02"))):
                face = "fail" if (month, d, i) == (1, 5, 0) else "pass"
                minutes = 25 if (month, d, i) == (2, 8, 1) else 70  # February: one visit far too short
                v = service.check_in({"certificate": cert, "person_id": pid, "at": f"{day}T09:00",
                                      "lat": f"{(HOME_POS[0] + 120) / 1e6:.6f}", "lon": f"{HOME_POS[1] / 1e6:.6f}",
                                      "face": face}, key=f"{k}in-{day}-{i}", actor=cert)
                service.check_out({"visit_id": v["visit_id"], "at": f"{day}T10:{minutes - 60:02d}" if minutes >= 60
                                   else f"{day}T09:{minutes:02d}", "items": items}, key=f"{k}out-{day}-{i}", actor=cert)
                if month == 1 and d == 2:
                    service.rate({"visit_id": v["visit_id"], "person_id": pid, "stars": 5 - i, "comment": "很耐心"},
                                 key=f"{k}rate-{day}-{i}", actor="demo")
        for d in range(1, 29):
            service.record_day({"person_id": PEOPLE[2][0], "day": f"2023-{month:02d}-{d:02d}",
                                "items": ["D01"] + (["M08"] if d % 2 else [])}, key=f"{k}day-{month}-{d}", actor=INST)
    out = {}
    for month in ("2023-01", "2023-02"):
        out[month] = settlement.settle(month, actor="demo").result
        settlement.pay(month, actor="demo")
        violations.screen(month, actor="demo")
        if month == "2023-01":
            with unit_of_work() as s:
                fid = s.execute(text("SELECT id FROM ltc_findings WHERE month = '2023-01' AND rule_id = 'V06'")).scalar()
                status = s.execute(text("SELECT status FROM ltc_findings WHERE id = :i"), {"i": fid}).scalar()
            if fid is not None and status == "flagged":
                service.decide({"finding_id": fid, "decision": "confirm", "note": "人脸验证未通过，核实为代签"},
                               key=k + "decide1", actor="care-officer", district="南湖区")
    return {"settled": out, "users": [u["username"] for u in USERS]}


def _quiet(fn, body: dict, *, key: str) -> None:
    """Register once: a demo rerun on a database where the thing exists under another key is fine."""
    from gazette.errors import Conflict

    try:
        fn(body, key=key, actor="demo")
    except Conflict:
        pass
