"""Hand-made noisy inputs: a single document as published on a portal (site chrome, broken
文号, spaced-out heading, half-width punctuation, page footer), GBK encoding, running headers
and page numbers inside an issue, and bad input that must never crash the parser."""

import datetime as dt
from pathlib import Path

import pytest

from gazette.corpus.parse import parse_bytes, parse_text
from gazette.errors import GazetteError
from tests.conftest import GAZETTES

SAMPLES = Path(__file__).parent / "samples"


def test_portal_page_with_chrome_parses_as_one_document():
    result = parse_bytes((SAMPLES / "portal-nev-policy.txt").read_bytes())
    assert result.issue is None
    assert len(result.documents) == 1
    doc = result.documents[0]
    assert doc.doc_number == "嘉政办发〔2022〕47号"
    assert doc.title == "嘉兴市人民政府办公室关于印发嘉兴市促进新能源汽车消费若干政策的通知"
    assert doc.issued_title == "嘉兴市促进新能源汽车消费若干政策"
    assert doc.signed == dt.date(2022, 9, 22)
    assert doc.addressees == ["各县（市、区）人民政府", "市政府各部门", "直属各单位"]
    assert [c.id for c in doc.clauses] == ["嘉政办发〔2022〕47号#一", "嘉政办发〔2022〕47号#二", "嘉政办发〔2022〕47号#三"]
    assert doc.clauses[0].heading == "发放新能源汽车消费券"
    assert "最高可抵用6000元" in doc.clauses[0].text
    assert "— 1 —" not in doc.text and "扫一扫" not in doc.text and "版权所有" not in doc.text
    assert result.metadata["发文字号"] == "嘉政办发〔2022〕47号"
    assert doc.effective_until == dt.date(2024, 12, 31)
    assert doc.clauses[0].windows[0].effective_until == dt.date(2022, 12, 31)
    nested = [r for r in result.relations if r.type == "cites"]
    assert [(r.target, r.target_title) for r in nested] == [("嘉政办发〔2020〕12号", "关于印发《嘉兴市汽车流通管理办法》的通知")]
    assert result.tasks[0].units == ["市商务局", "市财政局"]


def test_gbk_encoded_input_is_decoded():
    raw = (SAMPLES / "portal-nev-policy.txt").read_text(encoding="utf-8")
    result = parse_bytes(raw.encode("gb18030"))
    assert result.documents[0].doc_number == "嘉政办发〔2022〕47号"
    assert any("GB18030" in note for note in result.source_notes)


def test_offsets_point_into_the_source():
    raw = (SAMPLES / "portal-nev-policy.txt").read_text(encoding="utf-8")
    doc = parse_text(raw).documents[0]
    start, end = doc.clauses[1].span
    assert raw[start:end].startswith("二、支持新能源汽车销售公司开展促销")


def test_running_headers_and_page_numbers_inside_an_issue_are_dropped():
    raw = (GAZETTES / "jiaxing-gazette-2022-10.txt").read_text(encoding="utf-8")
    noisy = raw.replace("共服务普惠便利化", "\n— 3 —\n\n嘉兴市人民政府公报 2022年第10期\n\n共服务普惠便利化", 1)
    noisy = noisy.replace("嘉政办发〔2022〕47 号\n", "嘉政办发\n〔2022〕47 号\n", 1)
    result = parse_text(noisy)
    doc = result.document("嘉政发〔2022〕18号")
    clause = next(c for c in doc.iter_clauses() if c.path == "一.（一）")
    assert "推动公共服务普惠便利化" in clause.text
    assert result.document("嘉政办发〔2022〕47号") is not None
    assert all(e.found for e in result.toc)


@pytest.mark.parametrize(
    "data",
    [b"", b"   \n\n", b"\x00\x01\x02\x03binary\x00" * 50, bytes(range(256)) * 20],
    ids=["empty", "blank", "nul-bytes", "all-bytes"],
)
def test_unusable_input_is_a_clear_error(data):
    with pytest.raises(GazetteError) as info:
        parse_bytes(data)
    assert info.value.code in {"empty_input", "binary_input", "undecodable_input"}
    assert info.value.message_zh and info.value.message_en


def test_random_text_parses_with_a_warning():
    result = parse_text("今天天气很好，我们去公园散步。\nThe quick brown fox.\n1234567\n")
    assert result.documents == []
    assert [w.code for w in result.warnings] == ["no_documents"]


def test_truncated_issue_keeps_what_it_has_and_warns():
    raw = (GAZETTES / "jiaxing-gazette-2022-10.txt").read_text(encoding="utf-8")
    truncated = raw[: raw.index("嘉兴市人民政府办公室关于印发 嘉兴市促进新能源汽车消费若干政策的通知")]
    result = parse_text(truncated)
    assert result.issue.number == 10
    assert result.document("嘉政办发〔2022〕46号") is not None
    missing = [w.message for w in result.warnings if w.code == "toc_entry_not_found"]
    assert any("新能源汽车" in m for m in missing)
    assert any(w.code == "no_sponsor_block" for w in result.warnings)


def test_forwarding_notice_issues_the_forwarded_text_and_repeals_on_commencement():
    result = parse_bytes((SAMPLES / "forwarding-notice.txt").read_bytes())
    relations = {(r.type, r.target): r for r in result.relations}
    assert ("issues", "浙政办发〔2023〕3号") in relations
    assert ("cites", "浙政办发〔2023〕3号") not in relations
    repeal = relations[("repeals", "嘉政办发〔2015〕7号")]
    assert repeal.effective == dt.date(2023, 3, 1)  # 同时废止: when this notice commences
    assert result.documents[0].effective_from == dt.date(2023, 3, 1)


def test_portal_measures_with_chapters_articles_and_full_width_digits():
    result = parse_bytes((SAMPLES / "portal-measures-articles.txt").read_bytes())
    doc = result.documents[0]
    assert doc.doc_number == "嘉公积金〔2022〕9号"
    assert doc.signed == dt.date(2022, 3, 11)
    assert doc.effective_from == dt.date(2022, 5, 1)
    ids = [c.id for c in doc.iter_clauses()]
    assert ids == [
        "嘉公积金〔2022〕9号#第一章", "嘉公积金〔2022〕9号#第一条", "嘉公积金〔2022〕9号#第二章", "嘉公积金〔2022〕9号#第八条",
        "嘉公积金〔2022〕9号#第八条.（一）", "嘉公积金〔2022〕9号#第八条.（二）", "嘉公积金〔2022〕9号#第十二条",
        "嘉公积金〔2022〕9号#第二十六条",
    ]
    assert doc.clauses[0].heading == "总则"
    assert "第3页" not in doc.text and "网站地图" not in doc.text
