from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from gazette.api.app import create_app


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


SIT = {"persons": {"p1": {"district": "南湖区", "birth_date": "1980-05-01"}},
       "vehicle_purchases": {"c1": {"buyer": "p1", "price_yuan": 250000, "new_energy": True, "date": "2022-10-08"}},
       "enterprises": {"e1": {"software_revenue_yuan": {"2021": 18000000, "2022": 21000000}}}}


def test_calculate(client):
    r = client.post("/api/v1/calculate", json={"situation": SIT, "on": "2022-10-08"})
    assert r.status_code == 200
    res = {(x["rule"], x["entity"]): x for x in r.json()["results"]}
    v = res[("嘉政办发〔2022〕47号#一", "c1")]
    assert v["status"] == "eligible" and v["amount_yuan"] == "6000.00" and v["explanation"]


def test_calculate_with_overrides_and_rule_filter(client):
    body = {"situation": SIT, "on": "2022-10-08", "rules": ["嘉政办发〔2022〕47号#一"],
            "overrides": {"nev.voucher.tiers": [{"threshold": 0, "amount": 3000}, {"threshold": 200000, "amount": 7000}]}}
    r = client.post("/api/v1/calculate", json=body)
    assert r.status_code == 200
    [x] = r.json()["results"]
    assert x["amount_yuan"] == "7000.00"


def test_match_lists_claims_and_unknowns(client):
    r = client.post("/api/v1/match", json={"situation": SIT, "on": "2022-10-08", "entity": "p1"})
    assert r.status_code == 200
    body = r.json()
    assert "嘉政办发〔2022〕47号#一" in [c["rule"] for c in body["claims"]]
    assert body["claimable_total_yuan"] == "6000.00"
    assert all(u["missing_facts"] for u in body["unknown"])
    assert all(c["entity"] in ("p1", "c1") for c in body["claims"] + body["unknown"])


def test_match_total_is_the_sum_of_its_benefit_claims_and_claims_read_as_in_calculate(client):
    two_cars = {**SIT, "vehicle_purchases": {
        **SIT["vehicle_purchases"],
        "c2": {"buyer": "p1", "price_yuan": 150000, "new_energy": True, "date": "2022-10-08"}}}
    matched = client.post("/api/v1/match", json={"situation": two_cars, "on": "2022-10-08"}).json()
    calculated = client.post("/api/v1/calculate", json={"situation": two_cars, "on": "2022-10-08"}).json()
    by_rule = {(result["rule"], result["entity"]): result for result in calculated["results"]}
    benefits = [claim for claim in matched["claims"] if claim["kind"] == "benefit"]
    assert {claim["entity"] for claim in benefits} == {"c1", "c2"}
    assert any(claim["kind"] == "limit" for claim in matched["claims"])  # a limit is listed, never summed
    assert Decimal(matched["claimable_total_yuan"]) == sum(Decimal(claim["amount_yuan"]) for claim in benefits)
    for claim in matched["claims"]:
        source = by_rule[(claim["rule"], claim["entity"])]
        assert source["status"] == "eligible"
        assert {key: claim[key] for key in claim} == {key: source[key] for key in claim}
    for unknown in matched["unknown"]:
        assert by_rule[(unknown["rule"], unknown["entity"])]["missing_facts"] == unknown["missing_facts"]


def test_match_unknown_entity(client):
    r = client.post("/api/v1/match", json={"situation": SIT, "on": "2022-10-08", "entity": "zz"})
    assert r.status_code == 422 and r.json()["field"] == "entity"


def test_parameter_history(client):
    r = client.get("/api/v1/parameters/resident_pension.basic_pension")
    assert r.status_code == 200
    body = r.json()
    assert [h["value"] for h in body["history"]] == ["290.00", "320.00"]
    assert body["references"] == ["嘉人社〔2022〕60号#二"]
    assert body["used_by"] == ["嘉人社〔2022〕60号#二"]


def test_rules_listing_and_one_rule(client):
    r = client.get("/api/v1/rules", params={"on": "2022-10-08"})
    assert r.status_code == 200 and len(r.json()["rules"]) > 30
    r = client.get("/api/v1/rules/" + quote("嘉政办发〔2022〕47号#四/scale", safe=""))
    assert r.status_code == 200 and r.json()["entity"] == "enterprise"


@pytest.mark.parametrize(("path", "body", "status", "field"), [
    ("/api/v1/calculate", {"situation": {"vehicle_purchases": {"c1": {"price_yuan": "abc"}}}, "on": "2022-10-08"}, 422,
     "vehicle_purchases.c1.price_yuan"),
    ("/api/v1/calculate", {"situation": {}, "on": "not-a-date"}, 422, "on"),
    ("/api/v1/calculate", {"situation": {}, "on": "2022-10-08", "overrides": {"x.y": 1}}, 422, "overrides.x.y"),
])
def test_errors_are_problem_json(client, path, body, status, field):
    r = client.post(path, json=body)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["field"] == field


def test_unknown_parameter_404(client):
    r = client.get("/api/v1/parameters/nope")
    assert r.status_code == 404 and r.json()["code"] == "parameter_not_found"


def test_reference_data_parameter_lists_its_users(client):
    r = client.get("/api/v1/parameters/provident_fund.base.min_wage")
    assert r.status_code == 200
    body = r.json()
    assert body["metadata"]["demo"] is True
    assert "嘉公积金〔2022〕9号#第十二条" in body["used_by"]
