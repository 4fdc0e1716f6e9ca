"""Akoma Ntoso export: well-formed XML with FRBR identifiers and lifecycle events."""

import xml.etree.ElementTree as ET
from functools import cache

from gazette.corpus import akn
from gazette.corpus.parse import parse_file
from tests.conftest import GAZETTES

NS = {"a": akn.NS}


@cache
def october():
    return parse_file(GAZETTES / "jiaxing-gazette-2022-10.txt")


def _xml(doc_id, repeals=()):
    result = october()
    doc = result.document(doc_id).to_dict()
    issue = {"id": "2022-10", "title": result.issue.title, "published": "2022-10-25"}
    text = akn.to_string(akn.document_xml(doc, list(repeals), issue))
    return ET.fromstring(text.split("\n", 1)[1])


def test_notice_is_a_doc_carrying_the_issued_act():
    root = _xml("嘉政办发〔2022〕47号")
    notice = root.find("a:doc", NS)
    assert notice is not None and notice.get("name") == "notice"
    this = notice.find("a:meta/a:identification/a:FRBRWork/a:FRBRthis", NS).get("value")
    assert this.startswith("/akn/cn-zj-jiaxing/doc/2022-09-22/嘉政办发-2022-47")
    act = notice.find("a:attachments/a:attachment/a:act", NS)
    sections = act.findall("a:body/a:section", NS)
    assert [s.find("a:num", NS).text for s in sections][:3] == ["一", "二", "三"]
    events = {e.get("eId"): (e.get("refersTo"), e.get("date")) for e in notice.findall("a:meta/a:lifecycle/a:eventRef", NS)}
    assert events["evt_signing"] == ("#signing", "2022-09-22")
    assert events["evt_commencement"] == ("#commencement", "2022-09-22")
    assert events["evt_expiry"] == ("#expiry", "2024-12-31")
    assert events["evt_publication"] == ("#publication", "2022-10-25")
    assert ("#expiry", "2022-12-31") in events.values()  # the vouchers' own window
    vouchers = sections[0]
    assert vouchers.get("period", "").startswith("#tg_")


def test_repealed_document_carries_a_repeal_event():
    root = _xml("嘉政办发〔2022〕46号", repeals=[{"source": "嘉政办发〔2023〕1号", "effective": "2023-02-01", "evidence": "…"}])
    events = [e for e in root.iter(f"{{{akn.NS}}}eventRef") if e.get("refersTo") == "#repeal"]
    assert events and events[0].get("date") == "2023-02-01"


def test_issue_is_an_official_gazette_listing_its_documents():
    result = october()
    issue = result.issue.to_dict()
    root = ET.fromstring(akn.to_string(akn.issue_xml(issue, [d.to_dict() for d in result.documents])).split("\n", 1)[1])
    gazette = root.find("a:officialGazette", NS)
    refs = gazette.findall("a:collectionBody/a:component/a:documentRef", NS)
    assert len(refs) == 12
    assert gazette.find("a:meta/a:publication", NS).get("date") == "2022-10-25"
