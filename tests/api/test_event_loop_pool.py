"""The event loop's own PostgreSQL pool (gazette.store.aio) and the two drivers of a command's steps
(gazette.store.steps): the same statements and the same errors on both; a dropped connection is
replaced unseen; no free connection is a 503 after a bounded wait, never a hang. (That a token
caller's voucher claim uses no worker thread is tested beside the voucher API.)"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from gazette.api.problems import http_status
from gazette.store import aio, db, steps

pytestmark = pytest.mark.postgres

PID = text("SELECT pg_backend_pid() AS pid")


def _work(seen: list):
    """Steps: a row in, a failing statement whose error is caught, a second row out."""
    row = yield text("SELECT CAST(:x AS int) + 1 AS y"), {"x": 41}
    seen.append(row.y)
    try:
        yield text("SELECT 1 / CAST(:z AS int) AS boom"), {"z": 0}
    except DBAPIError as exc:
        seen.append(exc.orig.sqlstate)
    row = yield text("SELECT CAST(:s AS text) AS s"), {"s": "完"}
    return row.s


async def _on_pool(url: str, coro_fn):
    assert await aio.open_pool(url)
    try:
        return await coro_fn()
    finally:
        await aio.close_pool()


def test_both_drivers_run_the_same_steps_alike(db_url):
    on_thread: list = []
    with db.autocommit_engine(db_url).connect() as conn:
        answer = steps.run(conn, _work(on_thread))
    on_loop: list = []
    answer_loop = asyncio.run(_on_pool(db_url, lambda: steps.run_async(_work(on_loop))))
    assert answer == answer_loop == "完"
    assert on_thread == on_loop == [42, "22012"]  # division by zero, thrown into the steps on both


def test_a_dropped_connection_is_replaced_unseen(db_url, monkeypatch):
    monkeypatch.setattr(aio, "MIN_CONNECTIONS", 1)
    monkeypatch.setattr(aio, "MAX_CONNECTIONS", 1)  # the next request must get the dropped one

    async def scenario():
        first = (await aio.fetch_one(PID, {})).pid
        outside = create_engine(db_url, poolclass=NullPool)
        with outside.begin() as other:  # the server drops the pooled connection (a restart, an idle timeout)
            other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
        outside.dispose()
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # idle "long enough": pinged before use
        return first, (await aio.fetch_one(PID, {})).pid

    first, then = asyncio.run(_on_pool(db_url, scenario))
    assert then != first  # pinged, found dead, replaced: no error reached the caller


def test_no_free_connection_is_a_503_after_a_bounded_wait(db_url, monkeypatch):
    monkeypatch.setattr(aio, "MIN_CONNECTIONS", 1)
    monkeypatch.setattr(aio, "MAX_CONNECTIONS", 1)
    monkeypatch.setattr(aio, "WAIT_S", 0.3)

    async def scenario():
        async with aio.connection():  # the only connection, held
            with pytest.raises(aio.DatabaseBusy) as caught:
                await aio.fetch_one(PID, {})
        after = await aio.fetch_one(PID, {})  # released: served again
        return caught.value, after

    busy, after = asyncio.run(_on_pool(db_url, scenario))
    assert http_status(busy) == 503 and busy.code == "database_busy" and busy.message_zh and busy.message_en
    assert after.pid > 0


def test_no_pool_outside_a_lifespan_or_on_sqlite(db_url, tmp_path):
    assert aio.current() is None  # no running loop

    async def on_sqlite():
        return await aio.open_pool(f"sqlite:///{tmp_path / 'x.db'}"), aio.current()

    assert asyncio.run(on_sqlite()) == (False, None)


def test_a_returned_connection_serves_the_next_request_at_once(db_url, monkeypatch):
    """Back in the pool when the statement ends (not through the pool's worker task, which made the
    next request wait a loop turn in the queue); an error leaves it fit for the next request."""
    monkeypatch.setattr(aio, "MIN_CONNECTIONS", 1)
    monkeypatch.setattr(aio, "MAX_CONNECTIONS", 1)

    async def scenario():
        pids = [(await aio.fetch_one(PID, {})).pid]  # the pool opens lazily: this one waits for it
        aio.current().pop_stats()
        pids += [(await aio.fetch_one(PID, {})).pid for _ in range(20)]
        with pytest.raises(DBAPIError) as failed:
            await aio.fetch_one(text("SELECT 1 / CAST(:z AS int) AS boom"), {"z": 0})
        pids.append((await aio.fetch_one(PID, {})).pid)
        return pids, failed.value, aio.current().pop_stats()

    pids, failed, stats = asyncio.run(_on_pool(db_url, scenario))
    assert len(set(pids)) == 1  # one connection throughout, the failed statement's included
    assert failed.orig.sqlstate == "22012"
    assert stats.get("requests_num") == 22 and stats.get("requests_queued", 0) == 0  # none waited
