"""`gazette pension …`, `/api/v1/pension/…` and the pages, end to end over the demo data."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from gazette.cli import app as cli
from jiaxing.schemes.resident_pension import demo as pension_demo
from tests.auth.conftest import login, new_client, token_for


@pytest.fixture()
def demo(clean_db):
    from gazette.auth import sessions

    sessions.reset_secret_cache()
    pension_demo.run()
    return clean_db


def test_api_roles_and_adjustment_flow(demo):
    """嘉人社〔2022〕60号#一: the officer proposes and submits; only the approver approves."""
    c = new_client()
    off, app_, cit = token_for(c, "pension-officer"), token_for(c, "approver"), token_for(c, "pensioner")
    r = c.post("/api/v1/pension/adjustments", headers=off, json={"year": 2023, "rural_income": "47000",
                                                                    "growth": "7.8%"})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    r = c.post("/api/v1/pension/adjustments", headers={**off, "Idempotency-Key": "p1"},
               json={"year": 2023, "rural_income": "47000", "growth": "7.8%"})
    assert r.status_code == 200 and r.json()["proposed"] == "350.00", r.text
    assert c.post("/api/v1/pension/adjustments/2023/approve", headers={**off, "Idempotency-Key": "a"}).status_code == 403
    assert c.post("/api/v1/pension/adjustments/2023/submit", headers={**off, "Idempotency-Key": "s"}).status_code == 200
    r = c.post("/api/v1/pension/adjustments/2023/approve", headers={**app_, "Idempotency-Key": "a"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    r = c.get(f"/api/v1/pension/statements/{pension_demo.PENSIONER}", headers=cit)
    assert r.status_code == 200 and r.json()["topup_total"] == "240.00"
    other = pension_demo.pid(2)
    assert c.get(f"/api/v1/pension/statements/{other}", headers=cit).status_code == 403
    r = c.post("/api/v1/pension/payroll/2022-12", headers={**off, "Idempotency-Key": "x"})
    assert r.status_code == 409 and r.json()["code"] == "month_closed"
    r = c.post("/api/v1/pension/contributions", headers={**off, "Idempotency-Key": "c"},
               json={"person_id": pension_demo.pid(6), "year": 2022, "amount": "5000", "paid_on": "2022-08-31"})
    assert r.status_code == 422 and r.json()["code"] in ("year_already_paid", "tier_not_in_force")
    assert c.get("/api/v1/pension/reconciliation", headers=off).json()["ok"]


def test_cli_flow(demo, tmp_path):
    run = CliRunner()
    r = run.invoke(cli, ["pension", "statement", pension_demo.PENSIONER, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["topup_total"] == "240.00"
    r = run.invoke(cli, ["pension", "topup", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["paid_now"] == "0.00"
    r = run.invoke(cli, ["pension", "adjust", "propose", "--year", "2023", "--income", "47000", "--growth", "7.8%",
                         "--key", "k1", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["proposed"] == "350.00"
    for args in (["submit", "--year", "2023", "--key", "k2"], ["approve", "--year", "2023", "--key", "k3"]):
        assert run.invoke(cli, ["pension", "adjust", *args, "--json"]).exit_code == 0
    assert run.invoke(cli, ["pension", "advance", "2023-01-15"]).exit_code == 0
    r = run.invoke(cli, ["pension", "payroll", "2023-01", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["standard"] == "350.00"
    r = run.invoke(cli, ["pension", "bank-export", "2023-01", "--out", str(tmp_path), "--json"])
    files = json.loads(r.stdout)["files"]
    assert r.exit_code == 0 and len(files) >= 3
    results = tmp_path / "result.csv"
    rows = [ln.split(",") for f in files for ln in open(f, encoding="utf-8").read().splitlines()[1:-1]]
    results.write_text("\n".join(f"{x[0]},{x[4]},ok" for x in rows), encoding="utf-8")
    r = run.invoke(cli, ["pension", "bank-import", str(results), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["ok"] == len(rows)
    assert run.invoke(cli, ["pension", "reconcile"]).exit_code == 0


def test_pages(demo):
    c = new_client()
    assert login(c, "pensioner").status_code == 303
    r = c.get("/pension/me")
    assert r.status_code == 200 and "240.00 元" in r.text and "长辈版" in r.text
    c2 = new_client()
    login(c2, "pension-officer")
    page = c2.get("/officials/pension")
    assert page.status_code == 200 and "挂钩调整" in page.text
    csrf = re.findall(r'name="csrf_token" value="([^"]+)"', page.text)[0]
    key = re.search(r'action="/officials/pension/propose".*?name="idempotency_key" value="([^"]+)"', page.text,
                    re.S).group(1)
    r = c2.post("/officials/pension/propose", data={"csrf_token": csrf, "idempotency_key": key, "year": "2023",
                                                    "rural_income": "47000", "growth": "7.8%"})
    assert r.status_code == 303
    assert "350.00" in c2.get("/officials/pension").text
    assert c.get("/officials/pension").status_code == 403  # a citizen is not an officer
    assert "<script>" not in page.text and " onclick=" not in page.text
