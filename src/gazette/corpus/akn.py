"""Akoma Ntoso 3.0 export: a document as ``act`` (a normative text with a body) or ``doc``
(a notice, with the text it issues as an attachment), an issue as ``officialGazette``;
FRBR identifiers, and lifecycle events for signing, commencement, expiry and repeal."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
COUNTRY = "cn-zj-jiaxing"
_KIND_TAG = {"chapter": "chapter", "article": "article", "l1": "section", "l2": "subsection", "l3": "hcontainer", "l4": "hcontainer"}
_EID_PREFIX = {"chapter": "chp", "article": "art", "l1": "sec", "l2": "subsec", "l3": "item", "l4": "subitem"}

ET.register_namespace("", NS)


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def frbr_work(doc: dict[str, Any]) -> str:
    date = doc.get("signed") or doc.get("effective_from") or "0000-00-00"
    if doc.get("doc_number"):
        m = re.match(r"^(.+?)〔(\d{4})〕(\d+)号$", doc["doc_number"])
        number = f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else doc["doc_number"]
    else:
        number = re.sub(r"[^\w\u4e00-\u9fff-]+", "-", doc["id"]).strip("-")
    kind = "act" if doc.get("clauses") and not doc.get("issued_title") else "doc"
    return f"/akn/{COUNTRY}/{kind}/{date}/{number}"


def _identification(parent: ET.Element, work: str, date: str | None, author: str | None, name: str, number: str | None) -> None:
    ident = ET.SubElement(parent, _q("identification"), source="#gazette")
    expr = f"{work}/zho@{date or ''}"
    for level, uri in (("FRBRWork", work), ("FRBRExpression", expr), ("FRBRManifestation", expr + "/!main.xml")):
        el = ET.SubElement(ident, _q(level))
        ET.SubElement(el, _q("FRBRthis"), value=uri if level != "FRBRWork" else work + "/!main")
        ET.SubElement(el, _q("FRBRuri"), value=uri)
        ET.SubElement(el, _q("FRBRdate"), date=date or "0001-01-01", name="signing" if level == "FRBRWork" else "publication")
        ET.SubElement(el, _q("FRBRauthor"), href="#" + _eid(author or "gazette"))
        if level == "FRBRWork":
            ET.SubElement(el, _q("FRBRcountry"), value="cn")
            if number:
                ET.SubElement(el, _q("FRBRnumber"), value=number)
            ET.SubElement(el, _q("FRBRname"), value=name)
        if level == "FRBRExpression":
            ET.SubElement(el, _q("FRBRlanguage"), language="zho")


def _eid(text: str) -> str:
    return re.sub(r"[^\w]+", "_", text).strip("_") or "x"


def _lifecycle(meta: ET.Element, doc: dict[str, Any], repeals: list[dict[str, Any]], publication: dict | None) -> dict[str, str]:
    lifecycle = ET.SubElement(meta, _q("lifecycle"), source="#gazette")
    events: dict[str, str] = {}

    def event(key: str, date: str | None, etype: str, refers: str, source: str = "#original") -> None:
        if not date:
            return
        eid = f"evt_{key}"
        ET.SubElement(lifecycle, _q("eventRef"), eId=eid, date=date, source=source, type=etype, refersTo=f"#{refers}")
        events[key] = eid

    event("signing", doc.get("signed"), "generation", "signing")
    if publication and publication.get("published"):
        event("publication", publication["published"], "generation", "publication")
    event("commencement", doc.get("effective_from"), "generation", "commencement")
    event("expiry", doc.get("effective_until"), "repeal", "expiry")
    for n, rep in enumerate(repeals, start=1):
        event(f"repeal_{n}", rep.get("effective"), "repeal", "repeal", source=f"#rep_{n}")
    return events


def _references(meta: ET.Element, doc: dict[str, Any], repeals: list[dict[str, Any]]) -> None:
    refs = ET.SubElement(meta, _q("references"), source="#gazette")
    ET.SubElement(refs, _q("original"), eId="original", href=frbr_work(doc), showAs=doc.get("title") or "")
    for n, rep in enumerate(repeals, start=1):
        ET.SubElement(refs, _q("passiveRef"), eId=f"rep_{n}", href=f"/akn/{COUNTRY}/doc/{rep['source']}", showAs=rep["source"])
    ET.SubElement(refs, _q("TLCOrganization"), eId="gazette", href="/ontology/organization/jiaxing.gazette", showAs="嘉兴市人民政府公报")
    if doc.get("issuer"):
        ET.SubElement(refs, _q("TLCOrganization"), eId=_eid(doc["issuer"]), href=f"/ontology/organization/{_eid(doc['issuer'])}", showAs=doc["issuer"])
    for key, label in (("signing", "签发"), ("publication", "刊登"), ("commencement", "施行"), ("expiry", "有效期届满"), ("repeal", "废止")):
        ET.SubElement(refs, _q("TLCEvent"), eId=key, href=f"/ontology/event/{key}", showAs=label)


def _temporal(meta: ET.Element, events: dict[str, str], clause_periods: list[tuple[str, str | None, str | None]]) -> None:
    if "commencement" not in events and not clause_periods:
        return
    temporal = ET.SubElement(meta, _q("temporalData"), source="#gazette")
    group = ET.SubElement(temporal, _q("temporalGroup"), eId="tg_main")
    attrs = {"refersTo": "#inForce"}
    if "commencement" in events:
        attrs["start"] = "#" + events["commencement"]
    end = next((events[k] for k in events if k.startswith("repeal_")), events.get("expiry"))
    if end:
        attrs["end"] = "#" + end
    ET.SubElement(group, _q("timeInterval"), **attrs)
    for eid, start, until in clause_periods:
        g = ET.SubElement(temporal, _q("temporalGroup"), eId=f"tg_{eid}")
        a = {"refersTo": "#inForce"}
        if start:
            a["start"] = f"#evt_{eid}_start"
        if until:
            a["end"] = f"#evt_{eid}_end"
        ET.SubElement(g, _q("timeInterval"), **a)


def _clause_element(parent: ET.Element, clause: dict[str, Any], kind_of: dict[str, str], prefix: str, periods: list) -> None:
    kind = clause.get("kind") or kind_of.get(clause["id"], "l1")
    tag = _KIND_TAG.get(kind, "hcontainer")
    eid = (prefix + "__" if prefix else "") + f"{_EID_PREFIX.get(kind, 'item')}_{_eid(clause['label'])}"
    attrs = {"eId": eid}
    if tag == "hcontainer":
        attrs["name"] = "item"
    windows = [w for w in clause.get("windows", []) if not w.get("partial")]
    if windows:
        w = windows[0]
        attrs["period"] = f"#tg_{eid}"
        periods.append((eid, w.get("effective_from"), w.get("effective_until")))
    el = ET.SubElement(parent, _q(tag), **attrs)
    ET.SubElement(el, _q("num")).text = clause["label"]
    if clause.get("heading"):
        ET.SubElement(el, _q("heading")).text = clause["heading"]
    children = clause.get("children", [])
    if clause.get("text"):
        if children:
            intro = ET.SubElement(el, _q("intro"))
            for line in clause["text"].split("\n"):
                ET.SubElement(intro, _q("p")).text = line
        else:
            content = ET.SubElement(el, _q("content"))
            for line in clause["text"].split("\n"):
                ET.SubElement(content, _q("p")).text = line
    elif not children:
        ET.SubElement(ET.SubElement(el, _q("content")), _q("p")).text = clause.get("heading") or ""
    for child in children:
        _clause_element(el, child, kind_of, eid, periods)


def document_xml(doc: dict[str, Any], repeals: list[dict[str, Any]], publication: dict | None = None, kinds: dict[str, str] | None = None) -> ET.Element:
    root = ET.Element(_q("akomaNtoso"))
    is_notice = bool(doc.get("issued_title")) or not doc.get("clauses")
    top = ET.SubElement(root, _q("doc" if is_notice else "act"), name="notice" if is_notice else "act")
    meta = ET.SubElement(top, _q("meta"))
    work = frbr_work(doc)
    _identification(meta, work, doc.get("signed"), doc.get("issuer"), doc.get("title") or "", doc.get("doc_number"))
    if publication:
        ET.SubElement(meta, _q("publication"), date=publication.get("published") or "0001-01-01",
                      name="嘉兴市人民政府公报", showAs=publication.get("title", ""), number=publication.get("id", ""))
    events = _lifecycle(meta, doc, repeals, publication)
    _references(meta, doc, repeals)
    periods: list = []
    preface = ET.SubElement(top, _q("preface"))
    ET.SubElement(ET.SubElement(preface, _q("p")), _q("docTitle")).text = doc.get("title")
    if doc.get("doc_number"):
        ET.SubElement(ET.SubElement(preface, _q("p")), _q("docNumber")).text = doc["doc_number"]
    kind_of = kinds or {}
    if is_notice:
        main = ET.SubElement(top, _q("mainBody"))
        if doc.get("addressees"):
            ET.SubElement(main, _q("p"), {"class": "addressees"}).text = "，".join(doc["addressees"]) + "："
        for p in doc.get("notice_text") or doc.get("preamble") or []:
            ET.SubElement(main, _q("p")).text = p
        if not doc.get("issued_title"):
            for clause in doc.get("clauses", []):
                _clause_element(main, clause, kind_of, "", periods)
        if doc.get("issued_title"):
            attachments = ET.SubElement(top, _q("attachments"))
            att = ET.SubElement(attachments, _q("attachment"), eId="att_1")
            act = ET.SubElement(att, _q("act"), name="issued")
            ameta = ET.SubElement(act, _q("meta"))
            _identification(ameta, work + "/!issued", doc.get("signed"), doc.get("issuer"), doc["issued_title"], doc.get("doc_number"))
            apreface = ET.SubElement(act, _q("preface"))
            ET.SubElement(ET.SubElement(apreface, _q("p")), _q("docTitle")).text = doc["issued_title"]
            if doc.get("preamble"):
                preamble = ET.SubElement(act, _q("preamble"))
                for p in doc["preamble"]:
                    ET.SubElement(preamble, _q("p")).text = p
            body = ET.SubElement(act, _q("body"))
            for clause in doc.get("clauses", []):
                _clause_element(body, clause, kind_of, "", periods)
    else:
        if doc.get("preamble"):
            preamble = ET.SubElement(top, _q("preamble"))
            for p in doc["preamble"]:
                ET.SubElement(preamble, _q("p")).text = p
        body = ET.SubElement(top, _q("body"))
        for clause in doc.get("clauses", []):
            _clause_element(body, clause, kind_of, "", periods)
    if doc.get("signed") or doc.get("issuers"):
        conclusions = ET.SubElement(top, _q("conclusions"))
        for issuer in doc.get("issuers") or []:
            ET.SubElement(ET.SubElement(conclusions, _q("p")), _q("signature")).text = issuer
        if doc.get("signed"):
            ET.SubElement(ET.SubElement(conclusions, _q("p")), _q("date"), date=doc["signed"]).text = doc["signed"]
    for eid, start, until in periods:
        lifecycle = meta.find(_q("lifecycle"))
        if start:
            ET.SubElement(lifecycle, _q("eventRef"), eId=f"evt_{eid}_start", date=start, source="#original", type="generation", refersTo="#commencement")
        if until:
            ET.SubElement(lifecycle, _q("eventRef"), eId=f"evt_{eid}_end", date=until, source="#original", type="repeal", refersTo="#expiry")
    _temporal(meta, events, periods)
    # temporalData must precede references in AKN's meta sequence: reorder.
    order = ["identification", "publication", "lifecycle", "temporalData", "references"]
    children = sorted(list(meta), key=lambda e: order.index(e.tag.split("}")[1]) if e.tag.split("}")[1] in order else 99)
    for child in list(meta):
        meta.remove(child)
    meta.extend(children)
    return root


def issue_xml(issue: dict[str, Any], documents: list[dict[str, Any]]) -> ET.Element:
    root = ET.Element(_q("akomaNtoso"))
    gazette = ET.SubElement(root, _q("officialGazette"), name="嘉兴市人民政府公报")
    meta = ET.SubElement(gazette, _q("meta"))
    work = f"/akn/{COUNTRY}/officialGazette/{issue.get('published') or issue['year']}/{issue['number']}"
    _identification(meta, work, issue.get("published"), "嘉兴市人民政府办公室", issue["title"], str(issue["number"]))
    ET.SubElement(meta, _q("publication"), date=issue.get("published") or "0001-01-01", name="嘉兴市人民政府公报",
                  showAs=issue["title"], number=str(issue.get("cumulative_number") or issue["number"]))
    refs = ET.SubElement(meta, _q("references"), source="#gazette")
    ET.SubElement(refs, _q("TLCOrganization"), eId="gazette", href="/ontology/organization/jiaxing.gazette", showAs="嘉兴市人民政府公报")
    preface = ET.SubElement(gazette, _q("preface"))
    ET.SubElement(ET.SubElement(preface, _q("p")), _q("docTitle")).text = issue["title"]
    ET.SubElement(ET.SubElement(preface, _q("p")), _q("docNumber")).text = f"第{issue['number']}期（总第{issue.get('cumulative_number')}期）"
    body = ET.SubElement(gazette, _q("collectionBody"))
    for n, doc in enumerate(documents, start=1):
        comp = ET.SubElement(body, _q("component"), eId=f"cmp_{n}")
        ET.SubElement(comp, _q("documentRef"), eId=f"cmp_{n}__ref", href=frbr_work(doc), showAs=doc.get("title") or "")
    return root


#: Characters XML 1.0 forbids (controls other than tab/newline/CR, surrogates, U+FFFE/U+FFFF) and the
#: bidirectional controls (U+202A–U+202E, U+2066–U+2069, LRM/RLM/ALM) that can make a title read
#: backwards: none of them is text of a gazette, all are removed from every text and attribute.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
                        "\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str | None) -> str | None:
    return None if text is None else _FORBIDDEN.sub("", text)


def _clean_tree(root: ET.Element) -> None:
    for el in root.iter():
        el.text = clean_text(el.text)
        el.tail = clean_text(el.tail)
        for k, v in el.attrib.items():
            el.attrib[k] = clean_text(v)


def to_string(root: ET.Element) -> str:
    _clean_tree(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
