"""Web sessions: cookie flags, rotation at login (no fixation), logout, expiry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from gazette.auth import sessions
from gazette.auth.models import WebSession
from gazette.ledger.clock import now
from gazette.settings import reset_settings_cache
from gazette.store.db import unit_of_work
from tests.auth.conftest import login, new_client, session_csrf


def _cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(name + "="))


def _me(client):
    return client.get("/api/v1/auth/me")


def test_login_sets_a_secure_session_cookie(client):
    r = login(client, "citizen", next_url="/me/vouchers")
    assert r.status_code == 303 and r.headers["location"] == "/me/vouchers"
    header = _cookie_header(r, sessions.SESSION_COOKIE).lower()
    assert "httponly" in header and "samesite=lax" in header and "path=/" in header
    assert "max-age=28800" in header  # 8 hours
    assert "secure" not in header  # plain http in this test
    assert _me(client).json()["username"] == "citizen"
    raw = client.cookies.get(sessions.SESSION_COOKIE)
    with unit_of_work() as s:
        row = s.get(WebSession, sessions.digest(raw))
        assert row is not None and s.get(WebSession, raw) is None  # only the hash is stored
        assert dt.timedelta(hours=7, minutes=59) < row.expires_at - row.created_at <= dt.timedelta(hours=8)


def test_cookie_is_secure_over_https_and_when_configured(users, monkeypatch):
    c = new_client(base_url="https://testserver")
    assert "secure" in _cookie_header(login(c, "citizen"), sessions.SESSION_COOKIE).lower()
    monkeypatch.setenv("GAZETTE_COOKIE_SECURE", "true")
    reset_settings_cache()
    try:
        # behind a TLS-terminating proxy the app sees http, yet every cookie is Secure
        assert "secure" in _cookie_header(new_client().get("/login"), sessions.CSRF_COOKIE).lower()
        r = new_client().post("/login", data={"username": "citizen"})
        assert r.status_code == 403  # a browser would not send the Secure CSRF cookie back over http
        c = new_client(base_url="https://testserver")
        assert "secure" in _cookie_header(login(c, "citizen"), sessions.SESSION_COOKIE).lower()
    finally:
        monkeypatch.delenv("GAZETTE_COOKIE_SECURE")
        reset_settings_cache()


def test_login_rotates_the_session_id(client):
    login(client, "citizen")
    first = client.cookies.get(sessions.SESSION_COOKIE)
    login(client, "admin")
    second = client.cookies.get(sessions.SESSION_COOKIE)
    assert first != second
    assert _me(client).json()["username"] == "admin"
    with unit_of_work() as s:
        assert s.get(WebSession, sessions.digest(first)) is None  # the old session is gone
    stale = new_client()
    stale.cookies.set(sessions.SESSION_COOKIE, first)
    assert _me(stale).status_code == 401


def test_a_planted_session_id_is_never_adopted(client):
    client.cookies.set(sessions.SESSION_COOKIE, "attacker-chosen-value", domain="testserver.local")
    assert _me(client).status_code == 401
    r = login(client, "citizen")
    assert r.status_code == 303
    assert client.cookies.get(sessions.SESSION_COOKIE) != "attacker-chosen-value"
    with unit_of_work() as s:
        assert s.get(WebSession, sessions.digest("attacker-chosen-value")) is None


def test_logout_ends_the_session(client):
    login(client, "citizen")
    raw = client.cookies.get(sessions.SESSION_COOKIE)
    r = client.post("/logout", data={"csrf_token": session_csrf(client)})
    assert r.status_code == 303
    assert "max-age=0" in _cookie_header(r, sessions.SESSION_COOKIE).lower()
    with unit_of_work() as s:
        assert s.get(WebSession, sessions.digest(raw)) is None
    replay = new_client()
    replay.cookies.set(sessions.SESSION_COOKIE, raw)
    assert _me(replay).status_code == 401
    assert replay.get("/me").status_code == 303


def test_an_expired_session_is_anonymous(client):
    login(client, "citizen")
    raw = client.cookies.get(sessions.SESSION_COOKIE)
    with unit_of_work() as s:
        s.execute(update(WebSession).where(WebSession.id == sessions.digest(raw))
                  .values(expires_at=now() - dt.timedelta(seconds=1)))
    r = _me(client)
    assert r.status_code == 401 and r.json()["details"]["reason"] == "session_expired"
    r = client.get("/me")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    with unit_of_work() as s:
        assert sessions.purge_expired(s) == 1
        assert s.scalar(select(func.count()).select_from(WebSession)) == 0


def test_deactivating_a_user_ends_their_sessions(client):
    from gazette.auth import users

    login(client, "citizen")
    with unit_of_work() as s:
        users.deactivate(s, "citizen")
    assert _me(client).status_code == 401


def test_login_redirects_only_to_local_paths(client):
    for evil in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        r = login(client, "citizen", next_url=evil)
        assert r.status_code == 303 and r.headers["location"] == "/me", evil
    r = client.get("/elder", params={"on": "1", "next": "//evil.example"})
    assert r.headers["location"] == "/"


def test_elder_switch(client):
    r = client.get("/elder", params={"on": "1", "next": "/documents/x?on=2022-10-08"})
    assert r.status_code == 303 and r.headers["location"] == "/documents/x?on=2022-10-08"
    header = _cookie_header(r, "gazette_elder").lower()
    assert "gazette_elder=1" in header and "max-age=31536000" in header and "samesite=lax" in header
    assert 'class="elder"' in client.get("/login").text
    r = client.get("/elder", params={"on": "0", "next": "/"})
    assert "max-age=0" in _cookie_header(r, "gazette_elder").lower()
    assert 'class="elder"' not in client.get("/login").text


def test_wrong_password_shows_the_page_again(client):
    r = login(client, "citizen", "wrong password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text and "wrong username or password" in r.text
    assert client.cookies.get(sessions.SESSION_COOKIE) is None
    r = login(client, "nobody-at-all", "wrong password")
    assert r.status_code == 401 and "用户名或密码错误" in r.text  # same answer: no username enumeration
