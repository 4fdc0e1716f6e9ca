"""The citizen commands in one round trip on PostgreSQL (issue #17).

A claim is one call of ``vch_claim`` and a cancel or refund one call of ``vch_release``: PL/pgSQL
functions kept in migrations (``0022`` made them one call each; ``0023`` gave them their present
bodies). As functions the call is a short text whose parsing psycopg caches, and the plans are kept
for the session. The parameters below are the functions' own, in their order.

A function reads first (the key's earlier answer, the business date, the programme row, the
accounts, whether the person already holds a live voucher, the pool's balance), writes the rows
that belong to this command alone (the idempotency row with its answer, the voucher, the ledger
entry, its lines, the audit records), and moves the shared balances last: the pool's row, which
every claim in the city needs, is held from that update to the commit only. The rows are exactly
those the general path (:mod:`.handlers`) writes: the same keys, hashes, JSON and order of ids (a
test compares the two paths row by row).

Each call is all or nothing. Refusals the reads decide write nothing and come back as flags; a
concurrent request with our key is found by the key's insert, before any other write, and its
answer replayed. Races found after a write (the same person claiming at this moment with another
key, the pool emptied between the read and the update, a voucher changed meanwhile) raise with a
SQLSTATE of class ``GZ`` (listed in migration ``0023``), which undoes the whole call: they become
the same errors as before, or :class:`FallBack`.

Each form is written once, as :mod:`gazette.store.steps` (a generator of statements, :data:`STEPS`),
and runs on either connection: a session or an autocommit connection in a worker thread
(:func:`.commands.run`), or the API server's event-loop pool (:func:`.commands.run_async`, what the
routes call). Run as its own transaction (autocommit), a command is one round trip and the server
commits as the statement ends. In a caller's transaction an error leaves that transaction aborted,
like any refusal the caller's unit of work rolls back.

A redemption is two statements: the voucher is read first, and the engine prices the purchase
before ``vch_redeem`` writes. Anything these statements do not decide (no programme row, no accounts, a key still in progress,
a programme row that differs from the pack) returns ``None`` and the caller runs the general path,
which answers with the precise error.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from gazette.errors import GazetteError
from gazette.ledger import clock
from gazette.ledger._sql import canonical_hash, check_key, jsonable
from gazette.ledger.errors import IdempotencyKeyReused
from gazette.ledger.idempotency import request_hash
from gazette.ledger.money import fen_to_yuan
from gazette.ledger.postings import credit, debit, request_digest
from gazette.store import steps
from jiaxing.schemes.vouchers import core, errors
from jiaxing.schemes.vouchers.commands import CancelVoucher, ClaimVoucher, RedeemVoucher, RefundVoucher
from jiaxing.schemes.vouchers.programmes import BOOK, SPECS, account_codes, programme_facts
from jiaxing.schemes.vouchers.purchases import priced_purchase

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


# the functions' parameters, in their order, with their SQL types
_CLAIM_PARAMS = (
    ("book", "text"), ("programme", "text"), ("district", "text"), ("person", "text"), ("reserved", "bigint"),
    ("clause", "text"), ("ws", "date"), ("we", "date"), ("pool_code", "text"), ("issued_code", "text"),
    ("scope", "text"), ("key", "text"), ("req_hash", "text"), ("now", "timestamptz"), ("actor", "text"),
    ("memo", "text"), ("h1", "text"), ("h2", "text"), ("result", "jsonb"), ("voucher_after", "json"),
    ("entry_after", "jsonb"),
)
_CLAIM = text("SELECT * FROM vch_claim(" + ", ".join(f"CAST(:{n} AS {t})" for n, t in _CLAIM_PARAMS) + ")")
# a batch's claims, one call each, in the order given, in one statement (one round trip)
_CLAIM_MANY = text(
    "SELECT c.* FROM unnest(" + ", ".join(f"CAST(:{n} AS {t}[])" for n, t in _CLAIM_PARAMS) + ") WITH ORDINALITY "
    "AS u(" + ", ".join(n for n, _t in _CLAIM_PARAMS) + ", n) "
    "CROSS JOIN LATERAL vch_claim(" + ", ".join(f"u.{n}" for n, _t in _CLAIM_PARAMS) + ") AS c ORDER BY u.n")


class FallBack(Exception):
    """The statement found, after writing, that the voucher had changed meanwhile, and undid itself:
    nothing of it remains. As its own transaction the general path then answers precisely; in a
    caller's transaction, that transaction is aborted and the caller must retry."""


def sqlstate(exc: DBAPIError) -> str | None:
    """The SQLSTATE of a database error (``GZV…`` for the races above, ``40P01`` a deadlock)."""
    return getattr(exc.orig, "sqlstate", None)


def _detail(exc: DBAPIError) -> str | None:
    diag = getattr(exc.orig, "diag", None)
    return getattr(diag, "message_detail", None)


def _replay(scope: str, key: str, digest: str, found_hash: str, result: Any) -> dict[str, Any] | None:
    if found_hash != digest:
        raise IdempotencyKeyReused(scope, key)
    if result is None:  # in progress in this very transaction: the general path says so
        return None
    return {**result, "replayed": True}


@functools.lru_cache(maxsize=256)
def _claim_constants(programme: str, district: str) -> dict[str, Any]:
    """What every claim on one pool sends alike (the entry's text and hash parts, the accounts)."""
    pf = programme_facts(programme)
    spec = SPECS[programme]
    acc = account_codes(programme, district)
    reserved = pf.max_face_fen
    memo = core.CLAIM_MEMO.format(name=spec.name)
    lines = [[acc["issued"], "D", reserved], [acc["pool"], "C", reserved]]
    h1, h2 = _entry_hash_parts(lines, memo, {"clause": spec.clause, "voucher": _PLACEHOLDER})
    entry_after = {"book": BOOK, "description": memo, "lines": lines, "reversal_of": None, "run_id": None}
    return {"book": BOOK, "programme": programme, "district": district, "reserved": reserved, "clause": spec.clause,
            "ws": pf.window_start, "we": pf.window_end, "pool_code": acc["pool"], "issued_code": acc["issued"],
            "memo": memo, "h1": h1, "h2": h2, "entry_after": json.dumps(entry_after, ensure_ascii=False)}


def _claim_params(cmd: ClaimVoucher) -> dict[str, Any]:
    check_key(cmd.idempotency_key)
    params = dict(_claim_constants(cmd.programme, cmd.district))
    reserved, person = params["reserved"], cmd.person_id
    result = {"programme": cmd.programme, "district": cmd.district, "person_id": person, "status": "claimed",
              "reserved_yuan": fen_to_yuan(reserved), "clause": params["clause"],
              "expires_on": params["we"].isoformat()}
    voucher_after = {"status": "claimed", "programme": cmd.programme, "district": cmd.district,
                     "person_id": person, "reserved_fen": reserved}
    params.update(person=person, scope=cmd.key_scope, key=cmd.idempotency_key, req_hash=request_hash(cmd.body()),
                  now=clock.now(), actor=cmd.actor, result=json.dumps(result, ensure_ascii=False),
                  voucher_after=json.dumps(voucher_after, ensure_ascii=False))
    return params


def _claim_answer(cmd: ClaimVoucher, params: dict[str, Any], row) -> dict[str, Any] | None:
    """The claim's answer from the function's row: the result, a refusal raised, or ``None`` (the
    general path decides)."""
    if row.prior_found:
        return _replay(params["scope"], cmd.idempotency_key, params["req_hash"], row.prior_hash, row.prior_result)
    if not row.prog_ok or row.on_date is None or row.pool_id is None or row.issued_id is None:
        return None  # not set up, or the programme row is not the pack's: the general path decides
    if not (params["ws"] <= row.on_date <= params["we"]):
        raise errors.window_closed("领券", row.on_date, params["ws"], params["we"], "date")
    if row.live:
        raise errors.already_claimed(cmd.programme, cmd.person_id)
    if not row.pool_ok:
        raise errors.pool_exhausted(cmd.programme, cmd.district, int(row.pool_balance), params["reserved"])
    assert row.written == 5 and row.voucher_id is not None, row  # two lines, two audit records, issued balance
    return {**row.result, "replayed": False}


def _refuse_race(cmd: ClaimVoucher, params: dict[str, Any], exc: DBAPIError) -> None:
    """Raise the refusal for a race the statement found after writing (it undid itself, and the
    transaction it ran in is aborted: the refusal's cause says so); any other error is left alone."""
    if sqlstate(exc) == "GZV01":
        raise errors.already_claimed(cmd.programme, cmd.person_id) from exc
    if sqlstate(exc) == "GZV02":
        raise errors.pool_exhausted(cmd.programme, cmd.district, int(_detail(exc) or 0), params["reserved"]) from exc


def claim_steps(cmd: ClaimVoucher) -> steps.Steps:
    params = _claim_params(cmd)
    try:
        row = yield _CLAIM, params
    except DBAPIError as exc:
        _refuse_race(cmd, params, exc)
        raise
    return _claim_answer(cmd, params, row)


def claim_many(session: Session | Connection, cmds: list[ClaimVoucher]) -> list[dict[str, Any] | Exception | None]:
    """A batch of claims in one statement, in the order given, in the caller's transaction: per
    claim its answer, its refusal (an exception, returned), or ``None`` (the general path decides).
    A race found after a write undoes the whole statement and aborts the transaction: it raises
    (:class:`ClaimBatcher` then runs each request alone)."""
    if not cmds:
        return []
    all_params = [_claim_params(cmd) for cmd in cmds]
    rows = session.execute(_CLAIM_MANY, {n: [p[n] for p in all_params] for n, _t in _CLAIM_PARAMS}).all()
    assert len(rows) == len(cmds), (len(rows), len(cmds))
    out: list[dict[str, Any] | Exception | None] = []
    for cmd, params, row in zip(cmds, all_params, rows, strict=True):
        try:
            out.append(_claim_answer(cmd, params, row))
        except GazetteError as exc:
            out.append(exc)
    return out


# ------------------------------------------------------------------------- release: cancel and refund

_RELEASE = text(
    "SELECT * FROM vch_release(CAST(:book AS text), CAST(:scope AS text), CAST(:key AS text), "
    "CAST(:req_hash AS text), CAST(:vid AS bigint), CAST(:from_status AS text), CAST(:to_status AS text), "
    "CAST(:credit_kind AS text), CAST(:memo AS text), CAST(:action AS text), CAST(:reason AS text), "
    "CAST(:by AS text), CAST(:now AS timestamptz))")



def _release_steps(cmd, *, from_status: str, to_status: str, credit_kind: str, memo: str,
                   action: str) -> steps.Steps:
    check_key(cmd.idempotency_key)
    core.check_voucher_id(cmd.voucher_id)
    if cmd.reason is not None and not isinstance(cmd.reason, str):
        return None
    scope, digest = cmd.key_scope, request_hash(cmd.body())
    row = yield from _undoable(_RELEASE, {
        "book": BOOK, "scope": scope, "key": cmd.idempotency_key, "req_hash": digest, "vid": cmd.voucher_id,
        "from_status": from_status, "to_status": to_status, "credit_kind": credit_kind, "memo": memo,
        "action": action, "reason": cmd.reason, "by": cmd.by, "now": clock.now(),
    })
    return _voucher_changed_answer(cmd, scope, digest, row, writes=4)  # two lines, two audit records


def _undoable(statement, params: dict[str, Any]) -> steps.Steps:
    """The row of a release or a redemption; a race it found after writing (the voucher or a balance
    changed meanwhile) undid it: :class:`FallBack`."""
    try:
        return (yield statement, params)
    except DBAPIError as exc:
        if sqlstate(exc) in ("GZV05", "GZV06"):
            raise FallBack(sqlstate(exc)) from exc
        raise


def _voucher_changed_answer(cmd, scope: str, digest: str, row, *, writes: int) -> dict[str, Any] | None:
    """A replay, the new answer, or ``None``: the voucher was not found, not in the state needed, or
    the book is not set up — the general path answers precisely."""
    if row.prior_found:
        return _replay(scope, cmd.idempotency_key, digest, row.prior_hash, row.prior_result)
    if row.changed:
        assert row.written == writes and row.entry_id is not None and row.idem_id is not None, row
        return {**row.result, "replayed": False}
    return None


def cancel_steps(cmd: CancelVoucher) -> steps.Steps:
    return _release_steps(cmd, from_status="claimed", to_status="cancelled", credit_kind="issued",
                          memo=core.CANCEL_MEMO, action="voucher.cancelled")


def refund_steps(cmd: RefundVoucher) -> steps.Steps:
    return _release_steps(cmd, from_status="redeemed", to_status="refunded", credit_kind="redeemed",
                          memo=core.REFUND_MEMO, action="voucher.refunded")


# ------------------------------------------------------------------------- redeem

_REDEEM_READ = text(
    "SELECT v.id, v.programme, v.district, v.person_id, v.status, v.reserved_fen, v.face_fen, v.clause, "
    "v.claimed_on, v.expires_on, v.purchase, v.reason, g.window_start, g.window_end, "
    "(SELECT b.business_date FROM ledger_books AS b WHERE b.code = :book) AS on_date "
    "FROM vch_vouchers AS v LEFT JOIN vch_programmes AS g ON g.code = v.programme WHERE v.id = :vid")
_REDEEM_PARAMS = (
    ("book", "text"), ("scope", "text"), ("key", "text"), ("req_hash", "text"), ("vid", "bigint"), ("on", "date"),
    ("reserved", "bigint"), ("face", "bigint"), ("purchase", "json"), ("pool_code", "text"),
    ("issued_code", "text"), ("redeemed_code", "text"), ("memo", "text"), ("who", "text"), ("now", "timestamptz"),
    ("entry_hash", "text"), ("data", "json"), ("entry_after", "jsonb"), ("voucher_after", "json"),
    ("result", "jsonb"),
)
_REDEEM = text("SELECT * FROM vch_redeem(" + ", ".join(f"CAST(:{n} AS {t})" for n, t in _REDEEM_PARAMS) + ")")


def redeem_steps(cmd: RedeemVoucher) -> steps.Steps:
    """Two round trips: the voucher, its programme's window and the business date read in one; the
    engine prices the purchase here; ``vch_redeem`` writes. A voucher not (or no longer) claimed, or
    anything unusual, goes to the general path, which replays a key or answers precisely."""
    check_key(cmd.idempotency_key)
    core.check_voucher_id(cmd.voucher_id)
    if not isinstance(cmd.purchase, dict):
        return None
    v = yield _REDEEM_READ, {"book": BOOK, "vid": cmd.voucher_id}
    if v is None or v.status != "claimed" or v.window_start is None or v.on_date is None:
        return None
    stored, face, calc = priced_purchase(v.programme, v.district, v.reserved_fen, v.window_start, v.window_end,
                                         v.on_date, cmd.purchase)
    if face <= 0:
        return None
    acc = account_codes(v.programme, v.district)
    lines = [debit(acc["redeemed"], face)]
    if v.reserved_fen - face > 0:
        lines.append(debit(acc["pool"], v.reserved_fen - face))
    lines.append(credit(acc["issued"], v.reserved_fen))
    memo = core.REDEEM_MEMO.format(name=SPECS[v.programme].name)
    data = {"clause": calc["rule"], "voucher": v.id}
    who = cmd.by or v.person_id
    stored = {**stored, "calculation": calc}
    line_list = [[ln.account, ln.side, ln.amount_fen] for ln in lines]
    result = {**core.voucher_json(v), "status": "redeemed", "face_yuan": fen_to_yuan(face), "purchase": stored}
    entry_after = {"book": BOOK, "description": memo, "lines": line_list, "reversal_of": None, "run_id": None}
    voucher_after = {"status": "redeemed", "face_fen": face, "clause": calc["rule"],
                     "purchase": {k: val for k, val in stored.items() if k != "calculation"}}
    scope, digest = cmd.key_scope, request_hash(cmd.body())
    dumps = functools.partial(json.dumps, ensure_ascii=False)
    row = yield from _undoable(_REDEEM, {
        "book": BOOK, "scope": scope, "key": cmd.idempotency_key, "req_hash": digest, "vid": v.id,
        "on": v.on_date, "reserved": v.reserved_fen, "face": face, "purchase": dumps(jsonable(stored)),
        "pool_code": acc["pool"], "issued_code": acc["issued"], "redeemed_code": acc["redeemed"], "memo": memo,
        "who": who, "now": clock.now(),
        "entry_hash": request_digest(BOOK, lines, memo, None, data, None), "data": dumps(data),
        "entry_after": dumps(entry_after), "voucher_after": dumps(jsonable(voucher_after)),
        "result": dumps(jsonable(result)),
    })
    return _voucher_changed_answer(cmd, scope, digest, row, writes=len(lines) + 2)  # the lines, two audit records


#: Each citizen command's one-statement form (two for a redemption), as :mod:`gazette.store.steps`:
#: its answer, a refusal raised, ``None`` (the general path decides) or :class:`FallBack`.
STEPS: dict[type, Callable[[Any], steps.Steps]] = {
    ClaimVoucher: claim_steps,
    RedeemVoucher: redeem_steps,
    CancelVoucher: cancel_steps,
    RefundVoucher: refund_steps,
}


__all__ = ["STEPS", "FallBack", "canonical_hash", "jsonable"]
