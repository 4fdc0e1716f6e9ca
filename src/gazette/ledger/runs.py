"""Idempotent batch runs (批处理) keyed by (run type, period), e.g. ``("pf.monthly_collection", "2023-01")``.

A run row records status (``running`` → ``completed``, or ``failed``), attempts, progress and
the final result. The contract:

* starting a run that already completed is a no-op that returns the earlier result;
* a run that crashed (``running`` left behind by a killed process) or ``failed`` is resumed by
  simply starting it again: every unit is processed again, and because each unit's writes are
  keyed (ledger entries by idempotency key, e.g. ``ctx.key(account)``), units finished by the
  earlier attempt replay instead of posting twice — the final state equals a clean run's;
* two workers running the same run at once are also safe (units are idempotent, and only one
  of them marks it completed).

:func:`execute_run` drives the whole thing in chunks, one transaction per chunk.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from gazette.ledger import audit, clock
from gazette.ledger._sql import dialect_insert, jsonable
from gazette.ledger.errors import InvalidRun, RunError, RunNotFound
from gazette.store.ledger_models import LedgerRunRow

R = LedgerRunRow.__table__
U = TypeVar("U")
log = logging.getLogger("gazette.ledger.runs")


@dataclass(frozen=True)
class Run:
    id: int
    run_type: str
    period: str
    status: str
    attempts: int
    business_date: dt.date | None
    params: dict
    progress: dict
    result: dict | None
    error: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    already_completed: bool = False  # True when this call found the run completed earlier

    @property
    def completed(self) -> bool:
        return self.status == "completed"


@dataclass(frozen=True)
class RunContext:
    """What a chunk processor knows about its run."""

    run_id: int
    run_type: str
    period: str
    attempt: int
    business_date: dt.date | None = None
    params: dict = field(default_factory=dict)

    def key(self, *parts: Any) -> str:
        """A deterministic idempotency key for one unit of this run: ``<type>:<period>:<parts>``."""
        return ":".join([self.run_type, self.period, *(str(p) for p in parts)])


def _run(row, already_completed: bool = False) -> Run:
    return Run(
        id=row.id,
        run_type=row.run_type,
        period=row.period,
        status=row.status,
        attempts=row.attempts,
        business_date=row.business_date,
        params=row.params or {},
        progress=row.progress or {},
        result=row.result,
        error=row.error,
        started_at=clock.as_shanghai(row.started_at),
        finished_at=clock.as_shanghai(row.finished_at),
        already_completed=already_completed,
    )


def _check(run_type: object, period: object) -> None:
    for name, value, limit in (("run_type", run_type, 100), ("period", period, 50)):
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            raise InvalidRun(
                f"批处理的 {name} 必须是 1–{limit} 个字符",
                f"run {name} must be a string of 1-{limit} characters, got {value!r}",
            )


def get_run(session: Session, run_type: str, period: str) -> Run | None:
    row = session.execute(select(R).where(R.c.run_type == run_type, R.c.period == period)).first()
    return None if row is None else _run(row)


def start_run(
    session: Session,
    run_type: str,
    period: str,
    *,
    actor: str = "system",
    business_date: dt.date | None = None,
    params: dict | None = None,
) -> Run:
    """Create the run, or resume it if it is ``running``/``failed``; if it is ``completed``
    return it with ``already_completed=True`` and change nothing."""
    _check(run_type, period)
    params = jsonable(params or {})
    stmt = (
        dialect_insert(session, R)
        .values(
            run_type=run_type,
            period=period,
            status="running",
            attempts=1,
            business_date=business_date,
            actor=actor,
            params=params,
            progress={},
            started_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["run_type", "period"])
        .returning(R.c.id)
    )
    new_id = session.execute(stmt).scalar()
    if new_id is not None:
        audit.record(
            session,
            actor=actor,
            action="run.started",
            entity_type="ledger_run",
            entity_id=f"{run_type}/{period}",
            after={"id": new_id, "params": params},
            business_date=business_date,
        )
        return get_run(session, run_type, period)
    existing = get_run(session, run_type, period)
    if existing.status == "completed":
        return replace(existing, already_completed=True)
    if existing.params != params:
        raise RunError(
            "run_params_changed",
            f"批处理 {run_type}/{period} 已以不同参数开始",
            f"run {run_type}/{period} was started with different parameters",
            details_params=existing.params,
        )
    res = session.execute(
        update(R)
        .where(R.c.id == existing.id, R.c.status != "completed")
        .values(status="running", attempts=R.c.attempts + 1, error=None, progress={})
    )
    if res.rowcount != 1:  # completed in between by another worker
        return replace(get_run(session, run_type, period), already_completed=True)
    audit.record(
        session,
        actor=actor,
        action="run.resumed",
        entity_type="ledger_run",
        entity_id=f"{run_type}/{period}",
        before={"status": existing.status, "attempts": existing.attempts, "error": existing.error},
        after={"status": "running", "attempts": existing.attempts + 1},
        business_date=business_date,
    )
    return get_run(session, run_type, period)


def record_progress(session: Session, run_id: int, progress: Mapping[str, Any]) -> None:
    session.execute(update(R).where(R.c.id == run_id).values(progress=jsonable(dict(progress))))


def complete_run(session: Session, run_id: int, result: Mapping[str, Any], *, actor: str = "system") -> Run:
    """Mark a running run completed with its result (conditional: only the first finisher wins)."""
    result = jsonable(dict(result))
    res = session.execute(
        update(R)
        .where(R.c.id == run_id, R.c.status == "running")
        .values(status="completed", result=result, finished_at=clock.now(), error=None)
    )
    row = session.execute(select(R).where(R.c.id == run_id)).first()
    if row is None:
        raise RunNotFound(run_id)
    if res.rowcount != 1:
        if row.status == "completed":
            return _run(row, already_completed=True)
        raise RunError(
            "run_not_running",
            f"批处理未在运行：{run_id}",
            f"run {run_id} is not running (status {row.status})",
        )
    audit.record(
        session,
        actor=actor,
        action="run.completed",
        entity_type="ledger_run",
        entity_id=f"{row.run_type}/{row.period}",
        before={"status": "running"},
        after={"status": "completed", "result": result},
        business_date=row.business_date,
    )
    return _run(row)


def fail_run(session: Session, run_id: int, error: str, *, actor: str = "system") -> None:
    row = session.execute(select(R).where(R.c.id == run_id)).first()
    res = session.execute(
        update(R).where(R.c.id == run_id, R.c.status == "running").values(status="failed", error=error[:4000])
    )
    if res.rowcount == 1 and row is not None:
        audit.record(
            session,
            actor=actor,
            action="run.failed",
            entity_type="ledger_run",
            entity_id=f"{row.run_type}/{row.period}",
            before={"status": "running"},
            after={"status": "failed", "error": error[:4000]},
            business_date=row.business_date,
        )


def _chunks(items: Iterable[U], size: int) -> Iterable[list[U]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def execute_run(
    run_type: str,
    period: str,
    units: Iterable[U] | Callable[[], Iterable[U]],
    process: Callable[[Session, list[U], RunContext], Mapping[str, int] | None],
    *,
    uow: Callable[[], AbstractContextManager[Session]] | None = None,
    chunk_size: int = 1000,
    actor: str = "system",
    business_date: dt.date | None = None,
    params: dict | None = None,
    finalize: Callable[[Session, RunContext, dict[str, int]], Mapping[str, Any]] | None = None,
    on_progress: Callable[[dict[str, int]], None] | None = None,
) -> Run:
    """Run a batch job once per (run_type, period).

    ``units`` (or a callable giving them, evaluated only if the run must actually do work) are
    cut into chunks of ``chunk_size``; ``process(session, chunk, ctx)`` does one chunk's writes
    in its own transaction and returns counts (e.g. ``{"posted": 10, "replayed": 2}``), summed
    into the run's progress and result. Every write of a unit must be idempotent through a
    deterministic key (``ctx.key(unit_id)``), which is what makes a resumed run converge to
    the clean run's state. ``finalize(session, ctx, totals)`` may add figures to the result,
    in the same transaction that marks the run completed.

    ``uow`` yields a transactional session (default :func:`gazette.store.db.unit_of_work`).
    """
    if uow is None:
        from gazette.store.db import unit_of_work as uow  # noqa: N813
    if not isinstance(chunk_size, int) or chunk_size < 1:
        raise InvalidRun("批次大小必须是正整数", "chunk_size must be a positive integer")
    with uow() as session:
        run = start_run(session, run_type, period, actor=actor, business_date=business_date, params=params)
    if run.already_completed:
        log.info("run %s/%s already completed: no-op", run_type, period)
        return run
    ctx = RunContext(run.id, run_type, period, run.attempts, run.business_date, run.params)
    totals: dict[str, int] = {"units": 0}
    try:
        for chunk in _chunks(units() if callable(units) else units, chunk_size):
            with uow() as session:
                counts = process(session, chunk, ctx) or {}
                totals["units"] += len(chunk)
                for k, v in counts.items():
                    totals[k] = totals.get(k, 0) + int(v)
                record_progress(session, run.id, totals)
            if on_progress:
                on_progress(dict(totals))
        with uow() as session:
            result: dict[str, Any] = dict(totals)
            if finalize is not None:
                result.update(finalize(session, ctx, dict(totals)) or {})
            return complete_run(session, run.id, result, actor=actor)
    except BaseException as exc:
        try:
            with uow() as session:
                fail_run(session, run.id, f"{type(exc).__name__}: {exc}", actor=actor)
        except Exception:  # noqa: BLE001 - the original error matters more
            log.exception("could not mark run %s/%s failed", run_type, period)
        raise
