""""Did you mean": when a search finds nothing, the titles and 文号 closest to the query.

A title is close when most of the query's character bigrams occur in it (a typo breaks one or two
bigrams, not most); a 文号 is close by difflib's ratio on the canonical form.
"""

from __future__ import annotations

import difflib
import re

from gazette.corpus.docnumber import canonical_doc_number

MAX_SUGGESTIONS = 3
_NOISE = re.compile(r"[\s\W_]+")


def _bigrams(s: str) -> set[str]:
    return {s[i : i + 2] for i in range(len(s) - 1)} if len(s) > 1 else {s}


def suggest(query: str, catalogue: list[tuple[str, str | None]]) -> list[str]:
    q = _NOISE.sub("", query)
    if not q:
        return []
    scored: list[tuple[float, str]] = []
    want = _bigrams(q)
    for title, number in catalogue:
        if title:
            overlap = len(want & _bigrams(_NOISE.sub("", title))) / len(want)
            if overlap >= 0.5:
                scored.append((overlap, title))
        if number:
            canon = canonical_doc_number(query) or query.strip()
            ratio = difflib.SequenceMatcher(None, canon, number).ratio()
            if sorted(canon) == sorted(number):
                ratio += 0.2  # the same characters in another order: 74号 for 47号
            if ratio >= 0.75:
                scored.append((ratio, number))
    seen: dict[str, None] = {}
    for _, text in sorted(scored, key=lambda t: -t[0]):
        seen.setdefault(text, None)
    return list(seen)[:MAX_SUGGESTIONS]
