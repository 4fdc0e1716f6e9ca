"""Parse a gazette issue — or a single document as published on a portal — into a ParseResult.

An issue is read in this order: the cover (year, 期, 总期), the table of contents (sections and
page numbers), the back-cover sponsor block (publication date), then the body, which is cut
into documents at each 文号 line (with the title lines above it) and at each TOC title without
a 文号 (政策解读, 人事任免, the catalogs).  Documents are parsed on their own; relations,
validity, personnel, catalogs and tasks are read from the parsed documents; finally the TOC
and the catalogs are reconciled with what the issue actually prints.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from gazette.corpus.docnumber import parse_doc_number
from gazette.corpus.document import DocumentDraft, parse_document
from gazette.corpus.front_matter import (
    CATALOG_TITLE,
    GAZETTE_NAME,
    ISSUE_NO_SHORT,
    parse_cover,
    parse_sponsor,
    parse_toc,
    safe_date,
)
from gazette.corpus.groups import group_members
from gazette.corpus.model import Document, ParseResult, TocEntry, Warning_
from gazette.corpus.numbering import parse_marker
from gazette.corpus.paragraphs import is_date_line, split_flattened
from gazette.corpus.registers import parse_catalog, parse_personnel, reconcile_catalog
from gazette.corpus.relations import extract_relations
from gazette.corpus.tasks import extract_tasks
from gazette.corpus.text import (
    Line,
    chrome_metadata,
    compact,
    decode,
    is_chrome,
    is_page_noise,
    is_running_header,
    split_lines,
)
from gazette.corpus.validity import apply_validity

_INTERPRETATION_TITLE = re.compile(r"^《[^《》]+》政策解读$")
_PERSONNEL_TITLE = re.compile(r"^【市政府人事任免】（?(?:(\d{4})年(\d{1,2})月份)?）?$")
_TITLE_END = re.compile(
    r"(通知|意见|通告|公告|决定|办法|方案|规定|批复|函|政策|细则|规划|纲要|计划|目录|解读|（试行）|报告|措施|公示|名单|名录|指南|指引|规则|决议|命令|纪要)$"
)
_DEFAULT_CATEGORY = {"嘉政发": "市政府文件", "嘉政办发": "市政府办公室文件", "嘉政办": "市政府办公室文件"}


def parse_file(path: str | Path) -> ParseResult:
    data = Path(path).read_bytes()
    return parse_bytes(data, filename=str(path))


def parse_bytes(data: bytes, filename: str | None = None) -> ParseResult:
    text, notes = decode(data)
    result = parse_text(text, filename=filename)
    result.source_notes.extend(notes)
    result.warnings.extend(Warning_("undecodable_bytes", n) for n in notes if n.startswith("undecodable"))
    result.warnings.extend(Warning_("pdf_page_without_text", n) for n in notes if n.startswith("PDF pages without"))
    return result


def parse_text(text: str, filename: str | None = None) -> ParseResult:
    lines = split_lines(text)
    warnings: list[Warning_] = []
    metadata: dict[str, str] = {}
    issue_like = _looks_like_issue(lines)
    lines = _drop_noise(lines, metadata, issue_like)
    if issue_like:
        result = _parse_issue(lines, warnings)
    else:
        result = _parse_single(lines, warnings, metadata, text)
    result.metadata = metadata
    if not result.documents and not result.personnel and not result.catalog:
        result.warnings.append(Warning_("no_documents", "no gazette document found in the input (no 文号 line, no title)"))
    return result


# --- noise -----------------------------------------------------------------------------------


def _drop_noise(lines: list[Line], metadata: dict[str, str], issue_like: bool = True) -> list[Line]:
    # The back-cover sponsor block repeats the gazette name: keep it (it has the publication date).
    sponsor_start = _sponsor_start(lines)
    kept: list[Line] = []
    for i, line in enumerate(lines):
        text = line.text
        if not text:
            kept.append(line)
            continue
        meta = chrome_metadata(text)
        if meta:
            metadata.setdefault(meta[0], meta[1])
            continue
        if is_chrome(text):
            continue
        in_cover = issue_like and i < 15  # a single document has no cover: its first line may be a running header
        in_sponsor = sponsor_start is not None and i >= sponsor_start
        if not in_cover and not in_sponsor and (is_page_noise(text) or is_running_header(text)):
            continue
        if in_cover and is_page_noise(text) and not re.fullmatch(r"\d{4}", text):
            continue
        kept.append(line)
    return kept


def _sponsor_start(lines: list[Line]) -> int | None:
    for i in range(len(lines) - 1, -1, -1):
        if lines[i].text == GAZETTE_NAME:
            window = " ".join(ln.text for ln in lines[i : i + 6])
            if "出版" in window:
                return i
            return None
    return None


def _looks_like_issue(lines: list[Line]) -> bool:
    head = [ln.text for ln in lines[:40] if ln.text]
    return GAZETTE_NAME in head[:6] and any("期" in t and ("总第" in t or ISSUE_NO_SHORT.match(t)) for t in head[:12])


# --- issue ------------------------------------------------------------------------------------


def _parse_issue(lines: list[Line], warnings: list[Warning_]) -> ParseResult:
    issue, toc_start = parse_cover(lines, warnings)
    sponsor_at = _sponsor_start(lines)
    body_end = sponsor_at if sponsor_at is not None else len(lines)
    if sponsor_at is not None:
        parse_sponsor(lines[sponsor_at:], issue)
    else:
        warnings.append(Warning_("no_sponsor_block", "the back-cover sponsor block (publication date) is missing"))
    toc, body_start = parse_toc(lines, toc_start, body_end, warnings)
    drafts, special = _segment_body(lines[body_start:body_end], toc, issue.id, warnings)
    documents: list[Document] = []
    seen: set[str] = set()
    for draft in drafts:
        doc = parse_document(draft, warnings)
        _finish_identity(doc, issue.id, warnings)
        if doc.id in seen:
            warnings.append(Warning_("duplicate_document", f"{doc.id} is printed twice; the second copy is ignored"))
            continue
        seen.add(doc.id)
        documents.append(doc)
    personnel = []
    catalog = []
    for kind, seg_lines, heading in special:
        if kind == "personnel":
            personnel.extend(parse_personnel(seg_lines, heading, warnings))
        else:
            catalog.extend(parse_catalog(seg_lines, heading, warnings))
    relations = extract_relations(documents, warnings)
    apply_validity(documents, relations, warnings)
    tasks = extract_tasks(documents)
    _reconcile_toc(toc, documents, special, warnings)
    reconcile_catalog(catalog, documents, warnings)
    if issue.published is None:
        warnings.append(Warning_("no_publication_date", "publication date (…出版) not found"))
    return ParseResult(issue, toc, documents, relations, personnel, catalog, tasks, warnings)



def _is_title_like(text: str) -> bool:
    if not text or len(text) > 80 or text[-1] in "。；：，、！？":
        return False
    if is_date_line(text) or "http" in text or text.startswith(("附件", "（可登")):
        return False
    if parse_doc_number(text) is not None or parse_marker(text) is not None:
        return False
    return True


def _segment_body(
    lines: list[Line], toc: list[TocEntry], issue_id: str, warnings: list[Warning_]
) -> tuple[list[DocumentDraft], list[tuple[str, list[Line], str]]]:
    """Cut the body into document drafts and the special sections (personnel, catalogs)."""
    toc_titles = {compact(t.title): t for t in toc}
    starts: list[tuple[int, str, int]] = []  # (first line index, kind, index of the heading/docnum line)
    for i, line in enumerate(lines):
        text = line.text
        if not text:
            continue
        if parse_doc_number(text) is not None and not text.startswith("（"):
            first = i
            j = i - 1
            taken = 0
            while j >= 0 and taken < 4:
                if lines[j].blank:
                    j -= 1
                    continue
                if _is_title_like(lines[j].text) and "date" not in lines[j].tags:
                    first = j
                    taken += 1
                    j -= 1
                    continue
                break
            starts.append((first, "document", i))
            continue
        ct = compact(text)
        in_register = bool(starts) and starts[-1][1] in ("personnel", "catalog")
        if _INTERPRETATION_TITLE.match(text) and not in_register:
            starts.append((i, "interpretation", i))
        elif _PERSONNEL_TITLE.match(ct) or ct.startswith("【市政府人事任免】"):
            starts.append((i, "personnel", i))
        elif CATALOG_TITLE.match(ct) and len(ct) <= 40:
            starts.append((i, "catalog", i))
        elif ct in toc_titles and not in_register and not any(s[0] <= i <= s[2] for s in starts[-1:]):
            entry = toc_titles[ct]
            if entry.doc_number is None and entry.section not in ("目录",):
                starts.append((i, "document", i))
    starts.sort()
    drafts: list[DocumentDraft] = []
    special: list[tuple[str, list[Line], str]] = []
    for k, (first, kind, head) in enumerate(starts):
        end = starts[k + 1][0] if k + 1 < len(starts) else len(lines)
        seg = lines[first:end]
        if kind in ("personnel", "catalog"):
            special.append((kind, seg[1:], lines[head].text))
            continue
        for ln in lines[first : head + 1]:
            if not ln.blank:
                ln.tags.add("title")
        if kind == "document" and parse_doc_number(lines[head].text) is not None:
            lines[head].tags.discard("title")
            lines[head].tags.add("docnum")
        toc_entry = _toc_for(seg, toc)
        category = toc_entry.section if toc_entry else None
        drafts.append(
            DocumentDraft(
                lines=seg,
                category=category,
                page=toc_entry.page if toc_entry else None,
                issue_id=issue_id,
                kind="interpretation" if kind == "interpretation" else "document",
            )
        )
    if starts and any(not ln.blank for ln in lines[: starts[0][0]]):
        stray = " ".join(ln.text for ln in lines[: starts[0][0]] if not ln.blank)[:60]
        warnings.append(Warning_("unassigned_text", f"text before the first document was not assigned: {stray}…"))
    return drafts, special


def _toc_for(seg: list[Line], toc: list[TocEntry]) -> TocEntry | None:
    title = compact("".join(ln.text for ln in seg if "title" in ln.tags))
    docnum_line = next((ln for ln in seg if "docnum" in ln.tags), None)
    doc_number = str(parse_doc_number(docnum_line.text)) if docnum_line else None
    for entry in toc:
        if doc_number and entry.doc_number == doc_number:
            return entry
    for entry in toc:
        if compact(entry.title) == title:
            return entry
    return None


def _finish_identity(doc: Document, issue_id: str | None, warnings: list[Warning_]) -> None:
    if doc.doc_number:
        doc.id = doc.doc_number
    else:
        slug = re.sub(r"[《》\s#/]", "", doc.title) or "untitled"
        doc.id = f"{issue_id}:{slug}" if issue_id else f"doc:{slug}"
    for clause in doc.iter_clauses():
        clause.id = f"{doc.id}#{clause.path}"
    doc.paragraphs = [(p, (f"{doc.id}#{cid.split('#', 1)[1]}" if cid else None)) for p, cid in doc.paragraphs]
    if doc.category is None:
        if doc.title.endswith("政策解读"):
            doc.category = "政策解读"
        elif doc.doc_number:
            prefix = re.match(r"^([\u4e00-\u9fff]+)〔", doc.doc_number)
            doc.category = _DEFAULT_CATEGORY.get(prefix.group(1) if prefix else "", "部门行政规范性文件")
    if not doc.title:
        warnings.append(Warning_("missing_title", f"{doc.id}: no title found"))


def _reconcile_toc(
    toc: list[TocEntry], documents: list[Document], special: list[tuple[str, list[Line], str]], warnings: list[Warning_]
) -> None:
    by_number = {d.doc_number: d for d in documents if d.doc_number}
    by_title = {compact(d.title): d for d in documents}
    special_titles = {compact(h): kind for kind, _, h in special}
    for entry in toc:
        doc = by_number.get(entry.doc_number) if entry.doc_number else None
        if doc is None:
            doc = by_title.get(compact(entry.title))
        if doc is not None:
            entry.found = True
            entry.document = doc.id
            if compact(entry.title) != compact(doc.title):
                warnings.append(
                    Warning_(
                        "toc_title_differs",
                        f"TOC title of {doc.id} differs from the body: “{entry.title}” vs “{doc.title}”",
                    )
                )
            if doc.page is None:
                doc.page = entry.page
            continue
        ct = compact(entry.title)
        if ct in special_titles or any(ct.startswith(t) or t.startswith(ct) for t in special_titles):
            entry.found = True
            entry.document = entry.section
            continue
        warnings.append(Warning_("toc_entry_not_found", f"TOC entry not found in the body: “{entry.title}” (page {entry.page})"))


# --- a single document (as published on a portal) ------------------------------------------


def _parse_single(lines: list[Line], warnings: list[Warning_], metadata: dict[str, str], source: str | None = None) -> ParseResult:
    nonblank = [i for i, ln in enumerate(lines) if not ln.blank]
    docnum_index = next((i for i in nonblank if _own_doc_number_line(lines, i)), None)
    documents: list[Document] = []
    if docnum_index is not None:
        first = docnum_index
        j = docnum_index - 1
        taken = 0
        while j >= 0 and taken < 4:
            if lines[j].blank:
                j -= 1
                continue
            if _is_title_like(lines[j].text):
                first = j
                taken += 1
                j -= 1
                continue
            break
        for ln in lines[first:docnum_index]:
            if not ln.blank:
                ln.tags.add("title")
        if first == docnum_index:
            _title_below(lines, docnum_index)  # the 文号 printed above the title
        lines[docnum_index].tags.add("docnum")
        seg = lines[first:]
    else:
        title_index = next((i for i in nonblank if _is_title_like(lines[i].text) and _TITLE_END.search(lines[i].text)), None)
        if title_index is None:
            return ParseResult(None, [], [], [], [], [], [], warnings)
        first = title_index
        # a title printed over two lines: the line above belongs to it when it runs on into it
        above = title_index - 1
        if above >= 0 and not lines[above].blank and _is_title_like(lines[above].text) and "关于" in lines[above].text:
            first = above
            lines[above].tags.add("title")
        lines[title_index].tags.add("title")
        seg = lines[first:]
    stray = [ln for ln in lines[:first] if not ln.blank]
    if stray:
        warnings.append(Warning_(
            "text_before_document",
            f"line {stray[0].lineno}: text before the document's title was not read as part of it "
            f"(a portal's lead-in?): {stray[0].text[:40]}…"))
    seg = split_flattened(seg)
    kind = "interpretation" if any(_INTERPRETATION_TITLE.match(ln.text) for ln in seg if "title" in ln.tags) else "document"
    doc = parse_document(DocumentDraft(lines=seg, kind=kind), warnings)
    portal_number = metadata.get("发文字号") or metadata.get("文号")
    if not doc.doc_number and portal_number:
        dn = parse_doc_number(portal_number)
        if dn:
            doc.doc_number = str(dn)
    if doc.signed is None and metadata.get("成文日期"):
        doc.signed = _portal_date(metadata["成文日期"])
    if doc.issuer is None and (metadata.get("发布机构") or metadata.get("发文机关")):
        doc.issuer = metadata.get("发布机构") or metadata.get("发文机关")
        doc.issuers = [doc.issuer]  # type: ignore[list-item]
    _finish_identity(doc, None, warnings)
    documents.append(doc)
    relations = extract_relations(documents, warnings)
    apply_validity(documents, relations, warnings)
    tasks = extract_tasks(documents)
    personnel = group_members(documents, source)
    return ParseResult(None, [], documents, relations, personnel, [], tasks, warnings)


def _own_doc_number_line(lines: list[Line], i: int) -> bool:
    """A line that is one 文号 — in parentheses only right below the title, where a portal prints the
    document's own number (``（桐委办〔2019〕21号）``); elsewhere a bracketed 文号 is a citation."""
    text = lines[i].text
    if parse_doc_number(text) is None:
        return False
    if not text.startswith("（"):
        return True
    j = i - 1
    while j >= 0 and lines[j].blank:
        j -= 1
    return j >= 0 and _is_title_like(lines[j].text) and "date" not in lines[j].tags


def _title_below(lines: list[Line], docnum_index: int) -> None:
    """Tag as title the title-like lines just below a 文号 that has none above it."""
    taken = 0
    for ln in lines[docnum_index + 1 :]:
        if ln.blank:
            if taken:
                break
            continue
        if not _is_title_like(ln.text) or taken >= 3:
            break
        ln.tags.add("title")
        taken += 1


def _portal_date(text: str) -> dt.date | None:
    m = re.search(r"(\d{4})[-年./](\d{1,2})[-月./](\d{1,2})", text)
    return safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
