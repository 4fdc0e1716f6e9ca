"""The corpus through /api/v1, errors as RFC 9457 problem+json."""

import urllib.parse

import pytest

from gazette.auth.testing import bearer
from tests.conftest import GAZETTES


@pytest.fixture(scope="module")
def client(corpus_client):
    # Reading the gazette needs no login; parse and ingest need the city administrator.
    return corpus_client


@pytest.fixture()
def admin(client):
    return bearer()


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def test_openapi_is_served_under_api_v1(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/search" in spec["paths"]


def test_document_clause_status_relations(client):
    doc = client.get(f"/api/v1/documents/{q('嘉政办发[2022]47号')}", params={"on": "2022-10-08"}).json()
    assert doc["id"] == "嘉政办发〔2022〕47号" and doc["status"]["status"] == "in_force"
    clause = client.get(f"/api/v1/documents/{q('嘉政办发〔2022〕47号#一')}").json()
    assert clause["kind"] == "clause" and clause["heading"] == "发放新能源汽车消费券"
    st = client.get("/api/v1/status", params={"id": "嘉政办发〔2019〕38号", "on": "2022-09-21"}).json()
    assert st["status"] == "repealed"
    rel = client.get(f"/api/v1/documents/{q('嘉政办发〔2019〕38号')}/relations").json()
    assert rel["incoming"][0]["type"] == "repealed_by"
    assert client.get(f"/api/v1/documents/{q('嘉政办发〔2022〕46号')}/status", params={"on": "2023-01-01"}).json()["status"] == "expired"


def test_search_and_registers(client):
    body = client.get("/api/v1/search", params={"q": "消费券", "on": "2022-10-01"}).json()
    assert len(body["hits"]) >= 4 and body["facets"]["status"]["in_force"] == 4
    filtered = client.get("/api/v1/search", params={"q": "消费券", "category": "政策解读"}).json()
    assert {h["category"] for h in filtered["hits"]} == {"政策解读"}
    assert len(client.get("/api/v1/personnel").json()) == 9
    assert any(not c["printed"] for c in client.get("/api/v1/catalog", params={"issue": "2022-10"}).json())
    assert client.get("/api/v1/tasks", params={"unit": "市医保局"}).json()
    issues = client.get("/api/v1/issues").json()
    assert [i["id"] for i in issues] == ["2022-04", "2022-10"]


def test_export_akn(client):
    resp = client.get(f"/api/v1/documents/{q('嘉政办发〔2022〕45号')}/export", params={"format": "akn"})
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("application/akn+xml")


@pytest.mark.parametrize(
    "path,params,status,code",
    [
        ("/api/v1/documents/" + q("嘉政办发〔2099〕1号"), {}, 404, "not_found"),
        ("/api/v1/status", {"id": "嘉政办发〔2022〕47号", "on": "yesterday"}, 422, "invalid_input"),
        ("/api/v1/search", {"q": ""}, 422, "invalid_request"),
        ("/api/v1/search", {"q": "消费券", "status": "dead"}, 422, "invalid_input"),
        ("/api/v1/nowhere", {}, 404, "http_404"),
    ],
)
def test_errors_are_problem_json(client, path, params, status, code):
    resp = client.get(path, params=params)
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/problem+json")
    body = resp.json()
    assert body["code"] == code and body["status"] == status
    assert body["message_zh"] and body["message_en"] and body["title"]


def test_parse_upload_stores_nothing_and_ingest_is_idempotent(client, admin):
    data = (GAZETTES / "jiaxing-gazette-2022-10.txt").read_bytes()
    parsed = client.post("/api/v1/parse", files={"file": ("issue.txt", data, "text/plain")}, headers=admin).json()
    assert parsed["issue"]["number"] == 10
    again = client.post("/api/v1/ingest", files={"file": ("issue.txt", data, "text/plain")}, headers=admin)
    assert again.status_code == 201 and again.json()["outcome"] == "unchanged"
    # ingest never refuses a file it cannot read: it stores nothing and says why, in both languages
    documents = len(client.get("/api/v1/documents").json())
    for name, payload, code in (("x.bin", bytes(range(256)) * 10, "binary_input"),
                                ("noise.txt", "随便写的一段话。".encode(), "nothing_to_ingest")):
        skipped = client.post("/api/v1/ingest", files={"file": (name, payload, "text/plain")}, headers=admin)
        assert skipped.status_code == 200, skipped.text
        report = skipped.json()
        assert report["outcome"] == "skipped" and report["documents"] == 0 and report["filename"] == name
        assert report["warnings"][0]["code"] == code and report["warnings"][0]["message_zh"]
    assert len(client.get("/api/v1/documents").json()) == documents


def test_parse_and_ingest_need_the_city_admin(client):
    data = (GAZETTES / "jiaxing-gazette-2022-10.txt").read_bytes()
    anon = client.post("/api/v1/ingest", files={"file": ("issue.txt", data, "text/plain")})
    assert anon.status_code == 401 and anon.json()["code"] == "authentication_required"
    citizen = bearer("test-citizen", "citizen", person_id="330402199001011230")
    denied = client.post("/api/v1/parse", files={"file": ("issue.txt", data, "text/plain")}, headers=citizen)
    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
