"""A simulated run of the care half checked to the fen against the independent reference (reference.py):
monthly settlement within the caps and shares of 嘉政发〔2022〕21号#一.（二）, the screening of every rule of
嘉政发〔2022〕21号#三.（四）.12 with planted violations all found, confirmed findings deducted from the next
settlement, payments on the ledger; re-running any month changes nothing."""

from __future__ import annotations

import pytest

from jiaxing.schemes.ltc.care import settlement as ST
from jiaxing.schemes.ltc.care import violations as VI

from . import runner
from .simulation import RULES, build


def _check(w, ref, months_run: int) -> dict:
    got = runner.books()
    want = runner.expected_books(ref)
    assert got["lines"] == want["lines"]
    assert got["deductions"] == want["deductions"]
    assert got["claims"] == want["claims"]
    assert got["balances"] == want["balances"]
    assert got["findings"] == want["findings"]
    assert got["corrections"] == want["corrections"]
    found = set(got["findings"])
    missing = [p for p in w.planted if p not in found]
    assert not missing, missing[:10]
    assert {r for _, r in w.planted} == set(RULES)
    # the simulation really exercises the caps and the deductions
    assert any(ln["cost"] > {"home": 150_000, "elderly_institution": 300_000,
                             "medical_institution": 240_000}[ln["care_type"]] for ln in got["lines"].values())
    assert got["deductions"], "confirmed findings must be deducted"
    # corrections after payment of both signs, paid or netted by a later payment, and one still waiting
    amounts = [(amount > 0, paid_in is not None) for _, _, amount, paid_in in got["corrections"]]
    assert {(True, True), (False, True), (True, False)} <= set(amounts), amounts
    return got


def _rerun_changes_nothing(months: list[str], before: dict) -> None:
    for m in months:
        assert ST.settle(m).already_completed
        assert ST.pay(m).already_completed
        assert VI.screen(m).already_completed
    assert runner.books() == before


def test_small_simulation_matches_the_reference(care):
    w = build(300, 12, "2023-01", 4, seed=3, planted_per_rule=2)
    ref = runner.run(w, 4, "2023-01")
    got = _check(w, ref, 4)
    _rerun_changes_nothing(["2023-01", "2023-02", "2023-03", "2023-04"], got)


@pytest.mark.postgres
def test_thirteen_months_ten_thousand_beneficiaries(care):
    w = build(10_000, 200, "2023-01", 13, seed=11, planted_per_rule=6)
    ref = runner.run(w, 13, "2023-01")
    got = _check(w, ref, 13)
    assert len({ln["provider_id"] for ln in got["lines"].values()}) == 200
    _rerun_changes_nothing(["2023-03", "2023-12", "2024-01"], got)
