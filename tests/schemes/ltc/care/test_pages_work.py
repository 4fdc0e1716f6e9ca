"""The care half's work pages over the demo data, without a browser: choosing a care plan
(嘉政发〔2022〕21号#一.（二）, items from the DEMO catalogue of #三.（二）.6, providers with stars #三.（二）.7),
a caregiver's check-in and check-out, provider staff's day of institutional care, and the officer's month
(settle, pay, screen #三.（四）.12). Bad input answers the page with the bilingual error next to its field
and writes nothing; a rerun of a month's run says "already done"."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import text

from gazette.auth import users
from gazette.auth.demo import DEMO_PASSWORD
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import care_demo
from tests.auth.conftest import login, new_client, session_csrf

TABLES = ("ltc_care_plans", "ltc_care_plan_items", "ltc_visits", "ltc_visit_items", "ltc_claims", "ltc_findings",
          "ltc_settlement_lines", "audit_log")


@pytest.fixture(scope="module")
def demo(db_url):
    from gazette.auth import sessions
    from gazette.store.db import get_engine
    from gazette.store.models import Base

    with get_engine(db_url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    sessions.reset_secret_cache()
    care_demo.run()
    with unit_of_work() as session:  # the institution's staff and an auditor, beside the demo's users
        for spec in ({"username": "care-inst", "display_name": "演示颐养院工作人员", "role": "provider_staff",
                      "unit": care_demo.INST}, {"username": "care-auditor", "display_name": "审计", "role": "auditor"},
                     {"username": "care-worker-2", "display_name": "周护理员（演示）", "role": "caregiver",
                      "unit": "CG-DEMO-02"}):
            users.create_user(session, password=DEMO_PASSWORD, **spec)
    return db_url


def _counts() -> dict[str, int]:
    with unit_of_work() as session:
        return {table: session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() for table in TABLES}


def _client(username: str):
    client = new_client()
    assert login(client, username).status_code == 303
    return client


def _keys(html: str) -> list[str]:
    return re.findall(r'name="idempotency_key" value="([^"]+)"', html)


def _error_next_to(html: str, field: str) -> str:
    found = re.search(rf'data-testid="error-{field}">(.*?)</p>', html, re.S)
    assert found, f"no error next to {field}"
    return found.group(1)


def test_choosing_a_care_plan(demo):
    staff = _client("care-provider")
    page = staff.get("/ltc/care/plan", params={"starts_on": "2023-05-01", "care_type": "home"})
    assert page.status_code == 200
    assert "南湖区演示居家护理站" in page.text and "颐养院" not in page.text  # filtered by care type
    assert "星" in page.text and "DEMO" in page.text and "助浴" in page.text and "60.00 元" in page.text
    assert "生活照料" in page.text and "医疗护理" in page.text and "至少 40 分钟" in page.text
    csrf, key = session_csrf(staff), _keys(page.text)[0]
    person = care_demo.PEOPLE[1][0]
    form = {"csrf_token": csrf, "idempotency_key": key, "person_id": person, "provider": care_demo.HOME,
            "care_type": "home", "items": ["S02", "M02"]}

    before = _counts()
    bad_day = staff.post("/ltc/care/plan", data={**form, "starts_on": "2023-05-15"})
    assert bad_day.status_code == 422
    message = _error_next_to(bad_day.text, "starts_on")
    assert "1 日" in message and "starts on the 1st of a month" in message
    unknown = staff.post("/ltc/care/plan", data={**form, "starts_on": "2023-05-01", "items": ["S02", "ZZ9"]})
    assert unknown.status_code == 422 and "ZZ9" in _error_next_to(unknown.text, "items")
    other = staff.post("/ltc/care/plan", data={**form, "starts_on": "2023-05-01", "provider": care_demo.INST})
    assert other.status_code == 403 and "own staff record the plan" in _error_next_to(other.text, "provider")
    no_person = staff.post("/ltc/care/plan", data={**form, "starts_on": "2023-05-01", "person_id": "123"})
    assert no_person.status_code == 422 and _error_next_to(no_person.text, "person_id")
    assert 'value="S02" checked' in no_person.text  # what was chosen stays chosen
    assert _counts() == before

    done = staff.post("/ltc/care/plan", data={**form, "starts_on": "2023-05-01"})
    assert done.status_code == 303
    plan_page = staff.get(done.headers["location"])
    assert plan_page.status_code == 200 and "护理计划已确定" in plan_page.text
    assert "居家护理" in plan_page.text and "S02 床上擦浴" in plan_page.text and "2023-05-01" in plan_page.text
    again = staff.post("/ltc/care/plan", data={**form, "starts_on": "2023-05-01"})
    assert again.status_code == 303 and again.headers["location"] == done.headers["location"]  # replayed
    # the officer of the district sees the plan's page; anyone else's plan id shows nothing
    officer = _client("care-officer")
    assert "护理计划已确定" in officer.get(done.headers["location"]).text


def test_a_caregiver_checks_in_and_out(demo):
    worker = _client("care-worker")
    page = worker.get("/ltc/care/visits", params={"day": "2023-03-29"})
    assert page.status_code == 200 and page.text.count('data-testid="care-person"') == 2
    assert "沈阿婆（演示）" in page.text and "机构护理" not in page.text.split("<main", 1)[1].split("care-person")[0]
    csrf = session_csrf(worker)
    key_in = _keys(page.text)[0]
    before = _counts()
    nobody = worker.post("/ltc/care/visits/checkin", data={
        "csrf_token": csrf, "idempotency_key": key_in, "form_id": "in-other", "person_id": "330402194001010112",
        "at": "2023-03-29T09:00"})
    assert nobody.status_code == 409
    assert "没有有效的护理计划" in _error_next_to(nobody.text, "person_id")
    bad_position = worker.post("/ltc/care/visits/checkin", data={
        "csrf_token": csrf, "idempotency_key": key_in, "form_id": f"in-{care_demo.ELDER}",
        "person_id": care_demo.ELDER, "at": "2023-03-29T09:00", "lat": "thirty", "lon": "120.755", "face": "pass"})
    assert bad_position.status_code == 422 and "decimal degrees" in _error_next_to(bad_position.text, "lat")
    assert _counts() == before

    checked_in = worker.post("/ltc/care/visits/checkin", data={
        "csrf_token": csrf, "idempotency_key": key_in, "form_id": f"in-{care_demo.ELDER}",
        "person_id": care_demo.ELDER, "at": "2023-03-29T09:00", "lat": "30.752100", "lon": "120.755000",
        "face": "pass"})
    assert checked_in.status_code == 303
    page = worker.get(checked_in.headers["location"])
    assert "已签到" in page.text and 'data-testid="open-visit"' in page.text
    visit_id = re.search(r'name="visit_id" value="(\d+)"', page.text).group(1)
    key_out = _keys(page.text)[0]

    before = _counts()
    early = worker.post("/ltc/care/visits/checkout", data={
        "csrf_token": csrf, "idempotency_key": key_out, "visit_id": visit_id, "at": "2023-03-29T08:30",
        "items": ["S01"]})
    assert early.status_code == 422
    message = _error_next_to(early.text, "at")
    assert "签出时间必须晚于签到时间" in message and "check-out must be after check-in" in message
    assert "未作任何更改" in early.text and _counts() == before
    with unit_of_work() as session:
        assert session.execute(text("SELECT done FROM ltc_visits WHERE id = :v"), {"v": int(visit_id)}).scalar() in (
            False, 0)
    colleague = _client("care-worker-2")  # another caregiver may not close this visit
    page_2 = colleague.get("/ltc/care/visits", params={"day": "2023-03-29"})
    taken = colleague.post("/ltc/care/visits/checkout", data={
        "csrf_token": session_csrf(colleague), "idempotency_key": _keys(page_2.text)[0].replace("carein", "careout"),
        "visit_id": visit_id, "at": "2023-03-29T10:00", "items": ["S01"]})
    assert taken.status_code == 404 and "home visit not found" in taken.text and _counts() == before
    stranger = worker.post("/ltc/care/visits/checkout", data={
        "csrf_token": csrf, "idempotency_key": key_out, "visit_id": "999999", "at": "2023-03-29T10:00",
        "items": ["S01"]})
    assert stranger.status_code == 404 and _counts() == before

    out = worker.post("/ltc/care/visits/checkout", data={
        "csrf_token": csrf, "idempotency_key": key_out, "visit_id": visit_id, "at": "2023-03-29T10:10",
        "items": ["S01", "M01"]})
    assert out.status_code == 303
    page = worker.get(out.headers["location"])
    assert "已签出" in page.text and "70 分钟" in page.text and "80.00 元" in page.text  # DEMO S01 60 + M01 20
    assert 'data-testid="open-visit"' not in page.text


def test_provider_staff_record_a_day_of_their_own_people(demo):
    home = _client("care-provider")
    page = home.get("/ltc/care/visits", params={"day": "2023-03-29"})
    assert page.status_code == 200 and "签到 Check in" not in page.text  # caregivers check in, not staff
    with unit_of_work() as session:
        user_id = session.execute(text("SELECT id FROM users WHERE username = 'care-provider'")).scalar()
    before = _counts()
    other = home.post("/ltc/care/visits/day", data={
        "csrf_token": session_csrf(home), "idempotency_key": f"web:{user_id}:careday:t1",
        "person_id": care_demo.PEOPLE[2][0], "day": "2023-03-29", "items": ["D01"]})
    # that person has no form on this provider's page: the error is in the page's alert
    assert other.status_code == 409 and "no care plan with this provider" in other.text and "未作任何更改" in other.text
    assert _counts() == before

    institution = _client("care-inst")
    page = institution.get("/ltc/care/visits", params={"day": "2023-03-29"})
    assert "记录本日" in page.text and "孙奶奶（演示）" in page.text
    form = {"csrf_token": session_csrf(institution), "idempotency_key": _keys(page.text)[0],
            "person_id": care_demo.PEOPLE[2][0], "day": "2023-03-29"}
    empty = institution.post("/ltc/care/visits/day", data=form)
    assert empty.status_code == 422 and "service item" in _error_next_to(empty.text, "items")
    assert _counts() == before
    done = institution.post("/ltc/care/visits/day", data={**form, "items": ["D01"]})
    assert done.status_code == 303
    assert "已记录" in institution.get(done.headers["location"]).text


def test_the_officers_month(demo):
    officer = _client("care-officer")
    page = officer.get("/ltc/care/month", params={"month": "2023-02"})
    assert page.status_code == 200
    assert "南湖区演示居家护理站" in page.text and "已支付 Paid" in page.text and 'data-testid="month-totals"' in page.text
    assert "服务时长短于项目最低时长" in page.text
    csrf, key = session_csrf(officer), _keys(page.text)[0]

    before = _counts()
    rerun = officer.post("/ltc/care/month/settle", data={"csrf_token": csrf, "idempotency_key": key,
                                                         "month": "2023-02"})
    assert rerun.status_code == 303 and "again=1" in rerun.headers["location"]
    assert "已结算过" in officer.get(rerun.headers["location"]).text and _counts() == before
    early = officer.post("/ltc/care/month/pay", data={"csrf_token": csrf, "idempotency_key": key, "month": "2023-03"})
    assert early.status_code == 409 and "is not settled yet" in _error_next_to(early.text, "month")
    bad = officer.post("/ltc/care/month/screen", data={"csrf_token": csrf, "idempotency_key": key,
                                                       "month": "2023-13"})
    assert bad.status_code == 422 and _error_next_to(bad.text, "month")
    assert _counts() == before

    settled = officer.post("/ltc/care/month/settle", data={"csrf_token": csrf, "idempotency_key": key,
                                                           "month": "2023-03"})
    assert settled.status_code == 303 and "again" not in settled.headers["location"]
    page = officer.get(settled.headers["location"])
    assert "2023-03 结算完成" in page.text and "待支付 Payable" in page.text
    with unit_of_work() as session:
        net = session.execute(text("SELECT SUM(net_fen) FROM ltc_claims WHERE month = '2023-03'")).scalar()
    totals = re.search(r'data-testid="month-totals">(.*?)</tr>', page.text, re.S).group(1)
    assert f"{Decimal(net) / 100:,.2f}" in totals  # the claims' net, yuan from fen
    screened = officer.post("/ltc/care/month/screen", data={"csrf_token": csrf, "idempotency_key": key,
                                                            "month": "2023-03"})
    assert screened.status_code == 303
    page = officer.get(screened.headers["location"])
    with unit_of_work() as session:
        found = session.execute(text("SELECT COUNT(*) FROM ltc_findings WHERE month = '2023-03'")).scalar()
    assert f'data-testid="month-findings-count">{found}<' in page.text
    paid = officer.post("/ltc/care/month/pay", data={"csrf_token": csrf, "idempotency_key": key, "month": "2023-03"})
    assert paid.status_code == 303 and "已支付 Paid" in officer.get(paid.headers["location"]).text

    auditor = _client("care-auditor")
    read = auditor.get("/ltc/care/month", params={"month": "2023-03"})
    assert read.status_code == 200 and "/ltc/care/month/settle" not in read.text
