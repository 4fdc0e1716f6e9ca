"""Login rate limit, kept in the database so it holds across worker processes.

Within any 15 minutes: at most 5 failed logins for one username (counted since that username's
last successful login) and at most 20 failed logins from one IP address (a success does not
reset an address's count of failures: a guesser cannot clear it with their own account).
"""

from __future__ import annotations

import datetime as dt
import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gazette.auth.models import LoginAttempt
from gazette.errors import GazetteError
from gazette.ledger.clock import as_shanghai, now

WINDOW = dt.timedelta(minutes=15)
PER_USERNAME = 5
PER_IP = 20


class TooManyAttempts(GazetteError):
    def __init__(self, retry_after: int):
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            code="too_many_login_attempts",
            message_zh=f"登录失败次数过多，请 {minutes} 分钟后再试",
            message_en=f"too many failed logins; try again in {minutes} minute(s)",
            field="username", status=429, details={"retry_after": retry_after},
        )
        self.retry_after = retry_after


def _retry_after(oldest: dt.datetime, t: dt.datetime) -> int:
    return max(1, math.ceil((as_shanghai(oldest) + WINDOW - t).total_seconds()))


def check(session: Session, username: str, ip: str) -> None:
    """Raise :class:`TooManyAttempts` (429, with the seconds to wait) when a limit is reached."""
    t = now()
    since = t - WINDOW
    username = username[:100]
    last_ok = session.scalar(select(func.max(LoginAttempt.at))
                             .where(LoginAttempt.username == username, LoginAttempt.ok.is_(True)))
    start = max(since, as_shanghai(last_ok)) if last_ok is not None else since
    fails = list(session.scalars(
        select(LoginAttempt.at).where(LoginAttempt.username == username, LoginAttempt.ok.is_(False),
                                      LoginAttempt.at > start).order_by(LoginAttempt.at.desc()).limit(PER_USERNAME)))
    if len(fails) >= PER_USERNAME:
        raise TooManyAttempts(_retry_after(fails[-1], t))
    ip_fails = list(session.scalars(
        select(LoginAttempt.at).where(LoginAttempt.ip == ip, LoginAttempt.ok.is_(False), LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc()).limit(PER_IP)))
    if len(ip_fails) >= PER_IP:
        raise TooManyAttempts(_retry_after(ip_fails[-1], t))


def record(session: Session, username: str, ip: str, ok: bool) -> None:
    session.add(LoginAttempt(username=username[:100], ip=ip[:100], at=now(), ok=ok))
    session.flush()
