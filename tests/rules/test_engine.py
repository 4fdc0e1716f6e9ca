from __future__ import annotations

import datetime as dt
import random

import polars as pl
import pytest

from gazette.errors import GazetteError
from gazette.rules.batch import run_batch
from gazette.rules.engine import get_engine

E = get_engine()
ON = dt.date(2022, 10, 8)
MILESTONE = "嘉政办发〔2022〕10号#四.（三）"
VOUCHER = "嘉政办发〔2022〕47号#一"


def one(situation, rule, on=ON, **kw):
    res = E.calculate(situation, on, rule_ids={rule}, **kw)
    [r] = [r for r in res["results"] if r["rule"] == rule]
    return r


def test_issue_example_situation():
    sit = {"persons": {"p1": {"district": "南湖区", "birth_date": "1980-05-01"}},
           "vehicle_purchases": {"c1": {"buyer": "p1", "price_yuan": 250000, "new_energy": True, "date": "2022-10-08"}},
           "enterprises": {"e1": {"software_revenue_yuan": {"2021": 18000000, "2022": 21000000}}}}
    res = E.calculate(sit, ON)
    v = next(r for r in res["results"] if r["rule"] == VOUCHER)
    assert v["entity"] == "c1" and v["status"] == "eligible" and v["amount_yuan"] == "6000.00"
    assert v["references"][0] == VOUCHER
    ms = next(r for r in res["results"] if r["rule"] == MILESTONE)
    assert ms["status"] == "unknown" and "software_enterprise" in ms["missing_facts"]
    assert {r["entity"] for r in res["results"]} == {"p1", "c1", "e1"}


def test_failed_threshold_names_nearest_qualifying_value():
    sit = {"enterprises": {"e1": {"software_enterprise": True,
                                  "software_revenue_yuan": {"2021": 18000000, "2022": 19500000}}}}
    r = one(sit, MILESTONE, on=dt.date(2022, 12, 31))
    assert r["status"] == "ineligible"
    cond = next(e for e in r["explanation"] if e.get("id") == "revenue")
    assert cond["status"] == "fail"
    assert cond["nearest_text_en"] == "software revenue 2022 19,500,000 < 20,000,000: 500,000 more would qualify for 200,000"
    assert cond["nearest"] == "20000000.00" and cond["would_qualify_yuan"] == "200000.00"
    assert "再增加 500,000 即可获得 200,000" in cond["nearest_text_zh"]


def test_explanation_lists_parameters_tier_and_clause():
    r = one({"vehicle_purchases": {"c1": {"price_yuan": 190000, "new_energy": True, "date": "2022-10-08"}}}, VOUCHER)
    kinds = [e["kind"] for e in r["explanation"]]
    assert kinds[0] == "validity" and kinds[-1] == "amount"
    p = next(e for e in r["explanation"] if e["kind"] == "parameter")
    assert p["id"] == "nev.voucher.tiers" and p["effective_from"] == "2022-09-22"
    assert VOUCHER in p["references"] and "decision" in p
    tier = next(e for e in r["explanation"] if e["kind"] == "tier")
    assert tier["tier"] == 1 and tier["next"]["threshold"] == "200000.00"
    assert tier["text_en"].endswith("10,000 more would qualify for 6,000")


def test_unknown_names_missing_fact():
    r = one({"vehicle_purchases": {"c1": {"price_yuan": 190000, "date": "2022-10-08"}}}, VOUCHER)
    assert r["status"] == "unknown" and r["amount_yuan"] is None
    assert r["missing_facts"] == ["new_energy"]
    cond = next(e for e in r["explanation"] if e.get("id") == "new_energy")
    assert cond["status"] == "unknown" and cond["missing"] == ["new_energy"]


def test_float32_trap_is_not_paid():
    # float32(19,999,999.50) == 20,000,000: an engine on float32 pays 200,000 here.
    import struct

    assert struct.unpack("f", struct.pack("f", 19999999.50))[0] == 20000000.0
    sit = {"enterprises": {"e1": {"software_enterprise": True,
                                  "software_revenue_yuan": {"2021": 18000000, "2022": "19999999.50"}}}}
    assert one(sit, MILESTONE, on=dt.date(2022, 12, 31))["status"] == "ineligible"


def test_what_if_override_changes_amount_and_is_marked():
    sit = {"vehicle_purchases": {"c1": {"price_yuan": 190000, "new_energy": True, "date": "2022-10-08"}}}
    tiers = [{"threshold": 0, "amount": 3000}, {"threshold": 180000, "amount": 6000}, {"threshold": 300000, "amount": 10000}]
    r = one(sit, VOUCHER, overrides_raw={"nev.voucher.tiers": tiers})
    assert r["amount_yuan"] == "6000.00"
    assert next(e for e in r["explanation"] if e["kind"] == "parameter")["overridden"] is True
    assert one(sit, VOUCHER)["amount_yuan"] == "3000.00"  # the override did not leak


@pytest.mark.parametrize(("situation", "code", "field"), [
    ({"cars": {}}, "invalid_input", "cars"),
    ({"vehicle_purchases": {"c1": {"colour": "red"}}}, "invalid_input", "vehicle_purchases.c1.colour"),
    ({"vehicle_purchases": {"c1": {"price_yuan": "1.001"}}}, "invalid_input", "vehicle_purchases.c1.price_yuan"),
    ({"vehicle_purchases": {"c1": {"date": "2022-13-01"}}}, "invalid_input", "vehicle_purchases.c1.date"),
    ({"vehicle_purchases": {"c1": {"buyer": "nobody"}}}, "invalid_input", "vehicle_purchases.c1.buyer"),
    ({"persons": {"p1": {"district": "杭州"}}}, "invalid_input", "persons.p1.district"),
    ({"enterprises": {"e1": {"software_revenue_yuan": 5}}}, "invalid_input", "enterprises.e1.software_revenue_yuan"),
    ([], "invalid_input", "situation"),
])
def test_bad_situations_raise_typed_errors(situation, code, field):
    with pytest.raises(GazetteError) as exc:
        E.calculate(situation, ON)
    assert exc.value.code == code and exc.value.field == field


def test_unknown_override_and_rule():
    with pytest.raises(GazetteError) as exc:
        E.calculate({}, ON, {"nope": 1})
    assert exc.value.code == "parameter_not_found"
    with pytest.raises(GazetteError) as exc:
        E.calculate({}, ON, rule_ids={"nope"})
    assert exc.value.code == "rule_not_found"


def test_linked_fact_joins_buyer():
    sit = {"persons": {"p1": {"district": "秀洲区"}},
           "vehicle_purchases": {"c1": {"buyer": "p1", "price_yuan": 1, "new_energy": True, "date": "2022-10-08"}}}
    df = E.frames_from_situation(sit)
    out = E.ensure_columns(E.entities["vehicle_purchase"], df["vehicle_purchase"], {"buyer.district"}, df)
    assert out["buyer.district"].to_list() == ["秀洲区"]


def test_single_and_batch_agree():
    rnd = random.Random(7)
    rows = []
    for i in range(300):
        rows.append({"id": f"c{i}", "price_yuan": str(rnd.choice([0, 150000, 199999.99, 200000, 299999.99, 300000,
                                                                  rnd.randint(1, 2_000_000)])),
                     "new_energy": rnd.choice([True, False, None]),
                     "date": rnd.choice(["2022-09-21", "2022-10-08", "2022-12-31", "2023-01-02"]),
                     "district": rnd.choice(["南湖区", "海宁市"])})
    df = pl.DataFrame(rows)
    res = run_batch(E, df, dt.date(2022, 12, 31), entity="vehicle_purchase")
    out = res.output
    for row in rows[:60]:
        facts = {k: v for k, v in row.items() if k != "id" and v is not None}
        r = one({"vehicle_purchases": {row["id"]: facts}}, VOUCHER, on=dt.date(2022, 12, 31))
        b = out.filter(pl.col("_id") == row["id"]).row(0, named=True)
        assert b[f"{VOUCHER}|status"] == r["status"]
        assert (r["amount_yuan"] is None and b[f"{VOUCHER}|amount_fen"] is None) or \
            int(round(float(r["amount_yuan"]) * 100)) == b[f"{VOUCHER}|amount_fen"]
    by_rule = {x["rule"]: x for x in res.by_rule}
    assert by_rule[VOUCHER]["eligible"] == out.filter(pl.col(f"{VOUCHER}|status") == "eligible").height
    assert sum(int(d["amount_yuan"].replace(".", "")) for d in res.by_district) == res.total_benefits_fen


def test_excluded_reward_names_the_kept_one():
    sit = {"enterprises": {"e1": {"nev_sales_company": True, "nev_sales_company_new": True,
                                  "monthly_scale_reached": {"2023": True}, "nev_sales_units": {"2023": 2000},
                                  "nev_sales_rank": {"2023": 3}}}}
    r = one(sit, "嘉政办发〔2022〕47号#四/scale", on=dt.date(2023, 12, 31))
    assert r["status"] == "ineligible" and r["amount_yuan"] == "0.00"
    dup = next(e for e in r["explanation"] if e.get("id") == "no_duplicate")
    assert dup["status"] == "fail" and "嘉政办发〔2022〕47号#六" in dup["text_en"]
    assert dup["reference"] == "嘉政办发〔2022〕47号#十一"


def test_prohibition_outcome():
    sit = {"flights": {"f1": {"object_type": "drone", "start_time": "2022-09-12T10:00", "lat": 30.395, "lon": 120.54,
                              "approved": False}}}
    r = one(sit, "嘉政发〔2022〕17号#二", on=dt.date(2022, 9, 1))
    assert r["status"] == "eligible" and r["outcome"] == "prohibited" and r["amount_yuan"] is None
    d = next(e for e in r["explanation"] if e.get("id") == "distance_m")
    assert d["value"] < 500


def test_demo_reference_data_is_labelled():
    sit = {"provident_fund_accounts": {"a": {"base_yuan": 2000, "rate": "0.12"}}}
    r = one(sit, "嘉公积金〔2022〕9号#第十一条")
    wage = next(e for e in r["explanation"] if e.get("id") == "provident_fund.base.min_wage")
    assert wage["demo"] is True and wage["source"]


def test_exclusive_group_on_many_rows_touches_only_rows_with_several_rewards():
    on = dt.date(2023, 12, 31)
    df = pl.DataFrame({
        "_id": ["both", "one", "none", "tie"],
        "nev_sales_company": [True, True, False, True],
        "nev_sales_company_new": [True, False, False, True],
        "monthly_scale_reached@2023": [True, True, False, True],
        "used_car_dealer_company": [False, False, False, True],
        "nev_sales_units@2023": [2000, 2000, 10, 10],
        "nev_sales_rank@2023": [3, 7, 50, 50],
    })
    out = E.evaluate_frame("enterprise", df, on)
    scale, top, used = "嘉政办发〔2022〕47号#四/scale", "嘉政办发〔2022〕47号#六", "嘉政办发〔2022〕47号#七"
    res = out.select("_id", *(pl.col(f"{r}|amount") for r in (scale, top, used)),
                     *(E.status_expr(E.rules_by_id[r]) for r in (scale, top, used))).rows_by_key("_id", named=True)
    assert res["both"][0][f"{top}|amount"] == 20_000_000 and res["both"][0][f"{scale}|amount"] == 0
    assert res["both"][0][f"{scale}|status"] == "ineligible"
    assert res["one"][0][f"{top}|amount"] == 10_000_000
    assert all(v in (0, None) for k, v in res["none"][0].items() if k.endswith("amount"))
    # 5万 (上规, new company) and 5万 (used-car dealer) tie: the first in the document's order is paid
    assert res["tie"][0][f"{scale}|amount"] == 5_000_000 and res["tie"][0][f"{used}|amount"] == 0
