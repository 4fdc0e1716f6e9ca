"""The two shipped issues, parsed: exact metadata, every TOC entry reconciled, canonical 文号,
relations, catalogs, personnel, validity — the acceptance list of the corpus issue."""

import datetime as dt
from functools import cache

import pytest

from gazette.corpus.docnumber import canonical_doc_number
from gazette.corpus.parse import parse_file
from gazette.corpus.validity import clause_status, document_status
from tests.conftest import GAZETTES


@cache
def parsed(name: str):
    return parse_file(GAZETTES / f"jiaxing-gazette-{name}.txt")


def test_issue_metadata_is_exact():
    april, october = parsed("2022-04").issue, parsed("2022-10").issue
    assert (april.year, april.number, april.cumulative_number, april.published) == (2022, 4, 226, dt.date(2022, 4, 25))
    assert (october.year, october.number, october.cumulative_number, october.published) == (2022, 10, 232, dt.date(2022, 10, 25))
    assert october.sponsor["主办"] == "嘉兴市人民政府办公室"
    assert october.sponsor["准印证"] == "浙内准字第F031号"


@pytest.mark.parametrize("name,count", [("2022-04", 11), ("2022-10", 16)])
def test_every_toc_entry_is_reconciled(name, count):
    toc = parsed(name).toc
    assert len(toc) == count
    assert all(entry.found for entry in toc), [e.title for e in toc if not e.found]
    assert all(entry.page for entry in toc)
    assert not [w for w in parsed(name).warnings if w.code == "toc_entry_not_found"]


def test_toc_sections():
    sections = {e.section for e in parsed("2022-10").toc}
    assert {"市政府文件", "市政府办公室文件", "部门行政规范性文件", "政策解读", "市政府人事任免", "目录"} <= sections
    first = parsed("2022-10").toc[0]
    assert (first.doc_number, first.page) == ("嘉政发〔2022〕17号", 2)


def test_documents_and_doc_numbers_are_canonical():
    numbers_04 = [d.doc_number for d in parsed("2022-04").documents]
    assert numbers_04 == [
        "嘉政发〔2022〕5号", "嘉政办发〔2022〕9号", "嘉政办发〔2022〕10号", "嘉政办发〔2022〕11号",
        "嘉政办发〔2022〕13号", "嘉政办发〔2022〕14号", "嘉政办发〔2022〕15号", "嘉公积金〔2022〕9号",
    ]
    docs_10 = parsed("2022-10").documents
    assert len(docs_10) == 12
    for doc in parsed("2022-04").documents + docs_10:
        if doc.doc_number:
            assert canonical_doc_number(doc.doc_number) == doc.doc_number
    for relation in parsed("2022-04").relations + parsed("2022-10").relations:
        if "〔" in relation.target and not relation.target.startswith("《"):
            assert canonical_doc_number(relation.target) == relation.target


def test_document_fields():
    doc = parsed("2022-10").document("嘉政办发〔2022〕47号")
    assert doc.title == "嘉兴市人民政府办公室关于印发嘉兴市促进新能源汽车消费若干政策的通知"
    assert doc.issued_title == "嘉兴市促进新能源汽车消费若干政策"
    assert doc.category == "市政府办公室文件"
    assert doc.issuer == "嘉兴市人民政府办公室"
    assert doc.signed == dt.date(2022, 9, 22)
    assert doc.addressees == ["各县（市、区）人民政府", "市政府各部门", "直属各单位"]
    assert [c.label for c in doc.clauses] == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一"]
    first = doc.clauses[0]
    assert first.id == "嘉政办发〔2022〕47号#一"
    assert first.heading == "发放新能源汽车消费券"
    assert "30万元（含）以上的最高可抵用10000元" in first.text
    joint = parsed("2022-10").document("嘉人社〔2022〕60号")
    assert joint.issuers == ["嘉兴市人力资源和社会保障局", "嘉兴市财政局"]
    assert joint.signed == dt.date(2022, 9, 6)


def test_clause_tree_ids():
    ids = parsed("2022-04").all_clause_ids() | parsed("2022-10").all_clause_ids()
    for expected in [
        "嘉政发〔2022〕5号#三.（二）.1.（3）",
        "嘉政办发〔2022〕10号#四.（三）",
        "嘉公积金〔2022〕9号#第一章",
        "嘉公积金〔2022〕9号#第十三条",
        "嘉公积金〔2022〕9号#第八条.（二）",
        "嘉政发〔2022〕21号#一.（二）",
        "嘉政发〔2022〕18号#二.（一）.1",
        "嘉政发〔2022〕17号#二",
        "嘉人社〔2022〕60号#三",
        "2022-10:嘉兴市促进新能源汽车消费若干政策政策解读#二.（一）",
    ]:
        assert expected in ids, expected
    article = next(c for c in parsed("2022-04").document("嘉公积金〔2022〕9号").iter_clauses() if c.path == "第十二条")
    assert "10%—24%" in article.text or "10%-24%" in article.text


def test_attachments_marked_omitted_with_where_to_find_them():
    doc = parsed("2022-04").document("嘉政办发〔2022〕9号")
    assert [(a.number, a.omitted) for a in doc.attachments] == [(1, True), (2, True)]
    assert doc.attachments[0].title == "2022年市级有关部门（单位）投资目标任务分解表"
    assert "http://www.jiaxing.gov.cn" in doc.attachments[0].location
    ltc = parsed("2022-10").document("嘉政发〔2022〕21号")
    assert len(ltc.attachments) == 4 and all(a.omitted for a in ltc.attachments)


def _relations(name):
    return {(r.type, r.source, r.target): r for r in parsed(name).relations}


def test_relations_with_evidence():
    april, october = _relations("2022-04"), _relations("2022-10")
    repeal = april[("repeals", "嘉政发〔2022〕5号", "嘉政发〔2003〕46号")]
    assert "同时废止" in repeal.evidence and repeal.effective == dt.date(2022, 4, 10)
    scrambled = october[("repeals", "嘉政办发〔2022〕45号", "嘉政办发〔2019〕38号")]
    assert scrambled.effective == dt.date(2022, 9, 20)
    assert "5G" in scrambled.target_title
    assert ("issues", "嘉政办发〔2022〕47号", "《嘉兴市促进新能源汽车消费若干政策》") in october
    assert ("issues", "嘉公积金〔2022〕9号", "《嘉兴市灵活就业人员缴存和使用住房公积金管理办法》") in april
    assert ("interprets", "2022-10:嘉兴市促进绿色智能家电消费若干政策政策解读", "嘉政办发〔2022〕46号") in october
    assert ("interprets", "2022-10:嘉兴市促进新能源汽车消费若干政策政策解读", "嘉政办发〔2022〕47号") in october
    assert ("cites", "嘉政发〔2022〕5号", "国发〔2021〕5号") in april
    assert ("cites", "嘉人社〔2022〕60号", "人社部发〔2018〕21号") in october
    assert ("cites", "嘉政办发〔2022〕13号", "嘉政办发〔2021〕24号") in april
    assert not [k for k in october if k[0] == "cites" and k[2] == "《人民日报》"]
    for rel in list(april.values()) + list(october.values()):
        assert rel.evidence


def test_scrambled_notice_is_flagged():
    doc = parsed("2022-10").document("嘉政办发〔2022〕45号")
    assert doc.scrambled
    codes = {w.code for w in parsed("2022-10").warnings}
    assert {"scrambled_text", "conflicting_title"} <= codes


def test_catalogs_reconciled():
    catalog = {c.doc_number: c for c in parsed("2022-10").catalog if c.doc_number}
    for number in ("嘉政办发〔2022〕42号", "嘉政办发〔2022〕43号", "嘉政办发〔2022〕48号"):
        assert catalog[number].printed is False
    assert all(c.printed for n, c in catalog.items() if n not in ("嘉政办发〔2022〕42号", "嘉政办发〔2022〕43号", "嘉政办发〔2022〕48号"))
    interpretations = [c for c in parsed("2022-10").catalog if c.catalog == "政策解读目录"]
    assert len(interpretations) == 2 and all(c.printed for c in interpretations)
    april_warnings = [w.message for w in parsed("2022-04").warnings if w.code == "catalog_title_differs"]
    assert any("第二批" in m for m in april_warnings)  # a title differing is a warning, not an error
    assert all(c.printed for c in parsed("2022-04").catalog)


def test_personnel_exact():
    people = [(p.action, p.person, p.positions, p.month) for p in parsed("2022-04").personnel]
    assert people == [
        ("appoint", "郑新娣", ["嘉兴市残疾人联合会执行理事会理事长"], "2022-03"),
        ("appoint", "宣玉泉", ["嘉兴市审计局副局长"], "2022-03"),
        ("appoint", "冯丁希", ["嘉兴市经济责任审计工作联席会议办公室主任"], "2022-03"),
        ("remove", "齐力", ["嘉兴市人民政府副秘书长"], "2022-03"),
        ("remove", "盛付祥", ["嘉兴经济技术开发区管理委员会主任", "嘉兴国际商务区管理委员会主任", "嘉兴高新技术产业园区管理委员会主任"], "2022-03"),
        ("remove", "闻人庆", ["嘉兴市残疾人联合会执行理事会理事长"], "2022-03"),
        ("remove", "宣玉泉", ["嘉兴市经济责任审计工作联席会议办公室主任"], "2022-03"),
    ]
    assert parsed("2022-04").personnel[2].note == "试用期一年"
    october = [(p.action, p.person, p.positions) for p in parsed("2022-10").personnel]
    assert october == [
        ("appoint", "张源", ["嘉兴市科学技术局副局长"]),
        ("remove", "史高翔", ["嘉兴市人民防空办公室（嘉兴市民防局）副主任（副局长）"]),
    ]


def _status(name, ident, on):
    doc = parsed(name).document(ident)
    repeals = []
    return document_status(doc.id, dt.date.fromisoformat(on), doc.effective_from, doc.effective_until, repeals)


def test_validity_windows():
    assert _status("2022-10", "嘉政办发〔2022〕46号", "2022-12-31").status == "in_force"
    assert _status("2022-10", "嘉政办发〔2022〕46号", "2023-01-01").status == "expired"
    assert _status("2022-04", "嘉公积金〔2022〕9号", "2022-04-30").status == "not_yet_in_force"
    assert _status("2022-04", "嘉公积金〔2022〕9号", "2022-05-01").status == "in_force"
    assert _status("2022-10", "嘉政办发〔2022〕47号", "2023-06-01").status == "in_force"
    assert _status("2022-10", "嘉政办发〔2022〕47号", "2025-01-01").status == "expired"
    doc = parsed("2022-10").document("嘉政办发〔2022〕47号")
    vouchers = doc.clauses[0]
    on = dt.date(2023, 6, 1)
    doc_status = _status("2022-10", "嘉政办发〔2022〕47号", "2023-06-01")
    assert clause_status(vouchers.id, on, doc_status, [vouchers.windows]).status == "expired"
    assert clause_status(doc.clauses[1].id, on, doc_status, [doc.clauses[1].windows]).status == "in_force"
    interest = doc.clauses[8]
    assert interest.windows and interest.windows[0].partial and interest.windows[0].scope == "贷款贴息"


def test_clause_windows_from_dates_in_text():
    drone = parsed("2022-10").document("嘉政发〔2022〕17号").clauses[1]
    assert (drone.windows[0].effective_from, drone.windows[0].effective_until) == (dt.date(2022, 9, 10), dt.date(2022, 9, 15))
    pension = parsed("2022-10").document("嘉人社〔2022〕60号")
    assert pension.clauses[1].windows[0].effective_from == dt.date(2022, 1, 1)
    assert pension.clauses[2].windows[0].effective_from == dt.date(2022, 9, 1)
    ltc = parsed("2022-10").document("嘉政发〔2022〕21号")
    assert ltc.effective_until == dt.date(2024, 12, 31)


def test_tasks_from_responsible_units():
    tasks = parsed("2022-10").tasks
    by_id = {t.id: t for t in tasks}
    task = by_id["嘉政发〔2022〕18号#二.（一）.1@1"]
    assert task.units == ["市发展改革委"]
    assert {"text": "到2023年底", "date": "2023-12-31"} in task.deadlines
    multi = [t for t in parsed("2022-04").tasks if t.clause == "嘉政办发〔2022〕11号#三.（一）.3"]
    assert len(multi) == 2
    assert multi[1].units == ["市建设局", "市自然资源和规划局", "市人防办", "嘉兴银保监分局"]
    nev = by_id["嘉政办发〔2022〕47号#一@1"]
    assert "各县〔市、区〕政府" in nev.units
    assert by_id["嘉政发〔2022〕18号#二.（三）.7@1"].targets == ["矛盾纠纷就地化解率达到90%以上"]
