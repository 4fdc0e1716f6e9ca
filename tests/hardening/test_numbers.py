"""Numbers beyond their documented range are refused at the edge (422 problem+json), never a 500:
one validator (gazette.validate), and the rules engine never sees an out-of-range value."""

from __future__ import annotations

import pytest

from gazette import validate
from gazette.errors import InvalidInput
from tests.hardening.conftest import ENTERPRISE, api, key

CAR = {"price_yuan": "250000.00", "date": "2022-10-08", "new_energy": True}
HUGE = ["92233720368547759", 1e308, "1e400", 2**70, 2**63, "4500." + "0" * 5000, -(2**63), "NaN", "Infinity"]


def _situation(price):
    return {"persons": {"p1": {"district": "南湖区"}},
            "vehicle_purchases": {"c1": {"buyer": "p1", "price_yuan": price, "new_energy": True, "date": "2022-10-08"}}}


@pytest.fixture(scope="module")
def public(db_url):
    """/calculate and /match need no login and no data: one client for the module."""
    return api()


@pytest.mark.parametrize("price", HUGE, ids=repr)
def test_calculate_and_match_refuse_out_of_range_money(public, price):
    for path, extra in (("/api/v1/calculate", {}), ("/api/v1/match", {"entity": "p1"})):
        r = public.post(path, json={"situation": _situation(price), "on": "2022-10-08", **extra})
        assert r.status_code == 422, (path, r.status_code, r.text[:300])
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["field"] == "vehicle_purchases.c1.price_yuan"


def test_the_largest_amount_in_range_still_calculates(public):
    admin = public
    top = str(validate.MAX_SCALED // 100)  # 10^13 yuan: the documented bound, inclusive
    r = admin.post("/api/v1/calculate", json={"situation": _situation(top), "on": "2022-10-08"})
    assert r.status_code == 200, r.text
    r = admin.post("/api/v1/calculate", json={"situation": _situation(str(validate.MAX_SCALED // 100 + 1)),
                                              "on": "2022-10-08"})
    assert r.status_code == 422 and r.json()["code"] == "out_of_range"


@pytest.mark.parametrize("label", [2**70, 2**63, "1.0", 1.0, "1e3", True])
def test_an_energy_label_must_be_a_small_whole_number(public, label):
    admin = public
    sit = {"persons": {"p1": {"district": "南湖区"}},
           "appliance_purchases": {"a1": {"buyer": "p1", "price_yuan": "5000", "category": "air_conditioner",
                                          "energy_label": label, "date": "2022-10-08"}}}
    r = admin.post("/api/v1/calculate", json={"situation": sit, "on": "2022-10-08"})
    assert r.status_code == 422, r.text[:300]
    assert r.json()["field"] == "appliance_purchases.a1.energy_label"


@pytest.mark.parametrize("value", ["92233720368547759", 2**70, "1e400", 1e308])
def test_what_if_overrides_are_bounded_too(public, value):
    admin = public
    sit = _situation("250000")
    r = admin.post("/api/v1/calculate", json={"situation": sit, "on": "2022-10-08",
                                              "overrides": {"nev.voucher.tiers": [{"threshold": value, "amount": "1"}]}})
    assert r.status_code == 422, r.text[:300]


def test_redeem_refuses_out_of_range_prices(admin):
    vid = admin.post("/api/v1/vouchers/claims", headers=key("c"), json={
        "programme": "nev", "district": "南湖区", "person_id": "330402199001011230"}).json()["voucher_id"]
    for i, price in enumerate(HUGE + ["-5", "0", "100000000.01"]):
        r = admin.post(f"/api/v1/vouchers/{vid}/redeem", headers=key(f"r{i}"),
                       json={"purchase": {**CAR, "price_yuan": price}})
        assert r.status_code == 422, (price, r.text[:300])
        assert r.json()["code"] == "invalid_price" and r.json()["field"] == "purchase.price_yuan"
    ok = admin.post(f"/api/v1/vouchers/{vid}/redeem", headers=key("r2"),
                    json={"purchase": {**CAR, "price_yuan": "100000000.00"}})  # the bound itself, inclusive
    assert ok.status_code == 200, ok.text


def test_applications_refuse_out_of_range_facts(admin):
    for i, revenue in enumerate([2**63, "92233720368547759", 1e308, "1e400"]):
        r = admin.post("/api/v1/applications", headers=key(f"a{i}"), json={
            "enterprise_id": ENTERPRISE, "clause": "嘉政办发〔2022〕47号#二",
            "facts": {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": revenue}})
        assert r.status_code == 422, (revenue, r.text[:300])
        assert r.headers["content-type"].startswith("application/problem+json")


def test_validator_bounds_both_sides():
    m = validate.MAX_SCALED
    assert validate.scaled_number(m, "x", scale=0) == m
    assert validate.scaled_number(-m, "x", scale=0) == -m
    for bad in (m + 1, -m - 1, float(m) * 10, "1" * 41, "1e5", "1.", ".5", "１" * 41):
        with pytest.raises(InvalidInput):
            validate.scaled_number(bad, "x", scale=0)
    assert validate.scaled_number("１２３.４５", "x", scale=2) == 12345  # full-width digits fold
    assert validate.scaled_number(2.5e5, "x", scale=2) == 25_000_000
    assert validate.whole_number("12", "x") == 12
    for bad in ("1.0", 1.0, True, None, 2**70):
        with pytest.raises(InvalidInput):
            validate.whole_number(bad, "x")
