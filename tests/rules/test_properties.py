"""Properties: tiers are monotone, no amount exceeds its cap, nothing is paid outside its window."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from gazette.rules.engine import get_engine

E = get_engine()
VOUCHER = "嘉政办发〔2022〕47号#一"
fen = st.integers(min_value=0, max_value=10**11)


def _amount(sit, rule, on):
    [r] = [r for r in E.calculate(sit, on, explain=False, rule_ids={rule})["results"] if r["rule"] == rule]
    return r


def _fen(r):
    return int(r["amount_yuan"].replace(".", "")) if r["amount_yuan"] else 0


@settings(max_examples=60, deadline=None)
@given(a=st.integers(min_value=1, max_value=200_000_000), b=st.integers(min_value=1, max_value=200_000_000))
def test_higher_price_never_lower_nev_tier(a, b):
    lo, hi = sorted((a, b))
    sit = {"vehicle_purchases": {
        "lo": {"price_yuan": f"{lo // 100}.{lo % 100:02d}", "new_energy": True, "date": "2022-10-08"},
        "hi": {"price_yuan": f"{hi // 100}.{hi % 100:02d}", "new_energy": True, "date": "2022-10-08"}}}
    df = E.frames_from_situation(sit)["vehicle_purchase"]
    out = E.evaluate_frame("vehicle_purchase", df, dt.date(2022, 10, 8), explain=True, rule_ids={VOUCHER})
    compiled = next(c for c in E.compile(dt.date(2022, 10, 8))["vehicle_purchase"] if c.rule.id == VOUCHER)
    tier = compiled.builder.tiers[0]
    idx = [max(i for i, (t, _) in enumerate(tier.rows) if v >= t) for v in out[tier.column].to_list()]
    assert idx[0] <= idx[1]
    amounts = out[f"{VOUCHER}|amount"].to_list()
    assert amounts[0] <= amounts[1] or amounts[0] == lo  # only the "≤ price" rule can make the cheaper car's voucher smaller


CAPPED = [
    ("嘉政办发〔2022〕47号#二", "enterprises", lambda x: {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": x}, 50_000_00),
    ("嘉政办发〔2022〕47号#四", "enterprises", lambda x: {"nev_sales_company_new": True, "nev_fixed_investment_yuan": x}, 2_000_000_00),
    ("嘉政办发〔2022〕47号#八", "charging_facilities", lambda x: {"facility_type": "public_pile", "rated_power_kw": x}, 15_000_00),
    ("嘉政办发〔2022〕47号#十一", "districts", lambda x: {"name": "南湖区", "nev_voucher_spent_yuan": x}, 6_000_000_00),
    ("嘉政办发〔2022〕46号#二", "enterprises", lambda x: {"appliance_sales_company": True, "appliance_promo_filed": True, "appliance_promo_days": 3, "appliance_promo_brands": 5, "appliance_promo_expense_yuan": x}, 50_000_00),
    ("嘉政办发〔2022〕10号#四.（三）/outsourcing", "enterprises", lambda x: {"software_enterprise": True, "outsourcing_external_executed_yuan": x}, 1_000_000_00),
    ("嘉政办发〔2022〕10号#四.（四）/key_tech", "enterprises", lambda x: {"key_tech_project": True, "key_tech_assessed_yuan": x}, 1_000_000_00),
    ("嘉政办发〔2022〕10号#四.（一）", "enterprises", lambda x: {"major_project": True, "major_project_standard_yuan": x}, 30_000_000_00),
    ("嘉政发〔2022〕21号#一.（二）", "persons", lambda x: {"ltc_severe_disability": True, "ltc_care_type": "elderly_institution", "ltc_monthly_care_cost_yuan": x}, 2_100_00),
    ("嘉政发〔2022〕21号#一.（二）", "persons", lambda x: {"ltc_severe_disability": True, "ltc_care_type": "home", "ltc_monthly_care_cost_yuan": x}, 1_200_00),
    (VOUCHER, "vehicle_purchases", lambda x: {"price_yuan": x, "new_energy": True, "date": "2022-10-08"}, 10_000_00),
]


@settings(max_examples=25, deadline=None)
@given(x=fen)
def test_no_amount_exceeds_its_cap(x):
    yuan = f"{x // 100}.{x % 100:02d}"
    for rule, plural, facts, cap in CAPPED:
        r = _amount({plural: {"a": facts(yuan)}}, rule, dt.date(2022, 10, 20))
        assert _fen(r) <= cap, rule
        if rule == VOUCHER:
            assert _fen(r) <= x  # never more than the price


def _windowed():
    return [r for r in E.rules if r.on_window and r.unit]


@settings(max_examples=20, deadline=None)
@given(days=st.integers(min_value=1, max_value=3000), after=st.booleans())
def test_nothing_paid_outside_validity_window(days, after):
    for rule in _windowed():
        if after and rule.valid_to is None:
            continue
        on = (rule.valid_to + dt.timedelta(days=days)) if after else (rule.valid_from - dt.timedelta(days=days))
        ent = E.entities[rule.entity]
        # a member with every fact favourable enough to be paid inside the window does not matter here:
        # outside the window the rule is inactive whatever the facts
        facts = {v.name: True for v in ent.variables if v.type == "bool" and v.period is None}
        r = _amount({ent.plural: {"x": facts}}, rule.id, on)
        assert r["status"] == "ineligible" and _fen(r) == 0, (rule.id, on)


@settings(max_examples=30, deadline=None)
@given(offset=st.integers(min_value=1, max_value=400), before=st.booleans())
def test_voucher_event_outside_window_is_not_paid(offset, before):
    d = dt.date(2022, 9, 22) - dt.timedelta(days=offset) if before else dt.date(2022, 12, 31) + dt.timedelta(days=offset)
    sit = {"vehicle_purchases": {"c": {"price_yuan": 250000, "new_energy": True, "date": d.isoformat()}}}
    r = _amount(sit, VOUCHER, dt.date(2022, 12, 31))
    assert r["status"] == "ineligible" and _fen(r) == 0
