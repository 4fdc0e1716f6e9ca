"""XLSX import (row-by-row validation, merged cells, missing columns, nothing half-written) and exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.supervision import queries, spreadsheets
from jiaxing.schemes.supervision.lights import quarter
from jiaxing.schemes.supervision.models import SupInvestment, SupProject, SupReport
from tests.schemes.supervision.conftest import TASK, UNIT

HEAD = ["项目代码", "项目名称", "类别", "层级", "地区", "业主单位", "总投资（万元）", "年度计划投资（万元）", "计划开工日期",
        "新建/续建", "项目库", "开工日期", "2022-01", "2022-02", "2022-03"]
ROW = ["JX-001", "南湖智造产业园", "现代产业", "市“551”", "南湖区", "南湖区发改局", 120000, 40000, dt.datetime(2022, 2, 1),
       "新建", "储备库", dt.datetime(2022, 2, 15), None, 3000, 4500]


def _xlsx(rows, head=HEAD, merge=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(head)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _count(model) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_projects_with_months(clean_db):
    other = ["JX-002", "秀洲路网", "交通设施", "city", "秀洲区", "秀洲区交通局", 50000, 20000, None, "续建", "在建库", None,
             1000, 1000, 1000]
    res = spreadsheets.import_projects(_xlsx([ROW, other]), key="i1", actor="officer", on=dt.date(2022, 1, 1))
    assert res == {"projects": 2, "monthly_reports": 5, "replayed": False}
    with unit_of_work() as s:
        d = queries.project_detail(s, "JX-001")
        assert d["library"] == "construction" and d["started_on"] == "2022-02-15"
        assert [h["event"] for h in d["history"]] == ["registered", "approval_started", "construction_started"]
        rows = {r["id"]: r for r in queries.lights(s, quarter("2022Q1"))}
    assert rows["JX-001"]["rate"] == "75.00" and rows["JX-001"]["light"] == "yellow"  # 7500 / 10000
    assert (rows["JX-002"]["rate"], rows["JX-002"]["light"]) == ("60.00", "red")  # 3000 / (20000 × 1/4)
    again = spreadsheets.import_projects(_xlsx([ROW, other]), key="i1", actor="officer", on=dt.date(2022, 1, 1))
    assert again["replayed"] and _count(SupProject) == 2


@pytest.mark.parametrize("rows, head, merge, code, row, column", [
    ([ROW], [h for h in HEAD if h != "地区"], None, "missing_column", 1, "地区"),
    ([ROW, ROW], HEAD, "A3:B3", "merged_cells", 3, "A3:B3"),
    ([ROW, [*ROW[:4], "杭州市", *ROW[5:]]], HEAD, None, "invalid_district", 3, "地区"),
    ([[*ROW[:7], 200000, *ROW[8:]]], HEAD, None, "annual_over_total", 2, "年度计划投资（万元）"),
    ([ROW, ROW], HEAD, None, "duplicate_id", 3, "项目代码"),
    ([[*ROW[:13], "abc", *ROW[14:]]], HEAD, None, "invalid_integer", 2, "2022-02"),
    ([[*ROW[:11], None, *ROW[12:]]], HEAD, None, "start_required", 2, "开工日期"),
])
def test_bad_sheets_write_nothing(clean_db, rows, head, merge, code, row, column):
    if head is not HEAD:
        rows = [[v for h, v in zip(HEAD, r, strict=True) if h in head] for r in rows]
    with pytest.raises(GazetteError) as e:
        spreadsheets.import_projects(_xlsx(rows, head, merge), key="bad", actor="o", on=dt.date(2022, 1, 1))
    errs = e.value.details["errors"]
    assert any((x["code"], x["row"], x["column"]) == (code, row, column) for x in errs), errs
    assert e.value.code == "spreadsheet_rejected" and http_status(e.value) == 422
    assert _count(SupProject) == 0 and _count(SupInvestment) == 0


def test_not_an_xlsx(clean_db):
    with pytest.raises(GazetteError) as e:
        spreadsheets.import_projects(b"PK\x03\x04 nonsense", key="x", actor="o", on=dt.date(2022, 1, 1))
    assert e.value.details["errors"][0]["code"] == "not_xlsx"


def test_import_reports_is_all_or_nothing(reg):
    head = ["任务编号", "填报单位", "状态", "完成百分比", "实际值", "进展说明", "填报日期"]
    good = [TASK, UNIT, "推进中", 50, "1", "一个泊位交工", dt.datetime(2022, 6, 30)]
    other = ["嘉政办发〔2022〕11号#三.（一）.1@1", UNIT, "推进中", 50, None, None, dt.datetime(2022, 6, 30)]
    with pytest.raises(GazetteError) as e:
        spreadsheets.import_reports(_xlsx([good, other], head), key="r", actor="haiguan", unit=UNIT)
    assert e.value.details["errors"][0]["row"] == 3 and e.value.details["errors"][0]["code"] == "not_your_task"
    assert _count(SupReport) == 0
    with pytest.raises(GazetteError) as e:
        spreadsheets.import_reports(_xlsx([good, [*good[:3], 120, *good[4:]]], head), key="r2", actor="h", unit=UNIT)
    assert (e.value.details["errors"][0]["row"], e.value.details["errors"][0]["column"]) == (3, "完成百分比")
    assert spreadsheets.import_reports(_xlsx([good], head), key="r3", actor="h", unit=UNIT) == {"reports": 1}


def test_exports_are_safe():
    assert spreadsheets.safe_cell("=HYPERLINK(\"x\")") == "'=HYPERLINK(\"x\")"
    for bad in ("+1", "-1+2", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheets.safe_cell(bad).startswith("'")
    assert spreadsheets.safe_cell(-5) == -5 and spreadsheets.safe_cell("南湖区") == "南湖区"
    data = spreadsheets.to_csv(["名称"], [["=1+1"], ["南湖"]])
    assert data.startswith("\ufeff".encode()) and b"'=1+1" in data
    wb = load_workbook(io.BytesIO(spreadsheets.to_xlsx(["名称"], [["=1+1"]])))
    assert wb.active["A2"].value == "'=1+1"


def test_an_existing_code_names_its_row_and_rolls_back(clean_db):
    spreadsheets.import_projects(_xlsx([ROW]), key="first", actor="o", on=dt.date(2022, 1, 1))
    fresh = ["JX-009", *ROW[1:]]
    with pytest.raises(GazetteError) as e:
        spreadsheets.import_projects(_xlsx([fresh, ROW]), key="second", actor="o", on=dt.date(2022, 1, 1))
    (err,) = e.value.details["errors"]
    assert (err["row"], err["column"], err["code"]) == (3, "项目代码", "project_exists")
    assert _count(SupProject) == 1 and _count(SupInvestment) == 2  # JX-009 was not half-written


def test_a_month_before_the_start_names_its_cell(clean_db):
    early = [*ROW[:11], dt.datetime(2022, 3, 1), *ROW[12:]]  # started in March, reports February
    with pytest.raises(GazetteError) as e:
        spreadsheets.import_projects(_xlsx([early]), key="m", actor="o", on=dt.date(2022, 1, 1))
    (err,) = e.value.details["errors"]
    assert (err["row"], err["column"], err["code"]) == (2, "2022-02", "month_before_start")
    assert _count(SupProject) == 0
