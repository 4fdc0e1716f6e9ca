"""The login rate limit (docs/security.md): per (username, address) 5 failures within 15 minutes,
then a growing wait (1, 2, … 15 minutes) — the same user from another address is not affected; per
address 20 failures (any usernames). Check and count are one atomic statement (see
tests/hardening/test_login_limits.py for 100 parallel attempts on PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import update

from gazette.auth.models import LoginThrottle
from gazette.store.db import unit_of_work
from tests.auth.conftest import login, new_client


def test_sixth_attempt_waits_but_another_address_logs_in(client):
    for _ in range(5):
        assert login(client, "citizen", "wrong password").status_code == 401
    r = login(client, "citizen", "wrong password")
    assert r.status_code == 429
    assert 0 < int(r.headers["Retry-After"]) <= 60  # a slow-down, not a 15-minute lock-out
    assert "登录失败次数过多" in r.text and "too many failed logins" in r.text  # the page says why
    assert "分钟后再试" in r.text
    r = login(client, "citizen")  # even the right password waits, from this address
    assert r.status_code == 429 and client.get("/api/v1/auth/me").status_code == 401
    # another user (even from the same address) is unaffected
    assert login(client, "admin").status_code == 303
    # the real user from another address still logs in
    elsewhere = new_client(client=("198.51.100.7", 40000))
    assert login(elsewhere, "citizen").status_code == 303
    # the API's token endpoint shares the limit (same address)
    api = new_client()
    r = api.post("/api/v1/auth/tokens", json={"username": "citizen", "password": "gazette-demo"})
    assert r.status_code == 429 and r.json()["code"] == "too_many_login_attempts" and r.headers["Retry-After"]
    assert r.headers["content-type"].startswith("application/problem+json")


def test_the_wait_ends_and_then_grows(client):
    for _ in range(5):
        login(client, "citizen", "wrong password")
    assert login(client, "citizen").status_code == 429
    with unit_of_work() as s:  # the minute has passed
        s.execute(update(LoginThrottle).values(blocked_until=LoginThrottle.blocked_until - 61,
                                               updated=LoginThrottle.updated - 61))
    assert login(client, "citizen", "wrong password").status_code == 401  # one more try is allowed …
    r = login(client, "citizen")
    assert r.status_code == 429 and 60 < int(r.headers["Retry-After"]) <= 120  # … and the next wait is longer
    with unit_of_work() as s:  # the window (15 minutes) has passed: a fresh start
        s.execute(update(LoginThrottle).values(blocked_until=0, updated=LoginThrottle.updated - 16 * 60))
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
    assert login(new_client(client=("198.51.100.8", 40000)), "auditor").status_code == 303


def test_failed_token_requests_count_too(client):
    api = new_client()
    for _ in range(5):
        r = api.post("/api/v1/auth/tokens", json={"username": "admin", "password": "wrong password"})
        assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
        assert r.headers["WWW-Authenticate"].startswith("Bearer")
    assert login(client, "admin").status_code == 429


def test_attempts_are_visible_to_an_administrator(client):
    login(client, "citizen", "wrong password")
    login(new_client(client=("198.51.100.9", 40000)), "citizen")
    api = new_client()
    token = api.post("/api/v1/auth/tokens", json={"username": "admin", "password": "gazette-demo"}).json()["token"]
    seen = api.get("/api/v1/auth/login-attempts", params={"username": "citizen"},
                   headers={"Authorization": f"Bearer {token}"}).json()
    assert [(a["ip"], a["ok"]) for a in seen["attempts"]] == [("198.51.100.9", True), ("testclient", False)]
    assert [t["key"] for t in seen["throttles"]] == ["u:citizen|testclient"]
    citizen = api.post("/api/v1/auth/tokens", json={"username": "citizen", "password": "gazette-demo"},
                       ).json()
    assert citizen.get("token")
    r = api.get("/api/v1/auth/login-attempts", headers={"Authorization": f"Bearer {citizen['token']}"})
    assert r.status_code == 403
