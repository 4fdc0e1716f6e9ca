"""Safer output: CSV cells a spreadsheet would execute are neutralised; the Akoma Ntoso export is
well-formed XML whatever the text holds (hypothesis over random text, every export parsed back);
anonymous denials cannot grow access_denials without bound."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from gazette import csvsafe
from gazette.auth.models import AccessDenial
from gazette.corpus import akn
from gazette.ledger.clock import now
from tests.hardening.conftest import api

FORMULAS = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "=1"]


def test_csv_cells_are_neutralised_and_numbers_kept():
    for f in FORMULAS:
        assert csvsafe.cell(f).startswith("'") and csvsafe.cell(f)[1:] == f
    for keep in ("-12.50", "12", "张三", "", None, 5, -3, "a=b"):
        assert csvsafe.cell(keep) == keep


def test_officials_csv_neutralises_a_malicious_name():
    from jiaxing.web.officials import csv_response

    body = csv_response("x.csv", ["姓名 name", "金额"], [[f, "-12.50"] for f in FORMULAS]).body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))[1:]
    assert [r[0] for r in rows] == ["'" + f for f in FORMULAS]
    assert all(r[1] == "-12.50" for r in rows)


def test_batch_csv_output_is_neutralised(tmp_path):
    import polars as pl

    from gazette.rules.batch import write_table

    out = tmp_path / "out.csv"
    write_table(pl.DataFrame({"name": FORMULAS, "n": list(range(len(FORMULAS)))}), out)
    back = pl.read_csv(out)
    assert back["name"].to_list() == ["'" + f.replace("\r", "\r") for f in FORMULAS]


DOC = {"id": "嘉政办发〔2022〕47号", "doc_number": "嘉政办发〔2022〕47号", "signed": "2022-09-22", "issuer": "市政府办公室",
       "clauses": [], "paragraphs": []}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=st.text(max_size=40), body=st.text(max_size=200), label=st.text(max_size=5))
def test_akn_export_parses_back_whatever_the_text(title, body, label):
    doc = {**DOC, "title": title, "paragraphs": [body],
           "clauses": [{"id": DOC["id"] + "#一", "path": "一", "label": label, "heading": title, "text": body,
                        "kind": "l1", "children": [], "windows": []}]}
    root = akn.document_xml(doc, [], {"id": "2022-10", "title": title, "published": "2022-10-25"})
    text = akn.to_string(root)
    parsed = ET.fromstring(text.split("\n", 1)[1])  # raises on anything XML 1.0 forbids
    assert parsed is not None
    for bad in ("\ufffe", "\u202e", "\x00", "\x0b"):
        assert bad not in text


def test_akn_keeps_the_visible_text():
    assert akn.clean_text("嘉兴\u202e市\ufffe政府\x07公报") == "嘉兴市政府公报"


def test_anonymous_denials_are_sampled_and_capped(uow):
    c = api()
    for i in range(30):
        assert c.get("/api/v1/auth/me" + "/x" * 0, headers={"x-n": str(i)}).status_code == 401
        assert c.post("/api/v1/vouchers/setup?" + "p" * 10).status_code == 401
    long_path = "/api/v1/vouchers/" + "9" * 1500
    c.get(long_path, headers={"Authorization": "Bearer wrong"})
    with uow() as s:
        rows = s.execute(select(AccessDenial.reason, func.count()).group_by(AccessDenial.reason)).all()
        paths = s.scalars(select(AccessDenial.path)).all()
    assert dict(rows) == {"authentication_required": 1, "invalid_token": 1}  # 61 requests, 2 rows
    assert max(len(p) for p in paths) <= 200


def test_prune_keeps_the_retention_period(uow):
    from gazette.auth.audit import prune

    with uow() as s:
        for days in (1, 179, 181, 400):
            s.add(AccessDenial(at=now() - dt.timedelta(days=days), method="GET", path="/", reason=f"r{days}", ip="x"))
    with uow() as s:
        assert prune(s)["access_denials"] == 2
    with uow() as s:
        assert sorted(s.scalars(select(AccessDenial.reason))) == ["r1", "r179"]


def test_prune_command(uow):
    import json

    from typer.testing import CliRunner

    from gazette.cli import app

    with uow() as s:
        s.add(AccessDenial(at=now() - dt.timedelta(days=40), method="GET", path="/", reason="old", ip="x"))
    r = CliRunner().invoke(app, ["users", "prune-denials", "--days", "30"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["access_denials"] == 1
