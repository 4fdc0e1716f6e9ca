"""Officials' dashboards: a district officer sees only their district (pages, charts, CSV), the
city admin everything with action buttons, the auditor everything read-only (POSTs 403, nothing
written); CSV exports are UTF-8 with BOM and amounts in yuan; the fund dashboard shows
collections, arrears and sealed accounts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import pytest

from gazette.store.db import unit_of_work
from gazette.validate import example_enterprise_id, example_person_id
from tests.web import _selfsvc
from tests.web._selfsvc import (
    NEV_DEALER,
    SOFTWARE,
    by_testid,
    counts,
    csrf_of,
    form_of,
    hrefs,
    login,
    text_of,
)
from tests.web._selfsvc import client as anonymous

fresh = _selfsvc.fresh  # fixtures
world = _selfsvc.world

PAGES = ("/officials", "/officials/vouchers", "/officials/applications", "/officials/fund")
CSVS = ("/officials/vouchers.csv", "/officials/applications.csv", "/officials/fund.csv")


PEOPLE: dict[str, str] = {}
UNREGISTERED = example_enterprise_id(901)  # an enterprise without a registered district
F1, F2, F3 = (example_person_id(n, born="19850302") for n in (801, 802, 803))


def claim(person: str, programme: str, district: str, purchase: dict | None = None) -> int:
    from jiaxing.schemes.vouchers import service as V

    person = PEOPLE.setdefault(person, example_person_id(500 + len(PEOPLE)))  # a valid ID number per label
    with unit_of_work() as s:
        vid = V.claim(s, programme=programme, district=district, person_id=person, key=f"t-{person}-{programme}")[
            "voucher_id"]
    if purchase:
        with unit_of_work() as s:
            V.redeem(s, voucher_id=vid, purchase=purchase, key=f"t-r-{vid}")
    return vid


NEV_BUY = {"price_yuan": "250000", "date": "2022-10-08", "new_energy": True}


@pytest.fixture()
def busy(world):
    """Claims in 南湖区 and 秀洲区 over two days, one redeemed; applications of enterprises of both
    districts and of one without a registered district."""
    from jiaxing.schemes.vouchers import enterprise as EN
    from jiaxing.schemes.vouchers import service as V

    claim("P-NH-1", "nev", "南湖区", NEV_BUY)
    claim("P-NH-2", "nev", "南湖区")
    claim("P-XZ-1", "nev", "秀洲区")
    with unit_of_work() as s:
        V.set_business_date(s, dt.date(2022, 10, 9))
    claim("P-NH-3", "appliances", "南湖区")
    claim("P-XZ-2", "nev", "秀洲区")
    claim("P-XZ-3", "appliances", "秀洲区")
    EN.no_apply_run()  # offers the software company (南湖区) its milestone reward
    show = {"nev_sales_company": True, "nev_show_filed": True, "nev_show_expense_yuan": "80000"}
    with unit_of_work() as s:
        EN.submit(s, enterprise_id=NEV_DEALER, clause="嘉政办发〔2022〕47号#二", facts=show, key="t-a1")
    with unit_of_work() as s:
        EN.submit(s, enterprise_id=UNREGISTERED, clause="嘉政办发〔2022〕47号#二", facts=show, key="t-a2")
    return world


def _csv(resp) -> list[list[str]]:
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"].startswith("text/csv")
    assert resp.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right
    return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))


# ---------------------------------------------------------------- access


def test_anonymous_is_sent_to_log_in_and_citizens_are_refused(world):
    for path in PAGES + CSVS:
        r = anonymous().get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next="), path
    c, e = login("citizen"), login("enterprise")
    for path in PAGES + CSVS:
        assert c.get(path).status_code == 403 and e.get(path).status_code == 403, path


def test_officer_sees_only_their_district_in_page_chart_and_csv(busy):
    o = login("officer-nanhu")
    page = o.get("/officials/vouchers").text
    rows = re.findall(r'data-testid="pool-row" data-district="([^"]+)"', page)
    assert rows and set(rows) == {"南湖区"} and len(rows) == 2  # nev and appliances pools of 南湖区
    assert "秀洲区" not in text_of(page.split("<main", 1)[1])
    # the chart's groups are 南湖区 only
    for svg in re.findall(r"<svg.*?</svg>", page, flags=re.S):
        cats = {g.get("data-category") for g in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}g")
                if g.get("data-category")}
        assert cats <= {"南湖区", "10-08", "10-09"}
    # claims per day counts 南湖区 only: 2 NEV on 10-08, 1 appliance on 10-09
    claims = by_testid(page, "claims-table")[0]
    assert re.search(r"2022-10-08</th><td class=\"num\">2</td><td class=\"num\">0</td><td class=\"num\">2", claims)
    assert re.search(r"2022-10-09</th><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num\">1", claims)
    # another district asked for in the URL is ignored
    page = o.get("/officials/vouchers", params={"district": "秀洲区"}).text
    assert set(re.findall(r'data-testid="pool-row" data-district="([^"]+)"', page)) == {"南湖区"}
    rows = _csv(o.get("/officials/vouchers.csv", params={"district": "秀洲区"}))
    assert rows[0][1].startswith("县") and {r[1] for r in rows[1:]} == {"南湖区"} and len(rows) == 3
    nev = next(r for r in rows[1:] if r[0] == "nev")
    assert nev[2:6] == ["22000000.00", "21984000.00", "10000.00", "6000.00"]  # budget, remaining, issued, redeemed
    claims = _csv(o.get("/officials/vouchers.csv", params={"table": "claims"}))
    assert sorted((r[0], r[1], r[2]) for r in claims[1:]) == [("2022-10-08", "nev", "2"),
                                                             ("2022-10-09", "appliances", "1")]
    # and the other officer sees the other district only
    x = login("officer-xiuzhou").get("/officials/vouchers").text
    assert set(re.findall(r'data-testid="pool-row" data-district="([^"]+)"', x)) == {"秀洲区"}


def test_officer_sees_applications_of_their_district_only_and_no_fund(busy):
    o = login("officer-nanhu")
    page = o.get("/officials/applications").text
    rows = by_testid(page, "application-row")
    assert len(rows) == 1 and 'data-district="南湖区"' in rows[0] and SOFTWARE in rows[0]
    assert NEV_DEALER not in page and UNREGISTERED not in page
    assert "<form" not in page.split('id="list-h"', 1)[1].split("</section>", 1)[0]  # no action buttons
    rows = _csv(o.get("/officials/applications.csv"))
    assert [r[1] for r in rows[1:]] == [SOFTWARE]
    x = login("officer-xiuzhou").get("/officials/applications").text
    assert [NEV_DEALER in r for r in by_testid(x, "application-row")] == [True]
    assert o.get("/officials/fund").status_code == 403 and o.get("/officials/fund.csv").status_code == 403
    overview = o.get("/officials").text
    assert 'href="/officials/fund"' not in overview and "南湖区" in text_of(by_testid(overview, "scope")[0])


def test_admin_sees_every_district_and_can_filter(busy):
    a = login("admin")
    page = a.get("/officials/vouchers").text
    districts = re.findall(r'data-testid="pool-row" data-district="([^"]+)" data-programme="nev"', page)
    assert len(districts) == 9 and {"南湖区", "秀洲区", "嘉兴港区"} <= set(districts)
    assert 'data-testid="run-expiry"' in page
    page = a.get("/officials/vouchers", params={"district": "秀洲区"}).text
    assert set(re.findall(r'data-testid="pool-row" data-district="([^"]+)"', page)) == {"秀洲区"}
    rows = _csv(a.get("/officials/vouchers.csv"))
    assert len(rows) == 1 + 18
    # every amount cites its clause
    assert any(h.endswith("#嘉政办发〔2022〕47号#一/district_budget") or h.endswith("#嘉政办发〔2022〕47号#一")
               for h in hrefs(page))
    apps = a.get("/officials/applications").text
    assert len(by_testid(apps, "application-row")) == 3
    pipeline = _csv(a.get("/officials/applications.csv", params={"table": "status"}))
    by = {r[0]: (r[1], r[2]) for r in pipeline[1:]}
    assert by["offered"] == ("1", "200000.00") and by["submitted"] == ("2", "80000.00")


def test_admin_reviews_approves_and_pays_an_application(busy):
    from jiaxing.schemes.vouchers import enterprise as EN

    a = login("admin")
    with unit_of_work() as s:
        app = next(x for x in EN.list_applications(s, enterprise_id=NEV_DEALER))
    aid = app["application_id"]
    page = a.get("/officials/applications").text
    assert c_post(a, page, f"/officials/applications/{aid}/review").status_code == 303
    page = a.get(f"/officials/applications/{aid}").text  # approving happens on the application's own page
    assert f"{app['amount_yuan']}" in text_of(by_testid(page, "app-amount")[0]).replace(",", "")  # shown first
    assert by_testid(page, "app-facts") and by_testid(page, "app-evidence")
    assert not re.search(r"\bonce\b", text_of(page.split("<main", 1)[1]))  # periods in words, not codes
    approve = form_of(page, f"/officials/applications/{aid}/approve")
    before = counts()
    unconfirmed = a.post(f"/officials/applications/{aid}/approve", data=approve)
    assert unconfirmed.status_code == 422 and "勾选确认" in unconfirmed.text and counts() == before
    approve["confirm"] = "yes"
    r = a.post(f"/officials/applications/{aid}/approve", data=approve)
    assert r.status_code == 303 and r.headers["location"] == f"/officials/applications/{aid}?done=approve"
    assert a.post(f"/officials/applications/{aid}/approve", data=approve).status_code == 303  # double submit replays
    page = a.get(f"/officials/applications/{aid}").text
    pay = {**form_of(page, f"/officials/applications/{aid}/pay"), "confirm": "yes"}
    assert a.post(f"/officials/applications/{aid}/pay", data=pay).status_code == 303
    with unit_of_work() as s:
        assert EN.get_application(s, aid)["status"] == "paid"
    # paying again is refused with a clear page, nothing written
    before = counts()
    r = a.post(f"/officials/applications/{aid}/pay", data={"csrf_token": csrf_of(page), "nonce": "other",
                                                           "confirm": "yes"})
    assert r.status_code == 409 and "application_not_payable" in r.text and counts() == before


def c_post(client, page: str, action: str):
    return client.post(action, data=form_of(page, action))


def test_auditor_reads_everything_but_every_post_is_refused(busy):
    from jiaxing.schemes.vouchers import enterprise as EN

    au = login("auditor")
    for path in PAGES:
        r = au.get(path)
        assert r.status_code == 200, path
        assert "只读 Read-only" in r.text
    for path in CSVS:
        assert _csv(au.get(path))
    apps = au.get("/officials/applications").text
    assert len(by_testid(apps, "application-row")) == 3
    assert 'data-testid="approve"' not in apps and 'data-testid="run-no-apply"' not in apps
    assert 'data-testid="run-expiry"' not in au.get("/officials/vouchers").text
    with unit_of_work() as s:
        aid = next(x for x in EN.list_applications(s, enterprise_id=NEV_DEALER))["application_id"]
    token = csrf_of(apps)
    before = counts()
    for action in ("review", "approve", "reject", "pay"):
        r = au.post(f"/officials/applications/{aid}/{action}", data={"csrf_token": token, "reason": "x", "nonce": "n"})
        assert r.status_code == 403, action
    assert au.post("/officials/vouchers/expiry", data={"csrf_token": token}).status_code == 403
    assert au.post("/officials/applications/no-apply-run", data={"csrf_token": token}).status_code == 403
    assert au.post("/me/vouchers/claim", data={"csrf_token": token, "programme": "nev",
                                                "district": "南湖区"}).status_code == 403
    assert counts() == before
    # a district officer may not act either
    o = login("officer-nanhu")
    r = o.post(f"/officials/applications/{aid}/review", data={"csrf_token": csrf_of(o.get("/officials").text)})
    assert r.status_code == 403 and counts() == before


def test_admin_action_needs_csrf(busy):
    from jiaxing.schemes.vouchers import enterprise as EN

    a = login("admin")
    with unit_of_work() as s:
        aid = next(x for x in EN.list_applications(s, enterprise_id=NEV_DEALER))["application_id"]
    before = counts()
    assert a.post(f"/officials/applications/{aid}/review", data={}).status_code == 403
    assert a.post("/officials/vouchers/expiry", data={"csrf_token": "nope"}).status_code == 403
    assert counts() == before


def test_expiry_run_from_the_dashboard(busy):
    from jiaxing.schemes.vouchers import service as V

    with unit_of_work() as s:
        V.set_business_date(s, dt.date(2023, 1, 2))
    a = login("admin")
    page = a.get("/officials/vouchers").text
    r = c_post(a, page, "/officials/vouchers/expiry")
    assert r.status_code == 303 and "n=5" in r.headers["location"]  # the 5 unused vouchers
    with unit_of_work() as s:
        assert {v["status"] for v in V.list_vouchers(s)} == {"expired", "redeemed"}
    assert c_post(a, a.get("/officials/vouchers").text, "/officials/vouchers/expiry").status_code == 303  # no-op


# ---------------------------------------------------------------- fund


@pytest.fixture()
def fund_month(world):
    """Three accounts opened on 2022-10-08; October collected on 2022-11-05 with one failed debit;
    one account stopped (sealed)."""
    from jiaxing.schemes.provident_fund import service as F
    from jiaxing.schemes.provident_fund.domain import Applicant

    with unit_of_work() as s:
        for pid, name, base in ((F1, "王五", 500000), (F2, "赵六", 400000), (F3, "孙七", 800000)):
            F.open_account(s, Applicant(pid, name, "male", dt.date(1985, 3, 2)), base, "12")
    with unit_of_work() as s:
        F.advance(s, dt.date(2022, 11, 5))
    F.monthly_collection("2022-10")
    with unit_of_work() as s:
        from sqlalchemy import text

        refs = [(r, a) for r, a in s.execute(text("SELECT ref, amount_fen FROM pf_collections WHERE status = 'pending'"
                                                    " ORDER BY account_id"))]
    lines = [(r, a, "failed" if i == 1 else "ok") for i, (r, a) in enumerate(refs)]
    F.import_bank_results("bank-2022-10", lines)
    F.arrears_run("2022-10")
    with unit_of_work() as s:
        F.stop(s, F3)
    return world


def test_fund_dashboard_collections_arrears_sealed(fund_month):
    a = login("admin")
    page = a.get("/officials/fund").text
    table = by_testid(page, "fund-collections")[0]
    row = re.search(r"<tr><th scope=\"row\">2022-10</th>(.*?)</tr>", table, flags=re.S).group(1)
    cells = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]
    # debited: F-1 600 + F-3 960; failed: F-2 480
    assert cells[0] == "2 笔 · 1,560.00" and cells[2] == "1,560.00" and cells[3] == "1 笔 · 480.00"
    arrears = by_testid(page, "fund-arrears")[0]
    assert "赵六" in arrears and F2 in arrears and "王五" not in arrears
    sealed = by_testid(page, "fund-sealed")[0]
    assert "孙七" in sealed and "本人申请停缴" in sealed
    svg = re.search(r"<svg.*?</svg>", page, flags=re.S).group(0)
    root = ET.fromstring(svg)
    vals = {(r.get("data-series"), r.get("data-value")) for r in root.iter("{http://www.w3.org/2000/svg}rect")
            if r.get("class") == "bar"}
    assert ("扣款到账 Debited", "156000") in vals and ("扣款失败 Failed", "48000") in vals
    rows = _csv(a.get("/officials/fund.csv"))
    assert rows[1][:3] == ["2022-10", "2", "1560.00"]
    assert [r[0] for r in _csv(a.get("/officials/fund.csv", params={"table": "arrears"}))[1:]] == [F2]
    assert [r[2] for r in _csv(a.get("/officials/fund.csv", params={"table": "sealed"}))[1:]] == ["request"]
    overview = a.get("/officials").text
    assert 'href="/officials/fund"' in overview


def test_officials_pages_in_elder_mode_and_with_no_data(fresh):
    a = login("admin")
    a.cookies.set("gazette_elder", "1")
    for path in PAGES:
        r = a.get(path)
        assert r.status_code == 200 and '<body class="elder"' in r.text, path
    assert "暂无" in a.get("/officials/fund").text
