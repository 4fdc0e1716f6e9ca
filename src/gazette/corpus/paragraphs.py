"""Paragraph assembly: lines broken inside paragraphs and paragraphs split across page breaks.

PDF extraction breaks a paragraph at every printed line and a page break leaves a blank line
in the middle of a sentence (``推动公`` / ``共服务普惠便利化``).  A line joins the one before it
unless the earlier one ends a sentence or is a title, heading, 文号, date or signature line, or
the later one starts something new (a clause marker, a date, an attachment list).
"""

from __future__ import annotations

import re

from gazette.corpus.dates import DATE
from gazette.corpus.numbering import parse_marker
from gazette.corpus.text import Line, OText

DATE_LINE = re.compile(rf"^{DATE}$")  # 2023年1月5日 or 二〇二三年一月五日
ORG_LINE = re.compile(
    r"^[\u4e00-\u9fff（）]{2,40}(人民政府|政府|办公室|办公厅|局|委员会|委|中心|厅|部|院|办|管委会|集团|公司|协会|联合会|银行|支行|分局)$"
)
_END_PUNCT = "。；！？：…"
_HEADING_PUNCT = re.compile("[，。；：]")
_LABEL_LINE = re.compile(r"^[\u4e00-\u9fff]{2,6}：\S")


def is_date_line(text: str) -> bool:
    return bool(DATE_LINE.match(text))


def is_org_line(text: str) -> bool:
    return bool(ORG_LINE.match(text)) and len(text) <= 40


def is_heading(text: str) -> bool:
    """A short numbered heading such as 一、总体要求 or 第一章 总则 (no sentence punctuation)."""
    marker = parse_marker(text)
    if marker is None:
        return False
    if marker.kind == "chapter":
        return True
    return len(marker.rest) <= 24 and not _HEADING_PUNCT.search(marker.rest)


def starts_new_paragraph(text: str) -> bool:
    if parse_marker(text) is not None:
        return True
    if is_date_line(text) or text.startswith(("附件", "（可登陆", "（可登录")):
        return True
    if text.startswith(("——", "一是", "二是", "三是", "四是", "五是")):
        return True
    if _LABEL_LINE.match(text) and len(text) <= 60:
        return True  # 解读机关：嘉兴市商务局 — a label line stands alone
    return False


def _bracket_balance(text: str) -> int:
    return sum(text.count(a) - text.count(b) for a, b in ("（）", "《》", "“”", "〔〕"))


def ends_paragraph(text: str) -> bool:
    if not text:
        return True
    if _bracket_balance(text) > 0:
        return False
    last = text[-1]
    if last in _END_PUNCT:
        return True
    if last == "）" and ("http" in text or text.startswith("（")):
        return True
    return False


def assemble(lines: list[Line]) -> list[OText]:
    """Lines (with blank lines between blocks) → paragraphs as offset-carrying text."""
    paragraphs: list[OText] = []
    kinds: list[set[str]] = []
    previous_blank = False
    for line in lines:
        if line.blank:
            previous_blank = True
            continue
        text = line.text
        if paragraphs:
            prev = paragraphs[-1].text
            prev_tags = kinds[-1]
            blocking = {"title", "docnum", "date", "signature", "hard"}
            # A heading stands alone, unless it is a full printed line that merely wrapped.
            if previous_blank or len(prev) < 16:
                blocking.add("heading")
            # An open bracket carries the sentence on, whatever the next line looks like.
            unclosed = _bracket_balance(prev) > 0 and parse_marker(text) is None and not is_date_line(text)
            can_join = (
                not ends_paragraph(prev)
                and (unclosed or not starts_new_paragraph(text))
                and not (prev_tags & blocking)
                and not (line.tags & {"title", "docnum", "date", "signature", "hard"})
            )
            if previous_blank and can_join:
                # Across a blank line (a page break) only a clearly unfinished sentence continues.
                can_join = len(prev) >= 8 or _bracket_balance(prev) > 0
            if can_join:
                paragraphs[-1] = paragraphs[-1] + line.t
                previous_blank = False
                continue
        tags = set(line.tags)
        if is_heading(text):
            tags.add("heading")
        paragraphs.append(line.t)
        kinds.append(tags)
        previous_blank = False
    return paragraphs


def tag_signatures(lines: list[Line]) -> None:
    """Mark date lines and the issuing-organ lines just above them as a signing block."""
    for i, line in enumerate(lines):
        if line.blank or not is_date_line(line.text):
            continue
        line.tags.add("date")
        j = i - 1
        seen = 0
        while j >= 0 and seen < 3:
            prev = lines[j]
            if prev.blank:
                j -= 1
                continue
            if is_org_line(prev.text) and "title" not in prev.tags:
                prev.tags.add("signature")
                seen += 1
                j -= 1
                continue
            break


# --- a notice flattened into one paragraph ----------------------------------------------------

# Where a clause marker starts inside running text: after ：。； comes 一、 / （一） / 第一条.
_INLINE_MARKER = re.compile(r"(?<=[：。；])(?=[一二三四五六七八九十]{1,3}、|（[一二三四五六七八九十]{1,3}）|第[一二三四五六七八九十百]{1,4}条)")
# A signing block glued to the end: …。嘉兴市人民政府办公室2022年1月18日
_TRAILING_SIGNATURE = re.compile(rf"(?<=[。；！])(?P<org>[\u4e00-\u9fff（）]{{2,40}}?(人民政府办公室|人民政府|办公厅|办公室|局|委员会|中心|厅))\s*(?P<date>{DATE})$")


def split_flattened(lines: list[Line]) -> list[Line]:
    """Re-open a notice whose lines were flattened into one paragraph (a portal's copy, a text
    pasted from a viewer): a long line with two or more inline clause markers is cut before each
    marker, and a signing block glued to its end becomes its own organ and date lines."""
    out: list[Line] = []
    for line in lines:
        text = line.text
        cuts = [m.start() for m in _INLINE_MARKER.finditer(text)] if len(text) > 100 else []
        if len(cuts) < 2:
            out.append(line)
            continue
        sig = _TRAILING_SIGNATURE.search(text)
        if sig:
            cuts += [sig.start("org"), sig.start("date")]
        bounds = [0] + sorted(set(cuts)) + [len(text)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            piece = line.t.slice(a, b).strip()
            if piece.text:
                out.append(Line(piece, line.lineno, set(line.tags)))
    return out
