"""Ids that mean one thing: person and enterprise ids are canonicalised at every edge (strip,
full-width → half-width, upper-case X, check digit) and anything else is refused, so the unique
constraints see one spelling per person; migration 0008 canonicalises the rows already stored."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from gazette import validate
from gazette.errors import GazetteError
from tests.conftest import ROOT
from tests.hardening.conftest import CITIZEN, ENTERPRISE, key

SHOW = "嘉政办发〔2022〕47号#二"
SHOW_FACTS = {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "80000"}
X_ID = next(f"33040219900101{n:03d}" for n in range(1000) if validate.id_check_digit(f"33040219900101{n:03d}") == "X")
X_ID += "X"
SPELLINGS = [CITIZEN + "\n", " " + CITIZEN + " ", "".join(chr(ord(c) + 0xFEE0) for c in CITIZEN)]


def test_a_second_spelling_is_the_same_person(admin):
    first = admin.post("/api/v1/vouchers/claims", headers=key("a"),
                       json={"programme": "nev", "district": "南湖区", "person_id": CITIZEN})
    assert first.status_code == 200, first.text
    for i, spelling in enumerate(SPELLINGS):  # a newline, spaces, full-width digits
        again = admin.post("/api/v1/vouchers/claims", headers=key(f"b{i}"),
                           json={"programme": "nev", "district": "南湖区", "person_id": spelling})
        assert again.status_code == 409 and again.json()["code"] == "already_claimed", (spelling, again.text)


def test_a_lower_case_x_is_stored_upper_case(admin):
    r = admin.post("/api/v1/vouchers/claims", headers=key("x"),
                   json={"programme": "nev", "district": "南湖区", "person_id": X_ID.lower()})
    assert r.status_code == 200 and r.json()["person_id"] == X_ID
    assert admin.get("/api/v1/vouchers", params={"person_id": X_ID.lower()}).json()[0]["person_id"] == X_ID


def test_anything_else_is_refused(admin):
    for bad in ["123", "1.0", CITIZEN[:-1] + "1", "DEMO-330402-0001", CITIZEN + "0", "", "330402199013011230"]:
        r = admin.post("/api/v1/vouchers/claims", headers=key("bad"),
                       json={"programme": "nev", "district": "南湖区", "person_id": bad})
        assert r.status_code == 422 and r.json()["code"] == "invalid_person_id", (bad, r.text)
        assert r.json()["field"] == "person_id"


def test_cli_refuses_a_made_up_person(vdb):
    proc = subprocess.run([sys.executable, "-m", "gazette.cli", "vouchers", "claim", "--programme", "nev",
                           "--district", "南湖区", "--person", "123", "--key", "k"],
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 1 and "invalid_person_id" in proc.stderr, proc.stderr


def test_a_second_spelling_is_the_same_enterprise(admin):
    ok = admin.post("/api/v1/applications", headers=key("e1"),
                    json={"enterprise_id": ENTERPRISE, "clause": SHOW, "facts": SHOW_FACTS})
    assert ok.status_code == 200, ok.text
    again = admin.post("/api/v1/applications", headers=key("e2"),
                       json={"enterprise_id": ENTERPRISE.lower() + "\n", "clause": SHOW, "facts": SHOW_FACTS})
    assert again.status_code == 409 and again.json()["code"] == "already_applied"
    bad = admin.post("/api/v1/applications", headers=key("e3"),
                     json={"enterprise_id": ENTERPRISE[:-1] + "0", "clause": SHOW, "facts": SHOW_FACTS})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_enterprise_id"


def test_fund_accounts_are_found_by_any_spelling(admin):
    body = {"person_id": CITIZEN + "\n", "name": "张三", "sex": "male", "birth_date": "1990-01-01", "base": "3000",
            "rate": "12"}
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service as S

    with unit_of_work() as s:
        S.setup(s, __import__("datetime").date(2022, 5, 1))
    r = admin.post("/api/v1/fund/accounts", json=body, headers=key("o"))
    assert r.status_code == 201 and r.json()["person_id"] == CITIZEN, r.text
    assert admin.get(f"/api/v1/fund/accounts/{CITIZEN.replace('0', '０', 1)}").json()["person_id"] == CITIZEN
    assert admin.get("/api/v1/fund/accounts/123").status_code == 422


def test_users_are_created_with_canonical_ids(uow):
    from gazette.auth import users

    with uow() as s:
        u = users.create_user(s, username="x-user", password="long-enough-1", role="citizen",
                              person_id=X_ID.lower() + " ")
        assert u["person_id"] == X_ID
        with pytest.raises(GazetteError):
            users.create_user(s, username="y-user", password="long-enough-1", role="citizen", person_id="p1")


def _migration():
    path = ROOT / "src/gazette/store/migrations/versions/0008_hardening.py"
    spec = importlib.util.spec_from_file_location("m0008", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_migration_0008_canonicalises_and_reports(uow, db_url):
    from gazette.store.db import get_engine

    now = "2022-10-08 00:00:00"
    with get_engine(db_url).begin() as conn:
        conn.execute(sa.text("INSERT INTO users (username, display_name, password_hash, role, person_id, active, created_at) "
                             "VALUES ('m1', 'm1', 'x', 'citizen', :p, true, :t), ('m2', 'm2', 'x', 'citizen', :q, true, :t), "
                             "('m3', 'm3', 'x', 'enterprise', NULL, true, :t)"),
                     {"p": " " + X_ID.lower() + "\n", "q": "DEMO-1", "t": now})
        conn.execute(sa.text("UPDATE users SET enterprise_id = :e WHERE username = 'm3'"), {"e": ENTERPRISE.lower()})
        report = sa.Table("id_check_report", sa.MetaData(), autoload_with=conn)
        conn.execute(report.delete())
        problems = _migration().canonicalise_ids(conn, report)
        rows = dict(conn.execute(sa.text("SELECT username, COALESCE(person_id, enterprise_id) FROM users "
                                         "WHERE username IN ('m1', 'm2', 'm3')")).all())
        stored = conn.execute(sa.text("SELECT table_name, column_name, value FROM id_check_report")).all()
    assert rows == {"m1": X_ID, "m2": "DEMO-1", "m3": ENTERPRISE}
    assert [(p["table_name"], p["value"]) for p in problems] == [("users", "DEMO-1")]
    assert [tuple(r) for r in stored] == [("users", "person_id", "DEMO-1")]


def test_migration_file_names_its_revision():
    text = Path(ROOT / "src/gazette/store/migrations/versions/0008_hardening.py").read_text()
    assert "revision = '0008'" in text and "down_revision = '0007'" in text
