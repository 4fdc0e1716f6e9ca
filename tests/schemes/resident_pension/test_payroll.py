"""二 of 嘉人社〔2022〕60号: the monthly payroll and the back-dated top-up (240 yuan, computed by the run)."""

from __future__ import annotations

import pytest

from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.resident_pension import bank as bank_files
from jiaxing.schemes.resident_pension import payroll as payroll_runs
from jiaxing.schemes.resident_pension import service, views

from .conftest import OFFICER, advance, counts, enrol

CLAUSE = "嘉人社〔2022〕60号#二"


def pay(month: str) -> dict:
    advance(f"{month}-15")
    return payroll_runs.payroll(month).result


def test_290_before_2022_then_320_after_signing_with_240_top_up(pension):
    """嘉人社〔2022〕60号#二: Jan–Aug 2022 paid at 290 (320 not yet published), then the top-up run pays 8 × 30."""
    p = enrol(1, receiving_from="2022-01")
    for m in range(1, 9):
        r = pay(f"2022-{m:02d}")
        assert r["amount"] == "290.00" and r["lines"] == 1
    advance("2022-09-06")
    run = payroll_runs.topup()
    assert run.result["amount"] == "240.00" and run.result["months"] == 8
    again = payroll_runs.topup()
    assert again.already_completed and payroll_runs.summary(again)["paid_now"] == "0.00"
    assert pay("2022-09")["amount"] == "320.00"
    with unit_of_work() as s:
        st = views.statement(s, p)
    assert st["topup_total"] == "240.00" and [t["months"] for t in st["topups"]] == [8]
    assert st["next_payment"] == {"month": "2022-10", "amount": "320.00", "clause": CLAUSE}
    with unit_of_work() as s:
        assert bank_files.reconcile(s)["ok"]


def test_2021_is_paid_at_290(pension):
    """嘉人社〔2022〕60号#二: "由每人每月290元调整为每人每月320元" — 290 before 2022."""
    enrol(2, receiving_from="2021-01")
    assert pay("2021-01")["amount"] == "290.00"


def test_month_is_closed_once_paid_and_order_kept(pension):
    enrol(3)
    pay("2021-01")
    pay("2021-02")
    before = counts()
    for m in ("2021-02", "2021-01"):
        with pytest.raises(GazetteError) as e:
            payroll_runs.payroll(m)
        assert e.value.code == "month_closed"
    assert counts() == before
    with pytest.raises(GazetteError) as e:
        payroll_runs.payroll("2021-06")
    assert e.value.code == "month_not_started"


def test_suspension_restart_and_death(pension):
    """嘉人社〔2022〕60号#二: suspended people are not paid; payment stops the month after death."""
    a, b = enrol(4), enrol(5)
    pay("2021-01")
    service.suspend(a, key="s1", actor=OFFICER)
    assert pay("2021-02")["lines"] == 1
    service.restart(a, key="r1", actor=OFFICER)
    assert pay("2021-03")["lines"] == 2
    advance("2021-03-25")
    service.death(b, "2021-03-20", key="d1", actor=OFFICER)  # March is paid, April is not
    assert pay("2021-04")["lines"] == 1
    with unit_of_work() as s:
        st = views.statement(s, b)
    assert [x["month"] for x in st["pensions"]] == ["2021-01", "2021-02", "2021-03"] and st["recoveries"] == []
    assert st["next_payment"] is None


def test_late_death_notice_becomes_recovery_not_negative(pension):
    """嘉人社〔2022〕60号#二: months paid after a death reported late are recovery items."""
    p = enrol(6)
    for m in ("2021-01", "2021-02", "2021-03"):
        pay(m)
        with unit_of_work() as s:
            eid = f"exp-{m}"
        bank_files.export(eid)
        with unit_of_work() as s:
            files = bank_files.files(s, eid)
        lines = [ln.split(",") for ln in files["JXRCB"].splitlines()[1:-1]]
        bank_files.import_results(f"res-{m}", "\n".join(f"{x[0]},{x[4]},ok" for x in lines))
    pay("2021-04")  # still due (not exported)
    out = service.death(p, "2021-01-31", key="d", actor=OFFICER)
    assert out["recovery_fen"] == 2 * 29000 and out["cancelled_fen"] == 29000
    assert out["recovery_months"] == ["2021-02", "2021-03"]
    with unit_of_work() as s:
        rec = bank_files.reconcile(s)
    assert rec["ok"] and rec["recovery_open"] == "580.00", rec


def test_death_between_top_ups_counts_only_months_alive(pension):
    """嘉人社〔2022〕60号#二: a person who died in May 2022 is topped up for January–May only (5 × 30)."""
    p = enrol(7, receiving_from="2022-01")
    for m in range(1, 6):
        pay(f"2022-{m:02d}")
    advance("2022-06-02")
    service.death(p, "2022-05-10", key="d", actor=OFFICER)
    advance("2022-09-06")
    assert payroll_runs.topup().result["amount"] == "150.00"
