"""Department adjustment requests (四): no skipping levels, the grounds for refusal, routing by kind,
the approval bars, the 人大 deadline, the reserve list and every decision's who / when / clause."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gazette.api.problems import http_status
from gazette.errors import GazetteError
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from gazette.store.ledger_models import AuditLogRow
from jiaxing.schemes.budget import commands, queries
from jiaxing.schemes.budget.models import AdjustmentRequest, Decision

from .conftest import EDU, HEALTH, YEAR, d

_n = iter(range(1, 10_000))


def file(year=YEAR, *, actor="edu", **over):
    spec = {"department": EDU, "unit": "嘉兴市第一中学", "title": "临时性工作经费", "kind": "reallocation",
            "condition": "new_temporary_work", "direction": "increase", "amount_fen": 120_000_00,
            "priority_class": 3, "performance": "良", "affordability": "可承受", "on": d("2023-07-03")}
    spec.update(over)
    return execute(commands.FileRequest(idempotency_key=f"f{next(_n)}", actor=actor, year=year, **spec)).result


def route(rid, on="2023-07-05", actor="fin"):
    return execute(commands.RouteRequest(idempotency_key=f"r{next(_n)}", actor=actor, request_id=rid, on=d(on))).result


def decide(rid, outcome="approve", on="2023-07-10", role="finance_officer", actor="fin"):
    return execute(commands.Decide(idempotency_key=f"d{next(_n)}", actor=actor, request_id=rid,
                                   outcome=outcome, on=d(on),
                                   role=role)).result


def npc(rid, on, reason=""):
    return execute(commands.SubmitToNPC(idempotency_key=f"n{next(_n)}", actor="fin", request_id=rid, on=d(on),
                                        reason=reason)).result


def _count(model) -> int:
    with unit_of_work() as s:
        return s.scalar(select(func.count()).select_from(model))


# 嘉政发〔2022〕5号#四.（四）.1 — 预算调整不得越级申请
def test_a_request_without_its_department_is_refused_and_nothing_written(year):
    for over, field in (({"department": ""}, "department"), ({"unit": "嘉兴市第一医院"}, "unit")):
        with pytest.raises(GazetteError) as err:
            file(**over)
        assert err.value.code == "skipped_department" and err.value.field == field
    assert _count(AdjustmentRequest) == 0


def test_a_department_files_for_itself_or_its_unit(year):
    assert file(unit="")["unit"] == EDU  # 部门本级
    assert file()["unit"] == "嘉兴市第一中学"


# 嘉政发〔2022〕5号#四.（三） — the grounds on which finance must refuse (不予受理)
@pytest.mark.parametrize(("over", "code"), [
    ({"performance": ""}, "no_performance_assessment"),
    ({"performance": "中"}, "performance_graded_low"),
    ({"performance": "差"}, "performance_graded_low"),
    ({"affordability": ""}, "no_affordability_assessment"),
    ({"affordability": "不可承受"}, "not_affordable"),
    ({"condition": "none"}, "no_condition_met"),
])
def test_refusals_are_recorded_decisions_with_their_clause(year, over, code):
    r = route(file(**over)["id"])
    assert r["status"] == "refused" and [x["code"] for x in r["reasons"]] == [code]
    assert r["reasons"][0]["clause"] == "嘉政发〔2022〕5号#四.（三）"
    shown = Q_get(r["id"])
    dec = shown["decisions"][0]
    assert (dec["step"], dec["outcome"], dec["actor"], dec["on"], dec["clause"]) == (
        "acceptance", "refused", "fin", "2023-07-05", "嘉政发〔2022〕5号#四.（三）")


@pytest.mark.parametrize("grade", ["优", "良"])
def test_good_grades_are_accepted(year, grade):
    assert route(file(performance=grade)["id"])["status"] == "queued"


def Q_get(rid):
    with unit_of_work() as s:
        return queries.get_request(s, rid)


# 嘉政发〔2022〕5号#四.（五）.1–3 — routing by kind
@pytest.mark.parametrize(("kind", "route_", "clause"), [
    ("reallocation", ["finance_approval"], "嘉政发〔2022〕5号#四.（五）.1"),
    ("reserve_fund", ["finance_review", "city_approval"], "嘉政发〔2022〕5号#四.（五）.2"),
    ("total_change", ["finance_review", "executive_meeting", "npc_submission", "npc_approval"],
     "嘉政发〔2022〕5号#四.（五）.3"),
])
def test_routing_by_kind(year, kind, route_, clause):
    r = route(file(kind=kind)["id"])
    assert r["route"] == route_ and r["next_step"] == route_[0] and r["kind_clause"] == clause
    assert Q_get(r["id"])["decisions"][0]["clause"] == clause


def test_reserve_fund_needs_finance_then_the_city_government(year):
    rid = route(file(kind="reserve_fund")["id"])["id"]
    with pytest.raises(GazetteError) as err:
        decide(rid, role="approver")  # the city cannot approve before finance's review
    assert err.value.code == "wrong_role_for_step" and http_status(err.value) == 403
    assert decide(rid)["next_step"] == "city_approval"
    with pytest.raises(GazetteError):
        decide(rid, role="finance_officer")
    out = decide(rid, role="approver", actor="mayor-office")
    assert out["status"] == "approved"
    steps = [(x["step"], x["actor"], x["clause"]) for x in Q_get(rid)["decisions"]]
    assert steps == [("acceptance", "fin", "嘉政发〔2022〕5号#四.（五）.2"),
                     ("finance_review", "fin", "嘉政发〔2022〕5号#四.（五）.2"),
                     ("city_approval", "mayor-office", "嘉政发〔2022〕5号#四.（五）.2")]


# 嘉政发〔2022〕5号#四.（六）.1 — no approvals up to 30 June nor in December
@pytest.mark.parametrize(("on", "barred"), [("2023-06-30", True), ("2023-07-01", False),
                                            ("2023-11-30", False), ("2023-12-01", True), ("2023-12-31", True)])
def test_approval_bar(year, on, barred):
    rid = route(file(on=d("2023-06-01"))["id"], on="2023-06-02")["id"]
    if barred:
        with pytest.raises(GazetteError) as err:
            decide(rid, on=on)
        assert err.value.code == "approval_window_closed" and err.value.field == "on"
        assert "四.（六）.1" in err.value.message_zh
        assert Q_get(rid)["status"] == "queued" and len(Q_get(rid)["decisions"]) == 1  # nothing written
    else:
        assert decide(rid, on=on)["status"] == "approved"


def test_rejections_are_not_barred(year):
    rid = route(file()["id"])["id"]
    assert decide(rid, outcome="reject", on="2023-12-05")["status"] == "rejected"


# 嘉政发〔2022〕5号#四.（六）.1 — 人大 submissions by 31 October unless a reason is recorded
@pytest.mark.parametrize(("on", "reason", "ok"), [("2023-10-31", "", True), ("2023-11-01", "", False),
                                                  ("2023-11-01", "省级资金10月28日才下达", True)])
def test_npc_submission_by_end_of_october(year, on, reason, ok):
    rid = route(file(kind="total_change", on=d("2023-07-03"))["id"])["id"]
    decide(rid, on="2023-07-10")
    decide(rid, on="2023-07-20", role="approver")  # 市政府常务会议
    if ok:
        out = npc(rid, on, reason)
        assert out["npc_submitted_on"] == on and out["next_step"] == "npc_approval" and out["npc_late_reason"] == reason
        assert decide(rid, on="2023-12-20")["status"] == "approved"  # the 人大's own decision: not barred
    else:
        with pytest.raises(GazetteError) as err:
            npc(rid, on)
        assert err.value.code == "npc_submission_needs_reason" and err.value.field == "reason"


# 嘉政发〔2022〕5号#四.（四）.3 — the reserve list ranked by priority (二.（二）.2 order)
def test_reserve_list_ranked_by_priority_then_filing(year):
    a = route(file(priority_class=5, title="A")["id"])["id"]
    b = route(file(priority_class=1, title="B", department=HEALTH, unit="")["id"])["id"]
    c = route(file(priority_class=3, title="C")["id"])["id"]
    c2 = route(file(priority_class=3, title="C2")["id"])["id"]
    route(file(performance="差")["id"])  # refused: not on the list
    with unit_of_work() as s:
        ranked = queries.reserve_list(s, YEAR)
    assert [(r["id"], r["rank"]) for r in ranked] == [(b, 1), (c, 2), (c2, 3), (a, 4)]
    decide(c)
    with unit_of_work() as s:
        assert [r["id"] for r in queries.reserve_list(s, YEAR)] == [b, c2, a]
        assert [r["id"] for r in queries.reserve_list(s, YEAR, EDU)] == [c2, a]


def test_every_decision_is_audited_and_idempotent(year):
    before = _count(AuditLogRow)
    rid = file()["id"]
    cmd = commands.RouteRequest(idempotency_key="same", actor="fin", request_id=rid, on=d("2023-07-05"))
    first, again = execute(cmd), execute(cmd)
    assert again.replayed and again.result == first.result
    assert _count(Decision) == 1 and _count(AuditLogRow) == before + 2  # filed, routed — once each
    with pytest.raises(GazetteError) as err:
        route(rid)
    assert err.value.code == "request_not_submitted"


@pytest.mark.parametrize(("over", "field"), [
    ({"kind": "other"}, "kind"), ({"condition": "whim"}, "condition"), ({"performance": "A"}, "performance"),
    ({"condition": "project_cancelled", "direction": "increase"}, "direction"), ({"priority_class": 6}, "priority_class"),
    ({"amount_fen": 0}, "amount"), ({"department": "市不存在局"}, "department"),
])
def test_bad_requests_name_the_field(year, over, field):
    with pytest.raises(GazetteError) as err:
        file(**over)
    assert err.value.field == field and http_status(err.value) == 422
    assert _count(AdjustmentRequest) == 0


def test_unknown_year_is_not_found(clean_db):
    with pytest.raises(GazetteError) as err:
        file(year=2031)
    assert http_status(err.value) == 404 and err.value.field == "year"
