"""The one command handler: once per (caller, key), audit in the same transaction, errors roll back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from sqlalchemy import func, select

from gazette.errors import Conflict, GazetteError
from gazette.ledger import audit
from gazette.schemes.commands import Command
from gazette.schemes.handler import Context, execute, handles
from gazette.store.db import unit_of_work
from gazette.store.ledger_models import AuditLogRow

CALLS: list[str] = []


@dataclass(frozen=True, kw_only=True)
class Greet(Command):
    scope: ClassVar[str] = "test.greet"
    name: str


@handles(Greet)
def _greet(ctx: Context, cmd: Greet) -> dict:
    if cmd.name == "refuse":
        ctx.audit("greet", "greeting", cmd.name)
        raise Conflict("不行", "refused", field="name", code="refused")
    CALLS.append(cmd.name)
    ctx.audit("greet", "greeting", cmd.name, after={"name": cmd.name})
    return {"hello": cmd.name, "n": len(CALLS)}


def _audits(name: str) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(AuditLogRow).where(AuditLogRow.entity_id == name))


def test_once_per_caller_and_key(clean_db):
    CALLS.clear()
    first = execute(Greet(idempotency_key="k1", actor="alice", name="x"))
    again = execute(Greet(idempotency_key="k1", actor="alice", name="x"))
    assert first.replayed is False and again.replayed is True
    assert again.result == first.result == {"hello": "x", "n": 1}
    assert CALLS == ["x"] and _audits("x") == 1
    # another caller's identical key is their own: it runs, and reveals nothing of alice's
    bob = execute(Greet(idempotency_key="k1", actor="bob", name="x"))
    assert bob.replayed is False and CALLS == ["x", "x"]


def test_same_key_other_body_refused(clean_db):
    execute(Greet(idempotency_key="k2", actor="alice", name="y"))
    with pytest.raises(GazetteError) as err:
        execute(Greet(idempotency_key="k2", actor="alice", name="z"))
    assert err.value.code == "idempotency_key_reused"


def test_error_rolls_back_everything_and_frees_the_key(clean_db):
    with pytest.raises(Conflict):
        execute(Greet(idempotency_key="k3", actor="alice", name="refuse"))
    assert _audits("refuse") == 0
    with unit_of_work() as s:
        assert audit.history(s, entity_type="greeting") == []


def test_commands_need_a_key_and_a_scope():
    with pytest.raises(GazetteError):
        Greet(idempotency_key="", name="x")

    @dataclass(frozen=True, kw_only=True)
    class NoScope(Command):
        pass

    with pytest.raises(TypeError):
        NoScope(idempotency_key="k")
