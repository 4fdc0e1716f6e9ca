"""Ingest benchmark: parse + store both shipped issues in one transaction each.

Our figure: wall time for both issues into a fresh SQLite database (median of several runs,
after one warm-up so imports are not counted).  Anchor, measured in the same run: the same
rows written the naive way, one commit per row.  Goal: < 1 s for both issues.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from sqlalchemy.orm import Session  # noqa: E402

from gazette.corpus import repository  # noqa: E402
from gazette.corpus.parse import parse_bytes  # noqa: E402
from gazette.store.db import dispose_engines, get_engine, unit_of_work  # noqa: E402
from gazette.store.migrate import upgrade  # noqa: E402

FILES = sorted((ROOT / "src" / "jiaxing" / "data" / "gazettes").glob("*.txt"))
RUNS = 5


def fresh_db() -> str:
    path = Path(tempfile.mkdtemp()) / "bench.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


def ours(url: str) -> float:
    start = time.perf_counter()
    for f in FILES:
        data = f.read_bytes()
        with unit_of_work(url) as session:
            repository.store_parse(session, parse_bytes(data, f.name), data, f.name)
    return time.perf_counter() - start


class AutocommitSession(Session):
    """The per-row way: every row is its own transaction."""

    def add(self, instance, *args, **kwargs) -> None:
        super().add(instance, *args, **kwargs)
        self.commit()


def naive(url: str) -> float:
    """The same parse and the same rows, committed one row at a time."""
    engine = get_engine(url)
    start = time.perf_counter()
    for f in FILES:
        data = f.read_bytes()
        with AutocommitSession(engine, expire_on_commit=False) as session:
            repository.store_parse(session, parse_bytes(data, f.name), data, f.name)
            session.commit()
    return time.perf_counter() - start


def main() -> None:
    ours(fresh_db())  # warm-up: imports, jieba-free parse path, SQLAlchemy compilation caches
    our_times = [ours(fresh_db()) for _ in range(RUNS)]
    anchor_times = [naive(fresh_db()) for _ in range(2)]
    dispose_engines()
    ours_s, anchor_s = statistics.median(our_times), statistics.median(anchor_times)
    print(f"ingest of both issues (parse + store, SQLite): ours {ours_s * 1000:.0f} ms (median of {RUNS})")
    print(f"anchor: same rows with one commit per row: {anchor_s * 1000:.0f} ms")
    print(f"ratio anchor/ours: {anchor_s / ours_s:.1f}x   goal < 1000 ms: {'met' if ours_s < 1 else 'NOT met'}")


if __name__ == "__main__":
    main()
