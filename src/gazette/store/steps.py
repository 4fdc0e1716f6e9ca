"""A command's database work written once, run on either connection: synchronous (an SQLAlchemy
session or connection, in a worker thread) or asynchronous (the event loop's pool,
:mod:`gazette.store.aio`).

The work is a generator that yields ``(statement, params)`` and receives the statement's first
row (``None`` when it returned none); an error of the statement is thrown into the generator at
the ``yield``, where it may become a refusal; the generator's return value is the answer::

    def steps(cmd):
        row = yield READ, {"id": cmd.id}
        ...                      # decide, compute
        row = yield WRITE, params
        return answer(row)

    run(connection, steps(cmd))            # in a worker thread
    await run_async(steps(cmd))            # on the event loop

Both drivers raise database errors alike (SQLAlchemy's ``DBAPIError`` around the driver's), so the
generator's ``except`` clauses serve both.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

Steps = Generator[tuple[Any, dict[str, Any]], Any, Any]


def run(connection: Session | Connection, steps: Steps) -> Any:
    """Drive ``steps`` on ``connection`` (in its transaction); their answer."""
    try:
        statement, params = next(steps)
        while True:
            try:
                row = connection.execute(statement, params).first()
            except DBAPIError as exc:
                statement, params = steps.throw(exc)
            else:
                statement, params = steps.send(row)
    except StopIteration as done:
        return done.value


async def run_async(steps: Steps) -> Any:
    """Drive ``steps`` on the running loop's pool (each statement in autocommit); their answer."""
    from gazette.store import aio

    try:
        statement, params = next(steps)
        while True:
            try:
                row = await aio.fetch_one(statement, params)
            except DBAPIError as exc:
                statement, params = steps.throw(exc)
            else:
                statement, params = steps.send(row)
    except StopIteration as done:
        return done.value
