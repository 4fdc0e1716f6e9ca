"""Commands: a state change someone asked for, as a frozen dataclass of plain values.

A command carries its idempotency key (幂等键) and its actor; everything else is the request
body, whose canonical hash decides whether a repeat with the same key is the same request.
Validate and canonicalise values (with :mod:`gazette.validate`) before building a command, so
that two spellings of one request hash alike.

    @dataclass(frozen=True, kw_only=True)
    class Contribute(Command):
        scope: ClassVar[str] = "pension.contribute"
        person_id: str
        year: int
        amount_fen: int
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar

from gazette.ledger._sql import check_key, jsonable


@dataclass(frozen=True, kw_only=True)
class Command:
    #: The name the idempotency keys of this kind of command live under, e.g. ``"pension.contribute"``.
    scope: ClassVar[str] = ""
    idempotency_key: str
    actor: str = "system"

    def __post_init__(self) -> None:
        if not type(self).scope:
            raise TypeError(f"{type(self).__name__} must set a class-level scope")
        check_key(self.idempotency_key)

    def body(self) -> dict[str, Any]:
        """The request as JSON: every field but the key and the actor."""
        return jsonable({f.name: getattr(self, f.name) for f in dataclasses.fields(self)
                         if f.name not in ("idempotency_key", "actor")})

    @property
    def key_scope(self) -> str:
        """Keys are scoped to the caller: one person's key never collides with another's."""
        return f"{self.scope}@{self.actor}"
