"""Budget data import (XLSX / CSV / JSON rows) validated row by row into :class:`checks.BudgetData`.

One table, one row per figure; the ``section`` column says what the row is (English code or its
Chinese name). Every rejected row is reported with its row number (the header is row 1) and
column; if any row is rejected nothing is written (the caller stores only a clean import).

| section | columns used |
|---|---|
| ``revenue`` 收入 | item, amount_yuan |
| ``stabilisation_fund`` 调入预算稳定调节基金 | amount_yuan |
| ``expenditure`` 支出 | department, function_class, amount_yuan |
| ``unit`` 所属单位 | department, item (the unit's name) |
| ``reserve_fund`` 预备费 | amount_yuan, or share_percent of expenditure |
| ``turnover_fund`` 预算周转金 | amount_yuan, approval (the 市政府 approval on record) |
| ``debt`` 债务 | item (general 一般债务 / special 专项债务), amount_yuan (balance), limit_yuan |
| ``transfer`` 转移支付 | district, item (general 一般性 / special 专项), expected_yuan, amount_yuan (advance), on_actuals |
"""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from gazette import validate
from gazette.errors import GazetteError, InvalidInput
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.budget.checks import BudgetData, Transfer

REQUIRED = ("section", "amount_yuan")
OPTIONAL = ("department", "district", "item", "function_class", "expected_yuan", "limit_yuan", "share_percent",
            "on_actuals", "approval")
COLUMNS = REQUIRED + OPTIONAL
SECTIONS = {
    "revenue": "revenue", "收入": "revenue",
    "stabilisation_fund": "stabilisation_fund", "调入预算稳定调节基金": "stabilisation_fund",
    "expenditure": "expenditure", "支出": "expenditure",
    "unit": "unit", "所属单位": "unit",
    "reserve_fund": "reserve_fund", "预备费": "reserve_fund",
    "turnover_fund": "turnover_fund", "预算周转金": "turnover_fund", "周转金": "turnover_fund",
    "debt": "debt", "债务": "debt",
    "transfer": "transfer", "转移支付": "transfer",
}
NEEDS = {
    "revenue": ("item", "amount_yuan"),
    "stabilisation_fund": ("amount_yuan",),
    "expenditure": ("department", "function_class", "amount_yuan"),
    "unit": ("department", "item"),
    "reserve_fund": (),
    "turnover_fund": ("amount_yuan",),
    "debt": ("item", "amount_yuan", "limit_yuan"),
    "transfer": ("district", "item", "expected_yuan", "amount_yuan"),
}
KIND = {"general": "general", "一般债务": "general", "一般性": "general", "一般性转移支付": "general",
        "special": "special", "专项债务": "special", "专项": "special", "专项转移支付": "special"}
YES = {"yes", "true", "1", "是", "y"}
NO = {"no", "false", "0", "否", "n", ""}
MAX_ROWS = 20_000


def read_file(path: Path) -> list[dict[str, Any]]:
    """Rows of a .csv (UTF-8, BOM allowed) or .xlsx (first sheet) file, keyed by the header row."""
    if not path.exists():
        raise InvalidInput(f"文件不存在：{path}", f"file not found: {path}", field="file", code="file_not_found")
    return read_bytes(path.read_bytes(), path.name)


def read_bytes(content: bytes, filename: str) -> list[dict[str, Any]]:
    name = filename.lower()
    if name.endswith(".xlsx"):
        return _xlsx(content)
    if name.endswith(".csv") or name.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("CSV 文件应为 UTF-8 编码", "a CSV file must be UTF-8", field="file",
                               code="invalid_encoding") from None
        reader = csv.reader(io.StringIO(text))
        return _table(list(reader))
    raise InvalidInput("只接受 .xlsx 或 .csv 文件", "only .xlsx or .csv files are accepted", field="file",
                       code="unsupported_file")


def _xlsx(content: bytes) -> list[dict[str, Any]]:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable workbook is one clear error
        raise InvalidInput("无法读取 XLSX 文件", "the XLSX file cannot be read", field="file",
                           code="unreadable_file") from None
    ws = wb.worksheets[0]
    return _table([[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)])


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, float):
        return format(Decimal(repr(v)), "f")  # the number as shown, never through binary arithmetic
    return str(v)


def _table(rows: list[list[str]]) -> list[dict[str, Any]]:
    if not rows:
        raise InvalidInput("文件为空", "the file is empty", field="file", code="empty_file")
    header = [str(h or "").strip() for h in rows[0]]
    out = []
    for r in rows[1:]:
        if not any(str(c or "").strip() for c in r):
            out.append({})  # keep the numbering: a blank line is skipped, not renumbered
            continue
        out.append({h: (str(r[i]).strip() if i < len(r) and r[i] is not None else "") for i, h in enumerate(header) if h})
    return [{"__header__": header}, *out]


def parse(rows: list[dict[str, Any]]) -> BudgetData:
    """Validate every row; raise ``import_rejected`` listing each bad row and column, or return the data."""
    header: list[str] | None = None
    if rows and "__header__" in rows[0]:
        header, rows = rows[0]["__header__"], rows[1:]
    elif rows:
        header = sorted({k for r in rows for k in r})
    missing = [c for c in REQUIRED if header is None or c not in header]
    if missing:
        raise InvalidInput(f"缺少必需的列：{'、'.join(missing)}", f"missing required column(s): {', '.join(missing)}",
                           field=missing[0], code="missing_columns")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"行数超过 {MAX_ROWS}", f"more than {MAX_ROWS} rows", field="file", code="too_many_rows")
    data, errors = BudgetData(), []
    shares: list[tuple[int, Fraction]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        if not row:
            continue
        try:
            row = {str(k): _cell(v) for k, v in row.items()}  # JSON numbers and booleans as their text
            share = _row(data, row, header or [], seen)
            if share is not None:
                shares.append((i, share))
        except GazetteError as exc:
            errors.append({"row": i, "column": exc.field, "code": exc.code, "message_zh": exc.message_zh,
                           "message_en": exc.message_en})
    if not errors and shares:
        _, s = shares[0]
        # the share is of expenditure including the reserve: R = s·(L + R) → R = s·L / (1 − s)
        exact = Fraction(data.lines_fen) * s / (1 - s)
        data.reserve_fen = int((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP))
    if errors:
        raise InvalidInput(f"{len(errors)} 行数据有误，未导入任何数据", f"{len(errors)} row(s) rejected; nothing was imported",
                           field=errors[0]["column"], code="import_rejected", details={"rows": errors})
    return data


def _need(row: dict, header: list[str], column: str) -> str:
    if column not in header:
        raise InvalidInput(f"缺少列：{column}", f"missing column: {column}", field=column, code="missing_column")
    value = str(row.get(column) or "").strip()
    if not value:
        raise InvalidInput(f"{column} 不能为空", f"{column} is required", field=column, code="required")
    return value


def _money(row: dict, header: list[str], column: str) -> int:
    return validate.yuan(_need(row, header, column), column)


def _row(data: BudgetData, row: dict, header: list[str], seen: set[str]) -> Fraction | None:
    raw = str(row.get("section") or "").strip()
    section = SECTIONS.get(raw) or SECTIONS.get(raw.lower())
    if section is None:
        raise InvalidInput(f"未知的 section：{raw or '（空）'}", f"unknown section: {raw or '(blank)'}", field="section",
                           code="unknown_section")
    for column in NEEDS[section]:
        _need(row, header, column)
    if section == "revenue":
        data.revenue.append((validate.text(row["item"], "item", max_length=200), _money(row, header, "amount_yuan")))
    elif section == "stabilisation_fund":
        data.stabilisation_fen += _money(row, header, "amount_yuan")
    elif section == "expenditure":
        dept = validate.text(row["department"], "department", max_length=200)
        data.expenditure.append((dept, validate.text(row["function_class"], "function_class", max_length=200),
                                 _money(row, header, "amount_yuan")))
        data.units.setdefault(dept, [])
    elif section == "unit":
        dept = validate.text(row["department"], "department", max_length=200)
        unit = validate.text(row["item"], "item", max_length=200)
        if unit not in data.units.setdefault(dept, []):
            data.units[dept].append(unit)
    elif section in ("reserve_fund", "turnover_fund"):
        if section in seen:
            raise InvalidInput(f"{raw} 只能有一行", f"only one {section} row", field="section", code="duplicate_row")
        seen.add(section)
        if section == "turnover_fund":
            data.turnover_fen = _money(row, header, "amount_yuan")
            approval = str(row.get("approval") or "").strip()
            data.turnover_approval = validate.text(approval, "approval", max_length=200, min_length=0)
            return None
        amount = str(row.get("amount_yuan") or "").strip()
        share = str(row.get("share_percent") or "").strip() if "share_percent" in header else ""
        if bool(amount) == bool(share):
            raise InvalidInput("预备费应填写金额或占比（二选一）", "give the reserve fund as amount_yuan or share_percent",
                               field="amount_yuan", code="reserve_amount_or_share")
        if amount:
            data.reserve_fen = validate.yuan(amount, "amount_yuan")
            return None
        pct = validate.decimal_number(share.rstrip("%"), "share_percent")
        if pct < 0 or pct >= 100:
            raise InvalidInput("预备费占比应在 0 至 100% 之间（不含 100%）", "the reserve share must be from 0 to below 100%",
                               field="share_percent", code="share_out_of_range")
        return Fraction(pct) / 100
    elif section == "debt":
        kind = _kind(row["item"])
        if kind in data.debt:
            raise InvalidInput("同类债务只能有一行", "one row per kind of debt", field="item", code="duplicate_row")
        data.debt[kind] = (_money(row, header, "amount_yuan"), _money(row, header, "limit_yuan"))
    elif section == "transfer":
        district = str(row["district"]).strip()
        if district not in DISTRICTS:
            raise InvalidInput(f"未知的县（市、区）：{district}", f"unknown district: {district}", field="district",
                               code="unknown_district")
        flag = str(row.get("on_actuals") or "").strip().lower()
        if flag not in YES | NO:
            raise InvalidInput("on_actuals 应为 是/否", "on_actuals must be yes or no", field="on_actuals",
                               code="invalid_flag")
        data.transfers.append(Transfer(district, _kind(row["item"]), _money(row, header, "expected_yuan"),
                                       _money(row, header, "amount_yuan"), flag in YES))
    return None


def _kind(value: str) -> str:
    kind = KIND.get(value.strip()) or KIND.get(value.strip().lower())
    if kind is None:
        raise InvalidInput(f"item 应为 general（一般）或 special（专项）：{value}", f"item must be general or special: {value}",
                           field="item", code="unknown_kind")
    return kind


def to_json(d: BudgetData) -> dict[str, Any]:
    """The stored form of a year's figures (integer fen)."""
    return {"expenditure": [list(x) for x in d.expenditure], "revenue": [list(x) for x in d.revenue],
            "stabilisation_fen": d.stabilisation_fen, "reserve_fen": d.reserve_fen, "turnover_fen": d.turnover_fen,
            "turnover_approval": d.turnover_approval, "debt": {k: list(v) for k, v in d.debt.items()},
            "transfers": [[t.district, t.kind, t.expected_fen, t.advance_fen, t.on_actuals] for t in d.transfers],
            "units": d.units}


def from_json(j: dict[str, Any]) -> BudgetData:
    return BudgetData(expenditure=[tuple(x) for x in j.get("expenditure", [])],
                      revenue=[tuple(x) for x in j.get("revenue", [])],
                      stabilisation_fen=j.get("stabilisation_fen", 0), reserve_fen=j.get("reserve_fen", 0),
                      turnover_fen=j.get("turnover_fen", 0), turnover_approval=j.get("turnover_approval", ""),
                      debt={k: tuple(v) for k, v in j.get("debt", {}).items()},
                      transfers=[Transfer(*t) for t in j.get("transfers", [])], units=j.get("units", {}))


def summary(d: BudgetData) -> dict[str, Any]:
    return {"departments": len(d.departments), "expenditure_fen": d.expenditure_fen, "revenue_fen": d.revenue_fen,
            "reserve_fen": d.reserve_fen, "turnover_fen": d.turnover_fen, "transfers": len(d.transfers)}
