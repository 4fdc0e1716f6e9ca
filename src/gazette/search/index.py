"""The search index: a derived, on-disk tantivy index over corpus documents.

The database stays the source of truth; the index is rebuilt from it whenever its *fingerprint* (what
it was built from, chosen by the caller) is stale.

Layout of ``directory``::

    CURRENT                 name of the live generation (replaced atomically)
    gen-<time>-<hex>/       one complete tantivy index + fingerprint.json

:meth:`SearchIndex.rebuild` builds a new generation beside the live one and then swaps ``CURRENT`` with
``os.replace``: readers see the old index or the new one, never a partial one; a failed build leaves the
old index in place.

Ranking (scores are tantivy BM25 plus constant tiers, highest first):

1. the document whose 文号 is the query's 文号 (any variant);
2. documents citing that 文号 (more citations first);
3. documents matching every query word (each an exact substring, via bigram phrases) — several
   words mean all of them; only when no document has them all are documents matching some listed
   (``relaxed``); among them a verbatim match of a whole multi-word run;
4. BM25 over title (boosted) and body.

A short 文号 (``47号``, ``嘉政办发47号``, ``2022 47``) matches canonical 文号 by pattern and ranks as (1).
No hit at all gives ``suggestions``: titles and 文号 close to the query ("did you mean").
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import tantivy

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: rebuilds are not serialised across processes
    fcntl = None  # type: ignore[assignment]

from gazette.corpus.docnumber import canonical_doc_number
from gazette.errors import InvalidInput, Unavailable

from .query import QueryPlan, Word, plan_query
from .snippet import Matcher, snippet_for
from .suggest import suggest
from .tokenize import doc_number_tokens, token_streams

SCHEMA_VERSION = 1
TITLE_BOOST = 3.0
OWN_DOC_SCORE = 1_000_000.0
CITES_SCORE = 100_000.0
WORD_SCORE = 5_000.0
RUN_SCORE = 2_500.0
FACET_FIELDS = ("category", "issuer", "year")
MAX_LIMIT = 1000
_FACET_SIZE = 10_000


@dataclass
class SearchDocument:
    """What the index needs of one corpus document.

    ``clauses`` are (clause id, clause text) pairs, used to pick the best-matching clause and its
    snippet; ``text`` is the whole body.
    """

    id: str
    doc_number: str | None
    title: str
    category: str | None
    issuer: str | None
    year: int | None
    text: str
    clauses: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Hit:
    id: str
    doc_number: str | None
    title: str
    score: float
    snippet: str
    clause: str | None
    category: str | None
    issuer: str | None
    year: int | None


@dataclass
class SearchResult:
    hits: list[Hit]
    facets: dict[str, dict[str, int]]
    total: int
    relaxed: bool = False  # no document had every word: these match some of them
    suggestions: list[str] = field(default_factory=list)  # when nothing matched: close titles / 文号


class SearchIndexMissing(Unavailable):
    def __init__(self, directory: Path):
        super().__init__(
            code="search_index_missing",
            message_zh="全文检索索引尚未建立，请先导入公报",
            message_en=f"the search index has not been built yet ({directory})",
        )


def _schema() -> tantivy.Schema:
    b = tantivy.SchemaBuilder()
    b.add_text_field("id", stored=True, tokenizer_name="raw")
    b.add_text_field("doc_number", stored=True, tokenizer_name="raw")
    b.add_text_field("title", stored=True, tokenizer_name="raw")
    for name in ("title_bi", "body_bi"):
        b.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="position")
    for name in ("title_uni", "body_uni"):
        b.add_text_field(name, stored=False, tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("cites", stored=False, tokenizer_name="whitespace", index_option="freq")
    b.add_text_field("category", stored=True, fast=True, tokenizer_name="raw")
    b.add_text_field("issuer", stored=True, fast=True, tokenizer_name="raw")
    b.add_integer_field("year", stored=True, indexed=True, fast=True)
    b.add_bytes_field("payload", stored=True)
    return b.build()


def _to_tantivy(doc: SearchDocument) -> tantivy.Document:
    d = tantivy.Document()
    d.add_text("id", doc.id)
    doc_number = (canonical_doc_number(doc.doc_number) or doc.doc_number) if doc.doc_number else None
    if doc_number:
        d.add_text("doc_number", doc_number)
    d.add_text("title", doc.title or "")
    title = token_streams(doc.title or "")
    body = token_streams(doc.text or "")
    d.add_text("title_bi", title.bigrams)
    d.add_text("title_uni", title.unigrams)
    d.add_text("body_bi", body.bigrams)
    d.add_text("body_uni", body.unigrams)
    cited = [dn for dn in doc_number_tokens(doc.text or "") if dn != doc_number]
    if cited:
        d.add_text("cites", " ".join(cited))
    if doc.category:
        d.add_text("category", doc.category)
    if doc.issuer:
        d.add_text("issuer", doc.issuer)
    if doc.year is not None:
        d.add_integer("year", int(doc.year))
    payload = {"text": doc.text or "", "clauses": [[str(cid), str(ct)] for cid, ct in doc.clauses or []]}
    d.add_bytes("payload", json.dumps(payload, ensure_ascii=False).encode("utf-8"))
    return d


class SearchIndex:
    """A Chinese full-text index over :class:`SearchDocument` s, stored under ``directory``."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._generation: str | None = None
        self._index: tantivy.Index | None = None
        self._searcher: tantivy.Searcher | None = None
        self._schema: tantivy.Schema | None = None

    # -- building ---------------------------------------------------------------------------------

    def rebuild(self, docs: Iterable[SearchDocument], fingerprint: str) -> int:
        """Build a fresh index from ``docs`` and swap it in atomically; return the document count.

        Concurrent rebuilds (threads or processes on this host) are serialised by a lock file.
        """
        self.directory.mkdir(parents=True, exist_ok=True)
        with _rebuild_lock(self.directory / ".rebuild.lock"):
            return self._rebuild(docs, fingerprint)

    def _rebuild(self, docs: Iterable[SearchDocument], fingerprint: str) -> int:
        gen = f"gen-{time.time_ns():x}-{uuid.uuid4().hex[:8]}"
        path = self.directory / gen
        path.mkdir()
        count = 0
        index = writer = None
        try:
            index = tantivy.Index(_schema(), path=str(path))
            writer = index.writer(heap_size=256_000_000, num_threads=min(4, os.cpu_count() or 1))
            for doc in docs:
                writer.add_document(_to_tantivy(doc))
                count += 1
            writer.commit()
            writer.wait_merging_threads()
            writer = None
            meta = {"fingerprint": fingerprint, "documents": count, "schema": SCHEMA_VERSION}
            _write_atomic(path / "fingerprint.json", json.dumps(meta, ensure_ascii=False))
            _write_atomic(self.directory / "CURRENT", gen)
        except BaseException:
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.rollback()
            index = writer = None  # drop the writer (joins its threads) before removing its files
            _remove_tree(path)
            raise
        self._cleanup(keep=gen)
        return count

    def _cleanup(self, keep: str) -> None:
        """Remove superseded generations (complete ones, or abandoned ones older than an hour)."""
        now = time.time()
        for p in self.directory.glob("gen-*"):
            if p.name == keep or not p.is_dir():
                continue
            complete = (p / "fingerprint.json").exists()
            if complete or now - p.stat().st_mtime > 3600:
                shutil.rmtree(p, ignore_errors=True)

    # -- state ------------------------------------------------------------------------------------

    def _current(self) -> str | None:
        try:
            name = (self.directory / "CURRENT").read_text(encoding="utf-8").strip()
        except (FileNotFoundError, NotADirectoryError):
            return None
        return name if name and (self.directory / name).is_dir() else None

    def fingerprint(self) -> str | None:
        """The fingerprint the live index was built from, or None when there is no index."""
        gen = self._current()
        if gen is None:
            return None
        try:
            meta = json.loads((self.directory / gen / "fingerprint.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("schema") != SCHEMA_VERSION:
            return None  # built by another version of this code: stale
        return meta.get("fingerprint")

    def _open(self) -> tuple[tantivy.Searcher, tantivy.Schema]:
        for attempt in range(3):
            gen = self._current()
            if gen is None:
                raise SearchIndexMissing(self.directory)
            with self._lock:
                if gen == self._generation and self._searcher is not None and self._schema is not None:
                    return self._searcher, self._schema
                try:
                    index = tantivy.Index.open(str(self.directory / gen))
                except (OSError, ValueError):
                    # A concurrent rebuild swapped and removed this generation: read CURRENT again.
                    if attempt == 2:
                        raise
                    continue
                self._index, self._schema = index, index.schema
                self._searcher = index.searcher()
                self._generation = gen
                return self._searcher, self._schema
        raise SearchIndexMissing(self.directory)  # pragma: no cover - loop always returns or raises

    # -- searching --------------------------------------------------------------------------------

    def search(
        self, query: str, limit: int = 10, filters: dict[str, str | int] | None = None
    ) -> SearchResult:
        """Ranked hits, facets over every match, and the match count.  See the module docstring."""
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
            raise InvalidInput(
                f"结果数量须在 1 到 {MAX_LIMIT} 之间",
                f"limit must be between 1 and {MAX_LIMIT}",
                field="limit",
            )
        if filters is not None and not isinstance(filters, dict):
            raise InvalidInput("筛选条件格式无效", "filters must be a mapping", field="filters")
        plan = plan_query(query)
        searcher, schema = self._open()
        must = [_filter_query(schema, k, v) for k, v in (filters or {}).items()]

        def run(require_all: bool):
            q = _build_query(plan, schema, require_all)
            if must:
                q = tantivy.Query.boolean_query(
                    [(tantivy.Occur.Must, q), *((tantivy.Occur.Must, f) for f in must)]
                )
            return q, searcher.search(q, limit=limit, count=True)

        q, found = run(require_all=True)
        relaxed = False
        if not found.count and len(plan.words) > 1 and not plan.doc_numbers:
            q, found = run(require_all=False)
            relaxed = bool(found.count)
        matcher = Matcher(plan.highlight_terms, plan.doc_numbers)
        hits = [self._hit(searcher, score, addr, matcher) for score, addr in found.hits]
        total = found.count or 0
        facets = _facets(searcher, q) if total else {name: {} for name in FACET_FIELDS}
        suggestions = [] if total else suggest(query, self._catalogue(searcher))
        return SearchResult(hits=hits, facets=facets, total=total, relaxed=relaxed, suggestions=suggestions)

    def _catalogue(self, searcher: tantivy.Searcher) -> list[tuple[str, str | None]]:
        """(title, 文号) of every indexed document, read once per generation."""
        with self._lock:
            cached = getattr(self, "_titles", None)
            if cached is not None and cached[0] is searcher:
                return cached[1]
        n = max(searcher.num_docs, 1)
        found = searcher.search(tantivy.Query.all_query(), limit=n)
        rows = []
        for _, addr in found.hits:
            d = searcher.doc(addr)
            rows.append((d.get_first("title") or "", d.get_first("doc_number")))
        with self._lock:
            self._titles = (searcher, rows)
        return rows

    @staticmethod
    def _hit(searcher: tantivy.Searcher, score: float, addr, matcher: Matcher) -> Hit:
        d = searcher.doc(addr)
        payload = json.loads(bytes(d.get_first("payload")).decode("utf-8"))
        title = d.get_first("title") or ""
        clauses = [(c[0], c[1]) for c in payload.get("clauses", [])]
        snippet, clause = snippet_for(title, payload.get("text", ""), clauses, matcher)
        year = d.get_first("year")
        return Hit(
            id=d.get_first("id"),
            doc_number=d.get_first("doc_number"),
            title=title,
            score=float(score),
            snippet=snippet,
            clause=clause,
            category=d.get_first("category"),
            issuer=d.get_first("issuer"),
            year=int(year) if year is not None else None,
        )


@contextlib.contextmanager
def _rebuild_lock(path: Path):
    with open(path, "a+b") as fh:
        if fcntl is not None:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _remove_tree(path: Path) -> None:
    for _ in range(5):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(0.05)


def _write_atomic(path: Path, content: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _word_query(schema: tantivy.Schema, word: Word) -> tantivy.Query:
    """Title (boosted) or body contains ``word`` as an exact substring."""
    Q = tantivy.Query
    if word.is_unigram:
        title = Q.term_query(schema, "title_uni", word.text, index_option="freq")
        body = Q.term_query(schema, "body_uni", word.text, index_option="freq")
    elif len(word.tokens) == 1:
        title = Q.term_query(schema, "title_bi", word.tokens[0])
        body = Q.term_query(schema, "body_bi", word.tokens[0])
    else:
        title = Q.phrase_query(schema, "title_bi", list(word.tokens))
        body = Q.phrase_query(schema, "body_bi", list(word.tokens))
    return Q.boolean_query(
        [(tantivy.Occur.Should, Q.boost_query(title, TITLE_BOOST)), (tantivy.Occur.Should, body)]
    )


def _build_query(plan: QueryPlan, schema: tantivy.Schema, require_all: bool = False) -> tantivy.Query:
    Q, S = tantivy.Query, tantivy.Occur.Should
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    for pattern in plan.number_patterns:
        clauses.append((S, Q.const_score_query(Q.regex_query(schema, "doc_number", pattern), OWN_DOC_SCORE)))
    # Every word is required unless the query also names a 文号 (then the words rank, the 文号 finds).
    word_occur = tantivy.Occur.Must if require_all and not plan.doc_numbers else S
    for dn in plan.doc_numbers:
        own = Q.term_query(schema, "doc_number", dn)
        cites = Q.term_query(schema, "cites", dn, index_option="freq")
        clauses.append((S, Q.const_score_query(own, OWN_DOC_SCORE)))
        clauses.append((S, Q.const_score_query(cites, CITES_SCORE)))
        clauses.append((S, cites))
    for word in plan.words:
        wq = _word_query(schema, word)
        clauses.append((word_occur, Q.const_score_query(wq, WORD_SCORE)))
        clauses.append((S, wq))
    for word in plan.soft_words:
        clauses.append((S, _word_query(schema, word)))
    for run in plan.runs:
        clauses.append((S, Q.const_score_query(_word_query(schema, run), RUN_SCORE)))
    return Q.boolean_query(clauses)


def _filter_query(schema: tantivy.Schema, key: str, value) -> tantivy.Query:
    if key == "year":
        try:
            year = int(str(value).strip())
        except (TypeError, ValueError):
            raise InvalidInput(f"年份无效：{value}", f"invalid year: {value}", field="year") from None
        return tantivy.Query.term_query(schema, "year", year)
    if key in ("category", "issuer"):
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(f"筛选值无效：{value}", f"invalid filter value: {value!r}", field=key)
        return tantivy.Query.term_query(schema, key, value.strip())
    raise InvalidInput(
        f"不支持的筛选条件：{key}（可用：category、issuer、year）",
        f"unsupported filter: {key} (use category, issuer, year)",
        field="filters",
    )


def _facets(searcher: tantivy.Searcher, query: tantivy.Query) -> dict[str, dict[str, int]]:
    agg = {name: {"terms": {"field": name, "size": _FACET_SIZE}} for name in FACET_FIELDS}
    result = searcher.aggregate(query, agg)
    facets: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        buckets = (result.get(name) or {}).get("buckets", [])
        counts: dict[str, int] = {}
        for b in buckets:
            key = b.get("key")
            if isinstance(key, float) and key.is_integer():
                key = int(key)
            counts[str(key)] = int(b.get("doc_count", 0))
        facets[name] = counts
    return facets
