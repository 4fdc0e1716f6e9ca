"""The server warms the rules and the search index at start-up (FastAPI lifespan)."""

from fastapi.testclient import TestClient


def test_lifespan_warms_rules_and_search(corpus_client):
    from gazette.api.app import create_app

    app = create_app()
    with TestClient(app) as client:
        assert isinstance(app.state.warmup["rules"], float)
        assert isinstance(app.state.warmup["search"], float), app.state.warmup
        assert isinstance(app.state.warmup["routes"], float), app.state.warmup
        assert client.get("/api/v1/search", params={"q": "消费券"}).status_code == 200


def test_warm_up_never_stops_the_server(monkeypatch):
    from gazette.api import warmup

    def broken():
        raise RuntimeError("no database yet")

    monkeypatch.setattr(warmup, "warm_search", broken)
    done = warmup.warm_up()
    assert str(done["search"]).startswith("skipped: RuntimeError")


def test_warm_up_builds_the_route_tables_before_the_first_request(monkeypatch):
    """FastAPI builds an included router's table at the first request passing through it (the first
    request to a late route paid for every table before it); after the warm-up none is left to build."""
    from fastapi import routing

    from gazette.api import warmup
    from gazette.api.app import create_app

    built: list[str] = []
    original = routing._EffectiveRouteContext.from_api_route.__func__

    def counting(cls, **kwargs):
        built.append(kwargs["original_route"].path)
        return original(cls, **kwargs)

    monkeypatch.setattr(routing._EffectiveRouteContext, "from_api_route", classmethod(counting))
    cold = create_app()
    TestClient(cold).get("/api/v1/health")  # the last route added: every table before it is built now
    assert len(built) > 100

    warm = create_app()
    warmup.warm_routes(warm)
    built.clear()
    assert TestClient(warm).get("/api/v1/health").status_code == 200
    assert built == []
