"""Self-service pages under /me, through the real app (TestClient), on SQLite and PostgreSQL:
a citizen claims and redeems a voucher (CSRF required, a double submit replays), errors are shown
in both languages and write nothing, an enterprise confirms a 免申即享 offer and applies through a
form built from the rule's inputs, a flexible worker opens a fund account and sees the monthly
amount."""

from __future__ import annotations

import re

from tests.web import _selfsvc
from tests.web._selfsvc import (
    CITIZEN,
    SOFTWARE,
    WORKER,
    by_testid,
    counts,
    form_of,
    hrefs,
    login,
    text_of,
)
from tests.web._selfsvc import client as anonymous

fresh = _selfsvc.fresh  # fixtures
world = _selfsvc.world


def _vouchers(person_id: str) -> list[dict]:
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.vouchers import service as V

    with unit_of_work() as s:
        return V.list_vouchers(s, person_id=person_id)


# ---------------------------------------------------------------- /me dispatch


def test_me_sends_each_role_to_its_page(world):
    assert anonymous().get("/me").headers["location"].startswith("/login?next=%2Fme")
    for user, where in (("citizen", "/me/vouchers"), ("worker", "/me/vouchers"), ("enterprise", "/me/enterprise"),
                        ("officer-nanhu", "/officials"), ("admin", "/officials"), ("auditor", "/officials")):
        assert login(user).get("/me").headers["location"] == where, user
    page = login("citizen").get("/me/vouchers").text
    assert 'href="/me/fund"' in page  # a citizen also reaches the fund page


def test_pages_refuse_other_roles(world):
    assert login("enterprise").get("/me/vouchers").status_code == 403
    assert login("citizen").get("/me/enterprise").status_code == 403
    assert login("officer-nanhu").get("/me/fund").status_code == 403
    r = anonymous().get("/me/fund")
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Fme%2Ffund"


# ---------------------------------------------------------------- vouchers


def test_citizen_claims_and_redeems_through_the_pages(world):
    c = login("citizen")
    page = c.get("/me/vouchers").text
    form = by_testid(page, "voucher-claim-form")
    assert len(form) == 1
    assert re.search(r'<option value="南湖区" selected>', form[0])  # the user's district, prefilled
    hidden = form_of(page, "/me/vouchers/claim")
    assert hidden["idempotency_key"] and hidden["csrf_token"]

    r = c.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "南湖区"})
    assert r.status_code == 303 and "done=claimed" in r.headers["location"]
    page = c.get(r.headers["location"]).text
    rows = by_testid(page, "voucher-row")
    assert len(rows) == 1 and 'data-status="claimed"' in rows[0] and "南湖区" in rows[0]
    assert "10,000.00 元" in rows[0]  # the top tier is reserved until the purchase is known
    [v] = _vouchers(CITIZEN)
    vid = v["voucher_id"]

    hidden = form_of(page, f"/me/vouchers/{vid}/redeem")
    r = c.post(f"/me/vouchers/{vid}/redeem", data={**hidden, "price_yuan": "250000", "date": "2022-10-08",
                                                   "new_energy": "on"})
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    [face] = by_testid(page, "voucher-face")
    assert "6,000.00 元" in face
    done = by_testid(page, "voucher-done")[0]
    assert "/documents/嘉政办发〔2022〕47号#嘉政办发〔2022〕47号#一" in hrefs(done)  # the amount cites its clause
    row = by_testid(page, "voucher-row")[0]
    assert 'data-status="redeemed"' in row and "6,000.00 元" in row and "嘉政办发〔2022〕47号#一" in text_of(row)
    assert _vouchers(CITIZEN)[0]["face_yuan"] == "6000.00"


def test_claim_needs_the_csrf_token_and_writes_nothing_without_it(world):
    c = login("citizen")
    page = c.get("/me/vouchers").text
    hidden = form_of(page, "/me/vouchers/claim")
    before = counts()
    r = c.post("/me/vouchers/claim", data={"idempotency_key": hidden["idempotency_key"], "programme": "nev",
                                           "district": "南湖区"})
    assert r.status_code == 403
    r = c.post("/me/vouchers/claim", data={**hidden, "csrf_token": "forged", "programme": "nev", "district": "南湖区"})
    assert r.status_code == 403
    assert counts() == before and _vouchers(CITIZEN) == []
    # another user's session token does not work either
    other = form_of(login("worker").get("/me/vouchers").text, "/me/vouchers/claim")
    r = c.post("/me/vouchers/claim", data={**hidden, "csrf_token": other["csrf_token"], "programme": "nev",
                                           "district": "南湖区"})
    assert r.status_code == 403 and counts() == before


def test_double_submit_replays_the_first_claim(world):
    c = login("citizen")
    hidden = form_of(c.get("/me/vouchers").text, "/me/vouchers/claim")
    body = {**hidden, "programme": "appliances", "district": "南湖区"}
    first = c.post("/me/vouchers/claim", data=body)
    after_first = counts()
    second = c.post("/me/vouchers/claim", data=body)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]  # the same voucher, shown again
    assert counts() == after_first  # the repeat wrote nothing
    assert len(_vouchers(CITIZEN)) == 1
    # a fresh form (new key) for the same programme is refused: one voucher per person and programme
    hidden = form_of(c.get("/me/vouchers").text, "/me/vouchers/claim")
    r = c.post("/me/vouchers/claim", data={**hidden, "programme": "appliances", "district": "南湖区"})
    assert r.status_code == 409
    assert "每人每个项目限领一张" in r.text and "one voucher per person per programme" in r.text
    assert counts() == after_first


def test_a_forged_idempotency_key_is_refused(world):
    c = login("citizen")
    hidden = form_of(c.get("/me/vouchers").text, "/me/vouchers/claim")
    before = counts()
    r = c.post("/me/vouchers/claim", data={**hidden, "idempotency_key": "web:999:claim:abc", "programme": "nev",
                                           "district": "南湖区"})
    assert r.status_code == 422 and "表单已失效" in r.text and counts() == before


def test_pool_exhausted_and_window_closed_are_explained(world):
    c = login("citizen")
    hidden = form_of(c.get("/me/vouchers").text, "/me/vouchers/claim")
    before = counts()
    # 嘉兴港区 has no NEV budget in 47号 (decision V3): its pool is empty
    r = c.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "嘉兴港区"})
    assert r.status_code == 409
    assert "嘉兴港区的消费券额度已领完" in r.text and "exhausted" in r.text and "pool_exhausted" in r.text
    assert counts() == before

    from gazette.store.db import unit_of_work
    from jiaxing.schemes.vouchers import service as V

    with unit_of_work() as s:
        V.set_business_date(s, __import__("datetime").date(2023, 1, 5))
    before = counts()
    hidden = form_of(c.get("/me/vouchers").text, "/me/vouchers/claim")
    r = c.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "南湖区"})
    assert r.status_code == 422 and "不在有效期" in r.text and "outside the window" in r.text
    assert counts() == before


def test_a_redemption_that_fails_shows_the_failed_conditions(world):
    c = login("citizen")
    hidden = form_of(c.get("/me/vouchers").text, "/me/vouchers/claim")
    c.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "南湖区"})
    [v] = _vouchers(CITIZEN)
    page = c.get("/me/vouchers").text
    hidden = form_of(page, f"/me/vouchers/{v['voucher_id']}/redeem")
    before = counts()
    # not a new-energy car (the checkbox left unticked)
    r = c.post(f"/me/vouchers/{v['voucher_id']}/redeem", data={**hidden, "price_yuan": "250000", "date": "2022-10-08"})
    assert r.status_code == 422
    alert = re.search(r'<div class="notice error".*?</div>', r.text, flags=re.S).group(0)
    assert "✗" in alert and "不符合" in alert and "not eligible" in alert
    assert re.search(r'class="cond-fail">✗', alert)  # each failed condition listed, with a text mark
    assert counts() == before and _vouchers(CITIZEN)[0]["status"] == "claimed"
    # the form keeps what was typed
    assert 'value="250000"' in r.text


def test_a_citizen_cannot_touch_someone_elses_voucher(world):
    c = login("citizen")
    hidden = form_of(c.get("/me/vouchers").text, "/me/vouchers/claim")
    c.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "南湖区"})
    [v] = _vouchers(CITIZEN)
    w = login("worker")
    page = w.get("/me/vouchers").text
    assert f'data-voucher-id="{v["voucher_id"]}"' not in page
    hidden = form_of(page, "/me/vouchers/claim")
    before = counts()
    r = w.post(f"/me/vouchers/{v['voucher_id']}/cancel",
               data={"csrf_token": hidden["csrf_token"], "idempotency_key": f"web:{_uid('worker')}:cancel{v['voucher_id']}:x"})
    assert r.status_code == 404 and counts() == before
    assert _vouchers(CITIZEN)[0]["status"] == "claimed"


def _uid(username: str) -> int:
    from gazette.auth.users import get_by_username
    from gazette.store.db import unit_of_work

    with unit_of_work() as s:
        return get_by_username(s, username).id


def test_cancel_returns_the_voucher_and_prefill_from_the_query_string(world):
    c = login("citizen")
    page = c.get("/me/vouchers", params={"district": "秀洲区", "programme": "appliances"}).text
    form = by_testid(page, "voucher-claim-form")[0]
    assert re.search(r'<option value="秀洲区" selected>', form)
    assert re.search(r'value="appliances" checked', form)
    hidden = form_of(page, "/me/vouchers/claim")
    c.post("/me/vouchers/claim", data={**hidden, "programme": "appliances", "district": "秀洲区"})
    [v] = _vouchers(CITIZEN)
    hidden = form_of(c.get("/me/vouchers").text, f"/me/vouchers/{v['voucher_id']}/cancel")
    r = c.post(f"/me/vouchers/{v['voucher_id']}/cancel", data=hidden)
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    assert "已退券" in page and 'data-status="cancelled"' in page


def test_the_voucher_pages_in_elder_mode(world):
    c = login("citizen")
    c.cookies.set("gazette_elder", "1")
    page = c.get("/me/vouchers").text
    assert re.search(r'<body class="elder"', page)
    assert 'data-testid="voucher-claim-form"' in page


# ---------------------------------------------------------------- enterprise


def _run_offers():
    from jiaxing.schemes.vouchers import enterprise as EN

    EN.no_apply_run()


def _applications(enterprise_id: str) -> list[dict]:
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.vouchers import enterprise as EN

    with unit_of_work() as s:
        return EN.list_applications(s, enterprise_id=enterprise_id)


def test_enterprise_confirms_a_no_apply_offer(world):
    _run_offers()
    c = login("enterprise")
    page = c.get("/me/enterprise").text
    offers = by_testid(page, "offer-row")
    assert len(offers) == 1
    offer = offers[0]
    assert "200,000.00 元" in offer  # the 20-million milestone reward of 10号#四.（三）
    assert "嘉政办发〔2022〕10号#四.（三）" in text_of(offer)
    assert 'data-testid="offer-confirm"' in page
    # why the larger (30-million, 500,000-yuan) reward is not due, and each condition with a text mark
    [why] = by_testid(offer, "why-not-more")
    assert "30,000,000" in why and "500,000" in why
    assert "✓ 软件企业" in text_of(offer) and "✗" not in text_of(offer)
    [a] = _applications(SOFTWARE)
    before = counts()
    # no CSRF token: refused, nothing written
    assert c.post(f"/me/enterprise/offers/{a['application_id']}/confirm", data={}).status_code == 403
    assert counts() == before
    hidden = form_of(page, f"/me/enterprise/offers/{a['application_id']}/confirm")
    r = c.post(f"/me/enterprise/offers/{a['application_id']}/confirm", data=hidden)
    assert r.status_code == 303
    assert _applications(SOFTWARE)[0]["status"] == "approved"
    again = c.post(f"/me/enterprise/offers/{a['application_id']}/confirm", data=hidden)  # double submit
    assert again.status_code == 303 and _applications(SOFTWARE)[0]["status"] == "approved"
    page = c.get(r.headers["location"]).text
    rows = by_testid(page, "application-row")
    assert len(rows) == 1 and 'data-status="approved"' in rows[0]
    assert "已核定" in rows[0] and by_testid(page, "offer-row") == []


def test_enterprise_applies_with_fields_built_from_the_rule(world):
    c = login("enterprise")
    clause = "嘉政办发〔2022〕47号#二"
    page = c.get("/me/enterprise", params={"clause": clause}).text
    form = by_testid(page, "application-form")[0]
    # one labelled control per input of the rule (no JSON box)
    for name in ("f:nev_sales_company", "f:nev_show_filed", "f:nev_show_expense_yuan"):
        assert f'name="{name}"' in form and f'<label for="{name}"' in form
    assert "<textarea" not in form.split("evidence")[0]
    hidden = form_of(page, "/me/enterprise/applications")
    r = c.post("/me/enterprise/applications", data={
        **hidden, "f:nev_sales_company": "true", "f:nev_show_filed": "true", "f:nev_show_expense_yuan": "80000",
        "evidence": "车展备案表.pdf"})
    assert r.status_code == 303, r.text
    [a] = _applications(SOFTWARE)
    assert a["clause"] == clause and a["amount_yuan"] == "40000.00" and a["status"] == "submitted"
    page = c.get(r.headers["location"]).text
    row = by_testid(page, "application-row")[0]
    assert "40,000.00 元" in row and any(h.endswith("#嘉政办发〔2022〕47号#二") for h in hrefs(row))
    assert "已提交" in row


def test_an_ineligible_application_lists_the_failed_conditions(world):
    c = login("enterprise")
    clause = "嘉政办发〔2022〕47号#二"
    hidden = form_of(c.get("/me/enterprise", params={"clause": clause}).text, "/me/enterprise/applications")
    before = counts()
    r = c.post("/me/enterprise/applications", data={
        **hidden, "clause": clause, "f:nev_sales_company": "false", "f:nev_show_filed": "true",
        "f:nev_show_expense_yuan": "80000"})
    assert r.status_code == 422
    assert "✗" in r.text and "not eligible" in r.text and counts() == before
    assert 'value="80000"' in r.text  # what was typed is kept
    # a malformed number is refused with the field named
    r = c.post("/me/enterprise/applications", data={**hidden, "clause": clause, "f:nev_show_expense_yuan": "八万"})
    assert r.status_code == 422 and counts() == before


# ---------------------------------------------------------------- provident fund


def test_worker_opens_an_account_and_sees_the_monthly_amount(world):
    c = login("worker")
    page = c.get("/me/fund").text
    assert 'data-testid="fund-open-form"' in page
    from gazette import validate
    from gazette.errors import InvalidInput

    try:  # read from the id number through the shared validator — only when the id holds (check digit)
        validate.person_id(WORKER)
        valid = True
    except InvalidInput:
        valid = False
    assert bool(re.search(r'name="sex" value="female" checked', page)) == valid
    assert ('value="1988-06-06"' in page) == valid
    # nothing is assumed: no name from the account's display name, every declaration unticked
    assert 'id="name" name="name" required value=""' in page
    assert not re.search(r'name="(flexible_pension|stable_residence_income|full_capacity)" checked', page)
    bounds = text_of(by_testid(page, "fund-base-bounds")[0])
    assert "元" in bounds and "嘉公积金〔2022〕9号#第十一条" in bounds
    hidden = form_of(page, "/me/fund/open")
    body = {**hidden, "name": "李四", "sex": "female", "birth_date": "1988-06-06", "flexible_pension": "on",
            "stable_residence_income": "on", "full_capacity": "on", "base": "5000", "rate": "12"}
    # the preview computes without writing
    before = counts()
    q = c.post("/me/fund/quote", data=body)
    assert q.status_code == 200 and "600.00 元" in text_of(by_testid(q.text, "fund-quote")[0])
    assert counts() == before
    r = c.post("/me/fund/open", data=body)
    assert r.status_code == 303
    page = c.get(r.headers["location"]).text
    [amount] = by_testid(page, "fund-monthly-amount")
    assert "600.00 元" in amount  # 5000 × 12%
    assert "嘉公积金〔2022〕9号#第十二条" in text_of(page)
    assert "缴存中" in text_of(by_testid(page, "fund-status")[0])
    assert "2022-10" in text_of(by_testid(page, "fund-next-debit")[0])
    # the same form submitted again replays: still one account
    assert c.post("/me/fund/open", data=body).status_code == 303
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund.models import FundAccount

    with unit_of_work() as s:
        assert s.query(FundAccount).filter(FundAccount.person_id == WORKER).count() == 1


def test_fund_errors_are_shown_and_write_nothing(world):
    c = login("worker")
    hidden = form_of(c.get("/me/fund").text, "/me/fund/open")
    base = {**hidden, "name": "李四", "sex": "female", "birth_date": "1988-06-06", "stable_residence_income": "on",
            "full_capacity": "on", "base": "5000", "rate": "12"}
    before = counts()
    r = c.post("/me/fund/open", data={**base, "rate": "30", "flexible_pension": "on"})
    assert r.status_code == 422 and "10%–24%" in r.text and "rate_out_of_range" in r.text
    r = c.post("/me/fund/open", data=base)  # not insured as a flexible worker
    assert r.status_code == 422 and "养老保险" in r.text and "第八条" in r.text
    r = c.post("/me/fund/open", data={**base, "base": "1", "flexible_pension": "on"})
    assert r.status_code == 422 and "最低月工资标准" in r.text
    assert counts() == before
    assert 'data-testid="fund-open-form"' in r.text  # still on the open-account form, values kept
    assert 'value="5000"' not in r.text and 'value="1"' in r.text


def test_worker_prepays_stops_and_unseals(world):
    c = login("worker")
    hidden = form_of(c.get("/me/fund").text, "/me/fund/open")
    c.post("/me/fund/open", data={**hidden, "name": "李四", "sex": "female", "birth_date": "1988-06-06",
                                  "flexible_pension": "on", "stable_residence_income": "on", "full_capacity": "on",
                                  "base": "5000", "rate": "12"})
    page = c.get("/me/fund").text
    hidden = form_of(page, "/me/fund/prepay")
    r = c.post("/me/fund/prepay", data={**hidden, "through": "2022-12"})
    assert r.status_code == 303
    page = c.get("/me/fund").text
    assert 'data-testid="fund-statement"' in page and "预缴" in page and "1,800.00" in page  # 3 months × 600
    r = c.post("/me/fund/prepay", data={**form_of(page, "/me/fund/prepay"), "through": "2024-12"})
    assert r.status_code == 422 and "结算年度" in r.text
    r = c.post("/me/fund/stop", data=form_of(page, "/me/fund/stop"))
    assert r.status_code == 303
    page = c.get("/me/fund").text
    assert "已封存" in text_of(by_testid(page, "fund-status")[0]) and "本人申请停缴" in page
    r = c.post("/me/fund/unseal", data=form_of(page, "/me/fund/unseal"))
    assert r.status_code == 303
    assert "缴存中" in text_of(by_testid(c.get("/me/fund").text, "fund-status")[0])


def test_statement_is_paginated(world):
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service as F
    from jiaxing.schemes.provident_fund.domain import Applicant
    from jiaxing.schemes.provident_fund.models import FundAccount, Movement

    with unit_of_work() as s:
        F.open_account(s, Applicant(WORKER, "李四", "female", __import__("datetime").date(1988, 6, 6)), 500000, "12")
    with unit_of_work() as s:  # 25 journal lines (prepayment refunds are simplest to fake as zero-sum pairs)
        acc = s.query(FundAccount).filter(FundAccount.person_id == WORKER).one()
        for i in range(25):
            s.add(Movement(account_id=acc.id, business_date=__import__("datetime").date(2022, 10, 8), kind="prepay",
                           delta_balance=0, delta_prepaid=0, ref=f"test:{i}", memo=f"line {i}"))
    c = login("worker")
    p1 = c.get("/me/fund").text
    assert "第 1 / 2 页" in p1 and p1.count("<tr><td>2022-10-08") == 20
    p2 = c.get("/me/fund", params={"page": 2}).text
    assert "第 2 / 2 页" in p2 and p2.count("<tr><td>2022-10-08") == 5
    assert c.get("/me/fund", params={"page": "x"}).status_code == 200


def test_citizen_without_a_fund_book_sees_a_clear_message(fresh):
    page = login("worker").get("/me/fund")
    assert page.status_code == 200 and "fund_not_set_up" in page.text and 'data-testid="fund-open-form"' not in page.text
