"""Quarterly lights on both sides of 70% and 90%, start rates by quarter, rankings, the calendar."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.supervision import calendar, queries, service
from jiaxing.schemes.supervision import lights as project_lights
from tests.schemes.supervision.conftest import project

Q1 = project_lights.quarter("2022Q1")


@pytest.mark.parametrize("completed, light, pct", [
    (6999, "red", "69.99"), (7000, "yellow", "70.00"), (8999, "yellow", "89.99"), (9000, "green", "90.00"),
    (0, "red", "0.00"), (12000, "green", "120.00"),
])
def test_light_bounds_through_the_database(clean_db, completed, light, pct):
    # annual plan 40,000万元: the plan to the end of Q1 is 10,000万元
    service.register_project(project("L1", library="construction"), key="p", actor="o")
    service.report_investment("L1", "2022-02", completed // 2, key="m1", actor="o")
    service.report_investment("L1", "2022-03", completed - completed // 2, key="m2", actor="o")
    with unit_of_work() as s:
        (row,) = queries.lights(s, Q1)
    assert (row["light"], row["rate"]) == (light, pct)


def test_lights_are_exact_fractions():
    assert project_lights.completion_rate(7, 40, 1) == Fraction(7, 10)
    assert project_lights.light_of(Fraction(7, 10) - Fraction(1, 10**12), dt.date(2022, 3, 31)) == "red"
    assert project_lights.light_of(Fraction(9, 10) - Fraction(1, 10**12), dt.date(2022, 3, 31)) == "yellow"
    assert project_lights.completion_rate(1, 0, 1) is None and project_lights.light_of(None, dt.date(2022, 3, 31)) == "none"


def test_only_projects_under_construction_are_lit(clean_db):
    service.register_project(project("R1"), key="a", actor="o")
    service.register_project(project("C1", library="construction"), key="b", actor="o")
    with unit_of_work() as s:
        rows = {r["id"]: r["light"] for r in queries.lights(s, Q1)}
    assert rows == {"R1": "none", "C1": "red"}


def _new(n_started_by: dict[str, int], total: int = 10, level: str = "city") -> list[dict]:
    out = []
    dates = [d for d, k in n_started_by.items() for _ in range(k)]
    for i in range(total):
        out.append({"level": level, "is_new": True, "started_on": dt.date.fromisoformat(dates[i]) if i < len(dates)
                    else None})
    return out


@pytest.mark.parametrize("quarter, started, met", [
    ("2022Q1", {"2022-03-31": 3}, True), ("2022Q1", {"2022-03-31": 2, "2022-04-01": 1}, False),
    ("2022Q2", {"2022-06-30": 8}, True), ("2022Q2", {"2022-06-30": 7}, False),
    ("2022Q3", {"2022-09-30": 10}, True), ("2022Q3", {"2022-09-30": 9}, False),
    ("2022Q4", {"2022-09-30": 9, "2022-12-31": 1}, True),
])
def test_start_rates_by_quarter(quarter, started, met):
    res = project_lights.start_rate(_new(started), project_lights.quarter(quarter))
    assert res["met"] is met and res["new_projects"] == 10


def test_start_rate_counts_only_new_provincial_and_city_projects():
    rows = _new({"2022-03-01": 3}) + [{"level": "list", "is_new": True, "started_on": None}] * 5 + \
        [{"level": "city", "is_new": False, "started_on": None}] * 5
    res = project_lights.start_rate(rows, Q1)
    assert (res["new_projects"], res["started"], res["rate"], res["target"]) == (10, 3, "30.00", "30.00")


def test_rankings_from_lights(clean_db):
    for pid, done in (("A", 9500), ("B", 9000), ("C", 3000), ("D", 6000), ("E", 8000)):
        service.register_project(project(pid, library="construction"), key=pid, actor="o")
        service.report_investment(pid, "2022-03", done, key=f"m{pid}", actor="o")
    with unit_of_work() as s:
        ranks = project_lights.rankings(queries.lights(s, Q1))
    assert [r["id"] for r in ranks["red_flag"]] == ["A", "B"]
    assert [r["id"] for r in ranks["snail"]] == ["C", "D"]


@pytest.mark.parametrize("bad", ["2022Q5", "2022-Q0", "Q2", "22Q2", ""])
def test_bad_quarters(bad):
    with pytest.raises(GazetteError) as e:
        project_lights.quarter(bad)
    assert e.value.code == "invalid_quarter"


def test_calendar_moves_weekend_notices_to_monday():
    jan = calendar.notices("2022-01")
    assert [n["date"] for n in jan] == ["2022-01-10", "2022-01-20", "2022-02-07"]  # 2022-02-05 is a Saturday
    assert jan[2]["moved"] and jan[2]["nominal"] == "2022-02-05"
    may = calendar.notices("2022-05")
    assert may[2]["date"] == "2022-06-06"  # 2022-06-05 is a Sunday
    aug = calendar.notices("2022-08")
    assert [n["date"] for n in aug] == ["2022-08-10", "2022-08-22", "2022-09-05"]  # 20th a Saturday; 5th a Monday
    assert not aug[0]["moved"] and not aug[2]["moved"]
    # an operator's holiday list (国庆) moves a weekday notice too
    sep = calendar.notices("2022-09", holidays={dt.date(2022, 10, 5)})
    assert sep[2]["date"] == "2022-10-06"
    assert all(n["clause"] == "嘉政办发〔2022〕9号#三.（四）" for n in jan)


def test_statistics_entry_is_due_the_month_after_start(clean_db):
    assert calendar.statistics_due(dt.date(2022, 3, 15)) == dt.date(2022, 4, 30)
    assert calendar.statistics_due(dt.date(2022, 12, 1)) == dt.date(2023, 1, 31)
    service.register_project(project("S1"), key="a", actor="o")
    service.project_event("S1", {"event": "construction_started", "on": "2022-03-15"}, key="b", actor="o")
    with unit_of_work() as s:
        assert queries.statistics_overdue(s, dt.date(2022, 4, 30)) == []
        assert [r["id"] for r in queries.statistics_overdue(s, dt.date(2022, 5, 1))] == ["S1"]


def test_indicators_cite_the_plan(clean_db):
    service.register_project(project("I1", total_wan=60_000_000, annual_plan_wan=0), key="a", actor="o")
    with unit_of_work() as s:
        ind = queries.indicators(s)
    assert ind["plan"]["projects"] == 430 and ind["plan"]["investment_yi"] == 1202
    assert {c["category"]: c["plan_projects"] for c in ind["categories"]} == {
        "科技创新": 30, "现代产业": 200, "交通设施": 50, "市政环境": 48, "社会民生": 102}
    assert sum(c["plan_investment_yi"] for c in ind["categories"]) == 1202
    assert ind["reserve"]["met"] is True and ind["reserve"]["clause"] == "嘉政办发〔2022〕9号#三.（一）"
    assert ind["goals"]["fixed_asset_investment_yi"] == 3000 and ind["goals"]["high_energy_share_max"] == "0.13"
