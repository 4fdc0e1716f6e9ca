"""The shared layout (base.html) and stylesheet: skip link, language, navigation by role, the
长辈版 switch (cookie and body class), the account block, and the CSS rules that accessibility
depends on (large text, tap targets, focus outlines, contrast of every colour pair).  Computed
styles in a real browser are checked by the end-to-end tests."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gazette.api.app import create_app

CSS = Path(__file__).resolve().parents[2] / "src" / "gazette" / "web" / "static" / "site.css"
READER_PAGES = ["/", "/issues/2022-10", "/documents/%E5%98%89%E6%94%BF%E5%8A%9E%E5%8F%91%E3%80%942022%E3%80%9547%E5%8F%B7",
                "/search?q=5G", "/personnel"]


@pytest.fixture(scope="module")
def client(corpus_client):
    return corpus_client


def body_class(page: str) -> str:
    m = re.search(r'<body class="([^"]*)"', page)
    assert m, "no <body class=…>"
    return m.group(1)


def nav_links(page: str) -> list[str]:
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', page, flags=re.S)
    assert nav, "no main navigation"
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', nav.group(1))]


def login(username: str, role: str, **fields) -> TestClient:
    """A fresh client logged in through the real login form (CSRF token and all)."""
    from gazette.auth.testing import TEST_PASSWORD, ensure_user

    ensure_user(username, role, **fields)
    c = TestClient(create_app(), raise_server_exceptions=False)
    form = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    resp = c.post("/login", data={"username": username, "password": TEST_PASSWORD, "csrf_token": token, "next": "/"},
                  follow_redirects=False)
    assert resp.status_code == 303, resp.text[:300]
    return c


# --- base.html -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", READER_PAGES)
def test_every_reader_page_has_lang_skip_link_main_and_nav(client, path):
    page = client.get(path).text
    assert '<html lang="zh-CN"' in page
    assert re.search(r'<a class="skip-link" href="#main">', page)
    assert page.index('class="skip-link"') < page.index("<header")  # first thing a keyboard user meets
    assert '<main id="main"' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    links = nav_links(page)
    for href in ("/", "/finder", "/me"):
        assert href in links
    assert "/officials" not in links  # anonymous: no officials' link
    assert '<link rel="stylesheet" href="/static/site.css">' in page
    # everything is served by the app: no external scripts, styles or fonts
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="(https?:)?//', page)


def test_anonymous_header_offers_login_back_to_this_page_and_the_search_box(client):
    page = client.get("/personnel?q=%E5%AE%A1%E8%AE%A1").text
    assert 'href="/login?next=/personnel%3Fq%3D%25E5%25AE%25A1%25E8%25AE%25A1"' in page
    assert re.search(r'<form class="search" action="/search" method="get" role="search">', page)
    assert re.search(r'<label for="site-q"[^>]*>', page) and 'id="site-q"' in page
    assert "/logout" not in page


def test_elder_switch_sets_the_cookie_and_the_body_class(client):
    c = TestClient(create_app(), raise_server_exceptions=False)
    page = c.get("/personnel").text
    assert body_class(page) == ""
    assert 'href="/elder?on=1&amp;next=/personnel"' in page
    resp = c.get("/elder", params={"on": "1", "next": "/personnel"}, follow_redirects=False)
    assert resp.status_code in (302, 303) and resp.headers["location"] == "/personnel"
    assert "gazette_elder=1" in resp.headers["set-cookie"]
    page = c.get("/personnel").text
    assert body_class(page) == "elder" and '<html lang="zh-CN" class="elder">' in page
    assert 'href="/elder?on=0&amp;next=/personnel"' in page and "标准版" in page
    resp = c.get("/elder", params={"on": "0", "next": "/"}, follow_redirects=False)
    assert resp.status_code in (302, 303)
    page = c.get("/").text
    assert body_class(page) == ""
    # only local paths are followed
    resp = c.get("/elder", params={"on": "1", "next": "//evil.example/"}, follow_redirects=False)
    assert resp.headers["location"] == "/"


def test_logged_in_citizen_sees_name_role_and_a_csrf_protected_logout(client):
    c = login("layout-citizen", "citizen", display_name="张三", district="南湖区", person_id="33040219900101129X")
    page = c.get("/").text
    header = page[page.index("<header"):page.index("</header>")]
    assert "张三" in header and "市民" in header
    form = re.search(r'<form class="inline" action="/logout" method="post">(.*?)</form>', header, flags=re.S)
    assert form and re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', form.group(1))
    assert "/officials" not in nav_links(page) and "/login?next=" not in header
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(1)).group(1)
    out = c.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert "/login?next=" in c.get("/").text


@pytest.mark.parametrize(
    ("role", "fields", "label"),
    [
        ("district_officer", {"district": "南湖区"}, "区级工作人员"),
        ("city_admin", {}, "市级管理员"),
        ("auditor", {}, "审计"),
    ],
)
def test_officials_link_only_for_officers_admins_and_auditors(client, role, fields, label):
    c = login(f"layout-{role}", role, **fields)
    page = c.get("/").text
    assert "/officials" in nav_links(page)
    assert label in page[page.index("<header"):page.index("</header>")]


def test_enterprise_user_has_no_officials_link(client):
    c = login("layout-enterprise", "enterprise", enterprise_id="913304007000000094")
    page = c.get("/").text
    assert "/officials" not in nav_links(page) and "企业" in page


def test_current_page_is_marked_in_the_nav(client):
    page = client.get("/personnel").text
    nav = re.search(r'<nav class="nav"[^>]*>(.*?)</nav>', page, flags=re.S).group(1)
    assert re.search(r'<a href="/personnel" aria-current="page">', nav)
    assert not re.search(r'<a href="/" aria-current="page">', nav)


# --- site.css ------------------------------------------------------------------------------------


def _rules(css: str) -> list[tuple[str, str]]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [(sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]


def _decl(body: str, prop: str) -> str | None:
    m = re.search(rf"(?:^|;)\s*{re.escape(prop)}\s*:\s*([^;]+)", body)
    return m.group(1).strip() if m else None


def test_static_css_is_served(client):
    resp = client.get("/static/site.css")
    assert resp.status_code == 200 and resp.headers["content-type"].startswith("text/css")
    assert "body.elder" in resp.text


def test_elder_css_has_large_text_line_height_and_48px_targets():
    rules = _rules(CSS.read_text(encoding="utf-8"))
    body = [b for s, b in rules if s == "body.elder"]
    assert body, "no body.elder rule"
    size = _decl(body[0], "font-size")
    assert size and size.endswith("px") and float(size[:-2]) >= 18
    lh = _decl(body[0], "line-height")
    assert lh and float(lh) >= 1.3
    # every smaller-text override inside 长辈版 still stays ≥ 18 px
    for sel, b in rules:
        if "body.elder" in sel and (fs := _decl(b, "font-size")) and fs.endswith("px"):
            assert float(fs[:-2]) >= 18, sel
    # buttons, links styled as buttons and form controls are ≥ 48 px tall in 长辈版
    targets = [b for s, b in rules if "body.elder button" in s and "body.elder input" in s]
    assert targets and _decl(targets[0], "min-height") == "48px"


def test_css_has_focus_outlines_and_the_documented_components():
    css = CSS.read_text(encoding="utf-8")
    rules = _rules(css)
    focus = [b for s, b in rules if ":focus-visible" in s]
    assert focus and any(_decl(b, "outline") and "solid" in _decl(b, "outline") for b in focus)
    assert not any(_decl(b, "outline") in ("none", "0") for s, b in rules if ":focus-visible" in s)
    header = css[:css.index("*/")]
    for cls in (".card", ".grid", ".btn", ".btn-secondary", ".cond-pass", ".cond-fail", ".cond-unknown", ".amount",
                ".table-wrap", ".notice", ".form-row", ".stepper", ".chart"):
        assert cls in header, f"{cls} not documented"
        assert re.search(rf"{re.escape(cls)}\b[^{{]*\{{", css[css.index("*/"):]), f"{cls} has no rule"
    wrap = [b for s, b in rules if s == ".table-wrap"]
    assert wrap and _decl(wrap[0], "overflow-x") == "auto"


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5))

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_helper_matches_known_values():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert contrast("#777777", "#ffffff") < 4.5 < contrast("#767676", "#ffffff")


def test_every_text_colour_pair_has_contrast_of_at_least_4_5():
    css = CSS.read_text(encoding="utf-8")
    root = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [("ink", "bg"), ("muted", "bg"), ("muted", "bg-soft"), ("accent", "bg"), ("accent-ink", "accent"),
             ("link", "bg"), ("link-visited", "bg"), ("accent", "bg-soft"),
             ("ink", "mark-bg"), ("focus", "bg")]
    # every badge / condition / notice: its ink on its background, and body text and links on it
    for tone in ("ok", "bad", "warn", "info", "old"):
        pairs += [(f"{tone}-ink", f"{tone}-bg"), ("ink", f"{tone}-bg"), ("muted", f"{tone}-bg"),
                  ("link", f"{tone}-bg")]
    for fg, bg in pairs:
        assert fg in root and bg in root, (fg, bg)
        assert contrast(root[fg], root[bg]) >= 4.5, (fg, bg, round(contrast(root[fg], root[bg]), 2))
    # literal colours used for text on buttons (hover and disabled states)
    for fg, bg in (("#ffffff", "#7f1013"), ("#ffffff", "#6b6b6b"), ("#7f1013", root["bg-soft"])):
        assert contrast(fg, bg) >= 4.5


def test_badges_carry_text_not_only_colour(client):
    page = client.get("/", params={"on": "2022-10-08"}).text
    badges = re.findall(r'<span class="badge [^"]+">(.*?)</span>', page, flags=re.S)
    assert badges and all(re.sub(r"<[^>]+>", "", b).strip() for b in badges)
