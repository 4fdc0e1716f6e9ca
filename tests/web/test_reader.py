"""The gazette reader pages over the ingested shipped issues: contents by section with page numbers and
status badges, the issue page with its reconciliation warnings, documents with clause anchors,
permalinks, per-clause status, relations both ways, the 5G repeal journey, personnel, search with
facets, highlighted snippets and pagination, and bilingual 404 pages."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse

import pytest

NEV = "嘉政办发〔2022〕47号"
REPEALER = "嘉政办发〔2022〕45号"
FIVE_G = "嘉政办发〔2019〕38号"
NEV_INTERPRETATION = "2022-10:嘉兴市促进新能源汽车消费若干政策政策解读"


@pytest.fixture(scope="module")
def client(corpus_client):
    return corpus_client


def q(s: str) -> str:
    return urllib.parse.quote(s, safe="")


def doc(ident: str, **params: str) -> str:
    return f"/documents/{q(ident)}" + (f"?{urllib.parse.urlencode(params)}" if params else "")


def text_of(fragment: str) -> str:
    t = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(t)).strip()


def hrefs(fragment: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', fragment)]


def main_of(page: str) -> str:
    m = re.search(r'<main id="main"[^>]*>(.*)</main>', page, flags=re.S)
    assert m, "page has no <main id=main>"
    return m.group(1)


def toc_item(page: str, needle: str) -> str:
    """The <li> of a table-of-contents entry mentioning ``needle``."""
    for li in re.findall(r"<li>\s*<span class=\"title\">.*?</li>", page, flags=re.S):
        if needle in li:
            return li
    raise AssertionError(f"no TOC entry for {needle}")


def ok(resp) -> str:
    assert resp.status_code == 200, resp.text[:500]
    assert resp.headers["content-type"].startswith("text/html")
    assert "Traceback" not in resp.text
    return resp.text


# --- issues --------------------------------------------------------------------------------------


def test_home_lists_each_issue_contents_by_section_with_pages_and_status(client):
    page = ok(client.get("/", params={"on": "2022-10-08"}))
    body = text_of(main_of(page))
    assert "嘉兴市人民政府公报2022年第10期（总第232期）" in body and "嘉兴市人民政府公报2022年第04期（总第226期）" in body
    # newest issue first
    assert body.index("2022年第10期") < body.index("2022年第04期")
    for section in ("【市政府文件】", "【市政府办公室文件】", "【部门行政规范性文件】", "【政策解读】", "【市政府人事任免】"):
        assert section in body
    nev = toc_item(page, NEV)
    assert "第13页" in text_of(nev) and "现行有效" in text_of(nev)
    assert doc(NEV) in hrefs(nev)
    # the 10th issue's 【市政府文件】 comes before its 【政策解读】 and each entry sits in its section
    assert "/issues/2022-10#catalog-h" in hrefs(toc_item(page, "政策解读目录"))
    tenth = body[body.index("2022年第10期"):body.index("2022年第04期")]
    assert tenth.index("【市政府文件】") < tenth.index("嘉政发〔2022〕17号") < tenth.index("【市政府办公室文件】")
    assert tenth.index("【政策解读】") < tenth.index("《嘉兴市促进新能源汽车消费若干政策》政策解读")


def test_home_status_badges_follow_the_chosen_date(client):
    before = toc_item(ok(client.get("/", params={"on": "2022-09-01"})), NEV)
    assert "尚未施行" in text_of(before) and "现行有效" not in text_of(before)
    after = toc_item(ok(client.get("/", params={"on": "2025-01-01"})), NEV)
    assert "已失效" in text_of(after)
    page = ok(client.get("/", params={"on": "not-a-date"}))
    assert "无效" in page and "invalid date" in page


def test_issue_page_has_metadata_sponsor_contents_and_reconciliation(client):
    page = ok(client.get("/issues/2022-10", params={"on": "2022-10-08"}))
    body = text_of(main_of(page))
    assert "嘉兴市人民政府公报2022年第10期（总第232期）" in body
    assert "第10期" in body and "总第232期" in body and "2022-10-25" in body
    assert "浙内准字第F031号" in body and "嘉兴市人民政府办公室" in body  # sponsor block
    assert "【市政府办公室文件】" in body and "第12页" in body
    # the parser's own notes are for staff, in words: the public page does not carry them
    assert "scrambled_text" not in page and "正文中有一段文字顺序错乱" not in body
    # the catalogue says which listed documents are not printed in this issue
    assert "嘉政办发〔2022〕42号" in body and "未刊登" in body
    # the personnel of this issue, linked to the personnel register
    assert "张源" in body and "/personnel?issue=2022-10" in hrefs(page)
    assert '<div class="table-wrap"' in page


def test_issue_without_discrepancy_notes_says_so_or_lists_them(client):
    page = ok(client.get("/issues/2022-04"))
    body = text_of(main_of(page))
    assert "目录标题与正文标题不一致" in body and "嘉公积金〔2022〕9号" in body
    assert "第04期" in body or "第4期" in body


def test_unknown_issue_is_a_bilingual_404_page(client):
    resp = client.get("/issues/1999-01")
    assert resp.status_code == 404 and resp.headers["content-type"].startswith("text/html")
    assert "出错了" in resp.text and "not found" in resp.text and "Traceback" not in resp.text


# --- documents -----------------------------------------------------------------------------------


def test_document_page_metadata_clause_anchors_and_permalinks(client):
    page = ok(client.get(doc(NEV), params={"on": "2022-10-08"}))
    body = text_of(main_of(page))
    assert "嘉兴市人民政府办公室关于印发嘉兴市促进新能源汽车消费若干政策的通知" in body
    assert NEV in body and "嘉兴市人民政府办公室" in body and "各县（市、区）人民政府" in body
    assert "2022-09-22" in body and "2024-12-31" in body
    assert 'id="嘉政办发〔2022〕47号#一"' in page and 'id="嘉政办发〔2022〕47号#九"' in page
    links = hrefs(page)
    assert f"{doc(NEV)}#{q(NEV + '#一')}" in links  # /documents/<doc>#<clause id>
    assert doc(NEV + "#一") in links  # the clause's own page
    # 印发: the notice and the policy it carries
    assert "现印发给你们" in body and "嘉兴市促进新能源汽车消费若干政策" in body
    assert re.search(r'<h2 id="issued">嘉兴市促进新能源汽车消费若干政策</h2>', page)
    assert "现行有效" in body


def test_document_status_badge_changes_with_on_and_clause_windows_have_their_own_badge(client):
    def clause_li(page: str, cid: str) -> str:
        start = page.index(f'<li id="{cid}">')
        return page[start:page.index("</li>", start)]

    during = ok(client.get(doc(NEV), params={"on": "2022-10-08"}))
    assert "在 2022-10-08 的状态" in during
    assert 'data-testid="status" data-status="in_force"' in during
    assert "现行有效" in text_of(clause_li(during, NEV + "#一"))

    after = ok(client.get(doc(NEV), params={"on": "2023-01-05"}))
    assert 'data-testid="status" data-status="in_force"' in after  # the document still is
    first = text_of(clause_li(after, NEV + "#一"))
    assert "已失效" in first and "2022-12-31" in first  # but the voucher clause expired

    before = ok(client.get(doc(NEV), params={"on": "2022-09-01"}))
    assert 'data-testid="status" data-status="not_yet_in_force"' in before
    # the date picker keeps the chosen date
    assert 'name="on" value="2023-01-05"' in after


def test_clause_page_shows_its_text_status_and_the_way_back(client):
    page = ok(client.get(doc(NEV + "#一"), params={"on": "2023-01-05"}))
    body = text_of(main_of(page))
    assert "发放新能源汽车消费券" in body and "30万元（含）以上的最高可抵用10000元" in body
    assert "已失效" in body and "2022-12-31" in body
    assert f"{doc(NEV)}#{q(NEV + '#一')}" in hrefs(page) and doc(NEV) in hrefs(page)


def test_relations_both_ways_with_labels_evidence_and_links(client):
    policy = ok(client.get(doc(NEV)))
    rel = main_of(policy)[main_of(policy).index('id="relations"'):]
    assert "被解读" in rel and "interpreted by" in rel and doc(NEV_INTERPRETATION) in hrefs(rel)
    assert "印发" in rel and "本文件所附" in rel
    interp = ok(client.get(doc(NEV_INTERPRETATION)))
    rel = main_of(interp)[main_of(interp).index('id="relations"'):]
    assert "解读" in rel and "interprets" in rel and doc(NEV) in hrefs(rel)
    assert "引用" in rel and "cites" in rel and "商消费发〔2022〕92号" in rel
    # a cited document that is not printed has its own page, cited by the interpretation
    cited = ok(client.get(doc("商消费发〔2022〕92号")))
    assert "被引用" in cited and doc(NEV_INTERPRETATION) in hrefs(cited)
    assert "商务部等17部门关于搞活汽车流通扩大汽车消费若干措施的通知" in cited


def test_attachments_show_omitted_and_where_to_find_them(client):
    page = ok(client.get(doc("嘉政发〔2022〕21号")))
    att = main_of(page)[main_of(page).index('id="att-h"'):]
    assert "试点指标目标清单" in att and "略" in att and "中国嘉兴门户网站" in att


def test_reader_finds_that_the_5g_policy_was_repealed_when_and_by_what(client):
    results = ok(client.get("/search", params={"q": "5G"}))
    assert "<mark>5G</mark>" in results
    assert doc(REPEALER) in hrefs(results) and doc(FIVE_G) in hrefs(results)
    page = ok(client.get(doc(FIVE_G), params={"on": "2022-10-25"}))
    body = text_of(main_of(page))
    assert "嘉兴市人民政府办公室关于印发嘉兴市加快推进5G产业发展实施意见的通知" in body
    assert "已废止" in body and "2022-09-20" in body and REPEALER in body
    assert doc(REPEALER) in hrefs(main_of(page))
    assert "决定自即日起，废止" in body  # the evidence sentence
    # before the repeal date the badge is not 已废止, though the coming repeal is still stated
    earlier = ok(client.get(doc(FIVE_G), params={"on": "2022-09-19"}))
    assert 'data-testid="status" data-status="in_force"' in earlier
    assert "将被废止" in earlier
    # the repealing document shows the repeal outgoing, with its date
    repealer = ok(client.get(doc(REPEALER)))
    rel = main_of(repealer)[main_of(repealer).index('id="relations"'):]
    assert "废止" in rel and "repeals" in rel and doc(FIVE_G) in hrefs(rel) and "2022-09-20" in rel


def test_unknown_document_is_a_bilingual_404_page_not_a_traceback(client):
    for ident in ("嘉政办发〔2099〕1号", "嘉政办发〔2022〕47号#九十九", "nothing-here"):
        resp = client.get(doc(ident))
        assert resp.status_code == 404, ident
        assert resp.headers["content-type"].startswith("text/html")
        assert "出错了" in resp.text and "Error" in resp.text and "not found" in resp.text
        assert "Traceback" not in resp.text and '<html lang="zh-CN"' in resp.text


# --- personnel -----------------------------------------------------------------------------------


def test_personnel_table_and_filters(client):
    page = ok(client.get("/personnel"))
    rows = re.findall(r"<tr>\s*<td>", page)
    assert len(rows) == 9 and '<div class="table-wrap"' in page
    assert "郑新娣" in page and "张源" in page and "挂职一年" in page
    audit = ok(client.get("/personnel", params={"q": "审计"}))
    assert "宣玉泉" in audit and "张源" not in audit
    assert len(re.findall(r"<tr>\s*<td>", audit)) == 3
    tenth = ok(client.get("/personnel", params={"issue": "2022-10"}))
    assert len(re.findall(r"<tr>\s*<td>", tenth)) == 2 and "史高翔" in tenth
    removed = ok(client.get("/personnel", params={"action": "remove", "month": "2022-03"}))
    assert len(re.findall(r"<tr>\s*<td>", removed)) == 4 and "郑新娣" not in removed
    none = ok(client.get("/personnel", params={"q": "不存在的人"}))
    assert "No appointments match" in none


# --- search --------------------------------------------------------------------------------------


def test_search_highlights_and_escapes(client):
    page = ok(client.get("/search", params={"q": "消费券"}))
    assert "<mark>消费券</mark>" in page
    hostile = ok(client.get("/search", params={"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in hostile and "&lt;script&gt;" in hostile


def test_search_facets_add_to_the_query_without_losing_others(client):
    page = ok(client.get("/search", params={"q": "消费券", "on": "2022-10-01"}))
    facets = page[page.index('class="facets"'):page.index("</nav>", page.index('class="facets"'))]
    for name in ("状态 Status", "类别 Category", "发文机关 Issuer", "年份 Year"):
        assert name in facets
    links = [urllib.parse.urlsplit(h) for h in hrefs(facets)]
    cat = next(u for u in links if "category=" in u.query)
    params = dict(urllib.parse.parse_qsl(cat.query))
    assert params["q"] == "消费券" and params["on"] == "2022-10-01"
    filtered = ok(client.get("/search?" + cat.query))
    hits = re.findall(r'<li class="card hit" data-testid="hit">.*?</li>\s*(?=<li class="card hit" data-testid="hit">|</ol>)', filtered, flags=re.S)
    assert hits and all(params["category"] in text_of(h) for h in hits)
    # within the filtered page, another facet keeps q, on and the category
    facets2 = filtered[filtered.index('class="facets"'):]
    year = next(urllib.parse.urlsplit(h) for h in hrefs(facets2) if "year=" in h)
    p2 = dict(urllib.parse.parse_qsl(year.query))
    assert p2["q"] == "消费券" and p2["category"] == params["category"] and p2["on"] == "2022-10-01"
    # the active filter can be removed, keeping the query
    assert 'aria-current="true"' in facets2
    removal = next(h for h in hrefs(filtered) if h.startswith("/search?") and "category=" not in h and "q=" in h)
    assert "q=%E6%B6%88%E8%B4%B9%E5%88%B8" in removal


def test_search_status_facet_uses_the_chosen_date(client):
    during = ok(client.get("/search", params={"q": "消费券", "on": "2022-10-01"}))
    after = ok(client.get("/search", params={"q": "消费券", "on": "2025-06-01"}))
    assert "现行有效 In force (4)" in during
    assert "现行有效 In force (4)" not in after and "已失效 Expired" in after
    only_expired = ok(client.get("/search", params={"q": "消费券", "on": "2025-06-01", "status": "expired"}))
    badges = re.findall(r'<span class="badge (\w+)">', main_of(only_expired).split('<ol class="hits"')[1])
    assert badges and set(badges) == {"expired"}


def test_search_paginates(client):
    first = ok(client.get("/search", params={"q": "嘉兴市"}))
    m = re.search(r"共 (\d+) 条结果", first)
    assert m and int(m.group(1)) > 10
    assert len(re.findall(r'<li class="card hit" data-testid="hit">', first)) == 10
    nxt = next(h for h in hrefs(first) if "page=2" in h)
    assert "q=" in nxt
    second = ok(client.get(nxt))
    assert "第 2 /" in second and 'rel="prev"' in second
    titles1 = set(re.findall(r'<li class="card hit" data-testid="hit">\s*<h2[^>]*><a href="([^"]+)"', first))
    titles2 = set(re.findall(r'<li class="card hit" data-testid="hit">\s*<h2[^>]*><a href="([^"]+)"', second))
    assert titles2 and not titles1 & titles2
    assert re.search(r'<ol class="hits" start="11">', second)


def test_search_empty_no_result_and_error_states(client):
    empty = ok(client.get("/search"))
    assert "输入关键词" in empty and "/search?q=5G" in hrefs(empty)
    none = ok(client.get("/search", params={"q": "量子引力波"}))
    assert "未找到" in none and "No documents match" in none
    bad = client.get("/search", params={"q": "消费券", "year": "abc"})
    assert bad.status_code in (400, 422) and "检索出错" in bad.text and "Traceback" not in bad.text
    bad_status = client.get("/search", params={"q": "消费券", "status": "bogus"})
    assert bad_status.status_code in (400, 422) and "bogus" in bad_status.text


def test_document_page_draws_its_validity_timeline_with_exports_and_print(corpus_client):
    """#9: effective, clause expiries and repeal on one time line (SVG with a text alternative), with export
    links (AKN, JSON) and a print button from a static script."""
    import xml.etree.ElementTree as ET

    page = corpus_client.get("/documents/" + urllib.parse.quote("嘉政办发〔2022〕47号", safe=""),
                             params={"on": "2022-10-08"}).text
    section = re.search(r'<section class="card doc-timeline".*?</section>', page, re.S).group(0)
    svg = ET.fromstring(re.search(r"<svg.*?</svg>", section, re.S).group(0))
    ns = {"svg": "http://www.w3.org/2000/svg"}
    kinds = {(g.get("data-kind"), g.get("data-date")) for g in svg.findall(".//svg:g[@class='event']", ns)}
    assert ("start", "2022-09-22") in kinds and ("end", "2024-12-31") in kinds and ("clause_end", "2022-12-31") in kinds
    assert "2022-12-31" in svg.find("svg:desc", ns).text and svg.get("role") == "img"
    for fmt in ("akn", "json"):
        href = html.unescape(re.search(rf'href="([^"]+)" data-testid="export-{fmt}"', section).group(1))
        assert corpus_client.get(href).status_code == 200
    assert 'data-testid="print-document"' in section and '<script src="/static/print.js"' in page
    repealed = corpus_client.get("/documents/" + urllib.parse.quote("嘉政办发〔2019〕38号", safe="")).text
    if 'data-testid="timeline"' in repealed:
        assert 'data-kind="repeal"' in repealed


def test_issue_page_shows_parser_notes_to_staff_in_words(client):
    from tests.web.test_layout import login

    c = login("reader-auditor", "auditor")
    page = ok(c.get("/issues/2022-10", params={"on": "2022-10-08"}))
    notes = page[page.index('data-testid="parser-notes"'):]
    notes = notes[:notes.index("</div>")]
    assert "正文中有一段文字顺序错乱" in notes and "同一文件出现了两个不同的标题" in notes
    # the codes are there for support staff, inside a details element only
    for code in ("scrambled_text", "conflicting_title"):
        before = notes[:notes.index(code)]
        assert before.rfind("<details") > before.rfind("</details>")


def test_search_page_says_did_you_mean_from_titles_and_numbers(client):
    page = ok(client.get("/search", params={"q": "嘉政办发〔2022〕74号"}))
    mean = page[page.index('data-testid="did-you-mean"'):]
    mean = mean[:mean.index("</p>")]
    assert "嘉政办发〔2022〕47号" in mean and "/search?q=" in mean
    nothing = ok(client.get("/search", params={"q": "潜水艇"}))
    assert 'data-testid="did-you-mean"' not in nothing and "未找到" in nothing


def test_search_page_says_when_only_some_words_match(client):
    from gazette.corpus import service
    from gazette.store.db import unit_of_work

    query = "消费券 潜水艇"
    with unit_of_work() as session:
        relaxed = service.search(session, query, dt.date(2022, 10, 8), {}, 10)["relaxed"]
    page = ok(client.get("/search", params={"q": query, "on": "2022-10-08"}))
    assert relaxed and 'data-testid="relaxed"' in page
    exact = ok(client.get("/search", params={"q": "消费券", "on": "2022-10-08"}))
    assert 'data-testid="relaxed"' not in exact
