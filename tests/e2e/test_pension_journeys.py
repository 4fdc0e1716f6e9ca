"""Resident pension journeys in a real browser (嘉人社〔2022〕60号), over `gazette demo` data:
the pensioner sees the 240-yuan top-up on their statement; an officer proposes the 2023 standard,
an approver approves it (市政府同意), and the payroll of January 2023 pays it. Every page visited is
shot at desktop and phone width and in 长辈版."""

from __future__ import annotations

import re

from tests.e2e.harness import login


def _logout(page) -> None:
    page.context.clear_cookies()


def test_pensioner_sees_the_top_up(page, shoot):
    """嘉人社〔2022〕60号#二: eight months paid at 290, topped up by 30 each once 60号 was signed."""
    page.goto("/login?next=/pension/me")
    login(page, "pensioner")
    page.goto("/pension/me")
    assert page.get_by_test_id("pension-topup-total").inner_text().strip() == "240.00 元"
    assert "8 个月" in page.get_by_test_id("pension-topups").inner_text()
    assert "320.00" in page.get_by_test_id("pension-next").inner_text()
    shoot(page, "01-statement")


def test_officer_proposes_approver_approves_payroll_uses_it(page, shoot):
    """嘉人社〔2022〕60号#一: proposal from the income growth → submitted → approved → the January payroll."""
    page.goto("/login?next=/officials/pension")
    login(page, "pension-officer")
    page.goto("/officials/pension")
    form = page.get_by_test_id("pension-propose-form")
    form.get_by_label("调整年度").fill("2023")
    form.get_by_label(re.compile("农村居民人均可支配收入")).fill("47000")
    form.get_by_label("增长比例").fill("7.8%")
    shoot(page, "01-desk")
    with page.expect_navigation():
        form.get_by_role("button", name=re.compile("测算")).click()
    row = page.get_by_test_id("adjustment-2023")
    assert "350.00" in row.inner_text() and "草稿" in row.inner_text()
    with page.expect_navigation():
        page.get_by_test_id("pension-submit-2023").click()
    assert "已报送" in page.get_by_test_id("adjustment-2023").inner_text()
    shoot(page, "02-submitted")
    _logout(page)

    page.goto("/login?next=/officials/pension")
    login(page, "approver")
    page.goto("/officials/pension")
    with page.expect_navigation():
        page.get_by_test_id("pension-approve-2023").click()
    assert "已批准" in page.get_by_test_id("adjustment-2023").inner_text()
    assert "市政府同意：approver" in page.get_by_test_id("pension-standards").inner_text()
    shoot(page, "03-approved")
    _logout(page)

    page.goto("/login?next=/officials/pension")
    login(page, "pension-officer")
    page.goto("/officials/pension")
    page.locator("#adv-date").fill("2023-01-15")
    with page.expect_navigation():
        page.locator("#adv-date").press("Enter")
    page.locator("#pay-month").fill("2023-01")
    with page.expect_navigation():
        page.get_by_test_id("pension-run-payroll").click()
    table = page.get_by_test_id("pension-dashboard").inner_text()
    assert re.search(r"2023-01\s+南湖区\s+2\s+700\.00", table), table  # two pensioners in 南湖区 at 350
    shoot(page, "04-paid")
