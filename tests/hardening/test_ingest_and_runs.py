"""An ingest that would lose documents, clauses or dates from a stored issue is refused unless
forced, and every replaced version is kept and restorable; runs report the truth (payments keyed by
a validated day pay what is due and unpaid; a resumed fund collection reports the whole run)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select

from gazette.api.problems import http_status
from gazette.auth.testing import bearer
from gazette.corpus import service
from gazette.errors import GazetteError
from gazette.store.corpus_models import DocumentRow, IssueRow
from tests.conftest import GAZETTES, is_postgres
from tests.hardening.conftest import ENTERPRISE, api, key

OCTOBER = GAZETTES / "jiaxing-gazette-2022-10.txt"
SHOW = "嘉政办发〔2022〕47号#二"
SHOW_FACTS = {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "80000"}


def _counts(uow):
    with uow() as s:
        issue = s.get(IssueRow, "2022-10")
        return len(s.scalars(select(DocumentRow.id)).all()), issue.published if issue else None


def test_a_truncated_upload_is_refused_then_forced_then_restored(uow):
    data = OCTOBER.read_bytes()
    with uow() as s:
        service.ingest_bytes(s, data, OCTOBER.name)
    full = _counts(uow)
    truncated = data[: len(data) // 3]
    with pytest.raises(GazetteError) as exc, uow() as s:
        service.ingest_bytes(s, truncated, OCTOBER.name)
    assert exc.value.code == "ingest_would_lose_content" and http_status(exc.value) == 409
    assert exc.value.details["counts"]["documents"] > 0
    assert _counts(uow) == full  # nothing changed
    c = api(**bearer())
    r = c.post("/api/v1/ingest", files={"file": (OCTOBER.name, truncated, "text/plain")})
    assert r.status_code == 409 and r.json()["code"] == "ingest_would_lose_content"
    r = c.post("/api/v1/ingest", params={"force": "true"}, files={"file": (OCTOBER.name, truncated, "text/plain")})
    assert r.status_code == 201 and r.json()["outcome"] == "replaced"
    assert _counts(uow)[0] < full[0]
    versions = c.get("/api/v1/sources/versions", params={"key": "issue:2022-10"}).json()
    assert [v["forced"] for v in versions] == [True, False] and versions[0]["current"]
    assert versions[0]["losses"]["documents"]
    r = c.post(f"/api/v1/sources/versions/{versions[1]['version_id']}/restore")
    assert r.status_code == 200, r.text
    assert _counts(uow) == full
    assert len(c.get("/api/v1/sources/versions").json()) == 3  # the restore is a version too


def test_an_ingest_that_loses_a_date_is_refused(uow):
    data = OCTOBER.read_text(encoding="utf-8")
    with uow() as s:
        service.ingest_bytes(s, data.encode(), OCTOBER.name)
    with uow() as s:
        published = s.get(IssueRow, "2022-10").published
    assert published is not None
    # the same issue with its publication line blanked: every document is there, the date is not
    lines = data.splitlines()
    cut = [ln for ln in lines if str(published.year) not in ln or "出版" not in ln and "印发" not in ln]
    changed = "\n".join(cut).encode()
    with uow() as s:
        from gazette.corpus.parse import parse_bytes

        if parse_bytes(changed, OCTOBER.name).issue.published is not None:
            pytest.skip("this issue states its date in a form the test cannot blank")
    with pytest.raises(GazetteError) as exc, uow() as s:
        service.ingest_bytes(s, changed, OCTOBER.name)
    assert "2022-10: published" in exc.value.details["dates"]


def _approved(admin, k: str) -> int:
    r = admin.post("/api/v1/applications", headers=key(f"s-{k}"),
                   json={"enterprise_id": ENTERPRISE, "clause": SHOW, "facts": SHOW_FACTS})
    assert r.status_code == 200, r.text
    aid = r.json()["application_id"]
    admin.post(f"/api/v1/applications/{aid}/review", headers=key(f"rv-{k}"))
    assert admin.post(f"/api/v1/applications/{aid}/approve", headers=key(f"ap-{k}")).status_code == 200
    return aid


def test_an_approval_after_the_days_run_is_paid_by_the_next_run(admin):
    first = _approved(admin, "1")
    r = admin.post("/api/v1/applications/payment-runs", json={}, headers=key("run-1"))
    assert r.status_code == 200 and r.json()["result"]["paid"] == 1 and r.json()["period"] == "2022-10-08"
    admin.post(f"/api/v1/applications/{first}/review", headers=key("rv-again"))
    # the same enterprise cannot apply twice for one clause: a second enterprise's application
    other = "91330411700000002C"
    r = admin.post("/api/v1/applications", headers=key("s-2"),
                   json={"enterprise_id": other, "clause": SHOW, "facts": SHOW_FACTS})
    aid = r.json()["application_id"]
    admin.post(f"/api/v1/applications/{aid}/review", headers=key("rv-2"))
    admin.post(f"/api/v1/applications/{aid}/approve", headers=key("ap-2"))
    again = admin.post("/api/v1/applications/payment-runs", json={"period": "2022-10-08"}, headers=key("run-2"))
    assert again.status_code == 200 and again.json()["result"]["paid"] == 1, again.text
    assert again.json()["period"] == "2022-10-08#2"
    assert admin.get(f"/api/v1/applications/{aid}").json()["status"] == "paid"
    idle = admin.post("/api/v1/applications/payment-runs", json={}, headers=key("run-3"))
    assert idle.json()["already_completed"] is True and idle.json()["period"] == "2022-10-08#2"


@pytest.mark.parametrize("period", ["2022-10-08b", "2022-13-01", "tomorrow", "2022-10-09"])
def test_a_payment_run_period_is_a_valid_day_not_after_today(admin, period):
    r = admin.post("/api/v1/applications/payment-runs", json={"period": period}, headers=key("run"))
    assert r.status_code == 422 and r.json()["field"] == "period", r.text


@pytest.mark.postgres
def test_concurrent_payment_runs_never_answer_409(admin, db_url):
    if not is_postgres(db_url):
        pytest.skip("PostgreSQL")
    for i in range(3):
        e = f"9133040000000{i:04d}"
        from gazette.validate import uscc_check_char

        eid = e + uscc_check_char(e)
        r = admin.post("/api/v1/applications", headers=key(f"c-{i}"),
                       json={"enterprise_id": eid, "clause": SHOW, "facts": SHOW_FACTS})
        aid = r.json()["application_id"]
        admin.post(f"/api/v1/applications/{aid}/review", headers=key(f"rv-{i}"))
        admin.post(f"/api/v1/applications/{aid}/approve", headers=key(f"a-{i}"))
    answers = []

    def run():
        answers.append(api(**admin.headers).post("/api/v1/applications/payment-runs", json={},
                                                 headers=key(f"run-{threading.get_ident()}")))

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers if a.status_code != 200]
    paid = admin.get("/api/v1/applications", params={"status": "paid"}).json()
    assert len(paid) == 3


def test_a_resumed_fund_collection_reports_the_whole_run(uow):
    from gazette.validate import example_person_id
    from jiaxing.schemes.provident_fund import service as S
    from jiaxing.schemes.provident_fund.domain import Applicant

    with uow() as s:
        S.setup(s, dt.date(2022, 5, 1))
    with uow() as s:
        for i in range(6):
            S.open_account(s, Applicant(example_person_id(i + 1), "测", "male", dt.date(1985, 1, 1)), 300_000, "12")
    with uow() as s:
        S.advance(s, dt.date(2022, 6, 2))
    calls = {"n": 0}

    def crash_after_two(progress):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        S.monthly_collection("2022-05", width=2, on_progress=crash_after_two)
    run = S.monthly_collection("2022-05", width=2)
    assert run.result["rows"] == 6 and run.result["rows_this_attempt"] < 6
    assert run.result["amount_fen"] == 6 * 36_000
