"""Progress reports: unit scoping, bad input with nothing written, derived statuses on both sides of a
deadline, reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gazette.errors import GazetteError
from jiaxing.schemes.supervision import queries, service
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision.models import SupReport
from jiaxing.schemes.supervision.status import LastReport, derive
from tests.schemes.supervision.conftest import OTHER_UNIT, TASK, UNIT


def _reports(uow) -> int:
    with uow() as s:
        return s.scalar(select(func.count()).select_from(SupReport))


def _report(**kw):
    raw = {"task_id": TASK, "status": "in_progress", "percent": 40, "reported_on": "2022-06-30",
           "actual": "1", "evidence": "1个泊位已交工"}
    raw.update(kw)
    return raw


def test_a_unit_reports_its_own_task_once_per_key(reg):
    first = service.report(_report(), unit=UNIT, key="r1", actor="haiguan")
    again = service.report(_report(), unit=UNIT, key="r1", actor="haiguan")
    assert again["replayed"] and again["report_id"] == first["report_id"]
    assert _reports(reg) == 1
    with reg() as s:
        mine = effective_tasks.register(s, dt.date(2022, 7, 1), unit=UNIT)
        assert TASK in {r["id"] for r in mine}
        assert all(UNIT in r["units"] for r in mine)
        assert next(r for r in mine if r["id"] == TASK)["last_report"]["percent"] == 40


@pytest.mark.parametrize("raw, unit, code, field", [
    (_report(), OTHER_UNIT, "not_your_task", "task_id"),  # another unit's task
    (_report(percent=101), UNIT, "percent_out_of_range", "percent"),
    (_report(percent=-1), UNIT, "percent_out_of_range", "percent"),
    (_report(reported_on="2022-03-01"), UNIT, "date_before_task", "reported_on"),  # 11号 signed 2022-03-2x
    (_report(reported_on="2022-02-30"), UNIT, "invalid_date", "reported_on"),
    (_report(status="done", percent=90), UNIT, "done_needs_100", "percent"),
    (_report(status="finished"), UNIT, "invalid_status", "status"),
    (_report(actual="1e9"), UNIT, "invalid_number", "actual"),
    (_report(task_id="嘉政办发〔2022〕11号#九@1"), UNIT, "not_found", "task_id"),
])
def test_bad_reports_write_nothing(reg, raw, unit, code, field):
    with pytest.raises(GazetteError) as e:
        service.report(raw, unit=unit, key="bad", actor="x")
    assert (e.value.code, e.value.field) == (code, field)
    assert _reports(reg) == 0


def test_overdue_on_both_sides_of_the_deadline(reg):
    # the task inherits 到2022年年底 (嘉政办发〔2022〕11号#二): 2022-12-31 is in time, 2023-01-01 is late
    service.report(_report(percent=80, reported_on="2022-12-01"), unit=UNIT, key="r", actor="haiguan")
    with reg() as s:
        assert queries.task_detail(s, TASK, dt.date(2022, 12, 31))["status"] == "on_track"
        assert queries.task_detail(s, TASK, dt.date(2023, 1, 1))["status"] == "overdue"
    service.report(_report(status="done", percent=100, reported_on="2023-01-05"), unit=UNIT, key="r2", actor="h")
    with reg() as s:
        assert queries.task_detail(s, TASK, dt.date(2023, 1, 4))["status"] == "overdue"
        assert queries.task_detail(s, TASK, dt.date(2023, 1, 5))["status"] == "done"


def test_derive_rules():
    start, end = dt.date(2022, 1, 1), dt.date(2022, 12, 31)  # 364 days
    mid = dt.date(2022, 7, 2)  # 182 days: expected 50%
    assert derive(on=mid, starts=start, deadline=end, last=LastReport("in_progress", 25, mid)) == "on_track"
    assert derive(on=mid, starts=start, deadline=end, last=LastReport("in_progress", 24, mid)) == "at_risk"
    assert derive(on=mid, starts=start, deadline=end, last=None) == "at_risk"
    assert derive(on=dt.date(2022, 2, 1), starts=start, deadline=end, last=None) == "on_track"
    assert derive(on=mid, starts=start, deadline=end, last=LastReport("blocked", 90, mid)) == "at_risk"
    assert derive(on=end, starts=start, deadline=end, last=LastReport("in_progress", 99, end)) == "on_track"
    assert derive(on=end + dt.timedelta(days=1), starts=start, deadline=end,
                  last=LastReport("in_progress", 99, end)) == "overdue"
    assert derive(on=mid, starts=start, deadline=None, last=None) == "on_track"
    # a report dated after the day asked about is not yet known
    assert derive(on=mid, starts=start, deadline=end, last=LastReport("done", 100, end)) == "at_risk"


def test_reminders_and_digest(reg):
    with reg() as s:
        due = queries.reminders(s, dt.date(2022, 6, 15), unit=UNIT)
    assert {r["kind"] for r in due} == {"report_due"} and TASK in {r["task_id"] for r in due}
    service.report(_report(reported_on="2022-06-10"), unit=UNIT, key="r", actor="h")
    with reg() as s:
        assert TASK not in {r["task_id"] for r in queries.reminders(s, dt.date(2022, 6, 15), unit=UNIT)}
        late = queries.reminders(s, dt.date(2023, 1, 2), unit=UNIT)
        assert any(r["task_id"] == TASK and r["kind"] == "overdue" for r in late)
        dash = queries.dashboard(s, dt.date(2023, 1, 2))
        assert dash["by_status"]["overdue"] >= 1 and TASK in {r["id"] for r in dash["overdue"]}
