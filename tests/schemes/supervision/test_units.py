"""Unit names: one bureau under several names, and a group (各县〔市、区〕政府) reported by each member."""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.errors import GazetteError
from jiaxing.schemes.supervision import queries, service
from jiaxing.schemes.supervision import tasks as effective_tasks
from jiaxing.schemes.supervision.units import canonical, scope
from tests.schemes.supervision.conftest import entries


def test_canonical_names_and_groups():
    assert canonical("市人社局") == canonical("市人社保局") == canonical("市人力社保局") == "市人力社保局"
    assert canonical("嘉兴经济技术开发区（国际商务区）") == "嘉兴经济技术开发区〔国际商务区〕管委会"
    assert scope(["各县〔市、区〕政府", "嘉善县政府"]) == ["南湖区政府", "秀洲区政府", "嘉善县政府", "平湖市政府",
                                                  "海盐县政府", "海宁市政府", "桐乡市政府"]


def _group_task() -> str:
    return next(x["id"] for x in entries() if "各县〔市、区〕政府" in x["units"])


def _renshe_task() -> str:
    return next(x["id"] for x in entries() if "市人社局" in x["units"])


def test_a_member_of_a_group_sees_and_reports_its_task(reg):
    tid = _group_task()
    with reg() as s:
        assert tid in {r["id"] for r in effective_tasks.register(s, dt.date(2022, 10, 8), unit="嘉善县政府")}
        assert tid not in {r["id"] for r in effective_tasks.register(s, dt.date(2022, 10, 8), unit="嘉兴海关")}
        starts = effective_tasks.register(s, dt.date(2022, 10, 8), unit="嘉善县政府")[0]["starts"]
    res = service.report({"task_id": tid, "percent": 30, "reported_on": max(starts, "2022-10-08")},
                         unit="嘉善县政府", key="g", actor="jiashan")
    assert res["unit"] == "嘉善县政府"
    with pytest.raises(GazetteError) as e:
        service.report({"task_id": tid, "percent": 30, "reported_on": "2022-10-08"}, unit="嘉兴海关", key="h",
                       actor="haiguan")
    assert e.value.code == "not_your_task"


def test_one_bureau_under_three_names(reg):
    tid = _renshe_task()
    with reg() as s:
        for name in ("市人力社保局", "市人社局", "市人社保局"):
            assert tid in {r["id"] for r in effective_tasks.register(s, dt.date(2022, 10, 8), unit=name)}
        assert "市人力社保局" in queries.dashboard(s, dt.date(2022, 10, 8))["by_unit"]
        assert "市人社局" not in queries.dashboard(s, dt.date(2022, 10, 8))["by_unit"]
    res = service.report({"task_id": tid, "percent": 10, "reported_on": "2022-10-08"}, unit="市人社局", key="r",
                         actor="renshe")
    assert res["unit"] == "市人力社保局"
