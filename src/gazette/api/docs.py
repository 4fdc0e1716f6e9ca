"""The interactive API documentation, offline: Swagger UI's files come from the ``swagger-ui-bundle``
package (served under ``/api/v1/docs-assets``), started by ``/static/api-docs.js`` — no CDN and no
inline script. Without the package the page still links the OpenAPI document."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api/v1/docs-assets"

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Gazette API 文档 API documentation</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><noscript><p>接口文档需要 JavaScript；OpenAPI 文档见 <a href="{openapi}">{openapi}</a>。
The interactive documentation needs JavaScript; the OpenAPI document is at <a href="{openapi}">{openapi}</a>.</p></noscript>
<div id="swagger-ui" data-openapi="{openapi}"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body></html>"""

MISSING = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Gazette API</title></head>
<body><h1>Gazette API</h1><p>交互式文档未安装（pip install swagger-ui-bundle）。The interactive documentation is not
installed. OpenAPI 文档 The OpenAPI document: <a href="{openapi}">{openapi}</a></p></body></html>"""


def install_docs(app: FastAPI, openapi_url: str = "/api/v1/openapi.json") -> None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # the page still answers, with the OpenAPI link
        swagger_ui_path = None
    if swagger_ui_path:
        app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/api/v1/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> HTMLResponse:
        body = (PAGE if swagger_ui_path else MISSING).format(assets=ASSETS, openapi=openapi_url)
        return HTMLResponse(body)
