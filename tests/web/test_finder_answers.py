"""#9 — right answers, plainly told: an unknown fact is "? 需确认", nothing is pre-answered, a policy out
of force says so, a limit is not a claim, a price of 0 is asked again, steps are counted, what is
still needed links back, every result has a chart, a result prints and downloads as a PDF."""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET

from tests.web.test_finder import NEV, WORKER, _card, _hrefs, _testids, _text

NS = {"svg": "http://www.w3.org/2000/svg"}
NOT_SURE = [(k, v) for k, v in NEV if k != "nev_ne"]  # the new-energy question answered 不确定


def test_not_sure_is_unknown_never_yes(corpus_client):
    r = corpus_client.get("/finder/result", params=NOT_SURE)
    assert r.status_code == 200
    card = _card(r.text, "嘉政办发〔2022〕47号#一")
    assert "? 需确认" in _testids(card, "verdict")[0]
    assert 'data-testid="amount"' not in card and 'data-testid="claim-link"' not in card
    assert "可以享受 You qualify" not in r.text and "¥6,000" not in r.text
    answers = re.search(r'<details class="finder-answers">.*?</details>', r.text, re.S).group(0)
    assert "? 需确认" in _text(answers) and "是 yes" not in _text(answers)


def test_nothing_is_pre_answered(corpus_client):
    nev = corpus_client.get("/finder", params=[("who", "citizen"), ("buy", "nev"), ("district", "南湖区"),
                                               ("step", "nev")]).text
    assert not re.search(r'name="nev_ne"[^>]*checked', nev)
    worker = corpus_client.get("/finder", params=[("who", "worker"), ("step", "worker")]).text
    assert not re.search(r'<input[^>]*type="radio"[^>]*checked', worker)
    assert 'name="w_rate" value=""' in worker
    ent = corpus_client.get("/finder", params=[("who", "enterprise"), ("step", "kinds")]).text
    assert 'name="year" value=""' in ent


def test_a_price_of_zero_is_asked_again(corpus_client):
    params = [(k, "0" if k == "nev_price" else v) for k, v in NEV]
    r = corpus_client.get("/finder/result", params=params)
    assert r.status_code == 422 and 'data-step="nev"' in r.text and "¥0.00" not in r.text
    assert "价格为 0" in _testids(r.text, "error-nev_price")[0]


def test_a_limit_is_not_presented_as_a_claim(corpus_client):
    r = corpus_client.get("/finder/result", params=NEV)
    card = _card(r.text, "嘉政办发〔2022〕47号#九/down_payment")
    assert "不是补贴" in _text(card) and "可享受 You can claim" not in card
    qualify = r.text.index("✓ 可以享受")
    limits = r.text.index("须知：适用于您的限额")
    assert r.text.index('data-rule="嘉政办发〔2022〕47号#九/down_payment"') > limits > qualify


def test_steps_are_counted_and_the_default_date_is_said(corpus_client):
    r = corpus_client.get("/finder", params=[("who", "citizen"), ("buy", "nev"), ("buy", "ltc"), ("district", "南湖区"),
                                             ("step", "nev")])
    assert "第 3 步，共 4 步" in _testids(r.text, "step-count")[0]
    topics = corpus_client.get("/finder", params=[("who", "citizen"), ("step", "topics")]).text
    assert "不填则按今天计算" in topics and "今天 today：" in topics
    assert topics.count('name="district"') == 1  # the district is asked once


def test_still_needed_links_back_to_its_question(corpus_client):
    r = corpus_client.get("/finder/result", params=NOT_SURE)
    card = _card(r.text, "嘉政办发〔2022〕47号#一")
    link = [h for h in _hrefs(card) if h.startswith("/finder?")][0]
    u = urllib.parse.urlsplit(link)
    assert u.fragment == "f-nev_ne" and urllib.parse.parse_qs(u.query)["step"] == ["nev"]
    back = corpus_client.get(u.path + "?" + u.query)
    assert 'id="f-nev_ne"' in back.text and 'name="nev_price" value="250000"' in back.text


def test_out_of_force_and_outside_the_gazette_are_not_ineligible(corpus_client):
    ltc = [("who", "citizen"), ("buy", "ltc"), ("on", "2025-06-01"), ("ltc_ins", "employee"), ("ltc_severe", "1"),
           ("ltc_type", "home"), ("ltc_cost", "1000")]
    r = corpus_client.get("/finder/result", params=ltc)
    card = _card(r.text, "嘉政发〔2022〕21号#一.（二）")
    assert "不符合" not in _testids(card, "verdict")[0] and "需确认" in _testids(card, "verdict")[0]
    assert "不在本库收录的公报中" in _text(card)
    old = corpus_client.get("/finder/result", params=[(k, "2022-05-01" if k == "on" else v) for k, v in ltc])
    assert _testids(_card(old.text, "嘉政发〔2022〕21号#一.（二）"), "amount") == ["¥800.00"]  # since 2017


def test_charging_subsidies_do_not_link_to_a_flow_that_refuses_them(corpus_client):
    params = [("who", "enterprise"), ("kinds", "charging"), ("year", "2022"), ("ch_type", "public_pile"),
              ("ch_power", "60")]
    r = corpus_client.get("/finder/result", params=params)
    card = _card(r.text, "嘉政办发〔2022〕47号#八")
    assert _testids(card, "amount") == ["¥15,000.00"]
    assert 'data-testid="claim-link"' not in card and "/me/enterprise" not in card
    assert "市发展改革委" in _testids(card, "apply-offline")[0]


def test_every_priced_result_has_a_chart_with_the_persons_point(corpus_client):
    r = corpus_client.get("/finder/result", params=NEV)
    card = _card(r.text, "嘉政办发〔2022〕47号#一")
    svg = re.search(r"<svg.*?</svg>", card, re.S).group(0)
    root = ET.fromstring(svg)
    assert root.get("role") == "img" and root.find("svg:title", NS).text
    assert "您的数值 250,000 元，对应 6,000 元" in root.find("svg:desc", NS).text
    you = root.find(".//svg:g[@class='you']", NS)
    assert you.get("data-x") == "25000000" and you.get("data-y") == "600000"
    marks = [int(t.get("data-value")) for t in root.findall(".//svg:line[@class='threshold']", NS)]
    assert 20_000_000 in marks and 30_000_000 in marks
    labels = ["".join(t.itertext()) for t in root.findall(".//svg:text[@class='threshold-label']", NS)]
    assert "20万" in labels and "30万" in labels
    worker = corpus_client.get("/finder/result", params=WORKER)
    fund = _card(worker.text, "嘉公积金〔2022〕9号#第十二条")
    assert 'data-testid="result-chart"' in fund and "下限" in fund and "上限" in fund


def test_print_and_pdf(corpus_client):
    r = corpus_client.get("/finder/result", params=NEV)
    assert 'data-testid="print"' in r.text and "生成于 computed" in r.text
    pdf_href = re.search(r'href="([^"]+)" data-testid="pdf-link"', r.text).group(1)
    pdf = corpus_client.get(pdf_href.replace("&amp;", "&"))
    from jiaxing.web.finder_pdf import find_font

    if find_font() is None:  # a machine without a Chinese font says so instead of printing empty boxes
        assert pdf.status_code == 503 and "中文字体" in pdf.text
    else:
        assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 5000
    missing = corpus_client.get(pdf_href.replace("&amp;", "&").replace("nev_price=250000", "nev_price=0"))
    assert missing.status_code == 422 and 'data-step="nev"' in missing.text  # a bad answer: the step, not a PDF
    css = corpus_client.get("/static/finder.css").text
    assert "@media print" in css
