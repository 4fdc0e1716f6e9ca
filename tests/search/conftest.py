"""Search fixtures: the shipped issues as parsed by the corpus parser, and an index built from them
once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from gazette.corpus.indexing import from_parsed
from gazette.corpus.parse import parse_file
from gazette.search import SearchDocument, SearchIndex

GAZETTES = Path(__file__).resolve().parents[2] / "src" / "jiaxing" / "data" / "gazettes"
NEV_INTERPRETATION = "《嘉兴市促进新能源汽车消费若干政策》政策解读"
APPLIANCE_INTERPRETATION = "《嘉兴市促进绿色智能家电消费若干政策》政策解读"


@pytest.fixture(scope="session")
def gazette_docs() -> list[SearchDocument]:
    docs: list[SearchDocument] = []
    for path in sorted(GAZETTES.glob("*.txt")):
        docs.extend(from_parsed(doc) for doc in parse_file(path).documents)
    return docs


@pytest.fixture(scope="session")
def index(gazette_docs, tmp_path_factory) -> SearchIndex:
    idx = SearchIndex(tmp_path_factory.mktemp("search") / "index")
    idx.rebuild(gazette_docs, fingerprint="shipped-v1")
    return idx


def make_doc(id: str, text: str, title: str = "", **kw) -> SearchDocument:
    return SearchDocument(
        id=id,
        doc_number=kw.get("doc_number"),
        title=title or id,
        category=kw.get("category"),
        issuer=kw.get("issuer"),
        year=kw.get("year"),
        text=text,
        clauses=kw.get("clauses", []),
    )
