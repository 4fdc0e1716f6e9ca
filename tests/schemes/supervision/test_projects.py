"""The three libraries: moves caused by events, each recorded with its event; backwards only with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from jiaxing.schemes.supervision import projects as major_projects
from jiaxing.schemes.supervision import queries, service
from jiaxing.schemes.supervision.models import SupProjectMove
from tests.schemes.supervision.conftest import project


def _ev(pid, event, on, key, **kw):
    return service.project_event(pid, {"event": event, "on": on, **kw}, key=key, actor="officer")


def test_reserve_to_new_to_construction_recorded(clean_db):
    service.register_project(project("P1"), key="p1", actor="officer")
    res = _ev("P1", "approval_started", "2022-02-10", "e1")
    assert res["project"]["library"] == "new" and res["moves"][0]["from"] == "reserve"
    res = _ev("P1", "construction_started", "2022-03-15", "e2")
    assert res["project"]["library"] == "construction" and res["project"]["started_on"] == "2022-03-15"
    _ev("P1", "stats_entered", "2022-04-06", "e3", month="2022-04")
    from gazette.store.db import unit_of_work

    with unit_of_work() as s:
        d = queries.project_detail(s, "P1")
        assert [h["event"] for h in d["history"]] == ["registered", "approval_started", "construction_started",
                                                       "stats_entered"]
        assert [(h["from"], h["to"]) for h in d["history"][:3]] == [(None, "reserve"), ("reserve", "new"),
                                                                     ("new", "construction")]
        assert major_projects.library_on(d["history"], dt.date(2022, 3, 14)) == "new"
        assert major_projects.library_on(d["history"], dt.date(2022, 3, 15)) == "construction"
        assert d["statistics_due"] == "2022-04-30" and d["stats_entered_month"] == "2022-04"
    # a replay of an event writes no second record
    _ev("P1", "construction_started", "2022-03-15", "e2")
    with unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(SupProjectMove)) == 4


def test_a_reserve_project_that_starts_records_both_moves(clean_db):
    service.register_project(project("P2"), key="p2", actor="officer")
    res = _ev("P2", "construction_started", "2022-04-01", "e")
    assert [(m["event"], m["from"], m["to"]) for m in res["moves"]] == [
        ("approval_started", "reserve", "new"), ("construction_started", "new", "construction")]


@pytest.mark.parametrize("steps, bad, code, field", [
    ([], {"event": "moved_back", "on": "2022-05-01", "to_library": "reserve"}, "reason_required", "reason"),
    ([], {"event": "moved_back", "on": "2022-05-01", "to_library": "reserve", "reason": "  "}, "reason_required",
     "reason"),
    ([], {"event": "moved_back", "on": "2022-05-01", "to_library": "construction", "reason": "x"}, "not_backwards",
     "to_library"),
    ([], {"event": "approval_started", "on": "2022-05-01"}, "wrong_library", "event"),
    ([], {"event": "approval_started", "on": "2021-12-01"}, "date_before_last_event", "on"),
    ([], {"event": "teleport", "on": "2022-05-01"}, "unknown_event", "event"),
    ([], {"event": "stats_entered", "on": "2022-05-01", "month": "2022-01"}, "month_before_start", "month"),
])
def test_bad_moves_write_nothing(clean_db, steps, bad, code, field):
    service.register_project(project("P3"), key="p3", actor="officer")
    _ev("P3", "construction_started", "2022-03-01", "s")
    if bad["event"] == "approval_started" and bad["on"] == "2021-12-01":
        service.register_project(project("P4"), key="p4", actor="officer")
        pid = "P4"
    else:
        pid = "P3"
    with pytest.raises(GazetteError) as e:
        service.project_event(pid, bad, key="bad", actor="officer")
    assert (e.value.code, e.value.field) == (code, field)
    from gazette.store.db import unit_of_work

    with unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(SupProjectMove)
                        .where(SupProjectMove.project_id == "P3")) == 3


def test_moving_back_with_a_reason_is_recorded(clean_db):
    service.register_project(project("P5"), key="p5", actor="officer")
    _ev("P5", "construction_started", "2022-03-01", "s")
    res = _ev("P5", "moved_back", "2022-03-20", "b", to_library="new", reason="施工许可被撤销")
    assert res["project"]["library"] == "new" and res["project"]["started_on"] is None
    assert res["moves"][0]["reason"] == "施工许可被撤销"


@pytest.mark.parametrize("field, value, code", [
    ("category", "农业", "invalid_category"), ("district", "杭州市", "invalid_district"),
    ("annual_plan_wan", 200000, "annual_over_total"), ("total_wan", "1.5", "invalid_integer"),
    ("library", "建成库", "invalid_library"), ("id", "P 1", "invalid_project_id"), ("level", "县", "invalid_level"),
])
def test_bad_projects(clean_db, field, value, code):
    with pytest.raises(GazetteError) as e:
        service.register_project(project("P9", **{field: value}), key="p9", actor="officer")
    assert e.value.code == code and e.value.field == field


def test_duplicate_project_code_conflicts(clean_db):
    service.register_project(project("P6"), key="a", actor="officer")
    with pytest.raises(GazetteError) as e:
        service.register_project(project("P6"), key="b", actor="officer")
    assert e.value.code == "project_exists" and http_status(e.value) == 409
