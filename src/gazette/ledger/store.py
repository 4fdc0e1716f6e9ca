"""Where the ledger's postings are kept: SQL over the ledger tables, behind plain functions.

Nothing here decides what an entry should be (that is :mod:`gazette.ledger.postings`) or when
to write it (that is :class:`gazette.ledger.ledger.Ledger`); this module only reads and writes
rows — guarded balance updates, entry claims, lines, accounts — and turns rows into values.
Reports (:mod:`gazette.ledger.reports`) read through the table handles defined here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    any_,
    bindparam,
    delete,
    event,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from gazette.ledger import clock
from gazette.ledger._sql import dialect_insert
from gazette.ledger.errors import EntryNotFound, InsufficientFunds, UnknownBook
from gazette.ledger.postings import Account, Book, PostedEntry, PostedLine
from gazette.store.ledger_models import (
    LedgerAccountRow,
    LedgerBalanceRow,
    LedgerBookRow,
    LedgerEntryRow,
    LedgerLineRow,
)

accounts_table = LedgerAccountRow.__table__
balances_table = LedgerBalanceRow.__table__
entries_table = LedgerEntryRow.__table__
lines_table = LedgerLineRow.__table__
books_table = LedgerBookRow.__table__

#: Accounts whose balances one set-based UPDATE moves at a time on PostgreSQL.
APPLY_CHUNK = 10_000

_GUARDED_UPDATE = (
    update(balances_table)
    .where(
        balances_table.c.account_id == bindparam("acc"),
        or_(balances_table.c.allow_negative,
            balances_table.c.balance + bindparam("d", type_=BigInteger) >= 0),
    )
    .values(balance=balances_table.c.balance + bindparam("d", type_=BigInteger))
)

_PG_LOCK = text(
    "SELECT account_id FROM ledger_balances WHERE account_id = ANY(CAST(:ids AS integer[])) "
    "ORDER BY account_id FOR UPDATE"
)
_PG_APPLY = text(
    "UPDATE ledger_balances AS b SET balance = b.balance + v.d "
    "FROM unnest(CAST(:ids AS integer[]), CAST(:ds AS bigint[])) AS v(acc, d) "
    "WHERE b.account_id = v.acc AND (b.allow_negative OR b.balance + v.d >= 0) "
    "RETURNING b.account_id"
)

_CACHE_PREFIX = "gazette.ledger.accounts:"


@event.listens_for(Session, "after_soft_rollback")
def _forget_accounts_on_rollback(session: Session, previous_transaction) -> None:
    # An account opened in a rolled-back transaction (or savepoint) must not stay cached.
    for k in [k for k in session.info if isinstance(k, str) and k.startswith(_CACHE_PREFIX)]:
        del session.info[k]


# --------------------------------------------------------------------------- books


def read_book(session: Session, book: str) -> Book:
    row = session.execute(select(books_table).where(books_table.c.code == book)).first()
    if row is None:
        raise UnknownBook(book)
    return Book(row.code, row.name, row.currency, row.business_date)


def insert_book(session: Session, code: str, name: str, currency: str, business_date: dt.date) -> bool:
    """Create the book unless it exists; True when it was created."""
    stmt = (
        dialect_insert(session, books_table)
        .values(code=code, name=name, currency=currency, business_date=business_date, created_at=clock.now())
        .on_conflict_do_nothing(index_elements=["code"])
        .returning(books_table.c.code)
    )
    return session.execute(stmt).scalar() is not None


def move_business_date_forward(session: Session, book: str, to: dt.date) -> bool:
    """Conditional UPDATE: True when the date moved (it was before ``to``)."""
    res = session.execute(
        update(books_table).where(books_table.c.code == book, books_table.c.business_date < to)
        .values(business_date=to)
    )
    return res.rowcount == 1


# --------------------------------------------------------------------------- accounts


def account_from_row(row) -> Account:
    return Account(
        id=row.id,
        book=row.book_code,
        code=row.code,
        name=row.name,
        type=row.type,
        currency=row.currency,
        programme=row.programme,
        district=row.district,
        owner=row.owner,
        allow_negative=bool(row.allow_negative),
        data=row.data or {},
    )


def account_cache(session: Session, book: str) -> dict[str, Account]:
    # Accounts never change once opened, so a per-session cache is always right.
    return session.info.setdefault(_CACHE_PREFIX + book, {})


def resolve_accounts(session: Session, book: str, codes: Iterable[str]) -> dict[str, Account]:
    """The accounts of ``book`` with these codes that exist (cached per session)."""
    cache = account_cache(session, book)
    codes = list(codes)
    missing = [c for c in set(codes) if c not in cache]
    if not missing:
        return {c: cache[c] for c in codes}
    for _, match in in_chunks(session, accounts_table.c.code, missing, String):
        for row in session.execute(select(accounts_table).where(accounts_table.c.book_code == book, match)):
            cache[row.code] = account_from_row(row)
    return {c: cache[c] for c in codes if c in cache}


def list_accounts(session: Session, book: str, filters: dict[str, str | None]) -> list[Account]:
    stmt = select(accounts_table).where(accounts_table.c.book_code == book).order_by(accounts_table.c.code)
    for column, value in filters.items():
        if value is not None:
            stmt = stmt.where(accounts_table.c[column] == value)
    return [account_from_row(r) for r in session.execute(stmt)]


def insert_account(session: Session, book: str, code: str, values: dict[str, Any], data: dict) -> int | None:
    """Insert an account and its zero balance; None when the code exists already."""
    stmt = (
        dialect_insert(session, accounts_table)
        .values(book_code=book, code=code, data=data, created_at=clock.now(), **values)
        .on_conflict_do_nothing(index_elements=["book_code", "code"])
        .returning(accounts_table.c.id)
    )
    new_id = session.execute(stmt).scalar()
    if new_id is not None:
        session.execute(insert(balances_table).values(account_id=new_id, balance=0,
                                                      allow_negative=bool(values["allow_negative"])))
    return new_id


def read_balances(session: Session, account_ids: list[int]) -> dict[int, int]:
    values: dict[int, int] = {}
    for _, match in in_chunks(session, balances_table.c.account_id, account_ids, Integer):
        for acc_id, bal in session.execute(select(balances_table.c.account_id, balances_table.c.balance).where(match)):
            values[acc_id] = bal
    return values


def read_balance(session: Session, account_id: int) -> int:
    return session.execute(
        select(balances_table.c.balance).where(balances_table.c.account_id == account_id)
    ).scalar_one()


# --------------------------------------------------------------------------- entries


def claim_entry(session: Session, values: dict[str, Any]) -> int | None:
    """Insert the entry row — the claim of its key. None when the key was posted already (on
    PostgreSQL a concurrent claimer blocks here until the first one commits or rolls back)."""
    stmt = (
        dialect_insert(session, entries_table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["book_code", "idempotency_key"])
        .returning(entries_table.c.id)
    )
    return session.execute(stmt).scalar()


def find_entry_by_key(session: Session, book: str, key: str):
    """``(id, request_hash)`` of the entry posted under ``key``, or None."""
    return session.execute(
        select(entries_table.c.id, entries_table.c.request_hash)
        .where(entries_table.c.book_code == book, entries_table.c.idempotency_key == key)
    ).first()


def find_entries_by_keys(session: Session, book: str, keys: list[str]) -> Iterator[Any]:
    for _, match in in_chunks(session, entries_table.c.idempotency_key, keys, String):
        yield from session.execute(
            select(entries_table.c.id, entries_table.c.idempotency_key, entries_table.c.request_hash)
            .where(entries_table.c.book_code == book, match)
        )


def delete_entry(session: Session, entry_id: int) -> None:
    session.execute(delete(entries_table).where(entries_table.c.id == entry_id))


def insert_lines(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(lines_table), rows)


def read_entry(session: Session, book: str, entry_id: int, *, replayed: bool = False,
               lock: bool = False) -> PostedEntry:
    stmt = select(entries_table).where(entries_table.c.id == entry_id, entries_table.c.book_code == book)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    row = session.execute(stmt).first()
    if row is None:
        raise EntryNotFound(book, entry_id)
    lines = session.execute(
        select(accounts_table.c.code, lines_table.c.side, lines_table.c.amount_fen)
        .join(accounts_table, accounts_table.c.id == lines_table.c.account_id)
        .where(lines_table.c.entry_id == entry_id)
        .order_by(lines_table.c.id)
    ).all()
    return PostedEntry(
        id=row.id,
        book=row.book_code,
        key=row.idempotency_key,
        business_date=row.business_date,
        description=row.description,
        lines=tuple(PostedLine(c, s, a) for c, s, a in lines),
        created_at=clock.as_shanghai(row.created_at),
        actor=row.actor,
        reversal_of=row.reversal_of,
        run_id=row.run_id,
        data=row.data or {},
        replayed=replayed,
    )


def find_reversal(session: Session, entry_id: int):
    """``(id, idempotency_key)`` of the reversal of ``entry_id``, or None."""
    return session.execute(
        select(entries_table.c.id, entries_table.c.idempotency_key).where(entries_table.c.reversal_of == entry_id)
    ).first()


def entry_id_by_key(session: Session, book: str, key: str) -> int | None:
    return session.execute(
        select(entries_table.c.id).where(entries_table.c.book_code == book, entries_table.c.idempotency_key == key)
    ).scalar()


# --------------------------------------------------------------------------- guarded balances


def apply_guarded(session: Session, account_id: int, delta: int) -> bool:
    """Move one balance unless it would take a guarded account below zero; True when moved."""
    return session.execute(_GUARDED_UPDATE, {"acc": account_id, "d": delta}).rowcount == 1


def undo_applied(session: Session, applied: list[tuple[int, int]]) -> None:
    for account_id, delta in applied:
        session.execute(
            update(balances_table).where(balances_table.c.account_id == account_id)
            .values(balance=balances_table.c.balance - delta)
        )


def apply_many(session: Session, deltas: list[tuple[int, int]]) -> int | None:
    """Apply ``(account id, delta)`` pairs sorted by account id, each guarded; return the
    first refused account id (the caller must roll back), or None when all were applied.

    On PostgreSQL, per chunk: lock the rows in id order (``SELECT … ORDER BY … FOR UPDATE``,
    so two batches never deadlock), then one set-based conditional ``UPDATE … FROM unnest``
    whose RETURNING names the rows it changed. Elsewhere (SQLite, one writer) row by row.
    """
    if session.get_bind().dialect.name != "postgresql":
        for acc_id, d in deltas:
            if not apply_guarded(session, acc_id, d):
                return acc_id
        return None
    for i in range(0, len(deltas), APPLY_CHUNK):
        chunk = deltas[i : i + APPLY_CHUNK]
        ids = [a for a, _ in chunk]
        session.execute(_PG_LOCK, {"ids": ids})
        applied = set(session.execute(_PG_APPLY, {"ids": ids, "ds": [d for _, d in chunk]}).scalars())
        if len(applied) != len(chunk):
            return next(a for a in ids if a not in applied)
    return None


def insufficient_funds(session: Session, book: str, account_id: int, delta: int) -> InsufficientFunds:
    code, bal = session.execute(
        select(accounts_table.c.code, balances_table.c.balance)
        .join(accounts_table, accounts_table.c.id == balances_table.c.account_id)
        .where(balances_table.c.account_id == account_id)
    ).one()
    return InsufficientFunds(book, code, int(bal), -delta)


def in_chunks(session: Session, column, values: list, item_type):
    """``(chunk, column IN chunk)`` pairs; on PostgreSQL one array parameter (``= ANY``) per
    50,000 values instead of a placeholder per value."""
    if session.get_bind().dialect.name == "postgresql":
        for i in range(0, len(values), 50_000):
            chunk = values[i : i + 50_000]
            yield chunk, column == any_(bindparam(None, chunk, type_=ARRAY(item_type)))
    else:
        for i in range(0, len(values), 500):
            chunk = values[i : i + 500]
            yield chunk, column.in_(chunk)
