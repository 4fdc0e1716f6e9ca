"""`gazette budget …` and `/api/v1/budget/…`: the journeys, the roles, problem+json, idempotency."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from gazette.cli import app as cli

from .conftest import EDU, HEALTH, rows

COLS = ["section", "department", "district", "item", "function_class", "amount_yuan", "expected_yuan", "limit_yuan",
        "share_percent", "on_actuals", "approval"]


def budget(*args: str):
    return CliRunner().invoke(cli, ["budget", *args])


def _write(path, data):
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLS, extrasaction="ignore")
        w.writeheader()
        w.writerows(data)
    return str(path)


def test_cli_journey(clean_db, tmp_path):
    r = budget("import", "2023", _write(tmp_path / "b.csv", rows()), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["ok"] is True
    r = budget("check", "2023", "--json")
    checks = json.loads(r.stdout)["checks"]
    assert [(c["rule"], c["clause"], c["mark"]) for c in checks] == [
        ("reserve_fund_1_to_3_percent", "嘉政发〔2022〕5号#二.（二）.5", "✓"),
        ("turnover_fund_at_most_1_percent", "嘉政发〔2022〕5号#二.（二）.6", "✓"),
        ("advance_general_transfers", "嘉政发〔2022〕5号#二.（二）.3", "✓"),
        ("advance_special_transfers", "嘉政发〔2022〕5号#二.（二）.3", "✓"),
        ("debt_within_limit", "嘉政发〔2022〕5号#二.（二）.7", "✓"),
        ("no_deficit", "嘉政发〔2022〕5号#四.（六）.2", "✓")]
    assert checks[0]["figures"] == {"reserve_fund": "2000000.00", "expenditure": "100000000.00",
                                    "ratio": "2.0000%", "minimum": "1.0000%", "maximum": "3.0000%"}
    assert "✓" in budget("check", "2023").stdout  # the table
    assert budget("event", "2023", "budget_approved", "--on", "2023-01-15").exit_code == 0
    r = budget("calendar", "2023", "--as-of", "2023-02-05", "--overdue", "--json")
    overdue = {(o["code"], o["subject"]) for o in json.loads(r.stdout)["obligations"]}
    assert ("budget_disclosure", "市财政局") in overdue and ("finance_reply", EDU) in overdue
    r = budget("request", "2023", "--department", EDU, "--unit", "嘉兴市第一中学", "--title", "临时工作",
               "--kind", "reserve_fund", "--condition", "new_temporary_work", "--amount", "50000",
               "--performance", "优", "--affordability", "可承受", "--on", "2023-08-01", "--json")
    assert r.exit_code == 0, r.output
    rid = str(json.loads(r.stdout)["id"])
    assert json.loads(budget("route", rid, "--on", "2023-08-02", "--json").stdout)["next_step"] == "finance_review"
    r = budget("decide", rid, "approve", "--on", "2023-12-02", "--json")
    assert r.exit_code == 1 and r.exception.code == "approval_window_closed"
    assert budget("decide", rid, "approve", "--on", "2023-08-03", "--role", "finance_officer").exit_code == 0
    assert json.loads(budget("requests", "2023", "--reserve-list", "--json").stdout)[0]["rank"] == 1
    assert len(json.loads(budget("show", rid, "--json").stdout)["decisions"]) == 2


def test_cli_bad_input_is_one_line(clean_db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("section,department\nexpenditure,市教育局\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "gazette.cli", "budget", "import", "2023", str(bad)],
                          capture_output=True, text=True, env={**os.environ}, timeout=60)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "missing_columns" in lines[0] and "amount_yuan" in lines[0]
    assert "Traceback" not in proc.stderr


@pytest.fixture()
def api(clean_db):
    from gazette.api.app import create_app
    from gazette.auth.testing import bearer

    client = TestClient(create_app(), raise_server_exceptions=False)
    h = {"fin": bearer("fin", "finance_officer"), "edu": bearer("edu", "department", unit=EDU),
         "mayor": bearer("mayor", "approver"), "aud": bearer("aud", "auditor"),
         "cit": bearer("cit", "citizen")}
    return client, h


def _k(h, key):
    return {**h, "Idempotency-Key": key}


def test_api_journey_roles_and_problems(api):
    c, h = api
    r = c.post("/api/v1/budget/years/2023/import", json={"rows": rows()}, headers=_k(h["fin"], "i1"))
    assert r.status_code == 200 and r.json()["ok"] is True
    assert c.post("/api/v1/budget/years/2023/import", json={"rows": rows()}, headers=_k(h["edu"], "i2")).status_code == 403
    assert c.post("/api/v1/budget/years/2023/import", json={"rows": rows()}, headers=h["fin"]).json()["code"] == \
        "idempotency_key_required"
    # bad input: problem+json naming the field, nothing written
    bad = c.post("/api/v1/budget/years/2023/requests", headers=_k(h["edu"], "b1"),
                 json={"unit": "嘉兴市第一医院", "title": "x", "kind": "reallocation", "condition": "new_staff",
                       "amount_yuan": "100"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["code"] == "skipped_department" and bad.json()["field"] == "unit"
    neg = c.post("/api/v1/budget/years/2023/requests", headers=_k(h["edu"], "b2"),
                 json={"title": "x", "kind": "reallocation", "condition": "new_staff", "amount_yuan": "-100"})
    assert neg.status_code == 422 and neg.json()["field"] == "amount_yuan"
    # the department files for its unit (its department is its own, whatever the body says)
    body = {"unit": "嘉兴市第一中学", "title": "新增人员经费", "kind": "reserve_fund", "condition": "new_staff",
            "amount_yuan": "80000", "performance": "良", "affordability": "可承受", "priority_class": 1,
            "on": "2023-07-03"}
    r = c.post("/api/v1/budget/years/2023/requests", headers=_k(h["edu"], "f1"), json=body)
    assert r.status_code == 200 and r.json()["department"] == EDU
    again = c.post("/api/v1/budget/years/2023/requests", headers=_k(h["edu"], "f1"), json=body)
    assert again.json()["replayed"] is True and again.json()["id"] == r.json()["id"]
    rid = r.json()["id"]
    assert c.post("/api/v1/budget/years/2023/requests", headers=_k(h["edu"], "f2"),
                  json=body | {"department": HEALTH}).status_code == 403
    assert c.post(f"/api/v1/budget/requests/{rid}/route", headers=_k(h["edu"], "r0"), json={}).status_code == 403
    r = c.post(f"/api/v1/budget/requests/{rid}/route", headers=_k(h["fin"], "r1"), json={"on": "2023-07-04"})
    assert r.json()["status"] == "queued" and r.json()["next_step"] == "finance_review"
    dec = c.post(f"/api/v1/budget/requests/{rid}/decision", headers=_k(h["fin"], "d1"),
                 json={"outcome": "approve", "on": "2023-12-01"})
    assert dec.status_code == 422 and dec.json()["code"] == "approval_window_closed" and dec.json()["field"] == "on"
    dec = c.post(f"/api/v1/budget/requests/{rid}/decision", headers=_k(h["mayor"], "d2"),
                 json={"outcome": "approve", "on": "2023-07-05"})
    assert dec.status_code == 403 and dec.json()["code"] == "wrong_role_for_step"
    assert c.post(f"/api/v1/budget/requests/{rid}/decision", headers=_k(h["fin"], "d3"),
                  json={"outcome": "approve", "on": "2023-07-05"}).json()["next_step"] == "city_approval"
    out = c.post(f"/api/v1/budget/requests/{rid}/decision", headers=_k(h["mayor"], "d4"),
                 json={"outcome": "approve", "on": "2023-07-06"}).json()
    assert out["status"] == "approved"
    shown = c.get(f"/api/v1/budget/requests/{rid}", headers=h["aud"]).json()
    assert [(d["actor"], d["on"], d["clause"]) for d in shown["decisions"]] == [
        ("fin", "2023-07-04", "嘉政发〔2022〕5号#四.（五）.2"), ("fin", "2023-07-05", "嘉政发〔2022〕5号#四.（五）.2"),
        ("mayor", "2023-07-06", "嘉政发〔2022〕5号#四.（五）.2")]
    # the auditor reads everything and writes nothing; a citizen sees nothing
    assert c.get("/api/v1/budget/years/2023/checks", headers=h["aud"]).json()["ok"] is True
    assert c.post("/api/v1/budget/years/2023/checks", headers=_k(h["aud"], "c1")).status_code == 403
    assert c.get("/api/v1/budget/years/2023/requests", headers=h["cit"]).status_code == 403
    # events: finance records the approval; the department only its own replies and reports
    assert c.post("/api/v1/budget/years/2023/events", headers=_k(h["fin"], "e1"),
                  json={"kind": "budget_approved", "on": "2023-01-15"}).status_code == 200
    assert c.post("/api/v1/budget/years/2023/events", headers=_k(h["edu"], "e2"),
                  json={"kind": "budget_disclosed", "on": "2023-01-20"}).status_code == 403
    assert c.post("/api/v1/budget/years/2023/events", headers=_k(h["edu"], "e3"),
                  json={"kind": "monthly_report", "subject": EDU, "period": "2023-01",
                        "on": "2023-02-10"}).status_code == 200
    dup = c.post("/api/v1/budget/years/2023/events", headers=_k(h["fin"], "e4"),
                 json={"kind": "budget_approved", "on": "2023-01-16"})
    assert dup.status_code == 409 and dup.json()["code"] == "event_already_recorded"
    cal = c.get("/api/v1/budget/years/2023/calendar?as_of=2023-02-05", headers=h["edu"]).json()
    assert {o["subject"] for o in cal["obligations"]} == {EDU}
    assert any(o["code"] == "finance_reply" and o["overdue"] for o in cal["obligations"])
    assert c.get("/api/v1/budget/years/1999/calendar", headers=h["fin"]).status_code == 422
    assert c.get("/api/v1/budget/years/2031/calendar", headers=h["fin"]).status_code == 404


def test_api_file_import(api):
    c, h = api
    content = ("\ufeff" + ",".join(COLS) + "\n" + "expenditure,市教育局,,,教育支出,-1,,,,,\n").encode()
    r = c.post("/api/v1/budget/years/2023/import-file", headers=_k(h["fin"], "x1"),
               files={"file": ("b.csv", content, "text/csv")})
    assert r.status_code == 422 and r.json()["details"]["rows"][0] | {"row": 2, "column": "amount_yuan"} == \
        r.json()["details"]["rows"][0]
    assert c.get("/api/v1/budget/years", headers=h["fin"]).json() == []
