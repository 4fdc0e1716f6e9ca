"""Discovery, application and the three-step double-blind assessment — 嘉政发〔2022〕21号#一.（二）,
嘉政发〔2022〕21号#三.（一）.2, 嘉政发〔2022〕21号#三.（三）.8, 嘉政发〔2022〕21号#三.（三）.9, 嘉政发〔2022〕21号#三.（三）.10."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from gazette.errors import Conflict, InvalidInput, NotFound
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc import intake_applications as A
from jiaxing.schemes.ltc import intake_assessment as AS
from jiaxing.schemes.ltc import intake_discovery as D
from jiaxing.schemes.ltc import intake_service as SV
from jiaxing.schemes.ltc.intake_models import Application, ExpertAssignment
from jiaxing.schemes.ltc.models import Beneficiary, HospitalStay

from .conftest import OFFICER, counts, csv_bytes, experts, items, pid, roster

POOL = (("e-a", "intermediate", "第一医院", "南湖区"), ("e-b", "senior", "第二医院", None),
        ("e-c", "associate_senior", "第三医院", "南湖区"), ("e-d", "intermediate", "福如海护理院", "南湖区"),
        ("e-e", "junior", "第四医院", "南湖区"), ("e-f", "intermediate", "街道卫生院", "南湖区"),
        ("e-g", "senior", "第五医院", "秀洲区"))


def _apply(n: int, **kw) -> dict:
    return SV.apply({"person_id": pid(n), "channel": "desk", "applied_on": "2023-03-01", **kw}, key=f"apply-{n}",
                    actor=OFFICER)


def _seats(app_id: int, viewer: str, is_expert: bool) -> list[dict]:
    with unit_of_work() as s:
        return AS.seats(s, app_id, viewer=viewer, is_expert=is_expert)


def _drawn(app_id: int) -> list[str]:
    return [x["expert"] for x in _seats(app_id, OFFICER, False)]


def test_discovery_candidates_traceable_and_deaths(ltc):
    """三.（三）.8 要我申请: lists matched to the insured; each candidate links the rows that made it."""
    roster((1, "南湖区", "resident"), (2, "南湖区", "resident"), (3, "秀洲区", "employee"), (4, "嘉善县", "resident"))
    dis = csv_bytes("person_id,hospital,admitted_on,discharged_on,diagnosis",
                    f"{pid(1)},第一医院,2023-01-02,2023-01-20,脑梗死后遗症 偏瘫",
                    f"{pid(2)},第一医院,2023-01-05,2023-01-09,急性阑尾炎",
                    f"{pid(9)},第一医院,2023-01-05,2023-01-09,脑出血")  # not insured: kept, not matched
    assert SV.import_list("discharge", dis, "d.csv", "h1", key="l1", actor=OFFICER)["hospital_stays"] == 3
    SV.import_list("disability", csv_bytes("person_id,level,category", f"{pid(3)},1,肢体", f"{pid(2)},4,视力"),
                   "c.csv", "c1", key="l2", actor=OFFICER)
    SV.import_list("dibao", csv_bytes("person_id", pid(1)), "b.csv", "b1", key="l3", actor=OFFICER)
    SV.import_list("death", csv_bytes("person_id,died_on", f"{pid(4)},2023-02-01"), "x.csv", "x1", key="l4",
                   actor=OFFICER)
    out = SV.discover("2023-02-10", key="disc1", actor=OFFICER)
    assert out["new_candidates"] == 2
    with unit_of_work() as s:
        cands = {c["person_id"]: c for c in D.candidates(s)}
        assert set(cands) == {pid(1), pid(3)}
        assert {r["source"] for r in cands[pid(1)]["reasons"]} == {"discharge:h1#2", "dibao:b1#2"}
        linked = s.execute(text("SELECT r.kind, r.batch, r.row_no FROM ltc_candidate_sources cs JOIN "
                                "ltc_discovery_rows r ON r.id = cs.row_id WHERE cs.candidate_id = :c ORDER BY r.kind"),
                           {"c": cands[pid(1)]["id"]}).all()
        assert {tuple(x) for x in linked} == {("discharge", "h1", 2), ("dibao", "b1", 2)}
        assert D.reminder_for(s, pid(3))["reminder_zh"].startswith("您可能符合")
        assert D.reminder_for(s, pid(2)) is None
        assert s.scalar(select(HospitalStay.source).where(HospitalStay.person_id == pid(1))) == "discharge:h1#2"
        assert str(s.execute(text("SELECT died_on FROM ltc_insured WHERE person_id = :p"), {"p": pid(4)}).scalar()) \
            == "2023-02-01"
    before = counts()
    with pytest.raises(InvalidInput) as e:  # a discharge before its admission: the row named, nothing written
        SV.import_list("discharge", csv_bytes("person_id,hospital,admitted_on,discharged_on,diagnosis",
                                              f"{pid(2)},第一医院,2023-03-05,2023-03-01,偏瘫"), "d.csv", "h2",
                       key="l5", actor=OFFICER)
    assert e.value.field == "row 2.discharged_on" and counts() == before
    # applying from the reminder marks the candidate applied, linked to the application
    a = SV.apply({"person_id": pid(1), "channel": "online_agent", "agent_name": "测试家属", "agent_relation": "子女"},
                 key="ap1", actor="citizen-x")
    assert a["candidate_id"] == cands[pid(1)]["id"]
    with unit_of_work() as s:
        assert D.reminder_for(s, pid(1)) is None
    with pytest.raises(Conflict) as e:
        SV.apply({"person_id": pid(4), "channel": "desk"}, key="ap2", actor=OFFICER)
    assert e.value.code == "deceased"


def test_one_open_application_enforced_in_the_database(ltc):
    """三.（三）.9: one open application per person — refused by name, and by the database under a race."""
    roster((1, "南湖区", "resident"))
    first = _apply(1)
    with pytest.raises(Conflict) as e:
        SV.apply({"person_id": pid(1), "channel": "desk"}, key="again", actor=OFFICER)
    assert e.value.code == "application_open" and e.value.details["application_id"] == first["id"]
    with pytest.raises(IntegrityError), unit_of_work() as s:  # straight to the table: the partial unique index
        s.add(Application(person_id=pid(1), district="南湖区", kind="first", channel="desk", submitted_by="x",
                          agent_name="", agent_relation="", phone="", provider="", dementia_unit=False,
                          status="submitted", applied_on=dt.date(2023, 3, 2)))
        s.flush()
    SV.withdraw(first["id"], key="w1", actor=OFFICER)
    assert SV.apply({"person_id": pid(1), "channel": "desk"}, key="after", actor=OFFICER)["status"] == "submitted"


def test_double_blind_two_experts_agree(ltc):
    """一.（二） 双盲: two experts of 中级+ drawn from the pool, conflicts excluded, neither sees the other."""
    roster((1, "南湖区", "resident"))
    experts(*POOL)
    app = _apply(1, provider="福如海护理院")["id"]
    out = SV.collect(app, items(15), key="col", actor="assessor-1", assessor_unit="街道卫生院", on="2023-03-05")
    assert out["initial_grade"] == "severe_3" and out["experts_drawn"] == 2
    drawn = _drawn(app)
    # 初级 (e-e), the provider's (e-d), the assessor's unit (e-f) and another county's (e-g) are never drawn
    assert set(drawn) <= {"e-a", "e-b", "e-c"} and len(set(drawn)) == 2
    with unit_of_work() as s:
        seeds = [a.seed for a in s.scalars(select(ExpertAssignment).where(ExpertAssignment.application_id == app))]
    assert all(len(x) == 32 for x in seeds)
    first, second = drawn
    SV.score(app, items(14), key="s1", actor=first, on="2023-03-10")
    # blind: the second expert sees neither the first's score nor who they are; the officer no score either
    other = [x for x in _seats(app, second, True) if x["seat"] == 1][0]
    assert other == {"seat": 1, "scored": True}
    assert all(x["total"] is None for x in _seats(app, OFFICER, False))
    mine = [x for x in _seats(app, first, True) if x["seat"] == 1][0]
    assert mine["total"] == 54 and mine["expert"] == first
    with unit_of_work() as s:
        assert "initial_total" not in AS.form_view(s, app, for_expert=True)
    with pytest.raises(NotFound):  # not an expert of this application
        SV.score(app, items(14), key="s9", actor="e-g", on="2023-03-10")
    r = SV.score(app, items(17), key="s2", actor=second, on="2023-03-11")
    assert r["next"] == "decided"
    d = r["decision"]
    assert d["grade"] == "severe_3" and d["final_adl"] == 16 and d["waiting_days"] == 10  # (14 + 17) / 2 half up
    assert all(x["total"] is not None for x in _seats(app, second, True))  # both in: now visible
    with unit_of_work() as s:
        b = s.scalar(select(Beneficiary).where(Beneficiary.person_id == pid(1)))
        assert (b.grade, b.starts_on, b.decided_by) == ("severe_3", dt.date(2023, 3, 11), f"ltc_application:{app}")
        view = A.application_view(s, A.get(s, app))
    assert view["notice"]["reasons"] and view["status"] == "decided"


def test_disagreement_draws_a_third_expert_and_expert_twice_refused(ltc):
    """一.（二）: a difference beyond the tolerance goes to a third expert (median of three)."""
    roster((1, "南湖区", "resident"))
    experts(*POOL)
    app = _apply(1)["id"]
    SV.collect(app, items(35), key="col", actor="assessor-1", on="2023-03-05")
    first, second = _drawn(app)
    SV.score(app, items(10), key="s1", actor=first, on="2023-03-10")
    r = SV.score(app, items(50), key="s2", actor=second, on="2023-03-10")
    assert r["next"] == "third_expert"
    drawn = _drawn(app)
    third = drawn[2]
    assert len(set(drawn)) == 3
    # the third sees none of the first two scores
    assert [x for x in _seats(app, third, True) if x["seat"] != 3] == [{"seat": 1, "scored": True},
                                                                        {"seat": 2, "scored": True}]
    assert all(x["total"] is None for x in _seats(app, OFFICER, False))
    before = counts()
    with pytest.raises(Conflict) as e:
        SV.assign(app, first, key="as1", actor=OFFICER)
    assert e.value.code == "expert_assigned_twice" and counts() == before
    with pytest.raises(InvalidInput) as e:  # a score outside the scale: the item named, nothing written
        SV.score(app, {**items(30), "transfer": 16}, key="s3", actor=third, on="2023-03-12")
    assert e.value.field == "items.transfer" and e.value.code == "score_out_of_scale" and counts() == before
    r = SV.score(app, items(30), key="s4", actor=third, on="2023-03-12")
    assert r["decision"]["final_adl"] == 30 and r["decision"]["grade"] == "severe_2"


def test_no_eligible_expert_left_then_assigned_by_hand(ltc):
    """一.（二）: an officer fills a seat the draw could not; 初级 or conflicted experts are refused."""
    roster((1, "南湖区", "resident"))
    experts(("e-a", "intermediate", "第一医院", None), ("e-e", "junior", "第四医院", None))
    app = _apply(1)["id"]
    out = SV.collect(app, items(15), key="col", actor="assessor-1", on="2023-03-05")
    assert out["needs_experts"] == 1
    with pytest.raises(Conflict) as e:
        SV.assign(app, "e-e", key="as1", actor=OFFICER)
    assert e.value.code == "expert_not_eligible"
    experts(("e-b", "senior", "第二医院", None))
    assert SV.assign(app, "e-b", key="as2", actor=OFFICER)["seat"] == 2


def test_dementia_only_in_the_pilot(ltc):
    """三.（一）.2: 重度失智 is paid only in 嘉善县's 失智专区 until extended by a dated parameter."""
    roster((1, "嘉善县", "resident"), (2, "南湖区", "resident"))
    experts(("e-a", "intermediate", "第一医院", None), ("e-b", "senior", "第二医院", None))
    for n, unit in ((1, True), (2, True)):
        app = _apply(n, dementia_unit=unit)["id"]
        SV.collect(app, items(80, 6), key=f"col{n}", actor="assessor-1", on="2023-03-05")
        for e in _drawn(app):
            r = SV.score(app, items(80, 6), key=f"s{n}{e}", actor=e, on="2023-03-06")
        assert r["decision"]["grade"] == ("severe_dementia" if n == 1 else None)
    assert "尚未在全市推开" in r["decision"]["reasons"][-2]["text_zh"]


def test_reassessment_on_schedule_can_end_a_benefit(ltc):
    """三.（一）.2: reassessment on schedule; below 重度 the benefit ends."""
    roster((1, "南湖区", "resident"))
    experts(("e-a", "intermediate", "第一医院", None), ("e-b", "senior", "第二医院", None))
    app = _apply(1)["id"]
    SV.collect(app, items(15), key="col", actor="assessor-1", on="2023-03-05")
    for e in _drawn(app):
        SV.score(app, items(15), key=f"s{e}", actor=e, on="2023-03-06")
    with pytest.raises(Conflict) as e:  # a beneficiary asks for a reassessment, not a first assessment
        SV.apply({"person_id": pid(1), "channel": "desk", "applied_on": "2023-09-01"}, key="first2", actor=OFFICER)
    assert e.value.code == "already_beneficiary"
    on_request = SV.apply({"person_id": pid(1), "channel": "desk", "kind": "reassessment", "applied_on": "2023-09-01"},
                          key="re-req", actor=OFFICER)
    assert on_request["kind"] == "reassessment"
    SV.withdraw(on_request["id"], key="re-wd", actor=OFFICER)
    assert SV.schedule("2024-03-01", key="sch1", actor=OFFICER)["scheduled"] == 0
    out = SV.schedule("2025-03-06", key="sch2", actor=OFFICER)
    assert out["scheduled"] == 1
    re_app = out["application_ids"][0]
    SV.collect(re_app, items(90), key="col2", actor="assessor-1", on="2025-03-10")
    for e in _drawn(re_app):
        r = SV.score(re_app, items(90), key=f"r{e}", actor=e, on="2025-03-11")
    assert r["decision"]["grade"] is None and r["decision"]["beneficiary"] == "ended"
    with unit_of_work() as s:
        assert s.scalar(select(Beneficiary.ends_on).where(Beneficiary.person_id == pid(1))) == dt.date(2025, 3, 11)
