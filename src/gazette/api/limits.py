"""Limits and headers every response gets — ASGI middleware in front of the whole application.

* :class:`RequestLimits` answers 414 for a request target over ``GAZETTE_MAX_URL_BYTES``, 431 for
  headers over ``GAZETTE_MAX_HEADER_BYTES`` and 413 for a body over ``GAZETTE_MAX_BODY_BYTES``
  (``GAZETTE_MAX_UPLOAD_BYTES`` for the upload routes) — whether the client announced its length or
  streams it — before any handler reads it.
* :class:`SecurityHeaders` adds the Content-Security-Policy (no inline script), frame and
  content-type protections and the referrer policy to every response.

docs/security.md lists the limits and what each header protects.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException as StarletteHTTPException

from gazette.api.problems import problem_body
from gazette.errors import GazetteError
from gazette.settings import get_settings

PROBLEM = b"application/problem+json"
UPLOAD_PATHS = ("/api/v1/parse", "/api/v1/ingest")

#: The policy of every page and answer: only this origin's scripts, styles, images and forms; no
#: plugins, no framing, no inline script (a template that needs script loads /static/*.js).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: The interactive API documentation (FastAPI's Swagger UI) loads its script from a CDN and starts it
#: inline: it alone gets this looser policy (still no framing).
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' https://cdn.jsdelivr.net; img-src 'self' data: https://fastapi.tiangolo.com; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = ("/api/v1/docs", "/api/v1/docs/oauth2-redirect")

HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)


class BodyTooLarge(StarletteHTTPException):
    """Raised from ``receive`` when a streamed body passes the limit (an HTTPException, so that body
    parsing passes it through unchanged and the problem handler answers 413)."""

    code = "body_too_large"

    def __init__(self, limit: int):
        super().__init__(413, f"the request body is larger than {limit} bytes")
        self.message_zh = f"请求体过大（上限 {limit} 字节）"


async def send_problem(send, status: int, code: str, zh: str, en: str, path: str,
                       headers: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    import json

    body = json.dumps(problem_body(GazetteError(code, zh, en), path[:200], status),
                      ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", PROBLEM), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *headers]})
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        st = get_settings()
        path = scope.get("path", "")
        target = len(scope.get("raw_path") or path.encode()) + len(scope.get("query_string", b""))
        if target > st.max_url_bytes:
            return await send_problem(send, 414, "uri_too_long", f"请求地址过长（上限 {st.max_url_bytes} 字节）",
                                      f"the request target is longer than {st.max_url_bytes} bytes", path)
        header_bytes = sum(len(k) + len(v) + 4 for k, v in scope.get("headers", []))
        if header_bytes > st.max_header_bytes:
            return await send_problem(send, 431, "headers_too_large", f"请求头过大（上限 {st.max_header_bytes} 字节）",
                                      f"the request headers are larger than {st.max_header_bytes} bytes", path)
        limit = st.max_upload_bytes if path in UPLOAD_PATHS else st.max_body_bytes
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    announced = int(v)
                except ValueError:
                    announced = -1
                if announced < 0:
                    return await send_problem(send, 400, "bad_content_length", "Content-Length 不正确",
                                              "malformed Content-Length", path)
                if announced > limit:
                    return await self._too_large(send, limit, path)
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except BodyTooLarge:
            if not started:
                await self._too_large(send, limit, path)

    @staticmethod
    async def _too_large(send, limit: int, path: str) -> None:
        await send_problem(send, 413, "body_too_large", f"请求体过大（上限 {limit} 字节）",
                           f"the request body is larger than {limit} bytes", path)


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = (DOCS_CSP if scope.get("path") in DOCS_PATHS else CSP).encode()

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [(b"content-security-policy", csp), *HEADERS]
                headers.extend((k, v) for k, v in extra if k not in present)
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
