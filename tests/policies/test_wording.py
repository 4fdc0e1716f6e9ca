"""Rules written once: condition text takes its numbers from the parameters in force, and a condition
several rules share is one named predicate (issue 11)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from gazette.errors import GazetteError
from gazette.rules.engine import get_engine
from gazette.rules.parameters import Scale
from gazette.rules.rule import Builder
from gazette.rules.text_templates import PLACEHOLDER, format_value, money_zh

ENGINE = get_engine()
NEV = "嘉政办发〔2022〕47号"


def _conditions(result: dict) -> dict[str, dict]:
    return {item["id"]: item for item in result["explanation"] if item["kind"] == "condition"}


def _texts(result: dict, kind: str) -> list[tuple[str, str]]:
    return [(item["text_zh"], item["text_en"]) for item in result["explanation"] if item["kind"] == kind]


def _one(situation: dict, on: dt.date, rule_id: str, overrides: dict | None = None) -> dict:
    out = ENGINE.calculate(situation, on, overrides, explain=True, rule_ids={rule_id})
    [result] = out["results"]
    return result


# ---------------------------------------------------------------- formatting by unit


def test_values_are_worded_by_their_unit():
    assert format_value(500_000_000, "currency-CNY") == ("500万元", "5,000,000 yuan")
    assert money_zh(50_000_000_000) == "5亿元" and money_zh(200_000) == "2000元" and money_zh(25) == "0.25元"
    assert format_value(Decimal("0.15"), "/1") == ("15%", "15%")
    assert format_value(Decimal("0.095"), "/1") == ("9.5%", "9.5%")
    assert format_value(1000, "vehicle") == ("1000辆", "1,000 vehicles")
    assert format_value(3, "grade") == ("3级", "grade 3")
    assert format_value(25, "currency-CNY", per="kWh") == ("0.25元/千瓦时", "0.25 yuan/kWh")
    assert format_value("2022-09-16T00:00:00", "datetime", "until") == ("2022年9月15日24时", "2022-09-15 24:00")


# ---------------------------------------------------------------- an override explains itself


COMPANY = {"enterprises": {"e1": {"nev_sales_company": True, "nev_sales_company_new": True,
                                  "nev_fixed_investment_yuan": "5500000",
                                  "nev_sales_units": {"2022": 1100}, "nev_sales_rank": {"2022": 3}}}}
ON = dt.date(2022, 10, 10)


def test_investment_threshold_override_changes_the_condition_text():
    default = _conditions(_one(COMPANY, ON, f"{NEV}#四"))["investment"]
    assert "500万元" in default["text_zh"] and "5,000,000 yuan" in default["text_en"]
    assert default["status"] == "pass"
    what_if = _conditions(_one(COMPANY, ON, f"{NEV}#四", {"nev.new_company.investment_threshold": "6000000"}))
    assert "600万元" in what_if["investment"]["text_zh"] and "500万元" not in what_if["investment"]["text_zh"]
    assert "6,000,000 yuan" in what_if["investment"]["text_en"]
    assert what_if["investment"]["status"] == "fail"  # and the number it shows is the one it applied


def test_sales_units_and_rank_overrides_change_the_condition_text():
    result = _one(COMPANY, ON, f"{NEV}#六", {"nev.sales_top.units_threshold": 1200, "nev.sales_top.rank_all": 8})
    conditions = _conditions(result)
    assert "1200辆" in conditions["units"]["text_zh"] and "1,200 vehicles" in conditions["units"]["text_en"]
    assert "前 8 位" in conditions["rank"]["text_zh"] and conditions["units"]["status"] == "fail"


def test_rate_overrides_change_condition_and_note_text():
    loan = {"loans": {"l1": {"sector": "nev_sales", "relending": True, "annual_rate": "0.045", "interest_yuan": "1000",
                             "date": "2022-10-10"}}}
    result = _one(loan, ON, f"{NEV}#九", {"nev.interest.max_rate": "0.04", "nev.interest.max_share": "0.3"})
    assert _conditions(result)["rate"]["text_zh"] == "年利率不高于4%"
    assert _conditions(result)["rate"]["status"] == "fail"
    assert ("按最高30%计算贴息上限", "the maximum (30%) is computed") in _texts(result, "note")


def test_provident_fund_rate_override_changes_the_condition_text():
    account = {"provident_fund_accounts": {"a1": {"base_yuan": "5000", "rate": "0.11"}}}
    result = _one(account, ON, "嘉公积金〔2022〕9号#第十二条", {"provident_fund.rate.min": "0.12"})
    assert _conditions(result)["rate_min"]["text_zh"] == "缴存比例不低于12%"
    assert _conditions(result)["rate_min"]["text_en"] == "rate at least 12%"


def test_scale_override_changes_the_threshold_in_the_text():
    enterprise = {"enterprises": {"e1": {"software_enterprise": True,
                                         "software_revenue_yuan": {"2021": 18000000, "2022": 21000000}}}}
    rows = [{"threshold": "25000000", "amount": "200000"}, {"threshold": "30000000", "amount": "500000"}]
    result = _one(enterprise, ON, "嘉政办发〔2022〕10号#四.（三）", {"software.revenue.milestones": rows})
    assert _conditions(result)["revenue"]["text_zh"] == "年度软件业务收入达到2500万元"


# ---------------------------------------------------------------- no number typed twice


def _dates(rule) -> list[dt.date]:
    """Dates on which a rule compiles: its first day and, where it ends, its last."""
    return sorted({rule.valid_from, rule.valid_to or rule.valid_from + dt.timedelta(days=400)})


def _compiled_texts():
    for rule in ENGINE.rules:
        for on in _dates(rule):
            for compiled in ENGINE.compile(on)[rule.entity]:
                if compiled.rule is rule and compiled.builder is not None:
                    yield rule, compiled.builder


QUOTED = re.compile(r"“[^”]*”|\"[^\"]*\"|「[^」]*」")  # a quotation of the gazette is its text, not a threshold
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER = re.compile(r"(?<![\w.])(\d[\d,]*(?:\.\d+)?)\s*(万|亿|%)?")


def _literal_numbers(template: str) -> list[tuple[Decimal, str]]:
    text = DATE.sub("", QUOTED.sub("", PLACEHOLDER.sub("", template)))
    return [(Decimal(m.group(1).replace(",", "")), m.group(2) or "") for m in NUMBER.finditer(text)]


def _forbidden(builder) -> dict[tuple[Decimal, str], str]:
    """(number, suffix) → parameter, for every value of every parameter the rule read, as text would show it."""
    out: dict[tuple[Decimal, str], str] = {}

    def add(value, unit, pid):
        if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
            return
        if unit == "currency-CNY":
            yuan = Decimal(value) / 100
            out[(yuan, "")] = pid
            out[(yuan / 10**4, "万")] = pid
            out[(yuan / 10**8, "亿")] = pid
        elif unit == "/1":
            out[(Decimal(value) * 100, "%")] = pid
            out[(Decimal(value), "")] = pid
        else:
            out[(Decimal(value), "")] = pid

    for use in builder.params_used.values():
        parameter = ENGINE.parameter(use.id)
        if isinstance(parameter, Scale):
            for threshold, amount in use.value:
                add(threshold, parameter.threshold_unit, use.id)
                add(amount, parameter.amount_unit, use.id)
        elif isinstance(use.value, list):
            for item in use.value:
                add(item, parameter.unit, use.id)
        else:
            add(use.value, parameter.unit, use.id)
    return out


def test_no_rule_types_a_parameter_value_into_its_text():
    typed = []
    for rule, builder in _compiled_texts():
        forbidden = _forbidden(builder)
        for wording in builder.texts:
            if wording.id == "validity":  # the engine's own window condition: dates, no parameter
                continue
            for template in (wording.template_zh, wording.template_en):
                for number, suffix in _literal_numbers(template):
                    if (number.normalize(), suffix) in {(n.normalize(), s) for n, s in forbidden}:
                        typed.append((rule.id, wording.kind, wording.id, template, str(number) + suffix))
    assert not typed, f"numbers typed into rule text instead of placeholders: {sorted(set(typed))}"


def test_the_scan_finds_a_typed_threshold():
    class Builder:
        params_used = {"nev.new_company.investment_threshold": type("Use", (), {
            "id": "nev.new_company.investment_threshold", "value": 500_000_000})()}

    forbidden = {(n.normalize(), s) for n, s in _forbidden(Builder)}
    assert (Decimal(500), "万") in {(n.normalize(), s) for n, s in _literal_numbers("固定资产投资额 500万元以上")}
    assert {(n.normalize(), s) for n, s in _literal_numbers("投资额 500 万元")} & forbidden
    assert {(n.normalize(), s) for n, s in _literal_numbers("≥ 5,000,000")} & forbidden
    assert not {(n.normalize(), s) for n, s in _literal_numbers("{new_company.investment_threshold}以上")} & forbidden


# ---------------------------------------------------------------- shared predicates


def test_no_condition_or_note_text_is_defined_twice():
    """A condition (or note) two rules share must be one predicate (r.check) or shared note (r.shared_note),
    not the same words typed twice."""
    by_text: dict[str, set[tuple[str, str | None]]] = {}
    for rule, builder in _compiled_texts():
        for wording in builder.texts:
            if wording.kind not in ("condition", "note") or wording.id == "validity":  # the engine's own window
                continue
            for template in (wording.template_zh, wording.template_en):
                by_text.setdefault(template, set()).add((rule.id, wording.predicate))
    typed_twice = {text: sorted(uses, key=str) for text, uses in by_text.items()
                   if len({rule_id for rule_id, _ in uses}) > 1 and any(p is None for _, p in uses)}
    assert not typed_twice, f"the same condition or note written separately in several rules: {typed_twice}"


@pytest.mark.parametrize(("rule_id", "predicate"), [
    (f"{NEV}#四", "new_company"), (f"{NEV}#四/scale", "new_company"), (f"{NEV}#二", "nev_sales_company"),
    (f"{NEV}#六", "nev_sales_company"), ("嘉政办发〔2022〕10号#四.（五）", "software_enterprise"),
    ("嘉政发〔2022〕21号#一.（二）/funding", "covered"),
])
def test_shared_predicates_are_marked_in_the_compiled_rule(rule_id, predicate):
    rule = ENGINE.rules_by_id[rule_id]
    [compiled] = [c for c in ENGINE.compile(rule.valid_from)[rule.entity] if c.rule is rule]
    assert predicate in [c.predicate for c in compiled.conditions]


def test_every_placeholder_is_filled_and_the_pack_uses_them():
    texts = [(rule.id, wording) for rule, builder in _compiled_texts() for wording in builder.texts]
    left = [(rule_id, w.zh, w.en) for rule_id, w in texts if PLACEHOLDER.search(w.zh) or PLACEHOLDER.search(w.en)]
    assert not left, f"placeholders left in rendered text: {left}"
    templated = {(rule_id, w.template_zh) for rule_id, w in texts if PLACEHOLDER.search(w.template_zh)}
    assert len(templated) >= 30  # the pack's thresholds are written as placeholders, not typed


def test_a_placeholder_naming_no_parameter_is_refused():
    rule = ENGINE.rules_by_id[f"{NEV}#四"]
    builder = Builder(rule, ON, ENGINE.params, {}, ENGINE.entities[rule.entity], ENGINE.entities)
    assert builder.words("note", None, "门槛{new_company.investment_threshold}", "at {new_company.investment_threshold}") \
        == ("门槛500万元", "at 5,000,000 yuan")
    with pytest.raises(GazetteError) as refused:
        builder.words("note", None, "门槛{new_company.no_such_threshold}", "x")
    assert refused.value.code == "parameter_not_found"
