"""``python -m gazette.store.probe URL``: exit 0 when the database answers, 1 otherwise.

``ensure_database(url)`` creates a missing PostgreSQL database on a reachable server (benchmarks
use their own databases, so that they never touch the test or the served one).
"""

import sys

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from gazette.store.db import normalise_url


def main(url: str) -> int:
    try:
        engine = create_engine(normalise_url(url), connect_args={"connect_timeout": 3} if "postgresql" in url else {})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        return 0
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        print(f"database not reachable: {exc.__class__.__name__}", file=sys.stderr)
        return 1


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named by ``url`` when it does not exist (no-op for SQLite)."""
    target = make_url(normalise_url(url))
    if not target.drivername.startswith("postgresql"):
        return
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"), {"d": target.database}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
