"""Storing the corpus: one transaction per ingest, re-ingesting changes nothing, lookups by
文号 in any variant, statuses on dates, relations both ways."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from gazette.corpus import service
from gazette.errors import GazetteError, NotFound
from gazette.store.corpus_models import ClauseRow, DocumentRow, RelationRow, SourceRow
from gazette.store.db import unit_of_work


def _counts():
    with unit_of_work() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (SourceRow, DocumentRow, ClauseRow, RelationRow))


@pytest.fixture()
def corpus(clean_db, gazette_paths):
    for path in gazette_paths:
        with unit_of_work() as session:
            service.ingest_file(session, path)
    return clean_db


def test_ingest_then_reingest_changes_nothing(corpus, gazette_paths):
    before = _counts()
    assert before[0] == 2 and before[1] == 20 and before[2] > 300
    with unit_of_work() as session:
        reports = [service.ingest_file(session, p) for p in gazette_paths]
    assert [r.outcome for r in reports] == ["unchanged", "unchanged"]
    assert _counts() == before


def test_a_changed_source_replaces_its_rows_only(corpus, gazette_paths, tmp_path):
    before = _counts()
    path = gazette_paths[0]
    changed = tmp_path / path.name
    changed.write_text(path.read_text(encoding="utf-8").replace("宣玉泉任嘉兴市审计局副局长", "宣玉泉任嘉兴市审计局局长"), encoding="utf-8")
    with unit_of_work() as session:
        assert service.ingest_file(session, changed).outcome == "replaced"
    assert _counts() == before
    with unit_of_work() as session:
        assert [p["positions"] for p in service.personnel(session, person="宣玉泉") if p["action"] == "appoint"] == [["嘉兴市审计局局长"]]


def test_a_failing_ingest_leaves_the_database_as_it_was(corpus, gazette_paths, monkeypatch):
    before = _counts()
    from gazette.corpus import repository

    original = repository.store_parse

    def explode(session, result, data, filename, **kw):
        original(session, result, data + b"\n", filename, **kw)  # writes rows, then fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(repository, "store_parse", explode)
    with pytest.raises(RuntimeError), unit_of_work() as session:
        service.ingest_bytes(session, gazette_paths[1].read_bytes(), "again.txt")
    assert _counts() == before


def test_nothing_to_ingest_is_an_error_and_writes_nothing(clean_db):
    with pytest.raises(GazetteError) as info, unit_of_work() as session:
        service.ingest_bytes(session, "随便写的一段话。".encode(), "noise.txt")
    assert info.value.code == "nothing_to_ingest"
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("ident", ["嘉政办发〔2022〕47号", "嘉政办发[2022]47号", "嘉政办发（2022）47 号", "《嘉兴市促进新能源汽车消费若干政策》"])
def test_show_finds_a_document_by_any_variant(corpus, ident):
    with unit_of_work() as session:
        data = service.show(session, ident, dt.date(2022, 10, 1))
    assert data["id"] == "嘉政办发〔2022〕47号"
    assert data["status"]["status"] == "in_force"
    assert data["clauses"][0]["id"] == "嘉政办发〔2022〕47号#一"


def test_show_a_clause(corpus):
    with unit_of_work() as session:
        data = service.show(session, "嘉公积金[2022]9号#第十三条", dt.date(2022, 6, 1))
    assert data["kind"] == "clause" and data["id"] == "嘉公积金〔2022〕9号#第十三条"
    assert "不得办理补缴" in data["text"]


def test_unknown_ids_are_not_found(corpus):
    with pytest.raises(NotFound), unit_of_work() as session:
        service.show(session, "嘉政办发〔2099〕1号", None)
    with pytest.raises(NotFound), unit_of_work() as session:
        service.show(session, "嘉政办发〔2022〕47号#九十九", None)


@pytest.mark.parametrize(
    "ident,on,expected",
    [
        ("嘉政办发〔2022〕46号", "2023-01-01", "expired"),
        ("嘉政办发〔2022〕46号", "2022-12-31", "in_force"),
        ("嘉政办发〔2019〕38号", "2022-09-21", "repealed"),
        ("嘉政办发〔2019〕38号", "2022-09-19", "in_force"),
        ("嘉政发〔2003〕46号", "2022-04-10", "repealed"),
        ("嘉公积金〔2022〕9号", "2022-04-30", "not_yet_in_force"),
        ("嘉公积金〔2022〕9号", "2022-05-01", "in_force"),
        ("嘉政办发〔2022〕47号", "2023-06-01", "in_force"),
        ("嘉政办发〔2022〕47号#一", "2023-06-01", "expired"),
        ("嘉政办发〔2022〕47号#一", "2022-10-08", "in_force"),
        ("嘉政办发〔2022〕47号#二", "2023-06-01", "in_force"),
        ("嘉政发〔2022〕17号#二", "2022-09-16", "expired"),
        ("嘉政发〔2022〕17号#二", "2022-09-09", "not_yet_in_force"),
        ("嘉政发〔2022〕17号#二", "2022-09-15", "in_force"),
        ("2022-10:嘉兴市促进绿色智能家电消费若干政策政策解读", "2023-01-01", "expired"),
    ],
)
def test_status_on_a_date(corpus, ident, on, expected):
    with unit_of_work() as session:
        result = service.status(session, ident, dt.date.fromisoformat(on))
    assert result.status == expected
    assert result.because


def test_relations_both_ways(corpus):
    with unit_of_work() as session:
        repealed = service.relations(session, "嘉政办发[2019]38号")
        policy = service.relations(session, "嘉政办发〔2022〕47号")
        interpretation = service.relations(session, "2022-10:嘉兴市促进新能源汽车消费若干政策政策解读")
    assert [(r["type"], r["source"]) for r in repealed["incoming"]] == [("repealed_by", "嘉政办发〔2022〕45号")]
    assert ("interpreted_by", "2022-10:嘉兴市促进新能源汽车消费若干政策政策解读") in [(r["type"], r["source"]) for r in policy["incoming"]]
    assert ("issues", "《嘉兴市促进新能源汽车消费若干政策》") in [(r["type"], r["target"]) for r in policy["outgoing"]]
    assert [r["target"] for r in interpretation["outgoing"] if r["type"] == "interprets"] == ["嘉政办发〔2022〕47号"]


def test_registers(corpus):
    with unit_of_work() as session:
        people = service.personnel(session)
        catalog = service.catalog(session, "2022-10")
        tasks = service.tasks(session, "嘉政发〔2022〕21号")
    assert len(people) == 9
    assert {c["doc_number"] for c in catalog if not c["printed"]} == {"嘉政办发〔2022〕42号", "嘉政办发〔2022〕43号", "嘉政办发〔2022〕48号"}
    assert tasks and all(t["document"] == "嘉政发〔2022〕21号" and t["units"] for t in tasks)
