"""What a person typed → canonical values for the supervision commands (one validator per field,
shared by the CLI, the API, the pages and the spreadsheet import). Each error names its field."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from gazette import validate
from gazette.errors import InvalidInput
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.supervision.projects import CATEGORIES, LEVELS, LIBRARIES
from jiaxing.schemes.supervision.status import ReportStatus

REPORT_STATUSES = {ReportStatus.IN_PROGRESS: "推进中 In progress", ReportStatus.DONE: "已完成 Done",
                   ReportStatus.BLOCKED: "受阻 Blocked"}
_STATUS_ALIASES = {"推进中": ReportStatus.IN_PROGRESS, "进行中": ReportStatus.IN_PROGRESS, "已完成": ReportStatus.DONE,
                   "完成": ReportStatus.DONE, "受阻": ReportStatus.BLOCKED}
_LEVEL_ALIASES = {"国家": "national", "国家重大项目": "national", "省": "provincial", "省4+1": "provincial",
                  "省“4+1”": "provincial", "市": "city", "市551": "city", "市“551”": "city", "清单": "list",
                  "扩投资清单": "list"}
_LIBRARY_ALIASES = {"储备库": "reserve", "新建库": "new", "在建库": "construction"}
_YES = {"true", "1", "yes", "y", "是", "新建"}
_NO = {"false", "0", "no", "n", "否", "续建"}
MAX_WAN = 10**9  # 10万亿元 in 万元: more is never one project


def _fold(value: object) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip()


def text(value: object, field: str, *, max_length: int, required: bool = True) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidInput("必填", "required", field=field, code="required")
        return None
    if not isinstance(value, str | int):
        raise InvalidInput("应为文本", "must be text", field=field, code="invalid_text")
    out = str(value).strip()
    if len(out) > max_length or any(unicodedata.category(c) == "Cc" and c not in "\n" for c in out):
        raise InvalidInput(f"不超过 {max_length} 个字符且不含控制字符",
                           f"at most {max_length} characters, no control characters", field=field, code="invalid_text")
    return out


def percent(value: object, field: str = "percent") -> int:
    try:
        return validate.integer(value, field, minimum=0, maximum=100)
    except InvalidInput as e:
        if e.code == "out_of_range":
            raise InvalidInput("完成百分比应在 0 至 100 之间", "percent must be between 0 and 100", field=field,
                               code="percent_out_of_range") from None
        raise


def report_status(value: object, field: str = "status") -> ReportStatus:
    s = _fold(value or "")
    s = _STATUS_ALIASES.get(s, s)
    if s not in REPORT_STATUSES:
        raise InvalidInput("状态应为 in_progress、done 或 blocked", "status must be in_progress, done or blocked",
                           field=field, code="invalid_status")
    return ReportStatus(s)


def decimal_text(value: object, field: str) -> str | None:
    """An indicator's actual value as an exact decimal string (no float, no exponent)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidInput("请以数字字符串填写", "give the value as a decimal string", field=field, code="invalid_number")
    t = _fold(value).replace(",", "").rstrip("%")
    if not re.fullmatch(r"-?\d{1,15}(?:\.\d{1,6})?", t):
        raise InvalidInput("数值格式不正确", "not a plain decimal number", field=field, code="invalid_number")
    try:
        return str(Decimal(t))
    except InvalidOperation:  # pragma: no cover - the pattern rules it out
        raise InvalidInput("数值格式不正确", "not a plain decimal number", field=field, code="invalid_number") from None


def wan(value: object, field: str) -> int:
    """An amount in 万元, a whole number (the plan's spreadsheets give 万元 without decimals)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet cell holding 1200.0
    return validate.integer(value, field, minimum=0, maximum=MAX_WAN)


def boolean(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    s = _fold(value or "").lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise InvalidInput("应为 是/否（新建/续建）", "must be yes/no (new/continuing)", field=field, code="invalid_boolean")


def project(raw: dict[str, Any], *, on: dt.date | None = None) -> dict[str, Any]:
    """Project fields → canonical values (the spreadsheet import and the API use this)."""
    category = _fold(raw.get("category") or "").removesuffix("类")
    if category not in CATEGORIES:
        raise InvalidInput(f"类别应为 {'、'.join(CATEGORIES)} 之一", "unknown category", field="category",
                           code="invalid_category")
    level = _fold(raw.get("level") or "")
    level = _LEVEL_ALIASES.get(level, level)
    if level not in LEVELS:
        raise InvalidInput("层级应为 national、provincial、city 或 list", "unknown level", field="level",
                           code="invalid_level")
    district = _fold(raw.get("district") or "")
    if district not in DISTRICTS:
        raise InvalidInput(f"地区应为 {'、'.join(DISTRICTS)} 之一", "unknown district", field="district",
                           code="invalid_district")
    library = _fold(raw.get("library") or "reserve")
    library = _LIBRARY_ALIASES.get(library, library)
    if library not in LIBRARIES:
        raise InvalidInput("项目库应为 储备库、新建库 或 在建库", "unknown library", field="library", code="invalid_library")
    total = wan(raw.get("total_wan"), "total_wan")
    annual = wan(raw.get("annual_plan_wan"), "annual_plan_wan")
    if annual > total:
        raise InvalidInput("年度计划投资不能大于总投资", "the annual plan cannot exceed the total investment",
                           field="annual_plan_wan", code="annual_over_total")
    planned = raw.get("planned_start")
    pid = text(raw.get("id"), "id", max_length=40)
    if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z_\-]*", pid or ""):
        raise InvalidInput("项目代码只能含字母、数字、- 和 _", "a project code has letters, digits, - and _ only",
                           field="id", code="invalid_project_id")
    return {"id": pid, "name": text(raw.get("name"), "name", max_length=300), "category": category, "level": level,
            "district": district, "owner_unit": text(raw.get("owner_unit"), "owner_unit", max_length=200),
            "total_wan": total, "annual_plan_wan": annual,
            "planned_start": validate.date(planned, "planned_start") if planned not in (None, "") else None,
            "is_new": boolean(raw.get("is_new", True), "is_new"), "library": library,
            "on": validate.date(raw.get("on") or on or dt.date.today(), "on")}
