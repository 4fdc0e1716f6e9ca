"""Long-term care benchmark on PostgreSQL: the monthly settlement (嘉政发〔2022〕21号 一、（二）) plus the
violation screening (三、（四）12) over 45,000 beneficiaries, 200 providers and 1,500,000 visits of one month,
beside its anchor measured in the same run — the same work the way it is often written: a per-visit ORM loop
(load the visit, its items, plan, person, hospital stays, same-day and overlapping visits; flag what breaks a
rule; add the visit to the person's settlement line; commit), timed on a sample of visits of another month
and scaled to the 1.5 million.

Ours is set-based: one ``INSERT … SELECT`` per rule, settlement lines, deductions and claims per chunk of
providers, ledger postings in bulk (see docs/ltc.md, 护理与结算).

    .venv/bin/python bench/bench_ltc.py [--visits 1500000] [--people 45000] [--sample 1500] [--json]
    GAZETTE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/ltc_bench (default)

Benchmarks are not tests: this prints figures; it exits 0 with a message when PostgreSQL is unreachable.
The database's public schema is dropped and rebuilt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/ltc_bench"
MONTH, SAMPLE_MONTH = "2023-03", "2023-04"
DISTRICTS = ("南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市")
CARE = "CASE WHEN {p} % 4 <> 0 THEN 'home' WHEN {p} % 8 = 0 THEN 'medical_institution' ELSE 'elderly_institution' END"


def _visits_sql(month: str, first: int, last: int, people: int, id_offset: int) -> list[str]:
    """Visits g = first..last of ``month`` (ids g + offset): the same g → the same kind of visit."""
    y, m = int(month[:4]), int(month[5:7])
    return [f"""
    INSERT INTO ltc_visits (id, person_id, district, provider_id, caregiver_id, plan_id, kind, day, month,
                            checkin_ts, checkout_ts, lat_udeg, lon_udeg, face_ok, done, cost_fen, min_minutes)
    SELECT g + {id_offset}, i.person_id, i.district, p.provider_id,
           CASE WHEN p.care_type = 'home' THEN (g % {people}) / 3 + 1 END, p.id,
           CASE WHEN p.care_type = 'home' THEN 'home' ELSE 'day' END,
           make_date({y}, {m}, CAST((g / {people}) % 28 + 1 AS INT)), '{month}',
           CASE WHEN p.care_type = 'home' THEN extract(epoch FROM make_date({y}, {m}, CAST((g / {people}) % 28 + 1 AS INT)))::bigint
                + 8 * 3600 + ((g % {people}) % 3 + CASE WHEN g / {people} >= 28 THEN 3 ELSE 0 END) * 7200 END,
           CASE WHEN p.care_type = 'home' THEN extract(epoch FROM make_date({y}, {m}, CAST((g / {people}) % 28 + 1 AS INT)))::bigint
                + 8 * 3600 + ((g % {people}) % 3 + CASE WHEN g / {people} >= 28 THEN 3 ELSE 0 END) * 7200
                + CASE WHEN g % 97 = 0 THEN 300 ELSE 4200 END END,
           CASE WHEN p.care_type = 'home' THEN i.home_lat_udeg + CASE WHEN g % 89 = 0 THEN 30000 ELSE g % 200 END END,
           CASE WHEN p.care_type = 'home' THEN i.home_lon_udeg END,
           CASE WHEN p.care_type = 'home' THEN g % 101 <> 0 END, true,
           CASE WHEN p.care_type = 'home' THEN 6000 + CASE WHEN g % 2 = 0 THEN 2000 ELSE 0 END
                + CASE WHEN g % 113 = 0 THEN 1000 ELSE 0 END
                WHEN p.care_type = 'medical_institution' THEN 8000 ELSE 10000 END,
           CASE WHEN p.care_type = 'home' THEN 40 + CASE WHEN g % 2 = 0 THEN 15 ELSE 0 END
                + CASE WHEN g % 113 = 0 THEN 10 ELSE 0 END ELSE 0 END
    FROM generate_series(CAST({first} AS BIGINT), CAST({last + (last - first) // 10} AS BIGINT)) g
    JOIN ltc_insured i ON i.id = g % {people} + 1
    JOIN ltc_care_plans p ON p.id = i.id
    WHERE p.care_type = 'home' OR g / {people} < 28  -- an institution records one day once
    LIMIT {last - first + 1}""",
            f"""
    INSERT INTO ltc_visit_items (visit_id, item_code, price_fen, min_minutes)
    SELECT v.id, x.code, x.price, x.mins FROM ltc_visits v
    JOIN LATERAL (
      SELECT 'S01' AS code, 6000 AS price, 40 AS mins WHERE v.kind = 'home'
      UNION ALL SELECT 'M01', 2000, 15 WHERE v.kind = 'home' AND (v.id - {id_offset}) % 2 = 0
      UNION ALL SELECT 'S05', 1000, 10 WHERE v.kind = 'home' AND (v.id - {id_offset}) % 113 = 0
      UNION ALL SELECT 'D01', 10000, 0 WHERE v.kind = 'day' AND v.cost_fen = 10000
      UNION ALL SELECT 'D02', 8000, 0 WHERE v.kind = 'day' AND v.cost_fen = 8000) x ON true
    WHERE v.id BETWEEN {first + id_offset} AND {last + (last - first) // 10 + id_offset}"""]


def setup(url: str, people: int, visits: int, sample: int) -> None:
    from sqlalchemy import text

    from gazette.store.db import get_engine, unit_of_work
    from gazette.store.migrate import upgrade
    from jiaxing.schemes.ltc.care import service

    with get_engine(url).begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    ds = "ARRAY[" + ",".join(f"'{d}'" for d in DISTRICTS) + "]"
    with unit_of_work(url) as s:
        service.setup(s)
        s.execute(text(f"""
            INSERT INTO ltc_providers (id, code, name, district, care_type, dementia_unit, designated_on)
            SELECT g, 'P' || lpad(g::text, 4, '0'), '基准机构' || g, ({ds})[1 + g % 7], {CARE.format(p='g')},
                   g % 8 = 3, DATE '2022-01-01' FROM generate_series(1, 200) g"""))
        s.execute(text(f"""
            INSERT INTO ltc_caregivers (id, provider_id, name, certificate)
            SELECT g, (3 * g) % 200 + 1, '护理员' || g, 'C' || lpad(g::text, 6, '0')
            FROM generate_series(1, {people} / 3 + 1) g"""))
        s.execute(text(f"""
            INSERT INTO ltc_insured (id, person_id, name, district, scheme, insured_since, address, home_lat_udeg,
                                     home_lon_udeg, died_on, source)
            SELECT g, 'B' || lpad(g::text, 17, '0'), '基准', ({ds})[1 + (g % 200 + 1) % 7], 'resident',
                   DATE '2017-06-01', '', 30700000 + g % 100000, 120700000 + (g * 7) % 100000,
                   CASE WHEN g % 500 = 0 THEN DATE '2023-03-10' END, 'bench'
            FROM generate_series(1, {people}) g"""))
        s.execute(text("""INSERT INTO ltc_beneficiaries (person_id, district, grade, starts_on, decided_by)
                          SELECT person_id, district, 'severe_1', DATE '2022-10-01', 'bench' FROM ltc_insured"""))
        s.execute(text(f"""
            INSERT INTO ltc_care_plans (id, person_id, district, care_type, provider_id, starts_on)
            SELECT i.id, i.person_id, i.district, {CARE.format(p='(i.id % 200 + 1)')}, i.id % 200 + 1,
                   DATE '2023-01-01' FROM ltc_insured i"""))
        s.execute(text("""
            INSERT INTO ltc_care_plan_items (plan_id, item_code)
            SELECT p.id, c FROM ltc_care_plans p CROSS JOIN unnest(CASE p.care_type WHEN 'home'
                THEN ARRAY['S01','S03','M01','M02'] WHEN 'elderly_institution' THEN ARRAY['D01','M08']
                ELSE ARRAY['D02','M06'] END) c"""))
        s.execute(text("""
            INSERT INTO ltc_hospital_stays (person_id, hospital, admitted_on, discharged_on, diagnosis, source)
            SELECT person_id, '基准医院', DATE '2023-03-10', DATE '2023-03-15', '', 'bench' FROM ltc_insured
            WHERE id % 300 = 0"""))
        for sql in _visits_sql(MONTH, 1, visits, people, 0):
            s.execute(text(sql))
        for sql in _visits_sql(SAMPLE_MONTH, 1, sample, people, 10 ** 8):
            s.execute(text(sql))
        for t in ("ltc_providers", "ltc_caregivers", "ltc_insured", "ltc_care_plans", "ltc_visits"):
            s.execute(text(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}) + 1, false)"))
    with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def ours() -> tuple[float, dict]:
    from jiaxing.schemes.ltc.care import settlement, violations

    t0 = time.perf_counter()
    run = settlement.settle(MONTH)
    scr = violations.screen(MONTH)
    return time.perf_counter() - t0, {"settle": run.result, "screen": scr.result}


def anchor(sample_ids: list[int]) -> float:
    """The per-visit ORM loop over the sample (its own month, so it touches nothing of ours)."""
    from sqlalchemy import func, select

    from gazette.store.db import unit_of_work
    from jiaxing.schemes.ltc.care import params as P
    from jiaxing.schemes.ltc.care.models import (
        CarePlan,
        CarePlanItem,
        Finding,
        SettlementLine,
        Visit,
        VisitItem,
    )
    from jiaxing.schemes.ltc.models import HospitalStay, Insured

    terms = P.benefit_terms(dt.date(2023, 4, 1))
    t0 = time.perf_counter()
    for vid in sample_ids:
        with unit_of_work() as s:
            v = s.get(Visit, vid)
            items = list(s.scalars(select(VisitItem).where(VisitItem.visit_id == vid)))
            plan = s.get(CarePlan, v.plan_id)
            planned = set(s.scalars(select(CarePlanItem.item_code).where(CarePlanItem.plan_id == plan.id)))
            person = s.scalar(select(Insured).where(Insured.person_id == v.person_id))
            stays = list(s.scalars(select(HospitalStay).where(HospitalStay.person_id == v.person_id)))
            same_day = s.scalar(select(func.count()).select_from(Visit).where(
                Visit.person_id == v.person_id, Visit.day == v.day, Visit.kind == v.kind))
            rules = []
            if v.kind == "home":
                overlap = s.scalar(select(func.count()).select_from(Visit).where(
                    Visit.caregiver_id == v.caregiver_id, Visit.id != v.id, Visit.checkin_ts < v.checkout_ts,
                    Visit.checkout_ts > v.checkin_ts))
                if v.checkout_ts - v.checkin_ts < v.min_minutes * 60:
                    rules.append("V01")
                if abs(v.lat_udeg - person.home_lat_udeg) > 4500:
                    rules.append("V02")
                if overlap:
                    rules.append("V03")
                if any(st.admitted_on < v.day and (st.discharged_on is None or st.discharged_on > v.day)
                       for st in stays):
                    rules.append("V04")
                if v.face_ok is False:
                    rules.append("V06")
            if person.died_on is not None and v.day > person.died_on:
                rules.append("V05")
            if same_day > (P.MAX_HOME_VISITS_PER_DAY if v.kind == "home" else 1):
                rules.append("V07")
            if any(i.item_code not in planned for i in items):
                rules.append("V08")
            for r in rules:
                s.add(Finding(visit_id=v.id, rule_id=r, month=v.month, provider_id=v.provider_id,
                              person_id=v.person_id, district=v.district, status="flagged", note=""))
            line = s.scalar(select(SettlementLine).where(SettlementLine.month == v.month,
                                                         SettlementLine.person_id == v.person_id).with_for_update())
            cap, share = terms[plan.care_type]
            if line is None:
                line = SettlementLine(month=v.month, provider_id=v.provider_id, person_id=v.person_id,
                                      district=v.district, care_type=plan.care_type, visits=0, cost_fen=0,
                                      cap_fen=cap, share_bp=share, fund_fen=0, personal_fen=0, run_id=0)
                s.add(line)
            line.visits += 1
            line.cost_fen += sum(i.price_fen for i in items)
            line.fund_fen = P.fund_share(line.cost_fen, cap, share)
            line.personal_fen = line.cost_fen - line.fund_fen
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--visits", type=int, default=1_500_000)
    ap.add_argument("--people", type=int, default=45_000)
    ap.add_argument("--sample", type=int, default=1_500)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    url = os.environ.get("GAZETTE_BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["GAZETTE_DATABASE_URL"] = url
    from sqlalchemy import text

    from gazette.store.db import get_engine, unit_of_work

    try:
        from gazette.store.probe import ensure_database

        ensure_database(url)  # a fresh machine has no ltc_bench database yet: create it, as the other benches do
        with get_engine(url).connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - a benchmark without its database says so and stops
        print(f"PostgreSQL unreachable at {url} ({exc.__class__.__name__}): benchmark skipped")
        return 0
    t0 = time.perf_counter()
    setup(url, a.people, a.visits, a.sample)
    setup_s = time.perf_counter() - t0
    ours_s, result = ours()
    with unit_of_work() as s:
        ids = [int(i) for i in s.execute(text("SELECT id FROM ltc_visits WHERE month = :m ORDER BY id"),
                                         {"m": SAMPLE_MONTH}).scalars()]
    anchor_sample_s = anchor(ids)
    anchor_s = anchor_sample_s * a.visits / len(ids)
    out = {"visits": a.visits, "beneficiaries": a.people, "providers": 200, "setup_s": round(setup_s, 1),
           "ours_s": round(ours_s, 2), "anchor_sample_visits": len(ids), "anchor_sample_s": round(anchor_sample_s, 2),
           "anchor_scaled_s": round(anchor_s, 1), "ratio": round(anchor_s / ours_s, 1),
           "goal": "ours < 60 s for the month, ratio >= 20", "lines": result["settle"].get("lines"),
           "fund": result["settle"].get("fund"), "flagged": result["screen"].get("flagged"),
           "findings": result["screen"].get("findings"), "sampled": result["screen"].get("sampled")}
    if a.json:
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(f"settlement + screening of {a.visits:,} visits, {a.people:,} beneficiaries: ours {ours_s:.2f} s")
        print(f"anchor (per-visit ORM loop): {anchor_sample_s:.2f} s for {len(ids):,} visits → {anchor_s:.0f} s scaled")
        print(f"ratio: {anchor_s / ours_s:.1f}×   (goal: < 60 s, ≥ 20×)")
        print(f"lines {out['lines']}, fund {out['fund']} yuan, flagged {out['flagged']} {out['findings']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
