"""`gazette ltc …`, `/api/v1/ltc/…` and the pages of the intake half over the demo data —
嘉政发〔2022〕21号#三.（三）.9 (online and desk), 嘉政发〔2022〕21号#三.（四）.11 (驾驶舱), 嘉政发〔2022〕21号#一.（二） (双盲)."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from gazette.cli import app as cli
from jiaxing.schemes.ltc import intake_demo as demo_data
from tests.auth.conftest import login, new_client, token_for

from .conftest import counts, items


@pytest.fixture()
def demo(clean_db):
    from gazette.auth import sessions

    sessions.reset_secret_cache()
    demo_data.run()
    return clean_db


def _review_app(c, off) -> dict:
    return [a for a in c.get("/api/v1/ltc/applications", headers=off).json() if a["status"] == "review"][0]


def test_api_roles_blindness_and_keys(demo):
    c = new_client()
    off, fam = token_for(c, "ltc-officer"), token_for(c, "ltc-family")
    jiashan = token_for(c, "ltc-officer-jiashan")
    # the citizen's reminder (要我申请) is shown through the API for the person it concerns only
    assert c.get("/api/v1/ltc/reminders/me", headers=fam).json()["reminder"] is None
    rem = c.get("/api/v1/ltc/reminders/me", headers=token_for(c, "ltc-elder")).json()["reminder"]
    assert rem["person_id"] == demo_data.FATHER and rem["reasons"][0]["source"].startswith("discharge:")
    r = c.post("/api/v1/ltc/applications", headers=fam, json={"person_id": demo_data.FATHER, "channel": "online_agent",
                                                                "agent_name": "王女士", "agent_relation": "子女"})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    r = c.post("/api/v1/ltc/applications", headers={**fam, "Idempotency-Key": "a1"},
               json={"person_id": demo_data.FATHER, "channel": "online_self"})
    assert r.status_code == 403  # not themself: only as an agent
    r = c.post("/api/v1/ltc/applications", headers={**fam, "Idempotency-Key": "a1"},
               json={"person_id": demo_data.FATHER, "channel": "online_agent", "agent_name": "王女士",
                     "agent_relation": "子女"})
    assert r.status_code == 200, r.text
    app_id = r.json()["id"]
    again = c.post("/api/v1/ltc/applications", headers={**fam, "Idempotency-Key": "a1"},
                   json={"person_id": demo_data.FATHER, "channel": "online_agent", "agent_name": "王女士",
                         "agent_relation": "子女"})
    assert again.json()["id"] == app_id and again.json()["replayed"]
    # a district officer does not see another district's application (the same 404 as a missing one)
    assert c.get(f"/api/v1/ltc/applications/{app_id}", headers=jiashan).status_code == 404
    assert c.get(f"/api/v1/ltc/applications/{app_id}", headers=fam).status_code == 200
    # the review in progress: one expert has scored; nobody else reads a score, nor the other's name
    rev = _review_app(c, off)
    seats = c.get(f"/api/v1/ltc/applications/{rev['id']}/assessment", headers=off).json()["seats"]
    assert len(seats) == 2 and all(s["total"] is None for s in seats)
    scored = [s for s in seats if s["scored"]][0]["expert"]
    waiting = [s for s in seats if not s["scored"]][0]["expert"]
    w = token_for(c, waiting)
    view = c.get(f"/api/v1/ltc/applications/{rev['id']}/assessment", headers=w).json()
    other = [s for s in view["seats"] if s.get("expert") != waiting]
    assert other == [{"seat": other[0]["seat"], "scored": True}] and "initial_total" not in view["form"]
    assert scored not in json.dumps(view, ensure_ascii=False)
    before = counts()
    bad = items(28)
    bad["feeding"] = 11
    r = c.post(f"/api/v1/ltc/applications/{rev['id']}/score", headers={**w, "Idempotency-Key": "s1"},
               json={"items": bad})
    assert r.status_code == 422 and r.json()["field"] == "items.feeding" and counts() == before
    r = c.post(f"/api/v1/ltc/applications/{rev['id']}/score", headers={**w, "Idempotency-Key": "s2"},
               json={"items": items(28)})
    assert r.status_code == 200 and r.json()["decided"], r.text
    seats = c.get(f"/api/v1/ltc/applications/{rev['id']}/assessment", headers=off).json()["seats"]
    assert all(s["total"] is not None for s in seats)
    r = c.get("/api/v1/ltc/dashboard.csv", headers=off)
    assert r.status_code == 200 and "enrolment" in r.text and "嘉政发〔2022〕21号#二" in r.text
    d = c.get("/api/v1/ltc/dashboard", headers=jiashan).json()
    assert d["district"] == "嘉善县" and [e["district"] for e in d["enrolment"]] == ["嘉善县"]


def test_cli(demo, tmp_path):
    run = CliRunner()
    bad = tmp_path / "roster.csv"
    bad.write_text("person_id,name,district,scheme,insured_since\n330402194201010000,甲,南湖区,居民,2018-01-01\n",
                   encoding="utf-8")
    before = counts()
    r = run.invoke(cli, ["ltc", "import", str(bad), "--kind", "roster", "--batch", "x"])
    assert r.exit_code != 0 and counts() == before
    r = run.invoke(cli, ["ltc", "dashboard", "--json", "--csv", str(tmp_path / "d.csv")])
    assert r.exit_code == 0, r.output
    dash = json.loads(r.stdout)
    assert dash["totals"]["beneficiaries"] == 5 and dash["targets"]["beneficiaries"] == 45000
    assert (tmp_path / "d.csv").read_text(encoding="utf-8").startswith("\ufeffsection")
    r = run.invoke(cli, ["ltc", "candidates", "--json"])
    assert demo_data.FATHER in r.stdout
    r = run.invoke(cli, ["ltc", "apply", demo_data.FATHER, "--on", "2023-06-10", "--key", "k1", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["channel"] == "desk"
    app_id = json.loads(r.stdout)["id"]
    r = run.invoke(cli, ["ltc", "assess", "collect", str(app_id), "--items",
                         ",".join(f"{k}={v}" for k, v in items(20).items()), "--on", "2023-06-12",
                         "--actor", "ltc-assessor", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["initial_grade"] == "severe_3", r.output
    r = run.invoke(cli, ["ltc", "assess", "show", str(app_id), "--as", "ltc-expert-1", "--expert", "--json"])
    assert r.exit_code == 0 and all(s.get("total") is None for s in json.loads(r.stdout)["seats"])


def test_pages(demo):
    for user, url, marker in (("ltc-officer", "/ltc/desk", "驾驶舱"), ("ltc-assessor", "/ltc/assessor", "信息采集"),
                              ("ltc-expert-1", "/ltc/expert", "双盲")):
        c = new_client()
        assert login(c, user).status_code == 303
        r = c.get(url)
        assert r.status_code == 200 and marker in r.text, (user, r.status_code)
        assert "<svg" in r.text or user != "ltc-officer"
    c = new_client()
    login(c, "ltc-family")
    r = c.get("/ltc/me")
    assert r.status_code == 200 and "为家人代办" in r.text
    assert c.get("/ltc/desk").status_code == 403
    csrf = re.findall(r'name="csrf_token" value="([^"]+)"', r.text)[-1]
    key = re.search(r'name="idempotency_key" value="([^"]+)"><input type="hidden" name="for" value="agent"', r.text)[1]
    r = c.post("/ltc/me/apply", data={"csrf_token": csrf, "idempotency_key": key, "for": "agent",
                                      "person_id": demo_data.FATHER, "agent_name": "王女士", "agent_relation": "子女"})
    assert r.status_code == 303, r.text
    r = c.get("/ltc/me")
    assert "家属代办" in r.text and "已受理" in r.text
