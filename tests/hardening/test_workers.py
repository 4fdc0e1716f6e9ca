"""Slow work has a budget: a parse that runs past GAZETTE_PARSE_TIMEOUT_SECONDS is stopped and
answered 503 with Retry-After; a full pool answers 503 at once instead of queueing without bound."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from gazette.api import workers
from gazette.api.problems import http_status
from gazette.auth.testing import bearer
from gazette.settings import reset_settings_cache
from tests.conftest import GAZETTES
from tests.hardening.conftest import api


@pytest.fixture()
def tight(monkeypatch, uow):
    monkeypatch.setenv("GAZETTE_PARSE_TIMEOUT_SECONDS", "0.2")
    monkeypatch.setenv("GAZETTE_LOGIN_WORKERS", "1")
    monkeypatch.setenv("GAZETTE_WORK_QUEUE", "0")
    reset_settings_cache()
    workers.shutdown()
    yield
    monkeypatch.undo()
    reset_settings_cache()
    workers.shutdown()


def test_a_parse_past_its_budget_is_stopped(tight):
    big = (GAZETTES / "jiaxing-gazette-2022-10.txt").read_bytes() * 30
    c = api(**bearer())
    started = time.monotonic()
    r = c.post("/api/v1/parse", files={"file": ("big.txt", big, "text/plain")})
    assert r.status_code == 503 and r.json()["code"] == "parse_timeout", r.text[:300]
    assert int(r.headers["Retry-After"]) > 0
    assert time.monotonic() - started < 30  # not the parse's own duration
    small = c.post("/api/v1/parse", files={"file": ("x.txt", b"\xe5\x98\x89\xe5\x85\xb4", "text/plain")})
    assert small.status_code in (200, 503)  # the pool was rebuilt: it answers again


def test_a_full_pool_answers_503_at_once(tight):
    release = asyncio.Event()

    async def scenario():
        def slow():
            time.sleep(0.5)
            return "done"

        first = asyncio.ensure_future(workers.login(slow))
        await asyncio.sleep(0.05)
        with pytest.raises(workers.Busy) as exc:
            await workers.login(slow)
        assert http_status(exc.value) == 503 and exc.value.retry_after > 0
        assert await first == "done"
        assert await workers.login(lambda: "again") == "again"  # a slot is free again
        release.set()

    # A thread of its own: the browser tests' sync Playwright may hold an event loop in this one.
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(scenario())
        except BaseException as exc:  # re-raised below, in the test's own thread
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive()
    if errors:
        raise errors[0]
    assert release.is_set()
