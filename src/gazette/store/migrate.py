"""Run Alembic migrations programmatically (``gazette migrate``, tests, ``make run``).

Upgrading to ``heads`` lets independent parts of the platform (corpus, ledger, each scheme)
branch their migrations from a common revision without a merge revision for every pair.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from gazette.settings import get_settings
from gazette.store.db import get_engine, normalise_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", normalise_url(url or get_settings().database_url))
    return cfg


def upgrade(url: str | None = None, revision: str = "heads") -> None:
    cfg = alembic_config(url)
    with get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    cfg = alembic_config(url)
    with get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)
