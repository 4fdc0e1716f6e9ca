"""The issue's registers: personnel appointments and removals, and the catalogs
(发文目录, 部门行政规范性文件目录, 政策解读目录) reconciled with what the issue prints."""

from __future__ import annotations

import re

from gazette.corpus.docnumber import find_doc_numbers
from gazette.corpus.model import CatalogEntry, Document, Personnel, Warning_
from gazette.corpus.text import Line, compact

_MONTH = re.compile(r"（?(\d{4})年(\d{1,2})月份?）?")
_APPOINT = re.compile(r"^(?P<person>[\u4e00-\u9fff·]{2,5}?)(?:兼任|任)(?P<positions>.+)$")
_NO_LONGER = re.compile(r"^(?P<person>[\u4e00-\u9fff·]{2,5}?)不再(?:兼任|担任)(?P<positions>.+?)职务$")
_REMOVE = re.compile(r"^免去(?P<person>[\u4e00-\u9fff·]{2,5}?)(?:兼任|担任)?的(?P<positions>.+?)职务$")
_TERM_NOTE = re.compile(r"（((?:试用期|挂职|任期)[^（）]*)）$")


def parse_personnel(lines: list[Line], heading: str, warnings: list[Warning_]) -> list[Personnel]:
    month = None
    m = _MONTH.search(heading)
    if m:
        month = f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    action: str | None = None
    out: list[Personnel] = []
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if text.rstrip("：:") in ("任命", "任免"):
            action = "appoint"
            continue
        if text.rstrip("：:") in ("免去", "免职"):
            action = "remove"
            continue
        for item in re.split(r"[；;]", text.rstrip("。；;")):
            item = item.strip()
            if not item:
                continue
            record = _personnel_item(item, action, month)
            if record is None:
                warnings.append(Warning_("personnel_unparsed", f"personnel line not understood: “{item}”"))
                continue
            out.append(record)
    return out


def _personnel_item(item: str, action: str | None, month: str | None) -> Personnel | None:
    for pattern, act in ((_REMOVE, "remove"), (_NO_LONGER, "remove"), (_APPOINT, "appoint")):
        m = pattern.match(item)
        if not m:
            continue
        if act == "appoint" and action == "remove":
            continue
        positions_text = m.group("positions")
        note = None
        n = _TERM_NOTE.search(positions_text)
        if n:
            note = n.group(1)
            positions_text = positions_text[: n.start()]
        positions = [p.strip() for p in re.split(r"[，,]", positions_text) if p.strip()]
        return Personnel(action=act, person=m.group("person"), positions=positions, month=month, note=note, text=item)
    return None


def parse_catalog(lines: list[Line], heading: str, warnings: list[Warning_]) -> list[CatalogEntry]:
    ch = compact(heading)
    if ch.endswith("政策解读目录"):
        name = "政策解读目录"
    elif ch.endswith("部门行政规范性文件目录"):
        name = "部门行政规范性文件目录"
    else:
        name = "发文目录"
    out: list[CatalogEntry] = []
    for line in lines:
        text = line.text.strip()
        if not text or re.fullmatch(r"[-—\s\t]+", text):
            continue
        matches = find_doc_numbers(text)
        if matches and matches[0].start == 0:
            doc_number = str(matches[0].doc_number)
            title = text[matches[0].end :].strip(" \t")
        else:
            doc_number = None
            title = text
        out.append(CatalogEntry(catalog=name, doc_number=doc_number, title=title))
    if not out:
        warnings.append(Warning_("empty_catalog", f"catalog “{heading}” has no entries"))
    return out


def reconcile_catalog(catalog: list[CatalogEntry], documents: list[Document], warnings: list[Warning_]) -> None:
    by_number = {d.doc_number: d for d in documents if d.doc_number}
    by_title = {compact(d.title): d for d in documents}
    for entry in catalog:
        doc = by_number.get(entry.doc_number) if entry.doc_number else by_title.get(compact(entry.title))
        if doc is None:
            entry.printed = False
            continue
        entry.printed = True
        entry.document = doc.id
        if compact(entry.title) != compact(doc.title):
            warnings.append(
                Warning_(
                    "catalog_title_differs",
                    f"{entry.catalog}: title of {doc.id} differs from the printed one: “{entry.title}” vs “{doc.title}”",
                )
            )
