"""Every state-changing route of every scheme declares the Idempotency-Key header required (one
dependency, gazette.api.idempotency), and its absence is answered with one code."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from gazette.api.app import create_app
from gazette.api.idempotency import HEADER

STATE_CHANGING = {"post", "put", "patch", "delete"}

# Routes that change no scheme's state, or are not scheme commands, each with the reason.
NOT_COMMANDS = {
    ("post", "/api/v1/auth/tokens"): "login: issues a credential, a repeat issues another",
    ("delete", "/api/v1/auth/tokens/current"): "logout: revoking twice is revoking",
    ("post", "/api/v1/parse"): "read-only: parses the uploaded text and stores nothing",
    ("post", "/api/v1/calculate"): "read-only calculator",
    ("post", "/api/v1/match"): "read-only calculator",
    ("post", "/api/v1/airspace/check"): "read-only: is this flight prohibited, permitted or unknown",
    ("post", "/api/v1/ingest"): "the platform's corpus, not a scheme: idempotent by content (a repeat stores nothing)",
    ("post", "/api/v1/sources/versions/{version_id}/restore"): "the platform's corpus, not a scheme: restoring "
                                                                "the current version again changes nothing",
}


@pytest.fixture(scope="module")
def spec() -> dict:
    return create_app().openapi()


def _declares_required_key(operation: dict) -> bool:
    return any(p.get("in") == "header" and p.get("name") == HEADER and p.get("required")
               for p in operation.get("parameters", []))


def test_every_state_changing_route_requires_the_key(spec):
    checked, missing = [], []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method not in STATE_CHANGING or (method, path) in NOT_COMMANDS:
                continue
            checked.append((method, path))
            if not _declares_required_key(operation):
                missing.append(f"{method.upper()} {path}")
    assert not missing, f"state-changing routes without a required {HEADER} header: {missing}"
    # the walk really covered the converted schemes
    for prefix in ("/api/v1/pension/", "/api/v1/supervision/", "/api/v1/budget/", "/api/v1/airspace/", "/api/v1/fund/",
                   "/api/v1/vouchers/", "/api/v1/enterprises", "/api/v1/applications", "/api/v1/ltc/"):
        assert any(path.startswith(prefix) for _, path in checked), prefix


def test_the_exclusions_name_routes_that_exist(spec):
    for method, path in NOT_COMMANDS:
        assert method in spec["paths"].get(path, {}), f"{method.upper()} {path} is no longer a route"


def test_a_missing_key_is_answered_with_its_own_code_and_a_bad_body_first():
    from gazette.api.idempotency import KeyRequired, is_missing_key

    assert is_missing_key({"type": "missing", "loc": ("header", HEADER)})
    assert not is_missing_key({"type": "missing", "loc": ("body", "year")})
    error = KeyRequired()
    assert error.code == "idempotency_key_required" and error.field == HEADER


def test_an_empty_key_is_refused():
    from fastapi import FastAPI

    from gazette.api.idempotency import REQUIRED_KEY
    from gazette.api.problems import install_problem_handlers

    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/thing")
    def thing(idempotency_key: str = REQUIRED_KEY) -> dict:
        return {"key": idempotency_key}

    client = TestClient(app, raise_server_exceptions=False)
    assert client.post("/thing", headers={HEADER: "k1"}).json() == {"key": "k1"}
    for headers in ({}, {HEADER: "  "}):
        r = client.post("/thing", headers=headers)
        assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required", r.text
    r = client.post("/thing", headers={HEADER: "k" * 201})
    assert r.status_code == 422 and r.json()["code"] == "invalid_request" and r.json()["field"].endswith(HEADER)
