"""Pages: the unit's page and report form, the officer's dashboard, a project's history; no script."""

from __future__ import annotations

import re
import urllib.parse

import pytest
from fastapi.testclient import TestClient

from gazette.api.app import create_app
from jiaxing.schemes.supervision import service
from tests.schemes.supervision.conftest import OTHER_UNIT, TASK, UNIT, Lazy, project


def login(username: str, role: str, **fields) -> TestClient:
    from gazette.auth.testing import TEST_PASSWORD, ensure_user

    ensure_user(username, role, **fields)
    c = TestClient(create_app(), raise_server_exceptions=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token, "next": "/"},
               follow_redirects=False)
    assert r.status_code == 303
    return c


def _no_script(html: str) -> None:
    assert "<script>" not in html and not re.search(r"\son[a-z]+=", html)


@pytest.fixture()
def clients(reg):
    return Lazy({"unit": lambda: login("p-haiguan", "unit_reporter", unit=UNIT),
                 "other": lambda: login("p-yibao", "unit_reporter", unit=OTHER_UNIT),
                 "officer": lambda: login("p-duban", "supervision_officer"),
                 "auditor": lambda: login("p-shenji", "auditor")})


def test_unit_reports_and_officer_sees_it(clients):
    c = clients["unit"]
    assert c.get("/supervision", follow_redirects=False).headers["location"] == "/supervision/unit"
    page = c.get("/supervision/unit?on=2022-06-15").text
    _no_script(page)
    assert "本单位待填报" in page or "待填报" in page
    url = f"/supervision/tasks/{urllib.parse.quote(TASK, safe='')}?on=2022-06-30"
    form = c.get(url).text
    _no_script(form)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', form).group(1)
    data = {"csrf_token": token, "idempotency_key": key, "status": "in_progress", "percent": "101",
            "reported_on": "2022-06-30", "evidence": "x"}
    bad = c.post(f"/supervision/tasks/{urllib.parse.quote(TASK, safe='')}/report", data=data)
    assert bad.status_code == 422 and "0 至 100" in bad.text and "未作任何更改" in bad.text
    ok = c.post(f"/supervision/tasks/{urllib.parse.quote(TASK, safe='')}/report", data={**data, "percent": "40"},
                follow_redirects=False)
    assert ok.status_code == 303
    assert "已提交进展" in c.get(ok.headers["location"]).text
    dash = clients["officer"].get("/supervision?on=2022-07-01").text
    _no_script(dash)
    assert "督查工作台" in dash and UNIT in dash
    detail = clients["officer"].get(url).text
    assert "40" in detail and "x" in detail
    # another unit sees neither the task nor its form
    assert clients["other"].get(url).status_code == 403
    assert clients["other"].get("/supervision?on=2022-07-01", follow_redirects=False).status_code == 303


def test_a_late_task_turns_overdue_on_its_date(clients):
    url = f"/supervision/tasks/{urllib.parse.quote(TASK, safe='')}"
    assert "已逾期" not in re.search(r'data-testid="task-status">([^<]*)<', clients["officer"].get(
        url + "?on=2022-12-31").text).group(1)
    assert "已逾期" in re.search(r'data-testid="task-status">([^<]*)<', clients["officer"].get(
        url + "?on=2023-01-01").text).group(1)


def test_auditor_reads_without_forms_and_project_history(clients):
    service.register_project(project("WEB-1"), key="w", actor="o")
    service.project_event("WEB-1", {"event": "construction_started", "on": "2022-03-01"}, key="e", actor="o")
    page = clients["auditor"].get("/supervision/projects/WEB-1").text
    _no_script(page)
    assert "储备库" in page and "在建库" in page and "开工" in page
    assert 'action="/supervision/tasks' not in clients["auditor"].get(
        f"/supervision/tasks/{urllib.parse.quote(TASK, safe='')}").text
    assert clients["unit"].get("/supervision/projects/WEB-1").status_code == 403
    csv = clients["unit"].get("/supervision/tasks.csv?on=2022-07-01")
    assert csv.content.startswith("\ufeff".encode())
    rows = list(__import__("csv").reader(csv.content.decode("utf-8-sig").splitlines()))[1:]
    assert rows and all(UNIT in r[4].split("、") for r in rows)


def test_officer_corrects_on_the_page(clients):
    c = clients["officer"]
    url = f"/supervision/tasks/{urllib.parse.quote('嘉政办发〔2022〕14号#三@c', safe='')}?on=2022-10-08"
    page = c.get(url).text
    _no_script(page)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    key = re.search(r'name="idempotency_key" value="(web:[^"]*sup-correct[^"]*)"', page).group(1)
    data = {"csrf_token": token, "idempotency_key": key, "on": "2022-10-08", "units": "市司法局",
            "deadline": "", "reason": "", "action": "correct"}
    bad = c.post(url.split("?")[0] + "/correct", data=data)
    assert bad.status_code == 422 and "未作任何更改" in bad.text  # a correction needs its reason
    ok = c.post(url.split("?")[0] + "/correct", data={**data, "reason": "据决策事项目录"}, follow_redirects=False)
    assert ok.status_code == 303
    after = c.get(ok.headers["location"]).text
    assert "已核定" in after and "市司法局" in after and "原提取" in after
    assert 'action="/supervision/tasks' not in clients["auditor"].get(url).text
