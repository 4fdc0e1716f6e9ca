"""Long-term care intake in a real browser (嘉政发〔2022〕21号), over `gazette demo` data: the discovery
reminder (要我申请, 嘉政发〔2022〕21号#三.（三）.8) → the elder applies online (嘉政发〔2022〕21号#三.（三）.9) →
the assessor records the form → two experts score blind and disagree → a third expert is drawn and scores
(双盲, 嘉政发〔2022〕21号#一.（二）) → the decision, shown to the elder with its reasons; the officer's 驾驶舱
(嘉政发〔2022〕21号#三.（四）.11). Every page is shot at desktop and phone width and in 长辈版."""

from __future__ import annotations

import re

from jiaxing.schemes.ltc.intake_demo import items
from tests.e2e.harness import login

EXPERTS = ("ltc-expert-1", "ltc-expert-2", "ltc-expert-3", "ltc-expert-4")


def _as(page, user: str, url: str) -> None:
    page.context.clear_cookies()
    page.goto(f"/login?next={url}")
    login(page, user)
    page.goto(url)


def _fill(scope, values: dict[str, int]) -> None:
    for code, v in values.items():
        scope.locator(f"input[name=item_{code}]").fill(str(v))


def _score_if_mine(page, app_id: str, values: dict[str, int], scored: list[str], user: str) -> bool:
    _as(page, user, "/ltc/expert")
    card = page.get_by_test_id(f"ltc-review-{app_id}")
    if card.count() == 0:
        return False
    # blind: the other seats show only whether they scored, never who or what
    others = card.inner_text()
    assert not any(s in others for s in scored) and "总分" not in others
    _fill(card, values)
    with page.expect_navigation():
        card.get_by_role("button", name=re.compile("提交评分")).click()
    assert page.get_by_test_id("ltc-done").is_visible()
    scored.append(user)
    return True


def test_reminder_application_assessment_decision(page, shoot):
    _as(page, "ltc-elder", "/ltc/me")
    reminder = page.get_by_test_id("ltc-reminder")
    assert "您可能符合长期护理保险待遇条件" in reminder.inner_text() and "脑梗死" in reminder.inner_text()
    shoot(page, "01-reminder")
    with page.expect_navigation():
        page.get_by_test_id("ltc-apply-self").get_by_role("button").click()
    assert page.get_by_test_id("ltc-done").is_visible()
    assert "已受理" in page.get_by_test_id("ltc-status").first.inner_text()
    app_id = re.search(r"编号 (\d+)", page.get_by_test_id("ltc-application").first.inner_text())[1]
    assert page.get_by_test_id("ltc-reminder").count() == 0  # applied: no more reminder
    shoot(page, "02-applied")

    _as(page, "ltc-assessor", "/ltc/assessor")
    form = page.get_by_test_id(f"ltc-collect-{app_id}")
    _fill(form, items(20))
    with page.expect_navigation():
        form.get_by_role("button").click()
    assert page.get_by_test_id("ltc-done").is_visible()
    shoot(page, "03-assessor")

    scored: list[str] = []
    first = next(u for u in EXPERTS if _score_if_mine(page, app_id, items(10), scored, u))
    shoot(page, "04-expert")
    second = next(u for u in EXPERTS if u != first and _score_if_mine(page, app_id, items(40), scored, u))
    # 30 points apart (tolerance 10): a third expert is drawn, who sees neither score
    third = next(u for u in EXPERTS if u not in (first, second) and _score_if_mine(page, app_id, items(25), scored, u))
    assert len({first, second, third}) == 3

    _as(page, "ltc-elder", "/ltc/me")
    card = page.get_by_test_id("ltc-application").first
    assert page.get_by_test_id("ltc-grade").first.inner_text().startswith("重度失能二级")  # median 25
    assert "第三位专家" in card.inner_text()
    shoot(page, "05-decision")

    _as(page, "ltc-officer", "/ltc/desk")
    assert "驾驶舱" in page.content() and page.locator("svg").count() >= 3
    assert app_id in page.get_by_test_id("ltc-applications").inner_text()
    shoot(page, "06-desk")
