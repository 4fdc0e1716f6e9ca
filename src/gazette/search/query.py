"""Query text → a plan: 文号 to look up, words to match (each an exact phrase), whole runs to favour.

- A query that is one 文号 in any variant (``嘉政办发[2022]47号``, ``嘉政办发〔2022〕47 号``) looks up that
  document, then the documents citing it.  A 文号 inside a longer query does the same for that part.
- The rest is split on whitespace and punctuation into segments.  A segment of up to
  :data:`SHORT_RUN` characters is one word (an exact substring match: ``长护``, ``消费券``).  A longer
  segment with CJK is segmented with jieba (loaded lazily and quietly); stopwords (的, 了, 怎么, 如何,
  什么…) are dropped; a one-character fragment is glued to its neighbour when they are adjacent
  (``消费`` + ``券`` → ``消费券``).  The whole segment is also kept as a *run*: documents containing
  it verbatim get a bonus.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field

from gazette.corpus.docnumber import find_doc_numbers, parse_doc_number
from gazette.errors import InvalidInput

from .tokenize import CJK_RE, bigram_tokens, segments

MAX_QUERY_CHARS = 200
MAX_WORDS = 12
SHORT_RUN = 4

STOPWORDS = frozenset(
    """的 了 地 得 着 过 吗 呢 吧 啊 呀 么 嘛 是 在 和 与 及 或 并 而 也 都 就 还 又 把 被 对 于 从 向 给 让
    我 我们 你 你们 您 他 她 它 他们 这 那 这个 那个 这些 那些 哪 哪些 哪个 哪里 什么 怎么 怎样 怎么样 如何
    为什么 为何 多少 几 谁 吗 可以 能 能否 能不能 是否 是不是 要 需要 应该 请问 请 关于 有 有没有 没有
    一下 一些 一个 个 之 其 等 中 上 下 里""".split()
)

_jieba = None
_jieba_lock = threading.Lock()


def _segmenter():
    """jieba, initialised once, lazily and without its log chatter."""
    global _jieba
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba = jieba
    return _jieba


@dataclass(frozen=True)
class Word:
    """One query word: matched as an exact phrase over bigram tokens (or one unigram token)."""

    text: str  # normalised text, used for highlighting
    tokens: tuple[str, ...]

    @property
    def is_unigram(self) -> bool:
        return len(self.text) == 1 and bool(CJK_RE.match(self.text))


@dataclass
class QueryPlan:
    raw: str
    doc_numbers: list[str] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    runs: list[Word] = field(default_factory=list)  # contiguous multi-word stretches: exact bonus
    soft_words: list[Word] = field(default_factory=list)  # scored, not required
    # Short 文号 forms (47号, 嘉政办发47号, 2022 47): regexes over canonical 文号
    number_patterns: list[str] = field(default_factory=list)

    @property
    def highlight_terms(self) -> list[str]:
        seen: dict[str, None] = {}
        for w in [*self.runs, *self.words, *self.soft_words]:
            seen.setdefault(w.text, None)
        return list(seen)


_OPEN_BRACKET_RE = re.compile(r"[\[〔（(【［{]")


def _doc_numbers_in(text: str) -> list[tuple[str, int, int]]:
    """(canonical 文号, start, end) in a query.  The finder allows spaces inside a 文号, so in
    ``消费券 嘉政办发[2022]47号`` it would take ``券嘉政办发`` as the issuer code: when the code contains
    whitespace and the part after it is a plausible code (two or more characters), use that part."""
    out: list[tuple[str, int, int]] = []
    for m in find_doc_numbers(text):
        start, end = m.start, m.end
        bracket = _OPEN_BRACKET_RE.search(text, start, end)
        prefix = (text[start : bracket.start()] if bracket else "").rstrip()
        cut = max(prefix.rfind(" "), prefix.rfind("\t"), prefix.rfind("\n"), prefix.rfind("\u3000"))
        if cut >= 0 and len(prefix[cut + 1 :].strip()) >= 2:
            sub = find_doc_numbers(text[start + cut + 1 : end])
            if sub:
                out.append(
                    (str(sub[0].doc_number), start + cut + 1 + sub[0].start, start + cut + 1 + sub[0].end)
                )
                continue
        out.append((str(m.doc_number), start, end))
    return out


def _word(text: str) -> Word | None:
    tokens = tuple(bigram_tokens(text))
    return Word(text, tokens) if tokens else None


def _split_long(segment: str) -> tuple[list[str], list[str], set[str]]:
    """jieba words of a long segment: (words, runs, soft words).

    Stopwords are dropped and a one-character fragment is glued to an adjacent word.  A word inside
    another adds nothing to an AND of exact substrings and is dropped.  *Runs* are stretches of two or
    more kept words that are contiguous in the query (a verbatim match earns a bonus).  A lone
    character that could not be glued is *soft*: it adds to the score but is not required.
    """
    pieces = [(w, s, e) for w, s, e in _segmenter().tokenize(segment) if w.strip()]
    merged: list[list] = []  # [word, start, end]
    for w, s, e in pieces:
        if w in STOPWORDS:
            continue
        if merged and merged[-1][2] == s and (len(w) == 1 or len(merged[-1][0]) == 1):
            merged[-1][0] += w
            merged[-1][2] = e
        else:
            merged.append([w, s, e])
    if not merged:
        return [segment], [], set()
    words = [m[0] for m in merged]
    runs: list[str] = []
    i = 0
    while i < len(merged):
        j = i
        while j + 1 < len(merged) and merged[j + 1][1] == merged[j][2]:
            j += 1
        if j > i:
            runs.append(segment[merged[i][1] : merged[j][2]])
        i = j + 1
    words = [w for w in words if not any(w in o and w != o for o in words)]
    soft = {w for w in words if len(w) == 1}
    if soft == set(words):
        soft = set()
    return words, runs, soft


# A 文号 written short: 47号 · 嘉政办发47号 · 2022 47 · 2022年47号 · 〔2022〕47号 · 嘉政办发2022 47.
_SHORT_NUMBER = re.compile(
    r"^(?P<prefix>[\u4e00-\u9fff]{2,8}?)?\s*"
    r"(?:[\[〔（(【［]?\s*(?P<year>(?:19|20)\d{2})\s*[\]〕）)】］年]?)?\s*(?:第\s*)?(?P<num>\d{1,4})\s*(?P<hao>号)?$"
)


def short_number_pattern(text: str) -> str | None:
    """A regex over canonical 文号 for a short form, or None. A bare number is not a 文号: the
    form needs 号, or a year and a number."""
    m = _SHORT_NUMBER.match(text.strip().translate(str.maketrans("０１２３４５６７８９", "0123456789")))
    if not m or not (m.group("hao") or m.group("year")):
        return None
    prefix = f".*{re.escape(m.group('prefix'))}" if m.group("prefix") else ".*"
    year = m.group("year") or "[0-9]{4}"
    return f"{prefix}〔{year}〕{int(m.group('num'))}号"


def plan_query(query: str) -> QueryPlan:
    """Parse ``query``; raise :class:`InvalidInput` for blank, over-long or unsearchable text."""
    if not isinstance(query, str):
        raise InvalidInput("检索词必须是文本", "the query must be text", field="q")
    text = query.strip()
    if not text:
        raise InvalidInput("请输入检索词", "the query is empty", field="q")
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"检索词过长（最多 {MAX_QUERY_CHARS} 个字符）",
            f"the query is too long (at most {MAX_QUERY_CHARS} characters)",
            field="q",
        )
    plan = QueryPlan(raw=text)

    whole = parse_doc_number(text)
    short = short_number_pattern(text) if whole is None else None
    rest_parts: list[str] = []
    if whole is not None:
        plan.doc_numbers.append(str(whole))
    elif short is not None:
        plan.number_patterns.append(short)
    else:
        last = 0
        for dn, start, end in _doc_numbers_in(text):
            if dn not in plan.doc_numbers:
                plan.doc_numbers.append(dn)
            rest_parts.append(text[last:start])
            last = end
        rest_parts.append(text[last:])
        # Words are separated by whitespace: split before segmenting.
        rest_parts = [p for part in rest_parts for p in part.split()]

    seen: set[str] = set()
    for part in rest_parts:
        for seg in segments(part):
            candidates, runs, soft = [seg], [], set()
            if len(seg) > SHORT_RUN and CJK_RE.search(seg):
                candidates, runs, soft = _split_long(seg)
            for run_text in runs:
                run = _word(run_text)
                if run and run.text not in {r.text for r in plan.runs}:
                    plan.runs.append(run)
            for cand in candidates:
                w = _word(cand)
                if w and w.text not in seen:
                    seen.add(w.text)
                    (plan.soft_words if cand in soft else plan.words).append(w)

    if not plan.words and not plan.soft_words and not plan.doc_numbers and not plan.number_patterns:
        raise InvalidInput(
            "检索词中没有可检索的文字（只有标点或符号）",
            "the query has nothing searchable (only punctuation or symbols)",
            field="q",
        )
    if len(plan.words) > MAX_WORDS:
        raise InvalidInput(
            f"检索词包含的词语过多（最多 {MAX_WORDS} 个）",
            f"the query has too many words (at most {MAX_WORDS})",
            field="q",
        )
    return plan
