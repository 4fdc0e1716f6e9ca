"""Enrolment and funding — 嘉政发〔2022〕21号#一.（二） and 嘉政发〔2022〕21号#三.（一）.1."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import text

from gazette.errors import Conflict, InvalidInput
from gazette.ledger import Ledger
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import intake_roster as R
from jiaxing.schemes.ltc import intake_service as SV
from jiaxing.schemes.ltc.intake_params import BOOK

from .conftest import OFFICER, counts, csv_bytes, pid, roster


def test_roster_rows_validated_nothing_half_written(ltc):
    """三.（一）.1: bad ID, impossible date, duplicate row → the row and column named, nothing written."""
    before = counts()
    bad_id = pid(2)[:-1] + ("0" if pid(2)[-1] != "0" else "1")
    data = csv_bytes("身份证号,姓名,县（市、区）,险种,参保日期",
                     f"{pid(1)},甲,南湖区,职工医保,2018-01-01",
                     f"{bad_id},乙,南湖区,职工医保,2018-01-01",
                     f"{pid(3)},丙,南湖区,居民,1930-01-01",  # before the person was born (1940)
                     f"{pid(4)},丁,南湖区,居民,2018-02-30",
                     f"{pid(1)},甲,南湖区,职工医保,2018-01-01",
                     f"{pid(5)},戊,火星区,居民,2018-01-01")
    with pytest.raises(InvalidInput) as e:
        SV.import_roster(data, "r.csv", "b1", key="k1", actor=OFFICER)
    errs = {(x["row"], x["column"], x["code"]) for x in e.value.details["errors"]}
    assert (3, "person_id", "invalid_person_id") in errs
    assert any(r == 4 and c == "insured_since" for r, c, _ in errs)
    assert any(r == 5 and c == "insured_since" for r, c, _ in errs)
    assert (6, "person_id", "duplicate_row") in errs
    assert (7, "district", "unknown_district") in errs
    assert e.value.field == "row 3.person_id"
    assert counts() == before


def test_xlsx_roster_and_duplicate_enrolment_cleared(ltc):
    """三.（一）.1 开展重复参保数据清理: a person on both rosters is held from funding until cleared."""
    roster((1, "南湖区", "employee"), (2, "南湖区", "resident"), (3, "嘉善县", "resident"))
    wb = openpyxl.Workbook()
    wb.active.append(["person_id", "name", "district", "scheme", "insured_since"])
    wb.active.append([pid(1), "测试1", "南湖区", "居民", "2019-01-01"])  # also on the resident roster
    wb.active.append([pid(2), "测试2", "南湖区", "resident", "2018-01-01"])  # already, same scheme
    buf = io.BytesIO()
    wb.save(buf)
    out = SV.import_roster(buf.getvalue(), "resident.xlsx", "r2", key="x1", actor=OFFICER)
    assert (out["imported"], out["already"], out["duplicates"]) == (0, 1, 1)
    with unit_of_work() as s:
        dups = R.duplicates(s)
    assert [(d["person_id"], d["kept_scheme"], d["other_scheme"]) for d in dups] == [(pid(1), "employee", "resident")]
    f = SV.fund(2023, "y2023", key="f1", actor=OFFICER)
    assert f["people"] == 2 and f["held_duplicates"] == 1
    SV.clear_duplicate(dups[0]["id"], "resident", key="c1", actor=OFFICER)
    with pytest.raises(Conflict):
        SV.clear_duplicate(dups[0]["id"], "resident", key="c2", actor=OFFICER)
    f2 = SV.fund(2023, "y2023-b2", key="f2", actor=OFFICER)
    assert f2["people"] == 1 and f2["by_source"] == {"personal": "30.00", "employee_pool": "0.00", "fiscal": "90.00"}


def test_funding_by_source_idempotent_per_year_and_batch(ltc):
    """一.（二）: 120 = 30 personal + 90 employee pool (职工) or fiscal subsidy (居民), on the ledger by source."""
    roster((1, "南湖区", "employee"), (2, "南湖区", "resident"), (3, "海宁市", "resident"))
    out = SV.fund(2023, "y2023", key="f1", actor=OFFICER)
    assert out["by_source"] == {"personal": "90.00", "employee_pool": "90.00", "fiscal": "180.00"}
    assert out["total"] == "360.00" and out["per_person"]["total"] == "120.00"
    before = counts()
    again = SV.fund(2023, "y2023", key="another-key", actor=OFFICER)
    assert again["already"] and again["total"] == "360.00" and counts() == before
    with unit_of_work() as s:
        lg = Ledger(BOOK)
        tb = lg.trial_balance(s)
        assert sum(r.debit_fen for r in tb.rows) == sum(r.credit_fen for r in tb.rows) == 360_00
        assert lg.balance_at(s, "fiscal:南湖区", lg.business_date(s)) == 90_00
        assert lg.balance_at(s, "employee_pool:南湖区", lg.business_date(s)) == 90_00
        assert lg.balance_at(s, "receivable:海宁市", lg.business_date(s)) == 120_00
        lines = s.execute(text("SELECT COUNT(*) FROM ltc_funding_lines WHERE year = 2023")).scalar()
    assert lines == 3
    assert SV.fund(2023, "y2023-b2", key="f3", actor=OFFICER)["people"] == 0  # each person once a year
    with pytest.raises(InvalidInput):
        SV.fund(2100, "future", key="f4", actor=OFFICER)
