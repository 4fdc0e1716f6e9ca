"""vouchers: the claim and the release (cancel, refund) as PL/pgSQL functions, one call each

The statements of :mod:`jiaxing.schemes.vouchers.hotpath` (issue #17) are each over 5,000 bytes of
SQL. psycopg caches its parsing of a query's text only up to 4,096 bytes, so every claim paid for
re-parsing the statement in Python (about a quarter of the client's CPU per claim, measured); in a
function the call is a short text the driver caches, and PL/pgSQL keeps the statement's plan for the
session. The bodies are the statements as they were, parameters renamed ``p_…``; the rows written
are unchanged (``tests/schemes/vouchers`` compares them with the general path's, row by row). To
change a body, write a new migration with ``CREATE OR REPLACE FUNCTION``. PostgreSQL only: SQLite
takes the general path.

Revision ID: 0022
Revises: 0003
Create Date: 2026-12-04 12:30:00
"""

from alembic import op

revision = '0022'
down_revision = '0003'
branch_labels = None
depends_on = None  # PL/pgSQL resolves the tables it names when a function first runs, not here

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
BEGIN
RETURN QUERY
  WITH
  prog AS (
    SELECT 1 FROM vch_programmes
    WHERE code = p_programme AND max_face_fen = p_reserved
      AND clause = p_clause AND window_start = p_ws AND window_end = p_we
  ),
  book AS (SELECT business_date AS on_date FROM ledger_books WHERE code = p_book),
  acc AS (
    SELECT max(id) FILTER (WHERE code = p_pool_code) AS pool_id,
           max(id) FILTER (WHERE code = p_issued_code) AS issued_id
    FROM ledger_accounts
    WHERE book_code = p_book AND code IN (p_pool_code, p_issued_code)
  ),
  prior AS (
    SELECT request_hash, result FROM idempotency_keys WHERE scope = p_scope AND key = p_key
  ),
  live AS (
    SELECT 1 FROM vch_vouchers
    WHERE programme = p_programme AND person_id = p_person
      AND status IN ('claimed', 'redeemed')
    LIMIT 1
  ),
  go AS (
    SELECT book.on_date, acc.pool_id, acc.issued_id FROM book, acc
    WHERE EXISTS (SELECT 1 FROM prog) AND NOT EXISTS (SELECT 1 FROM prior) AND NOT EXISTS (SELECT 1 FROM live)
      AND book.on_date BETWEEN p_ws AND p_we
      AND acc.pool_id IS NOT NULL AND acc.issued_id IS NOT NULL
  ),
  pool AS (
    UPDATE ledger_balances AS b SET balance = b.balance - p_reserved
    FROM go
    WHERE b.account_id = go.pool_id AND (b.allow_negative OR b.balance - p_reserved >= 0)
    RETURNING b.account_id
  ),
  ids AS (
    SELECT nextval(pg_get_serial_sequence('vch_vouchers', 'id')) AS vid,
           nextval(pg_get_serial_sequence('ledger_entries', 'id')) AS eid
    FROM pool
  ),
  idem AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, result, created_at)
    SELECT p_scope, p_key, p_req_hash,
           CAST(p_result || jsonb_build_object('voucher_id', ids.vid, 'entry_id', ids.eid,
                'claimed_on', to_char(go.on_date, 'YYYY-MM-DD')) AS json),
           p_now
    FROM ids, go
    ON CONFLICT (scope, key) DO NOTHING
    RETURNING id, result
  ),
  v AS (
    INSERT INTO vch_vouchers (id, programme, district, person_id, status, reserved_fen, clause, claimed_on,
                              expires_on, created_at, updated_at)
    SELECT ids.vid, p_programme, p_district, p_person, 'claimed',
           p_reserved, p_clause, go.on_date, p_we,
           p_now, p_now
    FROM ids, go, idem
    ON CONFLICT (programme, person_id) WHERE status IN ('claimed', 'redeemed') DO NOTHING
    RETURNING id
  ),
  issued AS (
    UPDATE ledger_balances AS b SET balance = b.balance + p_reserved
    FROM go, v
    WHERE b.account_id = go.issued_id
    RETURNING b.account_id
  ),
  entry AS (
    INSERT INTO ledger_entries (id, book_code, business_date, description, idempotency_key, request_hash,
                                reversal_of, run_id, actor, data, created_at)
    SELECT ids.eid, p_book, go.on_date, p_memo, 'voucher:' || v.id || ':claim',
           encode(sha256(convert_to(p_h1 || v.id || p_h2, 'UTF8')), 'hex'),
           NULL, NULL, p_actor,
           json_build_object('clause', p_clause, 'voucher', v.id), p_now
    FROM ids, go, v
    RETURNING id
  ),
  lines AS (
    INSERT INTO ledger_lines (entry_id, account_id, side, amount_fen)
    SELECT entry.id, x.account_id, x.side, p_reserved
    FROM entry, go, LATERAL (VALUES (1, go.issued_id, 'D'), (2, go.pool_id, 'C')) AS x(n, account_id, side)
    ORDER BY x.n
    RETURNING id
  ),
  audits AS (
    INSERT INTO audit_log (at, actor, action, entity_type, entity_id, before, after, business_date)
    SELECT p_now, p_actor, x.action, x.entity_type, x.entity_id, CAST('null' AS json),
           x.after, go.on_date
    FROM ids, go, entry, LATERAL (VALUES
      (1, 'voucher.claimed', 'voucher', CAST(ids.vid AS text), p_voucher_after),
      (2, 'ledger.entry.posted', 'ledger_entry', CAST(entry.id AS text),
       CAST(p_entry_after || jsonb_build_object(
          'id', entry.id, 'key', 'voucher:' || ids.vid || ':claim', 'business_date', to_char(go.on_date, 'YYYY-MM-DD'),
          'data', jsonb_build_object('clause', p_clause, 'voucher', ids.vid)) AS json))
    ) AS x(n, action, entity_type, entity_id, after)
    ORDER BY x.n
    RETURNING id
  )
  SELECT (SELECT on_date FROM book),
         EXISTS (SELECT 1 FROM prog),
         (SELECT pool_id FROM acc),
         (SELECT issued_id FROM acc),
         CAST((SELECT request_hash FROM prior) AS text),
         (SELECT result FROM prior),
         EXISTS (SELECT 1 FROM prior),
         EXISTS (SELECT 1 FROM live),
         (SELECT balance FROM ledger_balances WHERE account_id = (SELECT pool_id FROM acc)),
         EXISTS (SELECT 1 FROM pool),
         (SELECT id FROM idem),
         (SELECT result FROM idem),
         (SELECT id FROM v),
         (SELECT count(*) FROM issued) + (SELECT count(*) FROM lines) + (SELECT count(*) FROM audits);
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
BEGIN
RETURN QUERY
  WITH
  prior AS (
    SELECT request_hash, result FROM idempotency_keys WHERE scope = p_scope AND key = p_key
  ),
  book AS (SELECT business_date AS on_date FROM ledger_books WHERE code = p_book),
  cur AS (
    SELECT t.id, t.programme, t.district, t.person_id, t.reserved_fen, t.face_fen, t.clause, t.claimed_on,
           t.expires_on, t.purchase, book.on_date,
           CASE WHEN p_from_status = 'claimed' THEN t.reserved_fen ELSE t.face_fen END AS amount,
           COALESCE(p_by, t.person_id) AS who
    FROM vch_vouchers AS t, book
    WHERE t.id = p_vid AND t.status = p_from_status AND NOT EXISTS (SELECT 1 FROM prior)
  ),
  acc AS (
    SELECT cur.*, dr.id AS debit_id, cr.id AS credit_id, dr.code AS debit_code, cr.code AS credit_code,
           nextval(pg_get_serial_sequence('ledger_entries', 'id')) AS eid
    FROM cur
    JOIN ledger_accounts AS dr ON dr.book_code = p_book
         AND dr.code = 'pool:' || cur.programme || ':' || cur.district
    JOIN ledger_accounts AS cr ON cr.book_code = p_book
         AND cr.code = p_credit_kind || ':' || cur.programme || ':' || cur.district
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
    UPDATE vch_vouchers AS t SET status = p_to_status, reason = p_reason,
           updated_at = p_now
    FROM credited AS c
    WHERE t.id = c.id AND t.status = p_from_status
    RETURNING c.*
  ),
  res AS (
    SELECT acc.*, json_build_object(
        'voucher_id', acc.id, 'programme', acc.programme, 'district', acc.district, 'person_id', acc.person_id,
        'status', p_to_status,
        'reserved_yuan', CAST(acc.reserved_fen / 100 AS text) || '.' || lpad(CAST(acc.reserved_fen % 100 AS text), 2, '0'),
        'face_yuan', CASE WHEN acc.face_fen IS NULL THEN NULL ELSE
            CAST(acc.face_fen / 100 AS text) || '.' || lpad(CAST(acc.face_fen % 100 AS text), 2, '0') END,
        'clause', acc.clause, 'claimed_on', to_char(acc.claimed_on, 'YYYY-MM-DD'),
        'expires_on', to_char(acc.expires_on, 'YYYY-MM-DD'), 'purchase', acc.purchase,
        'reason', p_reason, 'entry_id', acc.eid) AS result,
      'voucher:' || acc.id || ':' || p_to_status AS entry_key
    FROM v AS acc
  ),
  entry AS (
    INSERT INTO ledger_entries (id, book_code, business_date, description, idempotency_key, request_hash,
                                reversal_of, run_id, actor, data, created_at)
    SELECT res.eid, p_book, res.on_date, p_memo, res.entry_key,
           encode(sha256(convert_to(
             '{"book":"' || p_book || '","business_date":null,"data":{"clause":' || to_json(res.clause)
             || ',"voucher":' || res.id || '},"description":' || to_json(p_memo)
             || ',"lines":[[' || to_json(res.debit_code) || ',"D",' || res.amount || '],['
             || to_json(res.credit_code) || ',"C",' || res.amount || ']],"reversal_of":null}', 'UTF8')), 'hex'),
           NULL, NULL, res.who, json_build_object('clause', res.clause, 'voucher', res.id), p_now
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
    SELECT p_now, res.who, x.action, x.entity_type, x.entity_id, x.before, x.after, x.bdate
    FROM entry, res, LATERAL (VALUES
      (1, 'ledger.entry.posted', 'ledger_entry', CAST(entry.id AS text), CAST('null' AS json),
       json_build_object('id', entry.id, 'book', p_book, 'key', res.entry_key,
         'business_date', to_char(res.on_date, 'YYYY-MM-DD'), 'description', p_memo,
         'lines', json_build_array(json_build_array(res.debit_code, 'D', res.amount),
                                   json_build_array(res.credit_code, 'C', res.amount)),
         'reversal_of', NULL, 'run_id', NULL, 'data', json_build_object('clause', res.clause, 'voucher', res.id)),
       res.on_date),
      (2, p_action, 'voucher', CAST(res.id AS text),
       json_build_object('status', p_from_status),
       json_build_object('status', p_to_status, 'returned_fen', res.amount, 'reason', p_reason),
       CAST(NULL AS date))
    ) AS x(n, action, entity_type, entity_id, before, after, bdate)
    ORDER BY x.n
    RETURNING id
  ),
  idem AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, result, created_at)
    SELECT p_scope, p_key, p_req_hash, res.result, p_now
    FROM res, entry
    ON CONFLICT (scope, key) DO NOTHING
    RETURNING id, result
  )
  SELECT EXISTS (SELECT 1 FROM prior),
         CAST((SELECT request_hash FROM prior) AS text),
         (SELECT result FROM prior),
         EXISTS (SELECT 1 FROM v),
         (SELECT debit_id FROM debited),
         (SELECT credit_id FROM credited),
         (SELECT amount FROM debited),
         (SELECT id FROM entry),
         (SELECT id FROM idem),
         (SELECT result FROM idem),
         (SELECT count(*) FROM lines) + (SELECT count(*) FROM audits);
END
$fn$
"""


def _as_written(sql: str) -> None:
    # the bodies hold '%' (modulo) and ':' (JSON text): sent to the server as they are, past the
    # parameter parsing of SQLAlchemy and psycopg, in the migration's transaction
    op.get_bind().connection.driver_connection.execute(sql)


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _as_written(CLAIM)
        _as_written(RELEASE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS vch_release(text, text, text, text, bigint, text, text, text, text, '
                   'text, text, text, timestamptz)')
        op.execute('DROP FUNCTION IF EXISTS vch_claim(text, text, text, text, bigint, text, date, date, text, text, '
                   'text, text, text, timestamptz, text, text, text, text, jsonb, json, jsonb)')
