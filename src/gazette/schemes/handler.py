"""The one handler: runs a command in a unit of work, once per (caller, key), with its audit and ledger.

A scheme registers one function per command type with :func:`handles`; callers (the API, the
CLI, the pages) build a command and call :func:`execute`. The function does the domain work
through the :class:`Context`, which records audit rows and ledger entries in the same
transaction; :func:`execute` applies idempotency, so a replay returns the first result and
writes nothing. A domain error rolls the whole command back.

What a replay returns is always the first result, with ``replayed=True`` beside it; the API
answers a replay with the same status as the first answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from gazette.ledger import audit
from gazette.ledger.idempotency import idempotent
from gazette.schemes.commands import Command

C = TypeVar("C", bound=Command)


@dataclass
class Context:
    """What a command's function may do besides its own writes: audit and post, in the same transaction."""

    session: Session
    command: Command

    @property
    def actor(self) -> str:
        return self.command.actor

    def audit(self, action: str, entity_type: str, entity_id: str | int, *, before: Any = None,
              after: Any = None, business_date: dt.date | None = None) -> int:
        return audit.record(self.session, actor=self.actor, action=action, entity_type=entity_type,
                            entity_id=entity_id, before=before, after=after, business_date=business_date)

    def post(self, ledger, lines: Sequence, *, key: str, description: str = "",
             business_date: dt.date | None = None, data: dict | None = None):
        """Post one balanced entry on ``ledger`` (a :class:`gazette.ledger.ledger.Ledger`); returns it."""
        return ledger.post(self.session, lines, key=key, description=description, business_date=business_date,
                           data=data, actor=self.actor)


@dataclass(frozen=True)
class Outcome:
    result: dict[str, Any]
    replayed: bool


Handler = Callable[[Context, Any], dict[str, Any]]
_HANDLERS: dict[type[Command], Handler] = {}


def handles(command_type: type[C]) -> Callable[[Callable[[Context, C], dict[str, Any]]], Callable]:
    """Register the function that carries out ``command_type``."""

    def register(fn: Callable[[Context, C], dict[str, Any]]) -> Callable[[Context, C], dict[str, Any]]:
        if command_type in _HANDLERS and _HANDLERS[command_type] is not fn:
            raise TypeError(f"{command_type.__name__} already has a handler")
        _HANDLERS[command_type] = fn
        return fn

    return register


def execute(command: Command, session: Session | None = None) -> Outcome:
    """Run ``command`` once for its (caller, key). Opens a unit of work unless ``session`` is given
    (then the caller commits: several commands may share one transaction, as a batch does)."""
    fn = _HANDLERS.get(type(command))
    if fn is None:
        raise TypeError(f"no handler registered for {type(command).__name__}")
    if session is None:
        from gazette.store.db import unit_of_work

        with unit_of_work() as own:
            return _run(own, command, fn)
    return _run(session, command, fn)


def _run(session: Session, command: Command, fn: Handler) -> Outcome:
    ctx = Context(session=session, command=command)
    res = idempotent(session, command.key_scope, command.idempotency_key, command.body(), lambda: fn(ctx, command))
    return Outcome(result=res.result, replayed=res.replayed)
