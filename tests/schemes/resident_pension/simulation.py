"""The simulated clock, 2021-01 → 2024-12: the scheme and the independent reference side by side.

Every month: enrolments (a roster each January), pensions starting, suspensions and restarts, deaths
(some reported months late), contributions by tier (5,000 with the 900 subsidy from 2022-09-01, 补缴
for the past year), the payroll, a bank export and its results (some failures, retried next month);
each year a standard published late: 320 on 2022-09-06 (60号), then the linked adjustment of 2023
and 2024 approved in spring — each followed by the top-up run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random

from sqlalchemy import text

from gazette.store.db import unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.resident_pension import bank as bank_files
from jiaxing.schemes.resident_pension import payroll as payroll_runs
from jiaxing.schemes.resident_pension import service
from jiaxing.schemes.resident_pension import standards as pension_standards

from .reference import Reference, mi

OFFICER, APPROVER = "sim-officer", "sim-approver"
ADJUSTMENTS = {2023: (dt.date(2023, 4, 10), "47000", "7.8%", "345"), 2024: (dt.date(2024, 3, 12), "50200", "6.8%", None)}
HEADER = "person_id,name,district,enrolled_on,status,pension_from,bank,bank_account\n"
DISTRICTS = ("南湖区", "秀洲区", "嘉善县", "平湖市", "海盐县", "海宁市", "桐乡市")
BANKS = ("ABC", "ICBC", "CCB", "BOC", "JXRCB")


def _advance(d: dt.date) -> None:
    with unit_of_work() as s:
        if d > pension_standards.today(s):
            pension_standards.advance(s, d)


def fails(export_id: str):
    def f(pid: str) -> bool:
        return hashlib.sha256(f"{export_id}/{pid}".encode()).digest()[0] < 6  # ~2.3%
    return f


def run(n: int, seed: int = 13, width: int = 2_000) -> tuple[Reference, dict]:
    rnd = random.Random(seed)
    ref = Reference()
    with unit_of_work() as s:
        pension_standards.setup(s, dt.date(2021, 1, 1))
    serial = 0
    idx: dict[str, int] = {}

    def roster(count: int, year: int) -> None:
        nonlocal serial
        rows = []
        for _ in range(count):
            serial += 1
            pid = example_person_id(serial, region="330402", born="19480101")  # distinct for distinct serials
            idx[pid] = serial
            receiving = rnd.random() < 0.7
            start = mi(dt.date(year, 1, 1)) + rnd.randint(0, 11) if receiving else None
            month = f"{start // 12:04d}-{start % 12 + 1:02d}" if receiving else ""
            rows.append(f"{pid},人{serial},{rnd.choice(DISTRICTS)},{year - rnd.randint(1, 8)}-03-01,"
                        f"{'receiving' if receiving else 'contributing'},{month},{rnd.choice(BANKS)},6228{serial:012d}")
            ref.enrol(pid, start)
        service.import_roster((HEADER + "\n".join(rows)).encode(), "roster.csv", key=f"roster-{year}",
                              actor=OFFICER)

    events = 0
    for month in range(mi(dt.date(2021, 1, 1)), mi(dt.date(2024, 12, 1)) + 1):
        y, mo = month // 12, month % 12 + 1
        if mo == 1:
            _advance(dt.date(y, 1, 2))
            roster(n if y == 2021 else max(n // 20, 5), y)
        d5 = dt.date(y, mo, 5)
        _advance(d5)
        people = sorted(ref.people.values(), key=lambda p: idx[p.pid])
        k = max(1, n // 2000)  # a few events a month per 2,000 people
        for p in rnd.sample(people, min(len(people), 6 * k)):
            r = rnd.random()
            key = f"ev-{month}-{p.pid}"
            if p.status == "contributing" and r < 0.3:
                service.start(p.pid, f"{y:04d}-{mo:02d}", key=key, actor=OFFICER)
                ref.start(p.pid, month)
            elif p.status == "receiving" and r < 0.15:
                service.suspend(p.pid, key=key, actor=OFFICER)
                ref.suspend(p.pid)
            elif p.status == "suspended" and r < 0.5:
                service.restart(p.pid, key=key, actor=OFFICER)
                ref.restart(p.pid)
            elif p.status in ("receiving", "suspended", "contributing") and r > 0.85:
                back = rnd.choice((0, 0, 1, 2, 3))  # months late
                dm = max(month - back, mi(dt.date(2021, 1, 1)))
                dd = dt.date(dm // 12, dm % 12 + 1, rnd.randint(1, 4 if dm == month else 28))
                service.death(p.pid, dd, key=key, actor=OFFICER)
                ref.death(p.pid, dd)
            else:
                continue
            events += 1
        if mo in (3, 10):  # contribution season (a few people a year)
            payers = [p for p in people if p.status == "contributing"]
            for p in rnd.sample(payers, min(len(payers), 4 * k + 4)):
                year = y - 1 if rnd.random() < 0.25 else y
                if year in p.contributions or year < 2021:
                    continue
                amount = rnd.choice((300_00, 1000_00, 5000_00, 5000_00)) if d5 >= dt.date(2022, 9, 1) else \
                    rnd.choice((300_00, 1000_00, 3000_00))
                service.contribute(p.pid, year, f"{amount // 100}", d5, key=f"c-{p.pid}-{year}",
                                   actor=OFFICER)
                ref.contribute(p.pid, year, amount, d5)
                events += 1
        if y >= 2023 and mo == 2:
            _, income, growth, edit = ADJUSTMENTS[y]
            service.propose(y, income, growth, key=f"adj-{y}", actor=OFFICER)
            if edit:
                service.edit(y, edit, key=f"adj-edit-{y}", actor=OFFICER)
            service.submit(y, key=f"adj-submit-{y}", actor=OFFICER)
        for year, (on, *_rest) in ADJUSTMENTS.items():
            if (on.year, on.month) == (y, mo):
                _advance(on)
                out = service.approve(year, key=f"adj-approve-{year}", actor=APPROVER)
                ref.publish(on, year, int(out["amount"].replace(".", "")))
                payroll_runs.topup(width=width)
                ref.topup(on)
        if (y, mo) == (2022, 9):
            _advance(dt.date(2022, 9, 6))
            payroll_runs.topup(width=width)
            ref.topup(dt.date(2022, 9, 6))
        d15 = dt.date(y, mo, 15)
        _advance(d15)
        payroll_runs.payroll(f"{y:04d}-{mo:02d}", width=width)
        ref.payroll(month, d15)
        _advance(dt.date(y, mo, 20))
        eid = f"E{y:04d}{mo:02d}"
        bank_files.export(eid)
        sent = ref.export()
        with unit_of_work() as s:
            files = bank_files.files(s, eid)
        f = fails(eid)
        rows = [ln.split(",") for t in files.values() for ln in t.splitlines()[1:-1]]
        if rows:
            bank_files.import_results(f"R{y:04d}{mo:02d}",
                                      "\n".join(f"{r[0]},{r[4]},{'failed' if f(r[1]) else 'ok'}"
                                                                     for r in rows))
        ref.results(sent, f)
    return ref, {"events": events, "people": len(ref.people)}


def fingerprint() -> dict:
    with unit_of_work() as s:
        q = lambda sql: sorted(tuple(r) for r in s.execute(text(sql)))  # noqa: E731
        return {
            "lines": q("SELECT p.person_id, l.kind, l.month, l.amount_fen, l.status FROM rp_lines l "
                       "JOIN rp_participants p ON p.id = l.participant_id"),
            "recoveries": q("SELECT p.person_id, r.month, r.amount_fen FROM rp_recoveries r JOIN rp_participants p "
                            "ON p.id = r.participant_id WHERE r.amount_fen > 0"),
            "contributions": q("SELECT person_id, year, amount_fen, subsidy_fen FROM rp_contributions"),
            "status": q("SELECT person_id, status FROM rp_participants"),
        }


def books() -> dict:
    """Everything money: ledger balances of the book and the line table (for crash comparisons)."""
    with unit_of_work() as s:
        q = lambda sql: sorted(tuple(r) for r in s.execute(text(sql)))  # noqa: E731
        return {"balances": q("SELECT a.code, b.balance FROM ledger_balances b JOIN ledger_accounts a ON "
                              "a.id = b.account_id WHERE a.book_code = 'resident_pension'"),
                "lines": q("SELECT p.person_id, l.kind, l.month, l.version, l.months, l.amount_fen, l.status FROM "
                           "rp_lines l JOIN rp_participants p ON p.id = l.participant_id"),
                "settled": q("SELECT person_id, settled_version FROM rp_participants"),
                "entries": s.execute(text("SELECT COUNT(*) FROM ledger_entries WHERE book_code = 'resident_pension'"))
                .scalar()}
