"""Fixtures of the provident fund tests: a set-up fund book on a clean database."""

from __future__ import annotations

import datetime as dt

import pytest

from gazette.store.db import unit_of_work
from jiaxing.schemes.provident_fund import models  # noqa: F401 - registers the tables for clean_db
from jiaxing.schemes.provident_fund import service as S
from jiaxing.schemes.provident_fund.domain import Applicant

START = dt.date(2022, 5, 1)


@pytest.fixture()
def fund(clean_db):
    with unit_of_work(clean_db) as s:
        S.setup(s, START)
    return clean_db


def person(pid: str = "330402199001011230", sex: str = "male", birth: dt.date = dt.date(1990, 1, 1),
           **kw) -> Applicant:
    return Applicant(person_id=pid, name=kw.pop("name", "张三"), sex=sex, birth_date=birth, **kw)


def advance(url: str, to: dt.date) -> None:
    """Move the business date forward to ``to`` (never backwards)."""
    with unit_of_work(url) as s:
        if to > S.today(s):
            S.advance(s, to)


def counts(url: str) -> dict[str, int]:
    """Row counts of every table the fund and the ledger write (to prove that nothing was written)."""
    from sqlalchemy import text

    tables = ("pf_accounts", "pf_collections", "pf_movements", "pf_events", "pf_exceptions", "pf_bank_lines", "pf_sanctions",
              "ledger_entries", "ledger_lines", "audit_log", "idempotency_keys")
    with unit_of_work(url) as s:
        return {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in tables}


def pending(url: str, month: str) -> list[tuple[str, int]]:
    from sqlalchemy import text

    from jiaxing.schemes.provident_fund.domain import parse_month

    with unit_of_work(url) as s:
        return [(r, a) for r, a in s.execute(text(
            "SELECT ref, amount_fen FROM pf_collections WHERE month = :m AND status = 'pending' ORDER BY account_id"),
            {"m": parse_month(month)})]


def cycle(url: str, month: str, failed: set[str] = frozenset(), day: int = 5) -> None:
    """One month of operations: collection run, a bank file (every debit ok except ``failed`` person
    ids), arrears run — on ``day`` of the next month."""
    from jiaxing.schemes.provident_fund.domain import month_start, parse_month

    m = parse_month(month)
    advance(url, month_start(m + 1).replace(day=day))
    S.monthly_collection(month)
    with unit_of_work(url) as s:
        ids = {a.id: a.person_id for a in S.iter_accounts(s)}
    lines = [(r, a, "failed" if ids[int(r.rsplit("-", 1)[1])] in failed else "ok") for r, a in pending(url, month)]
    S.import_bank_results(f"bank-{month}", lines)
    S.arrears_run(month)


def view(url: str, pid: str) -> dict:
    with unit_of_work(url) as s:
        return S.view(s, pid)
