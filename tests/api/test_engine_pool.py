"""The engine's connection pool (gazette.store.db): a connection that sat idle is pinged before it is
handed out, and one the server dropped is replaced without the caller seeing an error; a connection
back in use at once is not pinged (under load a ping would cost every request a round trip)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from gazette.store import db

pytestmark = pytest.mark.postgres


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar()


def test_an_idle_connection_the_server_dropped_is_replaced_unseen(db_url, monkeypatch):
    engine = db.get_engine(db_url)
    first = _backend_pid(engine)
    outside = create_engine(db_url, poolclass=NullPool)  # not from the pool under test
    with outside.begin() as other:  # the server drops our pooled connection (a restart, an idle timeout)
        other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": first})
    outside.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)  # it has now been idle "long enough"
    assert _backend_pid(engine) != first  # pinged, found dead, replaced: no error reaches the caller


def test_a_connection_back_in_use_at_once_is_not_pinged(db_url, monkeypatch):
    engine = db.get_engine(db_url)
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    pings: list[int] = []
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi_conn: pings.append(1) or True)
    event.listen(engine, "before_cursor_execute", count)
    try:
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 3600.0)
        for _ in range(3):
            _backend_pid(engine)
        assert pings == [] and len(seen) == 3
        monkeypatch.setattr(db, "PING_AFTER_IDLE_S", 0.0)
        _backend_pid(engine)
        assert pings == [1]
    finally:
        event.remove(engine, "before_cursor_execute", count)
