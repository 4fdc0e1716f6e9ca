"""Bank payment files (one per bank, trailer), results, retries, reconciliation; roster import."""

from __future__ import annotations

import io

import pytest

from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.resident_pension import bank as bank_files
from jiaxing.schemes.resident_pension import payroll as payroll_runs
from jiaxing.schemes.resident_pension import service

from .conftest import OFFICER, advance, counts, enrol, pid


def _export(eid: str) -> dict[str, list[list[str]]]:
    bank_files.export(eid)
    with unit_of_work() as s:
        return {b: [ln.split(",") for ln in t.splitlines()] for b, t in bank_files.files(s, eid).items()}


def test_files_per_bank_failures_retried_books_reconcile(pension):
    """嘉人社〔2022〕60号#二: every month's pension reaches the bank; a failed one is retried next export."""
    enrol(30, bank="ABC")
    enrol(31, bank="ICBC")
    enrol(32, bank="ICBC")
    advance("2021-01-15")
    payroll_runs.payroll("2021-01")
    files = _export("e1")
    assert sorted(files) == ["ABC", "ICBC"]
    assert files["ICBC"][-1] == ["TRAILER", "2", "580.00"] and files["ABC"][-1] == ["TRAILER", "1", "290.00"]
    rows = [r for f in files.values() for r in f[1:-1]]
    result = "\n".join(f"{r[0]},{r[4]},{'failed' if r[1] == pid(31) else 'ok'}" for r in rows)
    out = bank_files.import_results("r1", result).result
    assert out["ok"] == 2 and out["failed"] == 1
    with unit_of_work() as s:
        rec = bank_files.reconcile(s)
        assert rec["ok"] and rec["failed"] == "290.00" and rec["paid"] == "580.00"
        assert [e["person_id"] for e in bank_files.exceptions(s)] == [pid(31)]
    advance("2021-02-15")
    payroll_runs.payroll("2021-02")
    files = _export("e2")
    assert files["ICBC"][-1] == ["TRAILER", "3", "870.00"]  # February for two, and January's retry
    again = bank_files.export("e2")
    assert again.already_completed
    with unit_of_work() as s:
        assert bank_files.reconcile(s)["ok"]


@pytest.mark.parametrize(("mutate", "code"), [
    (lambda rows: rows + [rows[0]], "duplicate_row"),
    (lambda rows: rows + ["RP9999999999,290.00,ok"], "unknown_reference"),
    (lambda rows: [rows[0].replace("290.00", "300.00")], "amount_mismatch"),
    (lambda rows: [rows[0].replace(",ok", ",maybe")], "bad_result_file"),
])
def test_bad_result_file_names_the_row_and_writes_nothing(pension, mutate, code):
    enrol(33)
    advance("2021-01-15")
    payroll_runs.payroll("2021-01")
    files = _export("e")
    rows = [f"{r[0]},{r[4]},ok" for r in files["JXRCB"][1:-1]]
    before = counts()
    with pytest.raises(GazetteError) as e:
        bank_files.import_results("bad", "\n".join(mutate(rows)))
    assert e.value.code == code and e.value.field.startswith("row ") and counts() == before


CSV_HEADER = "person_id,name,district,enrolled_on,status,pension_from,bank,bank_account\n"


def test_roster_csv_and_xlsx(pension):
    good = CSV_HEADER + "".join(f"{pid(n)},名{n},秀洲区,2015-03-01,receiving,2021-01,CCB,62270000{n:04d}\n"
                                for n in range(40, 45))
    out = service.import_roster(good.encode(), "roster.csv", key="imp1", actor=OFFICER)
    assert out["imported"] == 5 and out["by_status"] == {"receiving": 5}
    assert service.import_roster(good.encode(), "roster.csv", key="imp1", actor=OFFICER)["replayed"]
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(CSV_HEADER.strip().split(","))
    ws.append([pid(50), "表格", "海宁市", "2016-01-01", "contributing", None, "BOC", "622800000050"])
    buf = io.BytesIO()
    wb.save(buf)
    assert service.import_roster(buf.getvalue(), "r.xlsx", key="imp2", actor=OFFICER)["imported"] == 1


def test_roster_with_bad_rows_imports_nothing_and_names_every_row(pension):
    bad = CSV_HEADER + (
        f"{pid(60)},甲,南湖区,2015-01-01,receiving,2021-01,ABC,622800000060\n"
        f"330402195501010000,乙,南湖区,2015-01-01,receiving,2021-01,ABC,622800000061\n"  # bad check digit
        f"{pid(62)},丙,火星区,2015-01-01,receiving,2021-01,ABC,622800000062\n"
        f"{pid(63)},丁,南湖区,2015-01-01,receiving,,ABC,622800000063\n"
        f"{pid(60)},甲,南湖区,2015-01-01,receiving,2021-01,ABC,622800000060\n"
        f"{pid(64)},戊,南湖区,2015-01-01,receiving,2021-01,XYZ,622800000064\n")
    before = counts()
    with pytest.raises(GazetteError) as e:
        service.import_roster(bad.encode(), "roster.csv", key="imp3", actor=OFFICER)
    errs = e.value.details["errors"]
    assert [(x["row"], x["column"]) for x in errs] == [(3, "person_id"), (4, "district"), (5, "pension_from"),
                                                       (6, "person_id"), (7, "bank")]
    assert counts() == before


def test_future_death_refused(pension):
    p = enrol(70)
    advance("2021-02-01")
    before = counts()
    with pytest.raises(GazetteError) as e:
        service.death(p, "2021-02-02", key="d", actor=OFFICER)
    assert e.value.code == "death_in_future" and e.value.field == "death_date" and counts() == before
