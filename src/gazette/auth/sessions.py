"""Web sessions (cookie ``gazette_session``) and CSRF tokens.

The cookie holds a random 256-bit token; the database keeps its SHA-256 as the session id, with
a per-session CSRF token and an absolute expiry (8 hours). Logging in always creates a new
session (and ends the one the browser brought): no session fixation.

Before login there is no session, so the login form uses a signed double-submit token: cookie
``gazette_csrf`` = ``nonce.hmac(nonce)``, and the form must send the same value.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from gazette.auth.models import AuthSecret, User, WebSession
from gazette.ledger.clock import as_shanghai, now
from gazette.settings import get_settings

SESSION_COOKIE = "gazette_session"
CSRF_COOKIE = "gazette_csrf"
SESSION_TTL = dt.timedelta(hours=8)
CSRF_TTL = dt.timedelta(hours=8)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create(session: Session, user_id: int, previous_raw: str | None = None) -> tuple[str, WebSession]:
    """A fresh session for the user; the one the browser had before (if any) is deleted."""
    if previous_raw:
        session.execute(delete(WebSession).where(WebSession.id == digest(previous_raw)))
    raw = secrets.token_urlsafe(32)
    at = now()
    ws = WebSession(id=digest(raw), user_id=user_id, csrf_token=secrets.token_urlsafe(32), created_at=at,
                    expires_at=at + SESSION_TTL)
    session.add(ws)
    session.flush()
    return raw, ws


def lookup(session: Session, raw: str | None) -> tuple[User, WebSession] | None:
    if not raw or len(raw) > 200:
        return None
    row = session.execute(select(User, WebSession).join(WebSession, WebSession.user_id == User.id)
                          .where(WebSession.id == digest(raw))).first()
    if row is None:
        return None
    user, ws = row
    if not user.active or as_shanghai(ws.expires_at) <= now():
        return None
    return user, ws


def end(session: Session, raw: str | None) -> None:
    if raw:
        session.execute(delete(WebSession).where(WebSession.id == digest(raw)))


def purge_expired(session: Session) -> int:
    return session.execute(delete(WebSession).where(WebSession.expires_at <= now())).rowcount or 0


# ------------------------------------------------------------------------------ cookies


def secure(request: Request) -> bool:
    return request.url.scheme == "https" or get_settings().cookie_secure


def set_cookie(response: Response, request: Request, raw: str) -> None:
    response.set_cookie(SESSION_COOKIE, raw, max_age=int(SESSION_TTL.total_seconds()), path="/", httponly=True,
                        samesite="lax", secure=secure(request))


def clear_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure(request))


# ------------------------------------------------------------------------------ pre-session CSRF


def _secret() -> bytes:
    configured = get_settings().secret_key
    if configured:
        return configured.encode()
    global _cached_secret
    if _cached_secret is None:
        from gazette.store.db import get_engine, unit_of_work

        with unit_of_work() as s:
            dialect = get_engine().dialect.name
            ins = pg_insert if dialect == "postgresql" else sqlite_insert
            s.execute(ins(AuthSecret).values(name="csrf", value=secrets.token_hex(32), created_at=now())
                      .on_conflict_do_nothing(index_elements=["name"]))
            value = s.scalar(select(AuthSecret.value).where(AuthSecret.name == "csrf"))
        _cached_secret = value.encode()
    return _cached_secret


_cached_secret: bytes | None = None


def reset_secret_cache() -> None:
    global _cached_secret
    _cached_secret = None


def _sign(payload: str) -> str:
    return hmac.new(_secret(), payload.encode(), hashlib.sha256).hexdigest()


def new_presession_token() -> str:
    payload = f"{secrets.token_urlsafe(16)}.{int(now().timestamp())}"
    return f"{payload}.{_sign(payload)}"


def presession_token_valid(token: str | None) -> bool:
    if not token or len(token) > 300 or token.count(".") != 2:
        return False
    nonce, issued, sig = token.split(".")
    if not hmac.compare_digest(sig, _sign(f"{nonce}.{issued}")):
        return False
    try:
        age = now().timestamp() - int(issued)
    except ValueError:
        return False
    return 0 <= age <= CSRF_TTL.total_seconds()


def set_presession_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(CSRF_COOKIE, token, max_age=int(CSRF_TTL.total_seconds()), path="/", httponly=True,
                        samesite="lax", secure=secure(request))
