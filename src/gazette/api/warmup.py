"""Warm-up at server start (FastAPI lifespan): the first request and the first search are as fast as
the rest. Without it the first calculation pays for loading, compiling and translating the rules (YAML, polars),
the first search for building or opening the index and initialising jieba — seconds — and the first
request to each route for FastAPI's building of the route tables.

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


def warm_routes(app: FastAPI) -> None:
    """FastAPI builds an included router's table of routes when the first request passes through it:
    the first request to a late route paid for all of them (a quarter of a second here). Built now,
    by matching a path no route has."""
    scope = {"type": "http", "method": "GET", "path": "/\x00warm-up", "root_path": "", "headers": [],
             "query_string": b"", "app": app}
    for route in app.router.routes:
        route.matches(scope)


def warm_up(app: FastAPI | None = None) -> dict[str, float | str]:
    """Run every step; returns seconds per step, or the reason a step was skipped."""
    done: dict[str, float | str] = {}
    steps = [("rules", warm_rules), ("search", warm_search)]
    if app is not None:
        steps.append(("routes", lambda: warm_routes(app)))
    for name, step in steps:
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
    app.state.warmup = warm_up(app)
    yield
