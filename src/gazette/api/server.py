"""How the API server is run (``gazette serve``, and the tests' real servers): uvicorn with h11 and
an incomplete-event buffer large enough that an over-long request line or header block reaches
:class:`gazette.api.limits.RequestLimits` and is answered 414/431 — with h11's default (16 KiB) the
connection would be dropped with a bare 400 instead. Beyond :data:`HARD_LIMIT` uvicorn answers 400
itself."""

from __future__ import annotations

from typing import Any

from gazette.settings import get_settings

HARD_LIMIT = 1_048_576  # bytes of request line + headers uvicorn buffers at most


def options() -> dict[str, Any]:
    """What ``gazette serve`` sets beyond uvicorn's defaults. The event loop is uvicorn's ``auto``:
    uvloop (a dependency on Linux and macOS) when installed — it does not parse HTTP, so the limits
    above are unchanged. The HTTP parser stays h11: uvicorn's httptools protocol buffers a request
    line and header block of any size (``h11_max_incomplete_event_size`` is h11's alone), so
    :data:`HARD_LIMIT` would not hold there."""
    st = get_settings()
    buffer = min(HARD_LIMIT, max(65_536, 4 * (st.max_url_bytes + st.max_header_bytes)))
    return {"http": "h11", "h11_max_incomplete_event_size": buffer}


def config(app: Any = "gazette.api.app:app", host: str = "127.0.0.1", port: int = 8000, **kw: Any):
    import uvicorn

    return uvicorn.Config(app, host=host, port=port, **options(), **kw)


def run(app: Any = "gazette.api.app:app", host: str = "127.0.0.1", port: int = 8000, **kw: Any) -> None:
    """Serve ``app`` (an import string) with :func:`options`; ``workers=N`` runs N server processes
    on one socket, ``reload=True`` restarts on code changes (both uvicorn's own supervisors)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, **options(), **kw)
