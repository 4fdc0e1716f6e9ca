"""Helpers of the self-service and officials page tests: a world with the demo users, both
voucher programmes (the pack's budgets), the fund book and two enterprises; log-in and form
helpers for TestClient."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

import gazette.auth.models  # noqa: F401  (registers the auth tables)
import jiaxing.schemes.provident_fund.models  # noqa: F401  (registers the tables, so clean_db empties them)
import jiaxing.schemes.vouchers  # noqa: F401
from gazette.auth import sessions
from gazette.auth.demo import DEMO_PASSWORD, DEMO_USERS, ensure_demo_users
from gazette.store.db import get_engine, unit_of_work
from gazette.store.models import Base

DAY = dt.date(2022, 10, 8)
CITIZEN = "330402199001011230"
WORKER = "330411198806060023"
SOFTWARE = "91330400700000001B"  # the `enterprise` demo user, registered in 南湖区
NEV_DEALER = "91330411700000002C"  # an enterprise of 秀洲区
SOFTWARE_FACTS = {"software_enterprise": True, "software_revenue_yuan": {"2021": 18000000, "2022": 21000000}}

# every table a page command may write: used to prove that a refused command wrote nothing
WRITE_TABLES = ("vch_vouchers", "vch_applications", "vch_payments", "pf_accounts", "pf_movements",
                "ledger_entries", "ledger_lines", "audit_log", "idempotency_keys")


def _demo_users_intact(session) -> bool:
    from gazette.auth.users import get_by_username

    for spec in DEMO_USERS:
        u = get_by_username(session, spec["username"])
        if u is None or not u.active or any(getattr(u, k) != spec.get(k) for k in
                                            ("role", "district", "person_id", "enterprise_id")):
            return False
    return True


@pytest.fixture()
def fresh(db_url):
    """An empty database except the demo users, which are kept from test to test: creating them
    hashes seven argon2 passwords, the slowest part of a test by far."""
    with get_engine(db_url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name != "users":
                conn.execute(table.delete())
    sessions.reset_secret_cache()
    with unit_of_work() as s:
        intact = _demo_users_intact(s)
    if not intact:
        with get_engine(db_url).begin() as conn:
            conn.execute(text("DELETE FROM users"))
        with unit_of_work() as s:
            ensure_demo_users(s)
    return db_url


@pytest.fixture()
def world(fresh):
    from jiaxing.schemes.provident_fund import service as F
    from jiaxing.schemes.vouchers import enterprise as EN
    from jiaxing.schemes.vouchers import service as V

    with unit_of_work() as s:
        V.setup(s)
    with unit_of_work() as s:
        V.set_business_date(s, DAY)
    with unit_of_work() as s:
        F.setup(s, DAY)
    with unit_of_work() as s:
        EN.load_enterprises(s, [
            {"id": SOFTWARE, "name": "嘉兴示范软件有限公司", "district": "南湖区", "facts": SOFTWARE_FACTS},
            {"id": NEV_DEALER, "name": "秀洲新能源汽车销售有限公司", "district": "秀洲区", "facts": {}},
        ])
    return fresh


def client() -> TestClient:
    from gazette.api.app import create_app

    return TestClient(create_app(), raise_server_exceptions=True, follow_redirects=False)


def login(username: str) -> TestClient:
    c = client()
    r = c.get("/login", params={"next": "/me"})
    token = re.findall(r'name="csrf_token" value="([^"]+)"', r.text)[-1]
    r = c.post("/login", data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token, "next": "/me"})
    assert r.status_code == 303, r.text
    return c


def csrf_of(page: str) -> str:
    return re.findall(r'name="csrf_token" value="([^"]+)"', page)[0]


def form_of(page: str, action: str) -> dict[str, str]:
    """The hidden fields (csrf token, idempotency key, …) of the form posting to ``action``."""
    for m in re.finditer(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', page, flags=re.S):
        if html.unescape(m.group(1)) == action:
            return {html.unescape(n): html.unescape(v) for n, v in
                    re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', m.group(2))}
    raise AssertionError(f"no form posting to {action}")


def by_testid(page: str, testid: str) -> list[str]:
    """The opening tag plus content of every element carrying ``data-testid``."""
    out = []
    for m in re.finditer(rf'<(\w+)([^>]*data-testid="{testid}"[^>]*)>(.*?)</\1>', page, flags=re.S):
        out.append(m.group(2) + ">" + m.group(3))
    return out


def text_of(fragment: str) -> str:
    t = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(t)).strip()


def hrefs(fragment: str) -> list[str]:
    return [urllib.parse.unquote(html.unescape(h)) for h in re.findall(r'href="([^"]+)"', fragment)]


def counts() -> dict[str, int]:
    with unit_of_work() as s:
        return {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in WRITE_TABLES}
