"""Postings as pure values (分录): lines, balancing, reversal, validation — no database here.

An entry is a list of :class:`Line` (account, side, amount in fen) whose debits equal its
credits. :func:`validate_lines` checks that before anything is stored; :func:`reversed_lines`
gives the lines of a reversal (冲销); :func:`request_digest` decides whether a repeat of a keyed
entry is the same request. The store (:mod:`gazette.ledger.store`) writes what these describe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gazette.ledger.canonical import canonical_hash, jsonable
from gazette.ledger.errors import InvalidEntry, UnbalancedEntry
from gazette.ledger.money import CURRENCY, check_amount


class Side(StrEnum):
    debit = "D"  # 借
    credit = "C"  # 贷


#: The side on which an account type grows: assets and expenses on the debit side (借),
#: liabilities, equity and income on the credit side (贷).
NORMAL_SIDE = {"asset": Side.debit, "expense": Side.debit, "liability": Side.credit, "equity": Side.credit,
               "income": Side.credit}
SIDES = tuple(s.value for s in Side)
MAX_DESCRIPTION = 2000


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
    def normal_side(self) -> Side:
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
    return Line(account, Side.debit.value, amount_fen)


def credit(account: str, amount_fen: int) -> Line:
    return Line(account, Side.credit.value, amount_fen)


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
        return sum(ln.amount_fen for ln in self.lines if ln.side == Side.debit)

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


# --------------------------------------------------------------------------- validation


def validate_description(description: object) -> str:
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise InvalidEntry(
            "摘要必须是不超过 2000 字的文本",
            "description must be text of at most 2000 characters",
            "description",
        )
    return description


def validate_lines(lines: Iterable[Line]) -> list[Line]:
    """The lines of a well-formed entry: at least two, each a debit or a credit of a positive
    integer amount of fen, debits equal to credits. Plain ints replace numpy/polars integers."""
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
        if amount is not ln.amount_fen:
            ln = lines[i] = Line(ln.account, ln.side, amount)
        if ln.side == Side.debit:
            debits += ln.amount_fen
        else:
            credits += ln.amount_fen
    if debits != credits:
        raise UnbalancedEntry(debits, credits)
    return lines


def reversed_lines(lines: Iterable[PostedLine | Line]) -> list[Line]:
    """The lines of the reversal (冲销) of an entry: the same accounts and amounts, sides swapped."""
    return [Line(ln.account, Side.credit.value if ln.side == Side.debit else Side.debit.value, ln.amount_fen)
            for ln in lines]


def request_digest(book: str, lines: Sequence[Line], description: str, business_date: dt.date | None,
                   data: dict | None, reversal_of: int | None) -> str:
    """The hash that decides whether a repeat of a keyed entry is the same request. The business
    date counts only when given: a retry after the book's date moved is the same request."""
    return canonical_hash({
        "book": book,
        "lines": [[ln.account, ln.side, ln.amount_fen] for ln in lines],
        "description": description,
        "business_date": business_date,
        "data": data or {},
        "reversal_of": reversal_of,
    })
