"""Normalisation that keeps offsets to the source.

Every normalised character remembers the offset of the source character it came from, so a
clause, a relation's evidence or a search hit can always be traced back to the exact place
in the file as published.  The normaliser

* maps full-width letters and digits to half-width, half-width CJK punctuation to full-width
  (``(`` → ``（``, ``,`` → ``，`` …) where it sits in Chinese text, and removes the spaces PDF
  extraction puts between Chinese characters (``2022 年 3 月`` → ``2022年3月``, ``总 则`` → ``总则``);
* drops running page headers, page numbers and web-portal chrome (breadcrumbs, 字号 大中小,
  打印本页 …), keeping the portal's metadata (发文字号, 成文日期 …) aside;
* leaves paragraph assembly (lines broken inside paragraphs, paragraphs split across page
  breaks) to the document parser, which knows titles, headings and signing blocks.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from gazette.errors import InvalidInput

CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2014\u2018\u2019\u201c\u201d\u2026\u00b7"
_CJK_RE = re.compile(f"[{CJK}]")


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(_CJK_RE.match(ch))


def _is_cjkish(ch: str) -> bool:
    return bool(ch) and bool(re.match(f"[{CJK}{CJK_PUNCT}]", ch))


@dataclass
class OText:
    """A string with, for every character, the offset of its source character."""

    text: str
    offsets: list[int]

    def __post_init__(self) -> None:
        assert len(self.text) == len(self.offsets)

    @classmethod
    def empty(cls) -> OText:
        return cls("", [])

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: OText) -> OText:
        return OText(self.text + other.text, self.offsets + other.offsets)

    def slice(self, start: int, end: int | None = None) -> OText:
        return OText(self.text[start:end], self.offsets[start:end])

    def strip(self) -> OText:
        s = self.text
        start, end = 0, len(s)
        while start < end and s[start].isspace():
            start += 1
        while end > start and s[end - 1].isspace():
            end -= 1
        return self.slice(start, end)

    @property
    def span(self) -> tuple[int, int] | None:
        if not self.offsets:
            return None
        return self.offsets[0], self.offsets[-1] + 1

    def sub(self, pattern: re.Pattern[str], repl) -> OText:
        """Regex substitution that carries offsets: replacements map to their match's start."""
        out_text: list[str] = []
        out_off: list[int] = []
        pos = 0
        for m in pattern.finditer(self.text):
            out_text.append(self.text[pos : m.start()])
            out_off.extend(self.offsets[pos : m.start()])
            replacement = repl(m) if callable(repl) else repl
            if len(replacement) == m.end() - m.start():
                out_off.extend(self.offsets[m.start() : m.end()])
            else:
                anchor = self.offsets[m.start()] if m.start() < len(self.offsets) else (self.offsets[-1] if self.offsets else 0)
                out_off.extend([anchor] * len(replacement))
            out_text.append(replacement)
            pos = m.end()
        out_text.append(self.text[pos:])
        out_off.extend(self.offsets[pos:])
        return OText("".join(out_text), out_off)


# --- decoding -------------------------------------------------------------------------------


def decode(data: bytes) -> tuple[str, list[str]]:
    """Bytes → text: UTF-16 (BOM, or the NUL pattern of one without), UTF-8 (with or without BOM),
    then GB18030 (which covers GBK). Bytes no encoding explains are replaced (�) and noted with
    their lines — the rest of the text is still read. A PDF gives its text layer (gazette.corpus.pdf);
    empty and binary input are refused."""
    notes: list[str] = []
    if not data or not data.strip():
        raise InvalidInput("文件为空", "the file is empty", field="file", code="empty_input")
    if data.lstrip()[:5] == b"%PDF-":
        from gazette.corpus.pdf import pdf_text

        return pdf_text(data)
    encoding = _utf16_without_bom(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    if encoding is None and b"\x00" in data[:4096]:
        raise InvalidInput("不是文本文件（二进制内容）", "not a text file (binary content)", field="file", code="binary_input")
    text: str | None = None
    for candidate in ([encoding] if encoding else ["utf-8-sig", "gb18030"]):
        try:
            text = data.decode(candidate)
            if candidate == "gb18030":
                notes.append("input decoded as GB18030/GBK (not UTF-8)")
            elif candidate.startswith("utf-16"):
                notes.append("input decoded as UTF-16")
            break
        except UnicodeDecodeError:
            continue
    if text is None:
        # Neither encoding explains every byte: read what GB18030 can, mark the rest.
        text = data.decode("utf-8" if _mostly_utf8(data) else "gb18030", errors="replace")
        bad = [n for n, line in enumerate(text.splitlines(), start=1) if "\ufffd" in line]
        notes.append(f"undecodable bytes replaced with � on lines {', '.join(map(str, bad[:10]))}"
                     + (" …" if len(bad) > 10 else ""))
    controls = sum(1 for ch in text[:20000] if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:20000]) // 50):
        raise InvalidInput("不是文本文件（含大量控制字符）", "not a text file (control characters)", field="file", code="binary_input")
    return text, notes


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 without a BOM: its ASCII characters (digits, line breaks) put a NUL on one side of
    each byte pair, always the same side — binary data scatters NULs on both."""
    head = data[: min(len(data), 2000) // 2 * 2] if len(data) % 2 == 0 else b""
    if len(head) < 4 or head.count(0) < 4 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 3 * max(even, 1):
        return "utf-16-le"
    if even > 3 * max(odd, 1):
        return "utf-16-be"
    return None


def _mostly_utf8(data: bytes) -> bool:
    decoded = data.decode("utf-8", errors="replace")
    return decoded.count("\ufffd") * 20 < len(decoded)


# --- character normalisation ----------------------------------------------------------------

_FULLWIDTH_ALNUM = {chr(c): chr(c - 0xFEE0) for c in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B))}
_SPACES = {"\u3000": " ", "\u00a0": " ", "\u2002": " ", "\u2003": " ", "\u2009": " ", "\u200b": "", "\ufeff": "", "\u200e": "", "\u200f": ""}
_PUNCT_TO_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}
_URL_RE = re.compile(r"<?https?://[^\s<>（）()，。]+>?")
_AND_RE = re.compile(f"(?<=[{CJK}])\\s+and\\s+(?=[{CJK}])")
_SPACE_RUN = re.compile(r"[ \t]+")


def normalise_line(line: OText) -> OText:
    """Normalise one line of text (no newlines inside)."""
    # 1. character-by-character mapping (same length except for deleted zero-width characters)
    chars: list[str] = []
    offs: list[int] = []
    for ch, off in zip(line.text, line.offsets, strict=True):
        if ch in _SPACES:
            ch = _SPACES[ch]
            if not ch:
                continue
        elif ch in _FULLWIDTH_ALNUM:
            ch = _FULLWIDTH_ALNUM[ch]
        elif ch == "\t":
            ch = "\t"
        elif unicodedata.category(ch) == "Cc":
            continue
        chars.append(ch)
        offs.append(off)
    t = OText("".join(chars), offs)
    # 2. "省 and 市" — an extraction artefact in the published text — reads 和.
    t = t.sub(_AND_RE, "和")
    # 3. protect URLs, then fix punctuation and spacing in Chinese context.
    urls = [(m.start(), m.end()) for m in _URL_RE.finditer(t.text)]

    def in_url(i: int) -> bool:
        return any(a <= i < b for a, b in urls)

    s = list(t.text)
    n = len(s)
    for i, ch in enumerate(s):
        if in_url(i):
            continue
        if ch == "(":
            s[i] = "（"
        elif ch == ")":
            s[i] = "）"
        elif ch in _PUNCT_TO_FULL:
            prev = _prev_nonspace(s, i)
            nxt = _next_nonspace(s, i, n)
            if ch == "," and prev.isdigit() and nxt.isdigit():
                continue  # 1,000
            if ch == ":" and prev.isdigit() and nxt.isdigit():
                continue  # 10:30
            if _is_cjkish(prev) or _is_cjkish(nxt) or (ch in ":：" and i == n - 1):
                s[i] = _PUNCT_TO_FULL[ch]
    t = OText("".join(s), t.offsets)
    # 4. spaces: drop a run of spaces next to a Chinese character or full-width punctuation;
    #    keep a single space between two Latin words or numbers.  Tabs survive (table columns).
    out_c: list[str] = []
    out_o: list[int] = []
    text = t.text
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == " ":
            j = i
            while j < len(text) and text[j] == " ":
                j += 1
            prev = text[i - 1] if i > 0 else ""
            nxt = text[j] if j < len(text) else ""
            if prev and nxt and not _is_cjkish(prev) and not _is_cjkish(nxt) and prev != "\t" and nxt != "\t":
                out_c.append(" ")
                out_o.append(t.offsets[i])
            i = j
            continue
        out_c.append(ch)
        out_o.append(t.offsets[i])
        i += 1
    return OText("".join(out_c), out_o).strip()


def _prev_nonspace(s: list[str], i: int) -> str:
    j = i - 1
    while j >= 0 and s[j] == " ":
        j -= 1
    return s[j] if j >= 0 else ""


def _next_nonspace(s: list[str], i: int, n: int) -> str:
    j = i + 1
    while j < n and s[j] == " ":
        j += 1
    return s[j] if j < n else ""


# --- lines and noise ------------------------------------------------------------------------


@dataclass
class Line:
    """One normalised line; ``blank`` lines mark block (paragraph / page) boundaries."""

    t: OText
    lineno: int
    tags: set[str] = field(default_factory=set)

    @property
    def text(self) -> str:
        return self.t.text

    @property
    def blank(self) -> bool:
        return not self.t.text.strip()


def split_lines(raw: str) -> list[Line]:
    lines: list[Line] = []
    pos = 0
    for lineno, chunk in enumerate(raw.splitlines(keepends=True), start=1):
        body = chunk.rstrip("\r\n")
        t = OText(body, list(range(pos, pos + len(body))))
        lines.append(Line(normalise_line(t), lineno))
        pos += len(chunk)
    return join_broken_dates(join_broken_doc_numbers(lines))


# A date cut by a line break: ``2021年11`` / ``月3日``, ``二〇二一年`` / ``十一月三日``.
_DATE_HEAD = re.compile(r"(\d{4}|[〇○零0一二三四五六七八九]{4})年(\d{1,2}|[一二三四五六七八九十]{1,2})?(月(\d{1,2}|[一二三四五六七八九十]{1,3})?)?$")
_DATE_TAIL = re.compile(r"^(\d{1,2}|[一二三四五六七八九十]{1,3})?月?(\d{1,2}|[一二三四五六七八九十]{1,3})?日")


def join_broken_dates(lines: list[Line]) -> list[Line]:
    """A line ending in the head of a date joins the next line when the two make one date."""
    from gazette.corpus.dates import DATE_RE

    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if line.text and nxt is not None and nxt.text and _DATE_HEAD.search(line.text) and _DATE_TAIL.match(nxt.text):
            joined = line.t + nxt.t
            boundary = len(line.text)
            if any(m.start() < boundary < m.end() for m in DATE_RE.finditer(joined.text)):
                out.append(Line(joined, line.lineno, set(line.tags)))
                i += 2
                continue
        out.append(line)
        i += 1
    return out


_DOCNUM_HEAD = re.compile(r"[\u4e00-\u9fff]{2,5}(?:[〔\[（(【［]\s*(?:\d{4}\s*[〕\]）)】］]?\s*\d{0,4})?)?$")


def join_broken_doc_numbers(lines: list[Line]) -> list[Line]:
    """``嘉政办发〔2022〕`` / ``47号`` on two lines (maybe with a blank between) become one line."""
    from gazette.corpus.docnumber import find_doc_numbers

    out: list[Line] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.text and _DOCNUM_HEAD.search(line.text):
            j = i + 1
            if j < len(lines) and lines[j].blank:
                j += 1
            nxt = lines[j].text if j < len(lines) else ""
            complete_next = any(m.start == 0 for m in find_doc_numbers(nxt))
            if nxt and not complete_next:
                boundary = len(line.text)
                joined = line.t + lines[j].t
                if any(m.start < boundary < m.end for m in find_doc_numbers(joined.text)):
                    out.append(Line(joined, line.lineno, set(line.tags)))
                    i = j + 1
                    continue
        out.append(line)
        i += 1
    return out


_PAGE_NUMBER = re.compile(r"^[-—–－·•\s]*(第\s*)?\d{1,3}(\s*页)?[-—–－·•\s]*$|^第\s*\d+\s*页\s*(共\s*\d+\s*页)?$|^\d{1,3}\s*/\s*\d{1,3}$")
_RUNNING_HEADER = re.compile(
    r"^嘉兴市人民政府公报\s*(\d{4}年第\d{1,2}期(（总第\d+期）)?)?\s*(第\s*\d{1,3}\s*页)?$|^\d{4}年第\d{1,2}期(（总第\d+期）)?$"
)
_CHROME_PREFIXES = (
    "首页", "当前位置", "您现在的位置", "您当前的位置", "字号", "字体", "【字体", "【打印", "打印本页", "【关闭", "关闭窗口",
    "分享到", "扫一扫", "浏览次数", "访问量", "网站地图", "联系我们", "版权所有", "主办单位", "技术支持", "ICP", "浙ICP",
    "浙公网安备", "政府信息公开", "索引号", "主题分类", "发布机构", "发文机关", "成文日期", "发布日期", "发文字号", "有效性",
    "信息来源", "来源：", "【大", "大 中 小", "大中小", "收藏", "返回顶部", "上一篇", "下一篇", "相关链接", "附件下载",
    "发布时间", "网站标识码", "【打印本页】",
)
# A portal's metadata fields (文号 also printed as 文　　号, which normalises to 文号).
_CHROME_META = re.compile(r"^(发文字号|文号|成文日期|发布日期|发布机构|发文机关|索引号|主题分类|有效性)[：:]\s*(.+)$")
# A site's name line, and a footer naming who runs and who hosts the site.
_SITE_LINE = re.compile(r"^[\u4e00-\u9fff]{2,20}(门户网站|政府网)$|^主办[：:].*承办[：:]")


def is_page_noise(text: str) -> bool:
    return bool(_PAGE_NUMBER.match(text))


def is_running_header(text: str) -> bool:
    return bool(_RUNNING_HEADER.match(text))


def chrome_metadata(text: str) -> tuple[str, str] | None:
    m = _CHROME_META.match(text)
    return (m.group(1), m.group(2).strip()) if m else None


def is_chrome(text: str) -> bool:
    if len(text) > 80:
        return False
    if (">" in text or "|" in text) and ("首页" in text or "政务公开" in text or "政策文件" in text):
        return True
    if _SITE_LINE.match(text):
        return True
    return text.startswith(_CHROME_PREFIXES)


def compact(s: str) -> str:
    """A comparison key for titles: no spaces, one kind of quote, parenthesis and dash."""
    s = re.sub(r"\s+", "", s)
    s = s.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "(": "（", ")": "）", "-": "—", "–": "—", "－": "—", "〈": "《", "〉": "》", "[": "〔", "]": "〕"}))
    return s
