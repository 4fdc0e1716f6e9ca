"""Accounts (科目) of a book: opening them (one or many, idempotently) and reading their balances.

Mixed into :class:`gazette.ledger.ledger.Ledger`, which supplies ``book``, ``actor`` and ``info``.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from gazette.ledger import audit, clock
from gazette.ledger import store as st
from gazette.ledger._sql import bulk_insert, jsonable
from gazette.ledger.errors import AccountConflict, CurrencyMismatch, InvalidEntry, UnknownAccount
from gazette.ledger.money import CURRENCY
from gazette.ledger.postings import Account, AccountSpec
from gazette.store.ledger_models import ACCOUNT_TYPES

_ACCOUNT_ATTRIBUTES = ("name", "type", "programme", "district", "owner", "allow_negative")


class AccountsMixin:
    book: str
    actor: str

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
        _check_account_type(type)
        if not isinstance(code, str) or not code.strip() or len(code) > 200:
            raise InvalidEntry("科目代码必须是 1–200 个字符", "account code must be 1-200 characters", "code")
        book = self.info(session)
        if currency != book.currency:
            raise CurrencyMismatch(self.book, code, currency, book.currency)
        wanted = {"name": name, "type": type, "currency": currency, "programme": programme,
                  "district": district, "owner": owner, "allow_negative": bool(allow_negative)}
        existing = st.resolve_accounts(session, self.book, [code]).get(code)
        if existing is not None:  # the common case once a scheme is set up: no write at all
            self._check_same(existing, wanted)
            return existing
        new_id = st.insert_account(session, self.book, code, wanted, jsonable(data or {}))
        if new_id is None:  # opened concurrently
            acc = self.account(session, code)
            self._check_same(acc, wanted)
            return acc
        audit.record(
            session,
            actor=actor or self.actor,
            action="ledger.account.opened",
            entity_type="ledger_account",
            entity_id=f"{self.book}:{code}",
            after=wanted,
            business_date=book.business_date,
        )
        acc = Account(new_id, self.book, code, name, type, data=data or {},
                      **{k: v for k, v in wanted.items() if k not in ("name", "type")})
        st.account_cache(session, self.book)[code] = acc
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
            _check_account_type(spec.type)
            if not isinstance(spec.code, str) or not spec.code.strip() or len(spec.code) > 200 or spec.code in seen:
                raise InvalidEntry(
                    f"科目代码为空、过长或重复：{spec.code!r}",
                    f"empty, too long or duplicate account code {spec.code!r}",
                    "code",
                )
            seen.add(spec.code)
        rows = [
            {"book_code": self.book, "code": sp.code, "name": sp.name, "type": sp.type, "currency": book.currency,
             "programme": sp.programme, "district": sp.district, "owner": sp.owner,
             "allow_negative": bool(sp.allow_negative), "data": jsonable(sp.data or {}), "created_at": now}
            for sp in specs
        ]
        new = bulk_insert(session, st.accounts_table, rows, conflict=["book_code", "code"],
                          returning=["id", "code", "allow_negative"])
        bulk_insert(session, st.balances_table,
                    [{"account_id": r.id, "balance": 0, "allow_negative": r.allow_negative} for r in new])
        created = sorted(r.code for r in new)
        accounts = st.resolve_accounts(session, self.book, [sp.code for sp in specs])
        for sp in specs:
            self._check_same(accounts[sp.code], {k: getattr(sp, k) if k != "allow_negative" else bool(sp.allow_negative)
                                                 for k in _ACCOUNT_ATTRIBUTES})
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

    def _check_same(self, acc: Account, wanted: dict) -> None:
        differences = {k: [getattr(acc, k), v] for k, v in wanted.items() if getattr(acc, k) != v}
        if differences:
            raise AccountConflict(self.book, acc.code, differences)

    def account(self, session: Session, code: str, field: str = "account") -> Account:
        found = st.resolve_accounts(session, self.book, [code])
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
        return st.list_accounts(session, self.book,
                                {"type": type, "programme": programme, "district": district, "owner": owner})

    def balance(self, session: Session, account: str) -> int:
        """The current balance in fen, in the account's normal direction."""
        return st.read_balance(session, self.account(session, account).id)

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
        values = st.read_balances(session, [a.id for a in accounts])
        return [(a, values.get(a.id, 0)) for a in accounts]


def _check_account_type(type: str) -> None:
    if type not in ACCOUNT_TYPES:
        raise InvalidEntry(
            f"科目类型不正确：{type}（应为 {', '.join(ACCOUNT_TYPES)}）",
            f"unknown account type {type!r} (expected one of {', '.join(ACCOUNT_TYPES)})",
            "type",
            code="invalid_account_type",
        )
