"""#9 — pages for citizens and enterprises speak to people: no internal code (snake_case identifiers,
dotted parameter ids, ``http_404``, the programme code ``nev``) in the visible text of any page a citizen
or an enterprise sees. Codes for support staff live inside ``<details class="support-codes">``."""

from __future__ import annotations

import html
import re
import urllib.parse

from tests.web import _selfsvc
from tests.web._selfsvc import client as anonymous
from tests.web._selfsvc import form_of, login
from tests.web.test_finder import EVERYTHING, NEV

fresh = _selfsvc.fresh  # fixtures
world = _selfsvc.world

CODE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b|\bhttp_\d+\b|\b[a-z]+(?:\.[a-z_]+){2,}\b|\bnev\b")


def visible(page: str) -> str:
    """The text a person sees: no scripts or styles, no support details, no tags or attributes."""
    t = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    t = re.sub(r'<details class="support-codes.*?</details>', " ", t, flags=re.S)
    t = re.sub(r"<[^>]+>", " ", t)
    return html.unescape(t)


def codes(page: str) -> list[str]:
    return sorted(set(CODE.findall(visible(page))))


def test_the_check_catches_codes():
    assert codes("<p>already_claimed</p><p>http_404</p><p>nev.voucher.tiers</p><p>nev</p>") == [
        "already_claimed", "http_404", "nev", "nev.voucher.tiers"]
    assert codes('<a href="/x?a_b=1" data-rule="x_y">新能源汽车</a><details class="support-codes">a_b</details>') == []


def _walk_finder(c) -> dict[str, str]:
    from jiaxing.web import finder_flow as F

    pages = {"/finder": c.get("/finder").text}
    citizen = [("who", "citizen"), ("buy", "nev"), ("buy", "appliance"), ("buy", "pension"), ("buy", "ltc"),
               ("district", "南湖区")]
    enterprise = [("who", "enterprise"), ("kinds", "software"), ("kinds", "nev_sales"), ("kinds", "charging"),
                  ("kinds", "appliance_sales"), ("year", "2022")]
    for base in (citizen, enterprise, [("who", "worker")]):
        for s in F.flow(F.answers_from(base)):
            pages[f"step {s.id}"] = c.get("/finder", params=base + [("step", s.id)]).text
    for who, params in EVERYTHING.items():
        pages[f"result {who}"] = c.get("/finder/result", params=params).text
    pages["result not sure"] = c.get("/finder/result", params=[(k, v) for k, v in NEV if k != "nev_ne"]).text
    pages["result bad"] = c.get("/finder/result", params=[(k, "-1" if k == "nev_price" else v) for k, v in NEV]).text
    pages["policies"] = c.get("/policies").text
    return pages


def test_no_internal_code_on_any_citizen_or_enterprise_page(world):
    pages = _walk_finder(anonymous())
    citizen = login("citizen")
    pages["/me/vouchers"] = citizen.get("/me/vouchers").text
    link = "/me/vouchers?" + urllib.parse.urlencode({"programme": "nev", "district": "南湖区", "price": "250000",
                                                     "date": "2022-10-08"})
    page = citizen.get(link).text
    pages["/me/vouchers from the finder"] = page
    hidden = form_of(page, "/me/vouchers/claim")
    r = citizen.post("/me/vouchers/claim", data={**hidden, "programme": "nev", "district": "南湖区"})
    pages["after a claim"] = citizen.get(r.headers["location"]).text
    again = citizen.post("/me/vouchers/claim", data={**form_of(page, "/me/vouchers/claim"), "programme": "nev",
                                                     "district": "南湖区"})
    pages["claim refused"] = again.text
    pages["claim bad district"] = citizen.post("/me/vouchers/claim", data={
        **form_of(page, "/me/vouchers/claim"), "programme": "appliances", "district": "火星区"}).text
    worker = login("worker")
    pages["/me/fund"] = worker.get("/me/fund").text
    ent = login("enterprise")
    pages["/me/enterprise"] = ent.get("/me/enterprise").text
    for clause in ("嘉政办发〔2022〕10号#四.（三）", "嘉政办发〔2022〕47号#二", "嘉政办发〔2022〕10号#四.（四）"):
        pages[f"/me/enterprise {clause}"] = ent.get("/me/enterprise", params={"clause": clause}).text
    leaks = {name: codes(p) for name, p in pages.items() if codes(p)}
    assert not leaks, leaks


def test_pack_templates_have_no_inline_script():
    """A strict Content-Security-Policy (no inline script) holds: scripts come from static files only."""
    from pathlib import Path

    import jiaxing.web

    for t in sorted((Path(jiaxing.web.__file__).parent / "templates").glob("*.html")):
        text = t.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text), t.name
        assert not re.search(r"\son[a-z]+\s*=", text), t.name
