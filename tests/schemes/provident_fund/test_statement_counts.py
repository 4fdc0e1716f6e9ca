"""No run does one round trip per row (issue 17): each batch run of the fund is run on the same small
scenario at two sizes, and the number of SQL statements it sends must not grow with the row count.

Counted at the engine (``before_cursor_execute``): an executemany is one call, a COPY is not seen by
SQLAlchemy at all (it is one statement whatever its rows). Both sizes fit in one chunk of the runs.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from sqlalchemy import event

from gazette.store.base import Base
from gazette.store.db import get_engine, unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.provident_fund import service

from .conftest import advance, pending, person

START = dt.date(2022, 5, 3)


@contextmanager
def counting(url: str):
    calls = []
    engine = get_engine(url)

    def count(conn, cursor, statement, parameters, context, executemany):
        calls.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield calls
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _empty(url: str) -> None:
    with get_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _statements_per_run(url: str, accounts: int) -> dict[str, int]:
    """Every run on ``accounts`` accounts: a third prepaid, a third with failed debits, one file line unknown."""
    _empty(url)
    with unit_of_work(url) as s:
        service.setup(s, START)
        rows = [(person(example_person_id(i), birth=dt.date(1990, 1, 1) + dt.timedelta(days=i)), 500_000, "12")
                for i in range(accounts)]
        service.open_accounts(s, rows)
    with unit_of_work(url) as s:
        for i in range(0, accounts, 3):
            service.prepay(s, example_person_id(i), "2022-06")
    advance(url, dt.date(2022, 6, 5))
    counts = {}
    with counting(url) as calls:
        service.monthly_collection("2022-05")
    counts["collection"] = len(calls)
    lines = [(ref, amount, "failed" if n % 3 == 1 else "ok") for n, (ref, amount) in enumerate(pending(url, "2022-05"))]
    lines.append(("2022-05-999999", 100, "ok"))
    with counting(url) as calls:
        service.import_bank_results("bank-2022-05", lines)
    counts["bank_import"] = len(calls)
    with counting(url) as calls:
        service.arrears_run("2022-05")
    counts["arrears"] = len(calls)
    advance(url, dt.date(2022, 6, 30))
    with counting(url) as calls:
        service.interest_run(2022)
    counts["interest"] = len(calls)
    with counting(url) as calls:
        service.base_floor_run(2022)
    counts["base_floor"] = len(calls)
    return counts


def test_no_run_sends_more_statements_for_more_rows(clean_db):
    small = _statements_per_run(clean_db, 6)
    large = _statements_per_run(clean_db, 60)
    assert small == large, {"6 accounts": small, "60 accounts": large}
    assert all(n < 60 for n in large.values()), large  # a fixed handful each, far below one per row
