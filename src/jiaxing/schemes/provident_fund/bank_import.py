"""The bank result import (受托银行回盘): settle the month's debit instructions from the bank's file,
once per import id (run ``("pf.bank_import", import_id)``).

On PostgreSQL the file goes by ``COPY`` into a staging table (temporary, dropped at commit); one
``INSERT … SELECT`` parses every reference (``YYYY-MM-<account id>``) and marks duplicates with a
window function, and the matching is set-based: the exceptions in one statement, the settled debits,
the credited accounts and the counts in another. SQLite takes the same statements after the lines are
parsed in Python and inserted by an executemany.

Duplicates (a debit twice in the file, or already settled), unknown references and amount mismatches
go to the exceptions list and change nothing; instructions without a result are reported as
``missing_result`` by the arrears run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from gazette.errors import InvalidInput
from gazette.ledger import execute_run
from gazette.ledger._sql import bulk_insert
from gazette.ledger.money import yuan_to_fen
from jiaxing.schemes.provident_fund.book import ledger, today
from jiaxing.schemes.provident_fund.domain import cited, clause
from jiaxing.schemes.provident_fund.models import BankLine
from jiaxing.schemes.provident_fund.reference_data import rate_index
from jiaxing.schemes.provident_fund.runs import greatest, is_postgres, unit_of_work_factory

COLUMNS = ("import_id", "line_no", "ref", "amount_fen", "result", "account_id", "month", "dup")
# A reference names its debit: YYYY-MM-<account id> (digits only; the month 01–12).
REFERENCE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-[0-9]{1,18}$"


def parse_bank_file(content: str) -> list[tuple[str, int, str]]:
    """A bank result file: CSV lines ``ref,amount_yuan,result`` (result ``ok`` or ``failed``); a header
    line starting with ``ref`` and blank lines are ignored. A malformed line is an error (nothing written)."""
    out = []
    for line_no, line in enumerate(content.splitlines(), 1):
        line = line.strip()
        if not line or line.lower().startswith("ref"):
            continue
        parts = [p.strip() for p in line.split(",")]
        if len(parts) != 3 or parts[2] not in ("ok", "failed") or not parts[0]:
            raise cited(InvalidInput(f"银行回盘文件第 {line_no} 行格式错误", f"bank result file line {line_no} is malformed",
                                     field="file", code="bad_bank_file"), line=line_no)
        try:
            out.append((parts[0], yuan_to_fen(parts[1]), parts[2]))
        except Exception:
            raise cited(InvalidInput(f"银行回盘文件第 {line_no} 行金额错误", f"bank result file line {line_no}: bad amount",
                                     field="file", code="bad_bank_file"), line=line_no) from None
    return out


def debit_of(ref: str) -> tuple[int | None, int | None]:
    """A debit reference ``YYYY-MM-<account id>`` → (account_id, month index); anything else → (None, None).
    The same reading as :data:`REFERENCE_PATTERN` and the SQL of :data:`PARSE_STAGED`."""
    if len(ref) > 8 and ref[4] == "-" and ref[7] == "-" and ref.isascii():
        year, month, account = ref[:4], ref[5:7], ref[8:]
        if year.isdigit() and month.isdigit() and account.isdigit() and 1 <= int(month) <= 12 and len(account) <= 18:
            return int(account), int(year) * 12 + int(month) - 1
    return None, None


def copy_text(lines: Sequence[tuple[str, int, str]]) -> str | None:
    """The lines as COPY text (line_no, ref, amount_fen, result), or None when a reference holds a character
    that COPY would read as a delimiter or an escape (then the rows go one by one through the driver)."""
    body = "\n".join([f"{no}\t{ref}\t{amount}\t{result}" for no, (ref, amount, result) in enumerate(lines, 1)])
    if body.count("\t") != 3 * len(lines) or body.count("\n") != len(lines) - 1 or "\\" in body or "\r" in body:
        return None
    return body + "\n"


# staged lines → pf_bank_lines: the debit parsed from the reference; a line is a duplicate when its debit
# (or, for a reference that names none, the same reference) came earlier in the file
PARSE_STAGED = f"""
    INSERT INTO pf_bank_lines (import_id, line_no, ref, amount_fen, result, account_id, month, dup)
    SELECT :imp, line_no, ref, amount_fen, result, account_id, month,
           ROW_NUMBER() OVER (PARTITION BY COALESCE(CAST(account_id AS TEXT) || '/' || CAST(month AS TEXT), ref)
                              ORDER BY line_no) > 1
    FROM (SELECT line_no, ref, amount_fen, result,
                 CASE WHEN ref ~ '{REFERENCE_PATTERN}' THEN CAST(substr(ref, 9) AS BIGINT) END AS account_id,
                 CASE WHEN ref ~ '{REFERENCE_PATTERN}'
                      THEN CAST(substr(ref, 1, 4) AS INTEGER) * 12 + CAST(substr(ref, 6, 2) AS INTEGER) - 1 END AS month
          FROM pf_bank_staging) s"""

EXCEPTIONS = """
    INSERT INTO pf_exceptions (source, line_no, ref, kind, detail, business_date)
    SELECT l.import_id, l.line_no, l.ref,
      CASE WHEN l.dup THEN 'duplicate'
           WHEN c.id IS NULL THEN 'unknown_reference'
           WHEN c.status <> 'pending' THEN 'already_settled'
           ELSE 'amount_mismatch' END,
      CASE WHEN c.id IS NULL THEN NULL ELSE 'expected ' || CAST(c.amount_fen AS VARCHAR(20)) END, :d
    FROM pf_bank_lines l LEFT JOIN pf_collections c ON c.account_id = l.account_id AND c.month = l.month
    WHERE l.import_id = :imp AND (l.dup OR c.id IS NULL OR c.status <> 'pending' OR c.amount_fen <> l.amount_fen)"""

SETTLE = """
    UPDATE pf_collections SET
      status = CASE WHEN l.result = 'ok' THEN 'paid' ELSE 'failed' END,
      reason = CASE WHEN l.result = 'ok' THEN NULL ELSE 'debit_failed' END,
      settled_on = :d, import_id = :imp
    FROM (SELECT b.account_id, b.month, b.amount_fen, b.result FROM pf_bank_lines b
          WHERE b.import_id = :imp AND NOT b.dup) l
    WHERE pf_collections.account_id = l.account_id AND pf_collections.month = l.month
      AND pf_collections.status = 'pending'
      AND l.amount_fen = pf_collections.amount_fen"""

# the paid months go to the balance (interest accrued up to today first)
CREDIT = """
    UPDATE pf_accounts SET
      accrual = accrual + balance_fen * {greatest}(:c - accrual_idx, 0),
      accrual_idx = {greatest}(accrual_idx, :c),
      balance_fen = balance_fen + s.total,
      last_paid_month = {greatest}(COALESCE(last_paid_month, -1), s.m)
    FROM (SELECT c.account_id, SUM(c.amount_fen) AS total, MAX(c.month) AS m FROM {settled}
          WHERE c.status = 'paid' GROUP BY c.account_id) s
    WHERE pf_accounts.id = s.account_id"""

# the debits this import settled, found through its own lines (no index on import_id needed)
SETTLED_BY_THIS_IMPORT = (
    "(SELECT account_id, month FROM pf_bank_lines WHERE import_id = :imp AND NOT dup "
    "AND account_id IS NOT NULL) r JOIN pf_collections c ON c.account_id = r.account_id "
    "AND c.month = r.month AND c.import_id = :imp")


def _stage_postgres(session: Session, import_id: str, body: str | None, lines: Sequence[tuple[str, int, str]]) -> None:
    session.execute(text("CREATE TEMP TABLE pf_bank_staging (line_no INTEGER, ref TEXT, amount_fen BIGINT, "
                         "result TEXT) ON COMMIT DROP"))
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor, cursor.copy(
            "COPY pf_bank_staging (line_no, ref, amount_fen, result) FROM STDIN") as copy:
        if body is not None:
            copy.write(body)
        else:
            for no, (ref, amount, result) in enumerate(lines, 1):
                copy.write_row((no, ref, amount, result))
    session.execute(text(PARSE_STAGED), {"imp": import_id})


def _stage_elsewhere(session: Session, import_id: str, lines: Sequence[tuple[str, int, str]]) -> None:
    seen: set = set()
    rows = []
    for no, (ref, amount, result) in enumerate(lines, 1):
        account_id, month = debit_of(ref)
        key = (account_id, month) if account_id is not None else ref
        rows.append(dict(zip(COLUMNS, (import_id, no, ref, amount, result, account_id, month, key in seen),
                             strict=True)))
        seen.add(key)
    bulk_insert(session, BankLine.__table__, rows, conflict=["import_id", "line_no"])


def import_bank_results(import_id: str, lines: Sequence[tuple[str, int, str]], *, uow=None, actor: str = "system"):
    """Settle debit instructions from a bank result file, once per ``import_id``."""
    uow = unit_of_work_factory(uow)
    body = copy_text(lines) if lines else ""
    digest = hashlib.sha256((body if body is not None else repr(list(lines))).encode()).hexdigest()[:16]
    with uow() as session:
        day = today(session)
        index_now = rate_index(session, day)

    def process(session: Session, chunk, ctx) -> dict:
        p = {"imp": import_id, "d": day, "c": index_now}
        postgres = is_postgres(session)
        if lines and postgres:
            _stage_postgres(session, import_id, body, lines)
            if len(lines) >= 100_000:
                session.execute(text("ANALYZE pf_bank_lines"))  # fresh statistics for the joins below
        elif lines:
            _stage_elsewhere(session, import_id, lines)
        session.execute(text(EXCEPTIONS), p)
        credit = CREDIT.replace("{greatest}", greatest(session))
        if postgres:
            # one statement: the settled debits feed the account update and the counts (no re-join)
            rows = session.execute(text(f"""
                WITH settled AS ({SETTLE}
                  RETURNING pf_collections.account_id, pf_collections.month, pf_collections.amount_fen,
                            pf_collections.status),
                credited AS ({credit.format(settled="settled c")} RETURNING 1)
                SELECT status, COUNT(*), SUM(amount_fen) FROM settled GROUP BY status"""), p).all()
        else:
            session.execute(text(SETTLE), p)
            session.execute(text(credit.format(settled=SETTLED_BY_THIS_IMPORT)), p)
            rows = session.execute(text(f"SELECT c.status, COUNT(*), SUM(c.amount_fen) FROM {SETTLED_BY_THIS_IMPORT} "
                                        "GROUP BY c.status"), p).all()
        counts = {status: n for status, n, _ in rows}
        paid_fen = int(next((amount or 0 for status, _, amount in rows if status == "paid"), 0))
        exceptions = session.execute(text("SELECT COUNT(*) FROM pf_exceptions WHERE source = :imp"), p).scalar()
        if paid_fen:
            ledger(actor).transfer(session, "bank", "members", paid_fen, key=ctx.key("paid"), business_date=day,
                                   memo=f"委托收款到账 {import_id}", run_id=ctx.run_id,
                                   data={"clause": clause("第十三条")}, actor=actor)
        return {"lines": len(lines), "paid": counts.get("paid", 0), "failed": counts.get("failed", 0),
                "exceptions": exceptions, "paid_fen": paid_fen}

    return execute_run("pf.bank_import", import_id, [import_id], process, uow=uow, chunk_size=1,
                       business_date=day, params={"lines": len(lines), "digest": digest})
