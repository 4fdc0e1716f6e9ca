"""Accessibility measured in the browser on every kind of page, anonymous and per role:
长辈版 text size and line height, tap targets, phone width without horizontal scrolling,
WCAG contrast of text and links (computed colours, relative-luminance formula in a11y.py),
and keyboard entry: Tab reaches the skip link first, then the search box."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

import pytest

from gazette.web.templating import ELDER_COOKIE
from tests.e2e import a11y
from tests.e2e.harness import login

MIN_ELDER_FONT_PX = 18.0
MIN_LINE_HEIGHT = 1.3
MIN_TARGET_PX = 44.0
MIN_CONTRAST = 4.5
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


def _q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


@dataclass(frozen=True)
class Target:
    name: str
    user: str | None
    path: str
    status: int = 200


NEV_RESULT = "/finder/result?" + urllib.parse.urlencode(
    {"who": "citizen", "buy": "nev", "district": "南湖区", "nev_price": "250000", "nev_date": "2022-10-08",
     "nev_district": "南湖区", "nev_ne": "1"})
SOFTWARE_RESULT = "/finder/result?" + urllib.parse.urlencode(
    {"who": "enterprise", "kinds": "software", "year": "2022", "sw_rev": "21000000", "sw_rev_prev": "18000000"})

TARGETS = [
    Target("home", None, "/"),
    Target("issue", None, "/issues/2022-10"),
    Target("document", None, f"/documents/{_q('嘉政办发〔2022〕47号')}"),
    Target("repealed-document", None, f"/documents/{_q('嘉政办发〔2019〕38号')}"),
    Target("search", None, f"/search?q={_q('消费券')}"),
    Target("personnel", None, "/personnel"),
    Target("finder", None, "/finder"),
    Target("finder-nev-result", None, NEV_RESULT),
    Target("finder-software-result", None, SOFTWARE_RESULT),
    Target("login", None, "/login"),
    Target("not-found", None, f"/documents/{_q('嘉政办发〔2099〕1号')}", 404),
    Target("citizen-vouchers", "citizen", "/me/vouchers"),
    Target("citizen-fund", "citizen", "/me/fund"),
    Target("worker-fund-open", "worker", "/me/fund"),
    Target("enterprise", "enterprise", "/me/enterprise"),
    Target("enterprise-apply", "enterprise", f"/me/enterprise?clause={_q('嘉政办发〔2022〕10号#四.（三）')}"),
    Target("officer-overview", "officer-nanhu", "/officials"),
    Target("officer-vouchers", "officer-nanhu", "/officials/vouchers"),
    Target("officer-applications", "officer-nanhu", "/officials/applications"),
    Target("officer-fund-forbidden", "officer-nanhu", "/officials/fund", 403),
    Target("admin-applications", "admin", "/officials/applications"),
    Target("admin-fund", "admin", "/officials/fund"),
    Target("auditor-overview", "auditor", "/officials"),
    # long-term care (嘉政发〔2022〕21号): the person, the public choice of provider, and the care half's work pages
    Target("ltc-person", "care-elder", "/ltc/care/me"),
    Target("ltc-providers", None, "/ltc/care/providers"),
    Target("ltc-care-plan", "care-provider", "/ltc/care/plan"),
    Target("ltc-caregiver-visits", "care-worker", "/ltc/care/visits"),
    Target("ltc-officer-month", "care-officer", "/ltc/care/month"),
]
IDS = [t.name for t in TARGETS]


@pytest.fixture(scope="module")
def storage_states(browser, live_server):
    """One login per user for the whole module (cookies reused by every page opened as that user)."""
    cache: dict[str, dict] = {}

    def state(user: str | None):
        if user is None:
            return None
        if user not in cache:
            ctx = browser.new_context(base_url=live_server)
            try:
                page = ctx.new_page()
                page.goto("/login")
                login(page, user)
                cache[user] = ctx.storage_state()
            finally:
                ctx.close()
        return cache[user]

    return state


@pytest.fixture()
def open_page(browser, live_server, storage_states):
    contexts = []

    def _open(target: Target, *, elder: bool = False, viewport: dict = DESKTOP):
        ctx = browser.new_context(base_url=live_server, viewport=viewport, storage_state=storage_states(target.user))
        contexts.append(ctx)
        if elder:
            ctx.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": live_server}])
        page = ctx.new_page()
        resp = page.goto(target.path)
        assert resp is not None and resp.status == target.status, (target, resp and resp.status)
        assert page.evaluate("document.body.classList.contains('elder')") is elder
        return page

    yield _open
    for ctx in contexts:
        ctx.close()


def _px(value: str) -> float:
    assert value.endswith("px"), f"expected a length in px, got {value!r} (line-height 'normal' is too tight)"
    return float(value[:-2])


def _typography(page) -> list[str]:
    problems = []
    for selector in ("body", "main"):
        style = page.evaluate(
            "(sel) => { const s = getComputedStyle(document.querySelector(sel));"
            " return {size: s.fontSize, line: s.lineHeight}; }", selector)
        size, line = _px(style["size"]), _px(style["line"])
        if size < MIN_ELDER_FONT_PX:
            problems.append(f"{selector} font-size {size}px < {MIN_ELDER_FONT_PX}px")
        if line < MIN_LINE_HEIGHT * size - 0.01:
            problems.append(f"{selector} line-height {line}px < {MIN_LINE_HEIGHT} × {size}px")
    return problems


def _phone(page) -> list[str]:
    problems = []
    m = page.evaluate(a11y.OVERFLOW)
    if m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"horizontal scroll at {m['innerWidth']}px: scrollWidth {m['scrollWidth']}px, "
                        f"wider than the screen: {m['widest']}")
    targets = page.evaluate(a11y.COLLECT_TARGETS)
    if not targets:
        problems.append("no buttons or navigation links found")
    problems += [f"tap target {t['tag']} {t['text']!r} is {t['height']:.1f}px high (< {MIN_TARGET_PX}px)"
                 for t in targets if t["height"] < MIN_TARGET_PX - 0.5]
    return problems


def _contrast(page) -> list[str]:
    judged = [i for i in page.evaluate(a11y.COLLECT_TEXT) if not i["image"]]
    problems = []
    if len(judged) < 5 or not any(i["tag"] == "a" for i in judged):
        problems.append(f"too little text judged ({len(judged)} elements): the measurement is broken")
    for i in judged:
        ratio = a11y.text_contrast(i)
        if ratio < MIN_CONTRAST:
            problems.append(f"contrast {ratio:.2f} < {MIN_CONTRAST}: <{i['tag']} class={i['cls']!r}> {i['text']!r} "
                            f"colour {i['color']} on {i['layers']}")
    return problems


@pytest.mark.parametrize("elder", [False, True], ids=["standard", "elder"])
@pytest.mark.parametrize("target", TARGETS, ids=IDS)
def test_page_accessibility(open_page, target, elder):
    """At phone width: no horizontal scroll, tap targets (buttons, header and nav links) ≥ 44 px high;
    at desktop width: text and links ≥ 4.5:1 contrast; in 长辈版: body text ≥ 18 px, line height ≥ 1.3."""
    page = open_page(target, elder=elder, viewport=PHONE)
    problems = _phone(page)
    if elder:
        problems += _typography(page)
    page.set_viewport_size(DESKTOP)
    problems += _contrast(page)
    if elder:
        problems += _typography(page)
    assert not problems, "\n".join(problems)


def test_elder_text_is_larger_than_standard(open_page):
    target = TARGETS[0]
    standard = _px(open_page(target).evaluate("getComputedStyle(document.body).fontSize"))
    elder = _px(open_page(target, elder=True).evaluate("getComputedStyle(document.body).fontSize"))
    assert elder >= MIN_ELDER_FONT_PX and elder > standard


KEYBOARD_TARGETS = [t for t in TARGETS if t.name in ("home", "finder", "citizen-vouchers", "officer-overview")]


@pytest.mark.parametrize("target", KEYBOARD_TARGETS, ids=[t.name for t in KEYBOARD_TARGETS])
def test_tab_reaches_skip_link_first_then_search_box(open_page, target):
    page = open_page(target)
    page.keyboard.press("Tab")
    first = page.evaluate("({cls: document.activeElement.className, href: document.activeElement.getAttribute('href')})")
    assert "skip-link" in first["cls"] and first["href"] == "#main", first
    assert page.locator(".skip-link").bounding_box()["height"] > 0  # visible when focused
    for _ in range(6):  # past the brand and the account links, before navigation and content
        page.keyboard.press("Tab")
        focused = page.evaluate("({id: document.activeElement.id, inMain: !!document.activeElement.closest('main, nav')})")
        assert not focused["inMain"], focused
        if focused["id"] == page.locator("form[role=search] input[name=q]").get_attribute("id"):
            break
    else:
        pytest.fail("Tab never reached the search box")
    # Typing and Enter search from there; the skip link, when followed, lands on the content.
    page.keyboard.type("5G")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/search" in page.url and "q=5G" in page.url
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_elder_switch_round_trip(open_page):
    """The 长辈版 switch in the header turns large text on and off and returns to the same page."""
    target = TARGETS[IDS.index("finder-nev-result")]
    page = open_page(target)
    before = page.url
    size = _px(page.evaluate("getComputedStyle(document.body).fontSize"))
    with page.expect_navigation():
        page.locator("a.elder-toggle").click()
    assert page.url == before
    assert page.evaluate("document.body.classList.contains('elder')")
    assert _px(page.evaluate("getComputedStyle(document.body).fontSize")) >= max(MIN_ELDER_FONT_PX, size + 1)
    assert page.locator("a.elder-toggle").get_attribute("aria-pressed") == "true"
    with page.expect_navigation():
        page.locator("a.elder-toggle").click()
    assert page.url == before
    assert not page.evaluate("document.body.classList.contains('elder')")
