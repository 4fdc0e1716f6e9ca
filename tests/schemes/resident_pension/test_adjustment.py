"""一 of 嘉人社〔2022〕60号: the linked adjustment — proposal, edit, submission, approval, then payroll."""

from __future__ import annotations

import pytest

from gazette.errors import GazetteError
from gazette.store.db import unit_of_work
from jiaxing.schemes.resident_pension import domain, service, views
from jiaxing.schemes.resident_pension import payroll as payroll_runs

from .conftest import OFFICER, advance, counts, enrol

APPROVER = "approver-p"
ROUND = domain.ROUND_UNIT_FEN


def test_rounding_reproduces_the_gazettes_2022_figure():
    """嘉人社〔2022〕60号#一 and #二: 290 × (1 + 9.5%) = 317.55 → 320 (rounded up to whole 10 yuan)."""
    assert domain.propose(29000, domain.growth_ppm("9.5%")) == 32000
    assert domain.propose(32000, domain.growth_ppm("0")) == 32000
    assert domain.propose(32000, domain.growth_ppm("0.0001")) == 33000  # 320.032 → 330
    assert domain.growth_ppm("9.5") == domain.growth_ppm("0.095") == 95_000


def test_officer_proposes_approver_approves_payroll_uses_it_and_tops_up(pension):
    """嘉人社〔2022〕60号#一: 报请市政府同意后实施 — only the approved standard reaches the payroll."""
    p = enrol(20, receiving_from="2022-01")
    advance("2022-09-06")
    payroll_runs.topup()
    advance("2023-01-10")
    r = service.propose(2023, "47000", "7.8%", key="p1", actor=OFFICER)
    assert r["previous"] == "320.00" and r["proposed"] == "350.00" and r["status"] == "draft"  # 344.96 → 350
    service.edit(2023, "345", key="e1", actor=OFFICER, note="统筹物价变动")
    payroll_runs.payroll("2023-01")  # not approved yet: January is paid at 320
    with pytest.raises(GazetteError) as e:
        service.approve(2023, key="a0", actor=APPROVER)
    assert e.value.code == "not_submitted"
    service.submit(2023, key="s1", actor=OFFICER)
    with pytest.raises(GazetteError) as e:
        service.approve(2023, key="a1", actor=OFFICER)
    assert e.value.code == "same_person"
    advance("2023-03-01")
    out = service.approve(2023, key="a2", actor=APPROVER)
    assert out["status"] == "approved" and "市政府同意" in out["citation"] and APPROVER in out["citation"]
    assert payroll_runs.payroll("2023-03").result["standard"] == "345.00"
    run = payroll_runs.topup()
    assert run.result["amount"] == "25.00"  # January 2023: 345 − 320; February was never paid
    with unit_of_work() as s:
        st = views.statement(s, p)
        assert [v["citation"] for v in views.standards(s)][-1] == out["citation"]
    assert st["topup_total"] == "25.00"


def test_same_standard_published_again_pays_nothing(pension):
    """嘉人社〔2022〕60号#二: entering the same standard again tops up nothing."""
    enrol(21, receiving_from="2022-01")
    for m in range(1, 9):
        advance(f"2022-{m:02d}-10")
        payroll_runs.payroll(f"2022-{m:02d}")
    advance("2022-09-06")
    assert payroll_runs.topup().result["amount"] == "240.00"
    advance("2023-02-01")
    payroll_runs.payroll("2023-01")
    service.propose(2023, "47000", "0", key="p", actor=OFFICER)
    service.submit(2023, key="s", actor=OFFICER)
    service.approve(2023, key="a", actor=APPROVER)  # 320 → 320
    assert payroll_runs.topup().result["amount"] == "0.00"


def test_bad_adjustments(pension):
    advance("2023-01-10")
    before = counts()
    with pytest.raises(GazetteError) as e:
        service.propose(2022, "43598", "9.5%", key="x", actor=OFFICER)
    assert e.value.code == "out_of_range"
    with pytest.raises(GazetteError) as e:
        service.propose(2023, "47000", "abc", key="x", actor=OFFICER)
    assert e.value.code == "invalid_growth"
    with pytest.raises(GazetteError) as e:
        service.approve(2023, key="x", actor=APPROVER)
    assert e.value.code == "not_found"
    assert counts() == before
    service.propose(2023, "47000", "5%", key="y", actor=OFFICER)
    with pytest.raises(GazetteError) as e:
        service.edit(2023, "300", key="z", actor=OFFICER)
    assert e.value.code == "standard_lowered"


def test_a_proposal_above_the_monthly_limit_is_refused_not_stored():
    """Compounded +100% proposals (the most 一 allows) would pass the database's 64-bit integers before
    2100: a proposal above the limit an officer may enter is refused with its reason; at the limit it stands."""
    limit = domain.MAX_STANDARD_FEN
    assert domain.propose(limit // 2, domain.growth_ppm("100%")) == limit
    with pytest.raises(GazetteError) as e:
        domain.propose(limit // 2 + ROUND, domain.growth_ppm("100%"))
    assert e.value.code == "amount_out_of_range" and e.value.field == "growth"
    with pytest.raises(GazetteError):
        domain.propose(2**62, domain.growth_ppm("100%"))


def test_an_edit_may_reach_the_limit_but_not_pass_it(pension):
    advance("2023-01-10")
    service.propose(2023, "47000", "7.8%", key="p-limit", actor=OFFICER)
    cap = domain.MAX_STANDARD_FEN // 100
    assert service.edit(2023, str(cap), key="e-limit", actor=OFFICER)["amount"] == f"{cap}.00"
    before = counts()
    with pytest.raises(GazetteError) as e:
        service.edit(2023, str(cap + 1), key="e-over", actor=OFFICER)
    assert e.value.code == "amount_out_of_range" and counts() == before

