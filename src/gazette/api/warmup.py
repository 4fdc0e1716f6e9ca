"""Warm-up at server start (FastAPI lifespan): the first request and the first search are as fast as
the rest. Without it the first calculation pays for loading, compiling and translating the rules (YAML, polars),
and the first search for building or opening the index and initialising jieba — seconds.

Each step is best effort: a server on an empty database still starts (the log says what was not
warmed), and the step is done again lazily by the first request that needs it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

log = logging.getLogger("gazette.warmup")


def warm_rules() -> None:
    from gazette.rules.engine import get_engine

    get_engine().warm(dt.date.today())  # compiled, and translated for the one-applicant row path


def warm_search() -> None:
    from gazette.corpus import service
    from gazette.search.query import _segmenter
    from gazette.store.db import unit_of_work

    _segmenter()  # jieba's dictionary
    with unit_of_work() as session:
        service.search(session, "公报", limit=1)  # builds a stale index, opens the searcher


def warm_up() -> dict[str, float | str]:
    """Run every step; returns seconds per step, or the reason a step was skipped."""
    done: dict[str, float | str] = {}
    for name, step in (("rules", warm_rules), ("search", warm_search)):
        start = time.perf_counter()
        try:
            step()
            done[name] = round(time.perf_counter() - start, 3)
        except Exception as exc:  # noqa: BLE001 - warming is an optimisation, never a reason not to serve
            done[name] = f"skipped: {exc.__class__.__name__}: {exc}"[:200]
    log.info("warm-up: %s", done)
    return done


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.warmup = warm_up()
    yield
