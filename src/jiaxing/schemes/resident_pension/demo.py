"""Demo data of the resident pension (``gazette demo``), idempotent.

Users (password ``gazette-demo``): ``pension-officer`` (社保经办人员), ``approver`` (审批人, the
市政府同意 step) and ``pensioner`` (a citizen receiving the pension, 南湖区). Six demo pensioners
(names marked 演示) are paid January–December 2022: January–August at 290 yuan, the 240-yuan
top-up after 60号 was signed (2022-09-06), then 320; one died in June 2022, reported in August
(July becomes a recovery item; topped up for January–June only); one is suspended; one contributes at the 5,000 tier (900 subsidy). Bank files
are exported and settled (one failure, retried). The business date ends at 2022-12-15, so an
officer can propose the 2023 standard and an approver approve it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from gazette.validate import example_person_id
from jiaxing.schemes.resident_pension.models import ParticipantStatus

PENSIONER = example_person_id(1, region="330402", born="19500101")
USERS = (
    {"username": "pension-officer", "display_name": "社保经办人员（演示）", "role": "pension_officer"},
    {"username": "approver", "display_name": "市政府审批人（演示）", "role": "approver"},
    {"username": "pensioner", "display_name": "王阿婆（领取养老金）", "role": "citizen", "district": "南湖区",
     "person_id": PENSIONER},
)
PEOPLE = [  # (n, name, district, bank, status)
    (1, "王阿婆（演示）", "南湖区", "JXRCB", ParticipantStatus.RECEIVING),
    (2, "李阿公（演示）", "南湖区", "ABC", ParticipantStatus.RECEIVING),
    (3, "张大伯（演示）", "秀洲区", "ICBC", ParticipantStatus.RECEIVING),
    (4, "陈阿姨（演示）", "海宁市", "JXRCB", ParticipantStatus.RECEIVING),
    (5, "周大爷（演示）", "桐乡市", "CCB", ParticipantStatus.RECEIVING),
    (6, "吴女士（演示）", "嘉善县", "BOC", ParticipantStatus.CONTRIBUTING),
]
START, END = dt.date(2022, 1, 1), dt.date(2022, 12, 15)


def pid(n: int) -> str:
    return example_person_id(n, region="330402", born="19500101" if n < 6 else "19700101")


def run() -> dict[str, Any]:
    from gazette.auth import users as users_service
    from gazette.auth.demo import DEMO_PASSWORD
    from gazette.ledger import get_run
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.resident_pension import bank as bank_files
    from jiaxing.schemes.resident_pension import payroll as payroll_runs
    from jiaxing.schemes.resident_pension import service
    from jiaxing.schemes.resident_pension import standards as pension_standards

    with unit_of_work() as s:
        for spec in USERS:
            if users_service.get_by_username(s, spec["username"]) is None:
                users_service.create_user(s, password=DEMO_PASSWORD, **spec)
        if not pension_standards.is_set_up(s):
            pension_standards.setup(s, START, actor="demo")
        elif pension_standards.today(s) >= END:
            return {"business_date": pension_standards.today(s).isoformat(), "already": True}
    for n, name, district, bank, status in PEOPLE:
        service.enrol({"person_id": pid(n), "name": name, "district": district, "enrolled_on": "2012-01-01",
                       "status": status,
                       "pension_from": "2022-01" if status == ParticipantStatus.RECEIVING else None,
                       "bank": bank,
                       "bank_account": f"62280000{n:08d}"}, key=f"demo-enrol-{n}", actor="demo")

    def advance(d: dt.date) -> None:
        with unit_of_work() as s:
            if d > pension_standards.today(s):
                pension_standards.advance(s, d, actor="demo")

    def month(m: int) -> None:
        label = f"2022-{m:02d}"
        advance(dt.date(2022, m, 15))
        with unit_of_work() as s:
            done = get_run(s, "rp.payroll", label)
        if done is None or not done.completed:
            payroll_runs.payroll(label, actor="demo")
        run = bank_files.export(f"demo-{label}", actor="demo")
        with unit_of_work() as s:
            files = bank_files.files(s, f"demo-{label}")
        if not run.already_completed:
            rows = [ln.split(",") for t in files.values() for ln in t.splitlines()[1:-1]]
            fail = pid(5) if m == 10 else None  # one failure in October, retried in November
            bank_files.import_results(f"demo-result-{label}", "\n".join(
                f"{r[0]},{r[4]},{'failed' if r[1] == fail else 'ok'}" for r in rows), actor="demo")

    for m in range(1, 13):
        if m == 8:  # died in June, reported in August: July (paid) becomes a recovery item
            advance(dt.date(2022, 8, 2))
            service.death(pid(4), "2022-06-20", key="demo-death-4", actor="demo")
        if m == 9:
            advance(dt.date(2022, 9, 6))  # 60号 signed: 320 from 2022-01 becomes known
            payroll_runs.topup(actor="demo")
            service.contribute(pid(6), 2022, "5000", "2022-09-06", key="demo-contribute-6", actor="demo")
        if m == 11:
            service.suspend(pid(3), key="demo-suspend-3", actor="demo", reason="待遇资格认证未通过（演示）")
        month(m)
    advance(END)
    return {"business_date": END.isoformat(), "pensioners": len(PEOPLE), "users": [u["username"] for u in USERS]}
