"""Configuration from ``GAZETTE_*`` environment variables (pydantic-settings)."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GAZETTE_", extra="ignore")

    database_url: str = "sqlite:///./var/gazette.db"
    # The search index is derived from the database and rebuilt when stale; by default it
    # sits beside the database so two databases never share one index.
    search_index_dir: str | None = None
    pack: str = "jiaxing"
    # Access control (gazette.auth): mark cookies Secure even behind a TLS-terminating proxy;
    # the key signing pre-session CSRF tokens (default: a random key kept in the database).
    cookie_secure: bool = False
    secret_key: str | None = None

    def resolved_search_index_dir(self) -> Path:
        if self.search_index_dir:
            return Path(self.search_index_dir)
        url = self.database_url
        if url.startswith("sqlite:///") and not url.endswith(":memory:"):
            db_path = Path(url.removeprefix("sqlite:///"))
            return db_path.with_name(db_path.stem + "-search")
        digest = hashlib.sha256(url.encode()).hexdigest()[:12]
        return Path("var") / f"search-{digest}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    get_settings.cache_clear()
