"""三 of 嘉人社〔2022〕60号: the 5,000 tier from 2022-09-01, 900 into the subsidy account, none for 补缴."""

from __future__ import annotations

import pytest

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.resident_pension import service, views

from .conftest import OFFICER, advance, counts, enrol

CLAUSE = "嘉人社〔2022〕60号#三"


def pay(p, year, amount, on, key):
    return service.contribute(p, year, amount, on, key=key, actor=OFFICER)


def test_5000_on_or_after_2022_09_01_earns_900_in_a_separate_account(pension):
    """嘉人社〔2022〕60号#三: "按每人每年900元给予缴费补贴，计入缴费补贴账户"."""
    p = enrol(10, receiving_from=None)
    advance("2022-09-01")
    r = pay(p, 2022, "5000", "2022-09-01", "c1")
    assert r["subsidy"] == "900.00" and r["clause"] == CLAUSE and not r["back_payment"]
    with unit_of_work() as s:
        st = views.statement(s, p)
    assert st["personal_account"] == "5000.00" and st["subsidy_account"] == "900.00"
    again = pay(p, 2022, "5000", "2022-09-01", "c1")
    assert again["replayed"] and again["subsidy"] == "900.00"


def test_back_payment_earns_no_subsidy(pension):
    """嘉人社〔2022〕60号#三: "因中断缴费而补缴的，补缴年度不享受补贴"."""
    p = enrol(11, receiving_from=None)
    advance("2023-03-01")
    r = pay(p, 2022, "5000", "2023-03-01", "c2")
    assert r["back_payment"] and r["subsidy"] == "0.00"
    with unit_of_work() as s:
        assert views.statement(s, p)["subsidy_account"] == "0.00"


def test_other_tiers_earn_no_subsidy(pension):
    p = enrol(12, receiving_from=None)
    advance("2022-10-01")
    assert pay(p, 2022, "3000", "2022-10-01", "c3")["subsidy"] == "0.00"


@pytest.mark.parametrize(("year", "amount", "on", "code"), [
    (2022, "5000", "2022-08-31", "tier_not_in_force"),  # the day before the tier exists: no 900
    (2022, "4999", "2022-10-01", "unknown_tier"),
    (2022, "5000.01", "2022-10-01", "unknown_tier"),
    (2022, "5000.001", "2022-10-01", "invalid_amount"),
    (2024, "5000", "2022-10-01", "future_year"),
    (2022, "5000", "2031-01-01", "date_in_future"),
])
def test_bad_contributions_write_nothing(pension, year, amount, on, code):
    """嘉人社〔2022〕60号#三: a 5,000 payment before 2022-09-01 is refused, as is an unknown tier."""
    p = enrol(13, receiving_from=None)
    advance("2022-10-01")
    before = counts()
    with pytest.raises(GazetteError) as e:
        pay(p, year, amount, on, "bad")
    assert e.value.code in (code, "amount_out_of_range") and counts() == before


def test_second_payment_for_a_year_refused(pension):
    p = enrol(14, receiving_from=None)
    advance("2022-10-01")
    pay(p, 2022, "5000", "2022-10-01", "k1")
    before = counts()
    with pytest.raises(GazetteError) as e:
        pay(p, 2022, "1000", "2022-10-01", "k2")
    assert e.value.code == "year_already_paid" and http_status(e.value) == 409 and counts() == before
