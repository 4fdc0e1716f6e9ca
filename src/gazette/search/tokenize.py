"""Chinese text → index tokens.

Chinese has no spaces between words, so the index does not depend on a word segmenter being right:
every CJK run is indexed as overlapping character bigrams (``长护险`` → ``长护 护险``) with consecutive
positions, so a phrase query over a word's bigrams is an exact substring match — two-character words
such as 长护 or 车展 are found inside longer runs (长护险, 新能源汽车车展).  A second field holds
unigrams (CJK characters, no positions) for one-character queries.  ASCII / other-script words and numbers are kept whole and
lowercased.  Punctuation ends a *segment*: the next segment starts after a position gap, so a phrase
never matches across punctuation.  Whitespace *between two CJK characters* is ignored (it is a PDF
artefact: spaced-out headings, lines broken inside a word).

Token streams are emitted as whitespace-joined strings and indexed with tantivy's ``whitespace``
tokenizer (fast: the split happens in Rust).  :data:`GAP` is a sentinel token that no text produces;
it occupies a position so that segments are not adjacent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gazette.corpus.docnumber import find_doc_numbers

# CJK ideographs (basic, extension A, compatibility, extensions B+), kana and hangul: bigram scripts.
_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
CJK_RE = re.compile(f"[{_CJK_CLASS}]")
_CJK_RUN = f"[{_CJK_CLASS}]+"
_WORD_RUN = rf"[^\W_{_CJK_CLASS}]+"  # letters / digits of other scripts, without CJK
# A segment: CJK and word runs with no separator between them.
_SEGMENT_RE = re.compile(rf"(?:{_CJK_RUN}|{_WORD_RUN})+")
_RUN_RE = re.compile(rf"({_CJK_RUN})|({_WORD_RUN})")
# Whitespace next to a CJK character (CJK–CJK, CJK–digit, digit–CJK) is layout, not a word break:
# "推动公 / 共服务", "5000 万元", "47 号".
_CJK_SPACE_RE = re.compile(rf"(?<=[{_CJK_CLASS}])\s+(?=[^\W_])|(?<=[^\W_])\s+(?=[{_CJK_CLASS}])")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")

_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII → ASCII

GAP = "."  # never produced by tokenisation: tokens are CJK or alphanumeric
MAX_WORD_TOKEN = 40  # longer alphanumeric runs are cut (hashes, garbage)


_FULLWIDTH_ALNUM_RE = re.compile("[０-９Ａ-Ｚａ-ｚ]+")


def _fold_fullwidth(m: re.Match) -> str:
    return m.group().translate(_FULLWIDTH)


def normalise(text: str) -> str:
    """Full-width letters/digits → ASCII, lowercase, drop lone surrogates, drop whitespace beside CJK.

    (Full-width punctuation is left alone: it separates segments either way.)
    """
    text = _FULLWIDTH_ALNUM_RE.sub(_fold_fullwidth, _SURROGATE_RE.sub(" ", text)).lower()
    return _CJK_SPACE_RE.sub("", text)


def is_cjk(char: str) -> bool:
    return bool(CJK_RE.fullmatch(char))


def segments(text: str) -> list[str]:
    """The normalised text cut at every separator (punctuation, symbols, non-CJK whitespace)."""
    return _SEGMENT_RE.findall(normalise(text))


def _segment_tokens(segment: str, unigrams: bool) -> list[str]:
    tokens: list[str] = []
    for cjk, word in _RUN_RE.findall(segment):
        if cjk:
            if unigrams or len(cjk) == 1:
                tokens.extend(cjk)
            else:
                tokens.extend(map(str.__add__, cjk, cjk[1:]))
        else:
            tokens.append(word[:MAX_WORD_TOKEN])
    return tokens


def bigram_tokens(segment: str) -> list[str]:
    """Tokens of one segment for the bigram field (a lone CJK character is kept as itself)."""
    return _segment_tokens(segment, unigrams=False)


def unigram_tokens(segment: str) -> list[str]:
    return _segment_tokens(segment, unigrams=True)


@dataclass(frozen=True)
class TokenStreams:
    """Whitespace-joined token streams for the bigram and unigram fields."""

    bigrams: str
    unigrams: str


_SEPARATORS_RE = re.compile(rf"[^{_CJK_CLASS}\w]+|_+")
_LONG_WORD_RE = re.compile(rf"{_WORD_RUN}")


def _cut_word(m: re.Match) -> str:
    word = m.group()
    return word if len(word) <= MAX_WORD_TOKEN else word[:MAX_WORD_TOKEN]


_CJK_SPLIT_RE = re.compile(f"({_CJK_RUN})")
_NON_CJK_RE = re.compile(f"[^{_CJK_CLASS}]+")
_add = str.__add__


def token_streams(text: str) -> TokenStreams:
    """Both streams of a whole text, built with C-level regex passes (the hot path of indexing).

    The bigram stream equals joining :func:`bigram_tokens` of every segment with :data:`GAP` between
    segments; the unigram stream is every CJK character in order (it only serves one-character term
    queries, so it needs no positions and no words).  A property test checks both against
    :func:`reference_token_streams`.
    """
    t = normalise(text)
    t = _SEPARATORS_RE.sub(f" {GAP} ", t)
    t = _LONG_WORD_RE.sub(_cut_word, t)
    # Odd items are CJK runs; padding them with spaces separates them from adjacent words.
    parts = _CJK_SPLIT_RE.split(t)
    parts[1::2] = [r if len(r) == 1 else " ".join(map(_add, r, r[1:])) for r in parts[1::2]]
    return TokenStreams(bigrams=" ".join(parts), unigrams=" ".join(_NON_CJK_RE.sub("", t)))


def reference_token_streams(text: str) -> TokenStreams:
    """Token streams by the plain per-segment definition (slow; the reference for tests)."""
    segs = segments(text)
    sep = f" {GAP} "
    return TokenStreams(
        bigrams=sep.join(" ".join(_segment_tokens(s, False)) for s in segs),
        unigrams=" ".join(c for s in segs for c in s if is_cjk(c)),
    )


# Every 文号 has a closing bracket followed by the serial number: a cheap anchor to find them by.
_DOC_NUMBER_ANCHOR_RE = re.compile(r"[\]〕）)】］}][\s\u3000]*[0-9０-９]")
_WINDOW_BEFORE, _WINDOW_AFTER = 48, 24


def doc_number_tokens(text: str) -> list[str]:
    """Canonical 文号 cited anywhere in ``text`` (one entry per occurrence).

    Runs the full 文号 finder only on short windows around anchors — the same matches as running it
    on the whole text (a 文号 is far shorter than the window), at a fraction of the cost.
    """
    found: dict[int, str] = {}
    for a in _DOC_NUMBER_ANCHOR_RE.finditer(text):
        lo = max(0, a.start() - _WINDOW_BEFORE)
        window = text[lo : a.end() + _WINDOW_AFTER]
        for m in find_doc_numbers(window):
            # keep the match this anchor belongs to (its bracket closes at the anchor)
            if m.start + lo <= a.start() < m.end + lo:
                found.setdefault(m.end + lo, str(m.doc_number))
    return [found[k] for k in sorted(found)]
