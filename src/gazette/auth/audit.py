"""The log of denied accesses (``access_denials``, append-only), written in its own transaction
so the denial is recorded even though the request itself fails.

An anonymous client can cause denials as fast as it can send requests, so the table must not grow
with them (docs/security.md):

* the stored path is cut to :data:`MAX_PATH` characters (the reason to 200, the username to 100);
* anonymous denials (no valid credentials: 401s, failed and rate-limited logins, CSRF failures
  without a session) are **sampled**: at most one row per (address, reason) per
  :data:`SAMPLE_SECONDS`; the others are only counted in the application log;
* rows older than ``GAZETTE_DENIAL_RETENTION_DAYS`` are deleted by :func:`prune`
  (``gazette users prune-denials``; the API server also prunes once a day on its own).

Denials of authenticated users (a 403 for a wrong role or another person's data) are always stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from sqlalchemy import delete, select
from starlette.requests import Request

from gazette.auth.models import AccessDenial, LoginAttempt, LoginThrottle
from gazette.auth.principal import Principal
from gazette.ledger.clock import now

log = logging.getLogger("gazette.auth")
MAX_PATH = 200
SAMPLE_SECONDS = 60
_pruned_at = float("-inf")
_prune_lock = threading.Lock()


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def log_denial(request: Request, principal: Principal | None, reason: str, username: str | None = None) -> None:
    from gazette.store.db import unit_of_work

    ip = client_ip(request)[:100]
    path = str(request.url.path)
    row = AccessDenial(at=now(), user_id=principal.user_id if principal else None,
                       username=(principal.username if principal else (username or None) and username[:100]),
                       method=request.method[:10], path=path[:MAX_PATH], reason=reason[:200], ip=ip)
    try:
        with unit_of_work() as s:
            if principal is None and _sampled_recently(s, ip, row.reason):
                log.info("access denied (not stored, sampled): %s %s reason=%s ip=%s", request.method, path[:MAX_PATH],
                         reason, ip)
                return
            s.add(row)
        _maybe_prune()
    except Exception:  # noqa: BLE001 - a failing log must not turn a 403 into a 500
        log.exception("could not record access denial %s %s", request.method, path[:MAX_PATH])
    log.info("access denied: %s %s user=%s reason=%s", request.method, path[:MAX_PATH],
             principal.username if principal else username, reason)


def _sampled_recently(session, ip: str, reason: str) -> bool:
    since = now() - dt.timedelta(seconds=SAMPLE_SECONDS)
    return session.scalar(select(AccessDenial.id).where(
        AccessDenial.ip == ip, AccessDenial.reason == reason, AccessDenial.user_id.is_(None),
        AccessDenial.at > since).limit(1)) is not None


def prune(session, days: int | None = None) -> dict[str, int]:
    """Delete denials and login attempts older than ``days`` (default: the retention setting), and
    login-throttle counters that have expired."""
    from gazette.settings import get_settings

    days = get_settings().denial_retention_days if days is None else days
    cutoff = now() - dt.timedelta(days=days)
    denials = session.execute(delete(AccessDenial).where(AccessDenial.at < cutoff)).rowcount
    attempts = session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff)).rowcount
    t = int(now().timestamp())
    throttles = session.execute(delete(LoginThrottle).where(LoginThrottle.updated < t - 86400,
                                                            LoginThrottle.blocked_until < t)).rowcount
    return {"access_denials": denials, "login_attempts": attempts, "login_throttle": throttles,
            "older_than_days": days}


def _maybe_prune() -> None:
    """Automatic retention: at most once a day per process, after a denial was written."""
    global _pruned_at
    if time.monotonic() - _pruned_at < 86400:
        return
    with _prune_lock:
        if time.monotonic() - _pruned_at < 86400:
            return
        _pruned_at = time.monotonic()
    from gazette.store.db import unit_of_work

    try:
        with unit_of_work() as s:
            prune(s)
    except Exception:  # noqa: BLE001
        log.exception("could not prune access denials")
