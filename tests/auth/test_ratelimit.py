"""The login rate limit: 5 failures per username or 20 per address within 15 minutes → 429."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update

from gazette.auth.models import LoginAttempt
from gazette.ledger.clock import now
from gazette.store.db import unit_of_work
from tests.auth.conftest import login, new_client


def test_sixth_attempt_is_refused_with_retry_after(client):
    for _ in range(5):
        assert login(client, "citizen", "wrong password").status_code == 401
    r = login(client, "citizen", "wrong password")
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= 15 * 60
    assert "登录失败次数过多" in r.text and "too many failed logins" in r.text  # the page says why
    assert "15 分钟" in r.text or "分钟后再试" in r.text
    r = login(client, "citizen")  # even the right password waits
    assert r.status_code == 429 and client.get("/api/v1/auth/me").status_code == 401
    # another user (even from the same address) is unaffected
    assert login(client, "admin").status_code == 303
    # the API's token endpoint shares the limit
    api = new_client()
    r = api.post("/api/v1/auth/tokens", json={"username": "citizen", "password": "gazette-demo"})
    assert r.status_code == 429 and r.json()["code"] == "too_many_login_attempts" and r.headers["Retry-After"]
    assert r.headers["content-type"].startswith("application/problem+json")


def test_limit_ends_when_failures_leave_the_window(client):
    for _ in range(5):
        login(client, "citizen", "wrong password")
    assert login(client, "citizen").status_code == 429
    with unit_of_work() as s:
        s.execute(update(LoginAttempt).values(at=now() - dt.timedelta(minutes=16)))
    assert login(client, "citizen").status_code == 303


def test_a_success_resets_the_username_count(client):
    for _ in range(4):
        login(client, "citizen", "wrong password")
    assert login(client, "citizen").status_code == 303
    for _ in range(4):
        assert login(client, "citizen", "wrong password").status_code == 401
    assert login(client, "citizen").status_code == 303


def test_twenty_failures_from_one_address_block_it(client):
    for i in range(20):
        assert login(client, f"guess-{i}", "wrong password").status_code == 401
    # the guesser's own successful login neither passes nor resets the address's count
    assert login(client, "admin").status_code == 429
    r = login(client, "auditor")
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_failed_token_requests_count_too(client):
    api = new_client()
    for _ in range(5):
        r = api.post("/api/v1/auth/tokens", json={"username": "admin", "password": "wrong password"})
        assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    assert login(client, "admin").status_code == 429
