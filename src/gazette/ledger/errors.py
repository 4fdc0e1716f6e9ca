"""Typed ledger errors. Each has a stable ``code`` the API and CLI show as is, and is of a kind of
:mod:`gazette.errors` (invalid input, not found, conflict) the edge maps to its answer."""

from __future__ import annotations

from typing import Any

from gazette.errors import Conflict, GazetteError, InvalidInput, NotFound


class LedgerError(GazetteError):
    """Base of every ledger error; each concrete error is also of a kind (``InsufficientFunds`` is a
    :class:`Conflict`)."""

    def __init__(self, code: str, message_zh: str, message_en: str, field: str | None = None,
                 details: dict[str, Any] | None = None):
        GazetteError.__init__(self, code, message_zh, message_en, field, details)


class InvalidAmount(LedgerError, InvalidInput):
    def __init__(self, value, field: str = "amount_fen", reason: str = "positive"):
        if reason == "type":
            zh, en = f"金额必须是整数分：{value!r}", f"amount must be an integer number of fen: {value!r}"
        elif reason == "too_large":
            zh, en = f"金额超出上限：{value}", f"amount is beyond the allowed maximum: {value}"
        elif reason == "yuan":
            zh, en = (
                f"金额格式不正确（元，最多两位小数）：{value!r}",
                f"malformed yuan amount (at most 2 decimals): {value!r}",
            )
        else:
            zh, en = f"金额必须大于零：{value}", f"amount must be greater than zero: {value}"
        super().__init__("invalid_amount", zh, en, field, {"value": str(value)})


class UnbalancedEntry(LedgerError, InvalidInput):
    def __init__(self, debit_fen: int, credit_fen: int):
        super().__init__(
            "unbalanced_entry",
            f"分录借贷不平衡：借方 {debit_fen} 分，贷方 {credit_fen} 分",
            f"entry is not balanced: debits {debit_fen} fen, credits {credit_fen} fen",
            "lines",
            {"debit_fen": debit_fen, "credit_fen": credit_fen},
        )


class InvalidEntry(LedgerError, InvalidInput):
    def __init__(
        self, message_zh: str, message_en: str, field: str | None = None, code: str = "invalid_entry"
    ):
        super().__init__(code, message_zh, message_en, field)


class UnknownAccount(LedgerError, NotFound):
    def __init__(self, book: str, account: str, field: str = "account"):
        super().__init__(
            "account_not_found",
            f"账本 {book} 中没有科目：{account}",
            f"no account {account!r} in ledger {book!r}",
            field,
            {"book": book, "account": account},
        )


class AccountConflict(LedgerError, Conflict):
    def __init__(self, book: str, account: str, differences: dict):
        super().__init__(
            "account_exists",
            f"科目已存在且属性不同：{account}",
            f"account {account!r} already exists in ledger {book!r} with different attributes",
            "account",
            {"book": book, "account": account, "differences": differences},
        )


class UnknownBook(LedgerError, NotFound):
    def __init__(self, book: str):
        super().__init__(
            "ledger_not_found",
            f"未找到账本：{book}",
            f"ledger not found: {book}",
            "book",
            {"book": book},
        )


class CurrencyMismatch(LedgerError, InvalidInput):
    def __init__(self, book: str, account: str, currency: str, expected: str):
        super().__init__(
            "currency_mismatch",
            f"科目 {account} 的币种 {currency} 与账本币种 {expected} 不一致",
            f"account {account!r} is in {currency}, ledger {book!r} is in {expected}",
            "currency",
            {"account": account, "currency": currency, "expected": expected},
        )


class InsufficientFunds(LedgerError, Conflict):
    """A guarded account would go below zero (余额不足) — the pool cannot be overspent."""

    def __init__(self, book: str, account: str, available_fen: int, requested_fen: int):
        super().__init__(
            "insufficient_funds",
            f"余额不足：{account} 可用 {available_fen} 分，需要 {requested_fen} 分",
            f"insufficient funds in {account!r}: {available_fen} fen available, {requested_fen} fen requested",
            "amount_fen",
            {
                "book": book,
                "account": account,
                "available_fen": available_fen,
                "requested_fen": requested_fen,
            },
        )


class IdempotencyKeyReused(LedgerError, Conflict):
    def __init__(self, scope: str, key: str):
        super().__init__(
            "idempotency_key_reused",
            f"幂等键已用于另一个不同的请求：{key}",
            f"idempotency key {key!r} was already used with a different request",
            "idempotency_key",
            {"scope": scope, "key": key},
        )


class IdempotencyKeyInvalid(LedgerError, InvalidInput):
    def __init__(self, key):
        super().__init__(
            "idempotency_key_invalid",
            "幂等键必须是 1–200 个字符的字符串",
            f"idempotency key must be a string of 1-200 characters, got {key!r}",
            "idempotency_key",
            {},
        )


class EntryNotFound(LedgerError, NotFound):
    def __init__(self, book: str, entry_id):
        super().__init__(
            "entry_not_found",
            f"未找到分录：{entry_id}",
            f"journal entry not found: {entry_id}",
            "entry_id",
            {"book": book, "entry_id": entry_id},
        )


class EntryAlreadyReversed(LedgerError, Conflict):
    def __init__(self, entry_id: int, reversal_id: int):
        super().__init__(
            "entry_already_reversed",
            f"分录 {entry_id} 已被冲销（冲销分录 {reversal_id}）",
            f"entry {entry_id} was already reversed by entry {reversal_id}",
            "entry_id",
            {"entry_id": entry_id, "reversal_id": reversal_id},
        )


class InvalidBusinessDate(LedgerError, InvalidInput):
    def __init__(self, message_zh: str, message_en: str, **details):
        super().__init__("invalid_business_date", message_zh, message_en, "business_date", details)


class RunError(LedgerError, Conflict):
    """A batch run cannot start, resume or finish in its state (started with other parameters, not running)."""

    def __init__(self, code: str, message_zh: str, message_en: str, **details):
        super().__init__(code, message_zh, message_en, "run", details)


class InvalidRun(LedgerError, InvalidInput):
    def __init__(self, message_zh: str, message_en: str):
        super().__init__("invalid_run", message_zh, message_en, "run")


class RunNotFound(LedgerError, NotFound):
    def __init__(self, run_id: int):
        super().__init__("run_not_found", f"未找到批处理：{run_id}", f"run not found: {run_id}", "run", {})


class IdempotencyKeyInProgress(LedgerError, Conflict):
    """Only visible inside the claiming transaction itself."""

    def __init__(self, scope: str, key: str):
        super().__init__("idempotency_key_in_progress", f"同一幂等键的请求正在处理中：{key}",
                         f"a request with idempotency key {key!r} is still in progress", "idempotency_key",
                         {"scope": scope, "key": key})
