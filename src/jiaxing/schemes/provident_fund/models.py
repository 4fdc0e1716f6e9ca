"""Tables of the flexible-worker provident fund (created by migration 0004).

Money lives in the ledger book ``provident_fund`` as *control accounts* (``members``, ``prepaid``,
``bank``, ``interest``, ``transfer``); these tables are the per-account sub-ledger and state:

* ``pf_accounts`` — one row per person (``UNIQUE person_id``, 第十条), with the account's balance,
  prepaid money, interest accrual (积数) and state. ``Σ balance_fen = members`` and
  ``Σ prepaid_fen = prepaid`` in the ledger (checked by :func:`service.reconcile`).
* ``pf_collections`` — one row per account and month (``UNIQUE (account_id, month)``): a month can
  never be collected twice, and a past month can never be added (no back-payment, 第十三条).
* ``pf_movements`` — the rest of the sub-ledger journal: every change of an account's balance or
  prepaid money other than a paid month (prepayments, interest, refunds, transfers), keyed by a
  unique ``ref``. A paid month is its own journal line: the ``pf_collections`` row (``paid``; a
  prepaid one also takes the amount out of ``prepaid_fen``) — no second row per account and month.
* ``pf_events`` — state changes of accounts written by batch runs (reminders, sealing), unique ``ref``.
* ``pf_bank_lines`` / ``pf_exceptions`` — imported bank debit results and the exceptions list.
* No foreign keys from the per-account tables to ``pf_accounts``: their rows are only ever written
  by ``INSERT … SELECT`` from ``pf_accounts`` (or for a locked account row), accounts are never
  deleted, and a per-row RI check would dominate million-row runs; ``service.reconcile`` checks
  that every movement belongs to an account and adds up to its balance.
* ``pf_sanctions`` — 第二十二、二十三条: a restriction on withdrawal and loan applications, a loan
  recall (限期追回) opened by the arrears run, a loan rate raised when the recall failed; unique ``ref``.
* ``pf_reference`` — dated reference data from outside the gazette (minimum wage, average wage,
  deposit interest rate), each with a ``source`` and a ``demo`` flag.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from gazette.store.base import Base
from gazette.store.base import BigId as BIGID


class FundAccount(Base):
    __tablename__ = "pf_accounts"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'sealed', 'transferred')", name="status_known"),
        CheckConstraint("balance_fen >= 0", name="balance_not_negative"),
        CheckConstraint("prepaid_fen >= 0", name="prepaid_not_negative"),
        CheckConstraint("rate_bp BETWEEN 1000 AND 2400", name="rate_in_range"),
        Index("ix_pf_accounts_status", "status"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(6))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    seal_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)
    base_fen: Mapped[int] = mapped_column(BigInteger)
    rate_bp: Mapped[int] = mapped_column(Integer)
    monthly_fen: Mapped[int] = mapped_column(BigInteger)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    due_from: Mapped[int] = mapped_column(Integer)  # month index: first due month (opening / unsealing)
    retire_month: Mapped[int] = mapped_column(Integer)
    last_paid_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prepaid_through: Mapped[int | None] = mapped_column(Integer, nullable=True)
    prepaid_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    balance_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    accrual: Mapped[int] = mapped_column(BigInteger, default=0)  # 积数 in fen·ppm·day
    accrual_idx: Mapped[int] = mapped_column(BigInteger, default=0)  # rate index C(d) at the last accrual
    reminded_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    loan_outstanding: Mapped[bool] = mapped_column(Boolean, default=False)
    carried_months: Mapped[int] = mapped_column(Integer, default=0)
    carried_through: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_adjust_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Collection(Base):
    """One month of one account (第十三条): ``pending`` debit instruction → ``paid`` / ``failed``;
    prepaid months are ``paid`` when they fall due (source ``prepaid``)."""

    __tablename__ = "pf_collections"
    __table_args__ = (
        # one index serves both the runs (a month over a range of account ids) and one account's history
        UniqueConstraint("account_id", "month", name="uq_pf_collections_account_month"),
        CheckConstraint("status IN ('pending', 'paid', 'failed')", name="status_known"),
        CheckConstraint("source IN ('debit', 'prepaid')", name="source_known"),
        CheckConstraint("amount_fen > 0", name="amount_positive"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BIGID)  # pf_accounts.id (no FK: see module doc)
    month: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10))
    ref: Mapped[str] = mapped_column(String(40))  # the bank reference of the debit: YYYY-MM-<account id>
    # (bank lines are matched on (account_id, month), parsed from it, through UNIQUE (account_id, month))
    settled_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    import_id: Mapped[str | None] = mapped_column(String(100), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    run_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # the collection run that wrote it


class Movement(Base):
    """Sub-ledger journal line of one account; ``delta_*`` signed fen."""

    __tablename__ = "pf_movements"
    __table_args__ = (Index("ix_pf_movements_account", "account_id", "id"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BIGID)  # pf_accounts.id (no FK: see module doc)
    business_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    delta_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    delta_prepaid: Mapped[int] = mapped_column(BigInteger, default=0)
    month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ref: Mapped[str] = mapped_column(String(120), unique=True)
    memo: Mapped[str | None] = mapped_column(String(200), nullable=True)


class FundEvent(Base):
    __tablename__ = "pf_events"
    __table_args__ = (Index("ix_pf_events_account", "account_id", "id"),)

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BIGID)  # pf_accounts.id (no FK: see module doc)
    business_date: Mapped[dt.date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(30))
    month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    detail: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ref: Mapped[str] = mapped_column(String(120), unique=True)


class BankLine(Base):
    __tablename__ = "pf_bank_lines"  # the primary key finds an import's lines (migration 0017 dropped the ref index)

    import_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(40))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    result: Mapped[str] = mapped_column(String(10))  # ok / failed
    account_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # parsed from ref
    month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    dup: Mapped[bool] = mapped_column(Boolean, default=False)  # the same debit came earlier in the file


class FundException(Base):
    __tablename__ = "pf_exceptions"
    __table_args__ = (
        UniqueConstraint("source", "ref", "kind", "line_no", name="uq_pf_exceptions_source"),
        Index("ix_pf_exceptions_kind", "kind"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(100))  # import id or run key
    line_no: Mapped[int] = mapped_column(Integer, default=0)
    ref: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))  # duplicate / unknown_reference / amount_mismatch / missing_result …
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
    business_date: Mapped[dt.date] = mapped_column(Date)


class ReferenceValue(Base):
    __tablename__ = "pf_reference"
    __table_args__ = (UniqueConstraint("kind", "start", name="uq_pf_reference_kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))  # min_wage / avg_wage (fen) · deposit_rate (ppm per year)
    start: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(Text)
    demo: Mapped[bool] = mapped_column(Boolean, default=False)


class Sanction(Base):
    """第二十二条 restriction · 第二十三条 loan recall and raised loan rate (created by migration 0006)."""

    __tablename__ = "pf_sanctions"
    __table_args__ = (
        CheckConstraint("kind IN ('restriction', 'loan_recall', 'loan_rate_raised')", name="kind_known"),
        Index("ix_pf_sanctions_account", "account_id", "kind"),
    )

    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(BIGID)  # pf_accounts.id (no FK: see module doc)
    kind: Mapped[str] = mapped_column(String(20))
    article: Mapped[str] = mapped_column(String(20))
    start_date: Mapped[dt.date] = mapped_column(Date)
    until_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # restriction: last day restricted
    deadline: Mapped[dt.date | None] = mapped_column(Date, nullable=True)  # recall: 限期 to recover the loan
    reason: Mapped[str] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String(120), unique=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(200), nullable=True)
