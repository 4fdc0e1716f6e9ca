"""#9 on the self-service pages: after a claim the page says what the person holds (not the claim button
again), the amount agrees with the finder, the redeem form keeps the finder's price, the fund form
assumes nothing, and support codes stay inside a details element."""

from __future__ import annotations

import re
import urllib.parse

from tests.web import _selfsvc
from tests.web._selfsvc import by_testid, form_of, login, text_of

fresh = _selfsvc.fresh  # fixtures
world = _selfsvc.world

FINDER_LINK = "/me/vouchers?" + urllib.parse.urlencode(
    {"programme": "nev", "district": "南湖区", "price": "250000.00", "date": "2022-10-08"})


def test_claim_from_the_finder_keeps_its_amount_and_price(world):
    c = login("citizen")
    page = c.get(FINDER_LINK).text
    assert "6,000.00 元" in text_of(by_testid(page, "expected-face")[0])  # the finder's amount, before claiming
    hidden = form_of(page, "/me/vouchers/claim")
    assert hidden["price"] == "250000.00" and hidden["date"] == "2022-10-08"
    r = c.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "南湖区"})
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    done = text_of(by_testid(page, "voucher-done")[0])
    assert "您现在持有" in done and "6,000.00 元" in done and "与计算器结果一致" in done
    # what the person holds, not the same claim button again
    assert "您已持有" in text_of(by_testid(page, "vouchers-held")[0])
    claim_forms = by_testid(page, "voucher-claim-form")
    assert not claim_forms or 'value="nev"' not in claim_forms[0]
    # the redeem form keeps the finder's price and date; the new-energy declaration is not pre-ticked
    redeem = by_testid(page, "voucher-redeem-form")[0]
    assert 'name="price_yuan" inputmode="decimal" required value="250000.00"' in redeem
    assert 'value="2022-10-08"' in redeem
    assert not re.search(r'name="new_energy"[^>]*checked', redeem)


def test_fund_form_takes_base_and_rate_from_the_finder_only(world):
    c = login("worker")
    page = c.get("/me/fund?base=5000&rate=12").text
    assert 'name="base" inputmode="decimal" required value="5000"' in page
    assert 'name="rate" inputmode="decimal" required value="12"' in page
    plain = c.get("/me/fund").text
    assert 'name="rate" inputmode="decimal" required value=""' in plain  # no rate is assumed
    body = {**form_of(plain, "/me/fund/open"), "name": "", "sex": "female", "birth_date": "1988-06-06",
            "base": "5000", "rate": "12"}
    r = c.post("/me/fund/open", data=body)
    assert r.status_code == 422 and "请填写姓名" in r.text  # no display name slipped in as the legal name


def test_error_codes_only_for_support_staff(world):
    c = login("citizen")
    page = c.get("/me/vouchers").text
    hidden = form_of(page, "/me/vouchers/claim")
    r = c.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "火星区"})
    assert r.status_code >= 400
    box = re.search(r'<div class="notice error".*?</div>\s*</div>|<div class="notice error".*?</details>', r.text, re.S)
    visible = re.sub(r"<details.*?</details>", "", box.group(0), flags=re.S)
    assert "<code>" not in visible and "<code>" in box.group(0)


def test_a_worker_with_a_fund_account_lands_on_the_fund_page(world):
    c = login("worker")
    assert c.get("/me", follow_redirects=False).headers["location"] == "/me/vouchers"  # nothing yet
    page = c.get("/me/fund").text
    body = {**form_of(page, "/me/fund/open"), "name": "李四", "sex": "female", "birth_date": "1988-06-06",
            "flexible_pension": "on", "stable_residence_income": "on", "full_capacity": "on", "base": "5000",
            "rate": "12"}
    assert c.post("/me/fund/open", data=body).status_code == 303
    assert c.get("/me", follow_redirects=False).headers["location"] == "/me/fund"
