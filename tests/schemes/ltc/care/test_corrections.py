"""A correction of a paid claim (issue #12: "a correction after payment is a new entry, never an edit"),
over the demo books (January and February 2023 settled and paid, 嘉政发〔2022〕21号#一.（二）): a new
ledger entry beside the paid one, paid or recovered by the next payment run (D-LTC-C3), shown on the
provider's view; idempotent by key; every bad input a clear bilingual error that writes nothing."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from gazette.auth import sessions
from gazette.cli import app as cli
from gazette.errors import GazetteError
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import care_demo
from jiaxing.schemes.ltc.care import commands, queries, service, settlement
from tests.auth.conftest import new_client, token_for

CLAUSE = "嘉政发〔2022〕21号#一.（二）"
TABLES = ("ltc_corrections", "ltc_claims", "ledger_entries", "ledger_lines", "audit_log", "idempotency_keys")


@pytest.fixture()
def books(care):
    sessions.reset_secret_cache()
    care_demo.run()
    return care


def counts() -> dict:
    with unit_of_work() as s:
        return {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


def home_id() -> int:
    with unit_of_work() as s:
        return s.execute(text("SELECT id FROM ltc_providers WHERE code = :c"), {"c": care_demo.HOME}).scalar_one()


def balance(account: str) -> int:
    with unit_of_work() as s:
        return int(s.execute(text(
            "SELECT COALESCE(SUM(b.balance), 0) FROM ledger_accounts a JOIN ledger_balances b ON b.account_id = a.id "
            "WHERE a.book_code = 'ltc_care' AND a.code = :c"), {"c": account}).scalar_one())


def paid_on(month: str) -> int:
    with unit_of_work() as s:
        return int(s.execute(text("SELECT net_fen FROM ltc_claims WHERE provider_id = :p AND month = :m"),
                             {"p": home_id(), "m": month}).scalar_one())


def correct(amount: str, *, key: str, month: str = "2023-01", provider: str = care_demo.HOME,
            district: str | None = "南湖区", clause: str = CLAUSE) -> dict:
    return service.correct({"provider": provider, "month": month, "amount": amount, "reason": "复核后更正",
                            "clause": clause}, key=key, actor="care-officer", district=district)


def test_a_correction_is_a_new_entry_paid_by_the_next_payment(books):
    payable = f"payable:P{home_id()}"
    january = paid_on("2023-01")
    owed_before, expense_before, bank_before = balance(payable), balance("fund_expense"), balance("fund_bank")
    with unit_of_work() as s:
        entries_before = s.execute(text("SELECT id, description FROM ledger_entries ORDER BY id")).all()
    out = correct("50.00", key="c1")
    assert out["amount"] == "50.00" and out["paid_after"] == f"{(january + 50_00) / 100:.2f}"
    assert not out["replayed"]
    assert balance(payable) == owed_before + 50_00 and balance("fund_expense") == expense_before + 50_00
    with unit_of_work() as s:
        entries = s.execute(text("SELECT id, description FROM ledger_entries ORDER BY id")).all()
        claim = s.execute(text("SELECT net_fen, status FROM ltc_claims WHERE provider_id = :p AND month = '2023-01'"),
                          {"p": home_id()}).one()
        view = queries.provider_view(s, home_id())
    assert entries[:len(entries_before)] == entries_before and len(entries) == len(entries_before) + 1
    assert tuple(claim) == (january, "paid")  # the paid claim is never edited
    assert view["corrections"][0]["amount"] == "50.00" and view["corrections"][0]["status_zh"] == "待补付"
    assert next(c for c in view["claims"] if c["month"] == "2023-01")["corrections"] == "50.00"
    # the same key: the first answer, nothing written again
    before = counts()
    again = correct("50.00", key="c1")
    assert again["replayed"] and again["correction_id"] == out["correction_id"] and counts() == before
    # a recovery from February, then March settled and paid: both corrections go with March's claim
    correct("-20.00", key="c2", month="2023-02")
    settlement.settle("2023-03")
    with unit_of_work() as s:
        march = int(s.execute(text("SELECT SUM(net_fen) FROM ltc_claims WHERE month = '2023-03'")).scalar_one())
    settlement.pay("2023-03")
    assert balance("fund_bank") == bank_before - (march + 50_00 - 20_00)  # every provider's March, and the two
    assert balance(payable) == 0
    with unit_of_work() as s:
        view = queries.provider_view(s, home_id())
    assert [(c["month"], c["paid_in"], c["status_zh"]) for c in view["corrections"]] == [
        ("2023-02", "2023-03", "已追回"), ("2023-01", "2023-03", "已补付")]


def test_a_recovery_up_to_what_was_paid(books):
    january = paid_on("2023-01")
    assert january > 0
    before = counts()
    with pytest.raises(GazetteError) as e:
        correct(f"-{(january + 1) / 100:.2f}", key="too-much")
    assert e.value.code == "recovery_exceeds_paid" and e.value.field == "amount"
    assert "超过" in e.value.message_zh and "exceeds" in e.value.message_en
    assert counts() == before
    correct(f"-{(january - 100) / 100:.2f}", key="most")
    before = counts()
    with pytest.raises(GazetteError) as e:  # earlier recoveries count: only 1 yuan is left
        correct("-1.01", key="more")
    assert e.value.code == "recovery_exceeds_paid" and counts() == before
    assert correct("-1.00", key="the-rest")["paid_after"] == "0.00"


BAD_INPUT = [
    ({"provider": "NO-SUCH"}, "not_found", "provider"),
    ({"district": "秀洲区"}, "not_found", "provider"),  # another district's provider is as if missing
    ({"month": "2022-06"}, "not_found", "month"),  # no claim that month
    ({"month": "2023-13"}, "invalid_month", "month"),
    ({"amount": "0"}, "amount_out_of_range", "amount"),
    ({"amount": "12.345"}, "invalid_amount", "amount"),
    ({"clause": "嘉政办发〔2022〕47号#一"}, "invalid_clause", "clause"),
    ({"clause": "嘉政发〔2022〕21号"}, "invalid_clause", "clause"),
]


def test_bad_input_is_refused_and_writes_nothing(books):
    before = counts()
    for change, code, field in BAD_INPUT:  # one set of books for all: each refusal must leave it as it was
        args = {"amount": "10.00", **change}
        with pytest.raises(GazetteError) as e:
            correct(args.pop("amount"), key="bad", **args)
        assert (e.value.code, e.value.field) == (code, field), (change, e.value)
        assert e.value.message_zh and e.value.message_en and e.value.message_zh != e.value.message_en
        assert counts() == before, change


def test_a_zero_command_and_an_unpaid_month_are_refused(books):
    before = counts()
    with pytest.raises(GazetteError) as e:
        execute(commands.CorrectPaidClaim(idempotency_key="zero", provider_code=care_demo.HOME, month="2023-01",
                                          amount_fen=0, reason="r", clause=CLAUSE))
    assert e.value.code == "zero_correction" and e.value.field == "amount" and counts() == before
    settlement.settle("2023-03")
    before = counts()
    with pytest.raises(GazetteError) as e:
        correct("10.00", key="unpaid", month="2023-03")
    assert e.value.code == "claim_not_paid" and e.value.field == "month" and "尚未支付" in e.value.message_zh
    assert counts() == before


def test_the_api_requires_a_key_and_an_officer_and_the_cli_prints_json(books):
    c = new_client()
    officer, elder = token_for(c, "care-officer"), token_for(c, "care-elder")
    body = {"provider": care_demo.HOME, "month": "2023-01", "amount": "-5.00", "reason": "重复计费", "clause": CLAUSE}
    r = c.post("/api/v1/ltc/care/corrections", headers=officer, json=body)
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    assert c.post("/api/v1/ltc/care/corrections", headers={**elder, "Idempotency-Key": "a"},
                  json=body).status_code == 403
    r = c.post("/api/v1/ltc/care/corrections", headers={**officer, "Idempotency-Key": "a"}, json=body)
    assert r.status_code == 201 and r.json()["amount"] == "-5.00", r.text
    again = c.post("/api/v1/ltc/care/corrections", headers={**officer, "Idempotency-Key": "a"}, json=body)
    assert again.status_code == 201 and again.json()["replayed"] is True
    bad = c.post("/api/v1/ltc/care/corrections", headers={**officer, "Idempotency-Key": "b"},
                 json={**body, "amount": "0"})
    assert bad.status_code == 422 and bad.json()["field"] == "amount"
    out = CliRunner().invoke(cli, ["ltc", "correct", care_demo.HOME, "2023-02", "7.50", "--reason", "漏记一次服务",
                                   "--clause", "嘉政发[2022]21号#一.（二）", "--key", "cli-1", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["clause"] == CLAUSE  # the 文号 canonicalised
    bad = CliRunner().invoke(cli, ["ltc", "correct", care_demo.HOME, "2023-03", "7.50", "--reason", "x",
                                   "--clause", CLAUSE, "--key", "cli-2"])
    assert bad.exit_code != 0 and "not_found" in bad.output + str(bad.exception)
