"""The care half's API, CLI and pages over the demo data: roles and scoping, Idempotency-Key on every
change, the person's statement (嘉政发〔2022〕21号#一.（二）), the provider's view, the officer's queue
(嘉政发〔2022〕21号#三.（四）.12) and providers with their stars (嘉政发〔2022〕21号#三.（二）.7)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from gazette.auth import users
from gazette.auth.demo import DEMO_PASSWORD
from gazette.cli import app as cli
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import care_demo
from tests.auth.conftest import login, new_client, token_for


@pytest.fixture(scope="module")
def demo(db_url):
    from gazette.auth import sessions
    from gazette.store.db import get_engine
    from gazette.store.models import Base

    with get_engine(db_url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())
    sessions.reset_secret_cache()
    care_demo.run()
    return db_url


def test_api_roles_statement_and_decisions(demo):
    c = new_client()
    elder, officer = token_for(c, "care-elder"), token_for(c, "care-officer")
    st = c.get(f"/api/v1/ltc/care/statements/{care_demo.ELDER}", headers=elder)
    assert st.status_code == 200, st.text
    months = {m["month"]: m for m in st.json()["months"]}
    # 9 home visits of S01 + M01 (DEMO 60 + 20 yuan) in January: 720.00, within the 1,500 limit, fund 80%
    assert months["2023-01"]["cost"] == "720.00" and months["2023-01"]["fund"] == "576.00"
    assert months["2023-01"]["personal"] == "144.00"
    assert st.json()["deductions"][0]["rules"][0]["id"] == "V06"  # the confirmed face-check failure
    other = care_demo.PEOPLE[1][0]
    assert c.get(f"/api/v1/ltc/care/statements/{other}", headers=elder).status_code == 403
    q = c.get("/api/v1/ltc/care/findings", headers=officer).json()
    assert q["district"] == "南湖区" and q["flagged"], q
    fid = q["flagged"][0]["id"]
    r = c.post(f"/api/v1/ltc/care/findings/{fid}/decision", headers=officer, json={"decision": "dismiss"})
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_required"
    r = c.post(f"/api/v1/ltc/care/findings/{fid}/decision", headers={**officer, "Idempotency-Key": "k1"},
               json={"decision": "dismiss", "note": "核实无误"})
    assert r.status_code == 200 and r.json()["status"] == "dismissed"
    again = c.post(f"/api/v1/ltc/care/findings/{fid}/decision", headers={**officer, "Idempotency-Key": "k1"},
                   json={"decision": "dismiss", "note": "核实无误"})
    assert again.json()["replayed"] is True
    r = c.post("/api/v1/ltc/care/settlements/2023-02", headers={**officer, "Idempotency-Key": "s"})
    assert r.status_code == 200 and r.json()["already_completed"] is True
    r = c.post("/api/v1/ltc/care/settlements/2025-01", headers={**officer, "Idempotency-Key": "s2"})
    assert r.status_code == 422 and r.json()["code"] == "not_covered"
    assert c.post("/api/v1/ltc/care/settlements/2023-03", headers={**elder, "Idempotency-Key": "x"}).status_code == 403


def test_caregiver_checks_in_and_out_over_the_api(demo):
    c = new_client()
    worker = token_for(c, "care-worker")
    h = {**worker, "Idempotency-Key": "in-1"}
    r = c.post("/api/v1/ltc/care/visits/checkin", headers=h,
               json={"person_id": care_demo.ELDER, "at": "2023-03-30T09:00", "lat": "30.752100", "lon": "120.755000",
                     "face": "pass"})
    assert r.status_code == 201, r.text
    vid = r.json()["visit_id"]
    with unit_of_work() as session:  # a colleague of the same provider, with a certificate of her own
        users.create_user(session, username="care-worker-2", display_name="周护理员（演示）", role="caregiver",
                          unit="CG-DEMO-02", password=DEMO_PASSWORD)
    colleague = token_for(c, "care-worker-2")
    r = c.post(f"/api/v1/ltc/care/visits/{vid}/checkout", headers={**colleague, "Idempotency-Key": "out-x"},
               json={"at": "2023-03-30T10:00", "items": ["S01"]})
    assert r.status_code == 404 and r.json()["field"] == "visit_id", r.text  # only who checked in checks out
    with unit_of_work() as session:
        assert session.execute(text("SELECT done FROM ltc_visits WHERE id = :v"), {"v": vid}).scalar() in (False, 0)
    r = c.post(f"/api/v1/ltc/care/visits/{vid}/checkout", headers={**worker, "Idempotency-Key": "out-0"},
               json={"at": "2023-03-30T08:00", "items": ["S01"]})
    assert r.status_code == 422 and r.json()["code"] == "checkout_before_checkin" and r.json()["field"] == "at"
    r = c.post(f"/api/v1/ltc/care/visits/{vid}/checkout", headers={**worker, "Idempotency-Key": "out-1"},
               json={"at": "2023-03-30T10:00", "items": ["S01", "M01"]})
    assert r.status_code == 200 and r.json()["cost_fen"] == 8000
    r = c.post("/api/v1/ltc/care/visits/checkin", headers={**worker, "Idempotency-Key": "in-2"},
               json={"person_id": "330402194001010112", "at": "2023-03-30T11:00"})
    assert r.status_code == 409 and r.json()["code"] == "no_care_plan"


def test_pages_speak_plainly(demo):
    c = new_client()
    assert login(c, "care-elder").status_code == 303
    page = c.get("/ltc/care/me")
    assert page.status_code == 200 and "每月结算" in page.text and "576.00" in page.text
    assert "severe_1" not in page.text and "home" not in page.text.split("<main", 1)[-1].split("</main>")[0].lower() \
        .replace("homepage", "")
    c2 = new_client()
    login(c2, "care-provider")
    assert "结算申报" in c2.get("/ltc/care/provider").text
    c3 = new_client()
    login(c3, "care-officer")
    assert "疑点复核" in c3.get("/ltc/care/review").text
    assert "星" in new_client().get("/ltc/care/providers").text


def test_cli_json(demo):
    out = CliRunner().invoke(cli, ["ltc", "settle", "statement", care_demo.ELDER, "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["months"][-1]["month"] == "2023-01"
    bad = CliRunner().invoke(cli, ["ltc", "visits", "checkout", "1", "not-a-time", "--items", "S01"])
    assert bad.exit_code != 0 and "invalid_time" in bad.output + str(bad.exception)
