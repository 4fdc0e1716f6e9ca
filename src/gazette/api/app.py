"""The FastAPI application: thin routers over the domain services, OpenAPI under /api/v1."""

from __future__ import annotations

import importlib
import importlib.util
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from gazette import __version__
from gazette.api.limits import RequestLimits, SecurityHeaders
from gazette.api.problems import PROBLEM_RESPONSES, install_problem_handlers
from gazette.api.routers import corpus, rules
from gazette.api.warmup import lifespan
from gazette.auth import api as auth_api
from gazette.auth import web as auth_pages
from gazette.web import PAGE_MODULES
from gazette.web.templating import HERE as WEB_DIR


@asynccontextmanager
async def _lifespan(app: FastAPI):
    from gazette.store import aio

    async with lifespan(app):  # warms the rules, the search index and the route table before the first request
        await aio.open_pool()  # PostgreSQL: the event loop's own connections (gazette.store.aio)
        try:
            yield
        finally:
            await aio.close_pool()
    from gazette.api import workers

    workers.shutdown()  # no worker process outlives the server


def create_app() -> FastAPI:
    app = FastAPI(
        title="Gazette API",
        version=__version__,
        description="嘉兴市人民政府公报 — the municipal gazette, made executable.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served offline by gazette.api.docs (no CDN)
        redoc_url=None,
        lifespan=_lifespan,  # warm-up (gazette.api.warmup), then the worker pools stopped at shutdown
    )
    install_problem_handlers(app)
    # outermost last: every answer (413/414/431 included) gets the security headers
    app.add_middleware(RequestLimits)
    app.add_middleware(SecurityHeaders)
    auth_pages.install(app)  # page denials: a redirect to /login or the 403 page, not problem+json
    app.include_router(auth_api.router, prefix="/api/v1", responses=PROBLEM_RESPONSES)
    app.include_router(corpus.router, prefix="/api/v1", responses=PROBLEM_RESPONSES)
    app.include_router(rules.router, prefix="/api/v1", responses=PROBLEM_RESPONSES)
    from gazette.packs import load_pack

    for module in load_pack().routers:  # the pack's schemes
        app.include_router(importlib.import_module(module).router, prefix="/api/v1", responses=PROBLEM_RESPONSES)
    for module in (*PAGE_MODULES, *load_pack().pages):
        if importlib.util.find_spec(module) is not None:
            app.include_router(importlib.import_module(module).router)
    app.mount("/static", StaticFiles(directory=str(WEB_DIR / "static")), name="static")
    from gazette.api.docs import install_docs

    install_docs(app)

    @app.get("/api/v1/health", tags=["meta"])
    async def health() -> dict:
        # async on purpose: it needs no worker thread, so it answers while the threadpool is busy
        return {"status": "ok", "version": __version__}

    return app


app = create_app()
