"""Fixtures of the hardening tests (issue 10): a voucher book on small pools, and API clients."""

from __future__ import annotations

import datetime as dt
import functools

import pytest
from fastapi.testclient import TestClient

import jiaxing.schemes.provident_fund.models  # noqa: F401  (registers the tables, so clean_db empties them)
import jiaxing.schemes.vouchers  # noqa: F401
from gazette.auth import sessions
from gazette.auth.testing import bearer
from gazette.store.db import unit_of_work

CITIZEN = "330402199001011230"
WORKER = "330411198806060023"
ENTERPRISE = "91330400700000001B"
SMALL = {"nev": {"南湖区": 50_000_00, "秀洲区": 20_000_00}, "appliances": {"南湖区": 10_000_00}}


@pytest.fixture()
def uow(clean_db):
    sessions.reset_secret_cache()
    return functools.partial(unit_of_work, clean_db)


@pytest.fixture()
def vdb(uow):
    from jiaxing.schemes.vouchers import service

    with uow() as s:
        service.setup(s, business_date=dt.date(2022, 9, 21), budgets=SMALL)
    with uow() as s:
        service.set_business_date(s, dt.date(2022, 10, 8))
    return uow


def api(**headers) -> TestClient:
    from gazette.api.app import create_app

    c = TestClient(create_app(), raise_server_exceptions=False, follow_redirects=False)
    c.headers.update(headers)
    return c


@pytest.fixture()
def admin(vdb):
    return api(**bearer())


@pytest.fixture()
def citizen(vdb):
    return api(**bearer("h-citizen", "citizen", person_id=CITIZEN, district="南湖区"))


@pytest.fixture()
def worker(vdb):
    return api(**bearer("h-worker", "citizen", person_id=WORKER, district="秀洲区"))


@pytest.fixture()
def enterprise(vdb):
    return api(**bearer("h-enterprise", "enterprise", enterprise_id=ENTERPRISE))


def key(k: str) -> dict[str, str]:
    return {"Idempotency-Key": k}
