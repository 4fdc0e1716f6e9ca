"""gazette.tables: one reader and one row checker for every scheme's uploaded table."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from gazette import tables, validate
from gazette.errors import InvalidInput

REQUIRED = ("person_id", "name")
ALIASES = {"身份证号": "person_id", "姓名": "name"}
P1, P2 = validate.example_person_id(1), validate.example_person_id(2)


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _clean(raw) -> dict:
    return {"person_id": validate.person_id(raw.get("person_id")), "name": validate.text(raw.get("name"), "name", max_length=100)}


def test_csv_with_bom_and_chinese_headers_keeps_the_file_row_numbers():
    data = f"\ufeff身份证号,姓名,extra\n{P1}, 张三 ,x\n,,\n{P2},李四\n".encode()
    rows = tables.read_table(data, "r.csv", required=REQUIRED, max_rows=10, aliases=ALIASES)
    assert rows[0] == {"person_id": P1, "name": "张三", "extra": "x"} and rows[1] == {"person_id": "", "name": "",
                                                                                    "extra": ""}
    checked, errors = tables.check_rows(rows, _clean)
    assert errors == [] and [number for number, _ in checked] == [2, 4]  # the blank row 3 is passed over


def test_xlsx_date_cells_read_as_dates():
    data = _xlsx([("身份证号", "姓名", "since"), (P1, "张三", dt.datetime(2022, 3, 1)), (None, None, None)])
    rows = tables.read_table(data, "r.XLSX", required=REQUIRED, max_rows=10, aliases=ALIASES)
    assert rows[0] == {"person_id": P1, "name": "张三", "since": "2022-03-01"}


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"not a workbook", "r.xlsx", "bad_upload"),
    ("身份证号,姓名\n".encode("gb18030") + "张三".encode("gb18030"), "r.csv", "bad_upload"),
    (b"person_id\n1\n", "r.csv", "missing_columns"),
    (("person_id,name\n" + "x,y\n" * 4).encode(), "r.csv", "too_many_rows"),
])
def test_a_bad_file_is_refused_whole(data, name, code):
    with pytest.raises(InvalidInput) as error:
        tables.read_table(data, name, required=REQUIRED, max_rows=3, noun=("花名册", "roster"),
                          unreadable_code="bad_upload")
    assert error.value.code == code and error.value.field == "file"
    if code == "missing_columns":
        assert "花名册缺少列：name" in error.value.message_zh and "roster lacks columns: name" in error.value.message_en


def test_bad_and_repeated_rows_are_reported_with_their_row_and_column():
    rows = [{"person_id": P1, "name": "张三"}, {"person_id": "123", "name": "x"}, {"person_id": P1, "name": "又一个"}]
    checked, errors = tables.check_rows(rows, _clean)
    assert [number for number, _ in checked] == [2]
    assert [(e["row"], e["column"], e["code"]) for e in errors] == [(3, "person_id", errors[0]["code"]),
                                                                   (4, "person_id", "duplicate_row")]
    assert errors[1]["message_zh"] == "与第 2 行重复" and errors[1]["message_en"] == "repeats row 2"
    rejected = tables.rows_rejected(errors, noun=("名单", "list"), code="list_rejected", details={"clause": "c"})
    assert rejected.code == "list_rejected" and rejected.field == "row 3.person_id"
    assert "名单有 2 处错误" in rejected.message_zh and "the list has 2 error(s)" in rejected.message_en
    assert rejected.details == {"errors": errors, "clause": "c"}
