"""Real-browser end-to-end harness: a live uvicorn server over the test database, and Playwright
driving Debian's chromium (`make browser` installs it; no browser is ever downloaded).

Each e2e module gets its own server over a freshly prepared database — the shipped gazettes
ingested and `gazette demo` run — because other test modules empty the database between modules.
`shoot(page, name)` saves a full-page screenshot of the current page at desktop and phone width,
and again in 长辈版, under tests/_artifacts/screenshots/<journey>/.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from gazette.web.templating import ELDER_COOKIE
from tests.e2e.harness import ARTIFACTS, prepare_database, serve

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = ARTIFACTS / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def live_server(db_url, request) -> Iterator[str]:
    """Base URL of a uvicorn server over the test database, with the gazettes and the demo set up."""
    log = ARTIFACTS / f"server-{request.module.__name__.rsplit('.', 1)[-1]}.log"
    prepare_database(db_url, log)
    with serve(db_url, log) as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (installs Debian's chromium)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture()
def context(browser, live_server):
    ctx = browser.new_context(base_url=live_server, viewport=VIEWPORTS["desktop"], locale="zh-CN")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture()
def page(context):
    return context.new_page()


def take_screenshots(page, journey: str, name: str) -> list[Path]:
    """Full-page PNGs of the page at desktop and phone width, then in 长辈版: a GET of the same URL in a
    new tab of the same browser context with the 长辈版 cookie set for that moment only. A page that
    answered a POST (a re-rendered form) cannot be fetched again: then the current page itself is
    shot with the 长辈版 class on <body>, which is all the server would change."""
    out = SCREENSHOTS / journey
    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    page.wait_for_load_state("load")
    original = page.viewport_size

    def _both(target, suffix: str) -> None:
        for label, size in VIEWPORTS.items():
            target.set_viewport_size(size)
            path = out / f"{name}-{label}{suffix}.png"
            target.screenshot(path=str(path), full_page=True)
            saved.append(path)

    _both(page, "")
    url = page.url
    origin = "/".join(url.split("/", 3)[:3])
    context = page.context
    context.add_cookies([{"name": ELDER_COOKIE, "value": "1", "url": origin}])
    elder = context.new_page()
    try:
        resp = elder.goto(url)
        if resp is not None and resp.status == 405:  # a POST result
            page.evaluate("document.body.classList.add('elder')")
            try:
                _both(page, "-elder")
            finally:
                page.evaluate("document.body.classList.remove('elder')")
        else:
            if resp is not None and "text/html" in (resp.headers.get("content-type") or ""):
                assert elder.evaluate("document.body.classList.contains('elder')"), f"长辈版 not applied: {url}"
            _both(elder, "-elder")
    finally:
        elder.close()
        context.clear_cookies(name=ELDER_COOKIE)
        page.set_viewport_size(original)
    return saved


@pytest.fixture()
def shoot(request) -> Callable:
    """`shoot(page, name)`: screenshots for this journey (named after the test), stale ones removed first."""
    journey = request.node.name.removeprefix("test_").split("[", 1)[0]
    shutil.rmtree(SCREENSHOTS / journey, ignore_errors=True)
    taken: list[Path] = []

    def _shoot(page, name: str) -> list[Path]:
        paths = take_screenshots(page, journey, name)
        taken.extend(paths)
        return paths

    _shoot.taken = taken  # type: ignore[attr-defined]
    yield _shoot
    for path in taken:
        assert path.stat().st_size > 0, path

