"""Engine and unit of work.

One transaction per command: ``with unit_of_work() as session:`` commits on success and
rolls back on any exception, so a failed command never leaves a partial write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from gazette.settings import get_settings

_engines: dict[str, Engine] = {}
_factories: dict[Engine, sessionmaker[Session]] = {}  # one per engine: building one costs more than a query


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
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()
    _factories.clear()


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
