"""`gazette fund …` and `/api/v1/fund/…`: the worker's and the operator's journeys end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gazette.cli import app as cli

P1, P2 = "330402199001011230", "330402198003015679"  # valid ID numbers (gazette.validate.person_id)


def fund_cli(*args: str):
    return CliRunner().invoke(cli, ["fund", *args])


def test_cli_journey(clean_db, tmp_path):
    assert fund_cli("init", "--date", "2022-05-03").exit_code == 0
    r = fund_cli("open", "330402199001011230", "--name", "张三", "--sex", "male", "--birth", "1990-01-01",
                 "--base", "5234.56", "--rate", "11")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["monthly"] == "576.00"
    assert fund_cli("prepay", "330402199001011230", "--through", "2022-06", "--key", "p1").exit_code == 0
    assert fund_cli("advance", "2022-07-05").exit_code == 0
    r = fund_cli("collect", "2022-05")
    assert r.exit_code == 0 and json.loads(r.stdout)["status"] == "completed"
    r = fund_cli("show", "330402199001011230")
    v = json.loads(r.stdout)
    assert v["balance"] == "576.00" and v["prepaid"] == "576.00" and v["loan"]["consecutive_months"] == 1
    assert fund_cli("collect", "2022-06").exit_code == 0
    bank = tmp_path / "bank.csv"
    bank.write_text("ref,amount,result\nX-1,1.00,ok\n", encoding="utf-8")
    r = fund_cli("import-bank", str(bank))
    assert r.exit_code == 0 and json.loads(r.stdout)["result"]["exceptions"] == 1
    assert fund_cli("arrears", "2022-06").exit_code == 0
    r = fund_cli("exceptions")
    assert [e["kind"] for e in json.loads(r.stdout)] == ["unknown_reference"]
    r = fund_cli("statement", "330402199001011230")
    assert [ln["kind"] for ln in json.loads(r.stdout)["lines"]] == ["prepay", "prepaid_due", "prepaid_due"]
    assert fund_cli("reconcile").exit_code == 0
    assert fund_cli("reference", "set", "deposit_rate", "2023-01-01", "1.25", "--source", "测试").exit_code == 0


def test_cli_error_is_one_line_and_nonzero(clean_db):
    assert fund_cli("init").exit_code == 0
    proc = subprocess.run([sys.executable, "-m", "gazette.cli", "fund", "open", P2, "--name", "李四", "--sex",
                           "female", "--birth", "1990-01-01", "--base", "5000", "--rate", "30"],
                          capture_output=True, text=True, env={**os.environ}, timeout=60)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "rate_out_of_range" in lines[0] and "Traceback" not in proc.stderr


def test_api_journey_and_problems(clean_db):
    from gazette.api.app import create_app
    from gazette.auth.testing import bearer

    c = TestClient(create_app())
    c.headers.update(bearer())  # the city administrator; the worker's own access is tested below
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service as S

    with unit_of_work() as s:
        S.setup(s, __import__("datetime").date(2022, 5, 3))
    q = c.get("/api/v1/fund/quote", params={"base": "5000", "rate": "12"})
    assert q.status_code == 200 and q.json()["monthly"] == "600.00"
    bad = c.get("/api/v1/fund/quote", params={"base": "100000", "rate": "12"})
    assert bad.status_code == 422 and bad.json()["code"] == "base_above_maximum"
    assert bad.headers["content-type"].startswith("application/problem+json")
    body = {"person_id": P1, "name": "王五", "sex": "female", "birth_date": "1990-02-03", "base": "3000",
            "rate": "10"}
    r = c.post("/api/v1/fund/accounts", json=body, headers={"Idempotency-Key": "o1"})
    assert r.status_code == 201, r.text
    again = c.post("/api/v1/fund/accounts", json=body, headers={"Idempotency-Key": "o1"})
    assert again.status_code == 201 and again.json()["replayed"] is True
    dup = c.post("/api/v1/fund/accounts", json=body, headers={"Idempotency-Key": "o2"})
    assert dup.status_code == 409 and dup.json()["code"] == "account_exists"
    beyond = c.post(f"/api/v1/fund/accounts/{P1}/prepay", json={"through": "2022-07"}, headers={"Idempotency-Key": "p0"})
    assert beyond.status_code == 422 and beyond.json()["code"] == "prepayment_beyond_settlement_year"
    assert c.post(f"/api/v1/fund/accounts/{P1}/prepay", json={"through": "2022-06"},
                  headers={"Idempotency-Key": "p1"}).status_code == 200
    assert c.put(f"/api/v1/fund/accounts/{P1}/loan", json={"outstanding": True},
                 headers={"Idempotency-Key": "l1"}).status_code == 200
    assert c.post(f"/api/v1/fund/accounts/{P1}/stop", headers={"Idempotency-Key": "s1"}).json()["code"] == "loan_outstanding"
    v = c.get(f"/api/v1/fund/accounts/{P1}").json()
    assert v["prepaid"] == "600.00" and v["next_debit"]["month"] == "2022-07"
    assert c.get("/api/v1/fund/accounts/nobody").status_code == 422  # not an ID number
    assert c.get(f"/api/v1/fund/accounts/{P2}").status_code == 404  # a valid one without an account
    assert c.get("/api/v1/fund/reconcile").json()["ok"] is True
    assert {p for p in c.get("/api/v1/openapi.json").json()["paths"] if p.startswith("/api/v1/fund")} >= {
        "/api/v1/fund/accounts", "/api/v1/fund/accounts/{person_id}", "/api/v1/fund/runs/collection/{month}"}


def test_api_a_worker_sees_only_their_own_account(clean_db):
    import datetime as dt

    from gazette.api.app import create_app
    from gazette.auth.testing import bearer
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service as S

    with unit_of_work() as s:
        S.setup(s, dt.date(2022, 5, 3))
    c = TestClient(create_app())
    me = bearer("test-worker", "citizen", person_id=P1)
    body = {"person_id": P1, "name": "王五", "sex": "female", "birth_date": "1990-02-03", "base": "3000", "rate": "10"}
    assert c.post("/api/v1/fund/accounts", json={**body, "person_id": P2}, headers={**me, "Idempotency-Key": "o1"}).status_code == 403
    assert c.post("/api/v1/fund/accounts", json=body, headers={**me, "Idempotency-Key": "o2"}).status_code == 201
    assert c.get(f"/api/v1/fund/accounts/{P1}", headers=me).json()["monthly"] == "300.00"
    assert c.get(f"/api/v1/fund/accounts/{P2}", headers=me).status_code == 403
    assert c.get(f"/api/v1/fund/accounts/{P1}").status_code == 401
    assert c.get("/api/v1/fund/reconcile", headers=me).status_code == 403
    auditor = bearer("test-auditor", "auditor")
    assert c.get(f"/api/v1/fund/accounts/{P1}", headers=auditor).status_code == 200
    assert c.post(f"/api/v1/fund/accounts/{P1}/stop", headers={**auditor, "Idempotency-Key": "s1"}).status_code == 403


def test_api_sanctions_of_articles_22_and_23(clean_db):
    """第二十二条 restriction over the API: admin only, shown to the worker, bad input writes nothing."""
    import datetime as dt

    from gazette.api.app import create_app
    from gazette.auth.testing import bearer
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service as S

    with unit_of_work() as s:
        S.setup(s, dt.date(2022, 5, 3))
    c = TestClient(create_app())
    admin, me = bearer(), bearer("test-worker", "citizen", person_id=P1)
    body = {"person_id": P1, "name": "王五", "sex": "female", "birth_date": "1990-02-03", "base": "3000", "rate": "10"}
    assert c.post("/api/v1/fund/accounts", json=body, headers={**me, "Idempotency-Key": "o1"}).status_code == 201
    url = f"/api/v1/fund/accounts/{P1}/restrictions"
    assert c.post(url, json={"until": "2023-04-30", "reason": "伪造材料"}, headers={**me, "Idempotency-Key": "r0"}).status_code == 403
    past = c.post(url, json={"until": "2022-05-01", "reason": "伪造材料"}, headers={**admin, "Idempotency-Key": "r1"})
    assert past.status_code == 422 and past.json()["code"] == "restriction_until_not_future"
    assert c.get(f"/api/v1/fund/accounts/{P1}/sanctions", headers=admin).json() == []
    r = c.post(url, json={"until": "2023-04-30", "reason": "伪造材料"}, headers={**admin, "Idempotency-Key": "r2"})
    assert r.status_code == 201 and r.json()["clause"] == "嘉公积金〔2022〕9号#第二十二条"
    view = c.get(f"/api/v1/fund/accounts/{P1}", headers=me).json()
    assert view["loan"]["blocked_by"][0]["until"] == "2023-04-30"
    none_open = c.post(f"/api/v1/fund/accounts/{P1}/loan-recall", json={"recovered": True},
                       headers={**admin, "Idempotency-Key": "c1"})
    assert none_open.status_code == 409 and none_open.json()["code"] == "no_open_recall"


def test_api_state_changes_require_an_idempotency_key(clean_db):
    """Every state-changing fund route refuses a request without the key (422, nothing written)."""
    import datetime as dt

    from gazette.api.app import create_app
    from gazette.auth.testing import bearer
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service

    from .conftest import counts

    with unit_of_work() as s:
        service.setup(s, dt.date(2022, 5, 3))
    c = TestClient(create_app())
    c.headers.update(bearer())
    before = counts(clean_db)
    body = {"person_id": P1, "name": "王五", "sex": "female", "birth_date": "1990-02-03", "base": "3000", "rate": "10"}
    routes = [("post", "/api/v1/fund/accounts", body), ("post", f"/api/v1/fund/accounts/{P1}/prepay",
              {"through": "2022-06"}), ("post", f"/api/v1/fund/accounts/{P1}/stop", None),
              ("post", f"/api/v1/fund/accounts/{P1}/unseal", None), ("post", f"/api/v1/fund/accounts/{P1}/transfer-out", None),
              ("put", f"/api/v1/fund/accounts/{P1}/loan", {"outstanding": True}),
              ("post", f"/api/v1/fund/accounts/{P1}/adjust", {"base": "3000", "rate": "12"}),
              ("post", f"/api/v1/fund/accounts/{P1}/restrictions", {"until": "2023-04-30", "reason": "伪造材料"}),
              ("post", f"/api/v1/fund/accounts/{P1}/loan-recall", {"recovered": True}),
              ("post", "/api/v1/fund/runs/collection/2022-05", None), ("post", "/api/v1/fund/runs/arrears/2022-05", None),
              ("post", "/api/v1/fund/runs/interest/2023", None),
              ("post", "/api/v1/fund/bank-results", {"import_id": "b1", "content": "X-1,1.00,ok"}),
              ("put", "/api/v1/fund/reference", {"kind": "min_wage", "start": "2023-01-01", "value": "2300",
                                                 "source": "测试"})]
    for method, url, payload in routes:
        r = c.request(method, url, json=payload)
        assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required", (url, r.text)
    assert counts(clean_db) == before
