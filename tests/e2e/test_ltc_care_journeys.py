"""Long-term care, the care half, in a real browser on a phone (嘉政发〔2022〕21号), over `gazette demo` data:
provider staff choose a care plan with the person, a caregiver checks in and out, the officer settles the
month (一.（二）) — these three steps through the API with the demo users' tokens, as the provider's and the
caregiver's apps would; there are no pages for them yet — then the person reads their statement, the
provider its claims, and the officer confirms a finding in the review queue (三.（四）.12). Every page visited
is shot at desktop and phone width and in 长辈版."""

from __future__ import annotations

import re

from jiaxing.schemes.ltc import care_demo
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.harness import login

API = "/api/v1/ltc/care"


def _token(page, username: str) -> dict:
    r = page.request.post("/api/v1/auth/tokens", data={"username": username, "password": "gazette-demo"})
    assert r.status == 201, r.text()
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_plan_visits_settlement_statement_provider_officer(browser, live_server, shoot):
    ctx = browser.new_context(base_url=live_server, viewport=VIEWPORTS["phone"], locale="zh-CN")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    try:
        staff, worker, officer = (_token(page, u) for u in ("care-provider", "care-worker", "care-officer"))
        r = page.request.post(f"{API}/plans", headers={**staff, "Idempotency-Key": "e2e-plan"},
                              data={"person_id": care_demo.ELDER, "provider": care_demo.HOME,
                                    "starts_on": "2023-04-01", "items": ["S01", "M01", "M08"]})
        assert r.status == 201, r.text()
        r = page.request.post(f"{API}/visits/checkin", headers={**worker, "Idempotency-Key": "e2e-in"},
                              data={"person_id": care_demo.ELDER, "at": "2023-04-03T09:00", "lat": "30.752100",
                                    "lon": "120.755000", "face": "pass"})
        assert r.status == 201, r.text()
        vid = r.json()["visit_id"]
        r = page.request.post(f"{API}/visits/{vid}/checkout", headers={**worker, "Idempotency-Key": "e2e-out"},
                              data={"at": "2023-04-03T09:30", "items": ["S01"]})
        assert r.status == 200, r.text()  # 30 minutes for a 40-minute item: accepted, flagged by the screening
        r = page.request.post(f"{API}/settlements/2023-04", headers={**officer, "Idempotency-Key": "e2e-s"})
        assert r.status == 200 and r.json()["status"] == "completed", r.text()
        r = page.request.post(f"{API}/screenings/2023-04", headers={**officer, "Idempotency-Key": "e2e-sc"})
        assert r.status == 200 and r.json()["findings"].get("V01") == 1, r.text()

        page.goto("/login?next=/ltc/care/me")
        login(page, "care-elder")
        page.goto("/ltc/care/me")
        months = page.get_by_test_id("care-months").inner_text()
        assert "2023-04" in months and "48.00" in months  # S01 60 yuan × 80% (DEMO price)
        assert "居家护理" in page.get_by_test_id("care-type").inner_text()
        shoot(page, "01-statement")
        ctx.clear_cookies()

        page.goto("/login?next=/ltc/care/provider")
        login(page, "care-provider")
        page.goto("/ltc/care/provider")
        assert "2023-04" in page.get_by_test_id("provider-claims").inner_text()
        shoot(page, "02-provider")
        ctx.clear_cookies()

        page.goto("/login?next=/ltc/care/review")
        login(page, "care-officer")
        page.goto("/ltc/care/review")
        finding = page.get_by_test_id("finding").filter(has_text="2023-04-03")
        assert "服务时长短于项目最低时长" in finding.inner_text()
        shoot(page, "03-review")
        with page.expect_navigation():
            finding.get_by_role("button", name=re.compile("确认违规")).click()
        assert "已确认" in page.get_by_role("status").inner_text()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= VIEWPORTS["phone"]["width"] + 1  # nothing wider than the phone
        shoot(page, "04-confirmed")
    finally:
        ctx.close()
