"""The reader pages render with real data (the full web application is a later issue)."""

import urllib.parse

import pytest

from gazette.corpus import service
from gazette.store.db import unit_of_work


@pytest.fixture(scope="module")
def client(corpus_client):
    return corpus_client


def test_home_lists_issues_and_documents(client):
    html = client.get("/").text
    assert "嘉兴市人民政府公报2022年第10期" in html and "嘉兴市人民政府办公室关于印发嘉兴市促进新能源汽车消费若干政策的通知" in html


def test_document_page_shows_status_on_a_date_and_relations(client):
    ident = urllib.parse.quote("嘉政办发〔2019〕38号", safe="")
    html = client.get(f"/documents/{ident}", params={"on": "2022-09-21"}).text
    assert "已废止" in html and "嘉政办发〔2022〕45号" in html
    html = client.get("/documents/" + urllib.parse.quote("嘉政办发〔2022〕47号", safe=""), params={"on": "2022-10-08"}).text
    assert 'id="嘉政办发〔2022〕47号#一"' in html and "现行有效" in html


def test_search_page_highlights(client):
    html = client.get("/search", params={"q": "消费券"}).text
    assert "<mark>消费券</mark>" in html
    hostile = client.get("/search", params={"q": "<script>alert(1)</script>"}).text
    assert "<script>alert(1)</script>" not in hostile


def test_missing_document_page_is_a_404_page(client):
    resp = client.get("/documents/" + urllib.parse.quote("嘉政办发〔2099〕1号", safe=""))
    assert resp.status_code == 404 and "出错了" in resp.text


def test_unknown_page_is_an_html_404_for_browsers_and_problem_json_for_the_api(client):
    page = client.get("/no-such-page", headers={"accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "出错了" in page.text and "http_404" in page.text
    api = client.get("/api/v1/no-such-route", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    assert client.get("/no-such-page").headers["content-type"] == "application/problem+json"  # no Accept: html


def test_search_pages_do_not_repeat_hits(client):
    with unit_of_work() as session:
        everything = service.search(session, "政策", limit=40)["hits"]
        first = service.search(session, "政策", limit=5)["hits"]
        second = service.search(session, "政策", limit=5, offset=5)["hits"]
    assert [h["id"] + str(h["clause"]) for h in first + second] == [h["id"] + str(h["clause"]) for h in everything[:10]]
    with pytest.raises(Exception) as e, unit_of_work() as session:
        service.search(session, "政策", offset=-1)
    assert getattr(e.value, "code", None) == "invalid_input"
