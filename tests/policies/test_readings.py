"""Readings of #9 that the YAML cases cannot state: details in the explanation."""

from __future__ import annotations

import datetime as dt

from gazette.rules.engine import get_engine

LTC = "嘉政发〔2022〕21号#一.（二）"


def _ltc(person: dict, on: dt.date) -> dict:
    out = get_engine().calculate({"persons": {"p1": person}}, on, explain=True, rule_ids={LTC})
    return out["results"][0]


def _detail(res: dict, did: str):
    return next(i["value"] for i in res["explanation"] if i["kind"] == "detail" and i["id"] == did)


def test_ltc_family_pays_everything_when_not_eligible():
    res = _ltc({"ltc_severe_disability": False, "ltc_care_type": "home", "ltc_monthly_care_cost_yuan": "1000"},
               dt.date(2022, 10, 31))
    assert res["status"] == "ineligible"
    assert _detail(res, "personal") == "1000.00"


def test_ltc_family_share_when_eligible_and_unknown():
    ok = _ltc({"ltc_severe_disability": True, "ltc_care_type": "home", "ltc_monthly_care_cost_yuan": "1000"},
              dt.date(2022, 10, 31))
    assert ok["amount_yuan"] == "800.00" and _detail(ok, "personal") == "200.00"
    unsure = _ltc({"ltc_care_type": "home", "ltc_monthly_care_cost_yuan": "1000"}, dt.date(2022, 10, 31))
    assert unsure["status"] == "unknown" and _detail(unsure, "personal") is None


def test_ltc_after_the_plan_is_unknown_not_ineligible():
    res = _ltc({"ltc_severe_disability": True, "ltc_care_type": "home", "ltc_monthly_care_cost_yuan": "1000"},
               dt.date(2025, 3, 1))
    assert res["status"] == "unknown"
    assert any(i["kind"] == "note" and "不在本库收录的公报" in i["text_zh"] for i in res["explanation"])
