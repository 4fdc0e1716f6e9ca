"""The route matrix: every API route (from ``app.openapi()``) and every page route (from
``app.routes``) as anonymous, as the district officer of another district, and as the auditor.

Generic on purpose — a route added later is checked automatically. Only the routes listed in
PUBLIC_* may answer an anonymous caller; everything else must refuse: 401 problem+json (API) or
a redirect to /login (pages). The officer of 秀洲区 asks for 南湖区's objects: 403, or an answer
that carries nothing of another district. The auditor reads (never 401/403 on a GET of the API
or the officials' pages) and every write is 403 with nothing written.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from typing import Any

import pytest
from sqlalchemy import select, text

from gazette.auth.demo import run_demo
from gazette.store.db import get_engine, unit_of_work
from gazette.store.models import Base
from jiaxing import demo as pack_demo
from tests.auth.conftest import login, new_client, token_for, wipe

SAFE = {"GET", "HEAD", "OPTIONS"}

# Open to anyone: the gazette itself, the rules (what may I claim?), the fund quote, the login.
PUBLIC_API = {
    ("GET", p) for p in (
        "/api/v1/issues", "/api/v1/documents", "/api/v1/documents/{ident}", "/api/v1/documents/{ident}/status",
        "/api/v1/documents/{ident}/relations", "/api/v1/documents/{ident}/export", "/api/v1/status",
        "/api/v1/relations", "/api/v1/search", "/api/v1/personnel", "/api/v1/catalog", "/api/v1/tasks",
        "/api/v1/parameters", "/api/v1/parameters/{param_id}", "/api/v1/rules", "/api/v1/rules/{rule_id}",
        "/api/v1/applications/clauses", "/api/v1/fund/quote", "/api/v1/health")
} | {("POST", "/api/v1/calculate"), ("POST", "/api/v1/match"), ("POST", "/api/v1/auth/tokens")}
# Any logged-in user, auditors included: their own identity and their own token.
SELF_API = {("GET", "/api/v1/auth/me"), ("DELETE", "/api/v1/auth/tokens/current")}
PUBLIC_PAGES = {
    ("GET", p) for p in ("/", "/issues/{issue_id}", "/documents/{ident:path}", "/search", "/personnel", "/finder",
                         "/finder/result", "/finder/r/{slug}", "/finder/pdf", "/policies", "/login", "/elder")
}
# 嘉政发〔2022〕17号 (issue 16): anyone may read the control notices, see the map and check a flight.
PUBLIC_API |= {("GET", "/api/v1/airspace/notices"), ("GET", "/api/v1/airspace/notices/{notice_id}"),
               ("GET", "/api/v1/airspace/objects"), ("POST", "/api/v1/airspace/check")}
PUBLIC_PAGES |= {("GET", "/airspace")}
# 嘉政发〔2022〕21号 三.（二）.7 (issue 12): anyone choosing care may read the catalogue and the providers with their stars.
PUBLIC_API |= {("GET", "/api/v1/ltc/care/catalogue"), ("GET", "/api/v1/ltc/care/providers")}
PUBLIC_PAGES |= {("GET", "/ltc/care/providers")}
# 嘉政发〔2022〕21号 (issue 12): the care half's work pages are for their roles only — none is public, so every
# check below holds them; listed so that a page which disappears is noticed.
ROLE_PAGES = {("GET", "/ltc/care/plan"), ("POST", "/ltc/care/plan"), ("GET", "/ltc/care/visits"),
              ("POST", "/ltc/care/visits/checkin"), ("POST", "/ltc/care/visits/checkout"),
              ("POST", "/ltc/care/visits/day"), ("GET", "/ltc/care/month"), ("POST", "/ltc/care/month/settle"),
              ("POST", "/ltc/care/month/pay"), ("POST", "/ltc/care/month/screen")}
# Public forms that still need a CSRF token (without one: 403, nothing written).
CSRF_PAGES = {("POST", "/login"), ("POST", "/logout")}

OWN, OTHER = "秀洲区", "南湖区"
# Strings that only 南湖区 (or city-level) demo data carry: none may reach the 秀洲区 officer.
LEAKS = ("330402198501010010", "330402198501010029", "330402198501010037", "33042119850101001X",
         "330481198501010016", "330483198501010019", "33040219850302001X", "330402199207150025",
         "330402197811300035", "91330400700000001B", "91330402700000003E", "嘉兴示范软件", "南湖家电商贸")
AUTH_TABLES = {"users", "web_sessions", "api_tokens", "login_attempts", "login_throttle", "access_denials",
               "auth_secrets"}


def api_routes(app) -> list[tuple[str, str]]:
    spec = app.openapi()
    return sorted((m.upper(), p) for p, ops in spec["paths"].items() for m in ops
                  if m.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"})


def _flat(routes):
    """Every route, also inside included routers (FastAPI may keep them nested)."""
    for r in routes:
        contexts = getattr(r, "effective_route_contexts", None)
        if contexts is not None:
            for ctx in contexts():
                yield ctx.starlette_route if getattr(ctx, "starlette_route", None) is not None else ctx
        else:
            yield r


def page_routes(app) -> list[tuple[str, str]]:
    out = set()
    for r in _flat(app.routes):
        path, methods = getattr(r, "path", None), getattr(r, "methods", None)
        if not path or not methods or path.startswith(("/api/", "/static", "/docs")):
            continue
        out |= {(m, path) for m in methods if m in {"GET", "POST", "PUT", "PATCH", "DELETE"}}
    return sorted(out)


@pytest.fixture(scope="module")
def env(db_url):
    wipe(db_url)
    run_demo()
    from jiaxing.schemes.vouchers.models import Application, Voucher

    with unit_of_work() as s:
        ids = {
            "voucher_id": s.scalar(select(Voucher.id).where(Voucher.person_id == "330402198501010010")),
            "application_id": s.scalar(select(Application.id)
                                       .where(Application.enterprise_id == pack_demo.DEMO_ENTERPRISE)),
        }
    assert all(ids.values())
    client = new_client()
    tokens = {u: token_for(client, u) for u in ("officer-xiuzhou", "auditor", "admin")}
    return {"ids": ids, "tokens": tokens}


def fill(path: str, ids: dict[str, Any], unknown: bool = False) -> str:
    values = {
        "ident": "嘉政办发〔2022〕47号", "issue_id": "2022-10", "slug": "x", "param_id": "x", "rule_id": "x",
        "voucher_id": 999999 if unknown else ids["voucher_id"],
        "application_id": 999999 if unknown else ids["application_id"],
        "person_id": "nobody" if unknown else pack_demo.FUND_ACCOUNTS[0][0],
        "month": "2022-10", "year": "2022", "action": "approve",
    }

    def one(m: re.Match) -> str:
        return str(values.get(m.group(1), "1"))

    return re.sub(r"\{([a-z_]+)(?::[a-z]+)?\}", one, path)


def call(client, method: str, url: str, **kw):
    if method in SAFE:
        return client.request(method, url, **kw)
    if url.startswith("/api/"):
        return client.request(method, url, json={}, **kw)
    return client.request(method, url, data={}, **kw)


def snapshot() -> str:
    """A digest of every row of every scheme, ledger and corpus table (auth tables excluded)."""
    h = hashlib.sha256()
    with get_engine().connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in AUTH_TABLES:
                continue
            rows = conn.execute(text(f'SELECT * FROM "{table.name}"')).all()
            h.update(table.name.encode())
            for row in sorted(repr(tuple(row)) for row in rows):
                h.update(row.encode())
    return h.hexdigest()


def test_every_route_is_classified_and_routes_exist(env):
    from gazette.api.app import app

    apis, pages = api_routes(app), page_routes(app)
    assert ("POST", "/api/v1/vouchers/claims") in apis and ("GET", "/login") in pages
    for listed in PUBLIC_API | SELF_API:
        assert listed in apis, f"allow-listed API route no longer exists: {listed}"
    for listed in PUBLIC_PAGES | CSRF_PAGES:
        assert listed in pages, f"allow-listed page no longer exists: {listed}"
    for listed in ROLE_PAGES:
        assert listed in pages, f"listed page no longer exists: {listed}"


@pytest.mark.parametrize("unknown", [False, True], ids=["demo-ids", "unknown-ids"])
def test_anonymous_is_refused_everywhere_but_public_routes(env, unknown):
    from gazette.api.app import app

    client = new_client()
    before = snapshot()
    checked = 0
    for method, path in api_routes(app):
        url = fill(path, env["ids"], unknown)
        r = call(client, method, url)
        if (method, path) in PUBLIC_API:
            assert r.status_code not in (401, 403), (method, url, r.text)
            continue
        checked += 1
        assert r.status_code == 401, (method, url, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        body = r.json()
        assert body["code"] == "authentication_required" and body["message_zh"] and body["message_en"]
    for method, path in page_routes(app):
        url = fill(path, env["ids"], unknown)
        r = call(client, method, url)
        if (method, path) in PUBLIC_PAGES:
            assert r.status_code not in (401, 403), (method, url, r.status_code)
            assert not r.headers.get("location", "").startswith("/login"), (method, url)
            continue
        if (method, path) in CSRF_PAGES:
            assert r.status_code == 403, (method, url, r.status_code)
            continue
        checked += 1
        assert r.status_code == 303, (method, url, r.status_code, r.text[:300])
        assert r.headers["location"].startswith("/login?next="), (method, url, r.headers["location"])
    assert checked > 50
    assert snapshot() == before


def _districts(data: Any, found: list[str]) -> list[str]:
    if isinstance(data, dict):
        for k, v in data.items():
            if k == "district" and isinstance(v, str):
                found.append(v)
            _districts(v, found)
    elif isinstance(data, list):
        for v in data:
            _districts(v, found)
    return found


def _no_leak(method: str, url: str, r) -> None:
    body = r.text
    for marker in LEAKS:
        assert marker not in body, (method, url, marker)
    if r.headers.get("content-type", "").startswith("application/json"):
        assert set(_districts(r.json(), [])) <= {OWN}, (method, url, r.text[:500])
    if r.headers.get("content-type", "").startswith("text/csv"):
        rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
        for row in rows:
            for col, value in row.items():
                if col and ("district" in col.lower() or "区" in col) and value and value in pack_demo_districts():
                    assert value == OWN, (url, row)


def pack_demo_districts() -> set[str]:
    from jiaxing.schemes.vouchers.programmes import DISTRICTS

    return set(DISTRICTS)


def test_an_officer_of_another_district_is_denied_or_sees_only_their_district(env):
    from gazette.api.app import app

    api = new_client()
    h = env["tokens"]["officer-xiuzhou"]
    before = snapshot()
    allowed_reads = 0
    for method, path in api_routes(app):
        if (method, path) in PUBLIC_API or (method, path) in SELF_API:
            continue
        url = fill(path, env["ids"])
        r = call(api, method, url, headers=h)
        if method not in SAFE:
            assert r.status_code == 403 and r.json()["code"] == "forbidden", (method, url, r.status_code, r.text)
            continue
        # another district's voucher or application is answered as if it did not exist (no enumeration)
        assert r.status_code in (200, 403, 404), (method, url, r.status_code, r.text)
        if r.status_code == 404:
            assert r.json()["code"] in ("voucher_not_found", "application_not_found"), (method, url, r.text)
        if r.status_code == 200:
            allowed_reads += 1
            _no_leak(method, url, r)
    # the officer does read their own district's pools, vouchers and applications
    pools = api.get("/api/v1/vouchers/pools", headers=h).json()
    assert pools and {p["district"] for p in pools} == {OWN}
    vouchers = api.get("/api/v1/vouchers", headers=h).json()
    assert vouchers and {v["district"] for v in vouchers} == {OWN}
    assert api.get("/api/v1/vouchers", params={"district": OTHER}, headers=h).json() == []
    apps = api.get("/api/v1/applications", headers=h).json()
    assert {a["enterprise_id"] for a in apps} == {pack_demo.ENTERPRISES[1]["id"]}
    assert allowed_reads >= 4

    pages = new_client()
    assert login(pages, "officer-xiuzhou").status_code == 303
    for method, path in page_routes(app):
        if (method, path) in PUBLIC_PAGES or (method, path) in CSRF_PAGES:
            continue
        url = fill(path, env["ids"])
        r = call(pages, method, url)
        if method not in SAFE:
            assert r.status_code == 403, (method, url, r.status_code)
            continue
        if r.status_code == 303:  # e.g. /me dispatching to the officer's dashboard
            assert not r.headers["location"].startswith("/login"), (method, url)
            continue
        # another district's application page is answered as if it did not exist (no enumeration)
        assert r.status_code in (200, 403, 404), (method, url, r.status_code)
        if r.status_code == 404:
            assert path == "/officials/applications/{application_id}", (method, url)
        if r.status_code == 200:
            _no_leak(method, url, r)
    assert pages.get("/officials/vouchers").status_code == 200
    assert snapshot() == before


def test_the_auditor_reads_everything_and_changes_nothing(env):
    from gazette.api.app import app

    api = new_client()
    h = env["tokens"]["auditor"]
    before = snapshot()
    reads = 0
    for method, path in api_routes(app):
        if (method, path) in PUBLIC_API or (method, path) in SELF_API:
            continue
        url = fill(path, env["ids"])
        r = call(api, method, url, headers=h)
        if method in SAFE:
            assert r.status_code not in (401, 403), (method, url, r.status_code, r.text)
            reads += r.status_code == 200
        else:
            assert r.status_code == 403, (method, url, r.status_code, r.text)
            assert r.json()["code"] == "forbidden"
    assert reads >= 10
    # what the auditor reads is complete: every district's pools
    assert {p["district"] for p in api.get("/api/v1/vouchers/pools", headers=h).json()} >= {OWN, OTHER}

    pages = new_client()
    assert login(pages, "auditor").status_code == 303
    for method, path in page_routes(app):
        if (method, path) in PUBLIC_PAGES or (method, path) in CSRF_PAGES:
            continue
        url = fill(path, env["ids"])
        r = call(pages, method, url)
        if method in SAFE:
            assert r.status_code != 401 and not r.headers.get("location", "").startswith("/login"), (method, url)
            if path.startswith("/officials"):
                assert r.status_code == 200, (method, url, r.status_code)
        else:
            assert r.status_code == 403, (method, url, r.status_code)
    assert snapshot() == before


def test_writes_denied_even_with_a_valid_csrf_token(env):
    """The auditor's page forms are refused by role, not merely by a missing token."""
    from gazette.api.app import app

    pages = new_client()
    login(pages, "auditor")
    token = re.findall(r'name="csrf_token" value="([^"]+)"', pages.get("/officials").text)[0]
    before = snapshot()
    for method, path in page_routes(app):
        if method in SAFE or (method, path) in CSRF_PAGES:
            continue
        url = fill(path, env["ids"])
        r = pages.request(method, url, data={"csrf_token": token})
        assert r.status_code == 403, (method, url, r.status_code)
    assert snapshot() == before
    assert json.loads(json.dumps(env["ids"]))  # ids were real demo objects


@pytest.mark.parametrize("username", ["citizen", "enterprise", "admin"])
def test_every_page_form_needs_the_csrf_token(env, username):
    """Whoever may use a form, posting it without (or with a wrong) CSRF token is 403, nothing written."""
    from gazette.api.app import app

    pages = new_client()
    assert login(pages, username).status_code == 303
    before = snapshot()
    posts = [(m, p) for m, p in page_routes(app) if m not in SAFE and (m, p) not in CSRF_PAGES]
    for method, path in posts:
        url = fill(path, env["ids"])
        for data in ({}, {"csrf_token": "forged"}):
            r = pages.request(method, url, data=data)
            assert r.status_code == 403, (username, method, url, r.status_code)
    assert snapshot() == before
