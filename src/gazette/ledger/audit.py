"""The append-only audit log (审计日志): who, when, what, before → after.

Write it with :func:`record` in the same session (and so the same transaction) as the change
it describes; if the change rolls back, so does its record. Rows are never updated (the
database refuses an UPDATE on ``audit_log``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from gazette.ledger import clock
from gazette.ledger._sql import jsonable
from gazette.store.ledger_models import AuditLogRow


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    before: Any
    after: Any
    business_date: dt.date | None


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    before: Any = None,
    after: Any = None,
    business_date: dt.date | None = None,
) -> int:
    """Append one audit record; returns its id."""
    stmt = (
        insert(AuditLogRow)
        .values(
            at=clock.now(),
            actor=actor or "system",
            action=action,
            entity_type=entity_type,
            entity_id=str(entity_id),
            before=jsonable(before),
            after=jsonable(after),
            business_date=business_date,
        )
        .returning(AuditLogRow.id)
    )
    return session.execute(stmt).scalar_one()


def record_many(session: Session, records: list[dict[str, Any]]) -> int:
    """Append many audit records in one multi-row INSERT (batch runs); each record has the keywords of
    :func:`record`. Returns how many were written."""
    if not records:
        return 0
    at = clock.now()
    session.execute(insert(AuditLogRow), [
        {"at": at, "actor": r.get("actor") or "system", "action": r["action"], "entity_type": r["entity_type"],
         "entity_id": str(r["entity_id"]), "before": jsonable(r.get("before")), "after": jsonable(r.get("after")),
         "business_date": r.get("business_date")} for r in records])
    return len(records)


def history(
    session: Session,
    entity_type: str | None = None,
    entity_id: str | int | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[AuditRecord]:
    """Audit records, oldest first, filtered by entity and/or action."""
    stmt = select(AuditLogRow).order_by(AuditLogRow.id)
    if entity_type is not None:
        stmt = stmt.where(AuditLogRow.entity_type == entity_type)
    if entity_id is not None:
        stmt = stmt.where(AuditLogRow.entity_id == str(entity_id))
    if action is not None:
        stmt = stmt.where(AuditLogRow.action == action)
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = session.execute(stmt).scalars().all()
    return [
        AuditRecord(
            id=r.id,
            at=clock.as_shanghai(r.at),
            actor=r.actor,
            action=r.action,
            entity_type=r.entity_type,
            entity_id=r.entity_id,
            before=r.before,
            after=r.after,
            business_date=r.business_date,
        )
        for r in rows
    ]
