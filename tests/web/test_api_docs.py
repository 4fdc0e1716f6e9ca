"""The API documentation page works offline: Swagger UI from the swagger-ui-bundle package, no CDN, no
inline script."""

from __future__ import annotations

import re


def test_api_docs_offline(corpus_client):
    r = corpus_client.get("/api/v1/docs")
    assert r.status_code == 200
    assert not re.search(r'(src|href)="https?://', r.text)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text)  # no inline script
    for src in re.findall(r'<script src="([^"]+)"', r.text) + re.findall(r'<link rel="stylesheet" href="([^"]+)"', r.text):
        asset = corpus_client.get(src)
        assert asset.status_code == 200 and len(asset.content) > 100, src
    assert corpus_client.get("/api/v1/openapi.json").json()["openapi"]
