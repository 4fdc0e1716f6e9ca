"""CSRF: page forms need the session's token, the login form a signed double-submit token, and an
API call authenticated by the session cookie alone needs X-CSRF-Token on writes."""

from __future__ import annotations

from sqlalchemy import func, select

from gazette.auth import sessions
from gazette.auth.models import AccessDenial, LoginAttempt, WebSession
from gazette.store.db import unit_of_work
from tests.auth.conftest import login, login_form, new_client, session_csrf


def _count(model) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_logout_without_or_with_a_wrong_token_is_refused(client):
    login(client, "citizen")
    for data in ({}, {"csrf_token": "forged"}, {"csrf_token": login_form(client)}):
        r = client.post("/logout", data=data)
        assert r.status_code == 403 and "CSRF" in r.text and "无权访问" in r.text, data
        assert client.get("/api/v1/auth/me").status_code == 200  # still logged in: nothing happened
    assert client.post("/logout", data={"csrf_token": session_csrf(client)}).status_code == 303


def test_login_form_needs_its_double_submit_token(client):
    token = login_form(client)
    attempts, sessions_before = _count(LoginAttempt), _count(WebSession)
    body = {"username": "citizen", "password": "gazette-demo"}
    assert client.post("/login", data=body).status_code == 403  # no token
    assert client.post("/login", data={**body, "csrf_token": "x" + token}).status_code == 403  # wrong token
    other = new_client()  # a token minted for another browser: its cookie is not ours
    other_token = login_form(other)
    assert client.post("/login", data={**body, "csrf_token": other_token}).status_code == 403
    forged = new_client()  # cookie and field equal but not signed by the server
    forged.cookies.set(sessions.CSRF_COOKIE, "a.1.b")
    assert forged.post("/login", data={**body, "csrf_token": "a.1.b"}).status_code == 403
    assert _count(LoginAttempt) == attempts and _count(WebSession) == sessions_before
    r = client.post("/login", data={**body, "csrf_token": token})
    assert r.status_code == 303


def test_csrf_cookie_flags(client):
    r = client.get("/login")
    header = next(h for h in r.headers.get_list("set-cookie") if h.startswith(sessions.CSRF_COOKIE)).lower()
    assert "httponly" in header and "samesite=lax" in header


def test_api_with_session_cookie_needs_the_csrf_header(client):
    login(client, "admin")
    before = _count(AccessDenial)
    r = client.post("/api/v1/auth/tokens", json={"username": "admin", "password": "gazette-demo"})
    assert r.status_code == 201  # creating a token is not a session action
    r = client.post("/api/v1/vouchers/setup")
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    r = client.post("/api/v1/vouchers/setup", headers={"X-CSRF-Token": "wrong"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert _count(AccessDenial) == before + 2
    from jiaxing.schemes.vouchers.models import Programme

    assert _count(Programme) == 0  # nothing was set up
    r = client.post("/api/v1/vouchers/setup", headers={"X-CSRF-Token": session_csrf(client), "Idempotency-Key": "setup-1"})
    assert r.status_code == 200, r.text
    assert _count(Programme) == 2
    assert client.get("/api/v1/vouchers/pools").status_code == 200  # reads need no header
