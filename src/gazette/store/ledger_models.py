"""Tables of the double-entry ledger (账本): books, accounts, balances, journal entries and
lines, idempotency keys, the audit log and batch runs.

Money is integer fen (分) in ``BigInteger`` columns, never float. The domain code lives in
``gazette.ledger``; these are only the rows.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base, BigId

ACCOUNT_TYPES = ("asset", "liability", "equity", "income", "expense")


class LedgerBookRow(Base):
    """One ledger (账本) per scheme, e.g. ``vouchers`` or ``provident_fund``, with its business date."""

    __tablename__ = "ledger_books"
    code: Mapped[str] = mapped_column(String(50), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    business_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LedgerAccountRow(Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (
        UniqueConstraint("book_code", "code", name="uq_ledger_accounts_book_code_code"),
        CheckConstraint("type IN ('asset', 'liability', 'equity', 'income', 'expense')", name="type_known"),
        Index("ix_ledger_accounts_scope", "book_code", "programme", "district"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    book_code: Mapped[str] = mapped_column(ForeignKey("ledger_books.code"))
    code: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(10))
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    programme: Mapped[str | None] = mapped_column(String(100), nullable=True)
    district: Mapped[str | None] = mapped_column(String(100), nullable=True)
    owner: Mapped[str | None] = mapped_column(String(200), nullable=True, index=True)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LedgerBalanceRow(Base):
    """The running balance of one account, in its normal direction (资产/费用 debit, others credit).

    The hot row that guards money: every decrease is a conditional UPDATE, and the CHECK
    constraint is the database's own last line of defence against a negative balance.
    """

    __tablename__ = "ledger_balances"
    __table_args__ = (CheckConstraint("allow_negative OR balance >= 0", name="non_negative"),)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), primary_key=True)
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)


class LedgerEntryRow(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("book_code", "idempotency_key", name="uq_ledger_entries_book_code_key"),
        Index("ix_ledger_entries_book_date", "book_code", "business_date"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    book_code: Mapped[str] = mapped_column(ForeignKey("ledger_books.code"))
    business_date: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    idempotency_key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    reversal_of: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id"), nullable=True, unique=True
    )
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_runs.id"), nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(200), default="system")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class LedgerLineRow(Base):
    __tablename__ = "ledger_lines"
    __table_args__ = (
        CheckConstraint("side IN ('D', 'C')", name="side_known"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
        Index("ix_ledger_lines_account_entry", "account_id", "entry_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    side: Mapped[str] = mapped_column(String(1))
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class IdempotencyKeyRow(Base):
    """A money command's key: the first request's hash and its result (幂等键)."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request_hash: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AuditLogRow(Base):
    """Append-only audit log (审计日志): who, when, what, before → after. Never updated."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity_type", "entity_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100), index=True)
    entity_type: Mapped[str] = mapped_column(String(100))
    entity_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    business_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)


class LedgerRunRow(Base):
    """A batch run keyed by (run type, period) (批处理): re-running a completed one is a no-op."""

    __tablename__ = "ledger_runs"
    __table_args__ = (
        UniqueConstraint("run_type", "period", name="uq_ledger_runs_run_type_period"),
        CheckConstraint("status IN ('running', 'completed', 'failed')", name="status_known"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_type: Mapped[str] = mapped_column(String(100))
    period: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    business_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    actor: Mapped[str] = mapped_column(String(200), default="system")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    progress: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
