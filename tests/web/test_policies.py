"""/policies — cards by persona with their status today, what they pay (from the cited parameters) and a
button into the finder at the right step."""

from __future__ import annotations

import datetime as dt
import html
import re
import urllib.parse

import pytest

from tests.web.test_finder import _text

PERSONAS = ("市民", "企业", "灵活就业人员", "退休人员", "失能人员家庭")


def _cards(page: str) -> list[str]:
    return re.findall(r'<article class="policy-card.*?</article>', page, flags=re.S)


def _card(page: str, title: str) -> str:
    return next(c for c in _cards(page) if title in c)


@pytest.fixture()
def on(monkeypatch):
    from jiaxing.web import policies

    def set_day(day: dt.date) -> None:
        monkeypatch.setattr(policies, "_today", lambda: day)
    return set_day


def test_cards_by_persona_with_status_pay_and_finder_step(corpus_client, on):
    on(dt.date(2022, 10, 8))
    page = corpus_client.get("/policies").text
    for p in PERSONAS:
        assert f">{p} <small" in page
    nev = _card(page, "新能源汽车消费券")
    assert "施行中" in _text(nev) and "2022-12-31" in _text(nev)
    assert "3,000、6,000、10,000 元" in _text(nev)  # read from nev.voucher.tiers, not typed twice
    href = html.unescape(re.search(r'href="([^"]+)" data-testid="policy-finder"', nev).group(1))
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
    assert q == {"who": ["citizen"], "buy": ["nev"], "step": ["topics"]}
    step = corpus_client.get(href)
    assert step.status_code == 200 and 'data-step="topics"' in step.text and 'value="nev" checked' in step.text
    assert "每人每月 320 元" in _text(_card(page, "基础养老金"))
    assert "1,500 元" in _text(_card(page, "长期护理保险"))


def test_status_today_expired_and_not_in_our_gazettes(corpus_client, on):
    on(dt.date(2026, 3, 1))
    page = corpus_client.get("/policies").text
    nev = _card(page, "新能源汽车消费券")
    assert 'data-status="expired"' in nev and "已于 2022-12-31 失效" in _text(nev)
    assert "10,000" in _text(nev)  # what it paid while in force
    ltc = _card(page, "长期护理保险")
    assert 'data-status="unknown"' in ltc and "不在本库公报中" in _text(ltc)
    assert 'data-status="in_force"' in _card(page, "灵活就业人员住房公积金")
