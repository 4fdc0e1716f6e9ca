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
    # Limits of one request (docs/security.md): bodies, uploads, the request line and headers, and
    # the work one request may cause.
    max_body_bytes: int = 1_048_576  # JSON and form bodies: 1 MiB → 413 beyond
    max_upload_bytes: int = 8_388_608  # /api/v1/parse and /api/v1/ingest: 8 MiB (an issue is ~80 KB)
    max_url_bytes: int = 16_384  # request target (path + query) → 414 beyond
    max_header_bytes: int = 16_384  # all header names and values together → 431 beyond
    parse_timeout_seconds: float = 30.0  # one parse (or the parse of an ingest) → 503 beyond
    cpu_workers: int = 2  # processes parsing uploads
    login_workers: int = 4  # threads hashing passwords (argon2)
    work_queue: int = 16  # requests waiting for a worker → 503 with Retry-After beyond
    denial_retention_days: int = 180  # access_denials and login_attempts older than this are pruned

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
