"""The server warms the rules and the search index at start-up (FastAPI lifespan)."""

from fastapi.testclient import TestClient


def test_lifespan_warms_rules_and_search(corpus_client):
    from gazette.api.app import create_app

    app = create_app()
    with TestClient(app) as client:
        assert isinstance(app.state.warmup["rules"], float)
        assert isinstance(app.state.warmup["search"], float), app.state.warmup
        assert client.get("/api/v1/search", params={"q": "消费券"}).status_code == 200


def test_warm_up_never_stops_the_server(monkeypatch):
    from gazette.api import warmup

    def broken():
        raise RuntimeError("no database yet")

    monkeypatch.setattr(warmup, "warm_search", broken)
    done = warmup.warm_up()
    assert str(done["search"]).startswith("skipped: RuntimeError")
