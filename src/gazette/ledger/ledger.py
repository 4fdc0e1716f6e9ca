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
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from gazette.ledger import audit, clock, reports
from gazette.ledger import store as st
from gazette.ledger._sql import bulk_insert, check_key, jsonable
from gazette.ledger.accounts import AccountsMixin
from gazette.ledger.errors import (
    CurrencyMismatch,
    EntryAlreadyReversed,
    IdempotencyKeyReused,
    InvalidBusinessDate,
    InvalidEntry,
    UnknownAccount,
)
from gazette.ledger.money import CURRENCY, check_amount
from gazette.ledger.postings import (
    NORMAL_SIDE,
    Account,
    AccountSpec,
    BatchPostResult,
    Book,
    EntryRequest,
    Line,
    PostedEntry,
    PostedLine,
    Side,
    credit,
    debit,
    request_digest,
    reversed_lines,
    validate_description,
    validate_lines,
)


@dataclass
class _Prepared:
    """An entry checked against its book: accounts resolved, date fixed, request hashed."""

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


class Ledger(AccountsMixin):
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
        if st.insert_book(session, code, name, currency, business_date):
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
        return st.read_book(session, self.book)

    def business_date(self, session: Session) -> dt.date:
        """The book's "today" (营业日), which the operator advances."""
        return self.info(session).business_date

    def advance_business_date(self, session: Session, to: dt.date, *, actor: str | None = None) -> dt.date:
        """Move the business date forward to ``to``. Advancing to the current date is a no-op;
        moving backwards is an error. Safe under concurrency (conditional UPDATE)."""
        clock.check_date(to)
        moved = st.move_business_date_forward(session, self.book, to)
        current = self.business_date(session)
        if moved:
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
        original = st.read_entry(session, self.book, entry_id, lock=True)  # serialise concurrent reversals
        if original.reversal_of is not None:
            raise InvalidEntry(
                f"分录 {entry_id} 本身是冲销分录，不能再冲销",
                f"entry {entry_id} is itself a reversal and cannot be reversed",
                "entry_id",
                code="entry_is_reversal",
            )
        done = st.find_reversal(session, entry_id)
        if done is not None and done.idempotency_key != key:
            raise EntryAlreadyReversed(entry_id, done.id)
        description = memo if memo is not None else f"冲销分录 {entry_id}：{original.description}"
        prepared = self._prepare(session, reversed_lines(original.lines), key, description, business_date,
                                 {"reversal_of": entry_id}, reversal_of=entry_id)
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
        st.resolve_accounts(session, self.book, {ln.account for req in entries for ln in req.lines})
        book = self.info(session)
        seen: set[str] = set()
        prepared: list[_Prepared] = []
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
                self._prepare(session, req.lines, req.key, req.description, req.business_date, req.data, book=book)
            )
        now = clock.now()
        claimed = bulk_insert(
            session,
            st.entries_table,
            [self._entry_values(p, actor, run_id, now) for p in prepared],
            conflict=["book_code", "idempotency_key"],
            returning=["id", "idempotency_key"],
        )
        new_ids: dict[str, int] = {row.idempotency_key: row.id for row in claimed}
        entry_ids = dict(new_ids)
        by_key = {p.key: p for p in prepared if p.key not in new_ids}
        for row in st.find_entries_by_keys(session, self.book, list(by_key)):
            if row.request_hash != by_key[row.idempotency_key].digest:
                raise IdempotencyKeyReused(self.scope, row.idempotency_key)
            entry_ids[row.idempotency_key] = row.id
        fresh = [p for p in prepared if p.key in new_ids]
        deltas: dict[int, int] = {}
        for p in fresh:
            for acc_id, d in p.deltas().items():
                deltas[acc_id] = deltas.get(acc_id, 0) + d
        refused = st.apply_many(session, sorted((a, d) for a, d in deltas.items() if d != 0))
        if refused is not None:
            raise st.insufficient_funds(session, self.book, refused, deltas[refused])
        bulk_insert(session, st.lines_table, [
            {"entry_id": new_ids[p.key], "account_id": acc.id, "side": side, "amount_fen": amount}
            for p in fresh
            for acc, side, amount in p.lines
        ])
        if fresh:
            audit.record(
                session,
                actor=actor,
                action="ledger.entries.posted",
                entity_type="ledger_book",
                entity_id=self.book,
                after={
                    "count": len(fresh),
                    "debit_total_fen": sum(a for p in fresh for _, s, a in p.lines if s == Side.debit),
                    "first_key": fresh[0].key,
                    "last_key": fresh[-1].key,
                    "run_id": run_id,
                },
                business_date=book.business_date,
            )
        return BatchPostResult(posted=len(fresh), replayed=len(prepared) - len(fresh), entry_ids=entry_ids)

    # ------------------------------------------------------------------ reading entries

    def entry(self, session: Session, entry_id: int, *, replayed: bool = False) -> PostedEntry:
        return st.read_entry(session, self.book, entry_id, replayed=replayed)

    def entry_by_key(self, session: Session, key: str) -> PostedEntry | None:
        entry_id = st.entry_id_by_key(session, self.book, key)
        return None if entry_id is None else self.entry(session, entry_id)

    # ------------------------------------------------------------------ balances and reports

    def balance_at(self, session: Session, account: str, on: dt.date) -> int:
        return reports.balance_at(session, self, account, on)

    def trial_balance(self, session: Session, on: dt.date | None = None) -> reports.TrialBalance:
        return reports.trial_balance(session, self, on)

    def statement(
        self, session: Session, account: str, start: dt.date | None = None, end: dt.date | None = None
    ) -> reports.Statement:
        return reports.statement(session, self, account, start, end)

    def verify(self, session: Session) -> reports.Verification:
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
        validate_description(description)
        lines = validate_lines(lines)
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
        accounts = st.resolve_accounts(session, self.book, [ln.account for ln in lines])
        resolved = []
        for i, ln in enumerate(lines):
            acc = accounts.get(ln.account)
            if acc is None:
                raise UnknownAccount(self.book, ln.account, f"lines[{i}].account")
            if acc.currency != book.currency:
                raise CurrencyMismatch(self.book, acc.code, acc.currency, book.currency)
            resolved.append((acc, ln.side, ln.amount_fen))
        digest = request_digest(self.book, lines, description, business_date, data, reversal_of)
        return _Prepared(key, digest, date, description, jsonable(data or {}), resolved, reversal_of)

    def _entry_values(self, p: _Prepared, actor: str, run_id: int | None, now: dt.datetime) -> dict:
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
        entry_id = st.claim_entry(session, self._entry_values(p, actor, run_id, now))
        if entry_id is None:
            found = st.find_entry_by_key(session, self.book, p.key)
            if found.request_hash != p.digest:
                raise IdempotencyKeyReused(self.scope, p.key)
            return self.entry(session, found.id, replayed=True)
        # 2. Move the balances, in account-id order (no deadlocks between two entries), each
        #    a conditional UPDATE; on a refusal undo what was done so the session stays clean.
        applied: list[tuple[int, int]] = []
        for acc_id, d in sorted(p.deltas().items()):
            if d == 0:
                continue
            if not st.apply_guarded(session, acc_id, d):
                st.undo_applied(session, applied)
                st.delete_entry(session, entry_id)
                raise st.insufficient_funds(session, self.book, acc_id, d)
            applied.append((acc_id, d))
        # 3. The lines and the audit record.
        st.insert_lines(session, [
            {"entry_id": entry_id, "account_id": a.id, "side": s, "amount_fen": amt} for a, s, amt in p.lines
        ])
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
