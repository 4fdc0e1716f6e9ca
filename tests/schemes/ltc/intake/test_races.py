"""Races on PostgreSQL: one open application per person (嘉政发〔2022〕21号#三.（三）.9) holds when two desks
apply for the same person at once, and an expert's two submissions at once count once (嘉政发〔2022〕21号#一.（二）)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from gazette.errors import Conflict
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import intake_service as SV

from .conftest import pid, roster

pytestmark = pytest.mark.postgres


def _race(fns) -> list:
    out: list = [None] * len(fns)
    start = threading.Barrier(len(fns))

    def run(i):
        start.wait()
        try:
            out[i] = fns[i]()
        except Conflict as e:
            out[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_two_desks_apply_at_once_one_wins(ltc):
    roster((1, "南湖区", "resident"))
    for i in range(5):
        with unit_of_work() as s:
            s.execute(text("DELETE FROM ltc_applications"))
        out = _race([lambda k=k, i=i: SV.apply({"person_id": pid(1), "channel": "desk", "applied_on": "2023-03-01"},
                                          key=f"race-{i}-{k}", actor=f"desk-{k}") for k in range(4)])
        wins = [o for o in out if isinstance(o, dict)]
        assert len(wins) == 1 and all(isinstance(o, Conflict) and o.code == "application_open"
                                      for o in out if not isinstance(o, dict))
        with unit_of_work() as s:
            assert s.execute(text("SELECT COUNT(*) FROM ltc_applications")).scalar() == 1
