"""Login rate limit, kept in the database so it holds across worker processes and threads.

Two counters, each one row of ``login_throttle``:

* per **(username, address)**: 5 failed logins within 15 minutes, then a slow-down — each further
  attempt from that address for that username must wait 1 minute more than the previous one
  (1, 2, 3 … at most 15 minutes). The same user from another address is not affected, so a guesser
  cannot lock the real user out;
* per **address**: 20 failed logins within 15 minutes (any usernames), then the same slow-down; a
  success does not clear an address's failures (a guesser cannot reset it with their own account).

The check and the count are **one atomic statement** (an upsert whose update is conditional on the
row not being blocked, see :func:`reserve`): an attempt is counted as a failure *before* the
password is verified, and a success gives it back. However many attempts arrive in parallel, at
most the limit of them reach the password check. Every attempt is also logged in
``login_attempts`` for administrators (``GET /api/v1/auth/login-attempts``).
"""

from __future__ import annotations

import math

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from gazette.auth.models import LoginAttempt, LoginThrottle
from gazette.errors import TooManyRequests
from gazette.ledger._sql import dialect_insert
from gazette.ledger.clock import now

WINDOW_SECONDS = 15 * 60
PER_USER_ADDRESS = 5
PER_ADDRESS = 20
STEP_SECONDS = 60  # the slow-down grows by this much per attempt beyond the limit
MAX_WAIT_SECONDS = 15 * 60
# compatibility names
PER_USERNAME = PER_USER_ADDRESS
PER_IP = PER_ADDRESS

T = LoginThrottle.__table__


class TooManyAttempts(TooManyRequests):
    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            code="too_many_login_attempts",
            message_zh=f"登录失败次数过多，请 {minutes} 分钟后再试",
            message_en=f"too many failed logins; try again in {minutes} minute(s)",
            field="username", details={"retry_after": retry_after},
        )
        self.retry_after = retry_after


def _user_key(username: str, ip: str) -> str:
    return f"u:{username[:100]}|{ip[:100]}"


def _ip_key(ip: str) -> str:
    return f"a:{ip[:100]}"


def _clock() -> int:
    return int(now().timestamp())  # the project's clock (tests may move it)


def _reserve_one(session: Session, key: str, limit: int, t: int) -> None:
    """Count one failure for ``key`` unless it is blocked — one conditional upsert."""
    failures = case((T.c.updated < t - WINDOW_SECONDS, 1), else_=T.c.failures + 1)
    wait = case((STEP_SECONDS * (failures - limit + 1) > MAX_WAIT_SECONDS, MAX_WAIT_SECONDS),
                else_=STEP_SECONDS * (failures - limit + 1))
    blocked_until = case((failures >= limit, t + wait), else_=0)
    first_block = t + STEP_SECONDS if limit <= 1 else 0
    stmt = (dialect_insert(session, T).values(key=key, failures=1, blocked_until=first_block, updated=t)
            .on_conflict_do_update(index_elements=["key"],
                                   set_={"failures": failures, "blocked_until": blocked_until, "updated": t},
                                   where=T.c.blocked_until <= t)
            .returning(T.c.failures))
    if session.execute(stmt).first() is None:
        until = session.scalar(select(T.c.blocked_until).where(T.c.key == key)) or t + 1
        raise TooManyAttempts(max(1, int(until) - t))


def reserve(session: Session, username: str, ip: str) -> None:
    """Count this attempt as a failure (address, then username at this address), or raise
    :class:`TooManyAttempts` (429, with the seconds to wait). The caller commits before verifying the
    password, so parallel attempts see each other's counts; on success call :func:`succeeded`."""
    t = _clock()
    _reserve_one(session, _ip_key(ip), PER_ADDRESS, t)
    _reserve_one(session, _user_key(username, ip), PER_USER_ADDRESS, t)


def succeeded(session: Session, username: str, ip: str) -> None:
    """A correct password: the (username, address) counter is cleared and the address gets its
    reserved attempt back (its earlier failures stay)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == _user_key(username, ip)))
    session.execute(update(T).where(T.c.key == _ip_key(ip), T.c.failures > 0)
                    .values(failures=T.c.failures - 1,
                            blocked_until=case((T.c.failures - 1 >= PER_ADDRESS, T.c.blocked_until), else_=0)))


def record(session: Session, username: str, ip: str, ok: bool) -> None:
    """Log the attempt (``login_attempts``, for administrators)."""
    session.add(LoginAttempt(username=username[:100], ip=ip[:100], at=now(), ok=ok))
    session.flush()


def attempt(username: str, password: str, ip: str, on_success=None):
    """One login attempt, start to end: reserve (own transaction), verify, record.

    Returns ``(user_json_or_None, extra)`` where ``extra`` is what ``on_success(session, user)``
    returned; raises :class:`TooManyAttempts`. Synchronous and slow (argon2): run it in
    :func:`gazette.api.workers.login`.
    """
    from gazette.auth import users as users_service
    from gazette.store.db import unit_of_work

    with unit_of_work() as s:
        reserve(s, username, ip)
    with unit_of_work() as s:
        user = users_service.authenticate(s, username, password) if username and password else None
        record(s, username, ip, ok=user is not None)
        if user is None:
            return None, None
        succeeded(s, username, ip)
        extra = on_success(s, user) if on_success else None
        return {"id": user.id, "username": user.username, "role": user.role}, extra


def recent(session: Session, *, username: str | None = None, ip: str | None = None, limit: int = 100) -> dict:
    """Recent attempts and the counters now in force — what an administrator sees."""
    q = select(LoginAttempt).order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(max(1, min(limit, 1000)))
    if username:
        q = q.where(LoginAttempt.username == username[:100])
    if ip:
        q = q.where(LoginAttempt.ip == ip[:100])
    t = _clock()
    throttles = session.execute(select(T).where(T.c.updated >= t - WINDOW_SECONDS).order_by(T.c.key)).all()
    if username:
        prefix = f"u:{username[:100]}|"
        throttles = [r for r in throttles if r.key.startswith(prefix)]
    return {
        "attempts": [{"at": a.at.isoformat(), "username": a.username, "ip": a.ip, "ok": a.ok}
                     for a in session.scalars(q)],
        "throttles": [{"key": r.key, "failures": r.failures,
                       "blocked_for_seconds": max(0, int(r.blocked_until) - t)} for r in throttles],
    }
