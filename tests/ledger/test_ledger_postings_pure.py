"""Postings are pure values: validated, balanced and reversed without a database."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gazette.ledger.errors import InvalidAmount, InvalidEntry, UnbalancedEntry
from gazette.ledger.postings import Line, credit, debit, request_digest, reversed_lines, validate_lines

LEDGER = Path(__file__).resolve().parents[2] / "src" / "gazette" / "ledger"
PURE = ("postings.py", "canonical.py", "money.py", "errors.py")


@pytest.mark.parametrize("name", PURE)
def test_pure_modules_import_no_database(name):
    tree = ast.parse((LEDGER / name).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in imported if m and (m.startswith("sqlalchemy") or m.startswith("gazette.store")
                                              or m in ("gazette.ledger.store", "gazette.ledger.ledger"))}


def test_store_and_reports_do_not_import_the_facade():
    for name in ("store.py", "reports.py", "accounts.py"):
        tree = ast.parse((LEDGER / name).read_text(encoding="utf-8"))
        runtime = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
        assert all(n.module != "gazette.ledger.ledger" for n in runtime), name


def test_validate_lines():
    lines = validate_lines([debit("a", 5), credit("b", 3), credit("c", 2)])
    assert [ln.side for ln in lines] == ["D", "C", "C"]
    with pytest.raises(UnbalancedEntry):
        validate_lines([debit("a", 5), credit("b", 4)])
    with pytest.raises(InvalidEntry):
        validate_lines([debit("a", 5)])
    with pytest.raises(InvalidEntry):
        validate_lines([Line("a", "X", 5), credit("b", 5)])
    with pytest.raises(InvalidAmount):
        validate_lines([debit("a", 0), credit("b", 0)])


@given(st.lists(st.integers(1, 10**12), min_size=1, max_size=6))
def test_reversal_swaps_sides_and_keeps_balance(amounts):
    lines = [debit(f"d{i}", a) for i, a in enumerate(amounts)] + [credit("pool", sum(amounts))]
    back = reversed_lines(validate_lines(lines))
    assert validate_lines(back) == back
    assert [(ln.account, ln.amount_fen) for ln in back] == [(ln.account, ln.amount_fen) for ln in lines]
    assert all(a.side != b.side for a, b in zip(lines, back, strict=True))
    assert reversed_lines(back) == lines


def test_digest_ignores_nothing_that_matters():
    lines = [debit("a", 5), credit("b", 5)]
    base = request_digest("book", lines, "memo", None, None, None)
    assert base == request_digest("book", list(lines), "memo", None, {}, None)
    assert base != request_digest("book", [debit("a", 6), credit("b", 6)], "memo", None, None, None)
    assert base != request_digest("other", lines, "memo", None, None, None)
