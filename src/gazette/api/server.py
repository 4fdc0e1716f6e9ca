"""How the API server is run (``gazette serve``, and the tests' real servers): uvicorn with its
httptools parser, bounded (:class:`gazette.api.http_protocol.BoundedHttpTools`), so that an
over-long request line or header block up to :func:`head_limit` bytes reaches
:class:`gazette.api.limits.RequestLimits` and is answered 414/431; beyond it the server answers 400
and closes the connection. (uvicorn's h11 parser did the same with its incomplete-event buffer, at
three times the CPU per request: issue #17.)"""

from __future__ import annotations

from typing import Any

from gazette.settings import get_settings

HARD_LIMIT = 1_048_576  # bytes of request line + headers uvicorn buffers at most


def head_limit() -> int:
    """Bytes of request line and headers the server reads before it refuses a request (400): room for
    the settings' own limits (answered 414/431 by the app) several times over, never over
    :data:`HARD_LIMIT`."""
    st = get_settings()
    return min(HARD_LIMIT, max(65_536, 4 * (st.max_url_bytes + st.max_header_bytes)))


def options() -> dict[str, Any]:
    """What ``gazette serve`` sets beyond uvicorn's defaults: the bounded httptools protocol. The event
    loop is uvicorn's ``auto``: uvloop (a dependency on Linux and macOS) when installed."""
    from gazette.api.http_protocol import BoundedHttpTools

    return {"http": BoundedHttpTools}


def config(app: Any = "gazette.api.app:app", host: str = "127.0.0.1", port: int = 8000, **kw: Any):
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, **options(), **kw)


def run(app: Any = "gazette.api.app:app", host: str = "127.0.0.1", port: int = 8000, **kw: Any) -> None:
    """Serve ``app`` (an import string) with :func:`options`; ``workers=N`` runs N server processes
    on one socket, ``reload=True`` restarts on code changes (both uvicorn's own supervisors)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, **options(), **kw)
