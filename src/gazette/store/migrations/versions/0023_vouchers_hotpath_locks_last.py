"""vouchers: the claim and the release as step-by-step functions that lock the shared balances last

Migration ``0022`` made each citizen command one call. In that form the pool's balance row was the
first thing written, so every claim in the city queued on that one row for the whole rest of the
work: the key, the voucher, the entry, its lines, the audit records, then the commit. Here the
functions read first, write the rows that belong to this claim alone, and move the shared balances
(the pool and the issued or redeemed account) as their last step, so that the row every claimant
needs is held only for two updates and the commit. Run as its own transaction (autocommit, see
``jiaxing.schemes.vouchers.commands.submit``) a claim is one round trip and holds the pool for less
time than the raw conditional UPDATE it is measured against.

Each call is all or nothing. A refusal the reads decide (a replay, a closed window, a person who
already holds a voucher, a pool that cannot cover the claim) returns before anything is written; a
concurrent request with the same key is found by the key's insert, before any other write, and its
answer returned. The races that show only after a write — the same person claiming at the same
moment with another key, the pool emptied between the read and the update, a voucher changed
between the read and its update — raise an error with a SQLSTATE of our own (class ``GZ``), which
undoes the call's writes with its statement:

* ``GZV01`` the person already holds a live voucher of this programme;
* ``GZV02`` the pool cannot cover the claim (DETAIL: the pool's balance in fen);
* ``GZV05`` the voucher changed meanwhile; ``GZV06`` a balance guard refused the release.

The rows written are the general path's, field by field (``tests/schemes/vouchers/test_statements.py``).
PostgreSQL only: SQLite takes the general path.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 15:40:00
"""

import importlib.util
from pathlib import Path

from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

CLAIM = r"""
CREATE OR REPLACE FUNCTION vch_claim(
  p_book text, p_programme text, p_district text, p_person text, p_reserved bigint, p_clause text,
  p_ws date, p_we date, p_pool_code text, p_issued_code text, p_scope text, p_key text, p_req_hash text,
  p_now timestamptz, p_actor text, p_memo text, p_h1 text, p_h2 text, p_result jsonb, p_voucher_after json,
  p_entry_after jsonb)
RETURNS TABLE (on_date date, prog_ok boolean, pool_id integer, issued_id integer, prior_hash text,
               prior_result json, prior_found boolean, live boolean, pool_balance bigint, pool_ok boolean,
               idem_id bigint, result json, voucher_id bigint, written bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_on date; v_prog boolean; v_pool integer; v_issued integer; v_live boolean;
  v_prior_hash text; v_prior_result json; v_balance bigint; v_allow boolean;
  v_vid bigint; v_eid bigint; v_idem bigint; v_result json; v_n bigint; v_written bigint := 0;
BEGIN
  SELECT CAST(k.request_hash AS text), k.result INTO v_prior_hash, v_prior_result
  FROM idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
  IF FOUND THEN
    RETURN QUERY SELECT CAST(NULL AS date), false, CAST(NULL AS integer), CAST(NULL AS integer), v_prior_hash,
      v_prior_result, true, false, CAST(NULL AS bigint), false, CAST(NULL AS bigint), CAST(NULL AS json),
      CAST(NULL AS bigint), CAST(0 AS bigint);
    RETURN;
  END IF;

  SELECT (SELECT b.business_date FROM ledger_books AS b WHERE b.code = p_book),
         EXISTS (SELECT 1 FROM vch_programmes AS g
                 WHERE g.code = p_programme AND g.max_face_fen = p_reserved AND g.clause = p_clause
                   AND g.window_start = p_ws AND g.window_end = p_we),
         (SELECT a.id FROM ledger_accounts AS a WHERE a.book_code = p_book AND a.code = p_pool_code),
         (SELECT a.id FROM ledger_accounts AS a WHERE a.book_code = p_book AND a.code = p_issued_code),
         EXISTS (SELECT 1 FROM vch_vouchers AS t
                 WHERE t.programme = p_programme AND t.person_id = p_person AND t.status IN ('claimed', 'redeemed'))
  INTO v_on, v_prog, v_pool, v_issued, v_live;
  SELECT b.balance, b.allow_negative INTO v_balance, v_allow FROM ledger_balances AS b WHERE b.account_id = v_pool;
  IF NOT v_prog OR v_on IS NULL OR v_pool IS NULL OR v_issued IS NULL OR v_on NOT BETWEEN p_ws AND p_we
     OR v_live OR NOT (v_allow OR v_balance - p_reserved >= 0) THEN
    RETURN QUERY SELECT v_on, v_prog, v_pool, v_issued, CAST(NULL AS text), CAST(NULL AS json), false, v_live,
      v_balance, false, CAST(NULL AS bigint), CAST(NULL AS json), CAST(NULL AS bigint), CAST(0 AS bigint);
    RETURN;
  END IF;

  v_vid := nextval(pg_get_serial_sequence('vch_vouchers', 'id'));
  v_eid := nextval(pg_get_serial_sequence('ledger_entries', 'id'));
  INSERT INTO idempotency_keys AS k (scope, key, request_hash, result, created_at)
  VALUES (p_scope, p_key, p_req_hash,
          CAST(p_result || jsonb_build_object('voucher_id', v_vid, 'entry_id', v_eid,
               'claimed_on', to_char(v_on, 'YYYY-MM-DD')) AS json),
          p_now)
  ON CONFLICT (scope, key) DO NOTHING
  RETURNING k.id, k.result INTO v_idem, v_result;
  IF v_idem IS NULL THEN  -- a request with our key committed while we read: nothing written, theirs answers
    SELECT CAST(k.request_hash AS text), k.result INTO v_prior_hash, v_prior_result
    FROM idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
    RETURN QUERY SELECT v_on, v_prog, v_pool, v_issued, v_prior_hash, v_prior_result, true, false, v_balance,
      false, CAST(NULL AS bigint), CAST(NULL AS json), CAST(NULL AS bigint), CAST(0 AS bigint);
    RETURN;
  END IF;

  INSERT INTO vch_vouchers (id, programme, district, person_id, status, reserved_fen, clause, claimed_on,
                            expires_on, created_at, updated_at)
  VALUES (v_vid, p_programme, p_district, p_person, 'claimed', p_reserved, p_clause, v_on, p_we, p_now, p_now)
  ON CONFLICT (programme, person_id) WHERE status IN ('claimed', 'redeemed') DO NOTHING;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'GZV01', MESSAGE = 'the person already holds a live voucher';
  END IF;

  INSERT INTO ledger_entries (id, book_code, business_date, description, idempotency_key, request_hash,
                              reversal_of, run_id, actor, data, created_at)
  VALUES (v_eid, p_book, v_on, p_memo, 'voucher:' || v_vid || ':claim',
          encode(sha256(convert_to(p_h1 || v_vid || p_h2, 'UTF8')), 'hex'),
          NULL, NULL, p_actor, json_build_object('clause', p_clause, 'voucher', v_vid), p_now);
  INSERT INTO ledger_lines (entry_id, account_id, side, amount_fen)
  VALUES (v_eid, v_issued, 'D', p_reserved), (v_eid, v_pool, 'C', p_reserved);
  GET DIAGNOSTICS v_n = ROW_COUNT; v_written := v_written + v_n;
  INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, business_date)
  VALUES (p_now, p_actor, 'voucher.claimed', 'voucher', CAST(v_vid AS text), CAST('null' AS json),
          p_voucher_after, v_on),
         (p_now, p_actor, 'ledger.entry.posted', 'ledger_entry', CAST(v_eid AS text), CAST('null' AS json),
          CAST(p_entry_after || jsonb_build_object(
            'id', v_eid, 'key', 'voucher:' || v_vid || ':claim', 'business_date', to_char(v_on, 'YYYY-MM-DD'),
            'data', jsonb_build_object('clause', p_clause, 'voucher', v_vid)) AS json),
          v_on);
  GET DIAGNOSTICS v_n = ROW_COUNT; v_written := v_written + v_n;

  -- the shared rows, last: held from here to the commit only
  UPDATE ledger_balances AS b SET balance = b.balance - p_reserved
  WHERE b.account_id = v_pool AND (b.allow_negative OR b.balance - p_reserved >= 0);
  IF NOT FOUND THEN
    SELECT b.balance INTO v_balance FROM ledger_balances AS b WHERE b.account_id = v_pool;
    RAISE EXCEPTION USING ERRCODE = 'GZV02', MESSAGE = 'the pool cannot cover the claim',
      DETAIL = CAST(v_balance AS text);
  END IF;
  UPDATE ledger_balances AS b SET balance = b.balance + p_reserved WHERE b.account_id = v_issued;
  GET DIAGNOSTICS v_n = ROW_COUNT; v_written := v_written + v_n;

  RETURN QUERY SELECT v_on, v_prog, v_pool, v_issued, CAST(NULL AS text), CAST(NULL AS json), false, false,
    v_balance, true, v_idem, v_result, v_vid, v_written;
END
$fn$
"""

RELEASE = r"""
CREATE OR REPLACE FUNCTION vch_release(
  p_book text, p_scope text, p_key text, p_req_hash text, p_vid bigint, p_from_status text, p_to_status text,
  p_credit_kind text, p_memo text, p_action text, p_reason text, p_by text, p_now timestamptz)
RETURNS TABLE (prior_found boolean, prior_hash text, prior_result json, changed boolean, debit_id integer,
               credit_id integer, amount bigint, entry_id bigint, idem_id bigint, result json, written bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  t record; v_found boolean; v_on date; v_prior_hash text; v_prior_result json;
  v_amount bigint; v_who text; v_debit integer; v_credit integer; v_debit_code text; v_credit_code text;
  v_eid bigint; v_idem bigint; v_result json; v_key text; v_n bigint; v_written bigint := 0;
BEGIN
  SELECT CAST(k.request_hash AS text), k.result INTO v_prior_hash, v_prior_result
  FROM idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
  IF FOUND THEN
    RETURN QUERY SELECT true, v_prior_hash, v_prior_result, false, CAST(NULL AS integer), CAST(NULL AS integer),
      CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS json), CAST(0 AS bigint);
    RETURN;
  END IF;

  SELECT x.id, x.programme, x.district, x.person_id, x.reserved_fen, x.face_fen, x.clause, x.claimed_on,
         x.expires_on, x.purchase
  INTO t FROM vch_vouchers AS x WHERE x.id = p_vid AND x.status = p_from_status;
  v_found := FOUND;
  IF v_found THEN
    v_debit_code := 'pool:' || t.programme || ':' || t.district;
    v_credit_code := p_credit_kind || ':' || t.programme || ':' || t.district;
    SELECT (SELECT b.business_date FROM ledger_books AS b WHERE b.code = p_book),
           (SELECT a.id FROM ledger_accounts AS a WHERE a.book_code = p_book AND a.code = v_debit_code),
           (SELECT a.id FROM ledger_accounts AS a WHERE a.book_code = p_book AND a.code = v_credit_code)
    INTO v_on, v_debit, v_credit;
  END IF;
  IF NOT v_found OR v_on IS NULL OR v_debit IS NULL OR v_credit IS NULL THEN
    -- not found, not in the state we need, or not set up: nothing written, the general path answers
    RETURN QUERY SELECT false, CAST(NULL AS text), CAST(NULL AS json), false, CAST(NULL AS integer),
      CAST(NULL AS integer), CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS json),
      CAST(0 AS bigint);
    RETURN;
  END IF;
  v_amount := CASE WHEN p_from_status = 'claimed' THEN t.reserved_fen ELSE t.face_fen END;
  v_who := COALESCE(p_by, t.person_id);
  -- the general path's entry keys: voucher:<id>:cancelled, voucher:<id>:refund
  v_key := 'voucher:' || t.id || ':' || CASE p_to_status WHEN 'refunded' THEN 'refund' ELSE p_to_status END;
  v_eid := nextval(pg_get_serial_sequence('ledger_entries', 'id'));
  v_result := json_build_object(
      'voucher_id', t.id, 'programme', t.programme, 'district', t.district, 'person_id', t.person_id,
      'status', p_to_status,
      'reserved_yuan', CAST(t.reserved_fen / 100 AS text) || '.' || lpad(CAST(t.reserved_fen % 100 AS text), 2, '0'),
      'face_yuan', CASE WHEN t.face_fen IS NULL THEN NULL ELSE
          CAST(t.face_fen / 100 AS text) || '.' || lpad(CAST(t.face_fen % 100 AS text), 2, '0') END,
      'clause', t.clause, 'claimed_on', to_char(t.claimed_on, 'YYYY-MM-DD'),
      'expires_on', to_char(t.expires_on, 'YYYY-MM-DD'), 'purchase', t.purchase,
      'reason', p_reason, 'entry_id', v_eid);

  INSERT INTO idempotency_keys AS k (scope, key, request_hash, result, created_at)
  VALUES (p_scope, p_key, p_req_hash, v_result, p_now)
  ON CONFLICT (scope, key) DO NOTHING
  RETURNING k.id INTO v_idem;
  IF v_idem IS NULL THEN  -- a request with our key committed while we read: nothing written, theirs answers
    SELECT CAST(k.request_hash AS text), k.result INTO v_prior_hash, v_prior_result
    FROM idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
    RETURN QUERY SELECT true, v_prior_hash, v_prior_result, false, CAST(NULL AS integer), CAST(NULL AS integer),
      CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS bigint), CAST(NULL AS json), CAST(0 AS bigint);
    RETURN;
  END IF;

  UPDATE vch_vouchers AS x SET status = p_to_status, reason = p_reason, updated_at = p_now
  WHERE x.id = p_vid AND x.status = p_from_status;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'GZV05', MESSAGE = 'the voucher changed meanwhile';
  END IF;
  INSERT INTO ledger_entries (id, book_code, business_date, description, idempotency_key, request_hash,
                              reversal_of, run_id, actor, data, created_at)
  VALUES (v_eid, p_book, v_on, p_memo, v_key,
          encode(sha256(convert_to(
            '{"book":"' || p_book || '","business_date":null,"data":{"clause":' || to_json(t.clause)
            || ',"voucher":' || t.id || '},"description":' || to_json(p_memo)
            || ',"lines":[[' || to_json(v_debit_code) || ',"D",' || v_amount || '],['
            || to_json(v_credit_code) || ',"C",' || v_amount || ']],"reversal_of":null}', 'UTF8')), 'hex'),
          NULL, NULL, v_who, json_build_object('clause', t.clause, 'voucher', t.id), p_now);
  INSERT INTO ledger_lines (entry_id, account_id, side, amount_fen)
  VALUES (v_eid, v_debit, 'D', v_amount), (v_eid, v_credit, 'C', v_amount);
  GET DIAGNOSTICS v_n = ROW_COUNT; v_written := v_written + v_n;
  INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, business_date)
  VALUES (p_now, v_who, 'ledger.entry.posted', 'ledger_entry', CAST(v_eid AS text), CAST('null' AS json),
          json_build_object('id', v_eid, 'book', p_book, 'key', v_key,
            'business_date', to_char(v_on, 'YYYY-MM-DD'), 'description', p_memo,
            'lines', json_build_array(json_build_array(v_debit_code, 'D', v_amount),
                                      json_build_array(v_credit_code, 'C', v_amount)),
            'reversal_of', NULL, 'run_id', NULL, 'data', json_build_object('clause', t.clause, 'voucher', t.id)),
          v_on),
         (p_now, v_who, p_action, 'voucher', CAST(t.id AS text), json_build_object('status', p_from_status),
          json_build_object('status', p_to_status, 'returned_fen', v_amount, 'reason', p_reason), NULL);
  GET DIAGNOSTICS v_n = ROW_COUNT; v_written := v_written + v_n;

  -- the shared rows, last: held from here to the commit only (the pool before the other, as a claim does)
  UPDATE ledger_balances AS b SET balance = b.balance + v_amount WHERE b.account_id = v_debit;
  UPDATE ledger_balances AS b SET balance = b.balance - v_amount
  WHERE b.account_id = v_credit AND (b.allow_negative OR b.balance - v_amount >= 0);
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'GZV06', MESSAGE = 'a balance guard refused the release';
  END IF;

  RETURN QUERY SELECT false, CAST(NULL AS text), CAST(NULL AS json), true, v_debit, v_credit, v_amount, v_eid,
    v_idem, v_result, v_written;
END
$fn$
"""


def _as_written(sql: str) -> None:
    # the bodies hold '%' (modulo) and ':' (JSON text): sent to the server as they are, past the
    # parameter parsing of SQLAlchemy and psycopg, in the migration's transaction
    op.get_bind().connection.driver_connection.execute(sql)


def _revision_0022():
    # the bodies this revision replaced, as 0022 wrote them (the versions folder is not a package)
    spec = importlib.util.spec_from_file_location('revision_0022', Path(__file__).with_name(
        '0022_vouchers_hotpath_functions.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _as_written(CLAIM)
        _as_written(RELEASE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        before = _revision_0022()
        _as_written(before.CLAIM)
        _as_written(before.RELEASE)
