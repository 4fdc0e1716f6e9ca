"""The double-entry ledger (复式记账): books, accounts, balanced journal entries, guarded balances.

Every method takes the caller's SQLAlchemy ``Session`` and writes only inside it: one command,
one transaction (``with unit_of_work() as session: …``). Nothing here commits.

Invariants, each enforced where it cannot be bypassed:

* an entry is balanced — sum of debits = sum of credits — checked before anything is written;
* amounts are positive integer fen (also a CHECK on ``ledger_lines``);
* an account that does not ``allow_negative`` can never go below zero: every change to its
  balance row is the conditional ``UPDATE … SET balance = balance + :d WHERE account_id = :id
  AND (allow_negative OR balance + :d >= 0)`` whose row count is checked, and a CHECK constraint
  on ``ledger_balances`` backs it — so concurrent spenders of one pool cannot overspend it;
* an entry is posted once per ``(book, idempotency key)`` (a unique constraint); a repeat with
  the same request returns the first entry, one with a different request raises
  ``idempotency_key_reused``;
* journal lines are append-only; a correction is a reversal entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

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

from gazette.ledger import audit, clock
from gazette.ledger._sql import bulk_insert, canonical_hash, check_key, dialect_insert, jsonable
from gazette.ledger.errors import (
    AccountConflict,
    CurrencyMismatch,
    EntryAlreadyReversed,
    EntryNotFound,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidBusinessDate,
    InvalidEntry,
    UnbalancedEntry,
    UnknownAccount,
    UnknownBook,
)
from gazette.ledger.money import CURRENCY, check_amount
from gazette.store.ledger_models import (
    ACCOUNT_TYPES,
    LedgerAccountRow,
    LedgerBalanceRow,
    LedgerBookRow,
    LedgerEntryRow,
    LedgerLineRow,
)

A = LedgerAccountRow.__table__
B = LedgerBalanceRow.__table__
E = LedgerEntryRow.__table__
L = LedgerLineRow.__table__
K = LedgerBookRow.__table__

#: The side on which an account type grows: assets and expenses on the debit side (借),
#: liabilities, equity and income on the credit side (贷).
NORMAL_SIDE = {"asset": "D", "expense": "D", "liability": "C", "equity": "C", "income": "C"}
SIDES = ("D", "C")
APPLY_CHUNK = 10_000

_GUARDED_UPDATE = (
    update(B)
    .where(
        B.c.account_id == bindparam("acc"),
        or_(B.c.allow_negative, B.c.balance + bindparam("d", type_=BigInteger) >= 0),
    )
    .values(balance=B.c.balance + bindparam("d", type_=BigInteger))
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


if TYPE_CHECKING:
    from gazette.ledger.reports import Statement, TrialBalance, Verification

_CACHE_PREFIX = "gazette.ledger.accounts:"


@event.listens_for(Session, "after_soft_rollback")
def _forget_accounts_on_rollback(session: Session, previous_transaction) -> None:
    # An account opened in a rolled-back transaction (or savepoint) must not stay cached.
    for k in [k for k in session.info if isinstance(k, str) and k.startswith(_CACHE_PREFIX)]:
        del session.info[k]


# --------------------------------------------------------------------------- value objects


@dataclass(frozen=True)
class Book:
    code: str
    name: str
    currency: str
    business_date: dt.date


@dataclass(frozen=True)
class Account:
    id: int
    book: str
    code: str
    name: str
    type: str
    currency: str = CURRENCY
    programme: str | None = None
    district: str | None = None
    owner: str | None = None
    allow_negative: bool = False
    data: dict = field(default_factory=dict)

    @property
    def normal_side(self) -> str:
        return NORMAL_SIDE[self.type]

    def signed(self, side: str, amount_fen: int) -> int:
        """The change to this account's balance (in its normal direction) of one line."""
        return amount_fen if side == self.normal_side else -amount_fen


@dataclass(frozen=True)
class Line:
    """One requested line of an entry: ``side`` is ``"D"`` (借 debit) or ``"C"`` (贷 credit)."""

    account: str
    side: str
    amount_fen: int


def debit(account: str, amount_fen: int) -> Line:
    return Line(account, "D", amount_fen)


def credit(account: str, amount_fen: int) -> Line:
    return Line(account, "C", amount_fen)


@dataclass(frozen=True)
class AccountSpec:
    """One account of :meth:`Ledger.open_accounts`."""

    code: str
    name: str
    type: str
    programme: str | None = None
    district: str | None = None
    owner: str | None = None
    allow_negative: bool = False
    data: dict | None = None


@dataclass(frozen=True)
class EntryRequest:
    """One entry of :meth:`Ledger.post_many`."""

    key: str
    lines: Sequence[Line]
    description: str = ""
    business_date: dt.date | None = None
    data: dict | None = None


@dataclass(frozen=True)
class PostedLine:
    account: str
    side: str
    amount_fen: int


@dataclass(frozen=True)
class PostedEntry:
    id: int
    book: str
    key: str
    business_date: dt.date
    description: str
    lines: tuple[PostedLine, ...]
    created_at: dt.datetime
    actor: str
    reversal_of: int | None = None
    run_id: int | None = None
    data: dict = field(default_factory=dict)
    replayed: bool = False  # True when an earlier request with the same key was returned

    @property
    def amount_fen(self) -> int:
        """Total of the debit side (= total of the credit side)."""
        return sum(ln.amount_fen for ln in self.lines if ln.side == "D")

    def as_dict(self) -> dict[str, Any]:
        return jsonable(
            {
                "id": self.id,
                "book": self.book,
                "key": self.key,
                "business_date": self.business_date,
                "description": self.description,
                "lines": [[ln.account, ln.side, ln.amount_fen] for ln in self.lines],
                "created_at": self.created_at,
                "actor": self.actor,
                "reversal_of": self.reversal_of,
                "run_id": self.run_id,
                "data": self.data,
            }
        )


@dataclass(frozen=True)
class BatchPostResult:
    posted: int
    replayed: int
    entry_ids: dict[str, int]  # key → entry id, for new and replayed entries alike


@dataclass
class _Prepared:
    key: str
    digest: str
    business_date: dt.date
    description: str
    data: dict
    lines: list[tuple[Account, str, int]]
    reversal_of: int | None = None

    def deltas(self) -> dict[int, int]:
        out: dict[int, int] = {}
        for acc, side, amount in self.lines:
            out[acc.id] = out.get(acc.id, 0) + acc.signed(side, amount)
        return out


# --------------------------------------------------------------------------- the ledger


class Ledger:
    """One book (账本), e.g. ``Ledger("vouchers")``. Stateless: safe to share across threads."""

    def __init__(self, book: str, *, actor: str = "system"):
        self.book = book
        self.actor = actor

    def __repr__(self) -> str:
        return f"Ledger({self.book!r})"

    @property
    def scope(self) -> str:
        """The idempotency scope of this book's entries (as reported in errors)."""
        return f"ledger:{self.book}"

    # ------------------------------------------------------------------ books and dates

    @classmethod
    def open_book(
        cls,
        session: Session,
        code: str,
        name: str,
        *,
        business_date: dt.date,
        currency: str = CURRENCY,
        actor: str = "system",
    ) -> Ledger:
        """Create the book if it does not exist (idempotent; an existing book is kept as is)."""
        clock.check_date(business_date)
        if not isinstance(code, str) or not code or len(code) > 50:
            raise InvalidEntry("账本代码必须是 1–50 个字符", "book code must be 1-50 characters", "book")
        stmt = (
            dialect_insert(session, K)
            .values(
                code=code, name=name, currency=currency, business_date=business_date, created_at=clock.now()
            )
            .on_conflict_do_nothing(index_elements=["code"])
            .returning(K.c.code)
        )
        if session.execute(stmt).scalar() is not None:
            audit.record(
                session,
                actor=actor,
                action="ledger.book.opened",
                entity_type="ledger_book",
                entity_id=code,
                after={"name": name, "currency": currency, "business_date": business_date},
                business_date=business_date,
            )
        return cls(code, actor=actor)

    def info(self, session: Session) -> Book:
        row = session.execute(select(K).where(K.c.code == self.book)).first()
        if row is None:
            raise UnknownBook(self.book)
        return Book(row.code, row.name, row.currency, row.business_date)

    def business_date(self, session: Session) -> dt.date:
        """The book's "today" (营业日), which the operator advances."""
        return self.info(session).business_date

    def advance_business_date(self, session: Session, to: dt.date, *, actor: str | None = None) -> dt.date:
        """Move the business date forward to ``to``. Advancing to the current date is a no-op;
        moving backwards is an error. Safe under concurrency (conditional UPDATE)."""
        clock.check_date(to)
        res = session.execute(
            update(K).where(K.c.code == self.book, K.c.business_date < to).values(business_date=to)
        )
        current = self.business_date(session)
        if res.rowcount == 1:
            audit.record(
                session,
                actor=actor or self.actor,
                action="ledger.business_date.advanced",
                entity_type="ledger_book",
                entity_id=self.book,
                after={"business_date": to},
                business_date=to,
            )
            return to
        if current > to:
            raise InvalidBusinessDate(
                f"业务日期不能倒退：当前 {current}，请求 {to}",
                f"business date cannot go backwards: it is {current}, {to} requested",
                current=current.isoformat(),
                requested=to.isoformat(),
            )
        return current

    # ------------------------------------------------------------------ accounts

    def open_account(
        self,
        session: Session,
        code: str,
        name: str,
        type: str,
        *,
        programme: str | None = None,
        district: str | None = None,
        owner: str | None = None,
        allow_negative: bool = False,
        currency: str = CURRENCY,
        data: dict | None = None,
        actor: str | None = None,
    ) -> Account:
        """Open an account (科目) with a zero balance. Idempotent: opening an existing account
        with the same attributes returns it; with different attributes raises ``account_exists``."""
        if type not in ACCOUNT_TYPES:
            raise InvalidEntry(
                f"科目类型不正确：{type}（应为 {', '.join(ACCOUNT_TYPES)}）",
                f"unknown account type {type!r} (expected one of {', '.join(ACCOUNT_TYPES)})",
                "type",
                code="invalid_account_type",
            )
        if not isinstance(code, str) or not code.strip() or len(code) > 200:
            raise InvalidEntry("科目代码必须是 1–200 个字符", "account code must be 1-200 characters", "code")
        book = self.info(session)
        if currency != book.currency:
            raise CurrencyMismatch(self.book, code, currency, book.currency)
        wanted = {
            "name": name,
            "type": type,
            "currency": currency,
            "programme": programme,
            "district": district,
            "owner": owner,
            "allow_negative": bool(allow_negative),
        }
        existing = self._resolve(session, [code]).get(code)
        if existing is not None:  # the common case once a scheme is set up: no write at all
            differences = {
                k: [getattr(existing, k), v] for k, v in wanted.items() if getattr(existing, k) != v
            }
            if differences:
                raise AccountConflict(self.book, code, differences)
            return existing
        stmt = (
            dialect_insert(session, A)
            .values(
                book_code=self.book, code=code, data=jsonable(data or {}), created_at=clock.now(), **wanted
            )
            .on_conflict_do_nothing(index_elements=["book_code", "code"])
            .returning(A.c.id)
        )
        new_id = session.execute(stmt).scalar()
        if new_id is None:
            acc = self.account(session, code)
            differences = {k: [getattr(acc, k), v] for k, v in wanted.items() if getattr(acc, k) != v}
            if differences:
                raise AccountConflict(self.book, code, differences)
            return acc
        session.execute(insert(B).values(account_id=new_id, balance=0, allow_negative=bool(allow_negative)))
        audit.record(
            session,
            actor=actor or self.actor,
            action="ledger.account.opened",
            entity_type="ledger_account",
            entity_id=f"{self.book}:{code}",
            after=wanted,
            business_date=book.business_date,
        )
        acc = Account(
            new_id,
            self.book,
            code,
            name,
            type,
            data=data or {},
            **{k: v for k, v in wanted.items() if k not in ("name", "type")},
        )
        self._cache(session)[code] = acc
        return acc

    def open_accounts(
        self, session: Session, specs: Sequence[AccountSpec], *, actor: str | None = None
    ) -> dict[str, Account]:
        """Open many accounts at once (e.g. one per worker for a fund); same rules as
        :meth:`open_account`: existing identical accounts are kept, different ones refused.
        One audit record for the batch."""
        book = self.info(session)
        now = clock.now()
        seen: set[str] = set()
        for spec in specs:
            if spec.type not in ACCOUNT_TYPES:
                raise InvalidEntry(
                    f"科目类型不正确：{spec.type}",
                    f"unknown account type {spec.type!r}",
                    "type",
                    code="invalid_account_type",
                )
            if (
                not isinstance(spec.code, str)
                or not spec.code.strip()
                or len(spec.code) > 200
                or spec.code in seen
            ):
                raise InvalidEntry(
                    f"科目代码为空、过长或重复：{spec.code!r}",
                    f"empty, too long or duplicate account code {spec.code!r}",
                    "code",
                )
            seen.add(spec.code)
        rows = [
            {
                "book_code": self.book,
                "code": sp.code,
                "name": sp.name,
                "type": sp.type,
                "currency": book.currency,
                "programme": sp.programme,
                "district": sp.district,
                "owner": sp.owner,
                "allow_negative": bool(sp.allow_negative),
                "data": jsonable(sp.data or {}),
                "created_at": now,
            }
            for sp in specs
        ]
        new = bulk_insert(
            session, A, rows, conflict=["book_code", "code"], returning=["id", "code", "allow_negative"]
        )
        bulk_insert(
            session, B, [{"account_id": r.id, "balance": 0, "allow_negative": r.allow_negative} for r in new]
        )
        created = sorted(r.code for r in new)
        accounts = self._resolve(session, [sp.code for sp in specs])
        for sp in specs:
            acc = accounts[sp.code]
            wanted = {
                "name": sp.name,
                "type": sp.type,
                "programme": sp.programme,
                "district": sp.district,
                "owner": sp.owner,
                "allow_negative": bool(sp.allow_negative),
            }
            differences = {k: [getattr(acc, k), v] for k, v in wanted.items() if getattr(acc, k) != v}
            if differences:
                raise AccountConflict(self.book, sp.code, differences)
        if created:
            audit.record(
                session,
                actor=actor or self.actor,
                action="ledger.accounts.opened",
                entity_type="ledger_book",
                entity_id=self.book,
                after={"count": len(created), "first": created[0], "last": created[-1]},
                business_date=book.business_date,
            )
        return accounts

    def account(self, session: Session, code: str, field: str = "account") -> Account:
        found = self._resolve(session, [code])
        if code not in found:
            raise UnknownAccount(self.book, code, field)
        return found[code]

    def accounts(
        self,
        session: Session,
        *,
        type: str | None = None,
        programme: str | None = None,
        district: str | None = None,
        owner: str | None = None,
    ) -> list[Account]:
        stmt = select(A).where(A.c.book_code == self.book).order_by(A.c.code)
        for col, value in (
            ("type", type),
            ("programme", programme),
            ("district", district),
            ("owner", owner),
        ):
            if value is not None:
                stmt = stmt.where(A.c[col] == value)
        return [_account(r) for r in session.execute(stmt)]

    def _cache(self, session: Session) -> dict[str, Account]:
        # Accounts never change once opened, so a per-session cache is always right.
        return session.info.setdefault(_CACHE_PREFIX + self.book, {})

    def _resolve(self, session: Session, codes: Iterable[str]) -> dict[str, Account]:
        cache = self._cache(session)
        codes = list(codes)
        missing = [c for c in set(codes) if c not in cache]
        if not missing:
            return {c: cache[c] for c in codes}
        for _, match in _in_chunks(session, A.c.code, missing, String):
            for row in session.execute(select(A).where(A.c.book_code == self.book, match)):
                cache[row.code] = _account(row)
        return {c: cache[c] for c in codes if c in cache}

    # ------------------------------------------------------------------ posting

    def transfer(
        self,
        session: Session,
        debit_account: str,
        credit_account: str,
        amount_fen: int,
        *,
        key: str,
        business_date: dt.date | None = None,
        memo: str = "",
        data: dict | None = None,
        actor: str | None = None,
        run_id: int | None = None,
    ) -> PostedEntry:
        """Post the two-line entry 借 ``debit_account`` / 贷 ``credit_account`` of ``amount_fen``.

        E.g. claiming a voucher from a pool: ``transfer(s, "issued:南湖区", "pool:南湖区", 5000, key=…)``
        — the pool (an asset) decreases and raises ``insufficient_funds`` rather than go below zero.
        """
        amount_fen = check_amount(amount_fen)
        if debit_account == credit_account:
            raise InvalidEntry(
                "借方科目与贷方科目不能相同",
                "debit and credit account must differ",
                "credit_account",
                code="same_account",
            )
        return self.post(
            session,
            [debit(debit_account, amount_fen), credit(credit_account, amount_fen)],
            key=key,
            description=memo,
            business_date=business_date,
            data=data,
            actor=actor,
            run_id=run_id,
        )

    def post(
        self,
        session: Session,
        lines: Sequence[Line],
        *,
        key: str,
        description: str = "",
        business_date: dt.date | None = None,
        data: dict | None = None,
        actor: str | None = None,
        run_id: int | None = None,
    ) -> PostedEntry:
        """Post one balanced entry, once per ``key``.

        Raises a typed error (and leaves no trace in the session, even if the caller goes on)
        for an invalid amount, an unbalanced entry, an unknown account, a future business date,
        a key reused with a different request, or insufficient funds on a guarded account.
        """
        prepared = self._prepare(session, lines, key, description, business_date, data)
        return self._post_one(session, prepared, actor=actor or self.actor, run_id=run_id)

    def reverse(
        self,
        session: Session,
        entry_id: int,
        *,
        key: str | None = None,
        business_date: dt.date | None = None,
        memo: str | None = None,
        actor: str | None = None,
        run_id: int | None = None,
    ) -> PostedEntry:
        """Post the reversal (冲销) of an entry: the same lines, sides swapped. An entry is
        reversed at most once; the default key ``reversal:<entry_id>`` makes retries safe.
        Reversing can fail with ``insufficient_funds`` when the money was already spent."""
        key = key if key is not None else f"reversal:{entry_id}"
        check_key(key)
        stmt = select(E).where(E.c.id == entry_id, E.c.book_code == self.book)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()  # serialise concurrent reversals of one entry
        orig = session.execute(stmt).first()
        if orig is None:
            raise EntryNotFound(self.book, entry_id)
        if orig.reversal_of is not None:
            raise InvalidEntry(
                f"分录 {entry_id} 本身是冲销分录，不能再冲销",
                f"entry {entry_id} is itself a reversal and cannot be reversed",
                "entry_id",
                code="entry_is_reversal",
            )
        done = session.execute(select(E.c.id, E.c.idempotency_key).where(E.c.reversal_of == entry_id)).first()
        if done is not None and done.idempotency_key != key:
            raise EntryAlreadyReversed(entry_id, done.id)
        original = self.entry(session, entry_id)
        swapped = [Line(ln.account, "C" if ln.side == "D" else "D", ln.amount_fen) for ln in original.lines]
        description = memo if memo is not None else f"冲销分录 {entry_id}：{original.description}"
        prepared = self._prepare(
            session, swapped, key, description, business_date, {"reversal_of": entry_id}, reversal_of=entry_id
        )
        return self._post_one(session, prepared, actor=actor or self.actor, run_id=run_id)

    def post_many(
        self,
        session: Session,
        entries: Sequence[EntryRequest],
        *,
        actor: str | None = None,
        run_id: int | None = None,
    ) -> BatchPostResult:
        """Post many entries with set-based SQL (for batch runs): multi-row claims, one
        conditional UPDATE per touched account, bulk line inserts, one audit record.

        Entries whose key was already posted with the same request are skipped (counted as
        ``replayed``). Unlike :meth:`post`, a typed error here (insufficient funds, a reused
        key, …) leaves partial writes in the session: roll the transaction back (as
        ``unit_of_work`` does) — batch units are meant to be retried whole.
        """
        actor = actor or self.actor
        if not entries:
            return BatchPostResult(0, 0, {})
        prepared: list[_Prepared] = []
        codes: set[str] = set()
        for req in entries:
            for ln in req.lines:
                codes.add(ln.account)
        self._resolve(session, codes)
        book = self.info(session)
        seen: set[str] = set()
        for req in entries:
            if req.key in seen:
                raise InvalidEntry(
                    f"同一批次中幂等键重复：{req.key}",
                    f"duplicate key in one batch: {req.key!r}",
                    "key",
                    code="duplicate_key",
                )
            seen.add(req.key)
            prepared.append(
                self._prepare(
                    session, req.lines, req.key, req.description, req.business_date, req.data, book=book
                )
            )
        now = clock.now()
        claimed = bulk_insert(
            session,
            E,
            [self._entry_values(p, actor, run_id, now) for p in prepared],
            conflict=["book_code", "idempotency_key"],
            returning=["id", "idempotency_key"],
        )
        new_ids: dict[str, int] = {row.idempotency_key: row.id for row in claimed}
        entry_ids = dict(new_ids)
        old = [p for p in prepared if p.key not in new_ids]
        by_key = {p.key: p for p in old}
        for _, match in _in_chunks(session, E.c.idempotency_key, list(by_key), String):
            rows = session.execute(
                select(E.c.id, E.c.idempotency_key, E.c.request_hash).where(E.c.book_code == self.book, match)
            )
            for row in rows:
                if row.request_hash != by_key[row.idempotency_key].digest:
                    raise IdempotencyKeyReused(self.scope, row.idempotency_key)
                entry_ids[row.idempotency_key] = row.id
        fresh = [p for p in prepared if p.key in new_ids]
        deltas: dict[int, int] = {}
        for p in fresh:
            for acc_id, d in p.deltas().items():
                deltas[acc_id] = deltas.get(acc_id, 0) + d
        refused = self._apply_many(session, sorted((a, d) for a, d in deltas.items() if d != 0))
        if refused is not None:
            self._raise_insufficient(session, refused, deltas[refused])
        line_rows = [
            {"entry_id": new_ids[p.key], "account_id": acc.id, "side": side, "amount_fen": amount}
            for p in fresh
            for acc, side, amount in p.lines
        ]
        bulk_insert(session, L, line_rows)
        if fresh:
            audit.record(
                session,
                actor=actor,
                action="ledger.entries.posted",
                entity_type="ledger_book",
                entity_id=self.book,
                after={
                    "count": len(fresh),
                    "debit_total_fen": sum(a for p in fresh for _, s, a in p.lines if s == "D"),
                    "first_key": fresh[0].key,
                    "last_key": fresh[-1].key,
                    "run_id": run_id,
                },
                business_date=book.business_date,
            )
        return BatchPostResult(posted=len(fresh), replayed=len(prepared) - len(fresh), entry_ids=entry_ids)

    # ------------------------------------------------------------------ reading entries

    def entry(self, session: Session, entry_id: int, *, replayed: bool = False) -> PostedEntry:
        row = session.execute(select(E).where(E.c.id == entry_id, E.c.book_code == self.book)).first()
        if row is None:
            raise EntryNotFound(self.book, entry_id)
        lines = session.execute(
            select(A.c.code, L.c.side, L.c.amount_fen)
            .join(A, A.c.id == L.c.account_id)
            .where(L.c.entry_id == entry_id)
            .order_by(L.c.id)
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

    def entry_by_key(self, session: Session, key: str) -> PostedEntry | None:
        entry_id = session.execute(
            select(E.c.id).where(E.c.book_code == self.book, E.c.idempotency_key == key)
        ).scalar()
        return None if entry_id is None else self.entry(session, entry_id)

    # ------------------------------------------------------------------ balances and reports

    def balance(self, session: Session, account: str) -> int:
        """The current balance in fen, in the account's normal direction."""
        acc = self.account(session, account)
        return session.execute(select(B.c.balance).where(B.c.account_id == acc.id)).scalar_one()

    def balances(
        self,
        session: Session,
        *,
        type: str | None = None,
        programme: str | None = None,
        district: str | None = None,
        owner: str | None = None,
    ) -> list[tuple[Account, int]]:
        """Current balances of the accounts matching the filters (e.g. one programme's district pools)."""
        accounts = self.accounts(session, type=type, programme=programme, district=district, owner=owner)
        if not accounts:
            return []
        by_id = {a.id: a for a in accounts}
        values: dict[int, int] = {}
        for _, match in _in_chunks(session, B.c.account_id, list(by_id), Integer):
            for acc_id, bal in session.execute(select(B.c.account_id, B.c.balance).where(match)):
                values[acc_id] = bal
        return [(a, values.get(a.id, 0)) for a in accounts]

    def balance_at(self, session: Session, account: str, on: dt.date) -> int:
        from gazette.ledger import reports

        return reports.balance_at(session, self, account, on)

    def trial_balance(self, session: Session, on: dt.date | None = None) -> TrialBalance:
        from gazette.ledger import reports

        return reports.trial_balance(session, self, on)

    def statement(
        self, session: Session, account: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> Statement:
        from gazette.ledger import reports

        return reports.statement(session, self, account, start, end)

    def verify(self, session: Session) -> Verification:
        from gazette.ledger import reports

        return reports.verify(session, self)

    # ------------------------------------------------------------------ internals

    def _prepare(
        self,
        session: Session,
        lines: Sequence[Line],
        key: str,
        description: str,
        business_date: dt.date | None,
        data: dict | None,
        *,
        reversal_of: int | None = None,
        book: Book | None = None,
    ) -> _Prepared:
        check_key(key)
        if not isinstance(description, str) or len(description) > 2000:
            raise InvalidEntry(
                "摘要必须是不超过 2000 字的文本",
                "description must be text of at most 2000 characters",
                "description",
            )
        lines = list(lines)
        if len(lines) < 2:
            raise InvalidEntry(
                "分录至少需要两行（一借一贷）",
                "an entry needs at least two lines (a debit and a credit)",
                "lines",
            )
        debits = credits = 0
        for i, ln in enumerate(lines):
            if not isinstance(ln, Line):
                raise InvalidEntry(f"第 {i + 1} 行格式不正确", f"line {i} is not a Line", f"lines[{i}]")
            if ln.side not in SIDES:
                raise InvalidEntry(
                    f"第 {i + 1} 行借贷方向不正确：{ln.side!r}",
                    f"line {i}: side must be 'D' or 'C', got {ln.side!r}",
                    f"lines[{i}].side",
                    code="invalid_side",
                )
            amount = check_amount(ln.amount_fen, f"lines[{i}].amount_fen")
            if amount is not ln.amount_fen:  # e.g. a numpy integer: store a plain int
                ln = lines[i] = Line(ln.account, ln.side, amount)
            if ln.side == "D":
                debits += ln.amount_fen
            else:
                credits += ln.amount_fen
        if debits != credits:
            raise UnbalancedEntry(debits, credits)
        book = book or self.info(session)
        if business_date is None:
            date = book.business_date
        else:
            date = clock.check_date(business_date)
            if date > book.business_date:
                raise InvalidBusinessDate(
                    f"业务日期 {date} 晚于账本当前业务日期 {book.business_date}",
                    f"business date {date} is after the ledger's business date {book.business_date}",
                    requested=date.isoformat(),
                    current=book.business_date.isoformat(),
                )
        accounts = self._resolve(session, [ln.account for ln in lines])
        resolved = []
        for i, ln in enumerate(lines):
            acc = accounts.get(ln.account)
            if acc is None:
                raise UnknownAccount(self.book, ln.account, f"lines[{i}].account")
            if acc.currency != book.currency:
                raise CurrencyMismatch(self.book, acc.code, acc.currency, book.currency)
            resolved.append((acc, ln.side, ln.amount_fen))
        body = {
            "book": self.book,
            "lines": [[ln.account, ln.side, ln.amount_fen] for ln in lines],
            "description": description,
            "business_date": business_date,  # only when given: a retry after the date moved is the same request
            "data": data or {},
            "reversal_of": reversal_of,
        }
        return _Prepared(
            key, canonical_hash(body), date, description, jsonable(data or {}), resolved, reversal_of
        )

    def _entry_values(self, p: _Prepared, actor: str, run_id: int | None, now: dt.datetime) -> dict[str, Any]:
        return {
            "book_code": self.book,
            "business_date": p.business_date,
            "description": p.description,
            "idempotency_key": p.key,
            "request_hash": p.digest,
            "reversal_of": p.reversal_of,
            "run_id": run_id,
            "actor": actor,
            "data": p.data,
            "created_at": now,
        }

    def _post_one(self, session: Session, p: _Prepared, *, actor: str, run_id: int | None) -> PostedEntry:
        now = clock.now()
        # 1. Claim the key: the entry row itself. A concurrent repeat blocks here on PostgreSQL
        #    until we commit, then finds our entry and replays it.
        stmt = (
            dialect_insert(session, E)
            .values(**self._entry_values(p, actor, run_id, now))
            .on_conflict_do_nothing(index_elements=["book_code", "idempotency_key"])
            .returning(E.c.id)
        )
        entry_id = session.execute(stmt).scalar()
        if entry_id is None:
            found = session.execute(
                select(E.c.id, E.c.request_hash).where(
                    E.c.book_code == self.book, E.c.idempotency_key == p.key
                )
            ).first()
            if found.request_hash != p.digest:
                raise IdempotencyKeyReused(self.scope, p.key)
            return self.entry(session, found.id, replayed=True)
        # 2. Move the balances, in account-id order (no deadlocks between two entries), each
        #    a conditional UPDATE; on a refusal undo what was done so the session stays clean.
        applied: list[tuple[int, int]] = []
        for acc_id, d in sorted(p.deltas().items()):
            if d == 0:
                continue
            if session.execute(_GUARDED_UPDATE, {"acc": acc_id, "d": d}).rowcount != 1:
                for done_id, done_d in applied:
                    session.execute(
                        update(B).where(B.c.account_id == done_id).values(balance=B.c.balance - done_d)
                    )
                session.execute(delete(E).where(E.c.id == entry_id))
                self._raise_insufficient(session, acc_id, d)
            applied.append((acc_id, d))
        # 3. The lines and the audit record.
        session.execute(
            insert(L),
            [
                {"entry_id": entry_id, "account_id": a.id, "side": s, "amount_fen": amt}
                for a, s, amt in p.lines
            ],
        )
        posted = PostedEntry(
            id=entry_id,
            book=self.book,
            key=p.key,
            business_date=p.business_date,
            description=p.description,
            lines=tuple(PostedLine(a.code, s, amt) for a, s, amt in p.lines),
            created_at=now,
            actor=actor,
            reversal_of=p.reversal_of,
            run_id=run_id,
            data=p.data,
        )
        audit.record(
            session,
            actor=actor,
            action="ledger.entry.reversed" if p.reversal_of else "ledger.entry.posted",
            entity_type="ledger_entry",
            entity_id=entry_id,
            after={k: v for k, v in posted.as_dict().items() if k not in ("created_at", "actor")},
            business_date=p.business_date,
        )
        return posted

    def _apply_many(self, session: Session, deltas: list[tuple[int, int]]) -> int | None:
        """Apply ``(account id, delta)`` pairs sorted by account id, each guarded; return the
        first refused account id (the caller must roll back), or None when all were applied.

        On PostgreSQL, per chunk: lock the rows in id order (``SELECT … ORDER BY … FOR UPDATE``,
        so two batches never deadlock), then one set-based conditional ``UPDATE … FROM unnest``
        whose RETURNING names the rows it changed. Elsewhere (SQLite, one writer) row by row.
        """
        if session.get_bind().dialect.name != "postgresql":
            for acc_id, d in deltas:
                if session.execute(_GUARDED_UPDATE, {"acc": acc_id, "d": d}).rowcount != 1:
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

    def _raise_insufficient(self, session: Session, account_id: int, delta: int):
        code, bal = session.execute(
            select(A.c.code, B.c.balance)
            .join(A, A.c.id == B.c.account_id)
            .where(B.c.account_id == account_id)
        ).one()
        raise InsufficientFunds(self.book, code, int(bal), -delta)


def _in_chunks(session: Session, column, values: list, item_type):
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


def _account(row) -> Account:
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


__all__ = [
    "Account",
    "AccountSpec",
    "BatchPostResult",
    "Book",
    "EntryRequest",
    "Ledger",
    "Line",
    "NORMAL_SIDE",
    "PostedEntry",
    "PostedLine",
    "credit",
    "debit",
]
