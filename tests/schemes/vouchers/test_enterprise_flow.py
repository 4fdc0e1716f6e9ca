"""Enterprise flow: applications, review, caps and no-duplicate in the database, 免申即享, payment."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.ledger import Ledger, audit
from jiaxing.schemes.vouchers import enterprise as ent
from jiaxing.schemes.vouchers.models import Application, Payment
from jiaxing.schemes.vouchers.service import _now

from .helpers import check_invariants, eid

SHOW = "嘉政办发〔2022〕47号#二"
PARK = "嘉政办发〔2022〕47号#三"
TOP = "嘉政办发〔2022〕47号#六"
SHOW_FACTS = {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "80000"}
PARK_FACTS = {"nev_park_operator": True, "nev_park_new_companies": {"2022": 2}}
TOP_FACTS = {"nev_sales_company": True, "nev_sales_units": {"2022": 1500}, "nev_sales_rank": {"2022": 2}}


def submit(uow, tag, clause, facts, key=None, **kw):
    with uow() as s:
        return ent.submit(s, enterprise_id=eid(tag), clause=clause, facts=facts, key=key or f"{tag}-{clause}", **kw)


def full_cycle(uow, aid):
    with uow() as s:
        ent.start_review(s, application_id=aid)
    with uow() as s:
        ent.approve(s, application_id=aid, key=f"ap-{aid}")
    with uow() as s:
        return ent.pay(s, application_id=aid, key=f"pay-{aid}")


def test_application_amount_and_citation_come_from_the_engine(vdb):
    a = submit(vdb, "E1", SHOW, SHOW_FACTS, evidence=["展会备案表.pdf"])
    assert a["status"] == "submitted" and a["amount_yuan"] == "40000.00" and a["cap_yuan"] == "50000.00"
    assert a["clause"] == SHOW and SHOW in a["references"]
    assert any(x.get("kind") == "condition" for x in a["explanation"])
    paid = full_cycle(vdb, a["application_id"])
    assert paid["status"] == "paid"
    with vdb() as s:
        lg = Ledger("vouchers")
        assert lg.balance(s, f"payable:{eid('E1')}") == 0 and lg.balance(s, "treasury") == -40000_00
        assert lg.balance(s, f"reward:{SHOW}") == 40000_00
        actions = [r.action for r in audit.history(s, entity_type="application")]
    assert actions == ["application.submitted", "application.review_started", "application.approved", "application.paid"]
    check_invariants(vdb)


def test_not_eligible_lists_the_failed_conditions_and_writes_nothing(vdb):
    with pytest.raises(GazetteError) as exc:
        submit(vdb, "E1", SHOW, {**SHOW_FACTS, "nev_show_filed": False})
    assert exc.value.code == "not_eligible" and http_status(exc.value) == 422
    assert [c["id"] for c in exc.value.details["failed_conditions"]] == ["filed"]
    with pytest.raises(GazetteError) as exc:
        submit(vdb, "E1", SHOW, {"nev_sales_company": True})
    assert exc.value.code == "facts_missing"
    with vdb() as s:
        assert ent.list_applications(s) == []


def test_no_duplicate_within_clause_and_exclusive_group_in_the_database(vdb):
    a = submit(vdb, "E1", PARK, PARK_FACTS)
    assert a["amount_yuan"] == "400000.00"
    with pytest.raises(GazetteError) as exc:
        submit(vdb, "E1", PARK, PARK_FACTS, key="again")
    assert exc.value.code == "already_applied"
    with pytest.raises(GazetteError) as exc:  # 47号#十一 所列奖励条款不得重复享受
        submit(vdb, "E1", TOP, TOP_FACTS)
    assert exc.value.code == "already_applied" and exc.value.details["award_group"] == "嘉政办发〔2022〕47号#十一"
    with vdb() as s:
        ent.reject(s, application_id=a["application_id"], reason="材料不全")
    b = submit(vdb, "E1", TOP, TOP_FACTS, key="top-after-reject")
    full_cycle(vdb, b["application_id"])
    # even raw SQL cannot pay the same enterprise twice for the clause, or exceed a cap
    with pytest.raises(IntegrityError), vdb() as s:
        s.execute(insert(Payment).values(application_id=999, enterprise_id=eid("E1"), clause=TOP, award_group="x",
                                         period="2022", amount_fen=1, entry_key="k", paid_on=_now().date(),
                                         created_at=_now()))
    with pytest.raises(IntegrityError), vdb() as s:
        s.execute(insert(Application).values(enterprise_id=eid("E2"), clause=SHOW, award_group=SHOW, period="once",
                                             status="submitted", source="application", on_date=_now().date(),
                                             amount_fen=60000_00, cap_fen=50000_00, facts={}, evidence=[],
                                             explanation=[], created_at=_now(), updated_at=_now()))
    check_invariants(vdb)


def test_review_state_machine(vdb):
    a = submit(vdb, "E1", SHOW, SHOW_FACTS)
    aid = a["application_id"]
    with pytest.raises(GazetteError) as exc, vdb() as s:
        ent.approve(s, application_id=aid, key="early")
    assert exc.value.code == "application_not_approvable"
    with pytest.raises(GazetteError) as exc, vdb() as s:
        ent.pay(s, application_id=aid, key="early-pay")
    assert exc.value.code == "application_not_payable"
    with pytest.raises(GazetteError) as exc, vdb() as s:
        ent.reject(s, application_id=aid, reason=" ")
    assert exc.value.code == "reason_required"
    full_cycle(vdb, aid)
    with pytest.raises(GazetteError) as exc, vdb() as s:
        ent.pay(s, application_id=aid, key="pay-again")
    assert exc.value.code == "application_not_payable"
    with vdb() as s:
        assert ent.pay(s, application_id=aid, key=f"pay-{aid}")["replayed"]
    check_invariants(vdb)


def test_no_apply_run_offers_confirm_and_payment_run(vdb):
    with vdb() as s:
        ent.load_enterprises(s, [
            {"id": eid("E1"), "name": "甲公司", "facts": PARK_FACTS},
            {"id": eid("E2"), "name": "乙公司", "facts": TOP_FACTS},
            {"id": eid("E3"), "name": "丙公司", "facts": {"nev_sales_company": False}},
        ])
    run = ent.no_apply_run(uow=vdb)
    assert run.status == "completed" and run.result["offered"] == 2
    assert ent.no_apply_run(uow=vdb).already_completed
    with vdb() as s:
        offers = ent.list_applications(s, status="offered")
    assert {(o["enterprise_id"], o["clause"]) for o in offers} == {(eid("E1"), PARK), (eid("E2"), TOP)}
    assert next(o for o in offers if o["enterprise_id"] == eid("E1"))["amount_yuan"] == "400000.00"
    e1 = next(o for o in offers if o["enterprise_id"] == eid("E1"))
    e2 = next(o for o in offers if o["enterprise_id"] == eid("E2"))
    with vdb() as s:
        ent.confirm(s, application_id=e1["application_id"], key="cf1")
    with vdb() as s:
        ent.decline(s, application_id=e2["application_id"])
    pr = ent.payment_run(uow=vdb)
    assert pr.result["paid"] == 1
    with vdb() as s:
        assert ent.get_application(s, e1["application_id"])["status"] == "paid"
        assert [r.action for r in audit.history(s, entity_type="application", entity_id=e1["application_id"])] == [
            "application.offered", "application.confirmed", "application.paid"]
    check_invariants(vdb)


def test_bad_enterprise_data_is_refused_whole(vdb):
    with pytest.raises(GazetteError), vdb() as s:
        ent.load_enterprises(s, [{"id": eid("E1"), "facts": PARK_FACTS}, {"id": eid("E2"), "facts": {"no_such_fact": 1}}])
    run = ent.no_apply_run(uow=vdb)
    assert run.result["units"] == 0 and run.result.get("offered", 0) == 0


def test_loan_clause_takes_a_subject_and_software_clause_applies(vdb):
    loan = "嘉政办发〔2022〕47号#九"
    with pytest.raises(GazetteError) as exc:
        submit(vdb, "E9", loan, {})
    assert exc.value.code == "subject_required"
    a = submit(vdb, "E9", loan, {}, subject={"sector": "nev_sales", "relending": True, "annual_rate": "0.05",
                                             "interest_yuan": "10000.01", "date": "2022-10-01"})
    assert a["amount_yuan"] == "5000.01" and a["clause"] == loan
    with pytest.raises(GazetteError) as exc:
        submit(vdb, "E8", loan, {}, subject={"sector": "nev_sales", "relending": False, "annual_rate": "0.04",
                                             "interest_yuan": "10000", "date": "2022-10-01"})
    assert exc.value.code == "not_eligible"
    sw = submit(vdb, "S1", "嘉政办发〔2022〕10号#四.（一）", {"major_project": True, "major_project_standard_yuan": 45000000},
                on="2022-10-01")
    assert sw["amount_yuan"] == "30000000.00"
    with pytest.raises(GazetteError) as exc:
        submit(vdb, "S1", "嘉政办发〔2022〕99号#一", {})
    assert exc.value.code == "unknown_clause"
    with pytest.raises(GazetteError) as exc:
        submit(vdb, "S2", "嘉政办发〔2022〕10号#四.（一）", {"major_project": True, "major_project_standard_yuan": 1},
               on="2022-12-31")
    assert exc.value.code == "invalid_date"
    full_cycle(vdb, sw["application_id"])
    check_invariants(vdb)
