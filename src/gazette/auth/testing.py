"""Helpers for tests: create a user and a bearer token straight in the database."""

from __future__ import annotations

from typing import Any

from gazette.auth import tokens
from gazette.auth import users as users_service
from gazette.store.db import unit_of_work

TEST_PASSWORD = "test-password-1"


def ensure_user(username: str, role: str, url: str | None = None, **fields: Any) -> int:
    with unit_of_work(url) as s:
        user = users_service.get_by_username(s, username)
        if user is None:
            return users_service.create_user(s, username=username, password=TEST_PASSWORD, role=role,
                                             **fields)["id"]
        return user.id


def bearer(username: str = "test-admin", role: str = "city_admin", url: str | None = None,
           **fields: Any) -> dict[str, str]:
    """``{"Authorization": "Bearer …"}`` for a user (created with ``fields`` if missing)."""
    uid = ensure_user(username, role, url, **fields)
    with unit_of_work(url) as s:
        raw, _ = tokens.create(s, uid, "test")
    return {"Authorization": f"Bearer {raw}"}
