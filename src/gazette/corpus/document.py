"""One document: title, 文号, addressees, notice text, signing block, the text it issues
(印发), its clause tree with stable ids, and its attachments."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from gazette.corpus.dates import make_date
from gazette.corpus.docnumber import parse_doc_number
from gazette.corpus.model import Attachment, Clause, Document, Warning_
from gazette.corpus.numbering import parse_marker
from gazette.corpus.paragraphs import DATE_LINE, assemble, is_date_line, tag_signatures
from gazette.corpus.text import Line, OText, compact

_ISSUE_VERBS = ("印发", "转发")
_ADDRESSEE_HINT = re.compile(r"(各|人民政府|政府|部门|单位|局|中心|处室|分中心|委员会)")
_LOCATION_RE = re.compile(r"(可登[陆录])?(?P<site>[\u4e00-\u9fff]+网站)?查询.*?(?P<url>https?://[^\s<>）)]+)")
_ORG_PREFIX = re.compile(r"^(?P<org>[\u4e00-\u9fff（）]{2,30}?(人民政府办公室|人民政府|办公室|局|委员会|中心|厅|管委会))关于")


@dataclass
class DocumentDraft:
    """A document's lines, cut from an issue or a portal page, before parsing."""

    lines: list[Line]
    category: str | None = None
    page: int | None = None
    issue_id: str | None = None
    kind: str = "document"  # document | interpretation


def parse_document(draft: DocumentDraft, warnings: list[Warning_]) -> Document:
    lines = list(draft.lines)
    title_lines = [ln for ln in lines if "title" in ln.tags]
    docnum_line = next((ln for ln in lines if "docnum" in ln.tags), None)
    title = "".join(ln.text for ln in title_lines).strip()
    doc_number = str(parse_doc_number(docnum_line.text)) if docnum_line else None

    body_lines = [ln for ln in lines if "title" not in ln.tags and "docnum" not in ln.tags]
    tag_signatures(body_lines)
    date_index = next((i for i, ln in enumerate(body_lines) if "date" in ln.tags), None)

    notice_lines = body_lines if date_index is None else body_lines[: date_index + 1]
    after_lines = [] if date_index is None else body_lines[date_index + 1 :]
    issuers = [ln.text for ln in notice_lines if "signature" in ln.tags]
    signed = _date_of(body_lines[date_index].text) if date_index is not None else None

    expected_issued = _expected_issued_title(title, notice_lines)
    issued_title = None
    if expected_issued and any(not ln.blank for ln in after_lines):
        issued_title = _tag_issued_title(after_lines, expected_issued)

    notice_paras = [p for p in assemble(notice_lines) if "signature" not in _tags_for(p, notice_lines)]
    notice_paras = [p for p in notice_paras if not is_date_line(p.text) and p.text not in issuers]
    addressees: list[str] = []
    if notice_paras and draft.kind == "document":
        addressees, rest = _split_addressees(notice_paras[0])
        if addressees:
            notice_paras = ([rest] if rest is not None and rest.text else []) + notice_paras[1:]

    if issued_title is not None:
        notice_text = notice_paras
        body = [p for p in assemble(after_lines) if "title" not in _tags_for(p, after_lines)]
    else:
        notice_text = []
        body = notice_paras + assemble(after_lines)

    doc = Document(
        id=doc_number or "",
        doc_number=doc_number,
        title=title,
        category=draft.category,
        issuer=None,
        issuers=issuers,
        addressees=addressees,
        signed=signed,
        issued_title=issued_title,
        page=draft.page,
        issue_id=draft.issue_id,
    )
    spans = [ln.t.span for ln in lines if not ln.blank and ln.t.span]
    if spans:
        doc.span = (min(s[0] for s in spans), max(s[1] for s in spans))
    doc.notice_text = [p.text for p in notice_text]
    _build_body(doc, body, warnings)
    doc.issuer = _issuer(doc, body)
    if not doc.issuers and doc.issuer:
        doc.issuers = [doc.issuer]
    # The whole text in reading order: heading, notice, signing block, then the issued text —
    # or, for a document that issues nothing, its body before the signing block.
    head = [doc.title] + ([doc.doc_number] if doc.doc_number else []) + (["，".join(addressees) + "："] if addressees else [])
    signing = issuers + ([f"{signed.year}年{signed.month}月{signed.day}日"] if signed else [])
    body_text = [p for p, _ in doc.paragraphs]
    if issued_title:
        parts = head + doc.notice_text + signing + [issued_title] + body_text
    else:
        parts = head + body_text + signing
    doc.text = "\n".join(parts)
    return doc


def _tags_for(p: OText, lines: list[Line]) -> set[str]:
    """The tags of the line a paragraph started on."""
    if not p.offsets:
        return set()
    first = p.offsets[0]
    for ln in lines:
        if ln.t.offsets and ln.t.offsets[0] == first:
            return ln.tags
    return set()


def _date_of(text: str) -> dt.date | None:
    m = DATE_LINE.match(text)
    return make_date(*m.groups()) if m else None


def _expected_issued_title(title: str, notice_lines: list[Line]) -> str | None:
    if not any(verb in title for verb in _ISSUE_VERBS):
        notice = "".join(ln.text for ln in notice_lines)
        if "印发给你们" not in notice:
            return None
    m = re.search(r"(?:印发|转发)(.+?)的(?:通知|决定)$", title)
    if m:
        issued = m.group(1)
        inner = re.fullmatch(r"《(.+)》", issued)
        return inner.group(1) if inner else issued
    notice = "".join(ln.text for ln in notice_lines)
    m = re.search(r"《([^《》]+)》[^《》]{0,40}印发给你们", notice)
    return m.group(1) if m else None


def _tag_issued_title(after_lines: list[Line], expected: str) -> str | None:
    want = compact(expected)
    acc = ""
    picked: list[Line] = []
    for ln in after_lines:
        if ln.blank:
            continue
        acc += compact(ln.text)
        picked.append(ln)
        if acc == want:
            for p in picked:
                p.tags.add("title")
            return "".join(p.text for p in picked)
        if len(acc) >= len(want) or not want.startswith(acc) or len(picked) >= 4:
            break
    first = next((ln for ln in after_lines if not ln.blank), None)
    if first is not None and len(first.text) <= 60 and first.text[-1:] not in "。；：" and parse_marker(first.text) is None:
        first.tags.add("title")
        return first.text
    return None


def _split_addressees(p: OText) -> tuple[list[str], OText | None]:
    text = p.text
    idx = text.find("：")
    if idx <= 0 or idx > 120 or parse_marker(text) is not None:
        return [], None
    head = text[:idx]
    if not _ADDRESSEE_HINT.search(head) or "。" in head:
        return [], None
    names = _split_top_level(head, "，、,")
    rest = p.slice(idx + 1).strip()
    return [n for n in names if n], rest


def _split_top_level(text: str, seps: str) -> list[str]:
    """Split on separators outside brackets: 各县（市、区）人民政府 stays one name."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "（〔《(":
            depth += 1
        elif ch in "）〕》)":
            depth = max(0, depth - 1)
        if ch in seps and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    out.append(cur.strip())
    return out


def _issuer(doc: Document, body: list[OText]) -> str | None:
    if doc.issuers:
        return "、".join(doc.issuers)
    for p in body:
        m = re.match(r"^解读机关：(.+)$", p.text)
        if m:
            return m.group(1)
    m = _ORG_PREFIX.match(doc.title)
    return m.group("org") if m else None


def _heading_of(rest: str) -> tuple[str | None, str]:
    """一、总体要求 → ('总体要求', '');  一、发放消费券。全市… → ('发放消费券', full text)."""
    if rest and "。" not in rest and "，" not in rest and "；" not in rest and len(rest) <= 30:
        return rest, ""
    m = re.match(r"^([^。，；：]{1,30})。", rest)
    if m:
        return m.group(1), rest
    return None, rest


def _build_body(doc: Document, body: list[OText], warnings: list[Warning_]) -> None:
    body = _repair_scrambled(doc, body, warnings)
    stack: list[Clause] = []
    used: set[str] = set()
    attachments: list[Attachment] = []
    in_attachments = False
    location: str | None = None
    prefix = doc.id or ""
    for p in body:
        text = p.text
        if not text:
            continue
        if text.startswith("附件"):
            in_attachments = True
            item = re.sub(r"^附件\d*[：:]?", "", text).strip()
            attachments.extend(_attachments_from(item, len(attachments)))
            doc.paragraphs.append((text, None))
            continue
        loc = _LOCATION_RE.search(text)
        if loc and ("查询" in text) and len(text) < 120:
            site = loc.group("site") or ""
            location = (site + " " + loc.group("url")).strip()
            doc.paragraphs.append((text, None))
            continue
        # table residue (cells split by tabs or |) is text, never a clause: ``3	嘉善县		80``
        marker = None if ("\t" in text or text.startswith("|")) else parse_marker(text)
        if in_attachments and marker is not None and marker.kind == "l3":
            attachments.extend(_attachments_from(text, len(attachments)))
            doc.paragraphs.append((text, None))
            continue
        in_attachments = False
        if marker is None:
            if stack:
                stack[-1].text = (stack[-1].text + "\n" + text) if stack[-1].text else text
                doc.paragraphs.append((text, stack[-1].id))
            else:
                doc.preamble.append(text)
                doc.paragraphs.append((text, None))
            continue
        while stack and stack[-1].kind != "chapter" and _rank(stack[-1]) >= _rank_of(marker.kind):
            stack.pop()
        if marker.kind == "chapter":
            stack = []
        labels = [c.label for c in stack] + [marker.label]
        if marker.kind == "article" or any(c.kind == "article" for c in stack):
            labels = [lab for c, lab in zip(stack + [None], labels, strict=True) if c is None or c.kind != "chapter"]
        path = ".".join(labels)
        if path in used:
            n = 2
            while f"{path}~{n}" in used:
                n += 1
            warnings.append(Warning_("duplicate_clause", f"{prefix}#{path}: clause number repeats; numbered {path}~{n}"))
            path = f"{path}~{n}"
        used.add(path)
        heading, clause_text = _heading_of(marker.rest)
        if marker.kind == "article":
            heading, clause_text = None, marker.rest
        clause = Clause(
            id=f"{prefix}#{path}",
            path=path,
            label=marker.label,
            kind=marker.kind,
            heading=heading,
            text=clause_text,
            span=p.span,
        )
        if stack:
            stack[-1].children.append(clause)
        else:
            doc.clauses.append(clause)
        stack.append(clause)
        doc.paragraphs.append((text, clause.id))
    for a in attachments:
        if a.omitted and location:
            a.location = location
    doc.attachments = attachments


_RANKS = {"chapter": 0, "article": 1, "l1": 2, "l2": 3, "l3": 4, "l4": 5}


def _rank(c: Clause) -> int:
    return _RANKS[c.kind]


def _rank_of(kind: str) -> int:
    return _RANKS[kind]


def _attachments_from(text: str, already: int) -> list[Attachment]:
    text = text.strip()
    if not text:
        return []
    m = re.match(r"^(\d{1,2})[.．、]\s*(.+)$", text)
    number = int(m.group(1)) if m else (None if already == 0 else already + 1)
    title = (m.group(2) if m else text).strip()
    omitted = bool(re.search(r"（略）$", title))
    title = re.sub(r"（略）$", "", title).strip()
    return [Attachment(number=number, title=title, omitted=omitted, location=None)]


def _repair_scrambled(doc: Document, body: list[OText], warnings: list[Warning_]) -> list[OText]:
    """Re-join a sentence whose PDF extraction came out in the wrong order.

    A paragraph that ends inside an open 《 (``废止《嘉兴市…5G产``) is completed by a fragment
    found elsewhere in the document that closes a 《 it never opened (``业发展实施意见的通知》…``).
    """
    out = list(body)
    for i, p in enumerate(out):
        if p.text.count("《") <= p.text.count("》"):
            continue
        for j, q in enumerate(out):
            if j == i:
                continue
            first_close = q.text.find("》")
            first_open = q.text.find("《")
            if first_close >= 0 and (first_open < 0 or first_close < first_open) and q.text.count("》") > q.text.count("《"):
                repaired = p + q
                warnings.append(
                    Warning_(
                        "scrambled_text",
                        f"{doc.id or doc.title}: text came out of the PDF out of order; re-joined "
                        f"“{p.text[-12:]}” + “{q.text[:12]}”",
                    )
                )
                doc.scrambled = True
                doc.notes.append(f"re-joined scrambled sentence: {repaired.text}")
                out[i] = repaired
                del out[j]
                return out
    return out
