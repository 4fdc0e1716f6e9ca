"""Budget data import (XLSX / CSV / JSON rows): row-by-row validation naming row and column; any
rejected row → nothing written; the checks run on every import."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import func, select

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.budget import data as budget_data
from jiaxing.schemes.budget.models import BudgetYear, CheckRun

from .conftest import import_year, rows

COLS = list(budget_data.COLUMNS)


def _csv(data: list[dict], cols=COLS) -> bytes:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    w.writerows(data)
    return buf.getvalue().encode("utf-8-sig")


def _xlsx(data: list[dict], cols=COLS, numeric=True) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(cols)
    for r in data:
        ws.append([(float(r[c]) if numeric and c.endswith("_yuan") and r.get(c) else r.get(c, "")) for c in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _years() -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(BudgetYear))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_from_a_file_runs_the_checks(clean_db, fmt):
    content = _csv(rows()) if fmt == "csv" else _xlsx(rows())
    table = budget_data.read_bytes(content, f"budget.{fmt}")
    out = import_year(data=table).result
    assert out["summary"]["expenditure_fen"] == 100_000_000_00 and out["summary"]["reserve_fen"] == 2_000_000_00
    assert out["ok"] is True and [c["status"] for c in out["checks"]] == ["pass"] * 6
    assert out["departments"] == ["市卫生健康委", "市教育局"]
    with unit_of_work() as s:
        assert s.scalar(select(CheckRun.trigger)) == "import"


def test_reimport_replaces_the_figures_and_checks_again(year):
    data = rows()
    data[6] = {"section": "reserve_fund", "amount_yuan": "5000000"}  # 5,000,000 / 103,000,000 > 3%
    out = import_year(data=data, key="imp-2").result
    failed = [c["rule"] for c in out["checks"] if c["status"] == "fail"]
    assert "reserve_fund_1_to_3_percent" in failed
    with unit_of_work() as s:
        assert s.scalar(select(func.count()).select_from(CheckRun)) == 2


def test_reserve_given_as_a_share():
    data = [r for r in rows() if r["section"] != "reserve_fund"] + [{"section": "预备费", "share_percent": "2%",
                                                                     "amount_yuan": ""}]
    d = budget_data.parse(data)
    assert d.reserve_fen == 2_000_000_00  # 2% of (98,000,000 + reserve)


@pytest.mark.parametrize(("bad", "column", "code"), [
    ({"section": "reserve_fund", "share_percent": "100.5", "amount_yuan": ""}, "share_percent", "share_out_of_range"),
    ({"section": "reserve_fund", "share_percent": "100", "amount_yuan": ""}, "share_percent", "share_out_of_range"),
    ({"section": "expenditure", "department": "市教育局", "function_class": "教育支出", "amount_yuan": "-5"},
     "amount_yuan", "amount_out_of_range"),
    ({"section": "expenditure", "department": "", "function_class": "教育支出", "amount_yuan": "5"}, "department",
     "required"),
    ({"section": "transfer", "district": "杭州市", "item": "general", "expected_yuan": "1", "amount_yuan": "1"},
     "district", "unknown_district"),
    ({"section": "transfer", "district": "南湖区", "item": "general", "amount_yuan": "1"}, "expected_yuan", "required"),
    ({"section": "magic", "amount_yuan": "1"}, "section", "unknown_section"),
    ({"section": "revenue", "item": "非税收入", "amount_yuan": "1.234"}, "amount_yuan", "invalid_amount"),
    ({"section": "debt", "item": "general", "amount_yuan": "1", "limit_yuan": "2"}, "item", "duplicate_row"),
])
def test_bad_rows_named_by_row_and_column_nothing_written(clean_db, bad, column, code):
    data = rows() + [bad]
    if bad["section"] == "reserve_fund":
        data = [r for r in rows() if r["section"] != "reserve_fund"] + [bad]
    with pytest.raises(GazetteError) as err:
        import_year(data=budget_data.read_bytes(_csv(data), "b.csv"))
    assert err.value.code == "import_rejected" and http_status(err.value) == 422
    (row,) = err.value.details["rows"]
    assert row == row | {"row": len(data) + 1, "column": column, "code": code}  # header is row 1
    assert _years() == 0


def test_every_bad_row_is_reported():
    data = rows() + [{"section": "revenue", "item": "x", "amount_yuan": "-1"}, {"section": "?", "amount_yuan": "1"}]
    with pytest.raises(GazetteError) as err:
        budget_data.parse(data)
    assert [(r["row"], r["column"]) for r in err.value.details["rows"]] == [(14, "amount_yuan"), (15, "section")]


@pytest.mark.parametrize("missing", ["section", "amount_yuan"])
def test_missing_required_columns(missing):
    cols = [c for c in COLS if c != missing]
    with pytest.raises(GazetteError) as err:
        budget_data.parse(budget_data.read_bytes(_csv(rows(), cols), "b.csv"))
    assert err.value.code == "missing_columns" and err.value.field == missing


def test_missing_column_a_section_needs():
    cols = [c for c in COLS if c != "limit_yuan"]
    with pytest.raises(GazetteError) as err:
        budget_data.parse(budget_data.read_bytes(_xlsx(rows(), cols), "b.xlsx"))
    assert {(r["column"], r["code"]) for r in err.value.details["rows"]} == {("limit_yuan", "missing_column")}


def test_unreadable_and_unsupported_files():
    for content, name, code in ((b"PK\x03\x04junk", "x.xlsx", "unreadable_file"), (b"a", "x.pdf", "unsupported_file"),
                                (b"\xff\xfe\x00", "x.csv", "invalid_encoding"), (b"", "x.csv", "empty_file")):
        with pytest.raises(GazetteError) as err:
            budget_data.read_bytes(content, name)
        assert err.value.code == code and err.value.field == "file"


def test_xlsx_numbers_never_pass_through_float_arithmetic():
    d = budget_data.parse(budget_data.read_bytes(_xlsx([{"section": "revenue", "item": "x", "amount_yuan": "1234567.89"}]), "a.xlsx"))
    assert d.revenue == [("x", 123456789)]



def test_json_numbers_and_control_characters():
    d = budget_data.parse([{"section": "revenue", "item": "x", "amount_yuan": 12}])
    assert d.revenue == [("x", 1200)]
    for bad, column in (({"section": "transfer", "district": 5, "item": "general", "expected_yuan": 1,
                          "amount_yuan": 1}, "district"),
                        ({"section": "revenue", "item": "x\x00", "amount_yuan": "1"}, "item"),
                        ({"section": "turnover_fund", "amount_yuan": "1", "approval": "批准\x00"}, "approval")):
        with pytest.raises(GazetteError) as err:
            budget_data.parse([bad])
        assert err.value.details["rows"][0]["column"] == column
