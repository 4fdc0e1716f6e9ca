"""Ledger properties under random sequences of commands and runs: every entry balanced, the trial
balance at zero, the sub-ledger equal to the control accounts, no guarded balance negative."""

from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gazette.errors import GazetteError
from gazette.store.db import get_engine, unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.provident_fund import service as S
from jiaxing.schemes.provident_fund.domain import Applicant, month_index, month_label, month_start

from .conftest import START

OPS = st.one_of(
    st.tuples(st.just("open"), st.integers(0, 4), st.integers(228_000, 2_400_000), st.integers(10, 24)),
    st.tuples(st.just("prepay"), st.integers(0, 4), st.integers(0, 14)),
    st.tuples(st.just("stop"), st.integers(0, 4)),
    st.tuples(st.just("unseal"), st.integers(0, 4)),
    st.tuples(st.just("transfer_out"), st.integers(0, 4)),
    st.tuples(st.just("loan"), st.integers(0, 4), st.booleans()),
    st.tuples(st.just("month"), st.integers(0, 31)),  # bit i set: debit of person i fails
)


def _wipe(url: str) -> None:
    from gazette.store.models import Base

    with get_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _step(url: str, op: tuple, state: dict) -> None:
    kind, *args = op
    pid = example_person_id(args[0]) if kind != "month" else None
    try:
        with unit_of_work(url) as s:
            if kind == "open":
                S.open_account(s, Applicant(pid, "假", "male", dt.date(1980, 1, 1)), args[1], str(args[2]))
            elif kind == "prepay":
                S.prepay(s, pid, month_label(month_index(S.today(s)) + args[1]))
            elif kind == "stop":
                S.stop(s, pid)
            elif kind == "unseal":
                S.unseal(s, pid)
            elif kind == "transfer_out":
                S.transfer_out(s, pid)
            elif kind == "loan":
                S.set_loan(s, pid, args[1])
    except GazetteError:
        pass
    if kind != "month":
        return
    m = state["month"]
    d = month_start(m + 1).replace(day=5)
    june = dt.date(month_start(m).year, 6, 30)
    if month_start(m).month == 6:
        with unit_of_work(url) as s:
            S.advance(s, june)
        S.interest_run(june.year, width=3)
    with unit_of_work(url) as s:
        S.advance(s, d)
    S.monthly_collection(month_label(m), width=3)
    with unit_of_work(url) as s:
        ids = {a.id: a.person_id for a in S.iter_accounts(s)}
        from sqlalchemy import text

        pend = s.execute(text("SELECT ref, account_id, amount_fen FROM pf_collections WHERE month = :m AND "
                              "status = 'pending'"), {"m": m}).all()
    lines = [(r, a, "failed" if args[0] >> int(ids[aid][14:17]) & 1 else "ok") for r, aid, a in pend]
    S.import_bank_results(f"b{m}", lines + lines[:1])
    S.arrears_run(month_label(m), width=3)
    state["month"] = m + 1


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(ops=st.lists(OPS, min_size=5, max_size=30))
def test_random_sequences_keep_the_books_balanced(clean_db, ops):
    url = clean_db
    _wipe(url)
    with unit_of_work(url) as s:
        S.setup(s, START)
        S.advance(s, dt.date(2022, 5, 20))
    state = {"month": month_index(START)}
    for op in ops:
        _step(url, op, state)
        with unit_of_work(url) as s:
            r = S.reconcile(s)
        assert r["ok"], (op, r)
        assert r["trial_balance_net_fen"] == 0 and r["ledger_verified"]
