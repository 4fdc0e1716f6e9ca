"""Provident fund benchmark on PostgreSQL: the monthly collection + bank result import + arrears run
over 1,000,000 accounts, beside its anchor measured in the same run — the same month done the way
per-account batch jobs are often written: a row-by-row ORM loop (load the account, add its rows,
post its own ledger entry, commit), timed on a sample of accounts and scaled to the million.

Ours is set-based (``INSERT … SELECT``, ``UPDATE … FROM``) in chunks of account-id ranges, one
aggregated ledger entry per chunk (see docs/provident_fund.md). Both sides run the same scenario
(month 2023-01, every account opened 2022-05): 10% of accounts have prepaid months (credited by the
run), 4% are in arrears (half get a reminder, half are sealed), 0.5% reach retirement age, ~3% of
debits fail. The sample accounts are built exactly like the million and end in the same state,
which the script checks.

    .venv/bin/python bench/bench_provident_fund.py [--accounts 1000000] [--sample 2000] [--json]
    GAZETTE_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/fund_bench (default)

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

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/fund_bench"
MONTH = "2023-01"
RUN_DAY = dt.date(2023, 2, 5)
OPENED = dt.date(2022, 5, 2)


def _scenario_sql(prefix: str, first: int, last: int, id_offset: int) -> str:
    """Accounts numbered g = first..last with a deterministic mix (the same g → the same account)."""
    return f"""
    INSERT INTO pf_accounts (id, person_id, name, sex, birth_date, status, base_fen, rate_bp, monthly_fen, opened_on,
      due_from, retire_month, last_paid_month, prepaid_through, prepaid_fen, balance_fen, accrual,
      accrual_idx, reminded_month, loan_outstanding, carried_months, carried_through, created_at, updated_at)
    SELECT g + {id_offset}, '{prefix}' || lpad(g::text, 7, '0'), '基准', CASE WHEN g % 2 = 0 THEN 'male' ELSE 'female' END,
      DATE '1985-01-01', 'active', b.base, b.rate, ((2 * b.base * b.rate + 1000000) / 2000000) * 100, DATE '2022-05-02',
      :m0, CASE WHEN g % 200 = 5 THEN :m ELSE :m + 400 END,
      CASE WHEN g % 50 = 1 THEN :m - 3 WHEN g % 50 = 2 THEN :m - 4 ELSE :m - 1 END,
      CASE WHEN g % 10 = 3 THEN :m + 5 END,
      CASE WHEN g % 10 = 3 THEN 6 * ((2 * b.base * b.rate + 1000000) / 2000000) * 100 ELSE 0 END,
      8 * ((2 * b.base * b.rate + 1000000) / 2000000) * 100, 0, :c,
      CASE WHEN g % 50 = 2 THEN :m - 1 END, false, 0, NULL, now(), now()
    FROM generate_series(CAST({first} AS BIGINT), CAST({last} AS BIGINT)) g,
         LATERAL (SELECT 228000 + (g * 7919) % 2172000 AS base, 1000 + (g % 15) * 100 AS rate) b"""


def _fails(g: int) -> bool:
    return g % 50 in (1, 2) or (g * 2654435761) % 100 < 3


def _bank_lines(s, lo: int, hi: int, id_offset: int, m: int) -> list[tuple[str, int, str]]:
    from sqlalchemy import text

    rows = s.execute(text("SELECT ref, account_id, amount_fen FROM pf_collections WHERE month = :m AND status = "
                          "'pending' AND account_id >= :lo AND account_id < :hi ORDER BY account_id"),
                     {"m": m, "lo": lo, "hi": hi}).all()
    return [(r, a, "failed" if _fails(aid - id_offset) else "ok") for r, aid, a in rows]


def setup(url: str, n: int, sample: int) -> int:
    from sqlalchemy import text

    from gazette.ledger import credit, debit
    from gazette.store.db import get_engine, unit_of_work
    from gazette.store.migrate import upgrade
    from jiaxing.schemes.provident_fund import service
    from jiaxing.schemes.provident_fund.domain import month_index, parse_month

    with get_engine(url).begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(url)
    m = parse_month(MONTH)
    offset = n + 1000  # the sample's ids follow the million's
    with unit_of_work(url) as s:
        service.setup(s, OPENED)
        c = service.rate_index(s, dt.date(2023, 1, 15))
        p = {"m": m, "m0": month_index(OPENED), "c": c}
        s.execute(text(_scenario_sql("B", 1, n, 0)), p)
        s.execute(text(_scenario_sql("S", 1, sample, offset)), p)
        s.execute(text("SELECT setval(pg_get_serial_sequence('pf_accounts', 'id'), (SELECT MAX(id) FROM pf_accounts))"))
        s.execute(text("INSERT INTO pf_movements (account_id, business_date, kind, delta_balance, delta_prepaid, ref) "
                       "SELECT id, :d, 'opening', balance_fen, prepaid_fen, 'opening:' || id FROM pf_accounts"),
                  {"d": OPENED})
        bal, pre = s.execute(text("SELECT SUM(balance_fen), SUM(prepaid_fen) FROM pf_accounts")).one()
        # opening balances of the sub-ledger, carried into the control accounts
        service.ledger().post(s, [debit("bank", int(bal) + int(pre)), credit("members", int(bal)), credit("prepaid", int(pre))],
                        key="bench:opening", description="期初余额", business_date=OPENED)
        s.execute(text("ANALYZE"))
    with unit_of_work(url) as s:
        service.advance(s, RUN_DAY)
    return offset


def ours(url: str, n: int, offset: int, width: int) -> dict:
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service
    from jiaxing.schemes.provident_fund.domain import parse_month

    m = parse_month(MONTH)
    t = time.perf_counter()
    # only the million: the sample is done by the loop (ids >= offset are skipped by our run because
    # the loop already wrote their month — we run the loop first)
    r1 = service.monthly_collection(MONTH, width=width)
    t1 = time.perf_counter() - t
    with unit_of_work(url) as s:
        lines = _bank_lines(s, 0, offset, 0, m)
    t = time.perf_counter()
    r2 = service.import_bank_results(f"bank-{MONTH}", lines)
    t2 = time.perf_counter() - t
    t = time.perf_counter()
    r3 = service.arrears_run(MONTH, width=width)
    t3 = time.perf_counter() - t
    return {"collection_s": t1, "import_s": t2, "arrears_s": t3, "total_s": t1 + t2 + t3,
            "collection": r1.result, "import": r2.result, "arrears": r3.result, "lines": len(lines)}


def loop(url: str, sample: int, offset: int) -> dict:
    """The anchor: one account at a time through the ORM, one transaction and one ledger entry each."""
    from sqlalchemy import select

    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import domain, service
    from jiaxing.schemes.provident_fund.models import Collection, FundAccount, FundEvent, Movement

    m = domain.parse_month(MONTH)
    book = service.ledger()
    ids = list(range(offset + 1, offset + sample + 1))
    with unit_of_work(url) as s:
        c = service.rate_index(s, RUN_DAY)
    t0 = time.perf_counter()
    for aid in ids:  # 1. collection
        with unit_of_work(url) as s:
            a = s.get(FundAccount, aid, with_for_update=True)
            if a.status != "active" or a.due_from > m or s.scalar(
                    select(Collection.id).where(Collection.account_id == a.id, Collection.month == m)) is not None:
                continue
            ref = f"{MONTH}-{a.id}"
            if a.prepaid_through is not None and a.prepaid_through >= m:
                s.add(Collection(account_id=a.id, month=m, amount_fen=a.monthly_fen, source="prepaid", status="paid",
                                 ref=ref, settled_on=RUN_DAY))
                a.accrual += a.balance_fen * max(c - a.accrual_idx, 0)
                a.accrual_idx = max(a.accrual_idx, c)
                a.balance_fen += a.monthly_fen
                a.prepaid_fen -= a.monthly_fen
                a.last_paid_month = m
                if a.prepaid_through == m:
                    a.prepaid_through = None
                book.transfer(s, "prepaid", "members", a.monthly_fen, key=f"loop:due:{ref}", business_date=RUN_DAY)
            else:
                s.add(Collection(account_id=a.id, month=m, amount_fen=a.monthly_fen, source="debit", status="pending",
                                 ref=ref))
    t1 = time.perf_counter()
    with unit_of_work(url) as s:
        lines = _bank_lines(s, offset, offset + sample + 1, offset, m)
    t2 = time.perf_counter()
    for ref, amount, result in lines:  # 2. bank results, line by line
        with unit_of_work(url) as s:
            col = s.scalar(select(Collection).where(Collection.ref == ref).with_for_update())
            if col is None or col.status != "pending" or col.amount_fen != amount:
                continue
            col.status, col.settled_on = ("paid" if result == "ok" else "failed"), RUN_DAY
            if result == "ok":
                a = s.get(FundAccount, col.account_id, with_for_update=True)
                a.accrual += a.balance_fen * max(c - a.accrual_idx, 0)
                a.accrual_idx = max(a.accrual_idx, c)
                a.balance_fen += amount
                a.last_paid_month = max(a.last_paid_month or -1, col.month)
                book.transfer(s, "bank", "members", amount, key=f"loop:col:{ref}", business_date=RUN_DAY)
    t_import = time.perf_counter() - t2
    for aid in ids:  # 3. arrears and retirement, account by account
        with unit_of_work(url) as s:
            a = s.get(FundAccount, aid, with_for_update=True)
            if a.reminded_month is not None and a.last_paid_month is not None and a.last_paid_month > a.reminded_month:
                a.reminded_month = None
            if a.status != "active" or s.scalar(
                    select(Collection.id).where(Collection.account_id == a.id, Collection.month == m)) is None:
                continue
            # the anchor's own reading of 第十七条 (the service's rule lives in SQL, jiaxing…/arrears.py)
            streak = m - max(a.last_paid_month if a.last_paid_month is not None else -1, a.due_from - 1)
            action = None if streak < 3 else ("remind" if a.reminded_month is None else
                                              "seal" if a.reminded_month < m else None)
            reason = "arrears" if action == "seal" else ("retirement" if a.retire_month <= m else None)
            if action == "remind":
                a.reminded_month = m
                s.add(FundEvent(account_id=a.id, business_date=RUN_DAY, event="reminded", month=m, detail="arrears",
                                ref=f"loop:reminded:{a.id}"))
            if reason:
                if a.prepaid_fen:
                    s.add(Movement(account_id=a.id, business_date=RUN_DAY, kind="refund", delta_prepaid=-a.prepaid_fen,
                                   month=m, ref=f"loop:refund:{a.id}"))
                    book.transfer(s, "prepaid", "bank", a.prepaid_fen, key=f"loop:refund:{a.id}", business_date=RUN_DAY)
                a.status, a.seal_reason, a.prepaid_fen, a.prepaid_through, a.reminded_month = \
                    "sealed", reason, 0, None, None
                s.add(FundEvent(account_id=a.id, business_date=RUN_DAY, event="sealed", month=m, detail=reason,
                                ref=f"loop:sealed:{a.id}"))
    t3 = time.perf_counter()
    total = (t1 - t0) + (t3 - t2)
    return {"total_s": total, "per_account_us": total / sample * 1e6, "lines": len(lines), "import_s": t_import}


def compare(url: str, sample: int, offset: int) -> int:
    """The loop's sample and the same accounts of the million end in the same state."""
    from sqlalchemy import text

    from gazette.store.db import unit_of_work

    with unit_of_work(url) as s:
        return s.execute(text("""
            SELECT COUNT(*) FROM pf_accounts x JOIN pf_accounts y ON y.id = x.id + :off
            WHERE x.id <= :n AND (x.status, COALESCE(x.seal_reason, ''), x.balance_fen, x.prepaid_fen,
                  COALESCE(x.reminded_month, -1), x.accrual) IS DISTINCT FROM
                  (y.status, COALESCE(y.seal_reason, ''), y.balance_fen, y.prepaid_fen,
                   COALESCE(y.reminded_month, -1), y.accrual)"""), {"off": offset, "n": sample}).scalar()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=2_000)
    ap.add_argument("--width", type=int, default=100_000, help="accounts per transaction in our runs")
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
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
        print(json.dumps({"skipped": f"PostgreSQL unreachable ({exc.__class__.__name__})"}) if args.json else
              f"PostgreSQL unreachable at {url} ({exc.__class__.__name__}); skipped. Is the server running?")
        return
    n, sample = args.accounts, args.sample
    t = time.perf_counter()
    offset = setup(url, n, sample)
    if not args.json:
        print(f"setup: {n:,} + {sample:,} accounts in {time.perf_counter() - t:.1f} s (not timed below)")
    anchor = loop(url, sample, offset)
    mine = ours(url, n, offset, args.width)
    from gazette.store.db import unit_of_work
    from jiaxing.schemes.provident_fund import service

    with unit_of_work(url) as s:
        rec = service.reconcile(s)
    mismatched = compare(url, sample, offset)
    per_ours = mine["total_s"] / n * 1e6
    scaled = anchor["per_account_us"] * n / 1e6
    # the anchor's bank import alone, per line, scaled to our file's lines
    import_anchor = anchor["import_s"] / max(anchor["lines"], 1) * mine["lines"]
    figures = {
        "accounts": n, "month": MONTH, "sample": sample,
        "ours": {"collection_s": round(mine["collection_s"], 2), "import_s": round(mine["import_s"], 2),
                 "arrears_s": round(mine["arrears_s"], 2), "total_s": round(mine["total_s"], 2),
                 "per_account_us": round(per_ours, 1), "import_lines": mine["lines"]},
        "anchor": {"name": "row-by-row ORM loop", "per_account_us": round(anchor["per_account_us"], 1),
                   "scaled_total_s": round(scaled, 1), "import_scaled_s": round(import_anchor, 1)},
        "ratio": {"total": round(anchor["per_account_us"] / per_ours, 1),
                  "import": round(import_anchor / mine["import_s"], 1)},
        "goals": {"import_s": 10, "total_s": 30},
        "checks": {"reconcile_ok": rec["ok"], "sample_differing_from_twins": mismatched},
        "results": {"collection": mine["collection"], "import": mine["import"], "arrears": mine["arrears"]},
    }
    if args.json:
        print(json.dumps(figures, ensure_ascii=False))
        return
    print(f"ours (set-based), {n:,} accounts, month {MONTH}:")
    print(f"  collection run  {mine['collection_s']:7.2f} s   {mine['collection']}")
    print(f"  bank import     {mine['import_s']:7.2f} s   {mine['lines']:,} lines; {mine['import']}   goal < 10 s")
    print(f"  arrears run     {mine['arrears_s']:7.2f} s   {mine['arrears']}")
    print(f"  total           {mine['total_s']:7.2f} s   ({per_ours:.1f} µs per account)   goal < 30 s")
    print(f"anchor (row-by-row ORM loop), sample of {sample:,} accounts: {anchor['total_s']:.2f} s "
          f"({anchor['per_account_us']:.0f} µs per account) → scaled to {n:,}: {scaled:,.0f} s; "
          f"its bank import scaled to {mine['lines']:,} lines: {import_anchor:,.0f} s")
    print(f"ratio: {figures['ratio']['total']}× faster per account; bank import {figures['ratio']['import']}×")
    print(f"checks: reconcile {rec}; sample accounts differing from their twins in the million: {mismatched}")

if __name__ == "__main__":
    main()
