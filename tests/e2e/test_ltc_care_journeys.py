"""Long-term care, the care half, in a real browser on a phone (嘉政发〔2022〕21号), over `gazette demo` data,
every step through its page: provider staff choose a care plan with the person (care type, a provider with
its stars, items from the DEMO catalogue — 三.（二）.6, .7), a caregiver checks in and out on the visits page,
the officer settles and screens the month on the month page (一.（二）, 三.（四）.12; a rerun says "already
done"), then the person reads their statement, the provider its claims, and the officer confirms the finding
in the review queue. Every page visited is shot at desktop and phone width and in 长辈版."""

from __future__ import annotations

import re

from jiaxing.schemes.ltc import care_demo
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.harness import login


def _no_wider_than_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"] + 1


def _as(page, ctx, username: str, url: str) -> None:
    ctx.clear_cookies()
    page.goto(f"/login?next={url}")
    login(page, username)
    page.goto(url)


def _submit(page, button) -> None:
    with page.expect_navigation():
        button.click()


def test_plan_visits_settlement_statement_provider_officer(browser, live_server, shoot):
    ctx = browser.new_context(base_url=live_server, viewport=VIEWPORTS["phone"], locale="zh-CN")
    ctx.set_default_timeout(15_000)
    page = ctx.new_page()
    try:
        # provider staff, with the person: the care plan
        _as(page, ctx, "care-provider", "/ltc/care/plan?care_type=home&starts_on=2023-04-01")
        provider = page.get_by_test_id("plan-provider").filter(has_text="南湖区演示居家护理站")
        assert "星" in provider.inner_text() and provider.locator("input").is_checked()
        assert "DEMO" in page.get_by_test_id("demo-catalogue").inner_text()
        page.get_by_label("服务对象身份证号").fill(care_demo.ELDER)
        _submit(page, page.get_by_role("button", name=re.compile("确认护理计划")))  # no item chosen yet
        assert "give at least one service item" in page.get_by_test_id("error-items").inner_text()
        shoot(page, "01-plan-error")
        for code in ("S01", "M01", "M08"):
            page.locator(f"input[name=items][value={code}]").check()
        _submit(page, page.get_by_role("button", name=re.compile("确认护理计划")))
        assert "居家护理" in page.get_by_test_id("plan-care-type").inner_text()
        assert "S01 助浴" in page.get_by_test_id("plan-items").inner_text()
        _no_wider_than_the_phone(page)
        shoot(page, "02-plan")

        # the caregiver, on a phone: check in, a check-out before the check-in is refused, then check out
        _as(page, ctx, "care-worker", "/ltc/care/visits?day=2023-04-03")
        person = page.get_by_test_id("care-person").filter(has_text="沈阿婆")
        person.get_by_label("签到时间").fill("2023-04-03T09:00")
        person.get_by_label("纬度").fill("30.752100")
        person.get_by_label("经度").fill("120.755000")
        person.get_by_label("通过 Passed").check()
        shoot(page, "03-visits")
        _submit(page, person.get_by_role("button", name=re.compile("签到")))
        assert "已签到" in page.get_by_test_id("visit-done").inner_text()
        visit = page.get_by_test_id("open-visit")
        visit.get_by_label("签出时间").fill("2023-04-03T08:30")
        _submit(page, visit.get_by_role("button", name=re.compile("签出")))
        assert "签出时间必须晚于签到时间" in page.get_by_test_id("error-at").inner_text()
        shoot(page, "04-checkout-error")
        visit = page.get_by_test_id("open-visit")
        visit.get_by_label("签出时间").fill("2023-04-03T09:30")
        for code in ("M01", "M08"):
            visit.locator(f"input[name=items][value={code}]").uncheck()
        _submit(page, visit.get_by_role("button", name=re.compile("签出")))
        done = page.get_by_test_id("visit-done").inner_text()
        assert "30 分钟" in done and "60.00 元" in done  # 30 minutes for a 40-minute item: accepted, flagged later
        _no_wider_than_the_phone(page)
        shoot(page, "05-checked-out")

        # the officer's month: settle, screen, and a rerun that says it was already done
        _as(page, ctx, "care-officer", "/ltc/care/month?month=2023-04")
        shoot(page, "06-month")
        _submit(page, page.get_by_role("button", name=re.compile("结算本月")))
        assert "2023-04 结算完成" in page.get_by_test_id("month-done").inner_text()
        assert "南湖区演示居家护理站" in page.get_by_test_id("month-claims").inner_text()
        _submit(page, page.get_by_role("button", name=re.compile("违规筛查")))
        assert "服务时长短于项目最低时长" in page.get_by_test_id("month-findings").inner_text()
        _submit(page, page.get_by_role("button", name=re.compile("结算本月")))
        assert "已结算过" in page.get_by_test_id("month-done").inner_text()
        _no_wider_than_the_phone(page)
        shoot(page, "07-month-done")

        # the person's statement
        _as(page, ctx, "care-elder", "/ltc/care/me")
        months = page.get_by_test_id("care-months").inner_text()
        assert "2023-04" in months and "48.00" in months  # S01 60 yuan × 80% (DEMO price)
        assert "居家护理" in page.get_by_test_id("care-type").inner_text()
        shoot(page, "08-statement")

        # the provider's claims
        _as(page, ctx, "care-provider", "/ltc/care/provider")
        assert "2023-04" in page.get_by_test_id("provider-claims").inner_text()
        shoot(page, "09-provider")

        # the officer's review queue
        _as(page, ctx, "care-officer", "/ltc/care/review")
        finding = page.get_by_test_id("finding").filter(has_text="2023-04-03")
        assert "服务时长短于项目最低时长" in finding.inner_text()
        shoot(page, "10-review")
        _submit(page, finding.get_by_role("button", name=re.compile("确认违规")))
        assert "已确认" in page.get_by_role("status").inner_text()
        _no_wider_than_the_phone(page)
        shoot(page, "11-confirmed")
    finally:
        ctx.close()
