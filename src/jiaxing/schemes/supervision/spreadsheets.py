"""The spreadsheets units actually use: project lists (项目表) with monthly investment, and progress
reports (任务进展表) — XLSX through openpyxl, validated row by row; CSV and XLSX exports.

Import rules: the header row is row 1; a missing required column, a merged cell or any bad row
rejects the whole file — every problem is reported with its row and column, and nothing is written
(all rows are validated first, then written in one transaction; a domain refusal while writing
rolls everything back and names its row).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter

from gazette import validate
from gazette.errors import GazetteError, InvalidInput
from gazette.schemes.handler import execute
from jiaxing.schemes.supervision import (
    handlers,  # noqa: F401  (registers the handlers)
    validation,
)
from jiaxing.schemes.supervision.commands import ImportProjects, ReportProgress

PROJECT_COLUMNS = {  # header → field; required unless listed in OPTIONAL
    "项目代码": "id", "项目名称": "name", "类别": "category", "层级": "level", "地区": "district",
    "业主单位": "owner_unit", "总投资（万元）": "total_wan", "年度计划投资（万元）": "annual_plan_wan",
    "计划开工日期": "planned_start", "新建/续建": "is_new", "项目库": "library", "开工日期": "started_on",
}
PROJECT_OPTIONAL = {"计划开工日期", "项目库", "开工日期"}
REPORT_COLUMNS = {"任务编号": "task_id", "填报单位": "unit", "状态": "status", "完成百分比": "percent",
                  "实际值": "actual", "进展说明": "evidence", "填报日期": "reported_on"}
REPORT_OPTIONAL = {"实际值", "进展说明", "填报单位"}
_MONTH = re.compile(r"^(\d{4}-\d{2})(?:（万元）)?$")
MAX_ROWS = 20000
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


class SpreadsheetRejected(InvalidInput):
    def __init__(self, errors: list[dict[str, Any]]):
        first = errors[0]
        where = f"第 {first['row']} 行" if first.get("row") else ""
        super().__init__(f"表格有 {len(errors)} 处错误，未写入任何数据；{where}{first['column'] or ''}：{first['message_zh']}",
                         f"the spreadsheet has {len(errors)} error(s); nothing was written. First: row "
                         f"{first.get('row')}, column {first.get('column')}: {first['message_en']}",
                         field=first.get("column"), code="spreadsheet_rejected")
        self.details = {"errors": errors[:200]}


def _err(row: int | None, column: str | None, e: GazetteError | None = None, zh: str = "", en: str = "",
         code: str = "invalid") -> dict[str, Any]:
    if e is not None:
        zh, en, code = e.message_zh, e.message_en, e.code
    return {"row": row, "column": column, "code": code, "message_zh": zh, "message_en": en}


def _sheet(data: bytes):
    try:
        wb = load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same answer
        raise SpreadsheetRejected([_err(None, None, zh="不是有效的 XLSX 文件", en="not a readable XLSX file",
                                        code="not_xlsx")]) from None
    ws = wb.worksheets[0]
    if ws.max_row > MAX_ROWS + 1:
        raise SpreadsheetRejected([_err(None, None, zh=f"行数超过 {MAX_ROWS}", en=f"more than {MAX_ROWS} rows",
                                        code="too_many_rows")])
    return ws


def _read(ws, columns: dict[str, str], optional: set[str], *, extra=None
          ) -> tuple[list[tuple[int, dict[str, Any], dict[str, Any]]], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    for rng in ws.merged_cells.ranges:
        errors.append(_err(rng.min_row, str(rng), zh=f"不支持合并单元格（{rng}），请取消合并后重新导入",
                           en=f"merged cells ({rng}) are not supported: unmerge them", code="merged_cells"))
    rows = ws.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    index = {h: i for i, h in enumerate(header) if h}
    for h in columns:
        if h not in index and h not in optional:
            errors.append(_err(1, h, zh=f"缺少必填列：{h}", en=f"missing column: {h}", code="missing_column"))
    extras = {h: i for h, i in index.items() if extra and extra(h)}
    out = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        raw = {columns[h]: values[i] if i < len(values) else None for h, i in index.items() if h in columns}
        more = {h: values[i] if i < len(values) else None for h, i in extras.items()}
        out.append((n, raw, more))
    return out, errors


def _cell_date(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date()
    return v


def import_projects(data: bytes, *, key: str, actor: str, on: dt.date) -> dict[str, Any]:
    ws = _sheet(data)
    header_of = {v: k for k, v in PROJECT_COLUMNS.items()}
    rows, errors = _read(ws, PROJECT_COLUMNS, PROJECT_OPTIONAL, extra=lambda h: bool(_MONTH.match(h)))
    good, seen = [], {}
    for n, raw, months in rows:
        raw = {k: _cell_date(v) for k, v in raw.items()}
        raw["on"] = on
        try:
            fields = validation.project(raw)
        except GazetteError as e:
            errors.append(_err(n, header_of.get(e.field or "", e.field), e))
            continue
        if fields["id"] in seen:
            errors.append(_err(n, "项目代码", zh=f"项目代码与第 {seen[fields['id']]} 行重复",
                               en=f"duplicate project code (row {seen[fields['id']]})", code="duplicate_id"))
            continue
        seen[fields["id"]] = n
        started = raw.get("started_on")
        try:
            started = validate.date(started, "started_on") if started not in (None, "") else None
            if started is not None and started < fields["on"]:
                fields["on"] = started  # registered no later than it started
            reported = {}
            for h, v in months.items():
                if v in (None, ""):
                    continue
                reported[_MONTH.match(h).group(1)] = validation.wan(v, h)
        except GazetteError as e:
            errors.append(_err(n, header_of.get(e.field or "", e.field), e))
            continue
        if reported and started is None and fields["library"] != "construction":
            errors.append(_err(n, "开工日期", zh="有月度完成投资的项目须填写开工日期",
                               en="a project with monthly investment needs its start date", code="start_required"))
            continue
        good.append((n, fields, reported, started))
    if errors:
        raise SpreadsheetRejected(sorted(errors, key=lambda e: (e["row"] or 0)))
    cmd = ImportProjects(idempotency_key=key, actor=actor,
                         rows=tuple((n, f, tuple(sorted(r.items())), s.isoformat() if s else None)
                                    for n, f, r, s in good))
    try:
        out = execute(cmd)
    except GazetteError as e:  # e.g. a project code that exists already: the handler names the row
        field = {"id": "项目代码"}.get(e.field or "", header_of.get(e.field or "", e.field))
        raise SpreadsheetRejected([_err(e.details.get("row"), field, e)]) from None
    return {**out.result, "replayed": out.replayed}


def import_reports(data: bytes, *, key: str, actor: str, unit: str | None) -> dict[str, Any]:
    """Progress reports; ``unit`` is a unit reporter's own unit (the 填报单位 column must match or be empty)."""
    from gazette.store.db import unit_of_work

    ws = _sheet(data)
    header_of = {v: k for k, v in REPORT_COLUMNS.items()}
    rows, errors = _read(ws, REPORT_COLUMNS, REPORT_OPTIONAL)
    cmds = []
    for n, raw, _ in rows:
        raw = {k: _cell_date(v) for k, v in raw.items()}
        try:
            row_unit = validation.text(raw.get("unit") or unit, "unit", max_length=200)
            if unit is not None and row_unit != unit:
                raise InvalidInput(f"只能填报本单位（{unit}）的任务", f"you report for {unit} only", field="unit",
                                   code="not_your_unit")
            cmds.append((n, ReportProgress(
                idempotency_key=f"{key}:{n}", actor=actor,
                task_id=validation.text(raw.get("task_id"), "task_id", max_length=200),
                unit=row_unit, status=validation.report_status(raw.get("status")),
                percent=validation.percent(raw.get("percent")),
                reported_on=validate.date(raw.get("reported_on"), "reported_on"),
                actual=validation.decimal_text(raw.get("actual"), "actual"),
                evidence=validation.text(raw.get("evidence"), "evidence", max_length=2000, required=False))))
        except GazetteError as e:
            errors.append(_err(n, header_of.get(e.field or "", e.field), e))
    if errors:
        raise SpreadsheetRejected(errors)
    with unit_of_work() as s:  # one transaction: a refusal at any row rolls back every row
        for n, cmd in cmds:
            try:
                execute(cmd, s)
            except GazetteError as e:
                raise SpreadsheetRejected([_err(n, header_of.get(e.field or "", e.field), e)]) from None
    return {"reports": len(cmds)}


# ------------------------------------------------------------------------------ exports


def safe_cell(v: Any) -> Any:
    """A cell that a spreadsheet will not run as a formula: text starting with = + - @ tab CR gets a quote."""
    if isinstance(v, str) and v.startswith(_DANGEROUS):
        return "'" + v
    return v


def to_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO()
    buf.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese correctly
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([safe_cell(h) for h in header])
    for r in rows:
        w.writerow(["" if v is None else safe_cell(v) for v in r])
    return buf.getvalue().encode("utf-8")


def to_xlsx(header: list[str], rows: list[list[Any]], title: str = "Sheet1") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for r in rows:
        ws.append([safe_cell(v) for v in r])
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(str(h)) * 2 + 2))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


TASK_HEADER = ["任务编号", "文号", "条款", "任务内容", "责任单位", "完成期限", "目标", "状态", "最近填报日期", "完成百分比"]
LIGHT_HEADER = ["项目代码", "项目名称", "地区", "类别", "年度计划投资（万元）", "累计完成（万元）", "完成率（%）", "亮灯", "条款"]


def task_rows(register: list[dict[str, Any]]) -> list[list[Any]]:
    from jiaxing.schemes.supervision.status import LABELS

    return [[r["id"], r["document"], r["clause"], r["text"], "、".join(r["units"]), r["deadline"],
             "；".join(t.get("text") or f"{t['object']}{t['comparison']}{t['value']}{t['unit']}" for t in r["targets"]),
             LABELS[r["status"]], (r["last_report"] or {}).get("reported_on"), (r["last_report"] or {}).get("percent")]
            for r in register]


def light_rows(lights: list[dict[str, Any]]) -> list[list[Any]]:
    from jiaxing.schemes.supervision.lights import LIGHTS

    return [[r["id"], r["name"], r["district"], r["category"], r["annual_plan_wan"], r["completed_wan"], r["rate"],
             LIGHTS[r["light"]], r["clause"]] for r in lights]


def project_template() -> bytes:
    """An empty project sheet with the expected headers (and three months) for units to fill in."""
    return to_xlsx(list(PROJECT_COLUMNS) + ["2022-01", "2022-02", "2022-03"], [], "项目表")
