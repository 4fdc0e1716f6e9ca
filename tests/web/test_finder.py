"""The policy finder: question flow (GET forms, back keeps answers, validation), results with amounts,
clauses, ✓/✗/? conditions, what-if text, claim links, and share links that round-trip."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse

import pytest
from fastapi.testclient import TestClient

from gazette.store.db import unit_of_work

NEV = [("who", "citizen"), ("buy", "nev"), ("district", "南湖区"), ("nev_price", "250000"), ("nev_date", "2022-10-08"),
       ("nev_ne", "1")]
SOFTWARE = [("who", "enterprise"), ("kinds", "software"), ("year", "2022"), ("sw_rev", "21000000"),
            ("sw_rev_prev", "18000000")]
WORKER = [("who", "worker"), ("w_birth", "1988-06-06"), ("w_sex", "female"), ("w_base", "5000"), ("w_rate", "12"),
          ("w_flex", "1"), ("w_pension", "1"), ("w_residence", "1"), ("w_capacity", "1"), ("on", "2022-10-08")]


@pytest.fixture(scope="module")
def client(corpus_client):
    # the fund's reference data (minimum wage, average wage) for its quote: set up through the pack's scheme
    import importlib

    from gazette.packs import load_pack

    fund = next(m for m in load_pack().routers if m.endswith("provident_fund.api"))
    svc = importlib.import_module(fund.rsplit(".", 1)[0] + ".service")
    with unit_of_work() as session:
        svc.setup(session, dt.date(2022, 10, 8))
    return corpus_client


def _text(page: str) -> str:
    t = re.sub(r"<script.*?</script>", " ", page, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    return re.sub(r"\s+", " ", html.unescape(t))


def _testids(page: str, testid: str) -> list[str]:
    """Inner text of every element with that data-testid."""
    out = []
    for m in re.finditer(rf'<(\w+)[^>]*data-testid="{testid}"[^>]*>(.*?)</\1>', page, flags=re.S):
        out.append(_text(m.group(2)).strip())
    return out


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="finder-card.*?</article>', page, flags=re.S)


def _card(page: str, rule: str) -> str:
    for c in _cards(page):
        if f'data-rule="{html.escape(rule)}"' in c or f'data-rule="{rule}"' in c:
            return c
    raise AssertionError(f"no card for {rule}")


def _hrefs(fragment: str) -> list[str]:
    return [urllib.parse.unquote(html.unescape(h)) for h in re.findall(r'href="([^"]+)"', fragment)]


def _no_traceback(page: str) -> None:
    assert "Traceback" not in page and "Internal Server Error" not in page


# ---------------------------------------------------------------- the question flow


def test_flow_walks_from_who_to_the_result_with_get_forms(client):
    first = client.get("/finder")
    assert first.status_code == 200
    assert 'method="get"' in first.text and 'name="who"' in first.text and 'data-testid="next-step"' in first.text
    assert 'data-testid="back-step"' not in first.text  # nothing before step 1

    r = client.get("/finder", params=[("who", "citizen"), ("after", "who")])
    assert r.status_code == 200 and "step=topics" in str(r.url)
    assert 'name="buy"' in r.text and 'name="who" value="citizen"' in r.text  # earlier answer carried (hidden)

    r = client.get("/finder", params=[("who", "citizen"), ("buy", "nev"), ("after", "topics")])
    assert r.status_code == 422 and "请填写" in r.text  # the district is asked once, on this step, for a purchase
    r = client.get("/finder", params=[("who", "citizen"), ("buy", "nev"), ("district", "南湖区"), ("after", "topics")])
    assert "step=nev" in str(r.url) and 'name="nev_price"' in r.text

    r = client.get("/finder", params=NEV + [("after", "nev")])
    assert r.status_code == 200
    assert urllib.parse.urlsplit(str(r.url)).path == "/finder/result"
    assert "6,000.00" in r.text


def test_back_link_keeps_every_answer(client):
    r = client.get("/finder", params=NEV + [("step", "nev")])
    back = _hrefs(re.search(r'<a[^>]*data-testid="back-step"[^>]*>', r.text).group(0))[0]
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(back).query)
    assert q["step"] == ["topics"] and q["who"] == ["citizen"] and q["buy"] == ["nev"]
    assert q["nev_price"] == ["250000"] and q["nev_date"] == ["2022-10-08"] and q["district"] == ["南湖区"]
    prev = client.get(back)
    assert prev.status_code == 200
    assert re.search(r'name="buy" value="nev" checked', prev.text)  # the answer is shown as chosen
    # and the later answers ride along so going forward again loses nothing
    assert 'name="nev_price" value="250000"' in prev.text

    # the result page's back link returns to the last step, prefilled
    res = client.get("/finder/result", params=NEV)
    back = _hrefs(re.search(r'<a[^>]*data-testid="back-step"[^>]*>', res.text).group(0))[0]
    step = client.get(back)
    assert 'id="f-nev_price" name="nev_price" value="250000"' in step.text


@pytest.mark.parametrize("field,value,zh,en", [
    ("nev_price", "-5", "不能为负数", "cannot be negative"),
    ("nev_price", "abc", "请输入金额", "enter an amount"),
    ("nev_price", "1.234", "最多两位小数", "at most two decimal places"),
    ("nev_date", "2022-13-45", "日期格式应为 YYYY-MM-DD", "expected a date YYYY-MM-DD"),
    ("nev_date", "yesterday", "日期格式应为 YYYY-MM-DD", "expected a date YYYY-MM-DD"),
    ("district", "火星区", "请从列表中选择", "choose one of the options"),
])
def test_invalid_input_shows_a_bilingual_message_on_the_same_step(client, field, value, zh, en):
    params = [(k, value if k == field else v) for k, v in NEV]
    r = client.get("/finder", params=params + [("after", "nev")])
    assert r.status_code == 422
    _no_traceback(r.text)
    step = "topics" if field == "district" else "nev"  # the district is asked once, with the topics
    assert f'data-step="{step}"' in r.text  # the step that asks it, not the result
    err = _testids(r.text, f"error-{field}")
    assert err and zh in err[0] and en in err[0]
    # the other answers are kept in the form
    assert 'name="who" value="citizen"' in r.text
    # the result URL with the bad value answers the same way (no traceback, no amount)
    res = client.get("/finder/result", params=params)
    assert res.status_code == 422 and zh in res.text and 'data-testid="amount"' not in res.text
    _no_traceback(res.text)


def test_missing_required_answer_and_tampered_query(client):
    r = client.get("/finder", params=[("who", "citizen"), ("after", "topics")])
    assert r.status_code == 422 and "请填写" in r.text and "required" in r.text
    r = client.get("/finder/result", params=[("who", "martian")])
    assert r.status_code == 422 and "请从列表中选择" in r.text
    _no_traceback(r.text)
    r = client.get("/finder/result")
    assert r.status_code == 422 and 'data-step="who"' in r.text
    r = client.get("/finder", params=[("step", "no-such-step"), ("who", "citizen")])
    assert r.status_code == 200 and 'data-step="who"' in r.text


# ---------------------------------------------------------------- journey 1: a citizen's NEV


def test_journey_citizen_nev_6000_with_clause_and_claim(client):
    r = client.get("/finder/result", params=NEV)
    assert r.status_code == 200
    card = _card(r.text, "嘉政办发〔2022〕47号#一")
    assert _testids(card, "amount") == ["¥6,000.00"]
    links = _hrefs(card)
    assert "/documents/嘉政办发〔2022〕47号#嘉政办发〔2022〕47号#一" in links
    assert "嘉政办发〔2022〕47号 一" in _text(card)
    claim = [h for h in _hrefs(re.search(r'<a[^>]*data-testid="claim-link"[^>]*>', card).group(0))][0]
    u = urllib.parse.urlsplit(claim)
    assert u.path == "/me/vouchers"
    q = urllib.parse.parse_qs(u.query)
    assert q["programme"] == ["nev"] and q["district"] == ["南湖区"]
    # why: every condition ✓, the tier used, the parameter with its date, the clause text on tap
    conds = _testids(card, "condition")
    assert conds and all(c.startswith("✓") for c in conds)
    assert "第 2 / 3 档" in _text(card)
    assert "nev.voucher.tiers" in card and "2022-09-22" in card
    assert "<details" in card and "30万元（含）以上的最高可抵用10000元" in card
    # what would change it: the next tier
    assert any("50,000 more would qualify for 10,000" in w for w in _testids(card, "whatif"))
    # the date used is the purchase date, and it says so
    assert "2022-10-08" in _testids(r.text, "date-used")[0] and "purchase date" in _testids(r.text, "date-used")[0]


def test_nev_after_the_voucher_window_fails_with_a_cross_and_the_personal_pile(client):
    params = [(k, "2023-01-05" if k == "nev_date" else v) for k, v in NEV] + [("nev_pile", "1")]
    r = client.get("/finder/result", params=params)
    card = _card(r.text, "嘉政办发〔2022〕47号#一")
    # outside the programme's window: "not in force on that date", never "you do not qualify"
    assert 'data-testid="amount"' not in card and "不在施行期内 Not in force on that date" in card
    assert "不符合 Not eligible" not in card and "2022-12-31" in _testids(card, "not-in-force")[0]
    assert any(c.startswith("✗") for c in _testids(card, "condition"))
    assert 'data-testid="claim-link"' not in card
    pile = _card(r.text, "嘉政办发〔2022〕47号#八/personal_pile")
    assert _testids(pile, "amount") == ["¥1,000.00"]
    assert "/documents/嘉政办发〔2022〕47号#嘉政办发〔2022〕47号#八" in _hrefs(pile)


def test_appliance_voucher_and_failed_label(client):
    base = [("who", "citizen"), ("buy", "appliance"), ("app_cat", "refrigerator"), ("app_price", "6000"),
            ("app_date", "2022-10-10"), ("app_district", "秀洲区")]
    ok = client.get("/finder/result", params=base + [("app_label", "1")])
    card = _card(ok.text, "嘉政办发〔2022〕46号#一")
    assert _testids(card, "amount") and _testids(card, "amount")[0].startswith("¥")
    claim = _hrefs(re.search(r'<a[^>]*data-testid="claim-link"[^>]*>', card).group(0))[0]
    assert "programme=appliances" in claim and "district=秀洲区" in claim
    bad = client.get("/finder/result", params=base + [("app_label", "3")])
    card = _card(bad.text, "嘉政办发〔2022〕46号#一")
    failed = [c for c in _testids(card, "condition") if c.startswith("✗")]
    assert failed and any("能效" in c for c in failed)


# ---------------------------------------------------------------- journey 2: a software company


def test_journey_software_milestone_and_why_not_the_larger_one(client):
    r = client.get("/finder/result", params=SOFTWARE)
    assert r.status_code == 200
    card = _card(r.text, "嘉政办发〔2022〕10号#四.（三）")
    assert _testids(card, "amount") == ["¥200,000.00"]
    assert "/documents/嘉政办发〔2022〕10号#嘉政办发〔2022〕10号#四.（三）" in _hrefs(card)
    larger = " ".join(_testids(card, "whatif"))
    assert "21,000,000 < 30,000,000: 9,000,000 more would qualify for 500,000" in larger
    assert "/me/enterprise?clause=" in html.unescape(card)
    assert "2022-12-31" in _testids(r.text, "date-used")[0]
    # listing reward: not due, with the failed condition shown
    listing = _card(r.text, "嘉政办发〔2022〕10号#四.（三）/listing")
    assert any(c.startswith("✗") for c in _testids(listing, "condition"))
    # an unanswered question leaves a rule unknown, naming the missing fact
    fv = _card(r.text, "嘉政办发〔2022〕10号#四.（四）")
    assert any(c.startswith("?") for c in _testids(fv, "condition")) and "首版次软件产品评定级别" in _text(fv)


def test_software_short_of_the_threshold_shows_the_gap(client):
    params = [(k, "19500000" if k == "sw_rev" else v) for k, v in SOFTWARE]
    r = client.get("/finder/result", params=params)
    card = _card(r.text, "嘉政办发〔2022〕10号#四.（三）")
    assert 'data-testid="amount"' not in card
    conds = _testids(card, "condition")
    assert any(c.startswith("✗") and "2000万元" in c for c in conds)
    whatif = " ".join(_testids(card, "whatif"))
    assert "19,500,000 < 20,000,000: 500,000 more would qualify for 200,000" in whatif
    assert "再增加 500,000" in whatif


# ---------------------------------------------------------------- journey 3: a flexible worker


def test_journey_worker_monthly_amount_and_eligibility(client):
    r = client.get("/finder/result", params=WORKER)
    assert r.status_code == 200
    monthly = _card(r.text, "嘉公积金〔2022〕9号#第十二条")
    assert _testids(monthly, "amount") == ["¥600.00"]
    assert "/documents/嘉公积金〔2022〕9号#嘉公积金〔2022〕9号#第十二条" in _hrefs(monthly)
    quote = re.search(r'<div[^>]*data-testid="fund-quote".*?</div>', r.text, flags=re.S).group(0)
    assert "¥600.00" in quote and "第十二条" in urllib.parse.unquote(quote)
    elig = _card(r.text, "嘉公积金〔2022〕9号#第八条")
    assert "✓ 符合条件 Eligible" in elig
    claim = _hrefs(re.search(r'<a[^>]*data-testid="claim-link"[^>]*>', elig).group(0))[0]
    assert claim.startswith("/me/fund")


def test_worker_over_age_and_rate_out_of_range(client):
    params = [(k, {"w_birth": "1960-01-01", "w_rate": "30"}.get(k, v)) for k, v in WORKER]
    r = client.get("/finder/result", params=params)
    assert r.status_code == 200
    elig = _card(r.text, "嘉公积金〔2022〕9号#第八条")
    assert any(c.startswith("✗") and "50" in c for c in _testids(elig, "condition"))
    assert 'data-testid="claim-link"' not in elig
    monthly = _card(r.text, "嘉公积金〔2022〕9号#第十二条")
    assert any(c.startswith("✗") and "24%" in c for c in _testids(monthly, "condition"))
    quote = re.search(r'<div[^>]*data-testid="fund-quote".*?</div>', r.text, flags=re.S).group(0)
    assert "✗" in quote and "10%–24%" in quote
    _no_traceback(r.text)


# ---------------------------------------------------------------- every amount cites its clause


@pytest.mark.parametrize("params", [NEV + [("nev_pile", "1")], SOFTWARE, WORKER])
def test_every_amount_has_a_clause_link(client, params):
    page = client.get("/finder/result", params=params).text
    cards = [c for c in _cards(page) if 'data-testid="amount"' in c]
    assert cards
    for c in cards:
        amount_line = re.search(r'<p class="finder-amount">.*?</p>', c, flags=re.S).group(0)
        docs = [h for h in _hrefs(amount_line) if h.startswith("/documents/")]
        assert docs, amount_line
        doc, _, anchor = docs[0][len("/documents/"):].partition("#")
        assert anchor.startswith(doc + "#")
    # and the links resolve in the reader: the document page has the anchor
    first = [h for h in _hrefs(page) if h.startswith("/documents/")][0]
    doc, _, anchor = first[len("/documents/"):].partition("#")
    reader = client.get("/documents/" + urllib.parse.quote(doc, safe=""))
    assert reader.status_code == 200 and f'id="{anchor}"' in reader.text


# ---------------------------------------------------------------- save and share


def test_share_link_and_short_link_round_trip(client):
    r = client.get("/finder/result", params=NEV)
    share = html.unescape(re.search(r'data-testid="share-link"[^>]*value="([^"]+)"', r.text).group(1))
    u = urllib.parse.urlsplit(share)
    assert u.path == "/finder/result"
    again = client.get(u.path + "?" + u.query)
    assert _testids(again.text, "amount") == _testids(r.text, "amount")

    save = re.search(r'<a href="([^"]+)" data-testid="save-link"', r.text).group(1)
    assert save.startswith("/finder/r/") and len(save) < len(u.path + "?" + u.query)
    short = client.get(save)
    assert short.status_code == 200
    assert _testids(short.text, "amount") == _testids(r.text, "amount") == ["¥6,000.00", "¥37,500.00"]
    assert _card(short.text, "嘉政办发〔2022〕47号#一")

    bad = client.get("/finder/r/not-a-real-link!!")
    assert bad.status_code == 404 and "链接无效" in bad.text
    _no_traceback(bad.text)


def test_pages_use_no_external_assets_and_tap_targets_exist(client):
    for page in (client.get("/finder").text, client.get("/finder/result", params=NEV).text):
        assert not re.search(r'(src|href)="https?://', page)
    assert client.get("/static/finder.css").status_code == 200
    assert client.get("/static/finder.js").status_code == 200


# ---------------------------------------------------------------- every persona, every topic, odd input

EVERYTHING = {
    "citizen": [("who", "citizen"), ("buy", "nev"), ("buy", "appliance"), ("buy", "pension"), ("buy", "ltc"),
                ("district", "南湖区"), ("on", "2022-10-08"), ("nev_price", "199999.99"), ("nev_date", "2022-10-08"),
                ("nev_district", "南湖区"), ("nev_ne", "1"), ("nev_pile", "0"), ("app_cat", "television"),
                ("app_price", "3000"), ("app_label", "2"), ("app_date", "2022-11-11"), ("app_district", "嘉兴港区"),
                ("pen_recipient", "1"), ("pen_amount", "5000"), ("pen_paid", "2022-10-01"), ("pen_back", "0"),
                ("ltc_ins", "employee"), ("ltc_severe", "1"), ("ltc_type", "home"), ("ltc_cost", "3000")],
    "enterprise": SOFTWARE + [("kinds", "nev_sales"), ("kinds", "charging"), ("kinds", "appliance_sales"),
                              ("ent_district", "秀洲区"), ("sw_stage", "growth"), ("sw_sme", "1"), ("sw_fv", "national"),
                              ("sw_listed", "top100"), ("sw_out", "1000000"), ("ns_new", "1"), ("ns_invest", "6000000"),
                              ("ns_scale", "1"), ("ns_units", "1500"), ("ns_rank", "2"), ("ns_show", "1"),
                              ("ns_show_exp", "400000"), ("ch_type", "station"), ("ch_power", "120"),
                              ("ch_loc", "highway_service_area"), ("ch_guarantee", "1"), ("ch_year", "1"),
                              ("ch_energy", "100000.5"), ("as_filed", "1"), ("as_days", "3"), ("as_brands", "5"),
                              ("as_cats", "2"), ("as_exp", "100000"), ("as_spinoff", "0"), ("as_scale", "1")],
    "worker": WORKER,
}


@pytest.mark.parametrize("who", sorted(EVERYTHING))
def test_every_topic_renders_with_clauses(client, who):
    r = client.get("/finder/result", params=EVERYTHING[who])
    assert r.status_code == 200
    _no_traceback(r.text)
    cards = _cards(r.text)
    assert len(cards) >= 3
    for c in cards:  # every card names its clause with a link into the reader
        assert any(h.startswith("/documents/") for h in _hrefs(c))
        assert _testids(c, "condition")
    # the short link gives the same page
    save = re.search(r'<a href="([^"]+)" data-testid="save-link"', r.text).group(1)
    assert _testids(client.get(save).text, "amount") == _testids(r.text, "amount")


def test_long_term_care_and_pension_amounts(client):
    r = client.get("/finder/result", params=EVERYTHING["citizen"])
    assert _testids(_card(r.text, "嘉人社〔2022〕60号#二"), "amount")  # the basic pension
    assert _testids(_card(r.text, "嘉人社〔2022〕60号#三"), "amount")  # the 5,000 tier subsidy
    assert _testids(_card(r.text, "嘉政发〔2022〕21号#一.（二）"), "amount")  # care benefit
    tv = _card(r.text, "嘉政办发〔2022〕46号#一")
    assert _testids(tv, "amount")


ODD = ["", "-1", "1e400", "NaN", "Infinity", "９９", "<script>alert(1)</script>", "x" * 500, "0", "2022-02-30",
       "99999999999999999999", "1,000.5", "12%%"]


@pytest.mark.parametrize("who", sorted(EVERYTHING))
def test_odd_values_never_break_a_page(client, who):
    base = EVERYTHING[who]
    keys = list(dict.fromkeys(k for k, _ in base if k != "who"))
    for key in keys:
        for odd in ODD:
            params = [(k, odd if k == key else v) for k, v in base]
            r = client.get("/finder/result", params=params)
            assert r.status_code in (200, 422), (key, odd, r.status_code)
            assert "<script>alert(1)</script>" not in r.text
            _no_traceback(r.text)


def test_a_logged_in_user_gets_suggestions_but_the_same_answers(client):
    from gazette.auth.testing import TEST_PASSWORD, ensure_user

    ensure_user("finder-citizen", "citizen", district="秀洲区", person_id="330411199001010015")
    c = TestClient(client.app)
    page = c.get("/login", params={"next": "/finder"}).text
    token = re.findall(r'name="csrf_token" value="([^"]+)"', page)[-1]
    r = c.post("/login", data={"username": "finder-citizen", "password": TEST_PASSWORD, "csrf_token": token,
                               "next": "/finder"}, follow_redirects=False)
    assert r.status_code == 303
    first = c.get("/finder").text
    assert re.search(r'name="who" value="citizen" checked', first)
    topics = c.get("/finder", params=[("who", "citizen"), ("step", "topics")]).text
    assert re.search(r'<option value="秀洲区" selected>', topics)
    # the result depends on the answers only: the same URL gives the same amounts logged in or not
    assert _testids(c.get("/finder/result", params=NEV).text, "amount") == \
        _testids(client.get("/finder/result", params=NEV).text, "amount")


def test_permalink_keeps_only_the_answers_of_the_chosen_path(client):
    stale = NEV + [("sw_rev", "123"), ("kinds", "software")]  # left over from trying the enterprise path
    r = client.get("/finder/result", params=stale)
    share = html.unescape(re.search(r'data-testid="share-link"[^>]*value="([^"]+)"', r.text).group(1))
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(share).query)
    assert "sw_rev" not in q and "kinds" not in q and q["nev_price"] == ["250000"]
