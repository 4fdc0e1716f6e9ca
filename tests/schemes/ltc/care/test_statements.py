"""The monthly settlement and the screening are set-based (嘉政发〔2022〕21号#一.（二）, #三.（四）.12): the
number of SQL statements they send does not grow with beneficiaries or visits (only with providers, by
chunk). Four times the rows, the same statement count."""

from __future__ import annotations

from sqlalchemy import event

from gazette.store.db import get_engine, unit_of_work
from gazette.store.models import Base
from jiaxing.schemes.ltc.care import settlement as ST
from jiaxing.schemes.ltc.care import violations as VI

from . import loader
from .simulation import build


def _wipe(url: str) -> None:
    with get_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _statements(url: str, people: int) -> tuple[int, int]:
    _wipe(url)
    w = build(people, 10, "2023-01", 1, seed=5, planted_per_rule=2)
    with unit_of_work() as s:
        loader.load_static(s, w)
        loader.load_month(s, w, "2023-01")
    with unit_of_work() as s:
        ST.setup(s)
    seen: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        run = ST.settle("2023-01")
        VI.screen("2023-01")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert run.result["claims"] == 10, run.result
    return len(seen), len(w.visits)


def test_statement_count_does_not_grow_with_rows(care):
    small, visits_small = _statements(care, 150)
    big, visits_big = _statements(care, 600)
    assert visits_big > 3 * visits_small
    assert big == small, (small, big)
