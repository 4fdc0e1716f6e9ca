"""Resident pension benchmark on PostgreSQL: the back-dated top-up (60号: 320 from 2022-01, published
2022-09-06) plus the September 2022 payroll over 1,000,000 recipients, beside its anchor measured in
the same run — the same work the way per-person payroll jobs are often written: a row-by-row ORM loop
(load the person, read their paid months, add their lines, post their own ledger entry, commit),
timed on a sample of recipients and scaled to the million.

Ours is set-based (``INSERT … SELECT`` over participant-id ranges, one aggregated ledger entry per
chunk and district; see docs/resident_pension.md). Both sides start from the same state: every
recipient was paid January–August 2022 at 290 (from January, February or March), 1% died in May
(reported), so the top-up is 30 yuan for every month paid, to May for the dead. The sample is built
exactly like the million and must end in the same state, which the script checks.

    .venv/bin/python bench/bench_pension.py [--recipients 1000000] [--sample 2000] [--json]
    GAZETTE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench_h13 (default)

Benchmarks are not tests: this prints figures; it exits 0 with a message when PostgreSQL is unreachable.
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

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_h13"
MONTH = "2022-09"
RUN_DAY = dt.date(2022, 9, 15)
DISTRICTS = ("南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市")


def _people_sql(first: int, last: int, id_offset: int) -> str:
    """Recipients g = first..last: the same g → the same person (id g + offset)."""
    ds = "ARRAY[" + ",".join(f"'{d}'" for d in DISTRICTS) + "]"
    return f"""
    INSERT INTO rp_participants (id, person_id, name, district, enrolled_on, status, pension_from, death_date,
                                 death_month, bank, bank_account, settled_version)
    SELECT g + {id_offset}, 'B' || lpad((g + {id_offset})::text, 17, '0'), '基准', ({ds})[1 + g % 7], DATE '2012-01-01',
           CASE WHEN g % 100 = 7 THEN 'deceased' ELSE 'receiving' END, 2022 * 12 + g % 3,
           CASE WHEN g % 100 = 7 THEN DATE '2022-05-03' END, CASE WHEN g % 100 = 7 THEN 2022 * 12 + 4 END,
           'JXRCB', '6228' || lpad(g::text, 12, '0'), 0
    FROM generate_series(CAST({first} AS BIGINT), CAST({last} AS BIGINT)) g"""


def setup(url: str, n: int, sample: int) -> int:
    from sqlalchemy import text

    from gazette.store.db import get_engine, unit_of_work
    from gazette.store.migrate import upgrade
    from jiaxing.schemes.resident_pension import standards as S

    with get_engine(url).begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    with unit_of_work(url) as s:
        S.setup(s, dt.date(2022, 1, 1))
    offset = 10 ** (len(str(n)) + 1)  # the sample's ids: far above the million's
    with unit_of_work(url) as s:
        s.execute(text(_people_sql(1, n, 0)))
        s.execute(text(_people_sql(1, sample, offset)))
        # January–August 2022 paid at 290 (version 1), up to the month of death
        s.execute(text("""
            INSERT INTO rp_lines (participant_id, district, kind, month, version, months, amount_fen, status, bank,
                                  attempts, run_id)
            SELECT p.id, p.district, 'pension', m, 1, 1, 29000, 'paid', p.bank, 1, 0
            FROM rp_participants p, generate_series(2022 * 12, 2022 * 12 + 7) m
            WHERE m >= p.pension_from AND (p.death_month IS NULL OR m <= p.death_month)"""))
    with unit_of_work(url) as s:  # the history's books: granted and paid
        from gazette.ledger import credit, debit

        S.advance(s, RUN_DAY)

        sums = s.execute(text("SELECT district, SUM(amount_fen) FROM rp_lines GROUP BY district")).all()
        S.ledger().post(s, [x for d, a in sums for x in (debit(f"expense:{d}", int(a)), credit(f"payable:{d}", int(a)))],
                        key="bench:history:granted", business_date=dt.date(2022, 8, 31))
        S.ledger().post(s, [x for d, a in sums for x in (debit(f"payable:{d}", int(a)), credit(f"bank:{d}", int(a)))],
                        key="bench:history:paid", business_date=dt.date(2022, 8, 31))
    with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return offset


def ours(url: str, width: int) -> dict:
    from jiaxing.schemes.resident_pension import payroll as PR

    t = time.perf_counter()
    r1 = PR.topup(width=width)
    t1 = time.perf_counter() - t
    t = time.perf_counter()
    r2 = PR.payroll(MONTH, width=width)
    t2 = time.perf_counter() - t
    return {"topup_s": t1, "payroll_s": t2, "total_s": t1 + t2, "topup": _short(r1.result),
            "payroll": _short(r2.result)}


def _short(result: dict) -> dict:
    return {k: result[k] for k in ("lines", "amount", "months") if k in result}


def loop(url: str, sample: int, offset: int) -> dict:
    """The anchor: one person at a time through the ORM, one transaction and one ledger entry each."""
    from sqlalchemy import select

    from gazette.ledger import credit, debit
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.resident_pension import domain as D
    from jiaxing.schemes.resident_pension import standards as S
    from jiaxing.schemes.resident_pension.models import Participant, PayLine

    lg = S.ledger()
    m = D.month_index(MONTH)
    with unit_of_work(url) as s:
        v = S.version_on(s, RUN_DAY)
        sched = S.schedule(s, v)
        old_sched = {k: S.schedule(s, k) for k in range(1, v + 1)}

    def std(schedule, month):
        return [fen for start, fen in schedule if start <= month][-1]

    t0 = time.perf_counter()
    for pid in range(offset + 1, offset + sample + 1):  # the top-up, person by person
        with unit_of_work(url) as s:
            p = s.get(Participant, pid, with_for_update=True)
            if p.settled_version >= v:
                continue
            total = months = 0
            for ln in s.scalars(select(PayLine).where(PayLine.participant_id == p.id, PayLine.kind == "pension")):
                if ln.status == "cancelled" or ln.version >= v or (p.death_month is not None and
                                                                   ln.month > p.death_month):
                    continue
                before = std(old_sched[max(ln.version, p.settled_version)], ln.month)
                diff = std(sched, ln.month) - before
                if diff > 0:
                    total, months = total + diff, months + 1
            if total:
                s.add(PayLine(participant_id=p.id, district=p.district, kind="topup", month=m, version=v,
                              months=months, amount_fen=total, status="due", bank=p.bank, attempts=0, run_id=0))
                lg.post(s, [debit(f"expense:{p.district}", total), credit(f"payable:{p.district}", total)],
                        key=f"loop:topup:{p.id}", business_date=RUN_DAY)
            p.settled_version = v
    for pid in range(offset + 1, offset + sample + 1):  # the payroll, person by person
        with unit_of_work(url) as s:
            p = s.get(Participant, pid)
            if p.status != "receiving" or p.pension_from > m or s.scalar(select(PayLine.id).where(
                    PayLine.participant_id == p.id, PayLine.kind == "pension", PayLine.month == m)) is not None:
                continue
            fen = std(sched, m)
            s.add(PayLine(participant_id=p.id, district=p.district, kind="pension", month=m, version=v, months=1,
                          amount_fen=fen, status="due", bank=p.bank, attempts=0, run_id=0))
            lg.post(s, [debit(f"expense:{p.district}", fen), credit(f"payable:{p.district}", fen)],
                    key=f"loop:payroll:{p.id}", business_date=RUN_DAY)
    total = time.perf_counter() - t0
    return {"total_s": total, "per_person_us": total / sample * 1e6}


def compare(url: str, sample: int, offset: int) -> int:
    """Lines of the loop's sample and of the same people in the million that differ (want 0)."""
    from sqlalchemy import text

    from gazette.store.db import unit_of_work

    with unit_of_work(url) as s:
        return s.execute(text("""
            SELECT COUNT(*) FROM (
              (SELECT participant_id - :off AS g, kind, month, months, amount_fen FROM rp_lines
               WHERE participant_id > :off AND participant_id <= :off + :n AND month >= 2022 * 12 + 8
               EXCEPT SELECT participant_id, kind, month, months, amount_fen FROM rp_lines
               WHERE participant_id <= :n AND month >= 2022 * 12 + 8)
              UNION ALL
              (SELECT participant_id, kind, month, months, amount_fen FROM rp_lines
               WHERE participant_id <= :n AND month >= 2022 * 12 + 8
               EXCEPT SELECT participant_id - :off, kind, month, months, amount_fen FROM rp_lines
               WHERE participant_id > :off AND participant_id <= :off + :n AND month >= 2022 * 12 + 8)) d"""),
                         {"off": offset, "n": sample}).scalar()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipients", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=2_000)
    ap.add_argument("--width", type=int, default=500_000, help="participants per transaction in our runs")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    url = os.environ.get("GAZETTE_BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["GAZETTE_DATABASE_URL"] = url
    from gazette.settings import reset_settings_cache

    reset_settings_cache()
    try:
        from gazette.store.db import get_engine
        from gazette.store.probe import ensure_database

        ensure_database(url)
        with get_engine(url).connect():
            pass
    except Exception as exc:  # noqa: BLE001
        print(f"PostgreSQL unreachable at {url} ({exc.__class__.__name__}); skipped.")
        return
    n, sample = args.recipients, min(args.sample, args.recipients)
    t = time.perf_counter()
    offset = setup(url, n, sample)
    setup_s = time.perf_counter() - t
    anchor = loop(url, sample, offset)
    mine = ours(url, args.width)
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.resident_pension import bank as B

    with unit_of_work(url) as s:
        rec = B.reconcile(s)
    mismatched = compare(url, sample, offset)
    per_ours = mine["total_s"] / n * 1e6
    scaled = anchor["per_person_us"] * n / 1e6
    ratio = anchor["per_person_us"] / per_ours
    out = {"recipients": n, "sample": sample, "setup_s": round(setup_s, 1), "ours": mine,
           "ours_per_person_us": round(per_ours, 2), "anchor_sample_s": round(anchor["total_s"], 2),
           "anchor_per_person_us": round(anchor["per_person_us"], 1), "anchor_scaled_s": round(scaled, 1),
           "ratio": round(ratio, 1), "goal": {"total_s": 30, "ratio": 20}, "reconciled": rec["ok"],
           "sample_mismatches": mismatched}
    if args.json:
        print(json.dumps(out, ensure_ascii=False, default=str))
        return
    print(f"setup: {n:,} + {sample:,} recipients with 8 months paid, in {setup_s:.1f} s (not timed below)")
    print(f"ours (set-based), {n:,} recipients:")
    print(f"  top-up run     {mine['topup_s']:7.2f} s   {mine['topup']}")
    print(f"  payroll {MONTH} {mine['payroll_s']:7.2f} s   {mine['payroll']}")
    print(f"  total          {mine['total_s']:7.2f} s   ({per_ours:.1f} µs per recipient)   goal < 30 s")
    print(f"anchor (row-by-row ORM loop), sample of {sample:,}: {anchor['total_s']:.2f} s "
          f"({anchor['per_person_us']:.0f} µs per recipient) → scaled to {n:,}: {scaled:,.0f} s")
    print(f"ratio: {ratio:.1f}× faster per recipient (goal ≥ 20×)")
    print(f"checks: books reconcile {rec['ok']}; sample lines differing from their twins: {mismatched}")


if __name__ == "__main__":
    main()
