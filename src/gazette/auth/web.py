"""Page helpers: who is logged in, role checks that redirect or render the 403 page, CSRF.

Importing this module installs the Jinja globals ``current_user(request)`` and
``csrf_field(request)`` into the one template environment. ``install(app)`` registers the
handlers turning :class:`LoginRequired` into a redirect to /login and :class:`PageForbidden`
into the bilingual 403 page (done lazily on the first denial if the app did not call it).
"""

from __future__ import annotations

import secrets
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup, escape

from gazette.auth import sessions
from gazette.auth.audit import log_denial
from gazette.auth.deps import SAFE_METHODS, _resolve, roles_text
from gazette.auth.principal import Principal, Role
from gazette.errors import Forbidden, GazetteError, Unauthorized
from gazette.web.templating import templates


class LoginRequired(Unauthorized):
    def __init__(self, next_url: str):
        super().__init__("请先登录", "please log in first", code="authentication_required", details={"next": next_url})
        self.next_url = next_url


class PageForbidden(Forbidden):
    def __init__(self, roles: tuple[Role, ...] = (), reason: str = "forbidden", message_zh: str | None = None,
                 message_en: str | None = None):
        zh, en = roles_text(roles) if roles else ("", "")
        super().__init__(
            message_zh or (f"此页面需要以下角色之一：{zh}" if roles else "无权访问此页面"),
            message_en or (f"this page needs one of the roles: {en}" if roles else "you may not open this page"),
            code="csrf_failed" if reason == "csrf_failed" else "forbidden",
            details={"required_roles": [r.value for r in roles]})
        self.roles = roles


def page_principal(request: Request) -> Principal | None:
    """The logged-in user of a page request (session cookie only), or None."""
    principal = _resolve(request, allow_token=False)
    return principal if principal is not None and principal.via == "session" else None


def _local(url: str | None, default: str = "/") -> str:
    """Only a local path may be a redirect target (no //host, no scheme, no backslash tricks)."""
    if not url or not url.startswith("/") or url.startswith("//") or "\\" in url or any(ord(c) < 32 for c in url):
        return default
    return url


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def require_page_roles(request: Request, *roles: Role) -> Principal:
    """The logged-in user if their role is one of ``roles`` (any role when none given).

    Anonymous → :class:`LoginRequired` (redirect to /login?next=…); wrong role →
    :class:`PageForbidden` (the 403 page); an auditor on a write (non-GET) → PageForbidden. Logged.
    """
    principal = page_principal(request)
    if principal is None:
        log_denial(request, None, "authentication_required")
        raise LoginRequired(_local(_here(request)))
    if roles and principal.role not in roles:
        log_denial(request, principal, f"role {principal.role.value} not in {sorted(r.value for r in roles)}")
        raise PageForbidden(tuple(roles))
    if principal.read_only and request.method not in SAFE_METHODS:
        log_denial(request, principal, "auditor is read-only")
        raise PageForbidden((), "read_only", "审计人员只能查看，不能修改", "auditors may read but not change anything")
    return principal


def check_presession_csrf(request: Request, token: str | None) -> None:
    """The login form's check: the form field equals the signed ``gazette_csrf`` cookie."""
    token = token or ""
    cookie = request.cookies.get(sessions.CSRF_COOKIE, "")
    if not (token and cookie and secrets.compare_digest(token, cookie) and sessions.presession_token_valid(token)):
        log_denial(request, None, "csrf_failed")
        raise PageForbidden((), "csrf_failed", "表单已失效或来源不明（CSRF 校验失败），请返回重新提交",
                            "the form expired or did not come from this site (CSRF check failed); go back and retry")


def check_csrf(request: Request, token: str | None) -> None:
    """Raise the 403 page unless ``token`` is this session's CSRF token (or, with no session, the
    signed pre-session token matching the ``gazette_csrf`` cookie)."""
    token = token or ""
    principal = page_principal(request)
    expected = getattr(request.state, "gazette_csrf_token", None) if principal else None
    if expected:
        ok = bool(token) and secrets.compare_digest(token, expected)
    else:
        return check_presession_csrf(request, token)
    if not ok:
        log_denial(request, principal, "csrf_failed")
        raise PageForbidden((), "csrf_failed", "表单已失效或来源不明（CSRF 校验失败），请返回重新提交",
                            "the form expired or did not come from this site (CSRF check failed); go back and retry")


def csrf_token(request: Request) -> str:
    """The token a form must send: the session's, or (anonymous) the pre-session token — a page
    showing an anonymous form must then call :func:`set_csrf_cookie` on its response."""
    if page_principal(request) is not None:
        return request.state.gazette_csrf_token
    return presession_token(request)


def presession_token(request: Request) -> str:
    """The signed double-submit token of the login form (whether or not someone is logged in)."""
    pending = getattr(request.state, "gazette_presession_csrf", None)
    if pending:
        return pending
    cookie = request.cookies.get(sessions.CSRF_COOKIE)
    token = cookie if sessions.presession_token_valid(cookie) else sessions.new_presession_token()
    request.state.gazette_presession_csrf = token
    return token


def set_csrf_cookie(request: Request, response) -> None:
    """Send the pre-session CSRF cookie a page's anonymous form relies on (no-op when logged in)."""
    token = getattr(request.state, "gazette_presession_csrf", None)
    if token and request.cookies.get(sessions.CSRF_COOKIE) != token:
        sessions.set_presession_cookie(response, request, token)


def csrf_field(request: Request) -> Markup:
    return Markup(f'<input type="hidden" name="csrf_token" value="{escape(csrf_token(request))}">')


def current_user(request: Request) -> Principal | None:
    try:
        return page_principal(request)
    except Exception:  # noqa: BLE001 - a page renders for anonymous users even if auth tables are missing
        return None


# ------------------------------------------------------------------------------ exception handlers


async def _login_required(request: Request, exc: LoginRequired):
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)


async def _page_forbidden(request: Request, exc: PageForbidden):
    return forbidden_page(request, exc)


def forbidden_page(request: Request, exc: GazetteError) -> HTMLResponse:
    roles = [Role(r) for r in exc.details.get("required_roles", [])]
    return templates.TemplateResponse(
        request, "forbidden.html",
        {"error": exc, "roles": roles, "roles_zh": roles_text(roles)[0], "roles_en": roles_text(roles)[1],
         "login_next": _local(_here(request)) if request.method == "GET" else "/"},
        status_code=403)


HANDLERS = {LoginRequired: _login_required, PageForbidden: _page_forbidden}


def install(app) -> None:
    """Register the page handlers on the app (call from create_app)."""
    for exc, handler in HANDLERS.items():
        app.add_exception_handler(exc, handler)


templates.env.globals["current_user"] = current_user
templates.env.globals["csrf_field"] = csrf_field
templates.env.globals["csrf_token"] = csrf_token
