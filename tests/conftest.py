"""Shared fixtures: a migrated database on SQLite or PostgreSQL (GAZETTE_TEST_DATABASE_URL).

`make test` runs the whole suite twice: once on SQLite, once on PostgreSQL. Tests marked
``postgres`` need PostgreSQL's concurrency semantics and are skipped in the SQLite pass only;
with CI=true a PostgreSQL pass that cannot connect fails instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import MetaData, text

from gazette.settings import reset_settings_cache
from gazette.store.db import dispose_engines, get_engine, normalise_url
from gazette.store.migrate import upgrade
from gazette.store.models import Base

ROOT = Path(__file__).resolve().parents[1]
GAZETTES = ROOT / "src" / "jiaxing" / "data" / "gazettes"


def _test_url(tmp_path_factory) -> str:
    url = os.environ.get("GAZETTE_TEST_DATABASE_URL")
    if url:
        return normalise_url(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def _reset_schema(url: str) -> None:
    engine = get_engine(url)
    with engine.begin() as conn:
        if is_postgres(url):
            conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            existing = MetaData()
            existing.reflect(conn)  # every table, including those of packs not imported here
            existing.drop_all(conn)


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    url = _test_url(tmp_path_factory)
    _reset_schema(url)
    upgrade(url)
    os.environ["GAZETTE_DATABASE_URL"] = url
    os.environ.setdefault("GAZETTE_SEARCH_INDEX_DIR", str(tmp_path_factory.mktemp("search-index")))
    reset_settings_cache()
    yield url
    dispose_engines()


@pytest.fixture()
def clean_db(db_url):
    """A database with every table emptied (schema kept), for tests that need a blank slate."""
    engine = get_engine(db_url)
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    yield db_url


@pytest.fixture(scope="module")
def corpus_client(db_url):
    """An API/web client over a database holding exactly the shipped gazettes — emptied and ingested
    afresh for each test module, since other modules leave their own rows behind."""
    from fastapi.testclient import TestClient

    from gazette.api.app import create_app
    from gazette.corpus import service
    from gazette.store.db import unit_of_work

    with get_engine(db_url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    for path in sorted(GAZETTES.glob("*.txt")):
        with unit_of_work() as session:
            service.ingest_file(session, path)
    return TestClient(create_app(), raise_server_exceptions=False)


@pytest.fixture(scope="session")
def gazette_paths() -> list[Path]:
    return sorted(GAZETTES.glob("*.txt"))


def pytest_collection_modifyitems(config, items):
    url = os.environ.get("GAZETTE_TEST_DATABASE_URL", "")
    if is_postgres(normalise_url(url)):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: runs in the PostgreSQL pass of `make test`")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite golden files from the current output instead of comparing (also GAZETTE_UPDATE_GOLDEN=1)",
    )


@pytest.fixture()
def update_golden(request) -> bool:
    return bool(request.config.getoption("--update-golden") or os.environ.get("GAZETTE_UPDATE_GOLDEN"))
