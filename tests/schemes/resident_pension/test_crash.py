"""SIGKILL in the middle of the top-up run and of the payroll run, rerun: the same books as a clean run
(嘉人社〔2022〕60号#二)."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import text

from gazette.store.db import get_engine, unit_of_work
from gazette.store.models import Base
from jiaxing.schemes.resident_pension import payroll as payroll_runs
from jiaxing.schemes.resident_pension import service
from jiaxing.schemes.resident_pension import standards as pension_standards

from .conftest import OFFICER, advance, pid
from .simulation import books

CHILD = Path(__file__).with_name("crash_child.py")
N, WIDTH = 1_200, 60  # 20 chunks per run


def _kill_midway(url: str, kind: str, period: str, after: int) -> None:
    env = {**os.environ, "GAZETTE_DATABASE_URL": url}
    proc = subprocess.Popen([sys.executable, str(CHILD), kind, period, str(WIDTH)], stdout=subprocess.PIPE, env=env,
                            text=True)
    try:
        for line in proc.stdout:
            if line.strip() == f"chunk {after}":
                break
        else:  # pragma: no cover
            raise AssertionError("the child finished before the kill")
        time.sleep(random.Random(after).uniform(0.0, 0.03))
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL


def _scenario(url: str, crash: bool) -> dict:
    with unit_of_work(url) as s:
        pension_standards.setup(s, dt.date(2022, 1, 1))
    header = "person_id,name,district,enrolled_on,status,pension_from,bank,bank_account\n"
    rows = [f"{pid(i)},人{i},{('南湖区', '海宁市', '桐乡市')[i % 3]},2015-01-01,receiving,2022-0{1 + i % 3},ABC,"
            f"6228{i:012d}" for i in range(1, N + 1)]
    service.import_roster((header + "\n".join(rows)).encode(), "r.csv", key="r", actor=OFFICER)
    for m in range(1, 9):
        advance(f"2022-{m:02d}-15")
        payroll_runs.payroll(f"2022-{m:02d}", width=WIDTH)
    advance("2022-08-20")
    for i in range(1, N + 1, 97):
        service.death(pid(i), "2022-05-03", key=f"d{i}", actor=OFFICER)
    advance("2022-09-06")
    if crash:
        _kill_midway(url, "topup", "-", 7)
        with unit_of_work(url) as s:
            assert s.execute(text("SELECT status FROM ledger_runs WHERE run_type = 'rp.topup'")).scalar() == "running"
    run = payroll_runs.topup(width=WIDTH)
    assert run.completed and (run.attempts == 2) == crash
    advance("2022-09-15")
    if crash:
        _kill_midway(url, "payroll", "2022-09", 11)
    run = payroll_runs.payroll("2022-09", width=WIDTH)
    assert run.completed and (run.attempts == 2) == crash
    return {**books(), "topup": payroll_runs.topup(width=WIDTH).result, "payroll": run.result}


def _wipe(url: str) -> None:
    with get_engine(url).begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


def test_sigkill_during_top_up_and_payroll_then_rerun_gives_the_same_books(pension):
    """嘉人社〔2022〕60号#二: a killed run resumes; nothing is paid twice, nothing is lost."""
    crashed = _scenario(pension, crash=True)
    _wipe(pension)
    clean = _scenario(pension, crash=False)
    for k in ("balances", "lines", "settled", "entries"):
        assert crashed[k] == clean[k], k
    assert crashed["topup"]["amount"] == clean["topup"]["amount"]
    assert crashed["payroll"]["amount"] == clean["payroll"]["amount"]
    # the 60号 top-up: 30 a month for every month paid from the first month to August — to May for the dead
    dead = {i for i in range(1, N + 1, 97)}
    want = sum(30_00 * ((5 if i in dead else 8) - i % 3) for i in range(1, N + 1))
    assert clean["topup"]["amount_fen"] == want
    assert clean["payroll"]["amount_fen"] == 320_00 * (N - len(dead))
