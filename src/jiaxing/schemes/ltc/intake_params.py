"""The numbers and the scale the intake half reads, each dated and cited.

* funding (一.（二）: 120 yuan a person a year = 30 personal + 90 employee pool or fiscal subsidy) is read
  from the policy folder (src/jiaxing/policies/ltc/parameters.yaml), never copied;
* targets, expert rules and the dementia pilot from ``intake_parameters.yaml`` beside this file;
* the scoring scale and the discovery rules from ``intake_scale_demo.yaml`` — a DEMO the operator
  replaces (the gazette prints no scale).
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path
from typing import Any

from gazette.errors import GazetteError, InvalidInput
from gazette.rules.parameters import load_parameter_file, load_yaml

HERE = Path(__file__).resolve().parent
POLICY = HERE.parents[1] / "policies" / "ltc" / "parameters.yaml"
OWN = HERE / "intake_parameters.yaml"
SCALE_FILE = HERE / "intake_scale_demo.yaml"
DOC = "嘉政发〔2022〕21号"
FUNDING_CLAUSE = f"{DOC}#一.（二）"
ENROL_CLAUSE = f"{DOC}#三.（一）.1"
GRADES_CLAUSE = f"{DOC}#三.（一）.2"
DISCOVERY_CLAUSE = f"{DOC}#三.（三）.8"
CHANNELS_CLAUSE = f"{DOC}#三.（三）.9"
SHARED_CLAUSE = f"{DOC}#三.（三）.10"
DASHBOARD_CLAUSE = f"{DOC}#三.（四）.11"
TARGETS_CLAUSE = f"{DOC}#二"
BOOK = "ltc_funding"
PILOT_DISTRICT = "嘉善县"  # 三.（一）.2 "以嘉善县为试点…失智专区"
GRADE_ZH = {"severe_1": "重度失能一级", "severe_2": "重度失能二级", "severe_3": "重度失能三级",
            "severe_dementia": "重度失智"}
TITLE_ZH = {"junior": "初级", "intermediate": "中级", "associate_senior": "副高级", "senior": "正高级"}
TITLE_RANK = {"junior": 0, "intermediate": 1, "associate_senior": 2, "senior": 3}
SCHEME_ZH = {"employee": "职工医保", "resident": "城乡居民医保"}
SOURCE_ZH = {"personal": "个人缴费", "employee_pool": "职工医保统筹基金划转", "fiscal": "城乡居民医保财政补助"}


class NotCovered(InvalidInput):
    """A date outside what the gazette covers: "not covered", never "ineligible"."""

    def __init__(self, what: str, on: dt.date, field: str = "date"):
        super().__init__(f"{on} 不在公报所载{what}的适用期内", f"{on} is outside the period the gazette covers "
                         f"for {what}", field=field, code="not_covered")


@functools.cache
def _policy() -> dict:
    return load_parameter_file(POLICY, "ltc")


@functools.cache
def _own() -> dict:
    return load_parameter_file(OWN, "ltc_intake")


def value(name: str, on: dt.date) -> Any:
    """``ltc_intake.<name>`` in force on ``on`` (a date before the parameter exists is not covered)."""
    try:
        return _own()[f"ltc_intake.{name}"].value_at(on)[0]
    except GazetteError:
        raise NotCovered(name, on) from None


def funding_fen(year: int) -> tuple[int, int, int]:
    """(total, personal, other) in fen a person for ``year`` — read on 1 January (or 2017-06-01 in 2017)."""
    on = max(dt.date(year, 1, 1), dt.date(2017, 6, 1))
    p = _policy()
    try:
        total, personal, other = (int(p[f"ltc.funding.{k}"].at(on)[0]) for k in ("total", "personal", "other"))
    except GazetteError:
        raise NotCovered("长护险筹资标准", on, "year") from None
    if personal + other != total:  # the gazette's own arithmetic: 30 + 90 = 120
        raise ValueError(f"funding parts {personal} + {other} != {total}")
    return total, personal, other


def dementia_allowed(district: str, dementia_unit: bool, on: dt.date) -> bool:
    """重度失智 is paid in the pilot (嘉善县, a designated institution's 失智专区) or once extended citywide."""
    return bool(value("dementia.citywide", on)) or (district == PILOT_DISTRICT and dementia_unit)


@functools.cache
def _scales() -> dict:
    return load_yaml(SCALE_FILE)


def scale_on(on: dt.date) -> dict:
    """The scale version in force on ``on``."""
    for v in sorted(_scales()["versions"], key=lambda v: v["valid_from"], reverse=True):
        start = v["valid_from"] if isinstance(v["valid_from"], dt.date) else dt.date.fromisoformat(v["valid_from"])
        end = v.get("valid_to")
        if start <= on and (end is None or on <= (end if isinstance(end, dt.date) else dt.date.fromisoformat(end))):
            return v
    raise NotCovered("失能等级评估量表", on)


def scale_version(version: str) -> dict:
    for v in _scales()["versions"]:
        if v["version"] == version:
            return v
    raise InvalidInput(f"未知的量表版本：{version}", f"unknown scale version: {version}", field="scale_version")


def discovery_rules() -> dict:
    return _scales()["discovery"]


def check_items(scale: dict, raw: Any, field: str = "items") -> dict[str, int]:
    """Every item of the scale scored once, each a whole number within 0..max; anything else refused by name."""
    if not isinstance(raw, dict):
        raise InvalidInput("评分应为“项目: 分值”的对应表", "scores must map item codes to points", field=field)
    items = {i["code"]: i for i in scale["items"]}
    unknown = [k for k in raw if k not in items]
    if unknown:
        raise InvalidInput(f"量表 {scale['version']} 中没有这些项目：{'、'.join(map(str, unknown))}",
                           f"not items of scale {scale['version']}: {', '.join(map(str, unknown))}",
                           field=f"{field}.{unknown[0]}", code="unknown_item")
    out = {}
    for code, item in items.items():
        if code not in raw or raw[code] in (None, ""):
            raise InvalidInput(f"缺少评分项目：{item['name']}", f"item missing: {code}", field=f"{field}.{code}",
                               code="missing_item")
        v = raw[code]
        try:
            n = int(str(v).strip()) if not isinstance(v, bool) else None
        except ValueError:
            n = None
        if n is None or str(v).strip() != str(n) or not 0 <= n <= item["max"]:
            raise InvalidInput(f"“{item['name']}”的分值应为 0–{item['max']} 的整数（收到 {v}）",
                               f"{code} must be a whole number 0-{item['max']} (got {v})", field=f"{field}.{code}",
                               code="score_out_of_scale")
        out[code] = n
    return out


def totals(scale: dict, items: dict[str, int]) -> tuple[int, int]:
    """(daily-living total, social total)."""
    adl = sum(v for k, v in items.items() if _group(scale, k) == "adl")
    return adl, sum(items.values()) - adl


def _group(scale: dict, code: str) -> str:
    return next(i["group"] for i in scale["items"] if i["code"] == code)


def grade(scale: dict, adl: int, social: int) -> tuple[str | None, list[str]]:
    """The grade the scale gives for the two sub-totals, and the reasons in words (before the pilot rule)."""
    for band in scale["grades"]:
        if adl <= band["max_adl"]:
            return band["grade"], [f"日常生活活动得分 {adl} 分（≤ {band['max_adl']}），评定为{GRADE_ZH[band['grade']]}"]
    if social <= scale["dementia_max_social"]:
        return "severe_dementia", [f"日常生活活动得分 {adl} 分，未达重度失能；精神症状（攻击行为、抑郁症状、强迫行为、财物管理）"
                                   f"得分 {social} 分（≤ {scale['dementia_max_social']}），符合重度失智"]
    worst = scale["grades"][-1]["max_adl"]
    return None, [f"日常生活活动得分 {adl} 分（> {worst}），精神症状得分 {social} 分，未达到重度失能或重度失智"]
