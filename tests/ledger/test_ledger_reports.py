"""Trial balance, statement, balance at a date, verification."""

from __future__ import annotations

import datetime as dt

from ledger_helpers import START, new_book

from gazette.ledger import credit, debit

D1, D2, D3 = START, START + dt.timedelta(days=1), START + dt.timedelta(days=2)
ACCOUNTS = (
    ("budget", "预算", "equity"),
    ("pool", "资金池", "asset"),
    ("issued", "已发", "asset"),
    ("paid", "已兑付", "expense"),
)


def _book(uow):
    lg = new_book(uow, accounts=ACCOUNTS)
    with uow() as s:
        lg.transfer(s, "pool", "budget", 10_000, key="fund", memo="拨付预算")
        lg.transfer(s, "issued", "pool", 3_000, key="c1", memo="领券")
        lg.advance_business_date(s, D2)
        lg.transfer(s, "issued", "pool", 2_000, key="c2", memo="领券")
        lg.transfer(s, "paid", "issued", 3_000, key="r1", memo="核销")
        lg.advance_business_date(s, D3)
        lg.transfer(s, "pool", "issued", 2_000, key="x2", memo="作废退回")
    return lg


def test_trial_balance_nets_to_zero_and_satisfies_the_accounting_equation(uow):
    lg = _book(uow)
    with uow() as s:
        tb = lg.trial_balance(s)
    assert tb.balanced and tb.net_fen == 0
    assert tb.total_debit_fen == tb.total_credit_fen == 10_000 + 3_000 + 2_000 + 3_000 + 2_000
    rows = {r.account: r for r in tb.rows}
    assert (
        rows["pool"].balance_fen == 7_000
        and rows["pool"].debit_fen == 12_000
        and rows["pool"].credit_fen == 5_000
    )
    assert rows["issued"].balance_fen == 0
    assert rows["paid"].balance_fen == 3_000
    by_type = tb.by_type()
    assert (
        by_type["asset"] + by_type["expense"] == by_type["liability"] + by_type["equity"] + by_type["income"]
    )


def test_trial_balance_and_balance_at_a_date(uow):
    lg = _book(uow)
    with uow() as s:
        tb1 = {r.account: r.balance_fen for r in lg.trial_balance(s, on=D1).rows}
        assert tb1 == {"budget": 10_000, "pool": 7_000, "issued": 3_000, "paid": 0}
        assert lg.trial_balance(s, on=D1).balanced
        assert lg.balance_at(s, "pool", D1 - dt.timedelta(days=1)) == 0
        assert lg.balance_at(s, "pool", D1) == 7_000
        assert lg.balance_at(s, "pool", D2) == 5_000
        assert lg.balance_at(s, "pool", D3) == 7_000 == lg.balance(s, "pool")
        assert lg.balance_at(s, "issued", D2) == 2_000


def test_statement_has_opening_running_and_closing_balances(uow):
    lg = _book(uow)
    with uow() as s:
        st = lg.statement(s, "pool", start=D2, end=D3)
        assert st.opening_fen == 7_000
        assert [(ln.key, ln.side, ln.amount_fen, ln.balance_fen) for ln in st.lines] == [
            ("c2", "C", 2_000, 5_000),
            ("x2", "D", 2_000, 7_000),
        ]
        assert st.closing_fen == 7_000 and st.debit_total_fen == 2_000 and st.credit_total_fen == 2_000
        whole = lg.statement(s, "pool")
        assert whole.opening_fen == 0 and len(whole.lines) == 4 and whole.closing_fen == lg.balance(s, "pool")
        assert lg.statement(s, "pool", start=D3 + dt.timedelta(days=5)).closing_fen == 7_000


def test_verify_detects_a_tampered_balance(uow):
    from sqlalchemy import text

    lg = _book(uow)
    with uow() as s:
        assert lg.verify(s).ok
        acc = lg.account(s, "pool")
        s.execute(
            text("UPDATE ledger_balances SET balance = balance + 1 WHERE account_id = :id"), {"id": acc.id}
        )
        v = lg.verify(s)
        assert not v.ok and v.balance_mismatches == [("pool", 7_001, 7_000)]
        s.rollback()


def test_multi_line_statement_and_empty_book(uow):
    lg = new_book(uow, accounts=ACCOUNTS)
    with uow() as s:
        assert lg.trial_balance(s).balanced and lg.trial_balance(s).total_debit_fen == 0
        assert lg.statement(s, "pool").closing_fen == 0
        lg.post(s, [debit("pool", 5), debit("issued", 5), credit("budget", 10)], key="k")
        assert lg.verify(s).ok
