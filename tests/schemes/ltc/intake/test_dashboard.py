"""The 驾驶舱 — 嘉政发〔2022〕21号#三.（四）.11, against the 2024 targets of 嘉政发〔2022〕21号#二
(户籍人口参保率 ≥ 99%, 嘉政发〔2022〕21号#三.（一）.1; 4.5 万 beneficiaries)."""

from __future__ import annotations

import datetime as dt

from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import intake_dashboard as DB
from jiaxing.schemes.ltc import intake_service as SV

from .conftest import OFFICER, experts, items, pid, roster


def test_enrolment_rate_waiting_and_grades(ltc):
    roster(*((n, "南湖区", "resident") for n in range(1, 100)), (100, "秀洲区", "employee"))
    SV.set_population("南湖区", 2023, 100, "测试", key="p1", actor=OFFICER)
    SV.set_population("秀洲区", 2023, 1, "测试", key="p2", actor=OFFICER)
    experts(("e-a", "intermediate", "一院", None), ("e-b", "senior", "二院", None))
    app = SV.apply({"person_id": pid(1), "channel": "desk", "applied_on": "2023-03-01"}, key="a", actor=OFFICER)["id"]
    SV.collect(app, items(20), key="c", actor="assessor", on="2023-03-02")
    for e in ("e-a", "e-b"):
        SV.score(app, items(20), key=f"s{e}", actor=e, on="2023-03-13")
    SV.apply({"person_id": pid(2), "channel": "desk", "applied_on": "2023-04-01"}, key="b", actor=OFFICER)
    with unit_of_work() as s:
        d = DB.dashboard(s, on=dt.date(2023, 6, 30))
        csv_text = DB.to_csv(d)
        charts = DB.charts(d)
    rates = {e["district"]: (e["rate"], e["meets_target"]) for e in d["enrolment"]}
    assert rates == {"南湖区": ("99.00%", True), "秀洲区": ("100.00%", True)}  # 99 of 100: on the line, meets ≥ 99%
    assert d["totals"]["average_wait_days"] == 12 and d["totals"]["open_applications"] == 1
    assert {g["grade"]: g["people"] for g in d["beneficiaries_by_grade"]}["severe_3"] == 1
    assert d["targets"]["beneficiaries"] == 45000
    # the care half's tables exist in this database: their figures are read (whatever they hold)
    assert set(d["care"]) == {"care_types", "visits_by_month", "fund_paid_by_month", "findings_by_month"}
    assert "applications,2023-03,南湖区,average_wait_days,12.0" in csv_text
    assert 'data-value="9900"' in str(charts["enrolment"])
    SV.set_population("南湖区", 2023, 101, "测试", key="p3", actor=OFFICER)
    with unit_of_work() as s:
        d = DB.dashboard(s, district="南湖区", on=dt.date(2023, 6, 30))
    assert d["enrolment"] == [{**d["enrolment"][0], "rate": "98.01%", "meets_target": False}]
    roster((200, "海宁市", "resident"), batch="r2")
    with unit_of_work() as s:  # no population loaded for 海宁市: the rate is unknown, never 0 nor "meets"
        d = DB.dashboard(s, district="海宁市", on=dt.date(2023, 6, 30))
    assert [(e["insured"], e["rate"], e["meets_target"]) for e in d["enrolment"]] == [(1, None, None)]
