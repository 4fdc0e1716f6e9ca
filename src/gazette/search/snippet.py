"""Best clause and highlighted snippet for a hit.

Matching here mirrors the index: a word matches case-insensitively, full-width ASCII equals ASCII, and
whitespace between its characters is allowed (text extracted from PDF breaks lines inside words).
A 文号 matches in any variant.  The snippet is HTML-escaped text with matches in ``<mark>…</mark>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from gazette.corpus.docnumber import find_doc_numbers

SNIPPET_CHARS = 120
LEAD_CHARS = 30

_WS_RE = re.compile(r"\s+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
# Whitespace between two CJK characters is a PDF artefact (a line broken inside a word): drop it,
# also where a <mark> tag sits beside it.
_CJK_GAP_RE = re.compile(rf"([{_CJK}](?:</mark>)?)\s+((?:<mark>)?[{_CJK}])")


def _char_pattern(c: str) -> str:
    """A query character as a regex: ASCII also matches its full-width form, in either case."""
    if "!" <= c <= "~":
        forms = {c, c.lower(), c.upper()}
        forms |= {chr(ord(f) + 0xFEE0) for f in list(forms)}
        return "[" + "".join(re.escape(f) for f in sorted(forms)) + "]"
    return re.escape(c)


class Matcher:
    def __init__(self, terms: Sequence[str], doc_numbers: Sequence[str]):
        self.terms = [t for t in terms if t]
        self.doc_numbers = set(doc_numbers)
        sources = [
            ("(?i:" if any(not c.isascii() and c.upper() != c.lower() for c in term) else "(?:")
            + r"\s*".join(_char_pattern(c) for c in term)
            + ")"
            for term in self.terms
        ]
        self._patterns = [re.compile(src) for src in sources]
        # One pass to skip the (many) clauses that match nothing.
        self._any = re.compile("|".join(sources)) if sources else None

    def counts(self, text: str) -> tuple[int, int]:
        """(distinct terms matched, total matches) — cheaper than :meth:`spans`."""
        per_term = [len(p.findall(text)) for p in self._patterns]
        if self.doc_numbers and "号" in text:
            per_term.append(sum(str(m.doc_number) in self.doc_numbers for m in find_doc_numbers(text)))
        return sum(1 for n in per_term if n), sum(per_term)

    def might_match(self, text: str) -> bool:
        if self._any is not None and self._any.search(text):
            return True
        return bool(self.doc_numbers) and "号" in text

    def spans(self, text: str) -> list[tuple[int, int, int]]:
        """(start, end, key) of every match; key identifies the term (or -1 for a 文号)."""
        out: list[tuple[int, int, int]] = []
        for key, pat in enumerate(self._patterns):
            out.extend((m.start(), m.end(), key) for m in pat.finditer(text))
        if self.doc_numbers:
            out.extend(
                (m.start, m.end, -1) for m in find_doc_numbers(text) if str(m.doc_number) in self.doc_numbers
            )
        return sorted(out)


def _merge(spans: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for s, e, _ in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def render(text: str, matcher: Matcher, length: int = SNIPPET_CHARS) -> str:
    """A window of ``text`` around its first match, matches wrapped in <mark>, whitespace collapsed."""
    spans = _merge(matcher.spans(text))
    start = 0
    if spans:
        first = spans[0][0]
        start = max(0, first - LEAD_CHARS)
        # Do not begin or end in the middle of a match.
    end = min(len(text), start + length)
    for s, e in spans:
        if s < end < e:
            end = e
    pieces: list[str] = ["…"] if start > 0 else []
    pos = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        pieces.append(html.escape(text[pos:s], quote=False))
        pieces.append("<mark>" + html.escape(text[s:e], quote=False) + "</mark>")
        pos = e
    pieces.append(html.escape(text[pos:end], quote=False))
    if end < len(text):
        pieces.append("…")
    return _WS_RE.sub(" ", _CJK_GAP_RE.sub(r"\1\2", "".join(pieces))).strip()


def best_clause(clauses: Sequence[tuple[str, str]], matcher: Matcher) -> tuple[str | None, str | None, int]:
    """The clause matching most distinct query terms, then most matches, then the shortest.

    Returns (clause id, clause text, distinct terms matched); (None, None, 0) when no clause matches.
    """
    best: tuple[int, int, int] | None = None
    chosen: tuple[str | None, str | None, int] = (None, None, 0)
    for cid, ctext in clauses:
        if not matcher.might_match(ctext):
            continue
        distinct, total = matcher.counts(ctext)
        if not total:
            continue
        key = (distinct, total, -len(ctext))
        if best is None or key > best:
            best = key
            chosen = (cid, ctext, key[0])
    return chosen


def snippet_for(
    title: str, text: str, clauses: Sequence[tuple[str, str]], matcher: Matcher
) -> tuple[str, str | None]:
    """(snippet, best clause id or None)."""
    cid, ctext, _ = best_clause(clauses, matcher)
    if ctext is not None:
        return render(ctext, matcher), cid
    if text and matcher.spans(text):
        return render(text, matcher), None
    if matcher.spans(title):
        return render(title, matcher), None
    return render(text or title, matcher), None
