"""Inputs the validators must stop before the database: each answers problem+json 422, never 5xx
(found by schemathesis; see tests/api/test_schemathesis.py)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import DataError

from gazette.api.app import create_app
from gazette.api.problems import install_problem_handlers


@pytest.fixture(scope="module")
def admin(db_url):
    from gazette.auth.testing import bearer

    client = TestClient(create_app(), raise_server_exceptions=False)
    client.headers.update(bearer())
    return client


@pytest.mark.parametrize("method, path, body", [
    ("get", "/api/v1/vouchers/9223372036854775808", None),
    ("post", "/api/v1/vouchers/9223372036854775808/cancel", None),
    ("post", "/api/v1/applications/9223372036854775808/reject", {"reason": "x"}),
    ("get", "/api/v1/applications/0", None),
    ("post", "/api/v1/fund/runs/interest/0", None),
    ("post", "/api/v1/fund/runs/interest/10000", None),
    ("get", "/api/v1/search?q=5G&year=9223372036854775808", None),
    ("post", "/me/vouchers/9223372036854775808/cancel", None),  # pages take the same ids
    ("post", "/officials/applications/9223372036854775808/approve", None),
])
def test_out_of_range_numbers_are_refused(admin, method, path, body):
    r = getattr(admin, method)(path, **({"json": body} if body else {}))
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json" and r.json()["code"] == "invalid_request"


@pytest.mark.parametrize("path", [
    "/api/v1/vouchers?person_id=%00", "/api/v1/documents/%00", "/api/v1/fund/accounts/a%00b", "/documents/%00",
])
def test_a_nul_byte_is_refused_before_any_handler(admin, path):
    r = admin.get(path)
    assert r.status_code == 422 and r.json()["code"] == "invalid_request"


def test_a_value_the_database_refuses_is_the_request_s_fault():
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/boom")
    def boom():
        raise DataError("INSERT …", {}, Exception("bigint out of range"))

    r = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert r.status_code == 422 and r.json()["code"] == "invalid_value"
