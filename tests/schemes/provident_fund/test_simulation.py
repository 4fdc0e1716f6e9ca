"""A 5-year simulated clock over 10,000 random accounts, checked to the fen against an independent
reference implementation kept here (it imports nothing from the fund package).

Every month: random commands (opening, prepayment — some beyond 30 June —, stopping — some with a
loan outstanding —, unsealing, transfers out, loan flags), then on the 5th of the next month the
collection run, a bank result file (failures, chronic defaulters, duplicates, unknown references,
missing lines) and the arrears run; on 30 June the interest run. Each run is re-run on the same
day and must change nothing. At the end every account is compared: status, seal reason, balance,
prepaid money and months, reminder, consecutive months, and every year's interest.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from dataclasses import dataclass, field

from sqlalchemy import text

from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.provident_fund import service as S
from jiaxing.schemes.provident_fund.domain import Applicant

N_ACCOUNTS = int(os.environ.get("PF_SIM_ACCOUNTS", 10_000))
MONTHS = int(os.environ.get("PF_SIM_MONTHS", 60))  # 2022-05 .. 2027-04
RATES = [(dt.date(2016, 2, 21), 15_000), (dt.date(2024, 12, 1), 12_500)]  # ppm per year (demo)
DEN = 360 * 1_000_000
WIDTH = 20_000  # one chunk per run here; multi-chunk runs are exercised by test_crash and test_service

# ------------------------------------------------------------------ the reference implementation


def mi(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def first_day(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def label(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def half_up(n: int, d: int) -> int:
    return (2 * n + d) // (2 * d)


class Rates:
    """Σ of the daily annual rate over days, by a prefix array (independent of the service's index)."""

    def __init__(self, start: dt.date, end: dt.date):
        self.start = start
        days = (end - start).days + 2
        pre = [0] * (days + 1)
        for i in range(days):
            day = start + dt.timedelta(days=i)
            rate = [r for s, r in RATES if s <= day][-1]
            pre[i + 1] = pre[i] + rate
        self.pre = pre

    def between(self, a: dt.date, b: dt.date) -> int:
        return self.pre[(b - self.start).days] - self.pre[(a - self.start).days]


@dataclass
class Acct:
    pid: str
    sex: str
    birth: dt.date
    monthly: int
    due_from: int
    retire: int
    id: int = 0
    status: str = "active"
    reason: str | None = None
    balance: int = 0
    prepaid: int = 0
    prepaid_through: int | None = None
    last_row: int | None = None
    last_paid: int | None = None
    reminded: int | None = None
    loan: bool = False
    paid: dict = field(default_factory=dict)  # month -> True/False (settled)
    pending: set = field(default_factory=set)
    since: dt.date | None = None  # date of the last balance change (for interest)
    accrual: int = 0
    interest: dict = field(default_factory=dict)  # settlement year -> fen


class Reference:
    def __init__(self, rates: Rates):
        self.rates = rates
        self.accts: dict[str, Acct] = {}

    # balance changes carry the interest accrual of the old balance up to the day of change
    def _credit(self, a: Acct, d: dt.date, amount: int) -> None:
        if a.since is not None:
            a.accrual += a.balance * self.rates.between(a.since, d)
        a.since = d
        a.balance += amount

    def eligible(self, sex: str, birth: dt.date, on: dt.date) -> bool:
        age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
        retire = (birth.year + (60 if sex == "male" else 50)) * 12 + birth.month - 1
        return 18 <= age and mi(on) < retire  # D14 with PF9: open only before the retirement month

    def open(self, pid, sex, birth, base, rate_pct, d) -> bool:
        if pid in self.accts or not self.eligible(sex, birth, d):
            return False
        monthly = half_up(base * rate_pct, 100 * 100) * 100  # base × rate%, to the yuan
        retire = (birth.year + (60 if sex == "male" else 50)) * 12 + birth.month - 1
        self.accts[pid] = Acct(pid, sex, birth, monthly, mi(d), retire, since=d)
        return True

    def _next(self, a: Acct) -> int:
        n = a.due_from
        if a.last_row is not None:
            n = max(n, a.last_row + 1)
        if a.prepaid_through is not None:
            n = max(n, a.prepaid_through + 1)
        return n

    def prepay(self, pid, through: int, d: dt.date) -> bool:
        a = self.accts[pid]
        if a.status != "active":
            return False
        june = (d.year + (1 if d.month >= 7 else 0)) * 12 + 5
        start = self._next(a)
        if through > june or through < start:
            return False
        a.prepaid += (through - start + 1) * a.monthly
        a.prepaid_through = through
        return True

    def _refund(self, a: Acct) -> None:
        a.prepaid, a.prepaid_through = 0, None

    def stop(self, pid, d) -> bool:
        a = self.accts[pid]
        if a.status != "active" or a.loan:
            return False
        self._refund(a)
        a.status, a.reason, a.reminded = "sealed", "request", None
        return True

    def unseal(self, pid, d) -> bool:
        a = self.accts[pid]
        if a.status != "sealed" or a.reason == "retirement" or mi(d) > a.retire:
            return False
        a.status, a.reason, a.reminded = "active", None, None
        a.due_from = max(mi(d), a.last_row + 1 if a.last_row is not None else mi(d))
        return True

    def transfer_out(self, pid, d) -> bool:
        a = self.accts[pid]
        if a.status == "transferred":
            return False
        self._credit(a, d, 0)
        i = half_up(a.accrual, DEN)
        if i:
            a.interest[("out", d)] = i
        a.balance += i
        a.accrual = 0
        self._refund(a)
        a.balance = 0
        a.status, a.reason, a.reminded = "transferred", "employment", None
        return True

    def collect(self, m: int, d: dt.date) -> set[str]:
        refs = set()
        for a in self.accts.values():
            if a.status != "active" or a.due_from > m or (a.last_row is not None and a.last_row >= m):
                continue
            a.last_row = m
            if a.prepaid_through is not None and a.prepaid_through >= m:
                self._credit(a, d, a.monthly)
                a.prepaid -= a.monthly
                a.paid[m] = True
                a.last_paid = m
                if a.prepaid_through == m:
                    a.prepaid_through = None
            else:
                a.pending.add(m)
                refs.add(f"{label(m)}-{a.id}")
        return refs

    def bank(self, lines, d: dt.date, by_id: dict[int, Acct]) -> None:
        seen = set()
        for ref, amount, result in lines:
            if ref in seen:
                continue
            seen.add(ref)
            lab, _, ident = ref.rpartition("-")
            a = by_id.get(int(ident))
            if a is None:
                continue
            m = int(lab[:4]) * 12 + int(lab[5:7]) - 1
            if m not in a.pending or amount != a.monthly:
                continue
            a.pending.discard(m)
            a.paid[m] = result == "ok"
            if result == "ok":
                self._credit(a, d, amount)
                a.last_paid = m if a.last_paid is None else max(a.last_paid, m)

    def arrears(self, m: int, d: dt.date) -> None:
        for a in self.accts.values():
            if m in a.pending:
                a.pending.discard(m)
                a.paid[m] = False
            if a.reminded is not None and a.last_paid is not None and a.last_paid > a.reminded:
                a.reminded = None
            if a.status != "active" or a.last_row is None or a.last_row < m:
                continue
            floor = a.due_from - 1 if a.last_paid is None else max(a.last_paid, a.due_from - 1)
            streak = m - floor
            if a.reminded is not None and a.reminded < m and streak >= 3:
                self._refund(a)
                a.status, a.reason, a.reminded = "sealed", "arrears", None
            elif a.reminded is None and streak >= 3:
                a.reminded = m
        for a in self.accts.values():
            if a.status == "active" and a.retire <= m:
                self._refund(a)
                a.status, a.reason, a.reminded = "sealed", "retirement", None

    def settle(self, year: int) -> None:
        end = dt.date(year, 7, 1)
        for a in self.accts.values():
            if a.since is None:
                continue
            a.accrual += a.balance * self.rates.between(a.since, end)
            a.since = end
            i = half_up(a.accrual, DEN)
            a.accrual = 0
            a.balance += i
            if i:
                a.interest[year] = i

    def consecutive(self, a: Acct) -> int:
        settled = [m for m in a.paid if m >= a.due_from]
        if not settled:
            return 0
        n, m = 0, max(settled)
        while m >= a.due_from and a.paid.get(m):
            n, m = n + 1, m - 1
        return n


# ------------------------------------------------------------------ the driver


def _counts(url) -> tuple:
    with unit_of_work(url) as s:
        # the newest row of every table the runs write: any insert shows (and every change of money or
        # state inserts a movement, an event or an audit record)
        return tuple(s.execute(text(q)).scalar() for q in (
            "SELECT MAX(id) FROM pf_movements", "SELECT MAX(id) FROM pf_collections", "SELECT MAX(id) FROM pf_events",
            "SELECT MAX(id) FROM pf_exceptions", "SELECT MAX(id) FROM ledger_entries", "SELECT MAX(id) FROM audit_log",
            "SELECT COUNT(*) FROM ledger_runs WHERE status = 'completed'"))


def _try(url, fn, *args) -> bool:
    try:
        with unit_of_work(url) as s:
            fn(s, *args)
        return True
    except GazetteError:
        return False


def test_five_years_ten_thousand_accounts_match_the_reference(fund):
    url = fund
    rnd = random.Random(20220501)
    start = dt.date(2022, 5, 1)
    rates = Rates(start, dt.date(2027, 7, 2))
    ref = Reference(rates)
    with unit_of_work(url) as s:
        S.set_reference(s, "deposit_rate", RATES[1][0], RATES[1][1], "测试：利率调整（demo）", demo=True)
    by_id: dict[int, Acct] = {}
    chronic = set()  # persons whose debits fail for long stretches
    opened = 0
    m0 = mi(start)

    def advance(d):
        with unit_of_work(url) as s:
            if d > S.today(s):
                S.advance(s, d)

    def rerun_changes_nothing(fn, *args):
        before = _counts(url)
        run = fn(*args)
        assert run.already_completed and _counts(url) == before

    for k in range(MONTHS):
        m = m0 + k
        # -- during the month: openings (bulk onboarding and single commands), then commands
        d = first_day(m).replace(day=15)
        advance(d)
        if opened < N_ACCOUNTS:
            batch, n = [], min(N_ACCOUNTS - opened, N_ACCOUNTS * 3 // 25 if k < 8 else N_ACCOUNTS // 100)
            for _ in range(n):
                opened += 1
                pid = example_person_id(opened)
                sex = rnd.choice(("male", "female"))
                top = 60 if sex == "male" else 50
                age = rnd.choice([rnd.randint(18, top - 6), rnd.randint(top - 5, top)])
                birth = dt.date(d.year - age - 1, rnd.randint(1, 12), rnd.randint(1, 28))
                if not ref.eligible(sex, birth, d):
                    birth = dt.date(d.year - 30, 1, 1)
                base = rnd.choice([228_000, 300_000, 523_456, 800_000, 1_234_567, 2_400_000, rnd.randint(228_000, 2_400_000)])
                rate = rnd.randint(10, 24)
                batch.append((Applicant(pid, "测试", sex, birth), base, str(rate)))
                assert ref.open(pid, sex, birth, base, rate, d)
                if rnd.random() < 0.03:
                    chronic.add(pid)
            with unit_of_work(url) as s:
                S.open_accounts(s, batch[:-3])
            for a, base, rate in batch[-3:]:  # a few through the single command
                assert _try(url, S.open_account, a, base, rate)
            # an ineligible applicant and a second account for one person: both refused, both sides
            young = Applicant(example_person_id(900_000 + k), "少年", "male", dt.date(d.year - 17, 1, 1))
            assert not _try(url, S.open_account, young, 300_000, "12")
            assert not ref.open(young.person_id, "male", young.birth_date, 300_000, 12, d)
            assert not _try(url, S.open_account, batch[0][0], 300_000, "12")
            with unit_of_work(url) as s:
                for aid, pid in s.execute(text("SELECT id, person_id FROM pf_accounts WHERE id > :x"),
                                          {"x": max(by_id, default=0)}):
                    ref.accts[pid].id = aid
                    by_id[aid] = ref.accts[pid]
        pids = list(ref.accts)
        for _ in range(25):
            pid = rnd.choice(pids)
            a = ref.accts[pid]
            op = rnd.random()
            if op < 0.45:
                june = (d.year + (1 if d.month >= 7 else 0)) * 12 + 5
                through = min(june + (1 if rnd.random() < 0.1 else 0), mi(d) + rnd.randint(0, 8))
                got = _try(url, S.prepay, pid, through)
                assert got == ref.prepay(pid, through, d), (pid, label(through))
            elif op < 0.60:
                assert _try(url, S.stop, pid) == ref.stop(pid, d), pid
            elif op < 0.75:
                assert _try(url, S.unseal, pid) == ref.unseal(pid, d), pid
            elif op < 0.80:
                assert _try(url, S.transfer_out, pid) == ref.transfer_out(pid, d), pid
            else:
                flag = rnd.random() < 0.5
                if a.status != "transferred":
                    assert _try(url, S.set_loan, pid, flag)
                    a.loan = flag
        # -- interest on 30 June (before July's operations)
        if first_day(m).month == 6:
            d = dt.date(first_day(m).year, 6, 30)
            advance(d)
            S.interest_run(d.year, width=WIDTH)
            rerun_changes_nothing(S.interest_run, d.year)
            ref.settle(d.year)
        # -- on the 5th of the next month: collection, bank file, arrears
        d = first_day(m + 1).replace(day=5)
        advance(d)
        expected = ref.collect(m, d)
        S.monthly_collection(label(m), width=WIDTH)
        rerun_changes_nothing(S.monthly_collection, label(m))
        with unit_of_work(url) as s:
            got = {r for (r,) in s.execute(text("SELECT ref FROM pf_collections WHERE month = :m AND status = 'pending'"),
                                           {"m": m})}
        assert got == expected
        lines = []
        for r in sorted(expected):
            a = by_id[int(r.rsplit("-", 1)[1])]
            p = rnd.random()
            if p < 0.01:
                continue  # a gap: no result for this debit
            fail = (a.pid in chronic and (k // 6) % 2 == 0) or p < 0.04
            lines.append((r, a.monthly if p > 0.015 else a.monthly + 100, "failed" if fail else "ok"))
            if rnd.random() < 0.01:
                lines.append(lines[-1])  # a duplicate line
        lines.append((f"{label(m)}-999999999", 10_000, "ok"))  # an unknown reference
        rnd.shuffle(lines)
        S.import_bank_results(f"bank-{label(m)}", lines)
        rerun_changes_nothing(S.import_bank_results, f"bank-{label(m)}", lines)
        ref.bank(lines, d, by_id)
        S.arrears_run(label(m), width=WIDTH)
        rerun_changes_nothing(S.arrears_run, label(m))
        ref.arrears(m, d)

    # -- compare everything
    with unit_of_work(url) as s:
        rows = s.execute(text("""SELECT id, status, seal_reason, balance_fen, prepaid_fen, prepaid_through,
                                        reminded_month, due_from FROM pf_accounts""")).all()
        interest = {}
        for aid, day, amount in s.execute(text("SELECT account_id, business_date, delta_balance FROM pf_movements "
                                               "WHERE kind = 'interest'")):
            day = day if isinstance(day, dt.date) else dt.date.fromisoformat(day)
            key = day.year if (day.month, day.day) == (6, 30) else ("out", day)
            interest.setdefault(aid, {})[key] = amount
        paid: dict[int, dict[int, bool]] = {}
        for aid, month, status in s.execute(text("SELECT account_id, month, status FROM pf_collections "
                                                 "WHERE status <> 'pending'")):
            paid.setdefault(aid, {})[month] = status == "paid"
        assert S.reconcile(s)["ok"]
    assert len(rows) == N_ACCOUNTS
    statuses = {}
    for aid, status, reason, bal, pre, pt, rem, due in rows:
        a = by_id[aid]
        assert (status, reason, bal, pre, pt, rem, due) == (
            a.status, a.reason, a.balance, a.prepaid, a.prepaid_through, a.reminded, a.due_from), a.pid
        assert interest.get(aid, {}) == a.interest, a.pid
        got_paid = {mm: v for mm, v in paid.get(aid, {}).items()}
        assert got_paid == a.paid, a.pid
        statuses[(status, reason)] = statuses.get((status, reason), 0) + 1
    # the scenario exercised every state
    assert {("active", None), ("sealed", "request"), ("sealed", "arrears"), ("sealed", "retirement"),
            ("transferred", "employment")} <= set(statuses)
    # consecutive months toward a loan, on a sample, through the worker view
    with unit_of_work(url) as s:
        for a in rnd.sample(list(ref.accts.values()), 200):
            assert S.view(s, a.pid)["loan"]["consecutive_months"] == ref.consecutive(a), a.pid
