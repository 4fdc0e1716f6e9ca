"""Commands of the care half: plans from the dated catalogue (嘉政发〔2022〕21号#三.（二）.6), visits with
check-in and check-out, officer decisions and ratings (嘉政发〔2022〕21号#三.（二）.7). Bad input is a clear
error naming the field, and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from gazette.errors import GazetteError
from gazette.schemes.handler import execute
from gazette.store.db import unit_of_work
from jiaxing.schemes.ltc.care import catalogue, violations
from jiaxing.schemes.ltc.care import commands as C
from jiaxing.schemes.ltc.care.handlers import SH

PERSON = "330402194001010011"
OTHER = "330402194001010020"
TABLES = ("ltc_care_plans", "ltc_care_plan_items", "ltc_visits", "ltc_visit_items", "ltc_findings", "ltc_ratings",
          "audit_log", "idempotency_keys")


def counts() -> dict:
    with unit_of_work() as s:
        return {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


def at(day: str, hhmm: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=SH)


@pytest.fixture()
def world(care):
    with unit_of_work() as s:
        catalogue.load_demo(s)
        violations.load_rules(s)
        for p, grade in ((PERSON, "severe_1"), (OTHER, "severe_dementia")):
            s.execute(text("INSERT INTO ltc_insured (person_id, name, district, scheme, insured_since, address, "
                           "home_lat_udeg, home_lon_udeg, source) VALUES (:p, '张三', '南湖区', 'resident', "
                           "'2017-06-01', '南湖区某路1号', 30750000, 120750000, 't')"), {"p": p})
            s.execute(text("INSERT INTO ltc_beneficiaries (person_id, district, grade, starts_on, decided_by) "
                           "VALUES (:p, '南湖区', :g, '2022-10-01', 't')"), {"p": p, "g": grade})
    execute(C.RegisterProvider(idempotency_key="p1", code="JX-HOME-1", name="南湖居家护理站", district="南湖区",
                               care_type="home", designated_on=dt.date(2022, 1, 1)))
    execute(C.RegisterCaregiver(idempotency_key="c1", provider_code="JX-HOME-1", name="李护理", certificate="CG001"))
    return care


def plan(items=("S01", "M01"), starts="2023-01-01", key="plan1", person=PERSON):
    return execute(C.ChoosePlan(idempotency_key=key, person_id=person, provider_code="JX-HOME-1",
                                starts_on=dt.date.fromisoformat(starts), items=tuple(items))).result


def test_a_home_visit_from_plan_to_check_out(world):
    r = plan()
    assert r["care_type"] == "home" and r["items"] == ["S01", "M01"]
    v = execute(C.CheckIn(idempotency_key="in1", certificate="CG001", person_id=PERSON, at=at("2023-01-05", "09:00"),
                          lat_udeg=30750100, lon_udeg=120750050, face_ok=True)).result
    out = execute(C.CheckOut(idempotency_key="out1", visit_id=v["visit_id"], at=at("2023-01-05", "10:05"),
                             items=("S01", "M01"))).result
    assert out == {"visit_id": v["visit_id"], "minutes": 65, "cost_fen": 80_00}  # DEMO prices 60 + 20
    again = execute(C.CheckOut(idempotency_key="out1", visit_id=v["visit_id"], at=at("2023-01-05", "10:05"),
                               items=("S01", "M01")))
    assert again.replayed and again.result == out


def test_check_out_before_check_in_is_refused_and_writes_nothing(world):
    plan()
    v = execute(C.CheckIn(idempotency_key="in1", certificate="CG001", person_id=PERSON,
                          at=at("2023-01-05", "09:00"))).result
    before = counts()
    with pytest.raises(GazetteError) as e:
        execute(C.CheckOut(idempotency_key="out1", visit_id=v["visit_id"], at=at("2023-01-05", "08:59"),
                           items=("S01",)))
    assert e.value.code == "checkout_before_checkin" and e.value.field == "at"
    assert "签出时间必须晚于签到时间" in e.value.message_zh and "after check-in" in e.value.message_en
    assert counts() == before


def test_a_visit_for_a_person_without_a_care_plan_is_refused(world):
    before = counts()
    with pytest.raises(GazetteError) as e:
        execute(C.CheckIn(idempotency_key="in1", certificate="CG001", person_id=PERSON, at=at("2023-01-05", "09:00")))
    assert e.value.code == "no_care_plan" and e.value.field == "person_id"
    plan(starts="2023-02-01")
    with pytest.raises(GazetteError) as e:  # the plan starts later than the visit
        execute(C.CheckIn(idempotency_key="in2", certificate="CG001", person_id=PERSON, at=at("2023-01-31", "23:00")))
    assert e.value.code == "no_care_plan"
    after = counts()
    assert after["ltc_visits"] == before["ltc_visits"] == 0


def test_plan_items_come_from_the_catalogue_in_force(world):
    with pytest.raises(GazetteError) as e:  # S16 joins the DEMO catalogue only in 2024 (27 → 50 items)
        plan(items=("S01", "S16"), starts="2023-01-01")
    assert e.value.code == "unknown_item" and "S16" in e.value.message_zh
    assert plan(items=("S01", "S16"), starts="2024-01-01", key="p2")["items"] == ["S01", "S16"]
    with unit_of_work() as s:
        assert len(catalogue.items_on(s, dt.date(2023, 6, 1))) == 27
        assert len(catalogue.items_on(s, dt.date(2024, 6, 1))) == 50
        cats = {i["category"] for i in catalogue.items_on(s, dt.date(2024, 6, 1)).values()}
    assert cats == {"daily_living", "medical_care"}  # 生活照料 / 医疗护理 (三.（二）.6)
    with pytest.raises(GazetteError) as e:
        plan(starts="2023-03-15", key="p3")
    assert e.value.field == "starts_on"


def test_dementia_needs_a_dementia_unit(world):
    with pytest.raises(GazetteError) as e:
        plan(person=OTHER)
    assert e.value.code == "needs_dementia_unit"


def test_officer_decides_once_within_the_district_and_a_person_rates_a_visit(world):
    plan()
    v = execute(C.CheckIn(idempotency_key="in1", certificate="CG001", person_id=PERSON, at=at("2023-01-05", "09:00"),
                          lat_udeg=30760000, lon_udeg=120750000, face_ok=False)).result["visit_id"]
    execute(C.CheckOut(idempotency_key="out1", visit_id=v, at=at("2023-01-05", "09:20"), items=("S01",)))
    run = violations.screen("2023-01")
    assert run.result["findings"] == {"V01": 1, "V02": 1, "V06": 1}  # short, 1.1 km away, face check failed
    with unit_of_work() as s:
        fid = s.execute(text("SELECT id FROM ltc_findings WHERE rule_id = 'V06'")).scalar_one()
    with pytest.raises(GazetteError) as e:  # another district's officer: as if it did not exist
        execute(C.DecideFinding(idempotency_key="d0", finding_id=fid, decision="confirmed", district="海宁市"))
    assert e.value.code == "not_found"
    r = execute(C.DecideFinding(idempotency_key="d1", finding_id=fid, decision="confirmed", district="南湖区",
                                actor="officer-nh")).result
    assert r == {"finding_id": fid, "status": "confirmed", "rule": "V06"}
    with pytest.raises(GazetteError) as e:
        execute(C.DecideFinding(idempotency_key="d2", finding_id=fid, decision="dismissed", district="南湖区"))
    assert e.value.code == "finding_decided"
    assert execute(C.RateVisit(idempotency_key="r1", visit_id=v, person_id=PERSON, stars=4)).result["stars"] == 4
    with pytest.raises(GazetteError) as e:
        execute(C.RateVisit(idempotency_key="r2", visit_id=v, person_id=PERSON, stars=5))
    assert e.value.code == "already_rated"
    with pytest.raises(GazetteError):
        execute(C.RateVisit(idempotency_key="r3", visit_id=v, person_id=OTHER, stars=5))


def test_no_visit_after_the_benefit_ended(world):
    plan()
    with unit_of_work() as s:
        s.execute(text("UPDATE ltc_beneficiaries SET ends_on = '2023-01-10' WHERE person_id = :p"), {"p": PERSON})
    with pytest.raises(GazetteError) as e:
        execute(C.CheckIn(idempotency_key="in2", certificate="CG001", person_id=PERSON, at=at("2023-01-11", "09:00")))
    assert e.value.code == "no_care_plan"
    assert execute(C.CheckIn(idempotency_key="in1", certificate="CG001", person_id=PERSON,
                             at=at("2023-01-10", "09:00"))).result["day"] == "2023-01-10"

