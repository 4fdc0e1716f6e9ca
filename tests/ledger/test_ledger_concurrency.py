"""Concurrency on PostgreSQL: many workers hammering small pools and one key.

SQLite serialises writers and would hide lost updates, so these run in the PostgreSQL pass.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from ledger_helpers import new_book
from sqlalchemy import func, select

from gazette.errors import GazetteError
from gazette.ledger import EntryRequest, credit, debit, idempotent
from gazette.ledger.runs import execute_run
from gazette.store.ledger_models import LedgerEntryRow

pytestmark = pytest.mark.postgres

WORKERS = 48
CLAIM = 500  # fen
BUDGET = 100 * CLAIM


def hammer(n: int, fn):
    """Run ``fn(i)`` in ``n`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(n)

    def run(i):
        barrier.wait()
        try:
            return fn(i)
        except Exception as exc:  # noqa: BLE001 - collected and asserted on
            return exc

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(run, range(n)))


def pool_book(uow):
    lg = new_book(
        uow,
        accounts=[("budget", "预算", "equity"), ("pool", "资金池", "asset"), ("issued", "已发放", "asset")],
    )
    with uow() as s:
        lg.transfer(s, "pool", "budget", BUDGET, key="fund")
    return lg


def entries(uow, lg, key=None) -> int:
    stmt = select(func.count()).select_from(LedgerEntryRow).where(LedgerEntryRow.book_code == lg.book)
    if key is not None:
        stmt = stmt.where(LedgerEntryRow.idempotency_key == key)
    with uow() as s:
        return s.execute(stmt).scalar_one()


def test_many_workers_cannot_overspend_a_small_pool(uow):
    lg = pool_book(uow)

    def worker(i):
        won = 0
        for j in range(10):
            try:
                with uow() as s:
                    lg.transfer(s, "issued", "pool", CLAIM, key=f"claim-{i}-{j}")
                won += 1
            except GazetteError as err:
                assert err.code == "insufficient_funds"
        return won

    results = hammer(WORKERS, worker)
    assert all(isinstance(r, int) for r in results), [r for r in results if not isinstance(r, int)]
    with uow() as s:
        issued, remaining = lg.balance(s, "issued"), lg.balance(s, "pool")
        assert sum(results) == 100 and issued == BUDGET and remaining == 0
        assert issued + remaining == BUDGET
        assert lg.verify(s).ok and lg.trial_balance(s).balanced
    assert entries(uow, lg) == 1 + 100


def test_claims_and_cancellations_at_once_keep_issued_plus_remaining_equal_to_budget(uow):
    lg = pool_book(uow)

    def worker(i):
        rng = random.Random(i)
        mine, out = [], Counter()
        for j in range(12):
            try:
                with uow() as s:
                    if mine and rng.random() < 0.35:
                        lg.reverse(s, mine.pop(rng.randrange(len(mine))))
                        out["cancelled"] += 1
                    else:
                        amount = rng.choice([CLAIM, 2 * CLAIM, 3 * CLAIM])
                        mine.append(lg.transfer(s, "issued", "pool", amount, key=f"c-{i}-{j}").id)
                        out["claimed"] += amount
            except GazetteError as err:
                assert err.code == "insufficient_funds"
                out["refused"] += 1
        return out

    results = hammer(WORKERS, worker)
    assert all(isinstance(r, Counter) for r in results), [r for r in results if not isinstance(r, Counter)]
    total = sum(results, Counter())
    assert total["refused"] > 0 and total["cancelled"] > 0
    with uow() as s:
        issued, remaining = lg.balance(s, "issued"), lg.balance(s, "pool")
        assert issued + remaining == BUDGET and remaining >= 0 and issued >= 0
        v = lg.verify(s)
        assert v.ok, v


def test_concurrent_repeats_of_one_key_post_exactly_one_entry(uow):
    lg = pool_book(uow)

    def worker(_):
        with uow() as s:
            e = lg.transfer(s, "issued", "pool", CLAIM, key="the-one-key", memo="重复提交")
            return e.id, e.replayed

    results = hammer(WORKERS, worker)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({entry_id for entry_id, _ in results}) == 1
    assert sum(1 for _, replayed in results if not replayed) == 1
    assert entries(uow, lg, "the-one-key") == 1
    with uow() as s:
        assert lg.balance(s, "pool") == BUDGET - CLAIM and lg.verify(s).ok


def test_concurrent_reuse_of_a_key_with_different_bodies(uow):
    lg = pool_book(uow)

    def worker(i):
        with uow() as s:
            return lg.transfer(s, "issued", "pool", CLAIM + i % 4, key="contested").amount_fen

    results = hammer(32, worker)
    amounts = [r for r in results if isinstance(r, int)]
    errors = [r for r in results if not isinstance(r, int)]
    assert len(set(amounts)) == 1  # every success is the winner's entry
    assert all(isinstance(e, GazetteError) and e.code == "idempotency_key_reused" for e in errors)
    assert len(amounts) + len(errors) == 32 and len(errors) >= 24
    assert entries(uow, lg, "contested") == 1
    with uow() as s:
        assert lg.balance(s, "pool") == BUDGET - amounts[0]


def test_concurrent_repeats_through_the_idempotency_helper_run_the_command_once(uow):
    lg = pool_book(uow)

    def worker(_):
        with uow() as s:

            def claim():
                e = lg.transfer(s, "issued", "pool", CLAIM, key="claim:person-1")
                return {"voucher": "V-1", "entry": e.id}

            return idempotent(s, f"{lg.book}.claim", "person-1/nev", {"person": "person-1"}, claim)

    results = hammer(WORKERS, worker)
    assert all(not isinstance(r, Exception) for r in results), [
        r for r in results if isinstance(r, Exception)
    ]
    assert sum(1 for r in results if not r.replayed) == 1
    assert len({r.result["entry"] for r in results}) == 1
    assert entries(uow, lg) == 2


def test_random_transfers_between_guarded_pools_neither_deadlock_nor_go_negative(uow):
    pools = ["a", "b", "c", "d"]
    lg = new_book(uow, accounts=[("budget", "预算", "equity")] + [(p, p, "asset") for p in pools])
    with uow() as s:
        for p in pools:
            lg.transfer(s, p, "budget", 2_000, key=f"fund-{p}")

    def worker(i):
        rng = random.Random(1000 + i)
        done = 0
        for j in range(15):
            x, y = rng.sample(pools, 2)
            try:
                with uow() as s:
                    if rng.random() < 0.3:
                        z = next(p for p in pools if p not in (x, y))
                        lg.post(s, [debit(x, 150), credit(y, 100), credit(z, 50)], key=f"m-{i}-{j}")
                    else:
                        lg.transfer(s, x, y, rng.randint(1, 400), key=f"t-{i}-{j}")
                done += 1
            except GazetteError as err:
                assert err.code == "insufficient_funds"
        return done

    results = hammer(WORKERS, worker)
    assert all(isinstance(r, int) for r in results), [r for r in results if not isinstance(r, int)]
    with uow() as s:
        balances = {a.code: b for a, b in lg.balances(s)}
        assert sum(balances[p] for p in pools) == 8_000 and all(balances[p] >= 0 for p in pools)
        assert lg.verify(s).ok


def test_concurrent_reversals_of_one_entry_reverse_it_once(uow):
    lg = pool_book(uow)
    with uow() as s:
        e = lg.transfer(s, "issued", "pool", CLAIM, key="to-cancel")

    def worker(i):
        with uow() as s:
            return lg.reverse(s, e.id, key=f"cancel-{i % 2}").id

    results = hammer(32, worker)
    ok = [r for r in results if isinstance(r, int)]
    assert len(set(ok)) == 1
    assert all(
        isinstance(r, GazetteError) and r.code == "entry_already_reversed" for r in results if r not in ok
    )
    with uow() as s:
        assert lg.balance(s, "pool") == BUDGET and lg.verify(s).ok


def test_batch_posting_concurrently_with_single_claims(uow):
    lg = pool_book(uow)

    def worker(i):
        with uow() as s:
            if i % 2:
                return lg.post_many(
                    s,
                    [
                        EntryRequest(f"b-{i}-{k}", [debit("issued", 100), credit("pool", 100)])
                        for k in range(20)
                    ],
                ).posted
            return sum(1 for k in range(20) if lg.transfer(s, "issued", "pool", 100, key=f"s-{i}-{k}"))

    results = hammer(32, worker)
    posted = sum(r for r in results if isinstance(r, int))
    errors = [r for r in results if not isinstance(r, int)]
    assert all(isinstance(e, GazetteError) and e.code == "insufficient_funds" for e in errors)
    with uow() as s:
        assert lg.balance(s, "issued") == posted * 100 <= BUDGET
        assert lg.balance(s, "issued") + lg.balance(s, "pool") == BUDGET
        assert lg.verify(s).ok


def test_two_workers_running_the_same_batch_run_post_each_unit_once(uow):
    members = [f"m{i}" for i in range(120)]
    lg = new_book(uow, accounts=[("bank", "银行", "asset")] + [(m, m, "liability") for m in members])
    run_type = f"{lg.book}.collection"

    def process(session, chunk, ctx):
        res = lg.post_many(
            session,
            [EntryRequest(ctx.key(m), [debit("bank", 100), credit(m, 100)]) for m in chunk],
            run_id=ctx.run_id,
        )
        return {"posted": res.posted, "replayed": res.replayed}

    def worker(_):
        return execute_run(run_type, "2022-10", members, process, uow=uow, chunk_size=10)

    results = hammer(4, worker)
    assert all(not isinstance(r, Exception) for r in results), results
    assert all(r.status == "completed" for r in results)
    assert entries(uow, lg) == 120
    with uow() as s:
        assert lg.balance(s, "bank") == 12_000 and lg.verify(s).ok


def test_control_a_naive_read_then_write_pool_does_overspend(uow):
    """The control: the same hammer against a read-check-write pool loses updates, so the
    tests above would catch a ledger that did not use conditional UPDATEs."""
    import time

    from sqlalchemy import text

    lg = pool_book(uow)
    with uow() as s:
        acc_id = lg.account(s, "pool").id

    def naive(i):
        won = 0
        for _ in range(10):
            with uow() as s:
                bal = s.execute(
                    text("SELECT balance FROM ledger_balances WHERE account_id = :id"), {"id": acc_id}
                ).scalar_one()
                if bal >= CLAIM:
                    time.sleep(0.001)
                    s.execute(
                        text("UPDATE ledger_balances SET balance = :b WHERE account_id = :id"),
                        {"b": bal - CLAIM, "id": acc_id},
                    )
                    won += 1
        return won

    results = hammer(WORKERS, naive)
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) > 100  # more claims than the budget allows: lost updates
