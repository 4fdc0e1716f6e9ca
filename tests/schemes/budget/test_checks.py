"""Compliance checks (二.（二）.3、5、6、7; 四.（六）.2): both sides of every bound, exact ratios."""

from __future__ import annotations

from fractions import Fraction

import pytest

from jiaxing.schemes.budget import params
from jiaxing.schemes.budget.checks import BudgetData, Transfer, percent, run_checks

LINES = 9_900_00  # with a reserve of r fen, expenditure = LINES + r


def _status(d: BudgetData, rule: str) -> dict:
    return next(c.json() for c in run_checks(d) if c.rule == rule)


def _year(reserve: int, lines: int = LINES, **kw) -> BudgetData:
    return BudgetData(expenditure=[("市教育局", "教育支出", lines)], revenue=[("税收", lines + reserve)],
                      reserve_fen=reserve, **kw)


# 嘉政发〔2022〕5号#二.（二）.5 — 预备费 1%–3% of expenditure (the reserve counted within expenditure)
@pytest.mark.parametrize(("lines", "reserve", "status"), [
    (10_000_00 - 99_00, 99_00, "fail"),      # 0.99%
    (10_000_00 - 100_00, 100_00, "pass"),    # 1%
    (10_000_00 - 300_00, 300_00, "pass"),    # 3%
    (10_000_00 - 301_00, 301_00, "fail"),    # 3.01%
])
def test_reserve_fund_between_1_and_3_percent(lines, reserve, status):
    c = _status(_year(reserve, lines), "reserve_fund_1_to_3_percent")
    assert c["clause"] == "嘉政发〔2022〕5号#二.（二）.5" == params.CLAUSE_RESERVE
    assert c["status"] == status and c["mark"] == ("✓" if status == "pass" else "✗")
    assert c["figures"]["expenditure"] == "10000.00"
    assert c["figures"]["ratio"] == percent(Fraction(reserve, 10_000_00))


def test_reserve_ratio_is_exact_not_float():
    # 1% minus one fen of a hundred million: a float comparison would round it to 1%
    lines = 100_000_000_00
    reserve = (lines // 99) - 1  # just below 1% of (lines + reserve)
    c = _status(_year(reserve, lines), "reserve_fund_1_to_3_percent")
    assert c["status"] == "fail"


# 嘉政发〔2022〕5号#二.（二）.6 — 周转金 ≤ 1% of total expenditure, with the city's approval recorded
@pytest.mark.parametrize(("turnover", "approval", "status"), [
    (100_00, "市政府批准", "pass"),  # 1% of 10,000.00
    (101_00, "市政府批准", "fail"),  # 1.01%
    (100_00, "", "fail"),  # within 1% but no approval on record
    (0, "", "n/a"),  # no turnover fund: nothing to approve
])
def test_turnover_fund_at_most_1_percent_and_approved(turnover, approval, status):
    d = _year(200_00, 10_000_00 - 200_00, turnover_fen=turnover, turnover_approval=approval)
    c = _status(d, "turnover_fund_at_most_1_percent")
    assert c["clause"] == "嘉政发〔2022〕5号#二.（二）.6" and c["status"] == status


# 嘉政发〔2022〕5号#二.（二）.3 — advance general ≥ 90%, special ≥ 70%; settled-on-actuals excluded
@pytest.mark.parametrize(("kind", "advance", "status"), [
    ("general", 8999, "fail"),  # 89.99%
    ("general", 9000, "pass"),  # 90%
    ("special", 6999, "fail"),  # 69.99%
    ("special", 7000, "pass"),  # 70%
])
def test_advance_transfers(kind, advance, status):
    d = _year(200_00, transfers=[Transfer("南湖区", kind, 10000_00, advance * 100)])
    c = _status(d, f"advance_{kind}_transfers")
    assert c["clause"] == "嘉政发〔2022〕5号#二.（二）.3" and c["status"] == status
    assert c["figures"]["南湖区"].endswith("%")


def test_transfers_settled_on_actuals_are_excluded_and_each_district_counts():
    d = _year(200_00, transfers=[Transfer("南湖区", "general", 100_00, 10_00, on_actuals=True),
                                 Transfer("南湖区", "general", 100_00, 95_00),
                                 Transfer("秀洲区", "general", 100_00, 80_00)])
    c = _status(d, "advance_general_transfers")
    assert c["status"] == "fail" and "秀洲区" in c["explanation_zh"] and "南湖区" not in c["explanation_zh"].split("：")[-1]
    assert c["figures"]["settled_on_actuals_excluded"] == "1"


# 嘉政发〔2022〕5号#二.（二）.7 — debt balance within the limit
@pytest.mark.parametrize(("balance", "status"), [(1000_00, "pass"), (1000_01, "fail")])
def test_debt_within_limit(balance, status):
    c = _status(_year(200_00, debt={"general": (balance, 1000_00), "special": (5_00, 5_00)}), "debt_within_limit")
    assert c["clause"] == "嘉政发〔2022〕5号#二.（二）.7" and c["status"] == status


# 嘉政发〔2022〕5号#四.（六）.2 — no deficit; a shortfall closed by the stabilisation fund
def test_no_deficit_both_sides_and_the_stabilisation_fund():
    d = BudgetData(expenditure=[("A", "x", 1000_00)], revenue=[("税收", 999_99)])
    assert _status(d, "no_deficit")["status"] == "fail"
    d.stabilisation_fen = 1
    c = _status(d, "no_deficit")
    assert c["status"] == "pass" and c["clause"] == "嘉政发〔2022〕5号#四.（六）.2" and c["figures"]["balance"] == "0.00"
