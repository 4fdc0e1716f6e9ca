"""#9 journeys in a real browser, each page shot at desktop and phone width and in 长辈版 (conftest.shoot):
policy cards → the finder with an unknown answer (? 需确认, never yes) → the answer given through the
"still needed" link → the result with its chart, printed and as a PDF; an officer's confirmed approval."""

from __future__ import annotations

import re

from tests.e2e.harness import login

NEV_CLAUSE = "嘉政办发〔2022〕47号#一"


def _next_step(page) -> None:
    with page.expect_navigation():
        page.locator("#next-step").click()


def test_policy_cards_finder_unknown_answer_chart_and_print(page, shoot):
    page.goto("/policies")
    cards = page.get_by_test_id("policy-card")
    assert cards.count() >= 10
    nev = cards.filter(has_text="新能源汽车消费券")
    assert nev.get_by_test_id("policy-status").inner_text().strip()
    shoot(page, "01-policy-cards")
    with page.expect_navigation():
        nev.get_by_test_id("policy-finder").click()
    # the card opens the finder at its question, the topic already chosen, the steps counted
    assert page.locator("#finder-step").get_attribute("data-step") == "topics"
    assert page.locator('input[name=buy][value="nev"]').is_checked()
    page.locator("#f-district").select_option("南湖区")
    _next_step(page)
    assert "第 3 步，共 3 步" in page.get_by_test_id("step-count").inner_text()
    page.locator("#f-nev_price").fill("250000")
    page.locator("#f-nev_date").fill("2022-10-08")
    assert not page.locator("#f-nev_ne input:checked").count()  # nothing is pre-answered
    page.locator("#f-nev_ne").get_by_label("不确定").check()
    shoot(page, "02-finder-not-sure")
    _next_step(page)

    card = page.locator(f'article[data-rule="{NEV_CLAUSE}"]')
    assert "需确认" in card.get_by_test_id("verdict").inner_text()
    assert card.get_by_test_id("amount").count() == 0 and card.get_by_test_id("claim-link").count() == 0
    shoot(page, "03-result-unknown")
    with page.expect_navigation():
        card.get_by_test_id("answer-link").first.click()  # "还需要" links back to its question
    assert page.locator("#finder-step").get_attribute("data-step") == "nev"
    page.locator("#f-nev_ne").get_by_label("是").check()
    _next_step(page)

    card = page.locator(f'article[data-rule="{NEV_CLAUSE}"]')
    assert card.get_by_test_id("amount").inner_text() == "¥6,000.00"
    chart = card.get_by_test_id("result-chart")
    assert chart.locator("svg[role=img] title").count() == 1
    assert chart.locator("g.you").get_attribute("data-x") == "25000000"
    assert "6,000" in chart.locator("figcaption").inner_text()
    shoot(page, "04-result-chart")

    # printed: buttons and navigation gone, the chart and the answers kept
    page.emulate_media(media="print")
    assert not page.get_by_test_id("print").is_visible() and not page.locator("#back-step").is_visible()
    assert chart.is_visible()
    page.screenshot(path=str(shoot.taken[0].parent / "05-printed.png"), full_page=True)
    page.emulate_media(media="screen")
    assert page.get_by_test_id("print").is_visible()  # shown (by finder.js) on screen
    pdf = page.request.get(page.get_by_test_id("pdf-link").get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:4] == b"%PDF"


def test_officer_confirms_an_approval(page, shoot):
    page.goto("/login?next=/officials/applications")
    login(page, "admin")
    row = page.locator('tr[data-testid=application-row][data-status="under_review"]').first
    aid = row.get_attribute("data-application-id")
    with page.expect_navigation():
        row.get_by_test_id("open-approve").click()
    assert re.search(rf"/officials/applications/{aid}$", page.url)
    amount = page.get_by_test_id("app-amount").inner_text()
    assert "元" in amount and page.get_by_test_id("app-facts").count() == 1
    assert "车展备案表" in page.get_by_test_id("app-evidence").inner_text() or page.get_by_test_id("app-evidence").count()
    shoot(page, "01-application-page")
    page.get_by_test_id("approve").click()  # not confirmed: the browser keeps the form (required box)
    assert re.search(rf"/officials/applications/{aid}$", page.url)
    page.get_by_test_id("confirm-box").check()
    with page.expect_navigation():
        page.get_by_test_id("approve").click()
    assert "核定" in page.get_by_test_id("app-done").inner_text()
    assert "已核定" in page.get_by_test_id("app-status").inner_text()
    shoot(page, "02-approved")
    # on a phone the tables scroll inside their box; the page itself does not scroll sideways
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/officials/applications")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    assert page.locator(".table-wrap").first.evaluate("e => getComputedStyle(e).overflowX") == "auto"
