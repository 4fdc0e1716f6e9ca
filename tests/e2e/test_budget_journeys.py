"""Budget journeys in a real browser (嘉政发〔2022〕5号): a department files an adjustment request;
the finance bureau routes it; the dashboard shows the overdue disclosure. The server runs over a
database prepared as `make run` prepares it (gazettes + `gazette demo`, which loads the 2023 demo
budget year). Every page is shot at desktop and phone width, and in 长辈版."""

from __future__ import annotations

import re

from tests.e2e.harness import login

TITLE = "课后服务临时性经费（浏览器测试）"


def test_department_files_and_finance_routes(page, shoot):
    """A department (市教育局) files a reserve-fund request for one of its units; finance accepts and
    routes it to the city government; the request then waits on the reserve list."""
    page.goto("/budget")
    assert "/login" in page.url
    login(page, "dept-edu")
    page.goto("/budget")
    assert page.url.endswith("/budget/2023/department")
    shoot(page, "01-department-page")

    form = page.get_by_test_id("file-request")
    form.locator("#unit").select_option("嘉兴市实验小学")
    form.locator("#title").fill(TITLE)
    form.locator("#kind").select_option("reserve_fund")
    form.locator("#condition").select_option("new_temporary_work")
    form.locator("#amount_yuan").fill("360000")
    form.locator("#priority_class").select_option("1")
    form.locator("#performance").select_option("良")
    form.locator("#affordability").select_option("可承受")
    form.locator("#on").fill("2023-09-04")
    shoot(page, "02-request-form")
    with page.expect_navigation():
        page.get_by_test_id("submit-request").click()
    assert "已提交" in page.get_by_test_id("request-done").inner_text()
    rid = re.search(r"done=(\d+)", page.url).group(1)
    row = page.locator(f"#req-{rid}")
    assert row.get_attribute("data-status") == "submitted" and TITLE in row.inner_text()
    shoot(page, "03-request-filed")

    page.context.clear_cookies()
    login(page, "finance")
    page.goto("/budget/2023?as_of=2023-09-05")
    row = page.locator(f"#req-{rid}")
    assert row.get_attribute("data-status") == "submitted"
    shoot(page, "04-finance-dashboard")
    with page.expect_navigation():
        row.get_by_test_id("route").click()
    row = page.locator(f"#req-{rid}")
    assert row.get_attribute("data-status") == "queued"
    assert "市财政部门审核" in row.get_by_test_id("request-status").inner_text()  # next: finance review (四.（五）.2)
    assert TITLE in page.get_by_test_id("reserve-list").inner_text()
    shoot(page, "05-routed")


def test_dashboard_shows_the_overdue_disclosure(page, shoot):
    """市卫生健康委 got its budget reply on 2023-01-31 and has not disclosed it: from 2023-02-21 the
    dashboard flags it overdue (六.（三）.3, within 20 days of the reply); on 2023-02-20 it is not."""
    login(page, "finance")
    page.goto("/budget/2023?as_of=2023-02-20")
    assert page.locator('[data-code="department_disclosure"][data-subject="市卫生健康委"]').count() == 0
    page.goto("/budget/2023?as_of=2023-02-21")
    flagged = page.locator('[data-testid="overdue"] [data-code="department_disclosure"][data-subject="市卫生健康委"]')
    assert flagged.count() == 1
    assert "嘉政发〔2022〕5号 六.（三）.3" in flagged.inner_text() or "六.（三）.3" in flagged.inner_text()
    checks = page.get_by_test_id("checks")
    assert checks.locator('[data-status="fail"]').count() == 0
    shoot(page, "01-dashboard-overdue")
    page.goto("/budget/2023")  # today: the disclosure is still overdue
    assert page.locator('[data-testid="overdue"] [data-subject="市卫生健康委"]').count() >= 1
    shoot(page, "02-dashboard-today")


def test_budget_pages_fit_a_phone_and_read_clearly(page):
    """At phone width (also in 长辈版) neither budget page scrolls sideways and every button is a
    44-px tap target; at desktop width every text reaches 4.5:1 contrast."""
    from tests.e2e import a11y
    from tests.e2e.conftest import VIEWPORTS

    problems = []
    for user, url in (("finance", "/budget/2023?as_of=2023-09-05"), ("dept-edu", "/budget/2023/department")):
        page.context.clear_cookies()
        login(page, user)
        for elder in (False, True):
            page.goto(f"/elder?on={int(elder)}&next={url}")
            page.set_viewport_size(VIEWPORTS["phone"])
            m = page.evaluate(a11y.OVERFLOW)
            if m["scrollWidth"] > m["innerWidth"]:
                problems.append(f"{url} elder={elder}: scrollWidth {m['scrollWidth']} > {m['innerWidth']}: {m['widest']}")
            problems += [f"{url}: tap target {t['text']!r} {t['height']:.1f}px"
                         for t in page.evaluate(a11y.COLLECT_TARGETS) if t["height"] < 43.5]
            page.set_viewport_size(VIEWPORTS["desktop"])
            problems += [f"{url}: contrast {a11y.text_contrast(i):.2f} {i['text']!r}"
                         for i in page.evaluate(a11y.COLLECT_TEXT) if not i["image"] and a11y.text_contrast(i) < 4.5]
    assert not problems, "\n".join(problems[:20])
