"""FastAPI dependencies for API routes.

``Authorization: Bearer <token>`` authenticates an API client; a browser's session cookie works
too, but then every non-GET request must carry ``X-CSRF-Token`` (the session's CSRF token).
Anonymous → 401 ``authentication_required``; wrong role or not the owner → 403 ``forbidden``;
every denial is written to ``access_denials`` first. Answers are problem+json.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Row
from starlette.concurrency import run_in_threadpool

from gazette.auth import sessions, tokens
from gazette.auth.audit import log_denial
from gazette.auth.models import User
from gazette.auth.principal import ROLE_LABELS, Principal, Role
from gazette.errors import Forbidden, Unauthorized

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
_bearer = HTTPBearer(auto_error=False, description="an API token from POST /api/v1/auth/tokens")
_UNSET = object()


class AuthenticationRequired(Unauthorized):
    def __init__(self, reason: str = "authentication_required"):
        super().__init__(
            code="authentication_required",
            message_zh="请先登录（API 请使用 Authorization: Bearer 令牌）",
            message_en="authentication required (API clients send Authorization: Bearer <token>)",
            details={"reason": reason},
        )


class AccessDenied(Forbidden):
    """A 403 of the API naming the roles that would have been allowed."""

    def __init__(self, message_zh: str, message_en: str, roles: Iterable[Role] = (), code: str = "forbidden"):
        needed = [r.value for r in roles]
        super().__init__(code=code, message_zh=message_zh, message_en=message_en,
                         details={"required_roles": needed} if needed else {})
        self.roles = tuple(roles)


def roles_text(roles: Iterable[Role]) -> tuple[str, str]:
    rs = list(roles)
    return "、".join(ROLE_LABELS[r][0] for r in rs), ", ".join(ROLE_LABELS[r][1] for r in rs)


def principal_of(user: User | Row, via: str) -> Principal:
    """The caller from a user: an ORM ``User`` (sessions) or the row of :func:`tokens.caller` (tokens)."""
    return Principal(user_id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role),
                     district=user.district, person_id=user.person_id, enterprise_id=user.enterprise_id, via=via,
                     unit=user.unit)


def _resolve(request: Request, *, allow_token: bool = True) -> Principal | None:
    """The caller from the bearer token or the session cookie (cached on the request)."""
    cached = getattr(request.state, "gazette_principal", _UNSET)
    if cached is not _UNSET:
        return cached
    from gazette.store.db import get_engine, unit_of_work

    principal: Principal | None = None
    request.state.gazette_auth_problem = None
    header = request.headers.get("authorization")
    if header and allow_token:  # one Core read, no ORM session (every API request passes here)
        scheme, _, credential = header.partition(" ")
        found = None
        if scheme.lower() == "bearer":
            with get_engine().connect() as conn:
                found = tokens.caller(conn, credential.strip())
        if found is None:
            request.state.gazette_auth_problem = "invalid_token"
        else:
            principal = principal_of(found, "token")
            request.state.gazette_token = credential.strip()
        request.state.gazette_principal = principal
        return principal
    with unit_of_work() as s:
        found = sessions.lookup(s, request.cookies.get(sessions.SESSION_COOKIE))
        if found is not None:
            principal = principal_of(found[0], "session")
            request.state.gazette_csrf_token = found[1].csrf_token
        elif request.cookies.get(sessions.SESSION_COOKIE):
            request.state.gazette_auth_problem = "session_expired"
    request.state.gazette_principal = principal
    return principal


async def _resolve_on_loop(request: Request) -> Principal | None:
    """:func:`_resolve` without leaving the event loop for a bearer token when the loop's database
    pool is open (:mod:`gazette.store.aio`); otherwise :func:`_resolve` in a worker thread."""
    cached = getattr(request.state, "gazette_principal", _UNSET)
    if cached is not _UNSET:
        return cached
    from gazette.store import aio

    header = request.headers.get("authorization")
    if not header or aio.current() is None:
        return await run_in_threadpool(_resolve, request)
    scheme, _, credential = header.partition(" ")
    found = await tokens.caller_async(credential.strip()) if scheme.lower() == "bearer" else None
    request.state.gazette_auth_problem = None
    if found is None:
        request.state.gazette_auth_problem = "invalid_token"
        principal = None
    else:
        principal = principal_of(found, "token")
        request.state.gazette_token = credential.strip()
    request.state.gazette_principal = principal
    return principal


def optional_principal(request: Request,
                       _credentials: HTTPAuthorizationCredentials | None = Security(_bearer)) -> Principal | None:
    """The caller, or None for an anonymous request (an invalid token also counts as anonymous here)."""
    return _resolve(request)


def require_principal(request: Request,
                      _credentials: HTTPAuthorizationCredentials | None = Security(_bearer)) -> Principal:
    """Any authenticated caller; session-cookie callers must send X-CSRF-Token on writes; an auditor
    is refused every write."""
    principal = authenticated(request)
    deny_auditor_write(request, principal)
    return principal


def authenticated(request: Request,
                  _credentials: HTTPAuthorizationCredentials | None = Security(_bearer)) -> Principal:
    """Any authenticated caller, auditors' writes included (only for the caller's own credentials)."""
    principal = _resolve(request)
    if principal is None:
        reason = getattr(request.state, "gazette_auth_problem", None) or "authentication_required"
        log_denial(request, None, reason)
        raise AuthenticationRequired(reason)
    if principal.via == "session" and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        expected = getattr(request.state, "gazette_csrf_token", "")
        if not sent or not expected or not secrets.compare_digest(sent, expected):
            log_denial(request, principal, "csrf_failed")
            raise AccessDenied("缺少或错误的 CSRF 令牌（请求头 X-CSRF-Token）",
                               "missing or wrong CSRF token (header X-CSRF-Token)", code="csrf_failed")
    return principal


def forbid(request: Request, principal: Principal | None, reason: str, roles: Iterable[Role] = (),
           message_zh: str | None = None, message_en: str | None = None) -> AccessDenied:
    """Log a denial and return the 403 to raise (for checks of ownership or district in a router)."""
    log_denial(request, principal, reason)
    roles = tuple(roles)
    if message_zh is None or message_en is None:
        if roles:
            zh, en = roles_text(roles)
            message_zh, message_en = f"无权访问：需要以下角色之一：{zh}", f"forbidden: this needs one of the roles: {en}"
        else:
            message_zh, message_en = "无权访问：这不是您的数据", "forbidden: this is not yours"
    return AccessDenied(message_zh, message_en, roles)


def require_roles(*roles: Role) -> Callable[..., Principal]:
    """A dependency admitting only callers with one of ``roles`` (auditors are never admitted to writes
    unless listed — and the API never lists them for a write)."""
    allowed = frozenset(roles)

    def check(request: Request) -> Principal:
        # require_principal called here, not as a sub-dependency: one worker-thread hop per request, not two
        principal = require_principal(request)
        if principal.role not in allowed:
            raise forbid(request, principal, f"role {principal.role.value} not in {sorted(r.value for r in allowed)}",
                         roles)
        if principal.read_only and request.method not in SAFE_METHODS:
            raise forbid(request, principal, "auditor is read-only", (),
                         "审计人员只能查看，不能修改", "auditors may read but not change anything")
        return principal

    async def dependency(request: Request,
                         _credentials: HTTPAuthorizationCredentials | None = Security(_bearer)) -> Principal:
        # async, so that a token caller with an allowed role costs no worker-thread hop (issue #17);
        # anything else — a session's CSRF check, a denial and its log — is decided by check() in a thread
        principal = await _resolve_on_loop(request)
        if (principal is not None and principal.via == "token" and principal.role in allowed
                and not (principal.read_only and request.method not in SAFE_METHODS)):
            return principal
        return await run_in_threadpool(check, request)

    dependency.__name__ = "require_" + "_or_".join(r.value for r in roles)
    return dependency


def deny_auditor_write(request: Request, principal: Principal) -> None:
    """Auditors read everything and change nothing."""
    if principal.read_only and request.method not in SAFE_METHODS:
        raise forbid(request, principal, "auditor is read-only", (),
                     "审计人员只能查看，不能修改", "auditors may read but not change anything")


def current_token(request: Request) -> str | None:
    return getattr(request.state, "gazette_token", None)
