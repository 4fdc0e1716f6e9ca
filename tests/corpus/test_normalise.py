"""Normalisation keeps an offset to the source for every character it produces."""

from gazette.corpus.parse import parse_text
from gazette.corpus.text import OText, compact, normalise_line, split_lines


def _line(s: str) -> OText:
    return normalise_line(OText(s, list(range(len(s)))))


def test_half_width_punctuation_becomes_full_width_in_chinese_text():
    assert _line("各县(市、区)人民政府,市政府各部门:").text == "各县（市、区）人民政府，市政府各部门："


def test_spaces_between_chinese_characters_and_digits_go():
    assert _line("2022 年 3 月 10 日").text == "2022年3月10日"
    assert _line("第一章 总 则").text == "第一章总则"
    assert _line("ISO27001/BS7799 资质认证").text == "ISO27001/BS7799资质认证"
    assert _line("1,000 kWh and more").text == "1,000 kWh and more"


def test_full_width_digits_become_half_width():
    assert _line("嘉政办发〔２０２２〕４７号").text == "嘉政办发〔2022〕47号"


def test_english_and_between_chinese_reads_he():
    assert _line("向省财政部门 and 市政府报告").text == "向省财政部门和市政府报告"


def test_urls_keep_their_ascii_punctuation():
    assert _line("网址:<http://www.jiaxing.gov.cn>)").text == "网址：<http://www.jiaxing.gov.cn>）"


def test_every_character_maps_back_to_its_source():
    raw = "嘉兴市人民政府办公室关于印发 嘉兴市\n(嘉政办发[2022]47 号)\n  各县(市、区)人民政府,\n"
    for line in split_lines(raw):
        for ch, off in zip(line.t.text, line.t.offsets, strict=True):
            src = raw[off]
            assert src == ch or compact(src) == compact(ch) or (src in "(),:[]" and ch in "（），：〔〕") or (src == "a" and ch == "和")


def test_page_break_inside_a_paragraph_is_joined():
    text = """嘉兴市人民政府关于印发嘉兴市测试方案的通知

嘉政发〔2022〕99号

各县（市、区）人民政府：

现将《嘉兴市测试方案》印发给你们。

嘉兴市人民政府
2022年9月9日

嘉兴市测试方案

一、总体要求

（一）指导思想。坚持以人民为中心，推动公

— 3 —

嘉兴市人民政府公报

共服务普惠便利化。
"""
    result = parse_text(text)
    doc = result.documents[0]
    clause = next(c for c in doc.iter_clauses() if c.path == "一.（一）")
    assert "推动公共服务普惠便利化。" in clause.text
    assert "公报" not in clause.text


def test_hard_wrapped_lines_join_but_headings_and_items_do_not():
    text = """嘉兴市人民政府关于印发嘉兴市测试方案的通知
嘉政发〔2022〕98号
各县（市、区）人民政府：
现将《嘉兴市测试方案》印发给你们。
嘉兴市人民政府
2022年9月9日
嘉兴市测试方案
一、工作目标
（一）加速项目建设推进。在建项目要严格落
实批复的建设工程期和当年安排的投资任务要求，
按时序推进。
（二）抓实统计入库。
"""
    doc = parse_text(text).documents[0]
    paths = [c.path for c in doc.iter_clauses()]
    assert paths == ["一", "一.（一）", "一.（二）"]
    first = doc.clauses[0].children[0]
    assert first.text.endswith("在建项目要严格落实批复的建设工程期和当年安排的投资任务要求，按时序推进。")
