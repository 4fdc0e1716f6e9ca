"""The citizen commands in one round trip on PostgreSQL (issue #17).

A claim is one call of ``vch_claim`` and a cancel or refund one call of ``vch_release``: PL/pgSQL
functions kept in migration ``0022``, each one statement of data-modifying CTEs. (As functions, the
call is a short text whose parsing psycopg caches — it caches none over 4,096 bytes, and parsing the
5,000-byte statement in Python was a quarter of a claim's client CPU — and the plan is kept for the
session. The parameters below are the functions' own, in their order.) The claim's statement: read the key's earlier result, the business date
and whether the person already holds a live voucher; move the pool with the guarded conditional
UPDATE; then — each step only if the previous one wrote — the idempotency row with its result, the
voucher, the issued balance, the ledger entry, its two lines and the two audit records. The rows are
exactly those the general path (:mod:`.handlers`) writes: the same keys, hashes, JSON and order of
ids (a test compares the two paths row by row).

Order of the writes: the pool first. The only refusal that is common (the pool is exhausted) then
writes nothing at all; the refusals that the reads decide (a replay, a closed window, a person who
already holds a voucher) write nothing either. Two races can refuse a later write after the pool
moved — a concurrent request with the same key, or the same person claiming at the same moment with
another key — and then one compensating statement puts the pool back (and frees our key), as the
ledger's own ``undo_applied`` does; such a race costs two round trips instead of one.

Cancel, refund and redeem: one conditional UPDATE of the voucher (``WHERE status = …`` instead of a
row lock) chained with the balances, the entry, its lines, the audit record and the idempotency row.
Redeem reads the voucher first (the engine needs its programme and reserve), so it takes two.

Anything these statements do not decide (no programme row, no accounts, a key still in progress,
a programme row that differs from the pack) returns ``None`` and the caller runs the general path,
which answers with the precise error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.ledger import clock
from gazette.ledger._sql import canonical_hash, check_key, jsonable
from gazette.ledger.errors import IdempotencyKeyReused
from gazette.ledger.idempotency import request_hash
from gazette.ledger.money import fen_to_yuan
from jiaxing.schemes.vouchers import core, errors
from jiaxing.schemes.vouchers.commands import CancelVoucher, ClaimVoucher, RefundVoucher
from jiaxing.schemes.vouchers.programmes import BOOK, SPECS, account_codes, programme_facts

_PLACEHOLDER = 918273645546372819  # stands for an id in a hash text, replaced in SQL


def _split_hash_text(body: dict[str, Any], marker: int = _PLACEHOLDER) -> tuple[str, str]:
    """The canonical JSON of ``body`` (as :func:`canonical_hash` writes it) cut where ``marker``
    stands, so that SQL can hash ``prefix || id || suffix`` once it knows the id."""
    txt = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert txt.count(str(marker)) == 1
    prefix, suffix = txt.split(str(marker))
    return prefix, suffix


def _entry_hash_parts(lines: list[list], memo: str, data: dict[str, Any]) -> tuple[str, str]:
    """What :func:`gazette.ledger.postings.request_digest` hashes, with the voucher id left open."""
    return _split_hash_text({"book": BOOK, "lines": lines, "description": memo, "business_date": None,
                             "data": data, "reversal_of": None})


_CLAIM = text(
    "SELECT * FROM vch_claim(CAST(:book AS text), CAST(:programme AS text), CAST(:district AS text), "
    "CAST(:person AS text), CAST(:reserved AS bigint), CAST(:clause AS text), CAST(:ws AS date), CAST(:we AS date), "
    "CAST(:pool_code AS text), CAST(:issued_code AS text), CAST(:scope AS text), CAST(:key AS text), "
    "CAST(:req_hash AS text), CAST(:now AS timestamptz), CAST(:actor AS text), CAST(:memo AS text), "
    "CAST(:h1 AS text), CAST(:h2 AS text), CAST(:result AS jsonb), CAST(:voucher_after AS json), "
    "CAST(:entry_after AS jsonb))")


_UNDO_POOL = text("UPDATE ledger_balances SET balance = balance + CAST(:d AS bigint) WHERE account_id = :acc")
_FREE_KEY = text("DELETE FROM idempotency_keys WHERE id = :id")
_LOOKUP_KEY = text("SELECT request_hash, result FROM idempotency_keys WHERE scope = :scope AND key = :key")


def _replay(scope: str, key: str, digest: str, found_hash: str, result: Any) -> dict[str, Any] | None:
    if found_hash != digest:
        raise IdempotencyKeyReused(scope, key)
    if result is None:  # in progress in this very transaction: the general path says so
        return None
    return {**result, "replayed": True}


def claim(session: Session, cmd: ClaimVoucher) -> dict[str, Any] | None:
    check_key(cmd.idempotency_key)
    pf = programme_facts(cmd.programme)
    spec = SPECS[cmd.programme]
    acc = account_codes(cmd.programme, cmd.district)
    reserved = pf.max_face_fen
    memo = core.CLAIM_MEMO.format(name=spec.name)
    lines = [[acc["issued"], "D", reserved], [acc["pool"], "C", reserved]]
    h1, h2 = _entry_hash_parts(lines, memo, {"clause": spec.clause, "voucher": _PLACEHOLDER})
    scope, digest = cmd.key_scope, request_hash(cmd.body())
    result = {"programme": cmd.programme, "district": cmd.district, "person_id": cmd.person_id, "status": "claimed",
              "reserved_yuan": fen_to_yuan(reserved), "clause": spec.clause,
              "expires_on": pf.window_end.isoformat()}
    voucher_after = {"status": "claimed", "programme": cmd.programme, "district": cmd.district,
                     "person_id": cmd.person_id, "reserved_fen": reserved}
    entry_after = {"book": BOOK, "description": memo, "lines": lines, "reversal_of": None, "run_id": None}
    row = session.execute(_CLAIM, {
        "book": BOOK, "programme": cmd.programme, "district": cmd.district, "person": cmd.person_id,
        "reserved": reserved, "clause": spec.clause, "ws": pf.window_start, "we": pf.window_end,
        "pool_code": acc["pool"], "issued_code": acc["issued"], "scope": scope, "key": cmd.idempotency_key,
        "req_hash": digest, "now": clock.now(), "actor": cmd.actor, "memo": memo, "h1": h1, "h2": h2,
        "result": json.dumps(result, ensure_ascii=False), "voucher_after": json.dumps(voucher_after, ensure_ascii=False),
        "entry_after": json.dumps(entry_after, ensure_ascii=False),
    }).one()
    if row.prior_found:
        return _replay(scope, cmd.idempotency_key, digest, row.prior_hash, row.prior_result)
    if not row.prog_ok or row.on_date is None or row.pool_id is None or row.issued_id is None:
        return None  # not set up, or the programme row is not the pack's: the general path decides
    if not (pf.window_start <= row.on_date <= pf.window_end):
        raise errors.window_closed("领券", row.on_date, pf.window_start, pf.window_end, "date")
    if row.live:
        raise errors.already_claimed(cmd.programme, cmd.person_id)
    if not row.pool_ok:
        raise errors.pool_exhausted(cmd.programme, cmd.district, int(row.pool_balance), reserved)
    if row.idem_id is None:  # a concurrent request with our key committed first: undo, replay theirs
        session.execute(_UNDO_POOL, {"d": reserved, "acc": row.pool_id})
        found = session.execute(_LOOKUP_KEY, {"scope": scope, "key": cmd.idempotency_key}).one()
        return _replay(scope, cmd.idempotency_key, digest, found.request_hash, found.result)
    if row.voucher_id is None:  # the same person claimed at this moment with another key
        session.execute(_UNDO_POOL, {"d": reserved, "acc": row.pool_id})
        session.execute(_FREE_KEY, {"id": row.idem_id})
        raise errors.already_claimed(cmd.programme, cmd.person_id)
    assert row.written == 5, row  # issued balance, two lines, two audit records
    return {**row.result, "replayed": False}


# ------------------------------------------------------------------------- release: cancel and refund

_RELEASE = text(
    "SELECT * FROM vch_release(CAST(:book AS text), CAST(:scope AS text), CAST(:key AS text), "
    "CAST(:req_hash AS text), CAST(:vid AS bigint), CAST(:from_status AS text), CAST(:to_status AS text), "
    "CAST(:credit_kind AS text), CAST(:memo AS text), CAST(:action AS text), CAST(:reason AS text), "
    "CAST(:by AS text), CAST(:now AS timestamptz))")



def _release(session: Session, cmd, *, from_status: str, to_status: str, credit_kind: str, memo: str,
             action: str) -> dict[str, Any] | None:
    check_key(cmd.idempotency_key)
    core.check_voucher_id(cmd.voucher_id)
    if cmd.reason is not None and not isinstance(cmd.reason, str):
        return None
    scope, digest = cmd.key_scope, request_hash(cmd.body())
    row = session.execute(_RELEASE, {
        "book": BOOK, "scope": scope, "key": cmd.idempotency_key, "req_hash": digest, "vid": cmd.voucher_id,
        "from_status": from_status, "to_status": to_status, "credit_kind": credit_kind, "memo": memo,
        "action": action, "reason": cmd.reason, "by": cmd.by, "now": clock.now(),
    }).one()
    if row.prior_found:
        return _replay(scope, cmd.idempotency_key, digest, row.prior_hash, row.prior_result)
    if row.changed and row.entry_id is not None and row.idem_id is not None:
        assert row.written == 4, row  # two lines, two audit records
        return {**row.result, "replayed": False}
    if row.changed:  # a concurrent request with our key won: put everything back... by rolling back
        raise errors.invalid("voucher_conflict", "同一幂等键的请求正在处理中，请重试", "a request with this key is in progress: retry",
                        "Idempotency-Key")
    if row.debit_id is not None:  # the money moved but the voucher had changed meanwhile: put it back
        session.execute(_UNDO_POOL, {"d": -row.amount, "acc": row.debit_id})
        if row.credit_id is not None:
            session.execute(_UNDO_POOL, {"d": row.amount, "acc": row.credit_id})
    return None  # not found, or not in the state we need: the general path answers precisely


def cancel(session: Session, cmd: CancelVoucher) -> dict[str, Any] | None:
    return _release(session, cmd, from_status="claimed", to_status="cancelled", credit_kind="issued",
                    memo=core.CANCEL_MEMO, action="voucher.cancelled")


def refund(session: Session, cmd: RefundVoucher) -> dict[str, Any] | None:
    return _release(session, cmd, from_status="redeemed", to_status="refunded", credit_kind="redeemed",
                    memo=core.REFUND_MEMO, action="voucher.refunded")


FAST: dict[type, Callable[[Session, Any], dict[str, Any] | None]] = {
    ClaimVoucher: claim,
    CancelVoucher: cancel,
    RefundVoucher: refund,
}

__all__ = ["FAST", "canonical_hash", "jsonable"]
