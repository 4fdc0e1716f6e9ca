"""The citizen commands in one round trip on PostgreSQL (issue #17).

A claim is one statement of data-modifying CTEs: read the key's earlier result, the business date
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


_CLAIM = text("""
WITH
prog AS (
  SELECT 1 FROM vch_programmes
  WHERE code = CAST(:programme AS text) AND max_face_fen = CAST(:reserved AS bigint)
    AND clause = CAST(:clause AS text) AND window_start = CAST(:ws AS date) AND window_end = CAST(:we AS date)
),
book AS (SELECT business_date AS on_date FROM ledger_books WHERE code = CAST(:book AS text)),
acc AS (
  SELECT max(id) FILTER (WHERE code = CAST(:pool_code AS text)) AS pool_id,
         max(id) FILTER (WHERE code = CAST(:issued_code AS text)) AS issued_id
  FROM ledger_accounts
  WHERE book_code = CAST(:book AS text) AND code IN (CAST(:pool_code AS text), CAST(:issued_code AS text))
),
prior AS (
  SELECT request_hash, result FROM idempotency_keys WHERE scope = CAST(:scope AS text) AND key = CAST(:key AS text)
),
live AS (
  SELECT 1 FROM vch_vouchers
  WHERE programme = CAST(:programme AS text) AND person_id = CAST(:person AS text)
    AND status IN ('claimed', 'redeemed')
  LIMIT 1
),
go AS (
  SELECT book.on_date, acc.pool_id, acc.issued_id FROM book, acc
  WHERE EXISTS (SELECT 1 FROM prog) AND NOT EXISTS (SELECT 1 FROM prior) AND NOT EXISTS (SELECT 1 FROM live)
    AND book.on_date BETWEEN CAST(:ws AS date) AND CAST(:we AS date)
    AND acc.pool_id IS NOT NULL AND acc.issued_id IS NOT NULL
),
pool AS (
  UPDATE ledger_balances AS b SET balance = b.balance - CAST(:reserved AS bigint)
  FROM go
  WHERE b.account_id = go.pool_id AND (b.allow_negative OR b.balance - CAST(:reserved AS bigint) >= 0)
  RETURNING b.account_id
),
ids AS (
  SELECT nextval(pg_get_serial_sequence('vch_vouchers', 'id')) AS vid,
         nextval(pg_get_serial_sequence('ledger_entries', 'id')) AS eid
  FROM pool
),
idem AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, result, created_at)
  SELECT CAST(:scope AS text), CAST(:key AS text), CAST(:req_hash AS text),
         CAST(CAST(:result AS jsonb) || jsonb_build_object('voucher_id', ids.vid, 'entry_id', ids.eid,
              'claimed_on', to_char(go.on_date, 'YYYY-MM-DD')) AS json),
         CAST(:now AS timestamptz)
  FROM ids, go
  ON CONFLICT (scope, key) DO NOTHING
  RETURNING id, result
),
v AS (
  INSERT INTO vch_vouchers (id, programme, district, person_id, status, reserved_fen, clause, claimed_on,
                            expires_on, created_at, updated_at)
  SELECT ids.vid, CAST(:programme AS text), CAST(:district AS text), CAST(:person AS text), 'claimed',
         CAST(:reserved AS bigint), CAST(:clause AS text), go.on_date, CAST(:we AS date),
         CAST(:now AS timestamptz), CAST(:now AS timestamptz)
  FROM ids, go, idem
  ON CONFLICT (programme, person_id) WHERE status IN ('claimed', 'redeemed') DO NOTHING
  RETURNING id
),
issued AS (
  UPDATE ledger_balances AS b SET balance = b.balance + CAST(:reserved AS bigint)
  FROM go, v
  WHERE b.account_id = go.issued_id
  RETURNING b.account_id
),
entry AS (
  INSERT INTO ledger_entries (id, book_code, business_date, description, idempotency_key, request_hash,
                              reversal_of, run_id, actor, data, created_at)
  SELECT ids.eid, CAST(:book AS text), go.on_date, CAST(:memo AS text), 'voucher:' || v.id || '\\:claim',
         encode(sha256(convert_to(CAST(:h1 AS text) || v.id || CAST(:h2 AS text), 'UTF8')), 'hex'),
         NULL, NULL, CAST(:actor AS text),
         json_build_object('clause', CAST(:clause AS text), 'voucher', v.id), CAST(:now AS timestamptz)
  FROM ids, go, v
  RETURNING id
),
lines AS (
  INSERT INTO ledger_lines (entry_id, account_id, side, amount_fen)
  SELECT entry.id, x.account_id, x.side, CAST(:reserved AS bigint)
  FROM entry, go, LATERAL (VALUES (1, go.issued_id, 'D'), (2, go.pool_id, 'C')) AS x(n, account_id, side)
  ORDER BY x.n
  RETURNING id
),
audits AS (
  INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, business_date)
  SELECT CAST(:now AS timestamptz), CAST(:actor AS text), x.action, x.entity_type, x.entity_id, CAST('null' AS json),
         x.after, go.on_date
  FROM ids, go, entry, LATERAL (VALUES
    (1, 'voucher.claimed', 'voucher', CAST(ids.vid AS text), CAST(:voucher_after AS json)),
    (2, 'ledger.entry.posted', 'ledger_entry', CAST(entry.id AS text),
     CAST(CAST(:entry_after AS jsonb) || jsonb_build_object(
        'id', entry.id, 'key', 'voucher:' || ids.vid || '\\:claim', 'business_date', to_char(go.on_date, 'YYYY-MM-DD'),
        'data', jsonb_build_object('clause', CAST(:clause AS text), 'voucher', ids.vid)) AS json))
  ) AS x(n, action, entity_type, entity_id, after)
  ORDER BY x.n
  RETURNING id
)
SELECT (SELECT on_date FROM book) AS on_date,
       EXISTS (SELECT 1 FROM prog) AS prog_ok,
       (SELECT pool_id FROM acc) AS pool_id,
       (SELECT issued_id FROM acc) AS issued_id,
       (SELECT request_hash FROM prior) AS prior_hash,
       (SELECT result FROM prior) AS prior_result,
       EXISTS (SELECT 1 FROM prior) AS prior_found,
       EXISTS (SELECT 1 FROM live) AS live,
       (SELECT balance FROM ledger_balances WHERE account_id = (SELECT pool_id FROM acc)) AS pool_balance,
       EXISTS (SELECT 1 FROM pool) AS pool_ok,
       (SELECT id FROM idem) AS idem_id,
       (SELECT result FROM idem) AS result,
       (SELECT id FROM v) AS voucher_id,
       (SELECT count(*) FROM issued) + (SELECT count(*) FROM lines) + (SELECT count(*) FROM audits) AS written
""")

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

_RELEASE = text("""
WITH
prior AS (
  SELECT request_hash, result FROM idempotency_keys WHERE scope = CAST(:scope AS text) AND key = CAST(:key AS text)
),
book AS (SELECT business_date AS on_date FROM ledger_books WHERE code = CAST(:book AS text)),
cur AS (
  SELECT t.id, t.programme, t.district, t.person_id, t.reserved_fen, t.face_fen, t.clause, t.claimed_on,
         t.expires_on, t.purchase, book.on_date,
         CASE WHEN CAST(:from_status AS text) = 'claimed' THEN t.reserved_fen ELSE t.face_fen END AS amount,
         COALESCE(CAST(:by AS text), t.person_id) AS who
  FROM vch_vouchers AS t, book
  WHERE t.id = CAST(:vid AS bigint) AND t.status = CAST(:from_status AS text) AND NOT EXISTS (SELECT 1 FROM prior)
),
acc AS (
  SELECT cur.*, dr.id AS debit_id, cr.id AS credit_id, dr.code AS debit_code, cr.code AS credit_code,
         nextval(pg_get_serial_sequence('ledger_entries', 'id')) AS eid
  FROM cur
  JOIN ledger_accounts AS dr ON dr.book_code = CAST(:book AS text)
       AND dr.code = 'pool:' || cur.programme || ':' || cur.district
  JOIN ledger_accounts AS cr ON cr.book_code = CAST(:book AS text)
       AND cr.code = CAST(:credit_kind AS text) || ':' || cur.programme || ':' || cur.district
),
debited AS (
  UPDATE ledger_balances AS b SET balance = b.balance + acc.amount
  FROM acc WHERE b.account_id = acc.debit_id
  RETURNING acc.*
),
credited AS (
  UPDATE ledger_balances AS b SET balance = b.balance - d.amount
  FROM debited AS d
  WHERE b.account_id = d.credit_id AND (b.allow_negative OR b.balance - d.amount >= 0)
  RETURNING d.*
),
v AS (
  UPDATE vch_vouchers AS t SET status = CAST(:to_status AS text), reason = CAST(:reason AS text),
         updated_at = CAST(:now AS timestamptz)
  FROM credited AS c
  WHERE t.id = c.id AND t.status = CAST(:from_status AS text)
  RETURNING c.*
),
res AS (
  SELECT acc.*, json_build_object(
      'voucher_id', acc.id, 'programme', acc.programme, 'district', acc.district, 'person_id', acc.person_id,
      'status', CAST(:to_status AS text),
      'reserved_yuan', CAST(acc.reserved_fen / 100 AS text) || '.' || lpad(CAST(acc.reserved_fen % 100 AS text), 2, '0'),
      'face_yuan', CASE WHEN acc.face_fen IS NULL THEN NULL ELSE
          CAST(acc.face_fen / 100 AS text) || '.' || lpad(CAST(acc.face_fen % 100 AS text), 2, '0') END,
      'clause', acc.clause, 'claimed_on', to_char(acc.claimed_on, 'YYYY-MM-DD'),
      'expires_on', to_char(acc.expires_on, 'YYYY-MM-DD'), 'purchase', acc.purchase,
      'reason', CAST(:reason AS text), 'entry_id', acc.eid) AS result,
    'voucher:' || acc.id || ':' || CAST(:to_status AS text) AS entry_key
  FROM v AS acc
),
entry AS (
  INSERT INTO ledger_entries (id, book_code, business_date, description, idempotency_key, request_hash,
                              reversal_of, run_id, actor, data, created_at)
  SELECT res.eid, CAST(:book AS text), res.on_date, CAST(:memo AS text), res.entry_key,
         encode(sha256(convert_to(
           '{"book":"' || CAST(:book AS text) || '","business_date"\\:null,"data":{"clause":' || to_json(res.clause)
           || ',"voucher":' || res.id || '},"description":' || to_json(CAST(:memo AS text))
           || ',"lines":[[' || to_json(res.debit_code) || ',"D",' || res.amount || '],['
           || to_json(res.credit_code) || ',"C",' || res.amount || ']],"reversal_of"\\:null}', 'UTF8')), 'hex'),
         NULL, NULL, res.who, json_build_object('clause', res.clause, 'voucher', res.id), CAST(:now AS timestamptz)
  FROM res
  RETURNING id
),
lines AS (
  INSERT INTO ledger_lines (entry_id, account_id, side, amount_fen)
  SELECT entry.id, x.account_id, x.side, res.amount
  FROM entry, res, LATERAL (VALUES (1, res.debit_id, 'D'), (2, res.credit_id, 'C')) AS x(n, account_id, side)
  ORDER BY x.n
  RETURNING id
),
audits AS (
  INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, business_date)
  SELECT CAST(:now AS timestamptz), res.who, x.action, x.entity_type, x.entity_id, x.before, x.after, x.bdate
  FROM entry, res, LATERAL (VALUES
    (1, 'ledger.entry.posted', 'ledger_entry', CAST(entry.id AS text), CAST('null' AS json),
     json_build_object('id', entry.id, 'book', CAST(:book AS text), 'key', res.entry_key,
       'business_date', to_char(res.on_date, 'YYYY-MM-DD'), 'description', CAST(:memo AS text),
       'lines', json_build_array(json_build_array(res.debit_code, 'D', res.amount),
                                 json_build_array(res.credit_code, 'C', res.amount)),
       'reversal_of', NULL, 'run_id', NULL, 'data', json_build_object('clause', res.clause, 'voucher', res.id)),
     res.on_date),
    (2, CAST(:action AS text), 'voucher', CAST(res.id AS text),
     json_build_object('status', CAST(:from_status AS text)),
     json_build_object('status', CAST(:to_status AS text), 'returned_fen', res.amount, 'reason', CAST(:reason AS text)),
     CAST(NULL AS date))
  ) AS x(n, action, entity_type, entity_id, before, after, bdate)
  ORDER BY x.n
  RETURNING id
),
idem AS (
  INSERT INTO idempotency_keys (scope, key, request_hash, result, created_at)
  SELECT CAST(:scope AS text), CAST(:key AS text), CAST(:req_hash AS text), res.result, CAST(:now AS timestamptz)
  FROM res, entry
  ON CONFLICT (scope, key) DO NOTHING
  RETURNING id, result
)
SELECT EXISTS (SELECT 1 FROM prior) AS prior_found,
       (SELECT request_hash FROM prior) AS prior_hash,
       (SELECT result FROM prior) AS prior_result,
       EXISTS (SELECT 1 FROM v) AS changed,
       (SELECT debit_id FROM debited) AS debit_id,
       (SELECT credit_id FROM credited) AS credit_id,
       (SELECT amount FROM debited) AS amount,
       (SELECT id FROM entry) AS entry_id,
       (SELECT id FROM idem) AS idem_id,
       (SELECT result FROM idem) AS result,
       (SELECT count(*) FROM lines) + (SELECT count(*) FROM audits) AS written
""")


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
