"""PostgreSQL from the event loop: a pool of asynchronous psycopg connections that lives as long as
the API server's event loop (opened by the FastAPI lifespan, closed at shutdown).

Why: the busiest request paths (a bearer token's caller, a voucher claim) are one short statement
each. Run through the synchronous engine, every such request hops to a worker thread and back —
the hop, not the statement, was most of the server's CPU per claim (issue #17). On this pool the
statement is awaited on the event loop itself.

Only where it is open: :func:`current` is ``None`` outside a server's lifespan (a ``TestClient``
used without ``with``, the CLI, SQLite), and callers then take the synchronous path, which gives
the same answers. Connections are in autocommit — each statement its own transaction — so only
work whose every statement stands alone belongs here: a read, or a command written as one statement
(a redemption reads, then writes with a statement that re-checks what it read).

A connection idle longer than :data:`gazette.store.db.PING_AFTER_IDLE_S` is pinged before use, as
the synchronous engine does; a dead one is replaced unseen.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.sql.elements import ClauseElement

from gazette.errors import Unavailable
from gazette.store import db
from gazette.store.db import get_engine, normalise_url

WAIT_S = 10.0  # a request waits this long for a free connection, then is answered 503
MIN_CONNECTIONS = 4  # kept open: a burst of requests does not wait for connections to be made
MAX_CONNECTIONS = 8  # beside the synchronous engine's 40: two server processes stay under PostgreSQL's 100

_pools: dict[asyncio.AbstractEventLoop, Any] = {}  # the running loop's pool, one per loop


def conninfo(url: str) -> str:
    """libpq's URI for an SQLAlchemy URL (``postgresql+psycopg://…`` → ``postgresql://…``)."""
    return make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


async def open_pool(url: str | None = None, *, min_size: int | None = None, max_size: int | None = None) -> bool:
    """Open the running loop's pool on ``url`` (default: the settings' database) with ``min_size`` to
    ``max_size`` connections (default :data:`MIN_CONNECTIONS`, :data:`MAX_CONNECTIONS`). Only
    PostgreSQL; returns whether a pool is open. The pool opens lazily: a server whose database is
    down still starts, and its first request reports the database's error as any other would."""
    engine = get_engine(url)
    if engine.dialect.name != "postgresql":
        return False
    from psycopg.rows import namedtuple_row
    from psycopg_pool import AsyncConnectionPool

    loop = asyncio.get_running_loop()
    if loop in _pools:
        return True
    pool = AsyncConnectionPool(
        conninfo(engine.url.render_as_string(hide_password=False)), min_size=min_size or MIN_CONNECTIONS,
        max_size=max_size or MAX_CONNECTIONS,
        kwargs={"autocommit": True, "row_factory": namedtuple_row}, check=_ping_if_idle,
        timeout=WAIT_S, open=False, name="gazette-aio")
    await pool.open(wait=False)
    _pools[loop] = pool
    return True


async def close_pool() -> None:
    pool = _pools.pop(asyncio.get_running_loop(), None)
    if pool is not None:
        await pool.close()


def current():
    """The running loop's pool, or ``None`` (no loop, or no pool opened on it)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return _pools.get(loop)


async def _ping_if_idle(conn) -> None:
    since = getattr(conn, "info_idle_since", None)
    if since is not None and time.monotonic() - since < db.PING_AFTER_IDLE_S:
        return
    await conn.execute("SELECT 1")  # raises on a dead connection: the pool discards it and tries another


def _open_pool():
    pool = current()
    if pool is None:
        raise RuntimeError("no asynchronous pool is open on this event loop")
    return pool


def _mark_idle(conn) -> None:
    # by the code that used the connection, not by a pool ``reset`` callback: with one, psycopg-pool
    # returns every connection through its worker task, and the next request waits a loop turn for it
    conn.info_idle_since = time.monotonic()


@asynccontextmanager
async def connection() -> AsyncIterator[Any]:
    """A connection of the running loop's pool (autocommit); :func:`current` must not be ``None``."""
    async with _open_pool().connection() as conn:
        try:
            yield conn
        finally:
            _mark_idle(conn)


@functools.lru_cache(maxsize=64)
def sql(statement: ClauseElement) -> str:
    """``statement`` (a ``text()`` or Core select with named parameters) as psycopg's SQL text, with
    ``%(name)s`` placeholders: the same statement the synchronous engine sends."""
    from sqlalchemy.dialects.postgresql import psycopg as dialect

    return str(statement.compile(dialect=dialect.dialect()))


async def fetch_one(statement: ClauseElement, params: dict[str, Any]):
    """The first row of ``statement`` (or ``None``), in one round trip on a pooled connection.

    A database error is raised as the synchronous engine raises it (SQLAlchemy's ``DBAPIError``
    subclass around psycopg's error), so callers and the API's handlers treat both paths alike; no
    free connection within :data:`WAIT_S` is :class:`DatabaseBusy` (503)."""
    import psycopg
    from psycopg_pool import PoolTimeout
    from sqlalchemy.exc import DBAPIError

    text = sql(statement)
    pool = _open_pool()
    try:
        # getconn/putconn rather than ``pool.connection()``: in autocommit the context manager's
        # commit is a no-op, and on the busiest path its layers were a fifth of a claim's client CPU
        conn = await pool.getconn()
    except PoolTimeout:
        raise DatabaseBusy() from None
    try:
        cur = conn.info_cursor  # type: ignore[attr-defined]
    except AttributeError:
        cur = conn.info_cursor = conn.cursor()  # type: ignore[attr-defined]
    try:
        await cur.execute(text, params)
        return await cur.fetchone()
    except psycopg.Error as exc:
        raise DBAPIError.instance(text, params, exc, psycopg.Error) from exc
    finally:
        _mark_idle(conn)
        await pool.putconn(conn)  # a connection left broken or busy is discarded and replaced


class DatabaseBusy(Unavailable):
    def __init__(self) -> None:
        super().__init__(f"数据库连接繁忙（{WAIT_S:g} 秒内无空闲连接），请稍后再试",
                         f"no database connection came free within {WAIT_S:g} s; retry later",
                         code="database_busy", details={"retry_after": 1})
        self.retry_after = 1
