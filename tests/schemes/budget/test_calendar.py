"""The preparation calendar (二.（三）), replies (二.（三）.7), disclosure (六.（三）.2–3), execution
reporting (三.（二）.4, 六.（一）.3) and final accounts (五.（二）.2–3): due dates derived from events,
each date bar on both sides."""

from __future__ import annotations

import datetime as dt

import pytest

from jiaxing.schemes.budget import params
from jiaxing.schemes.budget.calendar import FINANCE, Event, obligations

Y = 2023
DEPT = "市教育局"


def _ob(events, code, subject=FINANCE, as_of="2024-12-31", period=""):
    obs = obligations(Y, events, departments=[DEPT], districts=["南湖区"], as_of=dt.date.fromisoformat(as_of))
    return next(o for o in obs if o.code == code and o.subject == subject and o.period == period)


def E(kind, on, subject="", period=""):
    return Event(kind, dt.date.fromisoformat(on), subject, period)


# 嘉政发〔2022〕5号#二.（三）.1 — deployment by 6-30 of the preparing year
@pytest.mark.parametrize(("done", "status"), [("2022-06-30", "done"), ("2022-07-01", "done_late")])
def test_deployment_by_30_june(done, status):
    ob = _ob([E("deployment", done)], "deployment")
    assert ob.due == dt.date(2022, 6, 30) and ob.clause == "嘉政发〔2022〕5号#二.（三）.1" and ob.status == status


@pytest.mark.parametrize(("as_of", "overdue"), [("2022-06-30", False), ("2022-07-01", True)])
def test_deployment_overdue_from_1_july(as_of, overdue):
    assert _ob([], "deployment", as_of=as_of).overdue is overdue


# 嘉政发〔2022〕5号#二.（三）.3 — control figures by 11-30
@pytest.mark.parametrize(("as_of", "overdue"), [("2022-11-30", False), ("2022-12-01", True)])
def test_control_figures_by_30_november(as_of, overdue):
    ob = _ob([], "control_figures", as_of=as_of)
    assert ob.due == dt.date(2022, 11, 30) and ob.clause == "嘉政发〔2022〕5号#二.（三）.3" and ob.overdue is overdue


def test_every_preparation_step_per_department_or_finance():
    obs = obligations(Y, [], departments=[DEPT, "市卫生健康委"], districts=[], as_of=dt.date(2022, 1, 1))
    dues = {(o.code, o.subject): (o.due, o.clause) for o in obs if o.code != "npc_execution_report"}
    assert dues[("units_to_departments", DEPT)] == (dt.date(2022, 9, 30), "嘉政发〔2022〕5号#二.（三）.2")
    assert dues[("departments_to_finance", "市卫生健康委")] == (dt.date(2022, 10, 30), "嘉政发〔2022〕5号#二.（三）.2")
    assert dues[("adjusted_submissions", DEPT)] == (dt.date(2022, 12, 15), "嘉政发〔2022〕5号#二.（三）.4")
    assert dues[("city_budget_formed", FINANCE)] == (dt.date(2023, 1, 10), "嘉政发〔2022〕5号#二.（三）.5")
    assert ("deployment", DEPT) not in dues  # finance's own step


# 嘉政发〔2022〕5号#二.（三）.7 — finance replies within 20 days; departments to units within 15
@pytest.mark.parametrize(("done", "status"), [("2023-02-04", "done"), ("2023-02-05", "done_late")])
def test_finance_reply_day_20_and_day_21(done, status):
    ev = [E("budget_approved", "2023-01-15"), E("department_replied", done, DEPT)]
    ob = _ob(ev, "finance_reply", DEPT)
    assert ob.due == dt.date(2023, 2, 4) and ob.clause == "嘉政发〔2022〕5号#二.（三）.7" and ob.status == status
    assert ob.started_by == "budget_approved" and ob.started_on == dt.date(2023, 1, 15)


@pytest.mark.parametrize(("as_of", "overdue"), [("2023-02-04", False), ("2023-02-05", True)])
def test_finance_reply_overdue_from_day_21(as_of, overdue):
    assert _ob([E("budget_approved", "2023-01-15")], "finance_reply", DEPT, as_of=as_of).overdue is overdue


@pytest.mark.parametrize(("done", "status"), [("2023-02-16", "done"), ("2023-02-17", "done_late")])
def test_unit_reply_day_15_and_day_16(done, status):
    ev = [E("budget_approved", "2023-01-15"), E("department_replied", "2023-02-01", DEPT),
          E("units_replied", done, DEPT)]
    ob = _ob(ev, "unit_reply", DEPT)
    assert ob.due == dt.date(2023, 2, 16) and ob.status == status and ob.who == DEPT


# 嘉政发〔2022〕5号#六.（三）.2 and .3 — disclosure within 20 days of approval / of the reply
@pytest.mark.parametrize(("as_of", "overdue"), [("2023-02-04", False), ("2023-02-05", True)])
def test_city_budget_disclosure_day_20_and_21(as_of, overdue):
    ob = _ob([E("budget_approved", "2023-01-15")], "budget_disclosure", as_of=as_of)
    assert ob.clause == "嘉政发〔2022〕5号#六.（三）.2" and ob.overdue is overdue


@pytest.mark.parametrize(("as_of", "overdue"), [("2023-02-21", False), ("2023-02-22", True)])
def test_department_disclosure_counts_from_its_reply(as_of, overdue):
    ev = [E("budget_approved", "2023-01-15"), E("department_replied", "2023-02-01", DEPT)]
    ob = _ob(ev, "department_disclosure", DEPT, as_of=as_of)
    assert ob.clause == "嘉政发〔2022〕5号#六.（三）.3" and ob.due == dt.date(2023, 2, 21) and ob.overdue is overdue


def test_no_reply_no_department_obligations_yet():
    obs = obligations(Y, [E("budget_approved", "2023-01-15")], departments=[DEPT], districts=[],
                      as_of=dt.date(2023, 1, 16))
    assert not [o for o in obs if o.code in ("unit_reply", "department_disclosure")]


def test_a_period_ending_on_a_weekend_is_not_extended():
    # approved Friday 2023-03-03: day 20 is Thursday 03-23; approved 2023-03-04 (Sat) → due Fri 03-24;
    # approved 2023-03-11 (Sat) → due 03-31 (Fri); approved 2023-03-12 (Sun) → due 04-01, a Saturday: kept
    ob = _ob([E("budget_approved", "2023-03-12")], "budget_disclosure", as_of="2023-04-02")
    assert ob.due == dt.date(2023, 4, 1) and ob.due.weekday() == 5 and ob.overdue


def test_adjustment_disclosure():
    ob = _ob([E("adjustment_approved", "2023-10-20", "第一次预算调整")], "adjustment_disclosure", "第一次预算调整",
             as_of="2023-11-10")
    assert ob.due == dt.date(2023, 11, 9) and ob.overdue and ob.clause == params.CLAUSE_CITY_DISCLOSURE


# 嘉政发〔2022〕5号#三.（二）.4 — monthly reports: due by the end of the following month (reading)
@pytest.mark.parametrize(("as_of", "overdue"), [("2023-02-28", False), ("2023-03-01", True)])
def test_monthly_report_due_end_of_next_month(as_of, overdue):
    ob = _ob([], "monthly_report", "南湖区", as_of=as_of, period="2023-01")
    assert ob.due == dt.date(2023, 2, 28) and ob.clause == "嘉政发〔2022〕5号#三.（二）.4" and ob.overdue is overdue


def test_monthly_reports_listed_once_the_month_is_over_december_due_next_january():
    obs = obligations(Y, [], departments=[DEPT], districts=["南湖区"], as_of=dt.date(2023, 1, 31))
    assert not [o for o in obs if o.code == "monthly_report"]
    obs = obligations(Y, [], departments=[DEPT], districts=["南湖区"], as_of=dt.date(2024, 1, 1))
    dec = [o for o in obs if o.code == "monthly_report" and o.period == "2023-12"]
    assert {o.subject for o in dec} == {DEPT, "南湖区", FINANCE} and dec[0].due == dt.date(2024, 1, 31)


# 嘉政发〔2022〕5号#六.（一）.3 — the execution report to the 人大常委会 between June and September
@pytest.mark.parametrize(("done", "status"), [("2023-05-31", "done_outside_window"), ("2023-06-01", "done"),
                                              ("2023-09-30", "done"), ("2023-10-01", "done_late")])
def test_npc_execution_report_window(done, status):
    ob = _ob([E("npc_execution_report", done)], "npc_execution_report")
    assert ob.clause == "嘉政发〔2022〕5号#六.（一）.3" and ob.status == status


# 嘉政发〔2022〕5号#五.（二）.2 and .3 — final accounts within 30 days
@pytest.mark.parametrize(("done", "status"), [("2024-07-31", "done"), ("2024-08-01", "done_late")])
def test_district_final_accounts_day_30_and_31(done, status):
    ev = [E("district_final_approved", "2024-07-01", "南湖区"), E("district_final_filed", done, "南湖区")]
    ob = _ob(ev, "district_final_filing", "南湖区")
    assert ob.due == dt.date(2024, 7, 31) and ob.clause == "嘉政发〔2022〕5号#五.（二）.2" and ob.status == status


@pytest.mark.parametrize(("as_of", "overdue"), [("2024-08-07", False), ("2024-08-08", True)])
def test_city_final_summary_day_30_and_31(as_of, overdue):
    ob = _ob([E("final_approved", "2024-07-08")], "final_summary", as_of=as_of)
    assert ob.clause == "嘉政发〔2022〕5号#五.（二）.3" and ob.due == dt.date(2024, 8, 7) and ob.overdue is overdue


def test_events_after_the_day_of_the_view_have_not_happened_yet():
    ev = [E("budget_approved", "2023-01-15"), E("budget_disclosed", "2023-02-10")]
    assert _ob(ev, "budget_disclosure", as_of="2023-02-05").overdue is True  # seen on 02-05: not disclosed
    assert _ob(ev, "budget_disclosure", as_of="2023-02-10").status == "done_late"
