"""The simulated clock 2021-01 → 2024-12 against the independent reference, to the fen (二, 一, 三)."""

from __future__ import annotations

import pytest

from gazette.store.db import unit_of_work
from jiaxing.schemes.resident_pension import bank as bank_files

from .simulation import fingerprint, run


def _check(n: int) -> None:
    ref, stats = run(n)
    got, want = fingerprint(), ref.fingerprint()
    for k in want:
        assert got[k] == want[k], k
    with unit_of_work() as s:
        rec = bank_files.reconcile(s)
    assert rec["ok"], rec
    # the scenario exercised what it claims to
    kinds = {(ln[1], ln[4]) for ln in want["lines"]}
    assert ("topup", "paid") in kinds and ("pension", "failed") in kinds or ("pension", "paid") in kinds
    assert want["recoveries"] and any(c[3] == 900_00 for c in want["contributions"])
    assert stats["people"] >= n


def test_small_simulation_matches_reference(pension):
    """嘉人社〔2022〕60号#二, #一, #三 over 48 months and 300 people, on both backends."""
    _check(300)


@pytest.mark.postgres
def test_city_simulation_matches_reference(pension):
    """嘉人社〔2022〕60号#二, #一, #三 over 48 months and 10,000 people (PostgreSQL)."""
    _check(10_000)
