"""Fixtures of the access-control tests: demo users (and, for the route matrix, the demo data)."""

from __future__ import annotations

import functools
import re

import pytest
from fastapi.testclient import TestClient

import jiaxing.schemes.provident_fund.models  # noqa: F401  (registers the tables, so clean_db empties them)
import jiaxing.schemes.vouchers  # noqa: F401
from gazette.auth import passwords, sessions
from gazette.auth.demo import DEMO_PASSWORD, DEMO_USERS
from gazette.auth.models import User
from gazette.ledger.clock import now
from gazette.store.db import get_engine, unit_of_work
from gazette.store.models import Base

PASSWORD = DEMO_PASSWORD


def wipe(url: str) -> None:
    with get_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    sessions.reset_secret_cache()


@functools.lru_cache(maxsize=1)
def _demo_hash() -> str:
    return passwords.hash_password(DEMO_PASSWORD)


@pytest.fixture()
def users(clean_db):
    """The demo users only (no scheme data), on an empty database. One argon2id hash is computed
    per test session and shared (``gazette demo`` itself hashes each user's password)."""
    sessions.reset_secret_cache()
    with unit_of_work() as s:
        for spec in DEMO_USERS:
            s.add(User(**{"display_name": spec["username"], **spec}, password_hash=_demo_hash(), active=True,
                       created_at=now()))
    return clean_db


def new_client(**kw) -> TestClient:
    from gazette.api.app import create_app

    return TestClient(create_app(), raise_server_exceptions=False, follow_redirects=False, **kw)


@pytest.fixture()
def client(users):
    return new_client()


def login_form(client: TestClient, next_url: str = "/me") -> str:
    """Open the login page; returns the form's CSRF token (its cookie is now in the client)."""
    r = client.get("/login", params={"next": next_url})
    assert r.status_code == 200, r.text
    # the login form is the last form on the page (the header's logout form comes first)
    return re.findall(r'name="csrf_token" value="([^"]+)"', r.text)[-1]


def login(client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/me"):
    token = login_form(client, next_url)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token,
                                       "next": next_url})


def session_csrf(client: TestClient) -> str:
    """The logged-in session's CSRF token, as a page renders it (the logout form in the header)."""
    r = client.get("/login")
    tokens = re.findall(r'name="csrf_token" value="([^"]+)"', r.text)
    # the header's logout form carries the session token; the login form carries the pre-session one
    return tokens[0]


def token_for(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/tokens", json={"username": username, "password": password})
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
