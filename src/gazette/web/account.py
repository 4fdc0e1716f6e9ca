"""Account pages: log in, log out, and the 长辈版 (large-text) switch."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from gazette.api import workers
from gazette.api.problems import http_status
from gazette.auth import ratelimit, sessions
from gazette.auth.audit import client_ip, log_denial
from gazette.auth.web import _local, check_csrf, check_presession_csrf, presession_token, set_csrf_cookie
from gazette.store.db import unit_of_work
from gazette.web.templating import ELDER_COOKIE, templates

router = APIRouter(include_in_schema=False)


def _login_page(request: Request, *, next_url: str, username: str = "", error: tuple[str, str] | None = None,
                status: int = 200, headers: dict | None = None) -> HTMLResponse:
    response = templates.TemplateResponse(
        request, "login.html",
        {"next_url": next_url, "username": username, "error": error, "login_csrf": presession_token(request)},
        status_code=status,
        headers=headers)
    set_csrf_cookie(request, response)
    return response


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None):
    return _login_page(request, next_url=_local(next, "/me"))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request):
    form = await request.form()
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))
    next_url = _local(str(form.get("next", "") or ""), "/me")
    check_presession_csrf(request, str(form.get("csrf_token", "")))
    ip = client_ip(request)
    previous = request.cookies.get(sessions.SESSION_COOKIE)

    def start_session(s, user) -> str:
        raw, _ = sessions.create(s, user.id, previous_raw=previous)
        return raw

    # the password check (argon2) runs in the bounded login pool, never on the event loop
    try:
        user, raw = await workers.login(ratelimit.attempt, username, password, ip, start_session)
    except ratelimit.TooManyAttempts as blocked:
        await run_in_threadpool(log_denial, request, None, "login_rate_limited", username)
        return _login_page(request, next_url=next_url, username=username, status=http_status(blocked),
                           error=(blocked.message_zh, blocked.message_en),
                           headers={"Retry-After": str(blocked.retry_after)})
    if user is None:
        await run_in_threadpool(log_denial, request, None, "login_failed", username)
        return _login_page(request, next_url=next_url, username=username, status=401,
                           error=("用户名或密码错误", "wrong username or password"))
    response = RedirectResponse(next_url, status_code=303)
    sessions.set_cookie(response, request, raw)
    response.delete_cookie(sessions.CSRF_COOKIE, path="/")
    return response


@router.post("/logout")
async def logout(request: Request):
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    with unit_of_work() as s:
        sessions.end(s, request.cookies.get(sessions.SESSION_COOKIE))
    response = RedirectResponse("/", status_code=303)
    sessions.clear_cookie(response, request)
    return response


@router.get("/elder")
def elder(request: Request, on: str = "1", next: str | None = None):
    """Switch 长辈版 (large text) on or off, remembered for a year, and go back to the page."""
    response = RedirectResponse(_local(next, "/"), status_code=303)
    if on == "1":
        response.set_cookie(ELDER_COOKIE, "1", max_age=365 * 24 * 3600, path="/", samesite="lax",
                            secure=sessions.secure(request))
    else:
        response.delete_cookie(ELDER_COOKIE, path="/")
    return response
