"""Commands and batch runs of the fund on the ledger (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.ledger import Ledger
from gazette.store.db import unit_of_work
from jiaxing.schemes.provident_fund import service as S

from .conftest import advance, counts, cycle, pending, person, view

P1, P2 = "330402199001011230", "330402198003015679"


def _open(url, pid=P1, base=500_000, rate="12", **kw):
    with unit_of_work(url) as s:
        return S.open_account(s, person(pid, **kw), base, rate)


def _ok(url):
    with unit_of_work(url) as s:
        r = S.reconcile(s)
    assert r["ok"], r
    return r


def _refused(url, fn, code):
    before = counts(url)
    with pytest.raises(GazetteError) as e:
        with unit_of_work(url) as s:
            fn(s)
    assert e.value.code == code, e.value
    assert counts(url) == before  # nothing written
    return e.value


# ------------------------------------------------------------------ opening (第八、十、十一、十二条)


def test_open_account_computes_monthly_amount(fund):
    r = _open(fund, base=523_456, rate="11")
    assert r["monthly_fen"] == 57_600  # 5234.56 × 11% = 575.8016 → 576 (四舍五入到元)
    assert r["clause"] == "嘉公积金〔2022〕9号#第十二条"
    assert view(fund, P1)["next_debit"]["debit_by"] == "2022-06-10"  # 第十三条 每月 10 日前扣收上月


def test_bad_input_writes_nothing(fund):
    """Rate or base out of range, an ineligible applicant, a second account for one person."""
    _open(fund)
    e = _refused(fund, lambda s: S.open_account(s, person(P2), 500_000, "25"), "rate_out_of_range")
    assert e.details["clause"].endswith("#第十二条")
    _refused(fund, lambda s: S.open_account(s, person(P2), 500_000, "9.99"), "rate_out_of_range")
    _refused(fund, lambda s: S.open_account(s, person(P2), 227_999, "12"), "base_below_minimum")
    _refused(fund, lambda s: S.open_account(s, person(P2), 2_400_001, "12"), "base_above_maximum")
    _refused(fund, lambda s: S.open_account(s, person(P2, birth=dt.date(2010, 1, 1)), 500_000, "12"), "not_eligible")
    e = _refused(fund, lambda s: S.open_account(s, person(P1), 500_000, "12"), "account_exists")
    assert http_status(e) == 409 and e.details["clause"].endswith("#第十条")


def test_open_is_idempotent_with_a_key(fund):
    with unit_of_work(fund) as s:
        a = S.open_account(s, person(P1), 500_000, "12", key="k-open")
    with unit_of_work(fund) as s:
        b = S.open_account(s, person(P1), 500_000, "12", key="k-open")
    assert b["replayed"] and b["account_id"] == a["account_id"]


def test_transfer_in_merges_months_and_money(fund):
    """第十条 / 第十八条 / 第二十条（一）: an employer account is moved in, its months merged."""
    with unit_of_work(fund) as s:
        S.open_account(s, person(P1), 500_000, "12", transfer_in=S.TransferIn(1_234_567, 30, S.domain.parse_month("2022-04")))
    assert view(fund, P1)["balance_fen"] == 1_234_567
    assert view(fund, P1)["loan"]["consecutive_months"] == 30
    cycle(fund, "2022-05")
    assert view(fund, P1)["loan"]["consecutive_months"] == 31
    _ok(fund)


# ------------------------------------------------------------------ collection and prepayment (第十三条, 第二十条)


def test_prepayment_limits_and_back_payment_write_nothing(fund):
    _open(fund)
    e = _refused(fund, lambda s: S.prepay(s, P1, "2022-07"), "prepayment_beyond_settlement_year")
    assert e.details["clause"].endswith("#第十三条")
    cycle(fund, "2022-05", failed={P1})
    _refused(fund, lambda s: S.pay_month(s, P1, "2022-05"), "back_payment_not_allowed")
    _refused(fund, lambda s: S.prepay(s, P1, "2022-06", from_month="2022-05"), "back_payment_not_allowed")


def test_prepaid_months_count_only_when_due(fund):
    """第二十条（二）: 预缴资金按月度入账后方可计算连续缴存月数."""
    _open(fund)
    advance(fund, dt.date(2022, 7, 2))  # settlement year 2023 from 1 July
    with unit_of_work(fund) as s:
        r = S.prepay(s, P1, "2023-06")
    assert r["from"] == "2022-05" and r["months"] == 14 and r["amount_fen"] == 14 * 60_000
    v = view(fund, P1)
    assert v["prepaid_fen"] == 14 * 60_000 and v["balance_fen"] == 0 and v["loan"]["consecutive_months"] == 0
    cycle(fund, "2022-05")
    cycle(fund, "2022-06")
    v = view(fund, P1)
    assert v["balance_fen"] == 120_000 and v["prepaid_fen"] == 12 * 60_000 and v["loan"]["consecutive_months"] == 2
    assert v["next_debit"]["month"] == "2023-07"
    assert pending(fund, "2022-06") == []  # nothing was sent to the bank
    _ok(fund)


def test_collection_run_is_idempotent(fund):
    _open(fund)
    _open(fund, P2, sex="female", birth=dt.date(1980, 3, 1), base=300_000, rate="10")
    advance(fund, dt.date(2022, 6, 3))
    first = S.monthly_collection("2022-05")
    before = counts(fund)
    again = S.monthly_collection("2022-05")
    assert again.already_completed and counts(fund) == before and first.result == again.result
    with pytest.raises(GazetteError) as e:
        S.monthly_collection("2022-06")
    assert e.value.code == "month_not_over"


def test_bank_import_sends_duplicates_and_gaps_to_exceptions(fund):
    _open(fund)
    _open(fund, P2, sex="female", birth=dt.date(1980, 3, 1), base=300_000, rate="10")
    advance(fund, dt.date(2022, 6, 3))
    S.monthly_collection("2022-05")
    (r1, a1), (r2, a2) = pending(fund, "2022-05")
    lines = [(r1, a1, "ok"), (r1, a1, "ok"), ("2022-05-999", 100, "ok"), (r2, a2 + 1, "ok")]
    run = S.import_bank_results("file-1", lines)
    assert run.result["paid"] == 1 and run.result["exceptions"] == 3
    before = counts(fund)
    assert S.import_bank_results("file-1", lines).already_completed and counts(fund) == before
    S.import_bank_results("file-2", [(r1, a1, "ok")])  # the same debit in another file
    S.arrears_run("2022-05")
    with unit_of_work(fund) as s:
        kinds = sorted(e["kind"] for e in S.exceptions(s))
    assert kinds == ["already_settled", "amount_mismatch", "duplicate", "missing_result", "unknown_reference"]
    assert view(fund, P1)["balance_fen"] == 60_000 and view(fund, P2)["balance_fen"] == 0
    _ok(fund)


def test_bad_bank_file_is_refused():
    with pytest.raises(GazetteError) as e:
        S.parse_bank_file("ref,amount,result\n2022-05-1,600.00,maybe\n")
    assert e.value.code == "bad_bank_file"
    assert S.parse_bank_file("ref,amount,result\n2022-05-1,600.00,ok\n\n") == [("2022-05-1", 60_000, "ok")]


# ------------------------------------------------------------------ states (第十六、十七条)


def test_article_17_three_unpaid_months_reminder_then_seal(fund):
    _open(fund)
    for m in ("2022-05", "2022-06", "2022-07"):
        cycle(fund, m, failed={P1})
    v = view(fund, P1)
    assert v["status"] == "active" and v["reminded_month"] == "2022-07"  # 催收
    cycle(fund, "2022-08", failed={P1})
    v = view(fund, P1)
    assert v["status"] == "sealed" and v["seal_reason"] == "arrears"
    with unit_of_work(fund) as s:
        ev = s.execute(text("SELECT event FROM pf_events ORDER BY id")).scalars().all()
    assert ev == ["reminded", "sealed"]
    cycle(fund, "2022-09")
    assert pending(fund, "2022-09") == [] and view(fund, P1)["balance_fen"] == 0  # sealed: no debit


def test_article_17_paying_after_the_reminder_keeps_the_account(fund):
    _open(fund)
    for m in ("2022-05", "2022-06", "2022-07"):
        cycle(fund, m, failed={P1})
    cycle(fund, "2022-08")
    v = view(fund, P1)
    assert v["status"] == "active" and v["reminded_month"] is None and v["loan"]["consecutive_months"] == 1


def test_article_16_no_stop_with_loan_then_stop_refunds_prepaid(fund):
    _open(fund)
    with unit_of_work(fund) as s:
        S.set_loan(s, P1, True)
        S.prepay(s, P1, "2022-06")
    e = _refused(fund, lambda s: S.stop(s, P1), "loan_outstanding")
    assert e.details["clause"].endswith("#第十六条")
    with unit_of_work(fund) as s:
        S.set_loan(s, P1, False)
        r = S.stop(s, P1, key="stop-1")
    assert r["refunded_fen"] == 120_000
    v = view(fund, P1)
    assert v["status"] == "sealed" and v["prepaid_fen"] == 0 and v["next_debit"] is None
    with unit_of_work(fund) as s:
        assert Ledger(S.BOOK).balance(s, "prepaid") == 0
    _ok(fund)


def test_unseal_restarts_consecutive_months(fund):
    """第十七条: 如继续缴存，公积金连续缴存时间从个人账户启封后重新计算."""
    _open(fund)
    cycle(fund, "2022-05")
    cycle(fund, "2022-06")
    assert view(fund, P1)["loan"]["consecutive_months"] == 2
    with unit_of_work(fund) as s:
        S.stop(s, P1)
    cycle(fund, "2022-07")
    advance(fund, dt.date(2022, 8, 20))
    with unit_of_work(fund) as s:
        r = S.unseal(s, P1)
    assert r["first_month"] == "2022-08"
    cycle(fund, "2022-08")
    v = view(fund, P1)
    assert v["status"] == "active" and v["loan"]["consecutive_months"] == 1 and v["balance_fen"] == 180_000


def test_article_16_sealed_at_retirement_with_prepaid_refund(fund):
    """第十六条: 达到法定退休年龄 … 公积金管理部门可封存其个人账户; prepaid money goes back."""
    _open(fund, P2, sex="female", birth=dt.date(1972, 6, 15), base=300_000, rate="10")
    cycle(fund, "2022-05")
    with unit_of_work(fund) as s:
        S.prepay(s, P2, "2022-06")
    cycle(fund, "2022-06")  # the birthday month is still due, then the account is sealed
    v = view(fund, P2)
    assert v["status"] == "sealed" and v["seal_reason"] == "retirement" and v["balance_fen"] == 60_000
    _ok(fund)


def test_article_18_transfer_out_settles_interest(fund):
    _open(fund)
    cycle(fund, "2022-05")  # 600.00 credited on 2022-06-05
    advance(fund, dt.date(2022, 6, 25))
    with unit_of_work(fund) as s:
        r = S.transfer_out(s, P1, key="t1")
    assert r["interest_fen"] == 50 and r["transferred_fen"] == 60_050  # 600 × 1.5% × 20/360 = 0.50
    assert view(fund, P1)["status"] == "transferred"
    _ok(fund)


# ------------------------------------------------------------------ interest (第十四条), adjustment (第十五条)


def test_article_14_interest_on_30_june_once(fund):
    _open(fund)
    cycle(fund, "2022-05")
    advance(fund, dt.date(2022, 6, 29))
    with pytest.raises(GazetteError) as e:
        S.interest_run(2022)
    assert e.value.code == "not_settlement_day"
    advance(fund, dt.date(2022, 6, 30))
    run = S.interest_run(2022)
    assert run.result["interest_fen"] == 65  # 600 × 1.5% × 26/360 = 0.65
    before = counts(fund)
    assert S.interest_run(2022).already_completed and counts(fund) == before
    assert view(fund, P1)["balance_fen"] == 60_065
    cycle(fund, "2022-06")  # credited 2022-07-05; the interest earns from 1 July
    advance(fund, dt.date(2023, 6, 30))
    S.interest_run(2023)
    expected = round((60_065 * 365 * 15_000 + 60_000 * 361 * 15_000) / 360e6)
    assert view(fund, P1)["balance_fen"] == 120_065 + expected
    _ok(fund)


def test_article_15_one_adjustment_per_year_and_floor_raise(fund):
    _open(fund)
    with unit_of_work(fund) as s:
        r = S.adjust(s, P1, 600_000, "15")
    assert r["monthly_fen"] == 90_000
    _refused(fund, lambda s: S.adjust(s, P1, 700_000, "15"), "already_adjusted")
    _open(fund, P2, sex="female", birth=dt.date(1980, 3, 1), base=230_000, rate="11")
    with unit_of_work(fund) as s:
        S.set_reference(s, "min_wage", dt.date(2022, 7, 1), 249_000, "测试：最低月工资标准上调", demo=True)
    advance(fund, dt.date(2022, 7, 1))
    run = S.base_floor_run(2023)
    assert run.result["raised"] == 1
    v = view(fund, P2)
    assert v["base"] == "2490.00" and v["monthly"] == "274.00"  # 2490 × 11% = 273.9 → 274


def test_reference_data_needs_a_source(fund):
    with pytest.raises(GazetteError) as e:
        with unit_of_work(fund) as s:
            S.set_reference(s, "deposit_rate", dt.date(2024, 1, 1), 12_500, "")
    assert e.value.code == "reference_source_required"
    with unit_of_work(fund) as s:
        refs = S.list_reference(s)
    assert {r["kind"] for r in refs} == {"min_wage", "avg_wage", "deposit_rate"} and all(r["demo"] for r in refs)
