"""RFC 9457 problem+json for every error the API can answer."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gazette.errors import GazetteError

log = logging.getLogger("gazette.api")
PROBLEM = "application/problem+json"


def problem_response(status: int, body: dict) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, media_type=PROBLEM)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(GazetteError)
    async def _domain(request: Request, exc: GazetteError):
        return problem_response(exc.status, exc.problem(instance=str(request.url.path)))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        first = errors[0] if errors else {}
        loc = [str(p) for p in first.get("loc", []) if p not in ("body", "query", "path")]
        field = ".".join(loc) or None
        err = GazetteError(
            code="invalid_request",
            message_zh=f"请求格式不正确：{first.get('msg', '')}",
            message_en=f"malformed request: {first.get('msg', '')}",
            field=field,
            status=422,
            details={"errors": [{"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg")} for e in errors]},
        )
        return problem_response(422, err.problem(instance=str(request.url.path)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        zh = {404: "未找到该资源", 405: "不支持该请求方法", 401: "需要登录", 403: "无权访问"}.get(exc.status_code, "请求失败")
        err = GazetteError(
            code=f"http_{exc.status_code}", message_zh=zh, message_en=str(exc.detail), status=exc.status_code
        )
        if _wants_page(request):
            return _error_page(request, err)
        return problem_response(exc.status_code, err.problem(instance=str(request.url.path)))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s", request.url.path)
        err = GazetteError(
            code="internal_error", message_zh="服务器内部错误", message_en="internal server error", status=500
        )
        return problem_response(500, err.problem(instance=str(request.url.path)))


def _wants_page(request: Request) -> bool:
    """A browser asking for a page outside the API gets an HTML error page, not problem+json."""
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _error_page(request: Request, err: GazetteError):
    from gazette.web.templating import templates

    return templates.TemplateResponse(request, "error.html", {"error": err}, status_code=err.status)
