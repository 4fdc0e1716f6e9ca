"""The money foundation of every scheme: a double-entry ledger in integer fen, guarded balances
that cannot be overspent, idempotency keys, an append-only audit log, a business date and
idempotent batch runs. Framework-free: no FastAPI, no Typer. See docs/ledger.md.

    from gazette.ledger import Ledger, debit, credit
    from gazette.store.db import unit_of_work

    with unit_of_work() as s:
        ledger = Ledger.open_book(s, "vouchers", "消费券", business_date=date(2022, 10, 1))
        ledger.open_account(s, "pool:南湖区", "南湖区消费券资金池", "asset", programme="nev", district="南湖区")
        ...
        ledger.transfer(s, "issued:南湖区", "pool:南湖区", 500_00, key="claim:42")
"""

from gazette.ledger import audit, runs
from gazette.ledger.errors import (
    AccountConflict,
    CurrencyMismatch,
    EntryAlreadyReversed,
    EntryNotFound,
    IdempotencyKeyInvalid,
    IdempotencyKeyReused,
    InsufficientFunds,
    InvalidAmount,
    InvalidBusinessDate,
    InvalidEntry,
    LedgerError,
    RunError,
    UnbalancedEntry,
    UnknownAccount,
    UnknownBook,
)
from gazette.ledger.idempotency import IdempotentResult, idempotent
from gazette.ledger.ledger import (
    NORMAL_SIDE,
    Account,
    AccountSpec,
    BatchPostResult,
    Book,
    EntryRequest,
    Ledger,
    Line,
    PostedEntry,
    PostedLine,
    credit,
    debit,
)
from gazette.ledger.money import MAX_AMOUNT_FEN, check_amount, fen_to_yuan, round_fen, yuan_to_fen
from gazette.ledger.reports import Statement, StatementLine, TrialBalance, TrialBalanceRow, Verification
from gazette.ledger.runs import Run, RunContext, complete_run, execute_run, fail_run, get_run, start_run

__all__ = [
    "MAX_AMOUNT_FEN",
    "NORMAL_SIDE",
    "Account",
    "AccountConflict",
    "AccountSpec",
    "BatchPostResult",
    "Book",
    "CurrencyMismatch",
    "EntryAlreadyReversed",
    "EntryNotFound",
    "EntryRequest",
    "IdempotencyKeyInvalid",
    "IdempotencyKeyReused",
    "IdempotentResult",
    "InsufficientFunds",
    "InvalidAmount",
    "InvalidBusinessDate",
    "InvalidEntry",
    "Ledger",
    "LedgerError",
    "Line",
    "PostedEntry",
    "PostedLine",
    "Run",
    "RunContext",
    "RunError",
    "Statement",
    "StatementLine",
    "TrialBalance",
    "TrialBalanceRow",
    "UnbalancedEntry",
    "UnknownAccount",
    "UnknownBook",
    "Verification",
    "audit",
    "check_amount",
    "complete_run",
    "credit",
    "debit",
    "execute_run",
    "fail_run",
    "fen_to_yuan",
    "get_run",
    "idempotent",
    "round_fen",
    "runs",
    "start_run",
    "yuan_to_fen",
]
