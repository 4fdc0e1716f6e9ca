"""The settlement reads the limits and shares of 嘉政发〔2022〕21号#一.（二） through the policy's parameters:
every settlement figure equals the ``benefit`` rule's answer for the same person, month and cost (D16,
D-LTC-C1), on both sides of each limit; after the pilot window the month is not covered (D17)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gazette.errors import GazetteError
from gazette.rules.engine import get_engine
from jiaxing.schemes.ltc.care import params as P

RULE = "嘉政发〔2022〕21号#一.（二）"
ON = dt.date(2023, 5, 1)


def _rule_fen(care_type: str, cost_fen: int) -> int:
    sit = {"persons": {"a": {"ltc_severe_disability": True, "ltc_care_type": care_type,
                             "ltc_monthly_care_cost_yuan": f"{cost_fen // 100}.{cost_fen % 100:02d}"}}}
    [r] = [r for r in get_engine().calculate(sit, ON, explain=False, rule_ids={RULE})["results"] if r["rule"] == RULE]
    return int(r["amount_yuan"].replace(".", ""))


@settings(max_examples=20, deadline=None)
@given(cost=st.integers(min_value=0, max_value=1_000_000), care_type=st.sampled_from(
    ["elderly_institution", "medical_institution", "home"]))
def test_settlement_fund_equals_the_rule(cost, care_type):
    cap, share = P.benefit_terms(ON)[care_type]
    assert P.fund_share(cost, cap, share) == _rule_fen(care_type, cost)


def test_both_sides_of_each_limit():
    for care_type, cap in (("elderly_institution", 300_000), ("medical_institution", 240_000), ("home", 150_000)):
        c, s = P.benefit_terms(ON)[care_type]
        assert c == cap
        for cost in (cap - 1, cap, cap + 1):
            assert P.fund_share(cost, c, s) == _rule_fen(care_type, cost)


def test_after_the_pilot_window_is_not_covered():
    with pytest.raises(GazetteError) as e:
        P.benefit_terms(dt.date(2025, 1, 1))
    assert e.value.code == "not_covered"
