"""The voucher scheme's commands: each state change someone asked for (领券, 核销, 退券, 退货, and the
enterprise subsidy steps), a frozen dataclass with its idempotency key and actor.

Values are validated and canonical before a command is built (the service functions do it), so two
spellings of one request hash alike. :func:`run` carries a command out through the one handler
(``gazette.schemes.handler.execute``); on PostgreSQL the citizen commands first try their
one-statement form (:mod:`.hotpath`), which writes exactly the rows the handler would.

The request hash of each command is the body the service has always hashed, so a key first used
before commands existed still replays.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

import anyio.to_thread
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gazette.ledger._sql import jsonable
from gazette.schemes.commands import Command
from gazette.schemes.handler import execute
from gazette.store import steps
from gazette.store.db import autocommit_engine, get_engine, unit_of_work
from jiaxing.schemes.vouchers import errors


def caller_scope(scope: str, actor: str) -> str:
    """Idempotency keys are scoped to the caller (``<scope>@<actor>``): one user's key never blocks
    nor reveals another's. An actor too long for the column is replaced by its digest."""
    out = f"{scope}@{actor}"
    if len(out) > 100:
        out = f"{scope}@sha256:{hashlib.sha256(actor.encode()).hexdigest()[:40]}"
    return out


@dataclass(frozen=True, kw_only=True)
class VoucherCommand(Command):
    """``actor`` scopes the key; ``by`` is who acts when it differs from the default the scheme picks
    (a voucher command without a user acts as the voucher's holder). Neither is part of the body."""

    by: str | None = field(default=None)

    @property
    def key_scope(self) -> str:
        return caller_scope(self.scope, self.actor)

    def body(self) -> dict[str, Any]:
        return jsonable({k: v for k, v in self.__dict__.items() if k not in ("idempotency_key", "actor", "by")})


@dataclass(frozen=True, kw_only=True)
class ClaimVoucher(VoucherCommand):
    scope: ClassVar[str] = "vouchers.claim"
    programme: str
    district: str
    person_id: str


@dataclass(frozen=True, kw_only=True)
class RedeemVoucher(VoucherCommand):
    scope: ClassVar[str] = "vouchers.redeem"
    voucher_id: int
    purchase: Any  # as the client sent it (validated inside the command, after the voucher is read)


@dataclass(frozen=True, kw_only=True)
class CancelVoucher(VoucherCommand):
    scope: ClassVar[str] = "vouchers.cancel"
    voucher_id: int
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class RefundVoucher(VoucherCommand):
    scope: ClassVar[str] = "vouchers.refund"
    voucher_id: int
    reason: str | None = None


# ------------------------------------------------------------------------- the city administrator's set-up


@dataclass(frozen=True, kw_only=True)
class SetUpProgrammes(VoucherCommand):
    """Create the programmes and fund every district pool from the policy pack (a rerun adds nothing)."""

    scope: ClassVar[str] = "vouchers.setup"


@dataclass(frozen=True, kw_only=True)
class SetBusinessDate(VoucherCommand):
    scope: ClassVar[str] = "vouchers.business_date"
    date: dt.date


@dataclass(frozen=True, kw_only=True)
class LoadEnterprises(VoucherCommand):
    """Enterprise data for 免申即享: ``[{"id", "name", "district", "facts"}]``, as the client sent it."""

    scope: ClassVar[str] = "vouchers.load_enterprises"
    records: Any


# ------------------------------------------------------------------------- enterprise subsidies


@dataclass(frozen=True, kw_only=True)
class SubmitApplication(VoucherCommand):
    scope: ClassVar[str] = "vouchers.apply"
    enterprise_id: str
    clause: str
    facts: Any
    subject: Any = None
    evidence: Any = ()
    on: dt.date | None = None

    def body(self) -> dict[str, Any]:
        return jsonable({"enterprise_id": self.enterprise_id, "clause": self.clause, "facts": self.facts,
                         "subject": self.subject, "evidence": list(self.evidence),
                         "on": self.on.isoformat() if self.on else None})


@dataclass(frozen=True, kw_only=True)
class StartReview(VoucherCommand):
    scope: ClassVar[str] = "vouchers.review"
    application_id: int


@dataclass(frozen=True, kw_only=True)
class RejectApplication(VoucherCommand):
    scope: ClassVar[str] = "vouchers.reject"
    application_id: int
    reason: Any  # as the client sent it (the rejection checks it)


@dataclass(frozen=True, kw_only=True)
class ApproveApplication(VoucherCommand):
    scope: ClassVar[str] = "vouchers.approve"
    application_id: int


@dataclass(frozen=True, kw_only=True)
class ConfirmOffer(VoucherCommand):
    scope: ClassVar[str] = "vouchers.confirm"
    application_id: int


@dataclass(frozen=True, kw_only=True)
class DeclineOffer(VoucherCommand):
    scope: ClassVar[str] = "vouchers.decline"
    application_id: int


@dataclass(frozen=True, kw_only=True)
class PayApplication(VoucherCommand):
    scope: ClassVar[str] = "vouchers.pay"
    application_id: int


# ------------------------------------------------------------------------- running one


def run(command: Command, session: Session | None = None) -> dict[str, Any]:
    """Carry ``command`` out: in the caller's transaction when ``session`` is given, else in a
    transaction of its own. The result with ``replayed`` beside it.

    On PostgreSQL a command with a one-statement form (:mod:`.hotpath`) runs that statement first.
    In its own transaction the statement runs in autocommit: one round trip, committed by the server
    as the statement ends, so the shared pool row is never held while this process works."""
    from jiaxing.schemes.vouchers import handlers, hotpath  # noqa: F401  (registers the @handles functions)

    form = hotpath.STEPS.get(type(command))
    if session is None:
        return _own_transaction(command, form)
    if form is not None and session.get_bind().dialect.name == "postgresql":
        try:
            out = steps.run(session, form(command))
        except hotpath.FallBack:  # undone, and this transaction with it: the caller retries
            raise errors.voucher_changed(command.voucher_id) from None
        if out is not None:
            return out
    return _general(command, session)


async def run_async(command: Command) -> dict[str, Any]:
    """:func:`run` in a transaction of its own, from the event loop: the one-statement form is
    awaited on the loop's pool (:mod:`gazette.store.aio`) when one is open; anything else — no
    pool, SQLite, the general path — runs in a worker thread. The same answers as :func:`run`."""
    from gazette.store import aio
    from jiaxing.schemes.vouchers import hotpath

    form = hotpath.STEPS.get(type(command))
    if form is None or aio.current() is None:
        return await anyio.to_thread.run_sync(run, command)
    attempts = 0
    while True:
        try:
            out = await steps.run_async(form(command))
        except hotpath.FallBack:
            out = None
        except DBAPIError as exc:
            attempts += 1
            if _run_again(exc, attempts):
                continue
            raise
        if out is not None:
            return out
        return await anyio.to_thread.run_sync(_general_own, command)


def _general(command: Command, session: Session) -> dict[str, Any]:
    outcome = execute(command, session)
    return {**outcome.result, "replayed": outcome.replayed}


def _general_own(command: Command) -> dict[str, Any]:
    with unit_of_work() as session:
        return _general(command, session)


_RETRIES = 3  # a deadlock undoes the whole statement: safe to run again
_DEADLOCK = "40P01"


def _run_again(exc: DBAPIError, attempts: int) -> bool:
    """Whether the one-statement form, failed with ``exc`` on attempt ``attempts``, runs again."""
    from jiaxing.schemes.vouchers import hotpath

    return hotpath.sqlstate(exc) == _DEADLOCK and attempts < _RETRIES


def _own_transaction(command: Command, form) -> dict[str, Any]:
    if form is not None and get_engine().dialect.name == "postgresql":
        out = _one_statement(command, form)
        if out is not None:
            return out
    return _general_own(command)


def _one_statement(command: Command, form) -> dict[str, Any] | None:
    """The one-statement form in autocommit; ``None`` when the general path must answer (the form
    left it undecided, or found the voucher changed and undid itself)."""
    from jiaxing.schemes.vouchers import hotpath

    attempts = 0
    while True:
        try:
            with autocommit_engine().connect() as conn:
                return steps.run(conn, form(command))
        except hotpath.FallBack:
            return None
        except DBAPIError as exc:
            attempts += 1
            if not _run_again(exc, attempts):
                raise
