"""The races the one-statement commands find only after writing (migration 0023), each made to
happen on purpose: another transaction holds what the command needs, the command waits on it
inside its statement, the other transaction commits, and the command must undo every row it wrote
and answer as if it had come second. PostgreSQL only (SQLite takes the general path)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select, text

from gazette.errors import GazetteError
from gazette.store.db import get_engine, session_factory
from gazette.store.ledger_models import IdempotencyKeyRow
from jiaxing.schemes.vouchers import service
from jiaxing.schemes.vouchers.models import Voucher

from .helpers import check_invariants, pid

pytestmark = pytest.mark.postgres

NEV_TOP_FEN = 10_000_00  # what a claim reserves from the nev pool


class Background:
    """``fn`` in a thread, its answer or its error kept."""

    def __init__(self, fn, *args, **kwargs):
        self.result = self.error = None

        def go():
            try:
                self.result = fn(*args, **kwargs)
            except BaseException as exc:  # noqa: BLE001
                self.error = exc

        self.thread = threading.Thread(target=go)
        self.thread.start()

    def join(self):
        self.thread.join(30)
        assert not self.thread.is_alive()
        return self


def wait_until_blocked(url: str, seconds: float = 20.0) -> None:
    """Until some backend waits on a lock (the background command inside its statement)."""
    deadline = time.monotonic() + seconds
    with get_engine(url).connect() as conn:
        while time.monotonic() < deadline:
            if conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                return
            conn.rollback()
            time.sleep(0.02)
    raise AssertionError("the background command never waited on the other transaction")


def claim_on_loop(**kwargs):
    """A claim as the running server makes it: awaited on an event loop's own pool."""
    import asyncio

    from gazette.store import aio
    from jiaxing.schemes.vouchers.commands import run_async

    async def go():
        assert await aio.open_pool()
        try:
            return await run_async(service.claim_command(**kwargs))
        finally:
            await aio.close_pool()

    return asyncio.run(go())


def claim_own(**kwargs):
    """A claim in its own transaction, from a worker thread (autocommit)."""
    return service.claim(None, **kwargs)


CLAIMERS = pytest.mark.parametrize("claim", [claim_own, claim_on_loop], ids=["worker-thread", "event-loop"])


def keys_named(uow, key: str) -> int:
    with uow() as s:
        return s.execute(select(func.count()).select_from(IdempotencyKeyRow).where(IdempotencyKeyRow.key == key)).scalar()


def pool_fen(uow, district: str = "南湖区") -> int:
    from gazette.ledger import Ledger

    with uow() as s:
        return Ledger("vouchers").balance(s, f"pool:nev:{district}")


@CLAIMERS
def test_a_claim_that_finds_the_pool_emptied_after_its_read_writes_nothing(vdb, clean_db, claim):
    budget = pool_fen(vdb)
    for n in range(budget // NEV_TOP_FEN - 1):  # leave room for exactly one more claim
        with vdb() as s:
            service.claim(s, programme="nev", district="南湖区", person_id=pid(f"fill{n}"), key=f"fill{n}")
    other = session_factory(clean_db)()
    service.claim(other, programme="nev", district="南湖区", person_id=pid("first"), key="first")  # not committed
    late = Background(claim, programme="nev", district="南湖区", person_id=pid("late"), key="late")
    wait_until_blocked(clean_db)  # it read the committed balance (room for one) and waits on the pool row
    other.commit()
    other.close()
    late.join()
    assert isinstance(late.error, GazetteError) and late.error.code == "pool_exhausted", late.error
    assert late.error.details["available_fen"] == 0
    assert keys_named(vdb, "late") == 0
    with vdb() as s:
        assert s.execute(select(func.count()).select_from(Voucher).where(Voucher.person_id == pid("late"))).scalar() == 0
    assert pool_fen(vdb) == 0
    check_invariants(vdb)


@CLAIMERS
def test_the_same_person_claiming_twice_at_once_keeps_one_voucher_and_one_key(vdb, clean_db, claim):
    person = pid("twice")
    other = session_factory(clean_db)()
    service.claim(other, programme="nev", district="南湖区", person_id=person, key="k1")  # not committed
    second = Background(claim, programme="nev", district="南湖区", person_id=person, key="k2")
    wait_until_blocked(clean_db)  # waits on the one-live-voucher index
    other.commit()
    other.close()
    second.join()
    assert isinstance(second.error, GazetteError) and second.error.code == "already_claimed", second.error
    assert keys_named(vdb, "k2") == 0 and keys_named(vdb, "k1") == 1
    with vdb() as s:
        assert s.execute(select(func.count()).select_from(Voucher).where(Voucher.person_id == person)).scalar() == 1
    check_invariants(vdb)


@CLAIMERS
def test_the_same_key_sent_twice_at_once_replays_the_first_answer(vdb, clean_db, claim):
    person = pid("same-key")
    other = session_factory(clean_db)()
    first = service.claim(other, programme="nev", district="南湖区", person_id=person, key="k")  # not committed
    again = Background(claim, programme="nev", district="南湖区", person_id=person, key="k")
    wait_until_blocked(clean_db)  # waits on the key's row
    other.commit()
    other.close()
    again.join()
    assert again.error is None, again.error
    assert again.result["replayed"] is True and again.result["voucher_id"] == first["voucher_id"]
    assert keys_named(vdb, "k") == 1
    check_invariants(vdb)


@pytest.mark.parametrize("own_transaction", [True, False])
def test_a_cancel_that_finds_the_voucher_changed_undoes_itself(vdb, clean_db, own_transaction):
    """Its own transaction: the general path then answers precisely (not cancellable). In a caller's
    transaction, that transaction is lost with the statement: the caller is told to retry."""
    with vdb() as s:
        vid = service.claim(s, programme="nev", district="南湖区", person_id=pid("holder"), key="c")["voucher_id"]
    before = pool_fen(vdb)
    other = session_factory(clean_db)()
    service.cancel(other, voucher_id=vid, key="x1")  # not committed: holds the voucher's row

    def cancel_again():
        if own_transaction:
            return service.cancel(None, voucher_id=vid, key="x2")
        with vdb() as s:
            return service.cancel(s, voucher_id=vid, key="x2")

    late = Background(cancel_again)
    wait_until_blocked(clean_db)
    other.commit()
    other.close()
    late.join()
    expected = "voucher_not_cancellable" if own_transaction else "voucher_changed"
    assert isinstance(late.error, GazetteError) and late.error.code == expected, late.error
    assert keys_named(vdb, "x2") == 0 and keys_named(vdb, "x1") == 1
    assert pool_fen(vdb) == before + NEV_TOP_FEN  # returned once
    check_invariants(vdb)


def test_own_transaction_commands_leave_no_transaction_open(vdb, clean_db):
    """The autocommit connection goes back to the pool as the others do: the next caller's unit of
    work is a transaction again (a rollback undoes it)."""
    service.claim(None, programme="nev", district="南湖区", person_id=pid("auto"), key="auto")
    with pytest.raises(RuntimeError), vdb() as s:
        service.claim(s, programme="nev", district="南湖区", person_id=pid("undone"), key="undone")
        raise RuntimeError("the caller fails after the claim")
    assert keys_named(vdb, "undone") == 0 and keys_named(vdb, "auto") == 1
    check_invariants(vdb)


def test_a_batch_whose_statement_meets_a_race_runs_each_request_alone(vdb, clean_db):
    """The batch's one statement waits on another transaction's claim for the same person and is
    undone when that one commits; the batcher then runs the three requests one by one: the person
    is refused (already claimed), the other two get their vouchers, nothing is written twice."""
    from jiaxing.schemes.vouchers.batch import ClaimBatcher

    person = pid("batch-race")
    other = session_factory(clean_db)()
    service.claim(other, programme="nev", district="南湖区", person_id=person, key="elsewhere")  # not committed
    batcher = ClaimBatcher(vdb, max_batch=8, max_wait=0.5)
    try:
        asks = [Background(batcher.claim, programme="nev", district="南湖区", person_id=who, key=f"b-{n}")
                for n, who in enumerate((person, pid("batch-q"), pid("batch-r")))]
        wait_until_blocked(clean_db)
        other.commit()
        other.close()
        for ask in asks:
            ask.join()
    finally:
        batcher.close()
    refused, *claimed = asks
    assert isinstance(refused.error, GazetteError) and refused.error.code == "already_claimed", refused.error
    assert all(a.error is None and a.result["status"] == "claimed" for a in claimed), [a.error for a in claimed]
    assert keys_named(vdb, "b-0") == 0 and keys_named(vdb, "b-1") == keys_named(vdb, "b-2") == 1
    check_invariants(vdb)
