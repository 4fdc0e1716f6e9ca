"""The airspace pages: the public SVG map and check, the owner's page, the registry and approvals —
CSRF-checked forms, errors on the page naming the field, no inline script or style."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from gazette.api.app import create_app
from gazette.auth.testing import TEST_PASSWORD, ensure_user
from gazette.validate import example_person_id
from tests.schemes.airspace.helpers import IN_WINDOW, point_at

PERSON = example_person_id(7)
LAT, LON = point_at(100)


def _client() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False, follow_redirects=False)


def _login(username: str) -> TestClient:
    c = _client()
    r = c.get("/login")
    token = re.findall(r'name="csrf_token" value="([^"]+)"', r.text)[-1]
    r = c.post("/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token, "next": "/"})
    assert r.status_code in (302, 303), r.text
    return c


def _form_fields(html: str, action: str) -> dict[str, str]:
    form = re.search(rf'<form method="post" action="{re.escape(action)}".*?</form>', html, re.S).group(0)
    return dict(re.findall(r'<input type="hidden" name="(csrf_token|idempotency_key)" value="([^"]+)"', form))


@pytest.fixture(scope="module")
def people(module_db):
    """Logged-in clients, one per role, made once for the module (argon2 is slow on purpose)."""
    ensure_user("pg-owner", "citizen", person_id=PERSON)
    ensure_user("pg-registrar", "registrar", unit="海宁市公安局")
    ensure_user("pg-auditor", "auditor")
    return {name: _login(f"pg-{name}") for name in ("owner", "registrar", "auditor")}


def _no_inline_script(html: str) -> None:
    assert "<script" not in html.lower() or not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html, re.I)
    assert not re.search(r"\son[a-z]+\s*=", html, re.I)
    assert ' style="' not in html


def test_public_map_and_check(people):
    c = _client()
    r = c.get("/airspace")
    assert r.status_code == 200
    assert "<svg" in r.text and 'data-testid="airspace-map"' in r.text and "自2022年9月10日零时起至9月15日24时止" in r.text
    assert "近似" in r.text and "zones-table" in r.text  # the approximate line is labelled; a text alternative
    _no_inline_script(r.text)
    r = c.get("/airspace", params={"lat": LAT, "lon": LON, "at": IN_WINDOW, "object": "drone"})
    assert 'data-outcome="prohibited"' in r.text and "check-point" in r.text
    r = c.get("/airspace", params={"lat": LAT, "lon": LON, "at": IN_WINDOW, "object": "other"})
    assert 'data-outcome="unknown"' in r.text
    r = c.get("/airspace", params={"lat": 120.5, "lon": 30.4, "at": IN_WINDOW})
    assert r.status_code == 422 and "疑似填反" in r.text and "<code>lat</code>" in r.text


def test_owner_registers_then_applies(people):
    owner = people["owner"]
    page = owner.get("/airspace/me")
    assert page.status_code == 200
    _no_inline_script(page.text)
    f = _form_fields(page.text, "/airspace/me/devices")
    r = owner.post("/airspace/me/devices", data={**f, "kind": "drone", "model": "Mini 3", "serial": "PG-1",
                                                 "owner_name": "张三"})
    assert r.status_code == 303
    page = owner.get("/airspace/me?done=device")
    assert 'data-serial="PG-1"' in page.text and "待公安登记" in page.text
    # the same form again (a double submit) replays; a new form with the same serial is refused on the page
    assert owner.post("/airspace/me/devices", data={**f, "kind": "drone", "model": "Mini 3", "serial": "PG-1",
                                                    "owner_name": "张三"}).status_code == 303
    f2 = _form_fields(page.text, "/airspace/me/devices")
    r = owner.post("/airspace/me/devices", data={**f2, "kind": "drone", "model": "x", "serial": "pg-1", "owner_name": "张"})
    assert r.status_code == 409 and "序列号已登记" in r.text
    # without the CSRF token nothing happens
    assert owner.post("/airspace/me/devices", data={"kind": "drone", "model": "m", "serial": "PG-2"}).status_code == 403
    f3 = _form_fields(page.text, "/airspace/me/flights")
    r = owner.post("/airspace/me/flights", data={**f3, "notice_id": "嘉政发〔2022〕17号", "device_id": re.search(
        r'<select id="f-device" name="device_id" required><option value="(\d+)"', page.text).group(1),
        "purpose": "aerial_photography", "pilot": "张三", "start": "2022-09-12T09:00+08:00",
        "end": "2022-09-12T12:00+08:00", "lat": str(LAT), "lon": str(LON), "radius_m": "300"})
    assert r.status_code == 303, r.text


def test_registry_and_approvals_roles(people):
    assert _client().get("/airspace/registry").status_code in (302, 303)  # anonymous → login
    owner = people["owner"]
    assert owner.get("/airspace/registry").status_code == 403
    reg = people["registrar"]
    page = reg.get("/airspace/registry")
    assert page.status_code == 200
    _no_inline_script(page.text)
    f = _form_fields(page.text, "/airspace/registry/devices")
    r = reg.post("/airspace/registry/devices", data={**f, "owner_kind": "person", "owner_id": "330402199001011235",
                                                     "owner_name": "王", "kind": "drone", "model": "m", "serial": "R-1",
                                                     "co_registrars": ["气象", "体育"]})
    assert r.status_code == 422 and "<code>owner_id</code>" in r.text  # the check digit is wrong; nothing written
    r = reg.post("/airspace/registry/devices", data={**f, "owner_kind": "person", "owner_id": PERSON, "owner_name": "王",
                                                     "kind": "drone", "model": "m", "serial": "R-1",
                                                     "co_registrars": ["气象", "体育"]})
    assert r.status_code == 303
    page = reg.get("/airspace/registry")
    assert 'data-serial="R-1"' in page.text and "JXKY-" in page.text
    auditor = people["auditor"]
    view = auditor.get("/airspace/registry")
    assert view.status_code == 200 and "R-1" in view.text and "/seal" not in view.text
    assert auditor.get("/airspace/approvals").status_code == 200
    assert owner.get("/airspace/approvals").status_code == 403
