"""Pure rules of 嘉公积金〔2022〕9号 — each test names the article it checks."""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from jiaxing.schemes.provident_fund import domain as D
from jiaxing.schemes.provident_fund.domain import month_index

from . import reference_rules
from .conftest import person

M = month_index


def test_article_8_age_boundaries_both_sides():
    """第八条（二）: 年满 18 周岁，男性不超过 60 周岁，女性不超过 50 周岁 — read with 第十六条 (D14/PF9): the
    limit is the retirement age, and an account opens only before the month it is reached."""
    on = dt.date(2023, 3, 15)
    D.check_eligibility(person(birth=dt.date(2005, 3, 15)), on)  # 18 today
    with pytest.raises(GazetteError) as e:
        D.check_eligibility(person(birth=dt.date(2005, 3, 16)), on)  # 17
    assert e.value.code == "not_eligible" and e.value.details["clause"] == "嘉公积金〔2022〕9号#第八条"
    D.check_eligibility(person(birth=dt.date(1963, 4, 1)), on)  # man, turns 60 next month
    with pytest.raises(GazetteError):
        D.check_eligibility(person(birth=dt.date(1963, 3, 31)), on)  # man, turns 60 this month: sealed at once
    D.check_eligibility(person(sex="female", birth=dt.date(1973, 4, 1)), on)  # woman, turns 50 next month
    with pytest.raises(GazetteError):
        D.check_eligibility(person(sex="female", birth=dt.date(1973, 3, 31)), on)  # woman, 50 this month
    with pytest.raises(GazetteError):
        D.check_eligibility(person(sex="female", birth=dt.date(1972, 3, 16)), on)  # woman, 50: retired


def test_article_8_and_3_other_conditions_each_reported():
    """第八条（一）（三）, 第三条: residence/income, flexible-worker pension insurance, capacity."""
    with pytest.raises(GazetteError) as e:
        D.check_eligibility(person(flexible_pension=False, stable_residence_income=False, full_capacity=False),
                            dt.date(2023, 1, 1))
    clauses = [f["clause"] for f in e.value.details["failed"]]
    assert "嘉公积金〔2022〕9号#第八条.（三）" in clauses and "嘉公积金〔2022〕9号#第八条.（一）" in clauses
    assert len(clauses) == 3


def test_article_26_not_before_in_force():
    with pytest.raises(GazetteError) as e:
        D.check_eligibility(person(), dt.date(2022, 4, 30))
    assert e.value.code == "not_in_force"


def test_article_11_base_bounds():
    """第十一条: floor = minimum monthly wage, ceiling = 3 × last year's average monthly wage."""
    b = D.BaseBounds(228_000, 800_000)
    assert D.check_base(228_000, b) == 228_000 and D.check_base(2_400_000, b) == 2_400_000
    with pytest.raises(GazetteError) as e:
        D.check_base(227_999, b)
    assert e.value.code == "base_below_minimum" and e.value.details["clause"].endswith("#第十一条")
    with pytest.raises(GazetteError) as e:
        D.check_base(2_400_001, b)
    assert e.value.code == "base_above_maximum"


@pytest.mark.parametrize("raw,bp", [("12", 1200), ("12%", 1200), ("0.12", 1200), (24, 2400), ("10.5%", 1050)])
def test_article_12_rate_parsing(raw, bp):
    assert D.parse_rate(raw) == bp


def test_article_12_rate_range_both_sides():
    """第十二条: 缴存比例在 10%-24% 自主确定."""
    assert D.check_rate(1000) == 1000 and D.check_rate(2400) == 2400
    for bad in (999, 2401):
        with pytest.raises(GazetteError) as e:
            D.check_rate(bad)
        assert e.value.code == "rate_out_of_range" and e.value.details["clause"].endswith("#第十二条")
    with pytest.raises(GazetteError):
        D.parse_rate("12.345%")
    with pytest.raises(GazetteError):
        D.parse_rate("abc")


def test_article_12_monthly_amount_rounds_half_up_to_the_yuan():
    """第十二条: 月缴存额 = 基数 × 比例, 四舍五入 (to the yuan, D15)."""
    assert D.monthly_amount(500_000, 1200) == 60_000
    assert D.monthly_amount(228_050, 1000) == 22_800  # 228.05 → 228
    assert D.monthly_amount(228_050, 1100) == 25_100  # 250.855 → 251
    assert D.monthly_amount(225_000, 1100) == 24_800  # 247.50 → 248 (half up)
    assert D.monthly_amount(224_990, 1100) == 24_700  # 247.489 → 247
    assert D.monthly_amount(225_000, 1100, unit_fen=1) == 24_750


def test_article_15_base_below_minimum_raised():
    assert D.adjusted_base(200_000, 228_000) == 228_000 and D.adjusted_base(300_000, 228_000) == 300_000


def test_article_13_settlement_year_is_july_to_june():
    """第十三条: 公积金结算年度（每年 7 月 1 日至次年 6 月 30 日）."""
    assert D.settlement_year(dt.date(2022, 6, 30)) == 2022
    assert D.settlement_year(dt.date(2022, 7, 1)) == 2023
    assert D.settlement_year(dt.date(2023, 6, 30)) == 2023
    assert D.settlement_year_last_month(dt.date(2022, 7, 1)) == M(dt.date(2023, 6, 1))
    assert D.settlement_year_last_month(dt.date(2023, 1, 9)) == M(dt.date(2023, 6, 1))


def test_article_13_prepayment_limits():
    """第十三条: 预缴期限最长不得超过当前公积金结算年度; 不得办理补缴."""
    today = dt.date(2022, 11, 3)
    start = M(dt.date(2022, 11, 1))
    assert D.prepayment_months(today, start, M(dt.date(2023, 6, 1))) == 8
    with pytest.raises(GazetteError) as e:
        D.prepayment_months(today, start, M(dt.date(2023, 7, 1)))
    assert e.value.code == "prepayment_beyond_settlement_year" and e.value.details["clause"].endswith("#第十三条")
    with pytest.raises(GazetteError) as e:
        D.prepayment_months(today, start, M(dt.date(2023, 1, 1)), from_month=M(dt.date(2022, 10, 1)))
    assert e.value.code == "back_payment_not_allowed"
    with pytest.raises(GazetteError) as e:
        D.check_not_back_payment(M(dt.date(2022, 9, 1)), start)
    assert e.value.code == "back_payment_not_allowed"
    D.check_not_back_payment(start, start)
    with pytest.raises(GazetteError) as e:
        D.prepayment_months(today, start, start - 1)
    assert e.value.code == "nothing_to_prepay"


def test_next_uncovered_month():
    assert D.next_uncovered_month(100, None, None) == 100
    assert D.next_uncovered_month(100, 104, None) == 105
    assert D.next_uncovered_month(100, 104, 108) == 109


def test_article_16_no_stop_with_loan():
    """第十六条: 贷款尚未还清的，不允许停缴."""
    D.check_can_stop(False)
    with pytest.raises(GazetteError) as e:
        D.check_can_stop(True)
    assert e.value.code == "loan_outstanding" and http_status(e.value) == 409


def test_article_16_retirement_month():
    """第十六条: 达到法定退休年龄 → 封存; the birthday month is the last due month (PF9)."""
    assert D.retirement_month(dt.date(1962, 8, 20), "male") == M(dt.date(2022, 8, 1))
    assert D.retirement_month(dt.date(1972, 8, 20), "female") == M(dt.date(2022, 8, 1))


def test_article_17_reminder_then_seal():
    """第十七条: 连续欠缴三个月的，经催收无效后可封存."""
    m = 1000
    assert reference_rules.unpaid_streak(m, m - 1, 900) == 1
    assert reference_rules.unpaid_streak(m, m - 3, 900) == 3
    assert reference_rules.unpaid_streak(m, None, m - 1) == 2  # counts only from the first due month
    assert reference_rules.arrears_action(m, 2, None) is None
    assert reference_rules.arrears_action(m, 3, None) == "remind"
    assert reference_rules.arrears_action(m, 3, m) is None  # reminded this month: wait for the next one
    assert reference_rules.arrears_action(m + 1, 4, m) == "seal"


def test_article_20_consecutive_months_merge_and_prepaid():
    """第二十条（一）merged across transfers; （二）prepaid months count only once credited; 第十七条 restart."""
    due = 1000
    paid = {1000: True, 1001: True, 1002: True}
    assert D.consecutive_months(paid, 1002, due) == 3
    assert D.consecutive_months(paid, 1002, due, carried_months=24, carried_through=999) == 27
    assert D.consecutive_months(paid, 1002, due, carried_months=24, carried_through=997) == 3  # gap: no merge
    assert D.consecutive_months({**paid, 1001: False}, 1002, due, carried_months=24, carried_through=999) == 1
    assert D.consecutive_months({**paid, 1003: False}, 1003, due) == 0
    assert D.consecutive_months({}, None, due, carried_months=5, carried_through=999) == 5
    # after unsealing, counting restarts at the new due month (第十七条)
    assert D.consecutive_months({**paid, 1003: False, 1005: True}, 1005, 1005) == 1


def test_article_14_interest_accrual_with_rate_change():
    """第十四条: interest from the day of deposit; daily rate = annual / 360 (PF6), 四舍五入 to the fen."""
    hist = [(dt.date(2016, 2, 21), 15_000)]
    c0 = D.rate_index(dt.date(2022, 6, 5), hist)
    c1 = D.rate_index(dt.date(2022, 7, 1), hist)
    assert c1 - c0 == 26 * 15_000
    assert D.interest_fen(60_000 * (c1 - c0)) == 65  # 600 × 1.5% × 26 / 360 = 0.65
    hist2 = hist + [(dt.date(2022, 6, 20), 30_000)]
    assert D.rate_index(dt.date(2022, 7, 1), hist2) - D.rate_index(dt.date(2022, 6, 5), hist2) == \
        15 * 15_000 + 11 * 30_000
    assert D.interest_fen(D.INTEREST_DENOMINATOR // 2) == 1 and D.interest_fen(D.INTEREST_DENOMINATOR // 2 - 1) == 0


def test_months():
    assert D.month_label(D.parse_month("2023-01")) == "2023-01"
    assert D.parse_month("2023年2月") == M(dt.date(2023, 2, 1))
    assert D.month_end(M(dt.date(2024, 2, 1))) == dt.date(2024, 2, 29)
    with pytest.raises(GazetteError):
        D.parse_month("2023-13")
