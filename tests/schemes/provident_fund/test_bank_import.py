"""The bank import's staging (issue 17): on PostgreSQL the file goes to ``pf_bank_lines`` by one COPY written
in slices, falling back to row-by-row COPY once a slice holds a character the text format would read as a
delimiter or an escape; on SQLite by an executemany. Either way the stored lines are exactly
``staged_lines`` (``debit_of`` per reference, duplicates marked), in file order, and the matching gives the
same counts and exceptions."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from gazette.store.db import unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.provident_fund import bank_import
from jiaxing.schemes.provident_fund import service as S

from .conftest import advance, counts, pending, person

P = [example_person_id(i) for i in range(4)]


def _stored(url: str, import_id: str) -> list[tuple]:
    with unit_of_work(url) as s:
        return [tuple(r) for r in s.execute(text(
            f"SELECT {', '.join(bank_import.COLUMNS)} FROM pf_bank_lines WHERE import_id = :imp ORDER BY line_no"),
            {"imp": import_id})]


def test_debit_of_reads_only_ascii_debit_references():
    assert bank_import.debit_of("2022-05-17") == (17, 2022 * 12 + 4)
    assert bank_import.debit_of("2022-12-000000000000000001") == (1, 2022 * 12 + 11)
    for ref in ("2022-13-1", "2022-00-1", "2022-05-", "2022-5-17", "２０２２-05-17", "2022-05-1x", "2022-05-١٢",
                "2022-05-1234567890123456789", "X-1", "2022/05/17"):
        assert bank_import.debit_of(ref) == (None, None), ref


def _may_collected(fund) -> list[tuple[str, int]]:
    """Accounts for everyone in P, May 2022's collection run: its debits (reference, amount)."""
    with unit_of_work(fund) as s:
        for i, pid in enumerate(P):
            S.open_account(s, person(pid, birth=dt.date(1980 + i, 1, 1)), 500_000, "12")
    advance(fund, dt.date(2022, 6, 3))
    S.monthly_collection("2022-05")
    return pending(fund, "2022-05")


@pytest.mark.parametrize("big", [False, True], ids=["small-file", "big-file-path"])
def test_staging_in_slices_and_row_by_row_after_an_escape_keeps_the_file(fund, monkeypatch, big):
    if big:  # the path of a file of BIG_FILE lines or more: statistics refreshed, the credit by a hash join
        monkeypatch.setattr(bank_import, "BIG_FILE", 1)
    debits = _may_collected(fund)
    (r1, a1), (r2, a2), (r3, a3), (r4, a4) = debits
    lines = [(r1, a1, "ok"), ("tab\\back", 100, "ok"), (r2, a2, "failed"), (r1, a1, "ok"), ("2022-05-999", 100, "ok"),
             (r3, a3 + 1, "ok"), (r4, a4, "ok")]
    monkeypatch.setattr(bank_import, "COPY_SLICE", 1)  # the escape is in the second slice
    run = S.import_bank_results("file-1", lines)
    assert _stored(fund, "file-1") == bank_import.staged_lines("file-1", lines)
    assert run.result == {"units": 1, "lines": 7, "paid": 2, "failed": 1, "exceptions": 4, "paid_fen": a1 + a4}
    with unit_of_work(fund) as s:
        kinds = sorted((e["line_no"], e["kind"]) for e in S.exceptions(s) if e["source"] == "file-1")
    assert kinds == [(2, "unknown_reference"), (4, "duplicate"), (5, "unknown_reference"), (6, "amount_mismatch")]
    monkeypatch.setattr(bank_import, "COPY_SLICE", 3)
    before = counts(fund)
    again = S.import_bank_results("file-2", [(r1, a1, "ok"), (r3, a3, "ok")])
    assert again.result["paid"] == 1 and again.result["exceptions"] == 1
    assert _stored(fund, "file-2") == bank_import.staged_lines("file-2", [(r1, a1, "ok"), (r3, a3, "ok")])
    assert counts(fund)["pf_exceptions"] == before["pf_exceptions"] + 1
    with unit_of_work(fund) as s:
        assert S.reconcile(s)["ok"]


@pytest.mark.parametrize("big", [False, True], ids=["small-file", "big-file-path"])
def test_a_file_that_settles_every_line_lists_no_exception(fund, monkeypatch, big):
    """Every line settled: on PostgreSQL the lookup of the lines left over is skipped (as many debits settled
    as lines staged); the counts, the books and the exceptions are those of the general path."""
    if big:
        monkeypatch.setattr(bank_import, "BIG_FILE", 1)
    debits = _may_collected(fund)
    lines = [(ref, amount, "failed" if n == 1 else "ok") for n, (ref, amount) in enumerate(debits)]
    before = counts(fund)
    run = S.import_bank_results("file-all", lines)
    assert run.result == {"units": 1, "lines": 4, "paid": 3, "failed": 1, "exceptions": 0,
                          "paid_fen": sum(a for n, (_, a) in enumerate(debits) if n != 1)}
    assert counts(fund)["pf_exceptions"] == before["pf_exceptions"]
    assert pending(fund, "2022-05") == []
    with unit_of_work(fund) as s:
        assert S.reconcile(s)["ok"]


def _text_of(rows: list[tuple]) -> str | None:
    """The COPY text of staged rows as the import wrote it before issue 17's third pass (row tuples first)."""
    body = "\n".join(f"{i}\t{n}\t{r}\t{a}\t{res}\t{'' if acct is None else acct}\t{'' if m is None else m}\t"
                     f"{'t' if dup else 'f'}" for i, n, r, a, res, acct, m, dup in rows)
    if body.count("\t") != 7 * len(rows) or body.count("\n") != len(rows) - 1 or "\\" in body or "\r" in body:
        return None
    return body + "\n"


def test_copy_text_in_one_pass_is_the_text_of_the_staged_rows():
    """``_copy_slices`` reads references as ``debit_of`` does and marks duplicates as ``staged_lines`` does,
    slice by slice, on references that are debits, nearly debits, or hold COPY's special characters."""
    import random

    refs = ["2022-05-17", "2022-05-017", "2022-12-000000000000000001", "2022-13-1", "2022-00-1", "2022-05-",
            "2022-5-17", "２０２２-05-17", "2022-05-1x", "2022-05-١٢", "2022-05-1234567890123456789", "X-1",
            "2022/05/17", "2022-05-123456789012345678", "abc", "a\tb", "a\\b", "x\ry", "2022-05-1²", "20a2-05-1",
            "2022-05-+1", "2022-05- 1", "2022-1a-5", "2022-05-17\n", "2023-01-17"]
    rng = random.Random(17)
    for _ in range(300):
        lines = [(rng.choice(refs), rng.randint(1, 5), rng.choice(["ok", "failed"])) for _ in range(rng.randint(0, 30))]
        size = rng.randint(1, 7)
        rows = bank_import.staged_lines("imp", lines)
        slices = list(bank_import._copy_slices("imp", lines, size))
        assert [first for first, _ in slices] == list(range(1, len(lines) + 1, size))
        for first, body in slices:
            assert body == _text_of(rows[first - 1:first - 1 + size]), (lines, size, first)
