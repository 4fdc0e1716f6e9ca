"""``/api/v1/supervision``: unit scoping, roles, problem+json errors, exports."""

from __future__ import annotations

import io
import uuid

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from gazette.api.app import create_app
from gazette.auth.testing import bearer
from tests.schemes.supervision.conftest import OTHER_UNIT, TASK, UNIT, Lazy, project

API = "/api/v1/supervision"


@pytest.fixture()
def api(reg):
    c = TestClient(create_app(), raise_server_exceptions=False)
    c.hdr = Lazy({
        "unit": lambda: bearer("haiguan", "unit_reporter", unit=UNIT),
        "other": lambda: bearer("yibao", "unit_reporter", unit=OTHER_UNIT),
        "officer": lambda: bearer("duban", "supervision_officer"),
        "auditor": lambda: bearer("shenji", "auditor"),
        "citizen": lambda: bearer("shimin", "citizen"),
    })
    return c


def _keyed(headers: dict) -> dict:
    """The headers with a fresh Idempotency-Key (every write requires one)."""
    return {**headers, "Idempotency-Key": uuid.uuid4().hex}


def _tid(task_id: str) -> str:
    return task_id.replace("#", "%23")


def test_a_unit_reports_and_sees_only_its_own(api):
    mine = api.get(f"{API}/tasks?on=2022-07-01", headers=api.hdr["unit"]).json()
    assert mine and all(UNIT in r["units"] for r in mine)
    body = {"status": "in_progress", "percent": 40, "reported_on": "2022-06-30", "evidence": "1个泊位交工"}
    r = api.post(f"{API}/tasks/{_tid(TASK)}/reports", json=body, headers={**api.hdr["unit"], "Idempotency-Key": "a1"})
    assert r.status_code == 201 and r.json()["unit"] == UNIT
    again = api.post(f"{API}/tasks/{_tid(TASK)}/reports", json=body, headers={**api.hdr["unit"], "Idempotency-Key": "a1"})
    assert again.json()["report_id"] == r.json()["report_id"] and again.json()["replayed"]
    # another unit: not its task, neither to read nor to report
    assert api.get(f"{API}/tasks/{_tid(TASK)}", headers=api.hdr["other"]).status_code == 403
    bad = api.post(f"{API}/tasks/{_tid(TASK)}/reports", json=body, headers=_keyed(api.hdr["other"]))
    assert bad.status_code == 403 and bad.json()["code"] == "not_your_task"
    assert api.get(f"{API}/tasks?unit={UNIT}", headers=api.hdr["other"]).status_code == 403
    # a unit cannot claim to be another unit in the body
    assert api.post(f"{API}/tasks/{_tid(TASK)}/reports", json={**body, "unit": OTHER_UNIT},
                    headers=_keyed(api.hdr["unit"])).status_code == 403
    # the officer's dashboard sees the report
    d = api.get(f"{API}/tasks/{_tid(TASK)}?on=2022-07-01", headers=api.hdr["officer"]).json()
    assert d["reports"][0]["percent"] == 40


@pytest.mark.parametrize("body, code, field", [
    ({"percent": 101, "reported_on": "2022-06-30"}, "percent_out_of_range", "percent"),
    ({"percent": 10, "reported_on": "2022-01-01"}, "date_before_task", "reported_on"),
    ({"percent": 10, "reported_on": "30/06/2022"}, "invalid_date", "reported_on"),
])
def test_bad_reports_are_problem_json(api, body, code, field):
    r = api.post(f"{API}/tasks/{_tid(TASK)}/reports", json=body, headers=_keyed(api.hdr["unit"]))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert (r.json()["code"], r.json()["field"]) == (code, field)
    assert r.json()["message_zh"] and r.json()["message_en"]


def test_roles(api):
    assert api.get(f"{API}/dashboard", headers=api.hdr["auditor"]).status_code == 200
    assert api.get(f"{API}/dashboard", headers=api.hdr["unit"]).status_code == 403
    assert api.get(f"{API}/tasks", headers=api.hdr["citizen"]).status_code == 403
    assert api.get(f"{API}/tasks").status_code == 401
    corr = {"reason": "分解表", "deadline": "2022-10-31"}
    assert api.post(f"{API}/tasks/{_tid(TASK)}/corrections", json=corr, headers=_keyed(api.hdr["auditor"])).status_code == 403
    assert api.post(f"{API}/tasks/{_tid(TASK)}/corrections", json=corr, headers=_keyed(api.hdr["unit"])).status_code == 403
    r = api.post(f"{API}/tasks/{_tid(TASK)}/corrections", json=corr, headers=_keyed(api.hdr["officer"]))
    assert r.status_code == 201 and r.json()["values"] == {"deadline": "2022-10-31"}


def test_projects_lights_and_exports(api):
    h = api.hdr["officer"]
    body = {**project("API-1", library="construction"), "on": "2022-01-01"}
    assert api.post(f"{API}/projects", json=body, headers=_keyed(h)).status_code == 201
    assert api.put(f"{API}/projects/API-1/investments/2022-06", json={"amount_wan": 15000}, headers=_keyed(h)).status_code == 200
    lights = api.get(f"{API}/lights?quarter=2022Q2", headers=h).json()
    (row,) = lights["projects"]
    assert (row["rate"], row["light"]) == ("75.00", "yellow") and lights["start_rate"]["target"] == "80.00"
    assert api.get(f"{API}/lights?quarter=2022Q7", headers=h).json()["code"] == "invalid_quarter"
    back = api.post(f"{API}/projects/API-1/events", json={"event": "moved_back", "on": "2022-07-01", "to_library": "new"},
                    headers=_keyed(h))
    assert back.status_code == 422 and back.json()["field"] == "reason"
    assert api.get(f"{API}/projects/API-1", headers=h).json()["history"][0]["event"] == "registered"
    assert api.get(f"{API}/projects/NOPE", headers=h).status_code == 404
    csv = api.get(f"{API}/exports/tasks.csv?on=2022-07-01", headers=api.hdr["unit"])
    assert csv.status_code == 200 and csv.content.startswith("\ufeff".encode())
    assert "市医保局" not in csv.content.decode("utf-8-sig").split("\r\n", 1)[1] or UNIT in csv.text
    assert api.get(f"{API}/exports/lights.xlsx?quarter=2022Q2", headers=h).status_code == 200
    assert api.get(f"{API}/exports/lights.csv?quarter=2022Q2", headers=api.hdr["unit"]).status_code == 403
    cal = api.get(f"{API}/calendar?month=2022-01", headers=h).json()
    assert cal["notices"][2]["date"] == "2022-02-07"
    assert api.get(f"{API}/indicators", headers=h).json()["plan"]["projects"] == 430


def test_import_with_a_merged_cell_is_refused(api):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目代码", "项目名称"])
    ws.append(["X", "Y"])
    ws.merge_cells("A2:B2")
    buf = io.BytesIO()
    wb.save(buf)
    r = api.post(f"{API}/imports/projects", files={"file": ("p.xlsx", buf.getvalue())}, headers=_keyed(api.hdr["officer"]))
    assert r.status_code == 422
    codes = {e["code"] for e in r.json()["details"]["errors"]}
    assert {"merged_cells", "missing_column"} <= codes
