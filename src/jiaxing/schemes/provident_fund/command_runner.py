"""How the fund's edges run a command: through the one handler, with the one rule for replays.

A command with the caller's idempotency key runs once per (caller, key); a repeat returns the first
result with ``replayed: true`` and writes nothing (the API answers it with the first status). The
API requires the key on every state-changing route; the CLI, the pages and internal callers may
omit it, and then the command gets a key of its own (``once:<uuid>``) — still one command through
the handler, with its audit and ledger entries, but one that no repeat can match.
"""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from gazette.schemes.commands import Command
from gazette.schemes.handler import execute


def key_or_once(key: str | None) -> str:
    return key if key else f"once:{uuid.uuid4().hex}"


def run_command(command: Command, session: Session | None = None) -> dict:
    """Execute ``command`` (in ``session`` when given: the caller commits) and answer its result."""
    outcome = execute(command, session)
    return {**outcome.result, "replayed": outcome.replayed}
