"""The budget pages: the dashboard (checks, overdue, pipeline, reserve list), a department's page,
filing and routing through forms, roles, and no inline script."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gazette.auth.demo import DEMO_PASSWORD
from gazette.auth.testing import TEST_PASSWORD, ensure_user

TEMPLATES = Path(__file__).resolve().parents[3] / "src" / "jiaxing" / "web" / "templates"


@pytest.fixture(scope="module")
def demo(db_url):
    from sqlalchemy import MetaData

    from gazette.store.db import get_engine
    from jiaxing.schemes.budget import demo as budget_demo

    with get_engine(db_url).begin() as conn:
        meta = MetaData()
        meta.reflect(conn)
        for table in reversed(meta.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    budget_demo.run()
    return db_url


def login(username: str, password: str = DEMO_PASSWORD) -> TestClient:
    from gazette.api.app import create_app

    c = TestClient(create_app(), follow_redirects=False)
    token = re.findall(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)[-1]
    r = c.post("/login", data={"username": username, "password": password, "csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text
    return c


def hidden(page: str, action: str) -> dict[str, str]:
    for m in re.finditer(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page, flags=re.S):
        if html.unescape(m.group(1)) == action:
            return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(2)))
    raise AssertionError(f"no form posting to {action}")


def test_dashboard_shows_checks_and_the_overdue_disclosure(demo):
    c = login("finance")
    page = c.get("/budget/2023").text
    assert 'data-rule="reserve_fund_1_to_3_percent" data-status="pass"' in page
    assert 'data-code="department_disclosure" data-subject="市卫生健康委"' in page
    assert "嘉政发〔2022〕5号#六.（三）.3" in html.unescape(page)
    # as of 2023-02-20 the department's disclosure is still due that day; from 02-21 it is overdue
    assert 'data-subject="市卫生健康委"' not in c.get("/budget/2023?as_of=2023-02-20").text
    assert 'data-code="department_disclosure" data-subject="市卫生健康委"' in c.get("/budget/2023?as_of=2023-02-21").text
    assert c.get("/budget", follow_redirects=False).headers["location"] == "/budget/2023"


def test_department_files_finance_routes_auditor_reads(demo):
    dept = login("dept-edu")
    assert dept.get("/budget/2023").headers["location"] == "/budget/2023/department"
    page = dept.get("/budget/2023/department").text
    assert "市教育局" in page and 'data-testid="file-request"' in page
    form = hidden(page, "/budget/2023/requests")
    bad = dept.post("/budget/2023/requests", data={**form, "unit": "嘉兴市第一医院", "title": "越级", "kind": "reallocation",
                                                   "condition": "new_staff", "amount_yuan": "100"})
    assert bad.status_code == 422 and "skipped_department" in bad.text
    r = dept.post("/budget/2023/requests", data={**form, "unit": "嘉兴市实验小学", "title": "课后服务临时经费",
                                                 "kind": "reallocation", "condition": "new_temporary_work",
                                                 "amount_yuan": "250000", "priority_class": "1", "performance": "良",
                                                 "affordability": "可承受", "on": "2023-09-04"})
    assert r.status_code == 303
    rid = int(re.search(r"done=(\d+)", r.headers["location"]).group(1))
    assert f'id="req-{rid}"' in dept.get(r.headers["location"]).text
    assert dept.post(f"/budget/requests/{rid}/route", data={**form}).status_code == 403

    fin = login("finance")
    page = fin.get("/budget/2023").text
    r = fin.post(f"/budget/requests/{rid}/route", data={**hidden(page, f"/budget/requests/{rid}/route"),
                                                         "on": "2023-09-05"})
    assert r.status_code == 303
    page = fin.get("/budget/2023").text
    row = re.search(rf'<tr id="req-{rid}".*?</tr>', page, flags=re.S).group(0)
    assert 'data-status="queued"' in row and "市财政部门审批" in row
    dec = hidden(page, f"/budget/requests/{rid}/decision")
    r = fin.post(f"/budget/requests/{rid}/decision", data={**dec, "on": "2023-12-04", "outcome": "approve"})
    assert r.status_code == 422 and "approval_window_closed" in r.text  # December (四.（六）.1)

    ensure_user("budget-auditor", "auditor")
    ensure_user("budget-citizen", "citizen")
    aud = login("budget-auditor", TEST_PASSWORD)
    page = aud.get("/budget/2023").text
    assert "只读" in page and f"/budget/requests/{rid}/decision" not in page
    assert aud.post(f"/budget/requests/{rid}/decision", data={**dec, "outcome": "approve"}).status_code == 403
    assert login("budget-citizen", TEST_PASSWORD).get("/budget/2023").status_code == 403


def test_templates_have_no_inline_script_or_handlers():
    for path in TEMPLATES.glob("budget_*.html"):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text and not re.search(r"\son[a-z]+=", text), path.name


def test_marking_obligations_done_from_the_pages(demo):
    dept = login("dept-edu")
    page = dept.get("/budget/2023/department?as_of=2023-02-12").text
    assert 'data-code="department_disclosure" data-status="open"' in page
    form = hidden(page, "/budget/2023/events")
    # a department records only its own events
    r = dept.post("/budget/2023/events", data={**form, "subject": "市卫生健康委", "on": "2023-02-12"})
    assert r.status_code == 403
    r = dept.post("/budget/2023/events", data={**form, "on": "2023-02-12"})  # its disclosure: already on record
    assert r.status_code == 409 and "event_already_recorded" in r.text

    fin = login("finance")
    page = fin.get("/budget/2023?as_of=2023-03-01").text
    assert 'data-code="department_disclosure" data-subject="市卫生健康委"' in page
    forms = re.findall(r'<form method="post" action="/budget/2023/events".*?</form>', page, flags=re.S)
    mine = next(f for f in forms if 'value="department_disclosed"' in f and 'value="市卫生健康委"' in f)
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', mine))
    r = fin.post("/budget/2023/events", data={**{k: html.unescape(v) for k, v in data.items()}, "on": "2023-03-01"})
    assert r.status_code == 303 and r.headers["location"].startswith("/budget/2023?as_of=2023-03-01")
    page = fin.get(r.headers["location"]).text
    assert 'data-testid="recorded"' in page
    assert 'data-code="department_disclosure" data-subject="市卫生健康委"' not in page  # no longer overdue
    assert "逾期完成 Done late" in page


def test_an_unknown_year_or_request_is_a_404_page(demo):
    fin = login("finance")
    r = fin.get("/budget/2031")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    page = fin.get("/budget/2023").text
    rid = re.search(r'action="/budget/requests/(\d+)/route"', page).group(1)  # the demo's submitted request
    form = hidden(page, f"/budget/requests/{rid}/route")
    assert fin.post("/budget/requests/999999/route", data=form).status_code == 404
    assert fin.get("/budget/1999").status_code == 422
