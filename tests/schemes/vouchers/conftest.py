"""Fixtures for the voucher tests: a blank database with both programmes set up on small pools."""

from __future__ import annotations

import datetime as dt
import functools

import pytest

import jiaxing.schemes.vouchers  # noqa: F401  (registers the tables, so clean_db empties them)
from gazette.store.db import unit_of_work
from jiaxing.schemes.vouchers import service

SMALL = {
    "nev": {"南湖区": 50_000_00, "秀洲区": 20_000_00},
    "appliances": {"南湖区": 10_000_00, "嘉兴港区": 4_000_00},
}


@pytest.fixture()
def uow(clean_db):
    return functools.partial(unit_of_work, clean_db)


@pytest.fixture()
def vdb(uow):
    """Both programmes, small pools (see SMALL), business date 2022-10-08."""
    with uow() as s:
        service.setup(s, business_date=dt.date(2022, 9, 21), budgets=SMALL)
    with uow() as s:
        service.set_business_date(s, dt.date(2022, 10, 8))
    return uow
