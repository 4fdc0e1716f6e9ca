"""Crash tests: a worker SIGKILLed in the middle of claims and of a payment run; rerun with the
same idempotency keys; the final state equals a clean run's."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from jiaxing.schemes.vouchers import service

from .helpers import check_invariants, state

WORKER = Path(__file__).with_name("crash_worker.py")
BUDGETS = {"nev": {"南湖区": 120_000_00, "秀洲区": 60_000_00}, "appliances": {"南湖区": 20_000_00, "秀洲区": 8_000_00}}


def _run(*args: str, kill_after: int | None = None) -> bool:
    """Run the worker; with ``kill_after``, SIGKILL it after that many units. True if killed."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, str(WORKER), *args], stdout=subprocess.PIPE, text=True, env=env)
    seen = 0
    killed = False
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("unit"):
            seen += 1
            if kill_after is not None and seen >= kill_after:
                os.kill(proc.pid, signal.SIGKILL)
                killed = True
                break
    proc.wait(timeout=60)
    if not killed:
        assert proc.returncode == 0
    return killed


def _fresh(uow) -> None:
    with uow() as s:
        for t in reversed(service.Voucher.metadata.sorted_tables):
            s.execute(t.delete())
    with uow() as s:
        service.setup(s, budgets=BUDGETS)
    with uow() as s:
        service.set_business_date(s, dt.date(2022, 10, 8))


@pytest.mark.postgres
@pytest.mark.parametrize("mode", ["claims", "claims-own"])
def test_sigkill_mid_claims_then_replay_equals_clean_run(uow, db_url, mode):
    _fresh(uow)
    assert _run(mode, db_url, "90", kill_after=25)
    _run(mode, db_url, "90")  # rerun everything with the same keys
    crashed = state(uow)
    check_invariants(uow)
    _fresh(uow)
    _run(mode, db_url, "90")
    clean = state(uow)
    assert crashed == clean
    assert any(v[3] == "claimed" for v in clean["vouchers"]) and any(v[3] == "cancelled" for v in clean["vouchers"])


@pytest.mark.postgres
def test_sigkill_mid_batched_claims_then_replay_equals_clean_run(uow, db_url):
    _fresh(uow)
    assert _run("batches", db_url, "120", kill_after=4)
    _run("batches", db_url, "120")
    crashed = state(uow)
    check_invariants(uow)
    _fresh(uow)
    _run("batches", db_url, "120")
    assert state(uow) == crashed
    assert any(v[3] == "claimed" for v in crashed["vouchers"])


@pytest.mark.postgres
def test_sigkill_mid_payment_run_then_resume_equals_clean_run(uow, db_url):
    _fresh(uow)
    _run("prepare", db_url, "40")
    assert _run("payrun", db_url, kill_after=13)
    _run("payrun", db_url)
    crashed = state(uow)
    check_invariants(uow)
    assert all(a[3] == "paid" for a in crashed["applications"]) and len(crashed["payments"]) == 40
    _fresh(uow)
    _run("prepare", db_url, "40")
    _run("payrun", db_url)
    assert state(uow) == crashed
