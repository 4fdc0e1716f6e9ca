"""Uploaded tables (CSV or XLSX) read into rows of text, and rows checked one by one.

One reader for every scheme's roster or list import, so that every upload gets the same answers: an
unreadable file, a missing column or too many rows is refused as a whole (bilingual, ``field="file"``);
a bad row is reported with its row number as in the file (the header is row 1) and the column at fault.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from gazette.errors import InvalidInput


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):  # a spreadsheet's date cell: the date, as a clerk typed it
        return value.date().isoformat()
    return str(value).strip()


def read_table(data: bytes, filename: str, *, required: Sequence[str], max_rows: int,
               aliases: Mapping[str, str] | None = None, noun: tuple[str, str] = ("文件", "file"),
               unreadable_code: str = "bad_file") -> list[dict[str, str]]:
    """The rows of an uploaded table as dicts of stripped text, keyed by the header row's names (each
    mapped through ``aliases``, e.g. 身份证号 → person_id). Wholly blank rows are kept, so that row
    numbers stay those of the file; :func:`check_rows` passes over them. ``noun`` names the file in
    messages (``("花名册", "roster")``)."""
    aliases = aliases or {}

    def column(name: Any) -> str:
        name = _text(name)
        return aliases.get(name, name)

    if filename.lower().endswith(".xlsx"):
        import openpyxl  # only for a workbook: a CSV import need not load it

        try:
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True).active
            cells = sheet.iter_rows(values_only=True)
            header = [column(c) for c in next(cells, ())]
            rows = [{h: _text(v) for h, v in zip(header, r, strict=False)} for r in cells]
        except Exception:  # noqa: BLE001 - any unreadable workbook gets the same answer
            raise InvalidInput("无法读取 XLSX 文件", "the XLSX file cannot be read", field="file",
                               code=unreadable_code) from None
    else:
        try:
            lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        except (UnicodeDecodeError, csv.Error):
            raise InvalidInput("CSV 文件须为 UTF-8 编码的表格", "a CSV file must be UTF-8 text", field="file",
                               code=unreadable_code) from None
        header = [column(h) for h in (lines[0] if lines else [])]
        rows = [{h: _text(v) for h, v in zip(header, r, strict=False)} for r in lines[1:]]
    missing = [c for c in required if c not in header]
    if missing:
        raise InvalidInput(f"{noun[0]}缺少列：{'、'.join(missing)}", f"the {noun[1]} lacks columns: {', '.join(missing)}",
                           field="file", code="missing_columns")
    if len(rows) > max_rows:
        raise InvalidInput(f"一次最多导入 {max_rows} 行", f"at most {max_rows} rows per file", field="file",
                           code="too_many_rows")
    return rows


def check_rows(rows: Sequence[Mapping[str, Any]], clean: Callable[[Mapping[str, Any]], dict[str, Any]], *,
               key: str = "person_id") -> tuple[list[tuple[int, dict[str, Any]]], list[dict[str, Any]]]:
    """Every row through ``clean`` (which raises :class:`InvalidInput` naming the column): the clean rows
    with their row numbers, and one error per bad row — a second row with the same ``key`` is one, naming
    the first. Wholly blank rows are passed over."""
    checked, errors, first_row = [], [], {}
    for number, raw in enumerate(rows, 2):
        if not any(str(v or "").strip() for v in raw.values()):
            continue
        try:
            row = clean(raw)
        except InvalidInput as error:
            errors.append({"row": number, "column": error.field, "code": error.code, "message_zh": error.message_zh,
                           "message_en": error.message_en})
            continue
        if row[key] in first_row:
            errors.append({"row": number, "column": key, "code": "duplicate_row",
                           "message_zh": f"与第 {first_row[row[key]]} 行重复",
                           "message_en": f"repeats row {first_row[row[key]]}"})
            continue
        first_row[row[key]] = number
        checked.append((number, row))
    return checked, errors


def rows_rejected(errors: list[dict[str, Any]], *, noun: tuple[str, str], code: str,
                  details: Mapping[str, Any] | None = None) -> InvalidInput:
    """The one answer to a table with bad rows: nothing imported, how many errors, the first named, and
    (in ``details.errors``) the first thousand of them for the person fixing the file."""
    first = errors[0]
    return InvalidInput(
        f"{noun[0]}有 {len(errors)} 处错误，未导入任何一行（首个：第 {first['row']} 行 {first['column']}："
        f"{first['message_zh']}）",
        f"the {noun[1]} has {len(errors)} error(s); nothing was imported "
        f"(first: row {first['row']} {first['column']}: {first['message_en']})",
        field=f"row {first['row']}.{first['column']}", code=code,
        details={"errors": errors[:1000], **(details or {})})
