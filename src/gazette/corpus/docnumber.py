"""文号 (document numbers): find them in any variant and write them canonically.

Canonical form: ``嘉政办发〔2022〕47号`` — full-width 〔〕, no spaces.  Accepted variants:
``[ ]``, ``( )``, ``（ ）``, ``【 】``, ``〔 〕``, ``［ ］``, spaces and line breaks anywhere inside,
half- or full-width digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FW_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_WS = r"[\s\u3000]*"
_OPEN = r"[\[〔（(【［{]"
_CLOSE = r"[\]〕）)】］}]"
# The issuer code: 2–8 CJK characters such as 嘉政办发, 嘉公积金, 浙政办发, 人社部发, 国办发, 财建.
# The issuer code itself never spans a line break (a title line ending in Chinese would otherwise
# run into the 文号 on the next line); spaces inside it are tolerated.
_PREFIX = r"(?P<prefix>[\u4e00-\u9fff](?:[ \t\u3000]*[\u4e00-\u9fff]){0,7})"
_YEAR = r"(?P<year>(?:[12１２]" + _WS + r"[0-9０-９]" + _WS + r"[0-9０-９]" + _WS + r"[0-9０-９]))"
_NUM = r"(?P<num>[0-9０-９](?:" + _WS + r"[0-9０-９]){0,3})"

DOC_NUMBER_RE = re.compile(_PREFIX + _WS + _OPEN + _WS + _YEAR + _WS + _CLOSE + _WS + _NUM + _WS + "号")
# Prefix words that are not part of an issuer code but often precede one in running text.
_LEADING_NOISE = ("鉴于", "关于", "落实", "根据", "按照", "依据", "废止", "印发", "转发", "及", "和", "与", "的", "见", "即", "原", "经", "于")


@dataclass(frozen=True)
class DocNumber:
    prefix: str
    year: int
    number: int

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕{self.number}号"


def _clean(s: str) -> str:
    return re.sub(r"[\s\u3000]+", "", s).translate(_FW_DIGITS)


def _strip_noise(prefix: str) -> str:
    changed = True
    while changed and len(prefix) > 2:
        changed = False
        for noise in _LEADING_NOISE:
            if prefix.startswith(noise) and len(prefix) - len(noise) >= 2:
                prefix = prefix[len(noise) :]
                changed = True
    return prefix


@dataclass(frozen=True)
class DocNumberMatch:
    doc_number: DocNumber
    start: int
    end: int


def find_doc_numbers(text: str) -> list[DocNumberMatch]:
    """Every 文号 in ``text`` with its span (the span covers only the 文号 itself)."""
    found: list[DocNumberMatch] = []
    for m in DOC_NUMBER_RE.finditer(text):
        raw_prefix = _clean(m.group("prefix"))
        prefix = _strip_noise(raw_prefix)
        # Issuer codes are at most five characters; a longer run carries running text before it.
        # 明电 (an urgent telegram) extends a code: 嘉政办发明电〔2022〕2号.
        limit = 7 if prefix.endswith("明电") else 5
        if len(prefix) > limit:
            prefix = prefix[-limit:]
            prefix = _strip_noise(prefix)
        start = m.start("prefix") + _offset_of_suffix(m.group("prefix"), prefix)
        dn = DocNumber(prefix, int(_clean(m.group("year"))), int(_clean(m.group("num"))))
        found.append(DocNumberMatch(dn, start, m.end()))
    return found


def _offset_of_suffix(raw: str, suffix: str) -> int:
    """Offset in ``raw`` (which may contain spaces) where the cleaned ``suffix`` begins."""
    count = len(suffix)
    i = len(raw)
    while i > 0 and count > 0:
        i -= 1
        if not raw[i].isspace() and raw[i] != "\u3000":
            count -= 1
    return i


def parse_doc_number(text: str) -> DocNumber | None:
    """The 文号 if ``text`` is (essentially) one 文号 in any variant, else None."""
    stripped = text.strip().strip("()（）")
    matches = find_doc_numbers(stripped)
    if len(matches) != 1:
        return None
    m = matches[0]
    rest = (stripped[: m.start] + stripped[m.end :]).strip(" \u3000()（）")
    return m.doc_number if not rest else None


def canonical_doc_number(text: str) -> str | None:
    dn = parse_doc_number(text)
    return str(dn) if dn else None


def canonical_id(ident: str) -> str:
    """Canonicalise the 文号 part of an id or clause id (``嘉政办发[2022]47号#一``)."""
    doc, sep, path = ident.strip().partition("#")
    canon = canonical_doc_number(doc)
    return (canon or doc.strip()) + (sep + path.strip() if sep else "")
