from __future__ import annotations

import pytest

import jiaxing.schemes.airspace.models  # noqa: F401  (registers the tables, so clean_db empties them)
from tests.schemes.airspace.helpers import SECOND_NOTICE


@pytest.fixture()
def second_notice(tmp_path, monkeypatch):
    """A second control notice, written as data only, in the operator's notice directory."""
    d = tmp_path / "notices"
    d.mkdir()
    (d / "marathon.yaml").write_text(SECOND_NOTICE, encoding="utf-8")
    monkeypatch.setenv("GAZETTE_AIRSPACE_NOTICES", str(d))
    return d


@pytest.fixture(scope="module")
def module_db(db_url):
    """A database emptied once for the module (users are costly to create: argon2); the module's tests
    then share it and use their own serials."""
    from gazette.store.db import get_engine
    from gazette.store.models import Base

    with get_engine(db_url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    return db_url
