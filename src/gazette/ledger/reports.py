"""Reports computed from the journal (not from the cached balances): trial balance (试算平衡表),
account statement (对账单), balance at a date, and a verification of every invariant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from gazette.ledger.postings import NORMAL_SIDE, Account, Side
from gazette.ledger.store import accounts_table, balances_table, entries_table, lines_table

if TYPE_CHECKING:
    from gazette.ledger.ledger import Ledger

_SIGNED = case((lines_table.c.side == Side.debit.value, lines_table.c.amount_fen), else_=-lines_table.c.amount_fen)


@dataclass(frozen=True)
class TrialBalanceRow:
    account: str
    name: str
    type: str
    debit_fen: int
    credit_fen: int

    @property
    def balance_fen(self) -> int:
        """Balance in the account's normal direction."""
        net = self.debit_fen - self.credit_fen
        return net if NORMAL_SIDE[self.type] == Side.debit else -net


@dataclass(frozen=True)
class TrialBalance:
    book: str
    on: dt.date | None
    rows: tuple[TrialBalanceRow, ...]

    @property
    def total_debit_fen(self) -> int:
        return sum(r.debit_fen for r in self.rows)

    @property
    def total_credit_fen(self) -> int:
        return sum(r.credit_fen for r in self.rows)

    @property
    def net_fen(self) -> int:
        """Debits minus credits over the whole book: always zero."""
        return self.total_debit_fen - self.total_credit_fen

    @property
    def balanced(self) -> bool:
        return self.net_fen == 0

    def by_type(self) -> dict[str, int]:
        """Balances summed per account type; assets + expenses = liabilities + equity + income."""
        out = {t: 0 for t in NORMAL_SIDE}
        for r in self.rows:
            out[r.type] += r.balance_fen
        return out


@dataclass(frozen=True)
class StatementLine:
    entry_id: int
    business_date: dt.date
    key: str
    description: str
    side: str
    amount_fen: int
    balance_fen: int  # running balance after this line


@dataclass(frozen=True)
class Statement:
    account: Account
    start: dt.date | None
    end: dt.date | None
    opening_fen: int
    lines: tuple[StatementLine, ...]

    @property
    def closing_fen(self) -> int:
        return self.lines[-1].balance_fen if self.lines else self.opening_fen

    @property
    def debit_total_fen(self) -> int:
        return sum(ln.amount_fen for ln in self.lines if ln.side == Side.debit)

    @property
    def credit_total_fen(self) -> int:
        return sum(ln.amount_fen for ln in self.lines if ln.side == Side.credit)


@dataclass(frozen=True)
class Verification:
    book: str
    unbalanced_entries: list[int] = field(default_factory=list)
    balance_mismatches: list[tuple[str, int, int]] = field(default_factory=list)  # (account, stored, journal)
    negative_guarded: list[tuple[str, int]] = field(default_factory=list)
    net_fen: int = 0

    @property
    def ok(self) -> bool:
        return (
            not (self.unbalanced_entries or self.balance_mismatches or self.negative_guarded)
            and self.net_fen == 0
        )


def _lines(book: str, on: dt.date | None = None, start: dt.date | None = None):
    stmt = (
        select(lines_table.c.account_id, lines_table.c.side, lines_table.c.amount_fen)
        .join(entries_table, entries_table.c.id == lines_table.c.entry_id)
        .where(entries_table.c.book_code == book)
    )
    if on is not None:
        stmt = stmt.where(entries_table.c.business_date <= on)
    if start is not None:
        stmt = stmt.where(entries_table.c.business_date >= start)
    return stmt


def trial_balance(session: Session, ledger: Ledger, on: dt.date | None = None) -> TrialBalance:
    """Debit and credit totals per account from the journal, as of ``on`` (business date) if given."""
    sub = _lines(ledger.book, on).subquery()
    totals = {
        acc_id: (int(d or 0), int(c or 0))
        for acc_id, d, c in session.execute(
            select(
                sub.c.account_id,
                func.sum(case((sub.c.side == Side.debit.value, sub.c.amount_fen), else_=0)),
                func.sum(case((sub.c.side == Side.credit.value, sub.c.amount_fen), else_=0)),
            ).group_by(sub.c.account_id)
        )
    }
    rows = []
    for acc in ledger.accounts(session):
        d, c = totals.get(acc.id, (0, 0))
        rows.append(TrialBalanceRow(acc.code, acc.name, acc.type, d, c))
    return TrialBalance(ledger.book, on, tuple(rows))


def balance_at(session: Session, ledger: Ledger, account: str, on: dt.date) -> int:
    """The balance (normal direction) after every entry with business date ≤ ``on``."""
    acc = ledger.account(session, account)
    sub = _lines(ledger.book, on).where(lines_table.c.account_id == acc.id).subquery()
    net = session.execute(
        select(
            func.coalesce(func.sum(case((sub.c.side == Side.debit.value, sub.c.amount_fen), else_=-sub.c.amount_fen)), 0)
        )
    ).scalar_one()
    return acc.signed(Side.debit, int(net))  # debits minus credits, turned to the normal direction


def statement(
    session: Session, ledger: Ledger, account: str, start: dt.date | None = None, end: dt.date | None = None
) -> Statement:
    """Every line of ``account`` with business date in [start, end] (both closed), in posting
    order within a date, with the opening balance and the running balance."""
    acc = ledger.account(session, account)
    opening = balance_at(session, ledger, account, start - dt.timedelta(days=1)) if start else 0
    stmt = (
        select(entries_table.c.id, entries_table.c.business_date, entries_table.c.idempotency_key, entries_table.c.description, lines_table.c.side, lines_table.c.amount_fen)
        .join(entries_table, entries_table.c.id == lines_table.c.entry_id)
        .where(lines_table.c.account_id == acc.id, entries_table.c.book_code == ledger.book)
        .order_by(entries_table.c.business_date, entries_table.c.id, lines_table.c.id)
    )
    if start is not None:
        stmt = stmt.where(entries_table.c.business_date >= start)
    if end is not None:
        stmt = stmt.where(entries_table.c.business_date <= end)
    running = opening
    out = []
    for entry_id, date, key, description, side, amount in session.execute(stmt):
        running += acc.signed(side, amount)
        out.append(StatementLine(entry_id, date, key, description, side, amount, running))
    return Statement(acc, start, end, opening, tuple(out))


def verify(session: Session, ledger: Ledger) -> Verification:
    """Check every invariant of the book against the journal:

    * every entry balanced (debits = credits);
    * the whole book nets to zero;
    * every cached balance equals the balance computed from the journal;
    * no account that does not allow negative balances is below zero.
    """
    book = ledger.book
    unbalanced = [
        row[0]
        for row in session.execute(
            select(lines_table.c.entry_id)
            .join(entries_table, entries_table.c.id == lines_table.c.entry_id)
            .where(entries_table.c.book_code == book)
            .group_by(lines_table.c.entry_id)
            .having(func.sum(_SIGNED) != 0)
        )
    ]
    journal = {
        acc_id: int(net)
        for acc_id, net in session.execute(
            select(lines_table.c.account_id, func.sum(_SIGNED))
            .join(entries_table, entries_table.c.id == lines_table.c.entry_id)
            .where(entries_table.c.book_code == book)
            .group_by(lines_table.c.account_id)
        )
    }
    mismatches, negative = [], []
    rows = session.execute(
        select(accounts_table.c.id, accounts_table.c.code, accounts_table.c.type, balances_table.c.balance, balances_table.c.allow_negative)
        .join(balances_table, balances_table.c.account_id == accounts_table.c.id)
        .where(accounts_table.c.book_code == book)
        .order_by(accounts_table.c.code)
    )
    for acc_id, code, type_, stored, allow_negative in rows:
        net = journal.get(acc_id, 0)
        expected = net if NORMAL_SIDE[type_] == Side.debit else -net
        if stored != expected:
            mismatches.append((code, int(stored), expected))
        if stored < 0 and not allow_negative:
            negative.append((code, int(stored)))
    return Verification(book, unbalanced, mismatches, negative, sum(journal.values()))
