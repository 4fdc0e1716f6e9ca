"""The book, the business date and the published schedules of the basic pension (二).

A *version* is one publication of the whole schedule: version 1 is 290 yuan from 2021-01 (D13),
version 2 adds 320 yuan from 2022-01 published on 2022-09-06 (60号 signed), and every approved yearly
adjustment (一, :mod:`.adjustment`) adds one more. A payroll run at business date ``d`` pays at the
newest version published on or before ``d``; a top-up run brings every month already paid up to it.
Versions only rise (an approval below the standard in force is refused), so a top-up never claws back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette.ledger import Ledger
from gazette.ledger._sql import bulk_insert
from gazette.ledger.errors import UnknownBook
from jiaxing.districts import DISTRICTS
from jiaxing.schemes.resident_pension import domain
from jiaxing.schemes.resident_pension.models import StandardMonth, StandardVersion

CONTROL = {
    "expense": ("基础养老金待遇支出", "expense", False),
    "payable": ("应付养老金待遇", "liability", False),
    "bank": ("社保基金支出户", "asset", True),  # funded by the finance bureau outside this book
    "recoverable": ("多发待遇应收（待追回）", "asset", False),
}
CONTRIB = {
    "collections": ("城乡居民养老保险缴费收入户", "asset", False),
    "subsidy_expense": ("缴费补贴支出（财政）", "expense", False),
}


def ledger(actor: str = "system") -> Ledger:
    return Ledger(domain.BOOK, actor=actor)


def setup(session: Session, business_date: dt.date, *, actor: str = "system") -> dict:
    """Open the book, its accounts and the standard versions of the parameters (idempotent)."""
    lg = Ledger.open_book(session, domain.BOOK, "城乡居民基本养老保险", business_date=business_date, actor=actor)
    for district in DISTRICTS:
        for code, (name, typ, neg) in CONTROL.items():
            lg.open_account(session, f"{code}:{district}", f"{name}（{district}）", typ, programme="resident_pension",
                            district=district, allow_negative=neg, actor=actor)
    for code, (name, typ, neg) in CONTRIB.items():
        lg.open_account(session, code, name, typ, programme="resident_pension", allow_negative=neg, actor=actor)
    seeded = 0
    if session.scalar(select(func.count()).select_from(StandardVersion)) == 0:
        for start, fen in domain.basic_pension_history():
            published = domain.SIGNED_60 if start >= dt.date(2022, 1, 1) else start
            _add_version(session, domain.month_index(start), fen, published,
                         f"{domain.clause('二')}（{'2022-09-06 印发' if published == domain.SIGNED_60 else '调整前标准，D13'}）")
            seeded += 1
    return {"book": domain.BOOK, "business_date": today(session).isoformat(), "versions_seeded": seeded}


def is_set_up(session: Session) -> bool:
    try:
        ledger().business_date(session)
        return True
    except UnknownBook:
        return False


def today(session: Session) -> dt.date:
    return ledger().business_date(session)


def advance(session: Session, to: dt.date, *, actor: str = "operator") -> dt.date:
    if to < today(session):
        raise domain.PensionError("date_backwards", f"营业日不能倒退（当前 {today(session)}）",
                             f"the business date cannot move backwards (now {today(session)})", field="date")
    return ledger(actor).advance_business_date(session, to, actor=actor)


def versions(session: Session) -> list[StandardVersion]:
    return list(session.scalars(select(StandardVersion).order_by(StandardVersion.version)))


def version_on(session: Session, d: dt.date) -> int:
    v = session.scalar(select(func.max(StandardVersion.version)).where(StandardVersion.published_on <= d))
    if v is None:
        raise domain.PensionError("no_standard", f"{d} 前没有公布的基础养老金标准", f"no standard published by {d}",
                             field="date", clause_path="二")
    return int(v)


def schedule(session: Session, version: int) -> list[tuple[int, int]]:
    """(effective_from month, fen) of ``version``: the latest publication wins for each start month."""
    rows = session.execute(select(StandardVersion.effective_from, StandardVersion.amount_fen)
                           .where(StandardVersion.version <= version).order_by(StandardVersion.version)).all()
    by_start: dict[int, int] = {}
    for start, fen in rows:
        by_start[start] = int(fen)
    return sorted(by_start.items())


def standard(session: Session, version: int, month: int) -> int | None:
    return session.scalar(select(StandardMonth.amount_fen).where(StandardMonth.version == version,
                                                                 StandardMonth.month == month))


def _add_version(session: Session, start: int, fen: int, published: dt.date, citation: str,
                 adjustment_id: int | None = None) -> int:
    latest = session.scalar(select(func.max(StandardVersion.version))) or 0
    v = latest + 1
    session.add(StandardVersion(version=v, effective_from=start, amount_fen=fen, published_on=published,
                                citation=citation, adjustment_id=adjustment_id))
    session.flush()
    sched = schedule(session, v)
    rows, cur, i = [], None, 0
    for m in range(domain.FIRST_MONTH, domain.LAST_MONTH + 1):
        while i < len(sched) and sched[i][0] <= m:
            cur = sched[i][1]
            i += 1
        if cur is not None:
            rows.append({"version": v, "month": m, "amount_fen": cur})
    bulk_insert(session, StandardMonth.__table__, rows)
    return v


def add_version(session: Session, start: int, fen: int, published: dt.date, citation: str,
                adjustment_id: int | None = None) -> int:
    """Publish a schedule change (from an approved adjustment); refuses a fall below a paid standard."""
    latest = session.scalar(select(func.max(StandardVersion.version))) or 0
    last_pub = session.scalar(select(func.max(StandardVersion.published_on)))
    if last_pub is not None and published < last_pub:
        raise domain.PensionError("published_before_latest", f"发布日期 {published} 早于已发布标准的日期 {last_pub}",
                             f"published on {published}, before the latest publication {last_pub}",
                             field="date", clause_path="一")
    if latest:
        current = standard(session, latest, start)
        if current is not None and fen < current:
            raise domain.PensionError("standard_lowered", "新标准不得低于该月已执行的标准",
                                 "a new standard may not be lower than the one in force for that month",
                                 field="amount", clause_path="一", current=domain.month_label(start))
    return _add_version(session, start, fen, published, citation, adjustment_id)
