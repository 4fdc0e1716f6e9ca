"""The finder's answers → situations → the rules engine (in-process) → results ready for the page.

Each topic is evaluated on its own date (a purchase on its purchase date), over the rules that topic
concerns, with the engine's explanation: conditions ✓ / ✗ / ?, the tier, parameters with their
dates and clauses, the nearest value that would change the answer.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from gazette.errors import GazetteError, Unavailable
from gazette.packs import load_pack
from gazette.rules.engine import get_engine
from gazette.rules.money import yuan_to_fen

log = logging.getLogger(__name__)

V47, V46, V10 = "嘉政办发〔2022〕47号", "嘉政办发〔2022〕46号", "嘉政办发〔2022〕10号"
PF, LTC, PEN = "嘉公积金〔2022〕9号", "嘉政发〔2022〕21号#一.（二）", "嘉人社〔2022〕60号"
S3, S4, S5 = f"{V10}#四.（三）", f"{V10}#四.（四）", f"{V10}#四.（五）"

STATUS_SYMBOL = {"pass": "✓", "fail": "✗", "unknown": "?"}
STATUS_WORD = {"pass": "符合 pass", "fail": "不符合 fail", "unknown": "未知 unknown"}


CHARGING_OFFLINE = (
    "本平台暂不受理充电设施补贴申请：请向市发展改革委、嘉兴电力局或所在县（市、区）政府申请（47号八的责任单位）",
    "this service does not take charging-subsidy applications: apply to the city Development and Reform "
    "Commission, Jiaxing Electric Power or your district government (the units responsible under 47号 item 8)")


def clause_of(rule_id: str) -> str:
    """A rule id → the clause it implements (``…#八/personal_pile`` → ``…#八``)."""
    doc, _, path = rule_id.partition("#")
    return f"{doc}#{path.split('/', 1)[0]}" if path else doc


@dataclass
class Calc:
    """One engine run: a topic's situation on its date over its rules."""

    topic: str
    title_zh: str
    title_en: str
    on: dt.date
    on_reason_zh: str
    on_reason_en: str
    situation: dict[str, Any]
    rules: list[str]
    claim: dict[str, str] = field(default_factory=dict)  # rule id → claim href
    offline: dict[str, tuple[str, str]] = field(default_factory=dict)  # rule id → where to apply (no online flow)
    results: list[dict] = field(default_factory=list)
    error: GazetteError | None = None


def _y(d: Decimal | None) -> str | None:
    return None if d is None else str(d)


def _put(facts: dict, key: str, value: Any) -> None:
    if value is not None:
        facts[key] = value


def build_calcs(c: dict[str, Any], today: dt.date) -> list[Calc]:
    who = c["who"]
    on = c.get("on")
    calcs: list[Calc] = []
    if who == "citizen":
        topics = c.get("buy", [])
        person: dict[str, Any] = {}
        _put(person, "district", c.get("district"))
        if "nev" in topics:
            d = c["nev_date"]
            dist = c["district"]
            p = dict(person)
            p.setdefault("district", dist)
            car: dict[str, Any] = {"buyer": "p1", "price_yuan": _y(c["nev_price"]), "date": d.isoformat(), "district": dist}
            _put(car, "new_energy", c.get("nev_ne"))  # not sure → unknown (? 需确认), never a default of yes
            sit: dict[str, Any] = {"persons": {"p1": p}, "vehicle_purchases": {"c1": car}}
            rules = [f"{V47}#一", f"{V47}#九/down_payment"]
            if c.get("nev_pile") is not None:
                sit["charging_facilities"] = {"f1": {"owner": "p1", "district": dist, "facility_type": "personal_pile",
                                                     "with_nev_purchase": c["nev_pile"], "build_date": d.isoformat()}}
                rules.append(f"{V47}#八/personal_pile")
            claim = "/me/vouchers?" + urlencode({"programme": "nev", "district": dist, "price": _y(c["nev_price"]),
                                                 "date": d.isoformat()})
            calc = Calc("nev", "新能源汽车", "New-energy car", d, "购车日期", "the purchase date", sit, rules,
                        {f"{V47}#一": claim})
            calc.offline[f"{V47}#八/personal_pile"] = CHARGING_OFFLINE
            calcs.append(calc)
        if "appliance" in topics:
            d = c["app_date"]
            dist = c["district"]
            sit = {"appliance_purchases": {"a1": {
                "price_yuan": _y(c["app_price"]), "category": c["app_cat"], "energy_label": int(c["app_label"]),
                "date": d.isoformat(), "district": dist}}}
            claim = "/me/vouchers?" + urlencode({"programme": "appliances", "district": dist,
                                                 "price": _y(c["app_price"]), "date": d.isoformat(),
                                                 "category": c["app_cat"], "label": c["app_label"]})
            calcs.append(Calc("appliance", "家电", "Household appliance", d, "购买日期", "the purchase date", sit,
                              [f"{V46}#一"], {f"{V46}#一": claim}))
        day, why_zh, why_en = (on, "所选评估日期", "the date you chose") if on else (today, "今天", "today")
        if "pension" in topics:
            p = dict(person)
            _put(p, "resident_pension_recipient", c.get("pen_recipient"))
            sit = {"persons": {"p1": p}}
            rules = [f"{PEN}#二"]
            if c.get("pen_amount") is not None:
                k: dict[str, Any] = {"person": "p1", "amount_yuan": _y(c["pen_amount"]),
                                     "paid_date": (c.get("pen_paid") or day).isoformat()}
                _put(k, "back_payment", c.get("pen_back"))
                sit["pension_contributions"] = {"k1": k}
                rules.append(f"{PEN}#三")
            calcs.append(Calc("pension", "城乡居民养老保险", "Resident pension", day, why_zh, why_en, sit, rules))
        if "ltc" in topics:
            p = dict(person)
            _put(p, "medical_insurance", c.get("ltc_ins"))
            _put(p, "ltc_severe_disability", c.get("ltc_severe"))
            _put(p, "ltc_care_type", c.get("ltc_type"))
            _put(p, "ltc_monthly_care_cost_yuan", _y(c.get("ltc_cost")))
            calcs.append(Calc("ltc", "长期护理保险", "Long-term care", day, why_zh, why_en, {"persons": {"p1": p}},
                              [LTC, f"{LTC}/funding"]))
    elif who == "enterprise":
        year = int(c["year"])
        day = on or dt.date(year, 12, 31)
        why_zh, why_en = ("所选评估日期", "the date you chose") if on else (f"{year} 年末", f"the end of {year}")
        kinds = c.get("kinds", [])
        e: dict[str, Any] = {}
        _put(e, "district", c.get("ent_district"))
        rules: list[str] = []
        sit = {"enterprises": {"e1": e}}
        scale: dict[str, bool] = {}
        if "software" in kinds:
            e["software_enterprise"] = True
            e["software_revenue_yuan"] = {str(year): _y(c["sw_rev"]), str(year - 1): _y(c["sw_rev_prev"])}
            _put(e, "software_revenue_peak_before_yuan", _y(c.get("sw_peak")))
            _put(e, "software_stage", c.get("sw_stage"))
            _put(e, "tech_sme", c.get("sw_sme"))
            _put(e, "first_version_level", c.get("sw_fv"))
            listed = c.get("sw_listed", [])
            for key in ("key_software", "key_ic_design", "top100"):
                e[f"first_listed_{key}"] = key in listed
            _put(e, "outsourcing_external_executed_yuan", _y(c.get("sw_out")))
            rules += [S3, f"{S3}/listing", S4, S5, f"{S5}/guarantee"]
            if c.get("sw_out") is not None:
                rules.append(f"{S3}/outsourcing")
        if "nev_sales" in kinds:
            e["nev_sales_company"] = True
            _put(e, "nev_sales_company_new", c.get("ns_new"))
            _put(e, "nev_fixed_investment_yuan", _y(c.get("ns_invest")))
            if c.get("ns_scale") is not None:
                scale[str(year)] = c["ns_scale"]
            if c.get("ns_units") is not None:
                e["nev_sales_units"] = {str(year): c["ns_units"]}
            if c.get("ns_rank") is not None:
                e["nev_sales_rank"] = {str(year): c["ns_rank"]}
            _put(e, "nev_show_filed", c.get("ns_show"))
            _put(e, "nev_show_expense_yuan", _y(c.get("ns_show_exp")))
            rules += [f"{V47}#二", f"{V47}#四", f"{V47}#四/scale", f"{V47}#六"]
        if "appliance_sales" in kinds:
            e["appliance_sales_company"] = True
            _put(e, "appliance_promo_filed", c.get("as_filed"))
            _put(e, "appliance_promo_days", c.get("as_days"))
            _put(e, "appliance_promo_brands", c.get("as_brands"))
            _put(e, "appliance_promo_categories", c.get("as_cats"))
            _put(e, "appliance_promo_expense_yuan", _y(c.get("as_exp")))
            _put(e, "appliance_spinoff", c.get("as_spinoff"))
            if c.get("as_scale") is not None:
                scale.setdefault("2022", c["as_scale"])
            rules += [f"{V46}#二", f"{V46}#三"]
        if scale:
            e["monthly_scale_reached"] = scale
        if "charging" in kinds:
            f: dict[str, Any] = {"facility_type": c["ch_type"]}
            _put(f, "district", c.get("ent_district"))
            _put(f, "rated_power_kw", _y(c.get("ch_power")))
            _put(f, "location_type", c.get("ch_loc"))
            _put(f, "guarantee_facility", c.get("ch_guarantee"))
            _put(f, "operation_year", c.get("ch_year"))
            _put(f, "energy_kwh", _y(c.get("ch_energy")))
            sit["charging_facilities"] = {"f1": f}
            rules += [f"{V47}#八", f"{V47}#八/operation"]
        # the charging subsidies (47号#八) have no online application here: say where to apply instead
        claims = {r: "/me/enterprise?" + urlencode({"clause": r}) for r in rules if not r.startswith(f"{V47}#八")}
        calc = Calc("enterprise", "企业", "Enterprise", day, why_zh, why_en, sit, rules, claims)
        calc.offline.update({r: CHARGING_OFFLINE for r in rules if r.startswith(f"{V47}#八")})
        calcs.append(calc)
    elif who == "worker":
        day, why_zh, why_en = (on, "所选评估日期", "the date you chose") if on else (today, "今天", "today")
        p = {"birth_date": c["w_birth"].isoformat(), "sex": c["w_sex"]}
        for key, fact in (("w_flex", "flexible_employment"), ("w_pension", "employee_pension_as_flexible"),
                          ("w_residence", "stable_residence_income"), ("w_capacity", "full_capacity")):
            _put(p, fact, c.get(key))
        rate = str(Decimal(c["w_rate"]) / 10000)
        sit = {"persons": {"p1": p}, "provident_fund_accounts": {"a1": {"holder": "p1", "base_yuan": _y(c["w_base"]),
                                                                       "rate": rate}}}
        href = "/me/fund?" + urlencode({"base": _y(c["w_base"]), "rate": f"{Decimal(c['w_rate']) / 100:f}"})
        calcs.append(Calc("worker", "灵活就业人员住房公积金", "Flexible-worker housing fund", day, why_zh, why_en, sit,
                          [f"{PF}#第十二条", f"{PF}#第八条", f"{PF}#第十一条"], {f"{PF}#第八条": href}))
    return calcs


def run(calcs: list[Calc]) -> None:
    engine = get_engine()
    for calc in calcs:
        try:
            out = engine.calculate(calc.situation, calc.on, explain=True, rule_ids=set(calc.rules))
        except GazetteError as exc:
            calc.error = exc
            continue
        order = {r: i for i, r in enumerate(calc.rules)}
        calc.results = sorted(out["results"], key=lambda r: order.get(r["rule"], 99))


def fund_quote(base: Decimal, rate_bp: int, on: dt.date) -> dict[str, Any]:
    """The fund centre's own quote (``GET /api/v1/fund/quote``), called in-process through the pack's
    router module, so the platform names no pack. ``{"error": GazetteError}`` when it refuses."""
    for name in load_pack().routers:
        module = importlib.import_module(name)
        if getattr(getattr(module, "router", None), "prefix", None) == "/fund" and hasattr(module, "quote"):
            try:
                q = module.quote(str(base), f"{Decimal(rate_bp) / 100:f}", on)
            except GazetteError as exc:
                return {"error": exc}
            except Exception:  # noqa: BLE001 — the fund is not set up here: the rules' own figures still stand
                log.exception("fund quote failed")
                return {"error": Unavailable("公积金中心试算暂不可用", "the fund centre quote is unavailable",
                                             code="fund_unavailable")}
            return q | {"monthly_fen": q.get("monthly_fen", yuan_to_fen(q["monthly"]))}
    return {}
