"""Idempotent batch runs: no-op when completed, resumable after a crash (exception or SIGKILL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from ledger_helpers import START, new_book
from sqlalchemy import func, select

from gazette.errors import GazetteError
from gazette.ledger import EntryRequest, Ledger, audit, credit, debit, get_run, runs
from gazette.ledger.runs import execute_run
from gazette.store.ledger_models import LedgerEntryRow

MEMBERS = [f"m{i:03d}" for i in range(60)]


def amount(member: str) -> int:
    return 100 + int(member[1:]) * 7  # deterministic: any attempt posts the same amounts


def collection_book(uow) -> Ledger:
    accounts = [("bank", "银行存款", "asset")] + [
        (m, f"个人账户 {m}", "liability", {"owner": m}) for m in MEMBERS
    ]
    return new_book(uow, accounts=accounts)


def collect(ledger: Ledger, fail_at_chunk: int | None = None):
    seen = {"chunks": 0}

    def process(session, chunk, ctx):
        seen["chunks"] += 1
        if fail_at_chunk is not None and seen["chunks"] == fail_at_chunk:
            raise RuntimeError("simulated crash")
        res = ledger.post_many(
            session,
            [
                EntryRequest(ctx.key(m), [debit("bank", amount(m)), credit(m, amount(m))], "月度缴存")
                for m in chunk
            ],
            run_id=ctx.run_id,
        )
        return {"posted": res.posted, "replayed": res.replayed}

    return process


def state(uow, ledger: Ledger) -> dict[str, int]:
    with uow() as s:
        assert ledger.verify(s).ok
        return {a.code: b for a, b in ledger.balances(s)}


def entry_count(uow, ledger: Ledger) -> int:
    with uow() as s:
        return s.execute(
            select(func.count()).select_from(LedgerEntryRow).where(LedgerEntryRow.book_code == ledger.book)
        ).scalar_one()


def test_a_completed_run_is_a_no_op(uow):
    lg = collection_book(uow)
    run_type = f"{lg.book}.collection"
    run = execute_run(run_type, "2022-10", MEMBERS, collect(lg), uow=uow, chunk_size=16, business_date=START)
    assert run.completed and not run.already_completed
    assert run.result == {"units": 60, "posted": 60, "replayed": 0}
    expected = state(uow, lg)
    assert expected["bank"] == sum(amount(m) for m in MEMBERS)
    called = []
    again = execute_run(run_type, "2022-10", lambda: called.append(1) or MEMBERS, collect(lg), uow=uow)
    assert again.already_completed and again.result == run.result and again.id == run.id
    assert called == []  # the units were not even listed
    assert state(uow, lg) == expected and entry_count(uow, lg) == 60
    with uow() as s:
        actions = [r.action for r in audit.history(s, "ledger_run", f"{run_type}/2022-10")]
    assert actions == ["run.started", "run.completed"]


def test_a_run_that_failed_midway_resumes_to_the_clean_state(uow):
    clean = collection_book(uow)
    execute_run(f"{clean.book}.collection", "2022-10", MEMBERS, collect(clean), uow=uow, chunk_size=16)
    crashed = collection_book(uow)
    run_type = f"{crashed.book}.collection"
    with pytest.raises(RuntimeError):
        execute_run(run_type, "2022-10", MEMBERS, collect(crashed, fail_at_chunk=3), uow=uow, chunk_size=16)
    with uow() as s:
        failed = get_run(s, run_type, "2022-10")
    assert failed.status == "failed" and "simulated crash" in failed.error and failed.progress["units"] == 32
    assert entry_count(uow, crashed) == 32
    resumed = execute_run(run_type, "2022-10", MEMBERS, collect(crashed), uow=uow, chunk_size=16)
    assert resumed.completed and resumed.attempts == 2
    assert resumed.result == {"units": 60, "posted": 28, "replayed": 32}
    assert state(uow, crashed) == state(uow, clean)
    assert entry_count(uow, crashed) == 60


def test_start_run_contract(uow):
    lg = new_book(uow)
    rt = f"{lg.book}.manual"
    with uow() as s:
        r1 = runs.start_run(s, rt, "2023", params={"rate": "0.015"})
        assert r1.status == "running" and r1.attempts == 1
    with uow() as s:
        r2 = runs.start_run(s, rt, "2023", params={"rate": "0.015"})  # a crashed run is resumed
        assert r2.id == r1.id and r2.attempts == 2
        with pytest.raises(GazetteError) as err:
            runs.start_run(s, rt, "2023", params={"rate": "0.02"})
        assert err.value.code == "run_params_changed"
    with uow() as s:
        done = runs.complete_run(s, r1.id, {"accounts": 3})
        assert done.completed and done.result == {"accounts": 3} and done.finished_at.tzinfo is not None
        assert runs.complete_run(s, r1.id, {"accounts": 4}).already_completed
    with uow() as s:
        r3 = runs.start_run(s, rt, "2023", params={"rate": "0.015"})
        assert r3.already_completed and r3.result == {"accounts": 3} and r3.attempts == 2
        with pytest.raises(GazetteError) as err:
            runs.start_run(s, rt, "")
        assert err.value.code == "invalid_run"


CHILD = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {tests!r})
    import functools
    from gazette.store.db import unit_of_work
    from gazette.ledger import Ledger
    from gazette.ledger.runs import execute_run
    from test_ledger_runs import MEMBERS, collect

    uow = functools.partial(unit_of_work, {url!r})
    inner = collect(Ledger({book!r}))

    def slow(session, chunk, ctx):
        out = inner(session, chunk, ctx)
        time.sleep(0.2)
        return out

    execute_run({run_type!r}, "2022-10", MEMBERS, slow, uow=uow, chunk_size=6)
    """
)


def test_a_run_killed_with_sigkill_resumes_to_the_clean_state(uow, db_url, tmp_path):
    clean = collection_book(uow)
    execute_run(f"{clean.book}.collection", "2022-10", MEMBERS, collect(clean), uow=uow, chunk_size=16)
    killed = collection_book(uow)
    run_type = f"{killed.book}.collection"
    script = tmp_path / "child.py"
    script.write_text(
        CHILD.format(tests=os.path.dirname(__file__), url=db_url, book=killed.book, run_type=run_type)
    )
    child = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with uow() as s:
                run = get_run(s, run_type, "2022-10")
            if run is not None and run.progress.get("units", 0) >= 18:
                break
            assert child.poll() is None, child.stderr.read().decode()
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    with uow() as s:
        run = get_run(s, run_type, "2022-10")
    assert run.status == "running" and 18 <= run.progress["units"] < 60  # left behind mid-run
    posted_before = entry_count(uow, killed)
    assert 18 <= posted_before < 60
    resumed = execute_run(run_type, "2022-10", MEMBERS, collect(killed), uow=uow, chunk_size=16)
    assert resumed.completed and resumed.result["replayed"] == posted_before
    assert state(uow, killed) == state(uow, clean)
    assert entry_count(uow, killed) == 60
