"""No pension run does one round trip per participant (issue 17): the payroll, the bank export and the
bank result import, and the back-dated top-up are run on the same scenario at two sizes, and the number of
SQL statements each sends must not grow with the number of participants."""

from __future__ import annotations

from gazette.store.db import unit_of_work
from jiaxing.schemes.resident_pension import bank as bank_files
from jiaxing.schemes.resident_pension import payroll as payroll_runs
from jiaxing.schemes.resident_pension import standards as pension_standards
from tests.schemes.provident_fund.test_statement_counts import _empty, counting

from .conftest import START, advance, enrol, pid


def _statements_per_run(url: str, people: int) -> dict[str, int]:
    """``people`` pensioners from 2022-01, a third of January's bank payments failed."""
    _empty(url)
    with unit_of_work(url) as s:
        pension_standards.setup(s, START)
    for n in range(1, people + 1):
        enrol(n, receiving_from="2022-01", bank=("ABC", "ICBC")[n % 2])
    counts = {}
    advance("2022-01-15")
    with counting(url) as calls:
        january = payroll_runs.payroll("2022-01").result
    counts["payroll"] = len(calls)
    assert january["lines"] == people
    with counting(url) as calls:
        bank_files.export("e1")
    counts["bank_export"] = len(calls)
    with unit_of_work(url) as s:
        rows = [line.split(",") for text in bank_files.files(s, "e1").values() for line in text.splitlines()[1:-1]]
    failing = {pid(n) for n in range(1, people + 1, 3)}
    result = "\n".join(f"{r[0]},{r[4]},{'failed' if r[1] in failing else 'ok'}" for r in rows)
    with counting(url) as calls:
        imported = bank_files.import_results("r1", result).result
    counts["bank_import"] = len(calls)
    assert imported["failed"] == len(failing) and imported["ok"] == people - len(failing)
    for month in range(2, 9):
        advance(f"2022-{month:02d}-15")
        payroll_runs.payroll(f"2022-{month:02d}")
    advance("2022-09-06")
    with counting(url) as calls:
        topup = payroll_runs.topup().result
    counts["topup"] = len(calls)
    assert topup["months"] == 8 * people  # Jan–Aug 2022 at 290, each topped up by 30
    return counts


def test_no_run_sends_more_statements_for_more_participants(pension):
    small = _statements_per_run(pension, 6)
    large = _statements_per_run(pension, 60)
    assert small == large, {"6 people": small, "60 people": large}
