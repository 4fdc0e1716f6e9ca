"""Issue #11 for vouchers and enterprise subsidies: every state-changing route requires the shared
Idempotency-Key; without it nothing is written, and a replay with the same key returns the first
answer (``replayed: true``) and writes nothing more."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from gazette.api.app import create_app
from gazette.api.idempotency import HEADER
from gazette.auth.testing import bearer
from gazette.store.ledger_models import (
    AuditLogRow,
    IdempotencyKeyRow,
    LedgerBookRow,
    LedgerEntryRow,
    LedgerRunRow,
)
from jiaxing.schemes.vouchers import enterprise
from jiaxing.schemes.vouchers.models import Application, EnterpriseProfile, Pool, Programme, Voucher

from .helpers import eid, state

SHOW = "嘉政办发〔2022〕47号#二"
SHOW_FACTS = {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "80000"}
PARK_FACTS = {"nev_park_operator": True, "nev_park_new_companies": {"2022": 2}}
NEV = {"programme": "nev", "district": "南湖区", "person_id": "330402199001011230"}
CAR = {"price_yuan": "250000.00", "date": "2022-10-08", "new_energy": True}
ENTERPRISE_ID = eid("offered")
TABLES = (Voucher, Application, EnterpriseProfile, Programme, Pool, LedgerEntryRow, IdempotencyKeyRow, AuditLogRow,
          LedgerRunRow)


@pytest.fixture()
def admin(vdb):
    client = TestClient(create_app(), raise_server_exceptions=False)
    client.headers.update(bearer())
    return client


@pytest.fixture()
def company(vdb):
    """The enterprise whose 免申即享 offer the ``offered`` fixture makes."""
    client = TestClient(create_app(), raise_server_exceptions=False)
    client.headers.update(bearer("test-enterprise", "enterprise", enterprise_id=ENTERPRISE_ID))
    return client


@pytest.fixture()
def applications(vdb) -> dict[str, int]:
    """Two submitted applications (to review, to reject) and one 免申即享 offer (to decline)."""
    ids = {}
    for tag in ("review", "reject"):
        with vdb() as s:
            ids[tag] = enterprise.submit(s, enterprise_id=eid(tag), clause=SHOW, facts=SHOW_FACTS,
                                         key=f"set-up-{tag}")["application_id"]
    with vdb() as s:
        enterprise.load_enterprises(s, [{"id": ENTERPRISE_ID, "name": "甲公司", "facts": PARK_FACTS}])
    assert enterprise.no_apply_run(uow=vdb).result["offered"] == 1
    with vdb() as s:
        ids["offer"] = enterprise.list_applications(s, status="offered")[0]["application_id"]
    return ids


def snapshot(uow) -> tuple:
    """Row counts of every table a voucher command writes, the scheme's state and the business date."""
    with uow() as s:
        counts = tuple(s.execute(select(func.count()).select_from(table)).scalar() for table in TABLES)
        business_date = s.execute(select(LedgerBookRow.business_date).where(LedgerBookRow.code == "vouchers")).scalar()
    return counts, state(uow), business_date


# (who, path, body) for every state-changing route of the scheme; ids are filled in from ``applications``.
ROUTES = [
    ("admin", "/api/v1/vouchers/setup", None),
    ("admin", "/api/v1/vouchers/business-date", {"date": "2022-10-09"}),
    ("admin", "/api/v1/vouchers/claims", NEV),
    ("admin", "/api/v1/vouchers/expiry-runs", {}),
    ("admin", "/api/v1/vouchers/{voucher}/redeem", {"purchase": CAR}),
    ("admin", "/api/v1/vouchers/{voucher}/cancel", None),
    ("admin", "/api/v1/vouchers/{voucher}/refund", None),
    ("admin", "/api/v1/enterprises", [{"id": eid("new"), "name": "乙公司", "facts": PARK_FACTS}]),
    ("admin", "/api/v1/applications", {"enterprise_id": eid("new"), "clause": SHOW, "facts": SHOW_FACTS}),
    ("admin", "/api/v1/applications/payment-runs", {}),
    ("admin", "/api/v1/applications/no-apply-runs", {}),
    ("admin", "/api/v1/applications/{review}/review", None),
    ("admin", "/api/v1/applications/{review}/approve", None),
    ("admin", "/api/v1/applications/{reject}/reject", {"reason": "材料不全"}),
    ("company", "/api/v1/applications/{offer}/confirm", None),
    ("company", "/api/v1/applications/{offer}/decline", None),
    ("admin", "/api/v1/applications/{review}/pay", None),
]


def _post(clients: dict, who: str, path: str, body, ids: dict, **headers):
    url = path.format(**ids)
    return clients[who].post(url, **({"json": body} if body is not None else {}), headers=headers)


def test_the_routes_below_are_every_state_changing_route_of_the_scheme():
    spec = create_app().openapi()
    scheme = {(method, path) for path, operations in spec["paths"].items() for method in operations
              if method in {"post", "put", "patch", "delete"}
              and path.startswith(("/api/v1/vouchers", "/api/v1/enterprises", "/api/v1/applications"))}
    templates = {("post", path.replace("{voucher}", "{voucher_id}").replace("{review}", "{application_id}")
                  .replace("{reject}", "{application_id}").replace("{offer}", "{application_id}"))
                 for _, path, _ in ROUTES}
    assert scheme == templates


@pytest.mark.parametrize(("who", "path", "body"), ROUTES, ids=[f"{p}-{w}" for w, p, _ in ROUTES])
def test_without_the_key_nothing_is_written(admin, company, applications, vdb, who, path, body):
    ids = dict(applications)
    voucher = admin.post("/api/v1/vouchers/claims", json={**NEV, "person_id": "330402199202022227"},
                         headers={HEADER: "set-up-voucher"})
    ids["voucher"] = voucher.json()["voucher_id"]
    before = snapshot(vdb)
    r = _post({"admin": admin, "company": company}, who, path, body, ids)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["code"] == "idempotency_key_required" and problem["field"] == HEADER
    assert problem["message_zh"] and problem["message_en"]
    assert snapshot(vdb) == before


# The routes that had no key before issue #11, each with what its first answer says (set-up and the
# runs below).
REPLAYED = [
    ("admin", "/api/v1/vouchers/business-date", {"date": "2022-10-09"},
     lambda answer: answer["business_date"] == "2022-10-09"),
    ("admin", "/api/v1/enterprises", [{"id": eid("new"), "name": "乙公司", "facts": PARK_FACTS}],
     lambda answer: answer["loaded"] == 1),
    ("admin", "/api/v1/applications/{review}/review", None, lambda answer: answer["status"] == "under_review"),
    ("admin", "/api/v1/applications/{reject}/reject", {"reason": "材料不全"},
     lambda answer: answer["status"] == "rejected" and answer["reason"] == "材料不全"),
    ("company", "/api/v1/applications/{offer}/decline", None, lambda answer: answer["status"] == "declined"),
]


@pytest.mark.parametrize(("who", "path", "body", "first_answer"), REPLAYED,
                         ids=[f"{p}-{w}" for w, p, _, _ in REPLAYED])
def test_a_replay_returns_the_first_answer_and_writes_nothing(admin, company, applications, vdb, who, path, body,
                                                              first_answer):
    clients = {"admin": admin, "company": company}
    first = _post(clients, who, path, body, applications, **{HEADER: "once"})
    assert first.status_code == 200, first.text
    assert first.json()["replayed"] is False and first_answer(first.json())
    after_first = snapshot(vdb)
    again = _post(clients, who, path, body, applications, **{HEADER: "once"})
    assert again.status_code == 200, again.text
    assert again.json() == {**first.json(), "replayed": True}
    assert snapshot(vdb) == after_first


def test_a_repeated_set_up_returns_its_first_answer(uow):
    admin = TestClient(create_app(), raise_server_exceptions=False)
    admin.headers.update(bearer())
    first = admin.post("/api/v1/vouchers/setup", headers={HEADER: "set-up"})
    assert first.status_code == 200, first.text
    assert [p["code"] for p in first.json()["programmes"]] == ["nev", "appliances"]
    assert first.json()["replayed"] is False
    after_first = snapshot(uow)
    again = admin.post("/api/v1/vouchers/setup", headers={HEADER: "set-up"})
    assert again.status_code == 200, again.text
    assert again.json() == {**first.json(), "replayed": True}
    assert snapshot(uow) == after_first


def test_the_same_key_with_another_body_is_refused(admin, applications, vdb):
    url = f"/api/v1/applications/{applications['reject']}/reject"
    assert admin.post(url, json={"reason": "材料不全"}, headers={HEADER: "rj"}).status_code == 200
    before = snapshot(vdb)
    r = admin.post(url, json={"reason": "另一理由"}, headers={HEADER: "rj"})
    assert r.status_code == 409 and r.json()["code"] == "idempotency_key_reused", r.text
    assert snapshot(vdb) == before


@pytest.mark.parametrize("path", ["/api/v1/vouchers/expiry-runs", "/api/v1/applications/payment-runs",
                                  "/api/v1/applications/no-apply-runs"])
def test_a_repeated_run_returns_its_first_result(admin, vdb, path):
    with vdb() as s:
        enterprise.load_enterprises(s, [{"id": ENTERPRISE_ID, "name": "甲公司", "facts": PARK_FACTS}])
    first = admin.post(path, json={}, headers={HEADER: "run"})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "completed" and first.json()["replayed"] is False
    after_first = snapshot(vdb)
    again = admin.post(path, json={}, headers={HEADER: "run"})
    assert again.status_code == 200, again.text
    assert again.json() == {**first.json(), "already_completed": True, "replayed": True}
    assert snapshot(vdb) == after_first
