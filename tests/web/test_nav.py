"""The header labels a role once, in words; the pack's services appear in the navigation to those who use them."""

from __future__ import annotations

import re

import pytest

from gazette.auth.principal import ROLE_LABELS, Role
from gazette.packs import NavItem, load_pack
from gazette.web.templating import role_label


def test_every_role_has_one_label_in_words():
    for role in Role:
        label = role_label(role)
        assert label == " ".join(ROLE_LABELS[role])
        assert role.value not in label or role.value == label.split()[-1].lower()


def test_nav_item_roles_and_current_page():
    item = NavItem("/budget", "预算", "Budget", roles=("department",))
    assert item.shown_to("department") and not item.shown_to("citizen") and not item.shown_to(None)
    assert item.current("/budget") and item.current("/budget/2023/department") and not item.current("/budgets")
    public = NavItem("/airspace", "空域管制", "Airspace")
    assert public.shown_to(None) and public.shown_to("auditor")


def test_pack_nav_links_lead_to_pages(corpus_client):
    for item in load_pack().nav:
        answer = corpus_client.get(item.href, follow_redirects=False)
        assert answer.status_code in (200, 303, 307), (item.href, answer.status_code)
        if answer.status_code != 200:  # a page for signed-in users sends the anonymous to log in
            assert "/login" in answer.headers["location"]
        for role in item.roles:
            Role(role)  # every role named exists


@pytest.mark.parametrize("path", ["/", "/airspace"])
def test_anonymous_header_shows_public_services_only(corpus_client, path):
    html = corpus_client.get(path).text
    nav = re.search(r'<nav class="nav".*?</nav>', html, re.S).group(0)
    assert "空域管制 Airspace" in nav and "政策一览 Policies" in nav
    assert "预算 Budget" not in nav and "督查 Supervision" not in nav


@pytest.mark.parametrize(("role", "unit", "lands"), [
    ("finance_officer", None, "/budget"),
    ("department", "市教育局", "/budget"),
    ("unit_reporter", "嘉兴海关", "/supervision/unit"),
    ("supervision_officer", None, "/supervision"),
    ("pension_officer", None, "/officials/pension"),
    ("registrar", None, "/airspace/registry"),
    ("assessor", None, "/ltc/assessor"),
    ("expert", None, "/ltc/expert"),
])
def test_each_role_lands_on_its_own_service(corpus_client, role, unit, lands):
    from tests.web.test_layout import login

    fields = {"unit": unit} if unit else {}
    c = login(f"land-{role}", role, **fields)
    answer = c.get("/me", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == lands
