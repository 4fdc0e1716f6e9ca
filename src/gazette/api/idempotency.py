"""The one ``Idempotency-Key`` header every state-changing API route of every scheme requires.

A route takes it as a parameter::

    from gazette.api.idempotency import REQUIRED_KEY

    @router.post("/things")
    def create(body: ThingBody, p: Principal = Depends(OFFICER), idempotency_key: str = REQUIRED_KEY):
        return run(MakeThing(idempotency_key=idempotency_key, actor=p.username, …))

and hands it to the command; :func:`gazette.schemes.handler.execute` applies the one rule of a
replay (scoped to the caller):

* the same key with the same body → the first result, with ``replayed: true``, and the same status
  (nothing is written a second time);
* the same key with a different body → 409 ``idempotency_key_reused``;
* no key (or an empty one) → 422 ``idempotency_key_required``; a key longer than 200 characters →
  422 ``invalid_request``.

The header is declared required in the OpenAPI schema; its absence is answered by
:func:`gazette.api.problems` with :class:`KeyRequired`, not FastAPI's generic validation message.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from gazette.errors import InvalidInput

HEADER = "Idempotency-Key"
MAX_LENGTH = 200  # the ledger's idempotency_keys.key column


class KeyRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__("此操作必须提供 Idempotency-Key 请求头（同一键重复提交返回首次结果）",
                         "this command needs an Idempotency-Key header (a repeat with the same key returns the "
                         "first result)", field=HEADER, code="idempotency_key_required")


async def _required_key(  # async: no worker-thread hop for a check that does no I/O
    key: Annotated[str, Header(alias=HEADER, max_length=MAX_LENGTH,
                               description="required on every state change: a repeat with the same key and body "
                                           "returns the first result (same status); the same key with another "
                                           "body is refused with 409 idempotency_key_reused")],
) -> str:
    if not key.strip():
        raise KeyRequired()
    return key


IdempotencyKey = Annotated[str, Depends(_required_key)]
"""The ``Idempotency-Key`` of a state-changing route (required, 1–200 characters)."""

REQUIRED_KEY = Depends(_required_key)
"""The same, as a default value (``idempotency_key: str = REQUIRED_KEY``) where the parameter follows
others with defaults."""


def is_missing_key(error: dict) -> bool:
    """Whether a request-validation error is this header's absence."""
    return error.get("type") == "missing" and tuple(error.get("loc", ())) == ("header", HEADER)
