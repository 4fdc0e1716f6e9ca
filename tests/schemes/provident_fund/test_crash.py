"""Crash tests: SIGKILL a child process in the middle of the interest run and of the monthly
collection run, rerun, and compare everything with a clean run of the same scenario."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from gazette.store.db import get_engine, unit_of_work
from gazette.validate import example_person_id
from jiaxing.schemes.provident_fund import service as S
from jiaxing.schemes.provident_fund.domain import Applicant

from .conftest import START, advance, cycle

CHILD = Path(__file__).with_name("crash_child.py")
N, WIDTH = 1_500, 75  # 20 chunks per run


def _kill_midway(url: str, kind: str, period: str, after_chunks: int) -> None:
    env = {**os.environ, "GAZETTE_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, str(CHILD), kind, period, str(WIDTH)], stdout=subprocess.PIPE,
                            env=env, text=True)
    try:
        for line in proc.stdout:
            if line.strip() == f"chunk {after_chunks}":
                break
        else:  # pragma: no cover - the child finished before we could kill it
            raise AssertionError("the child finished before the kill")
        import time

        time.sleep(random.Random(after_chunks).uniform(0.0, 0.03))  # somewhere inside the next chunk
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _scenario(url: str, crash: bool) -> dict:
    with unit_of_work(url) as s:
        S.setup(s, START)
    advance(url, dt.date(2022, 5, 10))
    rnd = random.Random(7)
    rows = [(Applicant(example_person_id(i + 1), "测", rnd.choice(("male", "female")), dt.date(1985, 1 + i % 12, 1 + i % 28)),
             rnd.randint(228_000, 2_400_000), str(rnd.randint(10, 24))) for i in range(N)]
    with unit_of_work(url) as s:
        S.open_accounts(s, rows)
        for a, _, _ in rows[::3]:
            S.prepay(s, a.person_id, "2022-06")
    cycle(url, "2022-05", failed={r[0].person_id for r in rows[1::7]})
    advance(url, dt.date(2022, 6, 30))
    if crash:
        _kill_midway(url, "interest", "2022", 7)
        with unit_of_work(url) as s:
            run = s.execute(text("SELECT status, progress FROM ledger_runs WHERE run_type = 'pf.interest'")).one()
        assert run.status == "running"  # left behind by the killed process
    first = S.interest_run(2022, width=WIDTH)
    assert first.completed and (first.attempts == 2) == crash
    advance(url, dt.date(2022, 7, 5))
    if crash:
        _kill_midway(url, "collection", "2022-06", 11)
    run = S.monthly_collection("2022-06", width=WIDTH)
    assert run.completed and (run.attempts == 2) == crash
    return _fingerprint(url)


def _fingerprint(url: str) -> dict:
    with unit_of_work(url) as s:
        q = lambda sql: sorted(tuple(r) for r in s.execute(text(sql)))  # noqa: E731
        out = {
            "accounts": q("SELECT person_id, status, balance_fen, prepaid_fen, prepaid_through, accrual, accrual_idx, "
                          "last_paid_month FROM pf_accounts"),
            "collections": q("SELECT a.person_id, c.month, c.amount_fen, c.source, c.status FROM pf_collections c "
                             "JOIN pf_accounts a ON a.id = c.account_id"),
            "movements": q("SELECT a.person_id, m.kind, m.delta_balance, m.delta_prepaid, m.month, m.business_date "
                           "FROM pf_movements m JOIN pf_accounts a ON a.id = m.account_id"),
            "ledger": q("SELECT a.code, b.balance FROM ledger_balances b JOIN ledger_accounts a ON a.id = b.account_id"),
            # batch entries are keyed by id range, and ids differ between the two runs: compare sums per run
            "entries": _per_run(q("SELECT e.idempotency_key, e.business_date, l.amount_fen FROM ledger_entries e "
                                  "JOIN ledger_lines l ON l.entry_id = e.id AND l.side = 'D'")),
            "reconcile": S.reconcile(s),
        }
    assert out["reconcile"]["ok"]
    return out


def _per_run(rows) -> dict:
    out: dict = {}
    for key, day, amount in rows:
        k = (key.rsplit(":", 1)[0] if key.startswith("pf.") else key.split(":")[0], str(day))
        out[k] = out.get(k, 0) + amount
    return out


def _wipe(url: str) -> None:
    from gazette.store.models import Base  # every registered table, the fund's included

    with get_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def test_sigkill_mid_interest_and_mid_collection_resumes_to_the_clean_state(clean_db):
    crashed = _scenario(clean_db, crash=True)
    _wipe(clean_db)
    clean = _scenario(clean_db, crash=False)
    assert crashed == clean
    assert any(k == "interest" for _, k, *_ in clean["movements"])
