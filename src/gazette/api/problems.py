"""RFC 9457 problem+json for every error the API can answer."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from gazette.api.idempotency import KeyRequired, is_missing_key
from gazette.errors import (
    Conflict,
    Forbidden,
    GazetteError,
    InvalidInput,
    Misconfigured,
    NotFound,
    PayloadTooLarge,
    TooManyRequests,
    Unauthorized,
    Unavailable,
)

log = logging.getLogger("gazette.api")
PROBLEM = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details, as every error of the API is answered."""

    type: str = Field(examples=["https://gazette.example/problems/pool_exhausted"])
    title: str = Field(description="the English message")
    status: int
    detail: str = Field(description="the Chinese message")
    code: str = Field(description="stable machine-readable code", examples=["pool_exhausted"])
    message_zh: str
    message_en: str
    field: str | None = Field(default=None, description="the request field at fault")
    instance: str | None = None
    details: dict | None = Field(default=None, description="e.g. the failed conditions, the clause")


# Documented on every router: errors come as application/problem+json, not FastAPI's default body.
PROBLEM_RESPONSES: dict = {
    "4XX": {"model": Problem, "content": {PROBLEM: {}}, "description": "problem+json (RFC 9457)"},
    "5XX": {"model": Problem, "content": {PROBLEM: {}}, "description": "problem+json (RFC 9457)"},
}


# The one place where a kind of domain error becomes an HTTP status (the API and the pages alike).
KIND_STATUS: dict[type[GazetteError], int] = {
    InvalidInput: 422,
    NotFound: 404,
    Conflict: 409,
    Unauthorized: 401,
    Forbidden: 403,
    TooManyRequests: 429,
    PayloadTooLarge: 413,
    Unavailable: 503,
    Misconfigured: 500,
    GazetteError: 400,  # refused without a more precise kind
}
# Codes whose status differs from their kind's.
CODE_STATUS: dict[str, int] = {
    "no_token": 400,  # DELETE /tokens/current without a token: the request, not the credentials, is wrong
}


def http_status(error: GazetteError) -> int:
    """The HTTP status a domain error is answered with: by its code where listed, else by its kind."""
    if error.code in CODE_STATUS:
        return CODE_STATUS[error.code]
    for kind in type(error).__mro__:
        if kind in KIND_STATUS:
            return KIND_STATUS[kind]
    return 400


def problem_body(error: GazetteError, instance: str | None = None, status: int | None = None) -> dict:
    """The RFC 9457 body of ``error`` (``status`` given only by the edge's own errors: 405, 500…)."""
    body: dict = {
        "type": f"https://gazette.example/problems/{error.code}",
        "title": error.message_en,
        "status": status or http_status(error),
        "detail": error.message_zh,
        "code": error.code,
        "message_zh": error.message_zh,
        "message_en": error.message_en,
    }
    if error.field:
        body["field"] = error.field
    if instance:
        body["instance"] = instance
    if error.details:
        body["details"] = error.details
    return body


def problem_response(status: int, body: dict, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, media_type=PROBLEM, headers=headers)


def problem_headers(request: Request, exc: GazetteError, status: int | None = None) -> dict[str, str]:
    """``Retry-After`` on 429/503 answers that know it; ``WWW-Authenticate`` on the API's 401s
    (RFC 9110 §11.6.1: a 401 names the scheme the client should use)."""
    headers: dict[str, str] = {}
    status = status or http_status(exc)
    retry = getattr(exc, "retry_after", None) or (exc.details or {}).get("retry_after")
    if status in (429, 503) and retry:
        headers["Retry-After"] = str(int(retry))
    if status == 401 and request.url.path.startswith("/api/"):
        reason = (exc.details or {}).get("reason")
        error = ', error="invalid_token"' if reason in ("invalid_token", "session_expired") else ""
        headers["WWW-Authenticate"] = f'Bearer realm="gazette"{error}'
    return headers


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(GazetteError)
    async def _domain(request: Request, exc: GazetteError):
        return problem_response(http_status(exc), problem_body(exc, str(request.url.path)[:200]),
                                problem_headers(request, exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        # A missing Idempotency-Key is answered with its own code, but only when nothing else is wrong
        # (a malformed body is named first, as when each route checked the key itself).
        others = [e for e in errors if not is_missing_key(e)]
        if errors and not others:
            return problem_response(422, problem_body(KeyRequired(), str(request.url.path)))
        errors = others
        first = errors[0] if errors else {}
        loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path")]
        field = ".".join(loc) or None
        err = InvalidInput(
            code="invalid_request",
            message_zh=f"请求格式不正确：{first.get('msg', '')}",
            message_en=f"malformed request: {first.get('msg', '')}",
            field=field,
            details={"errors": [{"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg")} for e in errors]},
        )
        return problem_response(422, problem_body(err, str(request.url.path)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        zh = {404: "未找到该资源", 405: "不支持该请求方法", 401: "需要登录", 403: "无权访问"}.get(exc.status_code, "请求失败")
        err = GazetteError(
            code=getattr(exc, "code", None) or f"http_{exc.status_code}",
            message_zh=getattr(exc, "message_zh", None) or zh, message_en=str(exc.detail),
        )
        if _wants_page(request):
            return error_page(request, err, exc.status_code)
        headers = dict(exc.headers or {})
        headers.update(problem_headers(request, err, exc.status_code))
        return problem_response(exc.status_code, problem_body(err, str(request.url.path)[:200], exc.status_code),
                                headers)

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError):
        # the database refused a value the validators let through (out of its range, a byte it cannot
        # store): the request is at fault, and the transaction was rolled back
        log.info("database refused a value on %s: %s", request.url.path, exc.orig)
        err = InvalidInput(code="invalid_value", message_zh="请求中的值超出允许范围或含有非法字符",
                           message_en="a value in the request is out of range or contains characters that cannot be stored")
        return problem_response(422, problem_body(err, str(request.url.path)))

    app.add_middleware(RejectNulBytes)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        err = GazetteError(code="internal_error", message_zh="服务器内部错误", message_en="internal server error")
        # this answer is sent outside the middleware stack: it carries the security headers itself
        from gazette.api.limits import CSP, HEADERS

        headers = {"content-security-policy": CSP, **{k.decode(): v.decode() for k, v in HEADERS}}
        return problem_response(500, problem_body(err, str(request.url.path)[:200], 500), headers)


def _wants_page(request: Request) -> bool:
    """A browser asking for a page outside the API gets an HTML error page, not problem+json."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def error_page(request: Request, err: GazetteError, status: int | None = None):
    from gazette.web.templating import templates

    status = status or http_status(err)
    return templates.TemplateResponse(request, "error.html", {"error": err, "status": status}, status_code=status)


class RejectNulBytes:
    """ASGI middleware: a NUL byte in the path or the query string is refused before any handler runs
    (PostgreSQL text cannot hold it; no identifier or query of ours contains one)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            raw = scope.get("raw_path") or scope.get("path", "").encode()
            query = scope.get("query_string", b"")
            if b"%00" in raw.lower() or b"\x00" in raw or b"%00" in query or b"\x00" in query \
                    or "\x00" in scope.get("path", ""):
                err = InvalidInput(code="invalid_request", message_zh="请求含有非法字符（NUL）",
                                   message_en="the request contains a NUL character")
                response = problem_response(422, problem_body(err, scope.get("path", "").replace("\x00", "")))
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
