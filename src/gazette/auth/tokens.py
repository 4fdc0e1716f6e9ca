"""API bearer tokens: ``Authorization: Bearer <token>``; the database keeps the SHA-256 only."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Connection, Row, bindparam, select, update
from sqlalchemy.orm import Session

from gazette.auth.models import ApiToken, User
from gazette.auth.sessions import digest
from gazette.ledger.clock import as_shanghai, now

PREFIX = "gzt_"
DEFAULT_TTL = dt.timedelta(days=30)


def create(session: Session, user_id: int, name: str = "api", ttl: dt.timedelta | None = DEFAULT_TTL
           ) -> tuple[str, ApiToken]:
    raw = PREFIX + secrets.token_urlsafe(32)
    at = now()
    tok = ApiToken(token_hash=digest(raw), user_id=user_id, name=name[:200] or "api", created_at=at,
                   expires_at=at + ttl if ttl else None)
    session.add(tok)
    session.flush()
    return raw, tok


#: The caller of a bearer token in one Core statement (no ORM objects): read on every API request.
_CALLER = (select(User.id, User.username, User.display_name, User.role, User.district, User.person_id,
                  User.enterprise_id, User.unit, ApiToken.expires_at)
           .join(ApiToken, ApiToken.user_id == User.id)
           .where(ApiToken.token_hash == bindparam("h"), ApiToken.revoked_at.is_(None), User.active.is_(True)))


def caller(conn: Connection, raw: str | None) -> Row | None:
    """The user's fields (and the token's ``expires_at``) for a valid token; unknown, revoked,
    expired or of an inactive user → ``None``. Read from the database at each call (no cache), so a
    revocation takes effect at once."""
    if not _plausible(raw):
        return None
    return _valid(conn.execute(_CALLER, {"h": digest(raw)}).first())


async def caller_async(raw: str | None):
    """:func:`caller` on the event loop's pool (:mod:`gazette.store.aio`, which must be open): the
    same statement and the same answer, as a named tuple."""
    from gazette.store import aio

    if not _plausible(raw):
        return None
    return _valid(await aio.fetch_one(_CALLER, {"h": digest(raw)}))


def _plausible(raw: str | None) -> bool:
    return bool(raw) and len(raw) <= 200


def _valid(row):
    if row is None or (row.expires_at is not None and as_shanghai(row.expires_at) <= now()):
        return None
    return row


def revoke(session: Session, raw: str) -> bool:
    res = session.execute(update(ApiToken).where(ApiToken.token_hash == digest(raw), ApiToken.revoked_at.is_(None))
                          .values(revoked_at=now()))
    return bool(res.rowcount)


def token_json(tok: ApiToken) -> dict:
    return {"id": tok.id, "name": tok.name, "created_at": tok.created_at.isoformat(),
            "expires_at": tok.expires_at.isoformat() if tok.expires_at else None}
