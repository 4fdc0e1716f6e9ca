"""Supervision journeys in a real browser (督查): a unit reports progress on its task, the officer's
dashboard shows it, and a late task turns overdue on its date. Every page is shot at desktop and phone
width and in 长辈版 (conftest.shoot). Demo users: unit-haiguan (嘉兴海关), supervisor (督查人员)."""

from __future__ import annotations

import urllib.parse

from tests.e2e.harness import login

TASK = "嘉政办发〔2022〕11号#三.（二）.7@1"  # 新增2个万吨级泊位 (责任单位：嘉兴海关 …), deadline 2022-12-31 (inherited)
TASK_URL = f"/supervision/tasks/{urllib.parse.quote(TASK, safe='')}"


def test_unit_reports_progress(page, shoot):
    page.goto("/supervision/unit?on=2022-10-08")
    login(page, "unit-haiguan")
    page.goto("/supervision/unit?on=2022-10-08")
    assert page.get_by_test_id("unit-tasks").is_visible()
    assert page.get_by_test_id("reminders").is_visible()
    shoot(page, "01-unit-page")
    page.goto(TASK_URL + "?on=2022-10-08")
    page.locator("#f-status").select_option("in_progress")
    page.locator("#f-percent").fill("80")
    page.locator("#f-date").fill("2022-10-08")
    page.locator("#f-evidence").fill("第二个万吨级泊位主体完工（E2E）")
    shoot(page, "02-form")
    with page.expect_navigation():
        page.get_by_role("button", name="提交 Submit").click()
    assert "已提交进展" in page.content()
    assert "第二个万吨级泊位主体完工（E2E）" in page.get_by_test_id("reports").inner_text()
    shoot(page, "03-reported")
    # a bad percent is refused with a clear message and nothing written
    page.locator("#f-percent").fill("100")
    page.locator("#f-status").select_option("blocked")
    page.locator("#f-date").fill("2022-01-01")
    with page.expect_navigation():
        page.get_by_role("button", name="提交 Submit").click()
    assert "早于任务产生之日" in page.content() and "未作任何更改" in page.content()
    shoot(page, "04-refused")


def test_officer_dashboard_shows_the_report(page, shoot):
    page.goto("/supervision?on=2022-10-08")
    login(page, "supervisor")
    page.goto("/supervision?on=2022-10-08&quarter=2022Q3")
    assert page.get_by_test_id("status-counts").is_visible()
    assert page.locator("svg .bar").count() > 0
    assert page.get_by_test_id("lights-by-district").is_visible()
    shoot(page, "01-dashboard")
    page.goto("/supervision/unit?unit=" + urllib.parse.quote("嘉兴海关") + "&on=2022-10-08")
    row = page.locator(f'[data-task="{TASK}"]')
    assert "%" in row.inner_text()  # the demo's (or the journey's) report shows as progress
    page.goto(TASK_URL + "?on=2022-10-08")
    assert "嘉兴海关" in page.get_by_test_id("reports").inner_text()
    shoot(page, "02-task")
    page.goto("/supervision/projects/DEMO-001")
    assert "在建库" in page.get_by_test_id("history").inner_text()
    shoot(page, "03-project")


def test_late_task_turns_overdue_on_its_date(page, shoot):
    page.goto(TASK_URL + "?on=2022-12-31")
    login(page, "supervisor")
    page.goto(TASK_URL + "?on=2022-12-31")
    assert "已逾期" not in page.get_by_test_id("task-status").inner_text()
    shoot(page, "01-on-the-deadline")
    page.goto(TASK_URL + "?on=2023-01-01")
    assert "已逾期" in page.get_by_test_id("task-status").inner_text()
    page.goto("/supervision?on=2023-01-01")
    assert TASK.split("@")[0] in page.get_by_test_id("overdue").inner_text() or \
        page.get_by_test_id("overdue").locator("a").count() > 0
    shoot(page, "02-overdue")
