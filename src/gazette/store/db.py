"""Engine and unit of work.

One transaction per command: ``with unit_of_work() as session:`` commits on success and
rolls back on any exception, so a failed command never leaves a partial write.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from gazette.settings import get_settings

_engines: dict[str, Engine] = {}
_factories: dict[Engine, sessionmaker[Session]] = {}  # one per engine: building one costs more than a query
_autocommit: dict[Engine, Engine] = {}


def normalise_url(url: str) -> str:
    # A bare postgresql:// URL means psycopg 3, the driver we install.
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.removeprefix("postgres://")
    return url


def get_engine(url: str | None = None) -> Engine:
    url = normalise_url(url or get_settings().database_url)
    engine = _engines.get(url)
    if engine is None:
        engine = _make_engine(url)
        _engines[url] = engine
    return engine


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    # 20 kept open (a busy moment does not open and close connections per request), at most 40 — the
    # server's request threads (anyio: 40); two server processes stay under PostgreSQL's default 100
    engine = create_engine(url, pool_size=20, max_overflow=20)
    _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_S = 2.0  # a connection back in use within this long was just working: no ping


def _ping_when_idle(engine: Engine) -> None:
    """Pessimistic disconnect handling, as ``pool_pre_ping`` does, but only for a connection that sat
    idle in the pool: under load every request would otherwise pay a round trip for the ping (a claim
    is one round trip in all). A failed ping discards the connection and the pool opens another."""

    @event.listens_for(engine, "checkin")
    def _idle_from(dbapi_conn, record) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_conn, record, proxy) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_S:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError(f"the idle connection failed its ping: {exc}") from exc
        if not alive:
            raise DisconnectionError("the idle connection failed its ping")


def autocommit_engine(url: str | None = None) -> Engine:
    """The engine of ``url`` with connections in autocommit: each statement is its own transaction,
    committed by the server as it ends — for a command that is one statement (one round trip, and
    no lock held while the client works). Same pool as :func:`get_engine`."""
    engine = get_engine(url)
    auto = _autocommit.get(engine)
    if auto is None:
        auto = _autocommit[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return auto


def dispose_engines(*, close: bool = True) -> None:
    """Forget every engine. ``close=False`` in a process just forked: the connections are the
    parent's, and closing them here would close them for the parent too."""
    for engine in _engines.values():
        engine.dispose(close=close)
    _engines.clear()
    _factories.clear()
    _autocommit.clear()


def session_factory(url: str | None = None) -> sessionmaker[Session]:
    engine = get_engine(url)
    factory = _factories.get(engine)
    if factory is None:
        factory = _factories[engine] = sessionmaker(bind=engine, expire_on_commit=False)
    return factory


@contextmanager
def unit_of_work(url: str | None = None) -> Iterator[Session]:
    session = session_factory(url)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
