"""API tokens: create with username and password, use, revoke; expiry and deactivation."""

from __future__ import annotations

from sqlalchemy import select, update

from gazette.auth import sessions
from gazette.auth.models import ApiToken
from gazette.ledger.clock import now
from gazette.store.db import unit_of_work
from tests.auth.conftest import new_client, token_for


def test_create_use_revoke(client):
    h = token_for(client, "officer-nanhu")
    raw = h["Authorization"].split()[1]
    me = client.get("/api/v1/auth/me", headers=h).json()
    assert me == {"user_id": me["user_id"], "username": "officer-nanhu", "display_name": "南湖区工作人员",
                  "role": "district_officer", "district": "南湖区", "person_id": None, "enterprise_id": None,
                  "via": "token"}
    with unit_of_work() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == sessions.digest(raw)))
        assert row is not None and row.revoked_at is None
        assert s.scalar(select(ApiToken).where(ApiToken.token_hash == raw)) is None  # hash only
    assert client.delete("/api/v1/auth/tokens/current", headers=h).json() == {"revoked": True}
    r = client.get("/api/v1/auth/me", headers=h)
    assert r.status_code == 401 and r.json()["code"] == "authentication_required"
    assert r.json()["details"]["reason"] == "invalid_token"


def test_bad_credentials_and_malformed_headers(client):
    r = client.post("/api/v1/auth/tokens", json={"username": "admin", "password": "nope-nope"})
    assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    assert r.json()["message_zh"] and r.json()["message_en"]
    for header in ("Bearer", "Bearer gzt_unknown", "Basic YWRtaW46Z2F6ZXR0ZS1kZW1v", "bearer " + "x" * 500):
        assert client.get("/api/v1/auth/me", headers={"Authorization": header}).status_code == 401, header


def test_expired_token_and_deactivated_user(client):
    h = token_for(client, "auditor")
    with unit_of_work() as s:
        s.execute(update(ApiToken).values(expires_at=now()))
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
    h = token_for(client, "citizen")
    from gazette.auth import users

    with unit_of_work() as s:
        users.deactivate(s, "citizen")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
    r = client.post("/api/v1/auth/tokens", json={"username": "citizen", "password": "gazette-demo"})
    assert r.status_code == 401


def test_token_needs_no_csrf_header_and_is_not_a_page_login(client):
    h = token_for(client, "admin")
    c = new_client()
    assert c.post("/api/v1/vouchers/setup", headers={**h, "Idempotency-Key": "setup-1"}).status_code == 200  # bearer: no CSRF header needed
    r = c.get("/officials", headers=h)  # pages use the session cookie only
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
