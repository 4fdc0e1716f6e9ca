"""SIGKILL in the middle of the monthly settlement run (嘉政发〔2022〕21号#一.（二）), rerun: the same books —
lines, deductions, claims, ledger balances and entries — as a clean run, and as the reference."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from gazette.store.db import get_engine, unit_of_work
from gazette.store.models import Base

from . import runner
from .simulation import build

CHILD = Path(__file__).with_name("crash_child.py")


def _kill_midway(url: str, month: str, after: int) -> None:
    env = {**os.environ, "GAZETTE_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, str(CHILD), month, "4"], stdout=subprocess.PIPE, env=env, text=True)
    try:
        for line in proc.stdout:
            if line.strip() == f"chunk {after}":
                break
        else:  # pragma: no cover
            raise AssertionError("the child finished before the kill")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def _wipe(url: str) -> None:
    with get_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def _scenario(url: str, crash: bool) -> dict:
    w = build(240, 24, "2023-01", 3, seed=9, planted_per_rule=2)

    def before(m):
        if crash and m in ("2023-02", "2023-03"):
            _kill_midway(url, m, 3)
            with unit_of_work() as s:
                assert s.execute(text("SELECT status FROM ledger_runs WHERE run_type = 'ltc.settle' "
                                      "AND period = :m"), {"m": m}).scalar_one() == "running"
                assert s.execute(text("SELECT COUNT(*) FROM ltc_claims WHERE month = :m"), {"m": m}).scalar_one() > 0

    ref = runner.run(w, 3, "2023-01", before_settle=before)
    got = runner.books()
    want = runner.expected_books(ref)
    assert {k: got[k] for k in want} == want
    with unit_of_work() as s:
        attempts = dict(s.execute(text("SELECT period, attempts FROM ledger_runs WHERE run_type = 'ltc.settle'")).all())
    assert attempts == ({"2023-01": 1, "2023-02": 2, "2023-03": 2} if crash else
                        {"2023-01": 1, "2023-02": 1, "2023-03": 1})
    return got


def test_sigkill_during_settlement_then_rerun_gives_the_same_books(care):
    clean = _scenario(care, crash=False)
    _wipe(care)
    crashed = _scenario(care, crash=True)
    assert crashed == clean
