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
