"""vouchers: the redemption's writes as one PL/pgSQL function, ``vch_redeem``

A redemption needs the rules engine between its read and its writes (the face value depends on the
purchase), so it is two round trips: one read of the voucher, its programme and the business date,
then this function, which writes what the general path writes (``handlers.redeem``) in the order
migration ``0023`` keeps: the idempotency row first (a concurrent request with our key is found
there, before any other write), then the voucher's conditional update (``WHERE status = 'claimed'``
instead of a row lock), the entry, its lines, the two audit records, and the shared balances last
(pool, issued, redeemed — the order the claim and the release lock them in).

All or nothing: a voucher that changed between the read and the update raises ``GZV05``, a balance
guard that refuses raises ``GZV06``; either undoes the call. Missing accounts or a missing book
return ``changed = false`` with nothing written, and the general path answers.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04 15:50:00
"""

from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

REDEEM = r"""
CREATE OR REPLACE FUNCTION vch_redeem(
  p_book text, p_scope text, p_key text, p_req_hash text, p_vid bigint, p_on date, p_reserved bigint,
  p_face bigint, p_purchase json, p_pool_code text, p_issued_code text, p_redeemed_code text, p_memo text,
  p_who text, p_now timestamptz, p_entry_hash text, p_data json, p_entry_after jsonb, p_voucher_after json,
  p_result jsonb)
RETURNS TABLE (prior_found boolean, prior_hash text, prior_result json, changed boolean, entry_id bigint,
               idem_id bigint, result json, written bigint)
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_prior_hash text; v_prior_result json; v_pool integer; v_issued integer; v_redeemed integer;
  v_eid bigint; v_idem bigint; v_result json; v_key text; v_n bigint; v_written bigint := 0;
BEGIN
  SELECT CAST(k.request_hash AS text), k.result INTO v_prior_hash, v_prior_result
  FROM idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
  IF FOUND THEN
    RETURN QUERY SELECT true, v_prior_hash, v_prior_result, false, CAST(NULL AS bigint), CAST(NULL AS bigint),
      CAST(NULL AS json), CAST(0 AS bigint);
    RETURN;
  END IF;

  SELECT (SELECT a.id FROM ledger_accounts AS a WHERE a.book_code = p_book AND a.code = p_pool_code),
         (SELECT a.id FROM ledger_accounts AS a WHERE a.book_code = p_book AND a.code = p_issued_code),
         (SELECT a.id FROM ledger_accounts AS a WHERE a.book_code = p_book AND a.code = p_redeemed_code)
  INTO v_pool, v_issued, v_redeemed;
  IF v_pool IS NULL OR v_issued IS NULL OR v_redeemed IS NULL THEN
    RETURN QUERY SELECT false, CAST(NULL AS text), CAST(NULL AS json), false, CAST(NULL AS bigint),
      CAST(NULL AS bigint), CAST(NULL AS json), CAST(0 AS bigint);
    RETURN;
  END IF;

  v_eid := nextval(pg_get_serial_sequence('ledger_entries', 'id'));
  v_key := 'voucher:' || p_vid || ':redeem';
  INSERT INTO idempotency_keys AS k (scope, key, request_hash, result, created_at)
  VALUES (p_scope, p_key, p_req_hash, CAST(p_result || jsonb_build_object('entry_id', v_eid) AS json), p_now)
  ON CONFLICT (scope, key) DO NOTHING
  RETURNING k.id, k.result INTO v_idem, v_result;
  IF v_idem IS NULL THEN  -- a request with our key committed while we read: nothing written, theirs answers
    SELECT CAST(k.request_hash AS text), k.result INTO v_prior_hash, v_prior_result
    FROM idempotency_keys AS k WHERE k.scope = p_scope AND k.key = p_key;
    RETURN QUERY SELECT true, v_prior_hash, v_prior_result, false, CAST(NULL AS bigint), CAST(NULL AS bigint),
      CAST(NULL AS json), CAST(0 AS bigint);
    RETURN;
  END IF;

  UPDATE vch_vouchers AS x SET status = 'redeemed', face_fen = p_face, purchase = p_purchase, updated_at = p_now
  WHERE x.id = p_vid AND x.status = 'claimed' AND x.reserved_fen = p_reserved;
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'GZV05', MESSAGE = 'the voucher changed meanwhile';
  END IF;
  INSERT INTO ledger_entries (id, book_code, business_date, description, idempotency_key, request_hash,
                              reversal_of, run_id, actor, data, created_at)
  VALUES (v_eid, p_book, p_on, p_memo, v_key, p_entry_hash, NULL, NULL, p_who, p_data, p_now);
  INSERT INTO ledger_lines (entry_id, account_id, side, amount_fen)
  SELECT v_eid, x.account_id, x.side, x.amount
  FROM (VALUES (1, v_redeemed, 'D', p_face), (2, v_pool, 'D', p_reserved - p_face),
               (3, v_issued, 'C', p_reserved)) AS x(n, account_id, side, amount)
  WHERE x.amount > 0
  ORDER BY x.n;
  GET DIAGNOSTICS v_n = ROW_COUNT; v_written := v_written + v_n;
  INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, business_date)
  VALUES (p_now, p_who, 'ledger.entry.posted', 'ledger_entry', CAST(v_eid AS text), CAST('null' AS json),
          CAST(p_entry_after || jsonb_build_object('id', v_eid, 'key', v_key,
               'business_date', to_char(p_on, 'YYYY-MM-DD'), 'data', CAST(p_data AS jsonb)) AS json),
          p_on),
         (p_now, p_who, 'voucher.redeemed', 'voucher', CAST(p_vid AS text), json_build_object('status', 'claimed'),
          p_voucher_after, p_on);
  GET DIAGNOSTICS v_n = ROW_COUNT; v_written := v_written + v_n;

  -- the shared rows, last, in the order every voucher command takes them: pool, issued, redeemed
  IF p_reserved - p_face > 0 THEN
    UPDATE ledger_balances AS b SET balance = b.balance + (p_reserved - p_face) WHERE b.account_id = v_pool;
  END IF;
  UPDATE ledger_balances AS b SET balance = b.balance - p_reserved
  WHERE b.account_id = v_issued AND (b.allow_negative OR b.balance - p_reserved >= 0);
  IF NOT FOUND THEN
    RAISE EXCEPTION USING ERRCODE = 'GZV06', MESSAGE = 'a balance guard refused the redemption';
  END IF;
  IF p_face > 0 THEN
    UPDATE ledger_balances AS b SET balance = b.balance + p_face WHERE b.account_id = v_redeemed;
  END IF;

  RETURN QUERY SELECT false, CAST(NULL AS text), CAST(NULL AS json), true, v_eid, v_idem, v_result, v_written;
END
$fn$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        # the body holds ':' (JSON keys): sent as it is, past SQLAlchemy's parameter parsing
        op.get_bind().connection.driver_connection.execute(REDEEM)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS vch_redeem(text, text, text, text, bigint, date, bigint, bigint, json, '
                   'text, text, text, text, text, timestamptz, text, json, jsonb, json, jsonb)')
