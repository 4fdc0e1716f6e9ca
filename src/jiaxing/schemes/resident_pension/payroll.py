"""The monthly payroll (二) and the back-dated top-up — set-based runs keyed by (run type, period).

**Payroll** ``("rp.payroll", "YYYY-MM")``: one ``pension`` line for every person ``receiving`` whose
first month has come, at the standard for that month in the newest version published by the
business date. Suspended, deceased and transferred people are not paid. A month is paid once: a
completed month is closed (``month_closed``), and an earlier month cannot follow a later one.

**Top-up** ``("rp.topup", "v<version>")``: when a standard is published after the months it covers
were paid (60号 signed 2022-09-06, effective 2022-01-01), every month already paid below the
newest version is brought up to it: one ``topup`` line per person with the months it covers and
the sum of the differences. Only months up to the month of death count. The person's
``settled_version`` records it, so rerunning, or publishing the same standard again, pays nothing.

Both run in chunks of participant ids, one transaction each: the lines and their ledger entry
(借 ``expense:<district>`` / 贷 ``payable:<district>``) commit together, so a killed run resumes
where it stopped and converges to a clean run's books.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from gazette.errors import Conflict, InvalidInput
from gazette.ledger import credit, debit, execute_run, get_run
from gazette.ledger.money import fen_to_yuan
from jiaxing.schemes.resident_pension import domain
from jiaxing.schemes.resident_pension import standards as pension_standards
from jiaxing.schemes.resident_pension.models import LineStatus, Participant, ParticipantStatus

DEFAULT_WIDTH = 20_000


def _ranges(session: Session, width: int) -> list[int]:
    lo, hi = session.execute(select(func.min(Participant.id), func.max(Participant.id))).one()
    if hi is None:
        return []
    return list(range(lo // width * width, hi + 1, width))


def _insert_returning(session: Session, insert_sql: str, p: dict) -> dict[str, tuple[int, int]]:
    """Run an ``INSERT … SELECT`` into rp_lines; per district (lines, fen) of the rows it inserted."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL jit = off"))  # short set-based statements: compiling costs more than it saves
        # planned for the tables as they are now: psycopg prepares a statement run 5 times, and a generic plan made
        # while rp_lines was small (kept until an ANALYZE) turned the already-paid check into a scan per participant
        session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        rows = session.execute(text(f"WITH ins AS ({insert_sql} RETURNING district, amount_fen) "
                                    "SELECT district, COUNT(*), SUM(amount_fen) FROM ins GROUP BY district"), p).all()
        return {d: (int(n), int(a)) for d, n, a in rows}
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for d, a in session.execute(text(f"{insert_sql} RETURNING district, amount_fen"), p):
        out[d][0] += 1
        out[d][1] += int(a)
    return {d: (n, a) for d, (n, a) in out.items()}


def _post(session: Session, sums: dict[str, tuple[int, int]], key: str, memo: str, d: dt.date, run_id: int,
          actor: str, clause_path: str) -> None:
    lines = []
    for district in sorted(sums):
        amount = sums[district][1]
        if amount:
            lines += [debit(f"expense:{district}", amount), credit(f"payable:{district}", amount)]
    if lines:
        pension_standards.ledger(actor).post(session, lines, key=key, description=memo, business_date=d,
                                             run_id=run_id,
                                             data={"clause": domain.clause(clause_path)}, actor=actor)


def _totals(session: Session, run_id: int) -> dict:
    rows = session.execute(text("SELECT district, COUNT(*), SUM(amount_fen), SUM(months) FROM rp_lines "
                                "WHERE run_id = :r GROUP BY district ORDER BY district"), {"r": run_id}).all()
    n = sum(int(r[1]) for r in rows)
    fen = sum(int(r[2]) for r in rows)
    return {"lines": n, "amount_fen": fen, "amount": fen_to_yuan(fen), "months": sum(int(r[3]) for r in rows),
            "by_district": {r[0]: {"lines": int(r[1]), "amount": fen_to_yuan(int(r[2]))} for r in rows}}


def payroll(month: str, *, width: int = DEFAULT_WIDTH, uow=None, on_progress=None, actor: str = "system"):
    """Pay ``month`` (YYYY-MM) — 二. Returns the run (its ``result`` holds the whole run's totals)."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    m = domain.month_index(month)
    label = domain.month_label(m)
    with uow() as s:
        d = pension_standards.today(s)
        if domain.month_index(d) < m:
            raise InvalidInput(f"{label} 尚未开始（营业日 {d}）",
                               f"{label} has not begun "
                               f"(business date {d})",
                               field="month", code="month_not_started", details=domain.cited("二"))
        done = get_run(s, "rp.payroll", label)
        if done is not None and done.completed:
            raise Conflict(f"{label} 的待遇已发放，月份已关闭",
                           f"the payroll of {label} is closed",
                           field="month", code="month_closed", details=domain.cited("二", result=done.result))
        later = s.execute(text("SELECT MAX(period) FROM ledger_runs WHERE run_type = 'rp.payroll' "
                               "AND status = 'completed'")).scalar()
        if later is not None and later > label:
            raise Conflict(f"已发放 {later}，不能再发放更早的 {label}",
                           f"{later} is already paid; {label} cannot follow it",
                           field="month", code="month_closed", details=domain.cited("二"))
        v = pension_standards.version_on(s, d)

    def units() -> list[int]:
        with uow() as s:
            return _ranges(s, width)

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        p = {"m": m, "v": v, "lo": lo, "hi": lo + width, "rid": ctx.run_id}
        # The already-paid check probes uq_rp_lines_unit by participant (equality on its leading column) and
        # is deliberately not bounded by the chunk's range as well: with that bound and no statistics yet (a
        # fresh load, autovacuum behind) PostgreSQL rescanned every line of the chunk once per participant —
        # quadratic in the chunk's lines (92 of the 104 s of the simulation with 2,000 people went there),
        # even with a custom plan; see also plan_cache_mode in _insert_returning.
        sums = _insert_returning(session, f"""
            INSERT INTO rp_lines (participant_id, district, kind, month, version, months, amount_fen, status, bank,
                                  attempts, run_id)
            SELECT p.id, p.district, 'pension', :m, :v, 1, sm.amount_fen, '{LineStatus.DUE}', p.bank, 0, :rid
            FROM rp_participants p JOIN rp_standard_months sm ON sm.version = :v AND sm.month = :m
            WHERE p.id >= :lo AND p.id < :hi AND p.status = '{ParticipantStatus.RECEIVING}' AND p.pension_from <= :m
              AND NOT EXISTS (SELECT 1 FROM rp_lines x WHERE x.participant_id = p.id AND x.kind = 'pension'
                              AND x.month = :m)""", p)
        _post(session, sums, ctx.key(lo), f"基础养老金 {label}", d, ctx.run_id, actor, "二")
        return {"lines": sum(n for n, _ in sums.values()), "amount_fen": sum(a for _, a in sums.values())}

    def finalize(session: Session, ctx, totals: dict) -> dict:
        return {"month": label, "version": v,
                "standard": fen_to_yuan(pension_standards.standard(session, v, m) or 0),
                **_totals(session, ctx.run_id)}

    return execute_run("rp.payroll", label, units, process, uow=uow, chunk_size=1, business_date=d,
                       params={"width": width, "version": v}, finalize=finalize, on_progress=on_progress, actor=actor)


def topup(*, width: int = DEFAULT_WIDTH, uow=None, on_progress=None, actor: str = "system"):
    """Top up every month paid below the newest published standard (二, 60号 signed 2022-09-06).
    Keyed by the version: rerunning returns the first run and pays nothing."""
    from gazette.store.db import unit_of_work

    uow = uow or unit_of_work
    with uow() as s:
        d = pension_standards.today(s)
        v = pension_standards.version_on(s, d)
    cm = domain.month_index(d)

    def units() -> list[int]:
        with uow() as s:
            return _ranges(s, width)

    def process(session: Session, chunk: list[int], ctx) -> dict:
        lo = chunk[0]
        p = {"v": v, "lo": lo, "hi": lo + width, "rid": ctx.run_id, "cm": cm}
        sums = _insert_returning(session, f"""
            INSERT INTO rp_lines (participant_id, district, kind, month, version, months, amount_fen, status, bank,
                                  attempts, run_id)
            SELECT p.id, p.district, 'topup', :cm, :v, COUNT(*), SUM(nw.amount_fen - od.amount_fen), '{LineStatus.DUE}',
                   p.bank, 0,
                   :rid
            FROM rp_participants p
            JOIN rp_lines l ON l.participant_id = p.id AND l.kind = 'pension'
            JOIN rp_standard_months nw ON nw.version = :v AND nw.month = l.month
            JOIN rp_standard_months od ON od.month = l.month
              AND od.version = CASE WHEN l.version > p.settled_version THEN l.version ELSE p.settled_version END
            WHERE p.id >= :lo AND p.id < :hi AND l.participant_id >= :lo AND l.participant_id < :hi
              AND p.settled_version < :v AND l.version < :v
              AND l.status <> '{LineStatus.CANCELLED}' AND (p.death_month IS NULL OR l.month <= p.death_month)
              AND nw.amount_fen > od.amount_fen
            GROUP BY p.id, p.district, p.bank""", p)
        session.execute(text("UPDATE rp_participants SET settled_version = :v WHERE id >= :lo AND id < :hi "
                             "AND settled_version < :v AND pension_from IS NOT NULL"), p)
        _post(session, sums, ctx.key(lo), f"基础养老金补发（标准版本 {v}）", d, ctx.run_id, actor, "二")
        return {"lines": sum(n for n, _ in sums.values()), "amount_fen": sum(a for _, a in sums.values())}

    def finalize(session: Session, ctx, totals: dict) -> dict:
        return {"version": v, "business_date": d.isoformat(), **_totals(session, ctx.run_id)}

    return execute_run("rp.topup", f"v{v}", units, process, uow=uow, chunk_size=1, business_date=d,
                       params={"width": width}, finalize=finalize, on_progress=on_progress, actor=actor)


def summary(run, *, rerun_note: bool = True) -> dict:
    """A run as the CLI and the API show it; a run found completed pays nothing now."""
    out = {"run_type": run.run_type, "period": run.period, "status": run.status, "attempts": run.attempts,
           **(run.result or {})}
    if run.already_completed:
        out["already_completed"] = True
        out["paid_now"] = "0.00"
    return out
