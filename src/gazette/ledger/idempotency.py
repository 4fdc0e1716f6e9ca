"""Idempotency keys (幂等键) for money commands.

A command runs once per ``(scope, key)``. The first request's body hash and its result are
stored in ``idempotency_keys`` in the same transaction as the command's own writes, so:

* a repeat with the same body returns the stored result and writes nothing;
* a repeat with a different body raises :class:`IdempotencyKeyReused`;
* concurrent repeats are safe: the claim is ``INSERT … ON CONFLICT DO NOTHING`` on the unique
  ``(scope, key)``; on PostgreSQL a second claimer blocks on the first one's uncommitted row
  and, once it commits, finds the row and replays its result (once it rolls back, the second
  claimer runs the command itself);
* a command that fails with a :class:`GazetteError` is not recorded: its claim is removed, so
  the client may retry the same key (the whole transaction should be rolled back anyway).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from gazette.errors import GazetteError
from gazette.ledger import clock
from gazette.ledger._sql import canonical_hash, check_key, dialect_insert, jsonable
from gazette.ledger.errors import IdempotencyKeyInProgress, IdempotencyKeyReused
from gazette.store.ledger_models import IdempotencyKeyRow

T = IdempotencyKeyRow


@dataclass(frozen=True)
class IdempotentResult:
    result: dict[str, Any]
    replayed: bool  # True when the stored result of an earlier request was returned


def request_hash(body: Any) -> str:
    return canonical_hash(body)


def lookup(session: Session, scope: str, key: str) -> tuple[str, dict | None] | None:
    row = session.execute(select(T.request_hash, T.result).where(T.scope == scope, T.key == key)).first()
    return None if row is None else (row[0], row[1])


def _replay(scope: str, key: str, found: tuple[str, dict | None], digest: str) -> IdempotentResult:
    stored_hash, result = found
    if stored_hash != digest:
        raise IdempotencyKeyReused(scope, key)
    if result is None:  # only visible inside the claiming transaction itself
        raise IdempotencyKeyInProgress(scope, key)
    return IdempotentResult(result=result, replayed=True)


def idempotent(
    session: Session,
    scope: str,
    key: str,
    body: Any,
    action: Callable[[], dict[str, Any]],
) -> IdempotentResult:
    """Run ``action()`` once for ``(scope, key)`` and store its JSON result.

    ``body`` is the request as the client sent it (anything JSON-able); its canonical hash
    decides whether a repeat is the same request. ``action`` does the command's writes in
    ``session`` and returns a JSON-able dict — what every repeat will get back.
    """
    check_key(key)
    digest = request_hash(body)
    found = lookup(session, scope, key)
    if found is not None:
        return _replay(scope, key, found, digest)
    stmt = (
        dialect_insert(session, T)
        .values(scope=scope, key=key, request_hash=digest, result=None, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["scope", "key"])
        .returning(T.id)
    )
    claim_id = session.execute(stmt).scalar()
    if claim_id is None:  # somebody else claimed it first (and committed): replay theirs
        found = lookup(session, scope, key)
        assert found is not None
        return _replay(scope, key, found, digest)
    try:
        result = jsonable(action())
    except GazetteError:
        session.execute(delete(T).where(T.id == claim_id))
        raise
    session.execute(update(T).where(T.id == claim_id).values(result=result))
    return IdempotentResult(result=result, replayed=False)
