"""Fixtures for the ledger tests: a fresh book per test (unique code), so tests never share money."""

from __future__ import annotations

import functools

import pytest
from ledger_helpers import STANDARD, new_book

from gazette.ledger import Ledger
from gazette.store.db import unit_of_work


@pytest.fixture()
def uow(db_url):
    return functools.partial(unit_of_work, db_url)


@pytest.fixture()
def ledger(uow) -> Ledger:
    """A book with the standard accounts and 10,000.00 yuan in the pool."""
    lg = new_book(uow, accounts=STANDARD)
    with uow() as s:
        lg.transfer(s, "pool", "budget", 1_000_000, key="fund-pool")
    return lg
