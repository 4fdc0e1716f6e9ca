"""Posting: balanced entries, guarded balances, idempotency, reversals, audit, business date."""

from __future__ import annotations

import datetime as dt

import pytest
from ledger_helpers import START, counts, new_book
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from gazette.api.problems import http_status, problem_body
from gazette.errors import GazetteError
from gazette.ledger import (
    EntryRequest,
    Ledger,
    Line,
    audit,
    credit,
    debit,
)


def test_transfer_moves_both_balances_in_their_normal_direction(uow, ledger):
    with uow() as s:
        e = ledger.transfer(s, "issued", "pool", 50_000, key="claim-1", memo="领取消费券")
        assert e.amount_fen == 50_000 and not e.replayed
        assert e.created_at.tzinfo is not None and e.created_at.utcoffset() == dt.timedelta(hours=8)
    with uow() as s:
        assert ledger.balance(s, "pool") == 950_000
        assert ledger.balance(s, "issued") == 50_000
        assert ledger.balance(s, "budget") == 1_000_000  # equity grows on the credit side
        # liability and income grow on the credit side, expense on the debit side
        ledger.transfer(s, "bank", "member", 1_000, key="contribution")
        ledger.transfer(s, "interest", "member", 15, key="interest")
        ledger.transfer(s, "bank", "income", 7, key="fee")
        assert ledger.balance(s, "member") == 1_015
        assert ledger.balance(s, "interest") == 15
        assert ledger.balance(s, "income") == 7
        assert ledger.balance(s, "bank") == 1_007
        assert ledger.trial_balance(s).balanced
        assert ledger.verify(s).ok


def test_multi_line_entry(uow, ledger):
    with uow() as s:
        e = ledger.post(
            s,
            [debit("issued", 300), debit("paid", 200), credit("pool", 450), credit("income", 50)],
            key="multi",
            description="多行分录",
            data={"clause": "嘉政办发〔2022〕47号#三"},
        )
        assert [(ln.account, ln.side, ln.amount_fen) for ln in e.lines] == [
            ("issued", "D", 300),
            ("paid", "D", 200),
            ("pool", "C", 450),
            ("income", "C", 50),
        ]
    with uow() as s:
        again = ledger.entry(s, e.id)
        assert again.lines == e.lines and again.data == {"clause": "嘉政办发〔2022〕47号#三"}
        assert ledger.balance(s, "pool") == 1_000_000 - 450
        assert ledger.verify(s).ok


BAD_INPUTS = [
    ("zero amount", lambda lg, s: lg.transfer(s, "issued", "pool", 0, key="k"), "invalid_amount"),
    ("negative amount", lambda lg, s: lg.transfer(s, "issued", "pool", -100, key="k"), "invalid_amount"),
    ("float amount", lambda lg, s: lg.transfer(s, "issued", "pool", 1.5, key="k"), "invalid_amount"),
    ("string amount", lambda lg, s: lg.transfer(s, "issued", "pool", "100", key="k"), "invalid_amount"),
    ("absurd amount", lambda lg, s: lg.transfer(s, "issued", "pool", 10**16, key="k"), "invalid_amount"),
    (
        "unknown debit account",
        lambda lg, s: lg.transfer(s, "nope", "pool", 100, key="k"),
        "account_not_found",
    ),
    (
        "unknown credit account",
        lambda lg, s: lg.transfer(s, "issued", "nope", 100, key="k"),
        "account_not_found",
    ),
    ("same account", lambda lg, s: lg.transfer(s, "pool", "pool", 100, key="k"), "same_account"),
    (
        "unbalanced",
        lambda lg, s: lg.post(s, [debit("issued", 100), credit("pool", 99)], key="k"),
        "unbalanced_entry",
    ),
    ("one line", lambda lg, s: lg.post(s, [debit("issued", 100)], key="k"), "invalid_entry"),
    ("no lines", lambda lg, s: lg.post(s, [], key="k"), "invalid_entry"),
    (
        "bad side",
        lambda lg, s: lg.post(s, [Line("issued", "X", 1), credit("pool", 1)], key="k"),
        "invalid_side",
    ),
    ("empty key", lambda lg, s: lg.transfer(s, "issued", "pool", 100, key=""), "idempotency_key_invalid"),
    (
        "key too long",
        lambda lg, s: lg.transfer(s, "issued", "pool", 100, key="k" * 201),
        "idempotency_key_invalid",
    ),
    (
        "future business date",
        lambda lg, s: lg.transfer(
            s, "issued", "pool", 100, key="k", business_date=START + dt.timedelta(days=1)
        ),
        "invalid_business_date",
    ),
    (
        "datetime as business date",
        lambda lg, s: lg.transfer(s, "issued", "pool", 100, key="k", business_date=dt.datetime(2022, 9, 1)),
        "invalid_business_date",
    ),
    ("overspend", lambda lg, s: lg.transfer(s, "issued", "pool", 1_000_001, key="k"), "insufficient_funds"),
    (
        "overspend on the second guarded line",
        lambda lg, s: lg.post(s, [debit("issued", 2), credit("pool", 1), credit("bank", 1)], key="k"),
        "insufficient_funds",
    ),
    (
        "member withdraws more than the balance",
        lambda lg, s: lg.transfer(s, "member", "clearing", 1, key="k"),
        "insufficient_funds",
    ),
    ("unknown entry to reverse", lambda lg, s: lg.reverse(s, 10**9), "entry_not_found"),
    (
        "unknown book",
        lambda lg, s: Ledger("no-such-book").transfer(s, "a", "b", 1, key="k"),
        "ledger_not_found",
    ),
    (
        "bad account type",
        lambda lg, s: lg.open_account(s, "x", "x", "asset-ish"),
        "invalid_account_type",
    ),
    (
        "account reopened differently",
        lambda lg, s: lg.open_account(s, "pool", "区级资金池", "liability"),
        "account_exists",
    ),
    (
        "batch with a bad entry",
        lambda lg, s: lg.post_many(
            s,
            [
                EntryRequest("b1", [debit("issued", 1), credit("pool", 1)]),
                EntryRequest("b2", [debit("issued", 1), credit("pool", 2)]),
            ],
        ),
        "unbalanced_entry",
    ),
    (
        "batch with a duplicate key",
        lambda lg, s: lg.post_many(
            s,
            [
                EntryRequest("b1", [debit("issued", 1), credit("pool", 1)]),
                EntryRequest("b1", [debit("issued", 1), credit("pool", 1)]),
            ],
        ),
        "duplicate_key",
    ),
]


@pytest.mark.parametrize("name, call, code", BAD_INPUTS, ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_raises_a_typed_error_and_writes_nothing(uow, ledger, name, call, code):
    before = counts(uow)
    with pytest.raises(GazetteError) as err:
        with uow() as s:
            call(ledger, s)
    assert err.value.code == code
    assert err.value.message_zh and err.value.message_en and 400 <= http_status(err.value) < 500
    assert counts(uow) == before
    # The same holds when the caller catches the error and commits the rest of its transaction
    # (post, transfer and reverse undo their own partial work).
    if not name.startswith("batch"):
        with uow() as s:
            with pytest.raises(GazetteError):
                call(ledger, s)
        assert counts(uow) == before
    with uow() as s:
        assert ledger.verify(s).ok
        assert ledger.balance(s, "pool") == 1_000_000


def test_insufficient_funds_reports_what_is_available(uow, ledger):
    with uow() as s, pytest.raises(GazetteError) as err:
        ledger.transfer(s, "issued", "pool", 1_000_001, key="too-much")
    assert err.value.details["available_fen"] == 1_000_000
    assert err.value.details["requested_fen"] == 1_000_001
    assert http_status(err.value) == 409
    assert "insufficient_funds" in problem_body(err.value)["type"]


def test_spending_the_pool_to_exactly_zero_is_allowed(uow, ledger):
    with uow() as s:
        ledger.transfer(s, "issued", "pool", 1_000_000, key="all")
        assert ledger.balance(s, "pool") == 0
    with uow() as s, pytest.raises(GazetteError):
        ledger.transfer(s, "issued", "pool", 1, key="one-more")


def test_allow_negative_account_may_go_below_zero(uow, ledger):
    with uow() as s:
        ledger.transfer(s, "bank", "clearing", 500, key="overdraw")
        assert ledger.balance(s, "clearing") == -500
        assert ledger.verify(s).ok


def test_repeat_returns_the_first_entry_and_writes_nothing(uow, ledger):
    with uow() as s:
        first = ledger.transfer(s, "issued", "pool", 5_000, key="claim-7", memo="m")
    before = counts(uow)
    with uow() as s:
        again = ledger.transfer(s, "issued", "pool", 5_000, key="claim-7", memo="m")
    assert again.replayed and again.id == first.id and again.lines == first.lines
    assert counts(uow) == before
    with uow() as s:
        assert ledger.balance(s, "pool") == 995_000


def test_repeat_after_the_business_date_moved_is_still_the_same_request(uow, ledger):
    with uow() as s:
        first = ledger.transfer(s, "issued", "pool", 5_000, key="claim-8")
        ledger.advance_business_date(s, START + dt.timedelta(days=3))
    with uow() as s:
        again = ledger.transfer(s, "issued", "pool", 5_000, key="claim-8")
        assert again.id == first.id and again.business_date == START


@pytest.mark.parametrize(
    "change",
    [
        {"amount_fen": 5_001},
        {"memo": "another memo"},
        {"debit_account": "paid"},
        {"business_date": START},
    ],
)
def test_key_reused_with_a_different_body_is_refused(uow, ledger, change):
    args = {"debit_account": "issued", "credit_account": "pool", "amount_fen": 5_000, "memo": ""}
    with uow() as s:
        ledger.transfer(s, **{**args, "key": "claim-9"})
    before = counts(uow)
    with uow() as s, pytest.raises(GazetteError) as err:
        ledger.transfer(s, **{**args, **change, "key": "claim-9"})
    assert err.value.code == "idempotency_key_reused" and err.value.field == "idempotency_key"
    assert counts(uow) == before


def test_same_key_in_two_books_is_two_entries(uow, ledger):
    other = new_book(uow, accounts=[("a", "A", "asset"), ("e", "E", "equity")])
    with uow() as s:
        e1 = ledger.transfer(s, "issued", "pool", 1, key="shared")
        e2 = other.transfer(s, "a", "e", 1, key="shared")
        assert e1.id != e2.id and not e2.replayed


def test_reversal_restores_balances_once(uow, ledger):
    with uow() as s:
        e = ledger.transfer(s, "issued", "pool", 40_000, key="claim-r")
    with uow() as s:
        r = ledger.reverse(s, e.id, memo="退券")
        assert r.reversal_of == e.id and r.key == f"reversal:{e.id}"
        assert {(ln.account, ln.side) for ln in r.lines} == {("issued", "C"), ("pool", "D")}
    with uow() as s:
        assert ledger.balance(s, "pool") == 1_000_000 and ledger.balance(s, "issued") == 0
        assert ledger.reverse(s, e.id, memo="退券").replayed  # the retry replays
        with pytest.raises(GazetteError) as err:
            ledger.reverse(s, e.id, key="another-key")
        assert err.value.code == "entry_already_reversed"
        with pytest.raises(GazetteError) as err:
            ledger.reverse(s, r.id)
        assert err.value.code == "entry_is_reversal"
        assert ledger.verify(s).ok


def test_reversing_spent_money_is_refused(uow, ledger):
    with uow() as s:
        funding = ledger.entry_by_key(s, "fund-pool")
        ledger.transfer(s, "issued", "pool", 1, key="spend-a-fen")
    with uow() as s, pytest.raises(GazetteError) as err:
        ledger.reverse(s, funding.id)
    assert err.value.code == "insufficient_funds"


def test_every_posting_is_audited_in_the_same_transaction(uow, ledger):
    with uow() as s:
        e = ledger.transfer(s, "issued", "pool", 100, key="audited", actor="clerk-1")
        (rec,) = audit.history(s, "ledger_entry", e.id)
        assert rec.actor == "clerk-1" and rec.action == "ledger.entry.posted"
        assert rec.after["lines"] == [["issued", "D", 100], ["pool", "C", 100]]
        assert rec.at.utcoffset() == dt.timedelta(hours=8)
    with pytest.raises(RuntimeError):
        with uow() as s:
            e2 = ledger.transfer(s, "issued", "pool", 100, key="rolled-back")
            raise RuntimeError("crash before commit")
    with uow() as s:
        assert audit.history(s, "ledger_entry", e2.id) == [] or all(
            r.after["key"] != "rolled-back" for r in audit.history(s, "ledger_entry", e2.id)
        )
        assert ledger.entry_by_key(s, "rolled-back") is None


def test_journal_lines_and_audit_log_are_append_only(uow, ledger):
    for table, column in (("ledger_lines", "amount_fen"), ("audit_log", "actor")):
        with pytest.raises(DBAPIError):
            with uow() as s:
                value = "1" if column == "amount_fen" else "'mallory'"
                s.execute(text(f"UPDATE {table} SET {column} = {value}"))


def test_the_database_itself_refuses_a_negative_guarded_balance(uow, ledger):
    with pytest.raises(IntegrityError):
        with uow() as s:
            acc = ledger.account(s, "pool")
            s.execute(text("UPDATE ledger_balances SET balance = -1 WHERE account_id = :id"), {"id": acc.id})


def test_open_account_is_idempotent_and_keeps_scope(uow, ledger):
    with uow() as s:
        again = ledger.open_account(s, "pool", "区级资金池", "asset", programme="nev", district="南湖区")
        assert again.programme == "nev" and again.district == "南湖区" and again.currency == "CNY"
        assert [a.code for a in ledger.accounts(s, district="南湖区")] == ["pool"]
        assert [a.code for a in ledger.accounts(s, owner="person-1")] == ["member"]
        assert dict((a.code, b) for a, b in ledger.balances(s, type="asset"))["pool"] == 1_000_000
        with pytest.raises(GazetteError) as err:
            ledger.open_account(s, "usd", "外币", "asset", currency="USD")
        assert err.value.code == "currency_mismatch"


def test_open_book_is_idempotent(uow):
    lg = new_book(uow)
    with uow() as s:
        again = Ledger.open_book(s, lg.book, "other name", business_date=dt.date(2030, 1, 1))
        assert again.business_date(s) == START


def test_business_date_only_moves_forward(uow, ledger):
    with uow() as s:
        assert ledger.business_date(s) == START
        assert ledger.advance_business_date(s, START + dt.timedelta(days=1)) == START + dt.timedelta(days=1)
        assert ledger.advance_business_date(s, START + dt.timedelta(days=1)) == START + dt.timedelta(days=1)
        with pytest.raises(GazetteError) as err:
            ledger.advance_business_date(s, START)
        assert err.value.code == "invalid_business_date"
        e = ledger.transfer(s, "issued", "pool", 1, key="today")
        assert e.business_date == START + dt.timedelta(days=1)
        back = ledger.transfer(s, "issued", "pool", 1, key="backdated", business_date=START)
        assert back.business_date == START
        assert [r.action for r in audit.history(s, "ledger_book", ledger.book)][
            -1
        ] == "ledger.business_date.advanced"


def test_post_many_posts_replays_and_refuses(uow, ledger):
    reqs = [EntryRequest(f"m{i}", [debit("issued", 100), credit("pool", 100)], "批量") for i in range(50)]
    with uow() as s:
        res = ledger.post_many(s, reqs[:30], run_id=None)
        assert (res.posted, res.replayed) == (30, 0)
    with uow() as s:
        res = ledger.post_many(s, reqs)
        assert (res.posted, res.replayed) == (20, 30) and len(res.entry_ids) == 50
        assert ledger.balance(s, "pool") == 1_000_000 - 5_000
        assert ledger.verify(s).ok
    before = counts(uow)
    with pytest.raises(GazetteError) as err, uow() as s:
        ledger.post_many(s, [EntryRequest("m0", [debit("issued", 101), credit("pool", 101)], "批量")])
    assert err.value.code == "idempotency_key_reused"
    with pytest.raises(GazetteError) as err, uow() as s:
        ledger.post_many(
            s, [EntryRequest(f"x{i}", [debit("issued", 400_000), credit("pool", 400_000)]) for i in range(3)]
        )
    assert err.value.code == "insufficient_funds" and err.value.details["account"] == "pool"
    assert counts(uow) == before
    with uow() as s:
        # a batch and single posts share keys: the single post replays the batch's entry
        assert ledger.transfer(s, "issued", "pool", 100, key="m3", memo="批量").replayed


def test_open_accounts_in_bulk(uow, ledger):
    from gazette.ledger import AccountSpec

    specs = [AccountSpec(f"w{i}", f"灵活就业人员 {i}", "liability", owner=f"p{i}") for i in range(300)]
    with uow() as s:
        accounts = ledger.open_accounts(s, specs)
        assert len(accounts) == 300 and accounts["w7"].owner == "p7"
    with uow() as s:
        again = ledger.open_accounts(s, specs[:10] + [AccountSpec("w300", "new", "liability")])
        assert again["w3"].id == accounts["w3"].id and "w300" in again
        assert ledger.balance(s, "w299") == 0
        ledger.transfer(s, "bank", "w5", 1_000, key="contribute-w5")
        assert ledger.balance(s, "w5") == 1_000
    with uow() as s, pytest.raises(GazetteError) as err:
        ledger.open_accounts(s, [AccountSpec("w1", "灵活就业人员 1", "asset", owner="p1")])
    assert err.value.code == "account_exists"
    with uow() as s, pytest.raises(GazetteError) as err:
        ledger.open_accounts(s, [AccountSpec("dup", "d", "asset"), AccountSpec("dup", "d", "asset")])
    assert err.value.code == "invalid_entry"


def test_an_account_opened_in_a_rolled_back_transaction_is_forgotten(db_url, ledger):
    from gazette.store.db import session_factory

    s = session_factory(db_url)()
    try:
        ledger.open_account(s, "ghost", "幽灵", "asset")
        s.rollback()
        with pytest.raises(GazetteError) as err:
            ledger.transfer(s, "ghost", "budget", 1, key="ghost")
        assert err.value.code == "account_not_found"
    finally:
        s.rollback()
        s.close()


def test_post_many_names_the_account_that_lacks_funds(uow, ledger):
    with uow() as s:
        ledger.transfer(s, "bank", "budget", 300, key="bank-300")
    with pytest.raises(GazetteError) as err, uow() as s:
        ledger.post_many(
            s,
            [
                EntryRequest("ok-pool", [debit("issued", 100), credit("pool", 100)]),
                EntryRequest("too-much-bank", [debit("issued", 400), credit("bank", 400)]),
            ],
        )
    assert err.value.code == "insufficient_funds"
    assert (
        err.value.details["account"],
        err.value.details["available_fen"],
        err.value.details["requested_fen"],
    ) == (
        "bank",
        300,
        400,
    )


def test_post_many_keeps_per_entry_dates_descriptions_and_data(uow, ledger):
    with uow() as s:
        ledger.advance_business_date(s, START + dt.timedelta(days=2))
        res = ledger.post_many(
            s,
            [
                EntryRequest(
                    "d0", [debit("issued", 1), credit("pool", 1)], "第一", START, {"clause": "第十三条"}
                ),
                EntryRequest("d1", [debit("issued", 2), credit("pool", 2)], "第二", None, None),
                EntryRequest(
                    "d2", [debit("paid", 3), credit("issued", 3)], "第三", START + dt.timedelta(days=1)
                ),
            ],
            actor="batch",
        )
    with uow() as s:
        e0, e1, e2 = (ledger.entry(s, res.entry_ids[k]) for k in ("d0", "d1", "d2"))
        assert (e0.business_date, e0.description, e0.data, e0.actor) == (
            START,
            "第一",
            {"clause": "第十三条"},
            "batch",
        )
        assert (e1.business_date, e1.description, e1.data) == (START + dt.timedelta(days=2), "第二", {})
        assert [(ln.account, ln.side, ln.amount_fen) for ln in e2.lines] == [
            ("paid", "D", 3),
            ("issued", "C", 3),
        ]
        assert ledger.balance_at(s, "issued", START) == 1
        assert ledger.verify(s).ok


def test_integer_like_amounts_are_stored_as_plain_ints(uow, ledger):
    class Fen(int):  # stands for numpy / polars integers (numbers.Integral)
        pass

    with uow() as s:
        e = ledger.transfer(s, "issued", "pool", Fen(1234), key="int-like")
        assert type(e.lines[0].amount_fen) is int and ledger.balance(s, "issued") == 1234
        e2 = ledger.post(s, [debit("paid", Fen(34)), credit("issued", 34)], key="int-like-2")
        assert all(type(ln.amount_fen) is int for ln in e2.lines)
