"""What every batch run of the fund shares: chunks of account ids, the run's key, its summary.

A run goes through :func:`gazette.ledger.execute_run`, keyed by (run type, period): a second start
is a no-op returning the first result, a crashed run resumes. The units are ranges of account ids
fixed by the run's ``width`` (accounts are never deleted, so a resumed run cuts the same ranges);
each range is one transaction of set-based statements (``INSERT … SELECT``, ``UPDATE … FROM``) that
only touch rows not yet processed, and posts one aggregated ledger entry — a fixed number of
statements per range, whatever the number of accounts in it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette.ledger import execute_run
from jiaxing.schemes.provident_fund.models import FundAccount

DEFAULT_WIDTH = 20_000  # account ids per batch-run chunk (one transaction each)


def greatest(session: Session) -> str:
    """The SQL name of the two-argument maximum on this database."""
    return "GREATEST" if session.get_bind().dialect.name == "postgresql" else "MAX"


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def chunk_starts(session: Session, width: int) -> list[int]:
    """Multiples of ``width`` from the lowest account id to the highest."""
    lowest, highest = session.execute(select(func.min(FundAccount.id), func.max(FundAccount.id))).one()
    if highest is None:
        return []
    return list(range(lowest // width * width, highest + 1, width))


def unit_of_work_factory(uow=None):
    from gazette.store.db import unit_of_work

    return uow or unit_of_work


def run_in_chunks(run_type: str, period: str, business_date: dt.date, width: int, process, *, uow=None,
                  on_progress=None, extra: dict | None = None, finalize=None):
    uow = unit_of_work_factory(uow)

    def units() -> list[int]:
        with uow() as session:
            return chunk_starts(session, width)

    return execute_run(run_type, period, units, process, uow=uow, chunk_size=1, business_date=business_date,
                       params={"width": width, **(extra or {})}, on_progress=on_progress, finalize=finalize)


def run_summary(run) -> dict:
    """A run's answer at the edges. ``replayed`` follows the commands' rule: true when this start found the
    run already completed and returned its first result."""
    return {"run_type": run.run_type, "period": run.period, "status": run.status, "attempts": run.attempts,
            "already_completed": run.already_completed, "replayed": run.already_completed, "result": run.result}
